"""Build a folder of wheels that installs r1kit offline on a node whose torch is already there.

    python scripts/build_wheelhouse.py                                     # this machine's platform and Python
    python scripts/build_wheelhouse.py --python-version 3.12 --platform manylinux_2_28_x86_64 --output wh312
    make wheelhouse PYTHON_VERSION=3.12 PLATFORM=manylinux_2_28_x86_64     # the same through the Makefile

and on the node (no index reached):

    pip install --no-index --find-links wheelhouse -c wheelhouse/constraints.txt r1kit

Clusters without internet come with a torch built for their CUDA, and r1kit needs everything else.
The folder holds r1kit's own wheel and every distribution its runtime requirements need (not the dev
extras), found by walking this environment's metadata, at the versions constraints.txt pins: the
stack the suite passed with. Left out: torch and what only torch needs (the node has them) and the
CUDA packages of a GPU torch. Binary wheels come from the index for the target; a distribution
published only as an sdist is built into a wheel here (deepspeed with DS_BUILD_OPS=0, so no CUDA is
needed: its ops compile on first use). One that is not pure Python and has no binary for a foreign
target goes in as its sdist with setuptools and wheel, and pip compiles it on the node (a C compiler
is needed there); the summary names such distributions.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import tomllib
from freeze_constraints import REPO, installed_closure, requirements  # scripts/ is on sys.path when a script runs
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_sdist_filename, parse_wheel_filename

LEAVE_OUT = frozenset({"torch"})  # the node's own; CUDA-only packages are never walked
BUILD_BACKEND = ("setuptools", "wheel")  # what pip needs on the node to compile a shipped sdist


def pins(constraints: Path) -> dict[str, str]:
    """Canonical name -> pinned version of r1kit's runtime closure without torch, from constraints.txt."""
    pinned = {}
    for line in constraints.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            req = Requirement(line)
            pinned[canonicalize_name(req.name)] = str(req.specifier).removeprefix("==")
    roots = [req for req in requirements(extras=()) if canonicalize_name(req.name) not in LEAVE_OUT]
    needed = installed_closure(roots, leave_out=LEAVE_OUT)
    unpinned = sorted(set(needed) - set(pinned))
    if unpinned:
        sys.exit(f"{constraints} pins no version of {', '.join(unpinned)}, which r1kit needs. Rerun "
                 "scripts/freeze_constraints.py (make upgrade-deps), then this script.")
    return {name: pinned[name] for name in needed}


def pip_target(python_version: str | None, platform: str | None) -> list[str]:
    """pip's options for a foreign target: CPython's ABIs of that version, and each platform the tag admits.

    pip takes a glibc-based tag literally, so manylinux_2_28 is spelled out down to manylinux_2_5 with the
    legacy aliases, or a wheel built for an older glibc (most of them) would count as missing.
    """
    options = []
    if python_version:
        nodot = python_version.replace(".", "")
        options += ["--python-version", python_version, "--implementation", "cp"]
        options += [f"--abi={abi}" for abi in (f"cp{nodot}", "abi3", "none")]
    if platform:
        options += [f"--platform={tag}" for tag in compatible_platforms(platform)]
    return options


def compatible_platforms(platform: str) -> list[str]:
    """manylinux_2_28_x86_64 -> itself and every older manylinux tag of that arch; another tag -> itself."""
    glibc = re.fullmatch(r"manylinux_2_(\d+)_(\w+)", platform)
    if not glibc:
        return [platform]
    newest, arch = int(glibc[1]), glibc[2]
    legacy = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}
    tags = []
    for minor in range(newest, 4, -1):
        tags.append(f"manylinux_2_{minor}_{arch}")
        if minor in legacy:
            tags.append(f"{legacy[minor]}_{arch}")
    return tags


def pip(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pip", *args], capture_output=True, text=True, check=False,
                          env={**os.environ, **(env or {})})


def fail(what: str, proc: subprocess.CompletedProcess):
    sys.exit(f"{what} failed ({proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}")


