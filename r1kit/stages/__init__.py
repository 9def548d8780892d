"""Stage kinds, one module each, found by the name of their defaults file.

`kind: grpo` is r1kit/stages/grpo.py's `KIND`, and r1kit/conf/stage/grpo.yaml holds its
defaults: adding a kind is one module plus one config file (docs/architecture.md).
A kind of your own outside r1kit can be named by dotted path: `kind: my_pkg.stages.KIND`.
"""

from r1kit.components import Registry
from r1kit.conf import group_options

STAGE_KINDS = Registry("stage kind", {name: f"r1kit.stages.{name}.KIND" for name in group_options("stage")})
