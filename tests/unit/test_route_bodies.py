"""Routes stay thin: every view function's body (its docstring aside) is under 30 lines; what
it needs doing goes to forms, queries and operations."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "maturity"
ROUTE_DECORATORS = {"route", "get", "post", "put", "patch", "delete"}
LIMIT = 30


def _is_route(function: ast.FunctionDef) -> bool:
    return any(
        isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and d.func.attr in ROUTE_DECORATORS
        for d in function.decorator_list
    )


def _body_lines(function: ast.FunctionDef) -> int:
    body = function.body
    if isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and len(body) > 1:
        body = body[1:]
    return function.end_lineno - body[0].lineno + 1


def long_routes(source: str) -> list[tuple[str, int]]:
    tree = ast.parse(source)
    return [
        (node.name, _body_lines(node))
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and _is_route(node) and _body_lines(node) >= LIMIT
    ]


def test_every_route_body_is_under_30_lines():
    found = {
        f"{path.relative_to(PACKAGE.parent)}:{name}": lines
        for path in PACKAGE.rglob("*.py")
        for name, lines in long_routes(path.read_text(encoding="utf-8"))
    }
    assert found == {}


def test_a_long_route_is_found():
    body = "\n".join(f"    x{i} = {i}" for i in range(LIMIT))
    source = f'@bp.get("/x")\ndef view():\n    """Doc."""\n{body}\n'
    assert long_routes(source) == [("view", LIMIT)]
    assert long_routes(source.replace(f"    x{LIMIT - 1} = {LIMIT - 1}\n", "")) == []
