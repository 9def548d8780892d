"""The one exception type for user mistakes.

A `UserError` is something the user can fix (a bad key, a missing file, a dataset
without a column). The CLI prints its message and exits with status 2, without a
traceback unless R1KIT_DEBUG=1. Everything else is a bug and keeps its traceback.
"""


class UserError(Exception):
    """A mistake in the recipe, the command line or the data, with a message saying how to fix it."""

    exit_code = 2
