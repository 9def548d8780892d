"""A calculator the model can call: arithmetic on numbers, evaluated without `eval`."""

import ast
import operator

_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
        ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.Pow: operator.pow,
        ast.USub: operator.neg, ast.UAdd: operator.pos}
MAX_POWER = 100  # 10**100 is fine; 9**9**9 would hang the trainer


def calculator(expression: str) -> str:
    """Evaluate arithmetic, e.g. "(2 + 3) * 7".

    Args:
        expression: numbers with + - * / // % ** and parentheses.
    """
    try:
        value = _evaluate(ast.parse(str(expression), mode="eval").body)
    except (SyntaxError, ValueError, TypeError, ZeroDivisionError, OverflowError, RecursionError) as err:
        return f"error: {type(err).__name__}: {err}"
    return str(int(value)) if isinstance(value, float) and value.is_integer() and abs(value) < 1e15 else str(value)


def _evaluate(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.UnaryOp) and type(node.op) in _OPS:
        return _OPS[type(node.op)](_evaluate(node.operand))
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        left, right = _evaluate(node.left), _evaluate(node.right)
        if isinstance(node.op, ast.Pow) and abs(right) > MAX_POWER:
            raise ValueError(f"exponent {right} is too large (at most {MAX_POWER})")
        return _OPS[type(node.op)](left, right)
    raise ValueError(f"only numbers and + - * / // % ** are allowed, not {type(node).__name__}")
