"""The fast decoder (msgspec) and the pydantic models agree: same values for every registered type, same refusals."""

from __future__ import annotations

import types
from datetime import date, datetime
from typing import Annotated, Literal, Union, get_args, get_origin

import orjson
import pytest
from pydantic import BaseModel, ValidationError

from medfund_shared.china_time import CHINA_TIME
from medfund_shared.events import fast_decode
from medfund_shared.events.envelope import CloudEvent, EnvelopeError
from medfund_shared.events.registry import all_types
from medfund_shared.money import Money

TYPES = sorted(all_types().items())


class Record:
    def __init__(self, key, value, headers) -> None:
        self.key, self.value, self.headers = key, value, headers


def _example_value(annotation, name: str):
    origin = get_origin(annotation)
    if annotation is Money:
        return "1234.50"
    if origin is Annotated:
        return _example_value(get_args(annotation)[0], name)
    if origin in (Union, types.UnionType):
        return _example_value(next(arg for arg in get_args(annotation) if arg is not type(None)), name)
    if origin is list:
        return [_example_value(get_args(annotation)[0], name), _example_value(get_args(annotation)[0], name)]
    if origin is Literal:
        return get_args(annotation)[-1]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return example(annotation)
    return {str: f"{name}-1", int: 2026, bool: True, date: "2026-03-31",
            datetime: "2026-03-31T09:30:00+08:00"}[annotation]


def example(model: type[BaseModel]) -> dict:
    """A JSON payload of ``model`` filling every field, optional ones too, as a producer writes them."""
    return {name: _example_value(info.annotation, name) for name, info in model.model_fields.items()}


def _as_python(value, model=None):
    """A Struct (or a pydantic model) read through the model's field names, as plain values."""
    if isinstance(value, list):
        return [_as_python(item) for item in value]
    if hasattr(value, "__struct_fields__") or isinstance(value, BaseModel):
        model = model or type(value)
        names = model.model_fields if isinstance(value, BaseModel) else _model_names(value)
        return {name: _as_python(getattr(value, name)) for name in names}
    return value


def _model_names(struct) -> list[str]:
    return [name.removesuffix("__yuan") for name in struct.__struct_fields__]


@pytest.mark.parametrize(("event_type", "model"), TYPES, ids=[t for t, _ in TYPES])
def test_every_registered_type_decodes_to_what_its_model_validates(event_type, model):
    payload = orjson.loads(orjson.dumps(example(model)))
    fast, validated = fast_decode.data_of(event_type, payload), model.model_validate(payload)
    assert _as_python(fast) == _as_python(validated)
    assert sorted(_model_names(fast)) == sorted(model.model_fields)


@pytest.mark.parametrize(("event_type", "model"), TYPES, ids=[t for t, _ in TYPES])
def test_optional_fields_left_out_take_the_models_defaults(event_type, model):
    payload = {name: value for name, value in example(model).items() if model.model_fields[name].is_required()}
    assert _as_python(fast_decode.data_of(event_type, payload)) == _as_python(model.model_validate(payload))


def _bad_values(annotation) -> list:
    """Values a producer must never send for a field of this type."""
    origin = get_origin(annotation)
    if annotation is Money or (origin is Annotated and get_args(annotation)[0] is Money):
        return [12.5, "1.234", "1e2", "１２.00", ".5", "380.", " 12", "1" * 16, True, [], "12,50"]
    if origin is Annotated:
        return _bad_values(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return [value for value in _bad_values(next(a for a in get_args(annotation) if a is not type(None)))
                if value is not None]
    if origin is list:
        return ["not a list", {"a": 1}]
    if origin is Literal:
        return ["not-one-of-them", 7]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return ["text", [1]]
    return {str: [12, ["x"], {"a": 1}], int: ["abc", 12.5, [1], None], bool: ["maybe", [1]],
            date: ["2026-13-01", "yesterday", [1]], datetime: ["2026-02-30T00:00:00", "soon", [1]]}[annotation]


BAD_CASES = [(event_type, model, name, bad) for event_type, model in TYPES
             for name, info in model.model_fields.items() for bad in _bad_values(info.annotation)]


@pytest.mark.parametrize(("event_type", "model", "field", "bad"), BAD_CASES,
                         ids=[f"{t}.{f}={b!r}" for t, _, f, b in BAD_CASES])
def test_both_refuse_the_same_bad_values(event_type, model, field, bad):
    payload = orjson.loads(orjson.dumps(example(model))) | {field: bad}
    with pytest.raises(ValidationError):
        model.model_validate(payload)
    with pytest.raises(fast_decode.DecodeError):
        fast_decode.data_of(event_type, payload)


@pytest.mark.parametrize(("event_type", "model"), TYPES, ids=[t for t, _ in TYPES])
def test_both_refuse_a_missing_required_field(event_type, model):
    for name in [name for name, info in model.model_fields.items() if info.is_required()]:
        payload = {k: v for k, v in example(model).items() if k != name}
        with pytest.raises(ValidationError):
            model.model_validate(payload)
        with pytest.raises(fast_decode.DecodeError):
            fast_decode.data_of(event_type, payload)


def _record(**overrides) -> Record:
    event = CloudEvent(source="adjudication", type="medfund.claims.settlement.completed.v1",
                       time=datetime(2026, 3, 31, 9, 30, tzinfo=CHINA_TIME),
                       effectivetime=datetime(2026, 3, 31, tzinfo=CHINA_TIME),
                       correlationid="c-1", partitionkey="P1", traceparent="00-" + "1" * 32 + "-" + "2" * 16 + "-01",
                       data={"setl_id": "S1"})
    key, value, headers = event.to_kafka()
    headers = dict(headers) | {k: v for k, v in overrides.items() if v is not None}
    return Record(key, overrides.get("value", value), [(k, v) for k, v in headers.items() if k != "value"
                                                       and overrides.get(k, b"") is not None])


def test_the_envelope_has_what_cloudevent_from_kafka_gives():
    record = _record()
    fast, validated = fast_decode.envelope_of(record), CloudEvent.from_kafka(record)
    assert {name: getattr(fast, name) for name in CloudEvent.model_fields} == dict(validated)


BAD_RECORDS = {
    "no specversion": {"ce_specversion": None},
    "another specversion": {"ce_specversion": b"0.3"},
    "value not JSON": {"value": b"\xff not json"},
    "value a JSON list": {"value": b"[1, 2]"},
    "no source": {"ce_source": None},
    "no type": {"ce_type": None},
    "no time": {"ce_time": None},
    "time without a zone": {"ce_time": b"2026-03-31T09:30:00"},
    "effectivetime not a time": {"ce_effectivetime": b"tomorrow"},
    "header not UTF-8": {"ce_source": b"\xff\xfe"},
}


@pytest.mark.parametrize("overrides", list(BAD_RECORDS.values()), ids=list(BAD_RECORDS))
def test_both_refuse_the_same_bad_envelopes(overrides):
    record = _record(**overrides)
    with pytest.raises((EnvelopeError, ValidationError, UnicodeDecodeError)):
        CloudEvent.from_kafka(record)
    with pytest.raises(fast_decode.DecodeError):
        fast_decode.envelope_of(record)


def test_a_yuan_amount_sent_as_an_integer_is_whole_yuan():
    event_type = "medfund.billing.contribution.received.v1"
    model = dict(TYPES)[event_type]
    payload = orjson.loads(orjson.dumps(example(model))) | {"amount": -380}
    assert fast_decode.data_of(event_type, payload).amount == model.model_validate(payload).amount == Money(-38000)
