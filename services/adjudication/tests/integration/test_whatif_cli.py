"""``medfund settlement verify`` and ``medfund whatif`` against the service over real HTTP (uvicorn in this
process): the verdict, the progress to the end, the table and the HTML report with its charts."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from adjudication_gateway import Gateway
from typer.testing import CliRunner

from medfund_adjudication.main import definition
from medfund_cli.main import app as cli
from medfund_deploy.instances import served_in_process
from medfund_shared.policy.pack_set import shipped_packs_dir
from medfund_shared.service import create_service_app

pytestmark = pytest.mark.integration
HOSPITAL = "H211302S"


@pytest.fixture
async def served(adjudication_settings):
    async with served_in_process(create_service_app(definition(), adjudication_settings)) as url, \
            httpx.AsyncClient(base_url=url, timeout=30) as client:
        yield url, Gateway(client, adjudication_settings)


async def _cli(*args: str):
    return await asyncio.to_thread(CliRunner().invoke, cli, list(args))


async def test_verify_and_whatif_from_the_command_line(served, tmp_path: Path):
    url, gateway = served
    await gateway.setup_registry()
    psn_no = await gateway.covered("211302", brdy="1976-01-01")
    await gateway.wait_covered(psn_no, "2026-03-01")
    setl_id = await gateway.settle_natively(HOSPITAL, psn_no, "2026-03-05", "1000.00")

    verified = await _cli("settlement", "verify", setl_id, "--url", url)
    assert verified.exit_code == 0, verified.output
    assert f"{setl_id}: EQUAL" in verified.output and "0 different" in verified.output
    unknown = await _cli("settlement", "verify", "NO-SUCH", "--url", url)
    assert unknown.exit_code == 2

    report = tmp_path / "report.html"
    ran = await _cli("whatif", "--region", "211302", "--year", "2026", "--url", url, "--report", str(report),
                     "--pack", str(shipped_packs_dir() / "211302-390-2015-01-01.yaml"))
    assert ran.exit_code == 0, ran.output
    assert "390100" in ran.output and "0 refused" in ran.output
    html = report.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and html.count("<svg") >= 5 and "Fund pay by month" in html

    bad = tmp_path / "bad.yaml"
    bad.write_text("admdvs: '211302'\n", encoding="utf-8")
    refused = await _cli("whatif", "--region", "211302", "--year", "2026", "--url", url, "--pack", str(bad))
    assert refused.exit_code == 2
