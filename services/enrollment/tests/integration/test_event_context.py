"""An event on Kafka carries the caller's correlation id and trace, and the URI of its data's schema."""

from datetime import date

import pytest
from idnumbers import make_certno
from topics import events_about

pytestmark = pytest.mark.integration
CALLER_TRACE = "0af7651916cd43dd8448eb211c80319c"


async def test_a_registration_event_carries_the_callers_correlation_id_trace_and_schema(enrollment):
    body = {"admdvs": "500240", "insutype": "390", "year": 2026, "tier": "tier1", "enrolled_on": "2025-10-10",
            "members": [{"certno": make_certno(date(1972, 4, 9), 77), "psn_name": "王五", "gend": "1",
                         "brdy": "1972-04-09", "category": "adult"}]}
    headers = {"X-Correlation-ID": "reg-trace-1", "traceparent": f"00-{CALLER_TRACE}-b7ad6b7169203331-01"}
    response = await enrollment.client.post("/v1/enrollments", json=body, headers=headers)
    assert response.status_code == 201, response.text
    psn_no = response.json()["members"][0]["psn_no"]
    [event] = await events_about(enrollment.settings, psn_no, "person.registered.v1", 1)
    assert event.correlationid == "reg-trace-1"
    version, trace, span, flags = event.traceparent.split("-")
    assert (version, trace, flags) == ("00", CALLER_TRACE, "01") and span != "b7ad6b7169203331"
    assert event.dataschema == ("urn:medfund:events:asyncapi#/components/messages/"
                                "medfund_enrollment_person_registered_v1/payload")
