"""The `r1kit` command: parse, compose, validate, dispatch. Heavy libraries load only when a run starts."""

import argparse
import os
import subprocess
import sys

from r1kit.errors import UserError

EPILOG = """\
examples:
  r1kit train                                  run the quickstart recipe (SFT, then the held-out check)
  r1kit train recipe=quickstart seed=1         any key=value overrides the recipe
  r1kit train recipe=./my_recipe.yaml          a recipe file of your own
  r1kit train recipe=quickstart --cfg job      print the fully composed config and exit
  r1kit train -m seed=1,2,3                    a sweep: one run per value
  r1kit train launcher=zero3 launcher.gpus=8   8 processes, DeepSpeed ZeRO-3 (--dry-run: show the command)
  r1kit train launcher=slurm launcher.nodes=4  write an sbatch script for 4 nodes into the run directory
  r1kit sft model=tiny data=addition stages.sft.max_steps=50
  r1kit eval model=runs/quickstart              score each stage of the newest quickstart run
  r1kit eval model=smollm2 data=gsm8k data.path=gsm8k.jsonl reward=r1_math n=8 temperature=0.7
  r1kit report runs/quickstart/<run>           curves per stage: report.png and report.md
  r1kit ls                                     recipes and components, one line each
  r1kit cp quickstart my_recipe.yaml           copy a shipped recipe to edit, then: r1kit train recipe=my_recipe.yaml

Set R1KIT_DEBUG=1 to see tracebacks for configuration errors.
"""

EVAL_HELP = """\
model=   hub id, model folder, .gguf file, model config (smollm2), or a run directory
         (each finished stage, side by side)
data=    a data config (addition, gsm8k, math...) or a dataset of the run's recipe
reward=  a reward stack (r1_math, quickstart...); a run defaults to its last grpo stage's
n=8 k=[1,4,8] temperature=0.7 max_new_tokens=512 limit=200 batch_size=64 backend=auto
Results: <output_dir>/<name>.json and <name>.samples.jsonl (default output_dir: <run>/eval or ./eval).
"""

