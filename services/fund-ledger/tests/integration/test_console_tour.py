"""``medfund console tour`` against a running ledger: one numbered PNG per element of the console (at the phone's
width only here: the three widths run the same steps), the data left as they were."""

from __future__ import annotations

import pytest
from test_console_browser import fund_with_alerts

from medfund_cli.console_tour import ELEMENTS, SIZES, take_tour

pytestmark = pytest.mark.integration
PNG = b"\x89PNG\r\n\x1a\n"


async def test_the_tour_saves_a_numbered_png_of_each_element_and_changes_nothing(ledger, tmp_path):
    await fund_with_alerts(ledger)
    before = (await ledger.client.get("/v1/alerts")).json()
    saved = await take_tour(ledger.url, ledger.token("admin"), tmp_path, {"390": SIZES["390"]})
    assert len(ELEMENTS) == 18  # the budget alert has its settlements behind it: every element is shot
    assert [path.name for path in saved] == [f"390-{n:02d}-{name}.png" for n, name in enumerate(ELEMENTS, start=1)]
    assert all(path.read_bytes().startswith(PNG) for path in saved)
    assert (await ledger.client.get("/v1/alerts")).json() == before  # the ack form was cancelled
