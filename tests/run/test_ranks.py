"""The rank helpers agree across processes: the main process decides, every rank gets its answer or its error."""

import json
import socket
import subprocess
import sys

import pytest

from r1kit.errors import UserError
from r1kit.run import ranks
from tests.helpers import REPO, cli_env


def test_one_process_is_the_main_one_and_every_call_returns_at_once():
    assert (ranks.world(), ranks.rank(), ranks.is_main()) == (1, 0, True)
    ranks.init()
    ranks.barrier()
    assert ranks.from_main(lambda: "mine") == "mine"
    assert ranks.gather("mine") == ["mine"]


def test_a_user_error_of_the_main_process_is_raised_as_it_is():
    def refuse():
        raise UserError("no such run")

    with pytest.raises(UserError, match="no such run"):
        ranks.from_main(refuse)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("deepspeed", [False, True], ids=["own-launcher", "deepspeed"])
def test_two_cpu_processes_share_the_main_process_decision_and_gather_in_rank_order(deepspeed):
    """As a launcher starts them: RANK/LOCAL_RANK/WORLD_SIZE set, no GPU; with DeepSpeed as `accelerate launch` sets it."""
    port = _free_port()
    procs = []
    for rank in range(2):
        env = cli_env({"RANK": str(rank), "LOCAL_RANK": str(rank), "WORLD_SIZE": "2", "LOCAL_WORLD_SIZE": "2",
                       "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(port), "CUDA_VISIBLE_DEVICES": "",
                       "OMP_NUM_THREADS": "1", "PYTHONPATH": str(REPO)})
        if deepspeed:
            env.update(ACCELERATE_USE_DEEPSPEED="true", DS_ACCELERATOR="cpu")
        procs.append(subprocess.Popen([sys.executable, "-m", "tests.run.rank_probe"], cwd=REPO, env=env,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    outputs = [proc.communicate(timeout=300) for proc in procs]
    for proc, (out, err) in zip(procs, outputs):
        assert proc.returncode == 0, err[-3000:]
    answers = [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]
    for rank, answer in enumerate(answers):
        assert (answer["world"], answer["rank"], answer["is_main"]) == (2, rank, rank == 0)
        assert answer["decided"] == "decided by rank 0"
        assert answer["error"] == "refused by the main process"
        assert answer["gathered"] == [{"rank": 0}, {"rank": 1}]
