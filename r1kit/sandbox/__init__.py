"""Run untrusted Python (model-written code) in a sandbox, and say how it ended.

`run(source, stdin)` runs a program in a separate process with limits and returns a
`Result` (status, return code, capped stdout/stderr, seconds). It never raises because
of what the program does. Two levels of isolation (`resolve_isolation()`; "auto" probes
the kernel once per process and logs the level it chose):

- "namespaces" (Linux, root or unprivileged user namespaces): the program runs as pid 1
  of its own pid namespace (every process it starts dies with it, whatever session or
  group it moves to), in its own network namespace (no interface but a loopback that is
  down), in its own mount namespace where the whole filesystem is read-only, home
  directories, /run, /tmp and /dev/shm are hidden (secrets, and unix sockets such as
  docker's or a tmux server's), /proc shows only the sandbox, and the working directory
  is a small tmpfs that vanishes with it; in its own user namespace, so the
  process-count limit counts this sandbox only; as `nobody` when the caller is root.
- "process" (the fallback where the kernel refuses namespaces, never because a probe was
  slow; or asked for): a new session, rlimits, and a process-count limit counted over
  the whole user (current count + a margin), without the namespace guarantees.

Both add rlimits (CPU seconds, address space, file size, no core dumps), a wall-clock
limit, output caps (the process group is killed as soon as a cap is passed), an
environment with nothing of the caller's (no API keys), `python -I`, and, unless
`guard=False`, an audit hook in the program's interpreter that refuses sockets,
subprocesses and exec, native calls through ctypes, signals, reading other processes'
/proc entries and writes outside its directory. The hook is a second line of defence,
not a boundary: Python code in the same interpreter can get around it in ways the
kernel's limits do not allow.

Modules: `runner` (run, resolve_isolation, self_check), `result` (Result and its
statuses), `supervise` (the parent watching the child), `bootstrap` (the child, which
builds the namespaces, filesystem and limits; it runs under `python -I -S` and imports
nothing of r1kit), `guard` (the audit hook).
"""

from r1kit.sandbox.result import ERROR, MEMORY, OK, OUTPUT_LIMIT, SANDBOX_ERROR, TIMEOUT, Result
from r1kit.sandbox.runner import ISOLATIONS, resolve_isolation, run, self_check

__all__ = ["ERROR", "ISOLATIONS", "MEMORY", "OK", "OUTPUT_LIMIT", "SANDBOX_ERROR", "TIMEOUT", "Result",
           "resolve_isolation", "run", "self_check"]
