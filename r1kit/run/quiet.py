"""Keep the console to r1kit's own progress bars, tables and log lines while libraries load and run."""

import logging
import os
import warnings


def quiet_libraries():
    """Silence the deprecation warnings, progress bars and info logs of torch, datasets and transformers; show
    r1kit's own info lines (such as the sandbox isolation a run uses)."""
    own = logging.getLogger("r1kit")
    if not own.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        own.addHandler(handler)
        own.setLevel(logging.INFO)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    warnings.filterwarnings("ignore", category=FutureWarning)  # deprecations inside TRL/transformers
    # TRL hands a VLM processor a max_length it does not use; the warning would repeat every GRPO step.
    warnings.filterwarnings("ignore", message="`max_length` is ignored when `padding`")
    warnings.filterwarnings("ignore", message="'pin_memory' argument is set as true but no accelerator")  # CPU runs
    import torch

    if not torch.cuda.is_available():
        os.environ.setdefault("DS_ACCELERATOR", "cpu")
    import datasets
    import transformers

    datasets.disable_progress_bars()
    datasets.logging.set_verbosity_error()
    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()
