"""What the sandbox tests share: hostile programs, short limits, and whether this machine has namespaces.

Each hostile program must end with a status that says what it did, leave nothing behind
(no process, no file outside its directory), and let this process carry on. Programs
with an infinite loop get short limits (1 CPU second, 1.5 s of wall time).
"""

import pytest

from r1kit import sandbox

HOSTILE_LIMITS = {"time_s": 0.5, "wall_s": 1.5}
NAMESPACES = sandbox.resolve_isolation() == "namespaces"
needs_namespaces = pytest.mark.skipif(not NAMESPACES, reason="Linux namespaces are not available here")

FORK_COUNT = """\
import os, time
n = 0
try:
    while True:
        if os.fork() == 0:
            time.sleep(2)
            os._exit(0)
        n += 1
except OSError:
    print(n)
"""
FORK_BOMB = "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n"
DAEMON = """\
import os, sys, time
if os.fork() == 0:
    os.setsid()
    time.sleep(30)
    os._exit(0)
print(os.getcwd())
"""
