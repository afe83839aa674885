"""The links the summary prints: the console takes its token the way the ledger's page script reads it."""

from importlib import resources

import httpx

from medfund_cli.demo.services import Services, Urls
from medfund_cli.demo.summary import alerts_tail_command
from medfund_shared.settings import Settings


def test_the_dashboard_link_carries_the_token_the_page_reads():
    page = resources.files("medfund_ledger.static").joinpath("console.js").read_text("utf-8")
    assert 'params.get("token")' in page
    services = Services(httpx.AsyncClient(), Urls.local(), Settings(), "15002400000")
    link = httpx.URL(services.dashboard_link())
    assert (link.host, link.port, link.path) == ("127.0.0.1", 8004, "/")
    assert link.params["token"].count(".") == 2


def test_the_tail_command_names_a_prefix_and_broker_only_when_they_differ_from_the_defaults():
    assert alerts_tail_command(Settings()) == "medfund alerts tail"
    assert alerts_tail_command(Settings(topic_prefix="t1.", kafka_bootstrap="127.0.0.1:19092")) == \
        "MEDFUND_TOPIC_PREFIX=t1. medfund alerts tail --bootstrap 127.0.0.1:19092"
