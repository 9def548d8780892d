"""Write constraints.txt: the exact versions of r1kit's dependencies in this environment.

pyproject.toml keeps ranges (r1kit is a library too); `make install` installs within them from
constraints.txt, so a fresh clone gets the stack the suite passed with, not whatever was released
since. Run it with the environment's own Python once the suite passes; `make upgrade-deps` upgrades,
runs this and then the suite. Rerunning it on an unchanged environment rewrites the same file.

    .venv/bin/python scripts/freeze_constraints.py [--output constraints.txt] [--check]   # Python 3.11+

Only r1kit[dev] and what it needs, walked through the installed metadata, are written: not r1kit
itself, not whatever else was installed by hand (what `pip freeze --exclude-editable` would add), and
not the CUDA-only packages a GPU build of torch brings, which would make pip fetch gigabytes on a CPU
machine. Versions are written without a local label (torch 2.13.0+cpu -> torch==2.13.0), the spec
the Makefile installs torch with.
"""

import argparse
import difflib
import re
import sys
from importlib import metadata
from pathlib import Path

import tomllib
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

REPO = Path(__file__).resolve().parents[1]
EXTRAS = ("dev",)
OUTPUT = REPO / "constraints.txt"
CUDA_ONLY = re.compile(r"^(nvidia-.*|cuda-.*|triton)$")  # pulled in by a CUDA build of torch only


def requirements(pyproject: Path = REPO / "pyproject.toml", extras=EXTRAS) -> list[Requirement]:
    """r1kit's own requirements as pyproject.toml says now (an editable install's metadata may be older)."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    lines = project["dependencies"] + [r for e in extras for r in project.get("optional-dependencies", {})[e]]
    return [req for req in map(Requirement, lines) if req.marker is None or req.marker.evaluate({"extra": ""})]


def installed_closure(roots: list[Requirement], leave_out: frozenset = frozenset()) -> dict[str, str]:
    """Canonical name -> installed public version of every distribution `roots` need here, and theirs.

    Names in `leave_out` are not walked (nor what only they need): the wheelhouse leaves out torch.
    """
    pending = [(req, "pyproject.toml") for req in roots]
    walked: dict[str, frozenset] = {}
    versions: dict[str, str] = {}
    while pending:
        req, needed_by = pending.pop()
        key = canonicalize_name(req.name)
        if CUDA_ONLY.match(key) or key in leave_out or (key in walked and req.extras <= walked[key]):
            continue
        walked[key] = walked.get(key, frozenset()) | req.extras
        try:
            dist = metadata.distribution(req.name)
        except metadata.PackageNotFoundError:
            sys.exit(f"{req} (needed by {needed_by}) is not installed in {sys.prefix}. Run `make install` "
                     "(or pip install -e '.[dev]') in this environment first, then rerun this script.")
        if not req.specifier.contains(dist.version, prereleases=True):
            sys.exit(f"{req} (needed by {needed_by}): {dist.version} is installed in {sys.prefix}. "
                     "Run `make install` first, then rerun this script.")
        versions[key] = Version(dist.version).public
        for line in dist.requires or []:
            sub = Requirement(line)
            if sub.marker is None or any(sub.marker.evaluate({"extra": e}) for e in (walked[key] or {""})):
                pending.append((sub, key))
    return dict(sorted(versions.items()))


def render(versions: dict[str, str]) -> str:
    python = ".".join(map(str, sys.version_info[:2]))
    header = (f"# The versions r1kit[{','.join(EXTRAS)}]'s test suite passed with (Python {python}); "
              "`make install` installs from these.\n"
              "# Written by scripts/freeze_constraints.py (`make upgrade-deps` refreshes it); do not edit by hand.\n")
    return header + "".join(f"{name}=={version}\n" for name, version in versions.items())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=OUTPUT, help=f"default: {OUTPUT}")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 and show the difference if the file is not what this "
                             "environment would write")
    args = parser.parse_args(argv)
    text = render(installed_closure(requirements()))
    old = args.output.read_text(encoding="utf-8") if args.output.is_file() else ""
    if args.check:
        diff = list(difflib.unified_diff(old.splitlines(), text.splitlines(), str(args.output), "this environment",
                                         lineterm=""))
        print("\n".join(diff) if diff else f"{args.output} matches this environment.")
        return 1 if diff else 0
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}: {text.count('==')} pinned versions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
