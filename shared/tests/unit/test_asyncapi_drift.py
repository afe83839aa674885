"""The checked-in AsyncAPI document is the published contract: it must match the models."""

import json

from medfund_shared.events import schema


def test_checked_in_asyncapi_document_matches_the_models():
    assert schema.DOCUMENT_PATH.read_text(encoding="utf-8") == schema.render(), \
        "event models changed: run `medfund events schema` and commit asyncapi.json"


def test_every_topic_is_a_channel_and_every_type_a_message():
    document = json.loads(schema.render())
    messages = {m["name"] for m in document["components"]["messages"].values()}
    assert messages == set(schema.shipped_types())
    assert "medfund.alerts.v1" in document["channels"]
    ref = document["components"]["messages"]["medfund_fund_alert_v1"]["payload"]["$ref"]
    alert = document["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert set(alert["properties"]) >= {"alert_id", "rule", "state", "measure", "threshold", "evidence"}
