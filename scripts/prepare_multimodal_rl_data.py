"""RL-with-Cold-Start's GRPO data: Multimodal-RL-Data (EasyR1's geometry3k schema) as `mm_math` rows.

WaltonFuture/Multimodal-RL-Data (RL-with-Cold-Start GRPO/examples/qwen2_5_vl_7b_grpo.sh:7) is read by EasyR1's
dataset (`problem` with `<image>` markers, `answer`, `images`: GRPO/examples/config.yaml:4-6), the layout of
Vision-R1-rl, so `convert` is scripts/prepare_vision_r1_rl.py's.

    python scripts/prepare_multimodal_rl_data.py --out data/multimodal_rl_data.jsonl
"""

import argparse

from prepare_common import read_rows, write_rows  # scripts/prepare_common.py
from prepare_vision_r1_rl import convert  # scripts/prepare_vision_r1_rl.py: (images, problem, answer) rows

__all__ = ["convert"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="the jsonl file to write, e.g. data/multimodal_rl_data.jsonl")
    parser.add_argument("--source", default="WaltonFuture/Multimodal-RL-Data", help="the hub dataset or a local file")
    parser.add_argument("--split", default="train")
    parser.add_argument("--image-root", help="the folder relative image paths are resolved against")
    args = parser.parse_args(argv)
    write_rows(convert(read_rows(args.source, args.split), args.image_root), args.out)


if __name__ == "__main__":
    main()
