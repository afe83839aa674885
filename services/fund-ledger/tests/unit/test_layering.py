"""The domain imports no framework: only the standard library and the shared money/policy types."""

import ast
from pathlib import Path

DOMAIN = Path(__file__).parents[2] / "medfund_ledger" / "domain"
FORBIDDEN = ("fastapi", "sqlalchemy", "aiokafka", "pydantic", "yaml", "medfund_shared.settings")


def test_domain_modules_import_no_framework():
    for module in DOMAIN.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not [n for n in names if n.startswith(FORBIDDEN)], module.name