def download_binaries(wanted: dict[str, str], target: list[str], out: Path) -> list[str]:
    """Download a binary wheel of each pin for the target; return the names published without one."""
    pending, without = dict(wanted), []
    while pending:
        proc = pip("download", "--no-deps", "--only-binary=:all:", "--dest", str(out), *target,
                   *(f"{name}=={version}" for name, version in pending.items()))
        if proc.returncode == 0:
            break
        found = re.search(r"No matching distribution found for ([A-Za-z0-9._-]+)==", proc.stderr)
        if not found or canonicalize_name(found[1]) not in pending:
            fail("pip download", proc)
        name = canonicalize_name(found[1])
        without.append(name)
        del pending[name]
    return without


def build_wheel(name: str, version: str, out: Path, foreign: bool) -> bool:
    """Build an sdist-only pin into a wheel here; True if it went in as a wheel, False if as its sdist."""
    with tempfile.TemporaryDirectory() as tmp:
        proc = pip("wheel", "--no-deps", "--wheel-dir", tmp, f"{name}=={version}", env={"DS_BUILD_OPS": "0"})
        if proc.returncode != 0:
            fail(f"building {name}=={version}", proc)
        (wheel,) = Path(tmp).glob("*.whl")
        pure = all(tag.platform == "any" for tag in parse_wheel_filename(wheel.name)[3])
        if pure or not foreign:
            shutil.move(wheel, out / wheel.name)
            return True
    proc = pip("download", "--no-deps", "--no-binary=:all:", "--dest", str(out), f"{name}=={version}")
    if proc.returncode != 0:
        fail(f"downloading the sdist of {name}=={version}", proc)
    return False


def remove_stale(out: Path, keep: dict[str, str]):
    """Drop files of an earlier build whose distribution or version is no longer pinned."""
    for path in out.iterdir():
        if path.suffix == ".whl":
            name, version = parse_wheel_filename(path.name)[:2]
        elif path.name.endswith((".tar.gz", ".zip")):
            name, version = parse_sdist_filename(path.name)
        else:
            continue
        if keep.get(name) != str(version):
            path.unlink()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", type=Path, default=REPO / "wheelhouse", help="the folder (default: wheelhouse)")
    parser.add_argument("--python-version", help="the node's Python, e.g. 3.12 (default: this interpreter's)")
    parser.add_argument("--platform", help="the node's platform tag, e.g. manylinux_2_28_x86_64 (default: this one)")
    parser.add_argument("--constraints", type=Path, default=REPO / "constraints.txt")
    args = parser.parse_args(argv)
    target = pip_target(args.python_version, args.platform)
    foreign = bool(target)
    out = args.output.resolve()
    out.mkdir(parents=True, exist_ok=True)
    wanted = pins(args.constraints)
    on_node = []
    for name in download_binaries(wanted, target, out):
        if not build_wheel(name, wanted[name], out, foreign):
            on_node.append(name)
    if on_node:
        backend = {name: wanted.get(name) for name in BUILD_BACKEND}
        proc = pip("download", "--no-deps", "--only-binary=:all:", "--dest", str(out), *target,
                   *(f"{name}=={version}" if version else name for name, version in backend.items()))
        if proc.returncode != 0:
            fail("pip download of the build backend", proc)
        wanted.update({parse_wheel_filename(p.name)[0]: str(parse_wheel_filename(p.name)[1])
                       for p in out.glob("*.whl") if parse_wheel_filename(p.name)[0] in BUILD_BACKEND})
    proc = pip("wheel", "--no-deps", "--wheel-dir", str(out), str(REPO))
    if proc.returncode != 0:
        fail("building r1kit's wheel", proc)
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    remove_stale(out, {**wanted, "r1kit": project["version"]})
    (out / "constraints.txt").write_text("".join(f"{n}=={v}\n" for n, v in sorted(wanted.items())), encoding="utf-8")
    files = [p for p in out.iterdir() if p.name != "constraints.txt"]
    size = sum(p.stat().st_size for p in files)
    print(f"{out}: {len(files)} files, {size / 2**20:.0f} MiB, for "
          f"{args.python_version or '.'.join(map(str, sys.version_info[:2]))} on {args.platform or 'this platform'} "
          "(torch not included: the node's own is used)")
    if on_node:
        print(f"shipped as sdists, compiled by pip on the node (needs a C compiler): {', '.join(on_node)}")
    print(f"install: pip install --no-index --find-links {out} -c {out / 'constraints.txt'} r1kit")
    return 0


if __name__ == "__main__":
    sys.exit(main())
