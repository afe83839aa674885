"""Every success the ledger answers in JSON has a response model in its OpenAPI document (issue 21), so that
clients generated from it know the fields; the two server-sent event streams are not JSON, and the What-if
page's simulation routes pass adjudication's answers through unchanged (adjudication's document names them)."""

from medfund_ledger.main import create_app

STREAMS = {"/v1/pools/stream", "/v1/alerts/stream"}
PASSED_THROUGH = {"/v1/simulations", "/v1/simulations/{simulation_id}"}
NOT_MODELLED = STREAMS | PASSED_THROUGH


def _schemas_of_successes() -> dict[tuple[str, str], dict]:
    schemas = {}
    for path, item in create_app().openapi()["paths"].items():
        if path in NOT_MODELLED:
            continue
        for method, operation in item.items():
            for status, answer in operation["responses"].items():
                if status.startswith("2") and "application/json" in answer.get("content", {}):
                    schemas[(method, path)] = answer["content"]["application/json"]["schema"]
    return schemas


def test_every_json_success_names_a_model():
    schemas = _schemas_of_successes()
    unnamed = [route for route, schema in schemas.items()
               if "$ref" not in schema and "$ref" not in schema.get("items", {})]
    assert len(schemas) > 20 and unnamed == []
