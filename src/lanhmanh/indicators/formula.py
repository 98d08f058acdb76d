"""Formulas over other indicators: ``{code}`` references, + - * /, numbers and sum/ratio/share.

``ratio(a, b)`` is a / b, ``share(a, b)`` is 100 · a / b, ``sum(a, b, …)`` adds; a division by zero
gives no value (None) rather than an error, as "no communes yet" is a normal state early in a year.
Formulas are parsed with ``ast`` and evaluated over a closed set of node types: no names, no
attributes, no calls other than the three functions.
"""

from __future__ import annotations

import ast
import re
from decimal import Decimal

REF = re.compile(r"\{([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)\}")
FUNCTIONS = {"sum", "ratio", "share"}


class FormulaError(ValueError):
    pass


def references(expression: str) -> set[str]:
    """The indicator codes a formula uses; FormulaError when the formula does not parse."""
    _compile(expression)
    return set(REF.findall(expression))


def _compile(expression: str) -> tuple[ast.Expression, dict[str, str]]:
    names: dict[str, str] = {}

    def substitute(match: re.Match) -> str:
        code = match.group(1)
        return names.setdefault(code, f"_v{len(names)}")

    text = REF.sub(substitute, expression)
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        raise FormulaError(f"Công thức “{expression}” sai cú pháp.") from None
    allowed_names = set(names.values()) | FUNCTIONS
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            if node.id not in allowed_names:
                raise FormulaError(
                    f"Công thức “{expression}”: “{node.id}” không phải chỉ số (viết mã chỉ số trong dấu {{ }})."
                )
        elif isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
                raise FormulaError(f"Công thức “{expression}”: chỉ dùng được các hàm sum, ratio, share.")
            if node.keywords:
                raise FormulaError(f"Công thức “{expression}”: hàm không nhận tham số có tên.")
            if node.func.id in {"ratio", "share"} and len(node.args) != 2:
                raise FormulaError(f"Công thức “{expression}”: {node.func.id} cần đúng 2 tham số.")
        elif isinstance(node, ast.Constant):
            if not isinstance(node.value, int | float) or isinstance(node.value, bool):
                raise FormulaError(f"Công thức “{expression}”: chỉ dùng được số.")
        elif not isinstance(
            node,
            ast.Expression
            | ast.BinOp
            | ast.UnaryOp
            | ast.Add
            | ast.Sub
            | ast.Mult
            | ast.Div
            | ast.USub
            | ast.Load,
        ):
            raise FormulaError(f"Công thức “{expression}” dùng phép toán không được phép.")
    if not names:
        raise FormulaError(f"Công thức “{expression}” không tham chiếu chỉ số nào.")
    return tree, {v: k for k, v in names.items()}


def evaluate(expression: str, values: dict[str, Decimal | int | float | None]) -> Decimal | None:
    """The formula's value given each referenced code's value (None propagates)."""
    tree, by_name = _compile(expression)

    def num(value) -> Decimal | None:
        return None if value is None else Decimal(str(value))

    def walk(node):
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant):
            return num(node.value)
        if isinstance(node, ast.Name):
            return num(values.get(by_name[node.id]))
        if isinstance(node, ast.UnaryOp):
            inner = walk(node.operand)
            return None if inner is None else -inner
        if isinstance(node, ast.BinOp):
            left, right = walk(node.left), walk(node.right)
            if left is None or right is None:
                return None
            if isinstance(node.op, ast.Add):
                return left + right
            if isinstance(node.op, ast.Sub):
                return left - right
            if isinstance(node.op, ast.Mult):
                return left * right
            return None if right == 0 else left / right
        args = [walk(a) for a in node.args]
        if node.func.id == "sum":
            present = [a for a in args if a is not None]
            return sum(present, Decimal(0)) if present else None
        a, b = args
        if a is None or b is None or b == 0:
            return None
        return a / b * (100 if node.func.id == "share" else 1)

    return walk(tree)