RUN_HELP = """\
overrides are Hydra-style: key=value changes a key, +key=value adds one, group=option
swaps a config group (model=smollm2, logger=wandb), recipe=NAME|PATH picks the recipe.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="r1kit", description="Train R1-style reasoning models from composable YAML recipes.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    from r1kit import __version__

    parser.add_argument("--version", action="version", version=f"r1kit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, help_text in (("train", "run every stage of a recipe (default recipe: quickstart)"),
                            ("sft", "run one cold-start SFT stage (model=..., data=...)")):
        p = sub.add_parser(name, help=help_text, description=help_text, epilog=RUN_HELP,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        p.add_argument("overrides", nargs="*", help="key=value overrides")
        p.add_argument("--cfg", choices=["job", "all"], help="print the composed, validated config and exit")
        p.add_argument("-m", "--multirun", action="store_true", help="sweep: run once per combination of a=1,2 values")
        p.add_argument("--dry-run", action="store_true",
                       help="with a launcher (launcher=zero3 ...): print the command and the files it would write, "
                            "and stop")
    p = sub.add_parser("eval", help="score a model, a run's stages, or several side by side",
                       description="score a model, a run's stages, or several side by side",
                       epilog=EVAL_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("overrides", nargs="*", help="key=value options (see r1kit/conf/eval.yaml)")
    p.add_argument("--compare", action="append", default=[], metavar="MODEL_OR_RUN",
                   help="evaluate this model or run too and show it side by side (repeatable)")
    p.add_argument("--cfg", choices=["job"], help="print the composed, validated options and exit")
    p = sub.add_parser("report", help="write report.png and report.md for a run directory",
                       description="write report.png (curves per stage) and report.md for a run directory")
    p.add_argument("run_dir", help="a run directory (runs/<recipe>/<time>) or runs/<recipe> for its newest run")
    sub.add_parser("ls", help="list recipes and components", description="list recipes and components")
    p = sub.add_parser("cp", help="copy a shipped recipe to edit it", description="copy a shipped recipe to edit it, "
                       "then train it with r1kit train recipe=PATH")
    p.add_argument("recipe", help="a recipe name (see `r1kit ls`)")
    p.add_argument("path", help="the file to write (.yaml added if it has no suffix), or a folder to copy it into")
    p.add_argument("-f", "--force", action="store_true", help="overwrite an existing file")
    parser.commands = sub.choices
    return parser


def parse(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    """Parse argv; a command's flags may sit between its overrides (`r1kit train --cfg job seed=1`).

    argparse's intermixed parsing refuses a parser with subcommands, so the command's own parser does it.
    """
    if argv and argv[0] in ("train", "sft", "eval"):
        args = parser.commands[argv[0]].parse_intermixed_args(argv[1:])
        args.command = argv[0]
        return args
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    args = parse(parser, argv)
    try:
        if args.command is None:
            parser.print_help()
            return 0
        if args.command == "ls":
            from r1kit.listing import print_listing

            print_listing()
            return 0
        if args.command == "eval":
            return eval_command(args)
        if args.command == "report":
            return report_command(args)
        if args.command == "cp":
            return cp_command(args)
        return run_command(args)
    except UserError as err:
        from r1kit.launch.command import report_child_error

        report_child_error(str(err))
        if os.environ.get("R1KIT_DEBUG") == "1":
            raise
        _print_error(str(err))
        return err.exit_code
    except KeyboardInterrupt:
        _print_error("interrupted. Rerun the same command to resume from the last checkpoint.")
        return 130


def run_command(args) -> int:
    from r1kit.config.compose import DEFAULT_RECIPE, compose_recipe, split_recipe

    recipe, overrides = split_recipe(args.overrides, DEFAULT_RECIPE if args.command == "train" else None)
    if args.multirun:
        flags = (["--cfg", args.cfg] if args.cfg else []) + (["--dry-run"] if args.dry_run else [])
        return _sweep(args.command, recipe, overrides, flags)
    from r1kit.config.validate import validate

    config = validate(compose_recipe(args.command, overrides, recipe=recipe))
    if args.cfg:
        import yaml

        print(yaml.safe_dump(config, sort_keys=False), end="")
        return 0
    from r1kit.launch.options import relaunches

    if relaunches(config["launcher"]):
        from r1kit.launch.command import launch

        return launch(config, args.command, recipe, overrides, dry_run=args.dry_run)
    if args.dry_run:
        print(f"launcher={config['launcher']['name']}: r1kit trains in this process, there is nothing to launch. "
              "Run the command without --dry-run.")
        return 0
    from r1kit.curriculum import run_recipe

    run_recipe(config)
    return 0


def eval_command(args) -> int:
    from r1kit.evaluation.options import compose_eval

    config = compose_eval(args.overrides, args.compare)
    if args.cfg:
        import yaml

        print(yaml.safe_dump({k: v for k, v in config.items() if not k.startswith("_")}, sort_keys=False), end="")
        return 0
    from r1kit.evaluation.command import run_eval

    run_eval(config)
    return 0


def report_command(args) -> int:
    from r1kit.run.report import write_report

    png, md = write_report(args.run_dir)
    print(f"wrote {png}\nwrote {md}")
    return 0


def cp_command(args) -> int:
    """Copy a shipped recipe verbatim (comments included) to a file of the user's, which never gets overwritten
    without --force."""
    import shutil
    from pathlib import Path

    from r1kit.checks import did_you_mean
    from r1kit.config.compose import list_recipes

    recipes = list_recipes()
    if args.recipe not in recipes:
        raise UserError(f"r1kit cp {args.recipe}: no such recipe.{did_you_mean(args.recipe, recipes)} "
                        f"Shipped recipes: {', '.join(recipes)} (`r1kit ls` describes them).")
    source = recipes[args.recipe]
    target = Path(args.path).expanduser()
    if target.is_dir() or args.path.endswith(("/", os.sep)):
        target = target / source.name
    elif not target.suffix:
        target = target.with_suffix(".yaml")
    if target.exists() and not args.force:
        raise UserError(f"{target} already exists. Give another path, or add --force to overwrite it.")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    except OSError as err:
        raise UserError(f"r1kit cp {args.recipe} {args.path}: cannot write {target} ({err.strerror}). "
                        "Give a path in a folder you can write to.") from None
    shown = str(target) if os.sep in str(target) or target.suffix in (".yaml", ".yml") else f"./{target}"
    print(f"Copied recipe {args.recipe} to {target}. Edit it (`name:` names its run folder), then:\n"
          f"  r1kit train recipe={shown}")
    return 0


def _sweep(command: str, recipe: str | None, overrides: list[str], flags: list[str] = ()) -> int:
    """Run each combination as its own process, so one failing job does not take the others down.

    `flags` (such as `--cfg job`) are passed on to every job.
    """
    from r1kit.config.compose import expand_sweeps

    jobs = expand_sweeps(overrides)
    worst = 0
    for i, job in enumerate(jobs):
        extra = [f"recipe={recipe}"] if recipe else []
        print(f"[sweep {i + 1}/{len(jobs)}] r1kit {command} {' '.join([*extra, *job, *flags])}", flush=True)
        code = subprocess.call([sys.executable, "-m", "r1kit", command, *extra, *job, *flags])
        worst = max(worst, code)
    return worst


def _print_error(message: str):
    print(f"r1kit: error: {message}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
