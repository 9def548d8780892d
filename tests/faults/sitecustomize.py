"""Fault injection for tests: a process started with this folder on PYTHONPATH and R1KIT_FAULT set misbehaves
once, at a named file-system operation, so a test can crash a real `r1kit` run at an exact point.

R1KIT_FAULT is JSON (tests.faults.fault_env writes it):
  op      "open" (opened for writing), "replace" (os.replace onto the path), "mkdir", or "call"
  path    an fnmatch pattern matched against the absolute path; for "call", `module:function`, patched
          as the module is first imported (before anything imports the name from it)
  nth     act on the nth matching call in this process (1 = the first)
  when    "before" or "after" the operation ("after" is not offered for open)
  action  "kill" (SIGKILL this process: a crash, a lost node, the OOM killer) or
          "enospc" (raise OSError ENOSPC, as a full disk does)
  mark    a file to which the process appends the fault's name first, so the test knows it fired

Python imports this module at startup (site.py's sitecustomize hook) in every process started with the folder on
PYTHONPATH, launched ranks included. Only stdlib calls are patched; writes done in C (safetensors, torch.save)
are reached through the Python calls around them.
"""

import builtins
import errno
import fnmatch
import functools
import importlib.abc
import importlib.util
import io
import json
import os
import signal
import sys


def _install(spec: dict):
    seen = [0]
    pattern, when, action = spec["path"], spec.get("when", "before"), spec.get("action", "kill")

    def fire(path):
        if spec.get("mark"):
            with _open(spec["mark"], "a", encoding="utf-8") as f:
                f.write(f"{spec.get('name', pattern)} pid={os.getpid()} path={path}\n")
        if action == "enospc":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        os.kill(os.getpid(), signal.SIGKILL)

    def hits(path, moment) -> bool:
        if moment != when or not fnmatch.fnmatch(os.path.abspath(os.fspath(path)), pattern):
            return False
        seen[0] += 1
        return seen[0] == spec.get("nth", 1)

    _open = builtins.open
    if spec["op"] == "call":
        module, function = pattern.split(":")
        pattern = "*"

        def wrap(original):
            @functools.wraps(original)
            def patched(*args, **kwargs):
                if hits(spec["path"], "before"):
                    fire(spec["path"])
                result = original(*args, **kwargs)
                if hits(spec["path"], "after"):
                    fire(spec["path"])
                return result

            return patched

        sys.meta_path.insert(0, _PatchOnImport(module, function, wrap))
    elif spec["op"] == "open":
        def open_(file, mode="r", *args, **kwargs):
            if isinstance(file, (str, bytes, os.PathLike)) and set(mode) & set("wax+") and hits(file, "before"):
                fire(file)
            return _open(file, mode, *args, **kwargs)

        builtins.open = io.open = open_
    else:
        name = spec["op"]
        original = getattr(os, name)

        def patched(*args, **kwargs):
            target = args[1] if name == "replace" else args[0]
            if hits(target, "before"):
                fire(target)
            result = original(*args, **kwargs)
            if hits(target, "after"):
                fire(target)
            return result

        setattr(os, name, patched)


class _PatchOnImport(importlib.abc.MetaPathFinder):
    """Wraps `module.function` right after the module executes, before any `from module import function`."""

    def __init__(self, module: str, function: str, wrap):
        self.module, self.function, self.wrap = module, function, wrap

    def find_spec(self, fullname, path, target=None):
        if fullname != self.module:
            return None
        sys.meta_path.remove(self)
        try:
            spec = importlib.util.find_spec(fullname)
        finally:
            sys.meta_path.insert(0, self)
        run_module = spec.loader.exec_module

        def exec_module(module):
            run_module(module)
            setattr(module, self.function, self.wrap(getattr(module, self.function)))

        spec.loader.exec_module = exec_module
        return spec


if os.environ.get("R1KIT_FAULT"):
    _install(json.loads(os.environ["R1KIT_FAULT"]))
