"""RL-with-Cold-Start's GRPO data: Multimodal-RL-Data (EasyR1's geometry3k schema) as `mm_math` rows.

WaltonFuture/Multimodal-RL-Data (RL-with-Cold-Start GRPO/examples/qwen2_5_vl_7b_grpo.sh:7) is read by EasyR1's
dataset (`problem` with `<image>` markers, `answer`, `images`: GRPO/examples/config.yaml:4-6), the layout of
Vision-R1-rl, so `convert` is scripts/prepare_vision_r1_rl.py's.

    python scripts/prepare_multimodal_rl_data.py --out data/multimodal_rl_data.jsonl
"""


from prepare_common import prepare_main  # scripts/prepare_common.py
from prepare_vision_r1_rl import convert  # scripts/prepare_vision_r1_rl.py: (images, problem, answer) rows

__all__ = ["convert"]


def main(argv=None):
    prepare_main(convert, __doc__, "data/multimodal_rl_data.jsonl",
                 source_help="the hub dataset or a local file",
                 source_default="WaltonFuture/Multimodal-RL-Data",
                 image_root_help="the folder relative image paths are resolved against", argv=argv)


if __name__ == "__main__":
    main()
