"""One rank of tests/run/test_ranks.py: every helper of r1kit.run.ranks once, the answers as one JSON line."""

import json
import sys

from r1kit.errors import UserError
from r1kit.run import ranks


def main():
    ranks.init()
    decided = ranks.from_main(lambda: f"decided by rank {ranks.rank()}")
    try:
        ranks.from_main(lambda: (_ for _ in ()).throw(UserError("refused by the main process")))
        error = None
    except UserError as err:
        error = str(err)
    gathered = ranks.gather({"rank": ranks.rank()})
    ranks.barrier()
    print(json.dumps({"world": ranks.world(), "rank": ranks.rank(), "is_main": ranks.is_main(), "decided": decided,
                      "error": error, "gathered": gathered}), flush=True)
    ranks.barrier()
    import torch.distributed as dist

    dist.destroy_process_group()  # gloo's threads left running at exit can abort the interpreter


if __name__ == "__main__":
    sys.exit(main())
