"""Parameterised SQL only: no SQL text built by f-string, ``%`` or ``.format`` reaches the database.

Scans every Python source of the product (shared package, services, deploy, cli) with ``ast``: the
first argument of ``text(...)``, ``execute(...)``, ``executemany(...)``, ``exec_driver_sql(...)``,
``fetch*(...)`` and ``copy_*`` calls must not be an interpolated string, nor a name bound to one in the
same function. DDL cannot bind identifiers: a placeholder is allowed only when its value passes
through an identifier guard (``IDENTIFIER_GUARDS``), whose refusal of quotes is tested here too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from medfund_shared.db import _identifier

ROOT = Path(__file__).resolve().parents[2]
SOURCE_DIRS = ("shared", "services", "deploy", "cli")
SQL_CALLS = {"text", "execute", "executemany", "exec_driver_sql", "fetch", "fetchrow", "fetchval",
             "copy_to_table", "copy_records_to_table"}
IDENTIFIER_GUARDS = {"_identifier"}
TESTED_FILES_MINIMUM = 20
"""The scan must actually see the code base: a wrong root would otherwise pass vacuously."""


def sources() -> list[Path]:
    files = []
    for folder in SOURCE_DIRS:
        files += [p for p in (ROOT / folder).rglob("*.py")
                  if ".venv" not in p.parts and "tests" not in p.parts and "migrations" not in p.parts]
    return sorted(files)


def interpolated(node: ast.AST) -> bool:
    """An f-string with a placeholder, ``"..." % x``, ``"...".format(...)`` or ``"..." + x``."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(part, ast.FormattedValue) and not _guarded(part.value) for part in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mod, ast.Add)):
        return _stringish(node.left) or _stringish(node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return _stringish(node.func.value)
    return False


def _guarded(value: ast.AST) -> bool:
    return isinstance(value, ast.Call) and _call_name(value) in IDENTIFIER_GUARDS


def _stringish(node: ast.AST) -> bool:
    return (isinstance(node, ast.Constant) and isinstance(node.value, str)) or isinstance(node, ast.JoinedStr) \
        or interpolated(node)


def _call_name(call: ast.Call) -> str | None:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None


def findings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    scopes = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Module))]
    for scope in scopes:
        tainted = {target.id for node in ast.walk(scope) if isinstance(node, ast.Assign) and interpolated(node.value)
                   for target in node.targets if isinstance(target, ast.Name)}
        for node in ast.walk(scope):
            if not (isinstance(node, ast.Call) and _call_name(node) in SQL_CALLS and node.args):
                continue
            first = node.args[0]
            if interpolated(first) or (isinstance(first, ast.Name) and first.id in tainted):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {_call_name(node)}(...) gets interpolated SQL")
    return sorted(set(found))


def test_scan_sees_the_code_base() -> None:
    assert len(sources()) >= TESTED_FILES_MINIMUM


def test_no_interpolated_sql_anywhere() -> None:
    problems = [problem for path in sources() for problem in findings(path)]
    assert problems == [], "SQL built by string interpolation:\n" + "\n".join(problems)


@pytest.mark.parametrize("snippet", [
    'session.execute(text(f"SELECT * FROM t WHERE id = {x}"))',
    'conn.execute("DELETE FROM t WHERE id = %s" % x)',
    'text("SELECT {}".format(x))',
    'q = f"SELECT {x}"\nconn.execute(q)',
    'conn.fetch("SELECT * FROM " + table)',
])
def test_the_scanner_catches_interpolation(tmp_path: Path, snippet: str) -> None:
    """The scanner itself is tested: each way of building SQL from a value is reported."""
    source = ROOT / "tests" / "security" / f"_probe_{tmp_path.name}.py"
    source.write_text("def f(session, conn, x, table):\n" + "\n".join("    " + line for line in snippet.splitlines()))
    try:
        assert findings(source), snippet
    finally:
        source.unlink()


@pytest.mark.parametrize("name", ['x" ; DROP DATABASE medfund_ledger; --', "a b", "a-b", "x'y", ""])
def test_the_identifier_guard_refuses_anything_but_a_plain_name(name: str) -> None:
    with pytest.raises(ValueError):
        _identifier(name)


def test_the_scanner_accepts_bound_parameters(tmp_path: Path) -> None:
    source = ROOT / "tests" / "security" / f"_probe_{tmp_path.name}.py"
    source.write_text('def f(conn, x):\n    conn.execute(text("SELECT * FROM t WHERE id = :id"), {"id": x})\n')
    try:
        assert findings(source) == []
    finally:
        source.unlink()
