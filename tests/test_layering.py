"""One layering rule for every service (issue 21), read from the source with ``ast``, nothing imported.

- ``domain/`` is pure: the standard library, its own ``domain`` package and the shared pure modules only;
  no framework (FastAPI, SQLAlchemy, aiokafka, pydantic, pydantic-settings, httpx, YAML).
- ``app/`` (use cases) imports no web framework and no SQL: it reaches the database through its unit of
  work and the repositories in ``adapters/``.
- ``api/`` is thin: routes call use cases; no SQL.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SERVICES = {
    "medfund_enrollment": ROOT / "services" / "enrollment" / "medfund_enrollment",
    "medfund_billing": ROOT / "services" / "billing" / "medfund_billing",
    "medfund_adjudication": ROOT / "services" / "adjudication" / "medfund_adjudication",
    "medfund_ledger": ROOT / "services" / "fund-ledger" / "medfund_ledger",
}
PURE_SHARED = ("medfund_shared.money", "medfund_shared.policy", "medfund_shared.refusal",
               "medfund_shared.canonical_json", "medfund_shared.china_time", "medfund_shared.id_numbers",
               "medfund_shared.schemes",
               "medfund_shared.text_rules", "medfund_shared.year_range")
"""The shared modules a domain may use: values and rules, no I/O."""
WEB = ("fastapi", "starlette")
SQL = ("sqlalchemy", "asyncpg")
SCHEMES = ("390", "310")
"""The scheme codes, spelled here only to find them spelled elsewhere."""


def _imports(source: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


def _modules(package: str, layer: str) -> list[tuple[str, Path]]:
    return sorted((package, path) for path in (SERVICES[package] / layer).rglob("*.py")
                  if "migrations" not in path.parts)


def _starts(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


def _ids(cases: list[tuple[str, Path]]) -> list[str]:
    return [str(path.relative_to(ROOT)) for _, path in cases]


DOMAIN = [case for package in SERVICES for case in _modules(package, "domain")]
APP = [case for package in SERVICES for case in _modules(package, "app")]
API = [case for package in SERVICES for case in _modules(package, "api")]


@pytest.mark.parametrize(("package", "module"), DOMAIN, ids=_ids(DOMAIN))
def test_the_domain_imports_the_standard_library_its_own_domain_and_pure_shared_modules_only(package, module):
    allowed = (f"{package}.domain", *PURE_SHARED)
    foreign = [name for name in _imports(module)
               if name.split(".")[0] not in sys.stdlib_module_names and not _starts(name, allowed)]
    assert foreign == []


@pytest.mark.parametrize(("package", "module"), APP, ids=_ids(APP))
def test_use_cases_import_no_web_framework_no_sql_and_no_route_module(package, module):
    assert [name for name in _imports(module) if _starts(name, WEB)] == []
    assert _app_breaches(package, module) == []


def _app_breaches(package: str, module: Path) -> list[str]:
    return [name for name in _imports(module) if _starts(name, SQL) or _starts(name, (f"{package}.api",))]


@pytest.mark.parametrize(("package", "module"), API, ids=_ids(API))
def test_routes_run_no_sql(package, module):
    assert [name for name in _imports(module) if _starts(name, SQL)] == []


def test_every_service_has_each_layer():
    assert all(DOMAIN) and {package for package, _ in DOMAIN} == set(SERVICES)
    assert {package for package, _ in APP} == set(SERVICES) and {package for package, _ in API} == set(SERVICES)


EVENT_NAME = re.compile(r"medfund\.[a-z_.]+\.v[0-9]+")
"""A topic (``medfund.claims.v1``) or an event type (``medfund.claims.settlement.completed.v1``)."""
SOURCES = [case for package in SERVICES for case in _modules(package, "")]


@pytest.mark.parametrize(("package", "module"), SOURCES, ids=_ids(SOURCES))
def test_services_name_topics_and_event_types_by_the_shared_models(package, module):
    """``SettlementCompleted.event_type`` and ``claims.TOPIC``, never the string: one place says what an event is."""
    spelled = [node.value for node in ast.walk(ast.parse(module.read_text(encoding="utf-8")))
               if isinstance(node, ast.Constant) and isinstance(node.value, str) and EVENT_NAME.fullmatch(node.value)]
    assert not spelled, f"{module.relative_to(ROOT)} spells {spelled}"


@pytest.mark.parametrize(("package", "module"), SOURCES, ids=_ids(SOURCES))
def test_services_name_schemes_by_the_shared_codes(package, module):
    """``RESIDENT_SCHEME`` and ``EMPLOYEE_SCHEME`` from ``medfund_shared.schemes``, never ``"390"`` or ``"310"``."""
    tree = ast.parse(module.read_text(encoding="utf-8"))
    spelled = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Constant) and node.value in SCHEMES]
    assert not spelled, f"{module.relative_to(ROOT)} spells a scheme code on lines {spelled}"
