"""Events decoded without a validated pydantic model per event, for a consumer's hot path (issue 24).

The registered pydantic models stay the contract and the schema source: from each one a msgspec
Struct is derived field by field (names, types, defaults, nested models, literals), so the two
cannot drift apart by hand, and msgspec checks a record in C. A yuan amount is checked there too,
as the text (or integer) :data:`medfund_shared.money.YuanAmount` accepts, and becomes a
:class:`Money` only when a handler reads it (most of a settlement's amounts are never read by the
ledger). The envelope is a Struct with the attributes of :class:`CloudEvent`, checked as
:meth:`CloudEvent.from_kafka` checks it. ``shared/tests/unit/test_fast_decode.py`` holds the two paths to
the same answers and the same refusals.
"""

from __future__ import annotations

import types
import uuid
from datetime import datetime
from functools import cache
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import msgspec
from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from medfund_shared.events.envelope import CONTENT_TYPE, EnvelopeError, KafkaRecord, attributes_of
from medfund_shared.events.registry import lookup
from medfund_shared.money import FEN_PER_YUAN, MAX_FEN, Money

DecodeError = (msgspec.ValidationError, EnvelopeError, UnicodeDecodeError)
"""What a malformed record or invalid data raises here (the pydantic path raises its ValidationError)."""

_MAX_WHOLE_YUAN = MAX_FEN // FEN_PER_YUAN
_WHOLE_DIGITS = len(str(_MAX_WHOLE_YUAN)) - 1
YUAN_TEXT = r"^-?(?=[0-9]{1,40}(\.|$))0*[0-9]{1," + str(_WHOLE_DIGITS) + r"}(\.(?=[0-9]{1,40}$)[0-9]{0,2}0*)?$"
"""What :meth:`Money.from_yuan` accepts as text: plain ASCII decimal yuan (at most 40 digits either side of the
point), below ``MAX_FEN`` in magnitude, no more than two decimals but for trailing zeros."""
_Yuan = Union[Annotated[int, msgspec.Meta(gt=-_MAX_WHOLE_YUAN, lt=_MAX_WHOLE_YUAN)],  # noqa: UP007
              Annotated[str, msgspec.Meta(pattern=YUAN_TEXT)]]
_YUAN_SUFFIX = "__yuan"


def _money_attribute(field: str) -> property:
    stored = field + _YUAN_SUFFIX
    return property(lambda self: _money(getattr(self, stored)), doc=f"{field} as Money")


def _money(value: int | str | Money | None) -> Money | None:
    """A field left out keeps its model's default, which is Money (or None) already."""
    return value if value is None or isinstance(value, Money) else Money.from_yuan(value)


def _yuan_field(annotation: Any) -> Any:
    """The stored type of a Money field (``Money`` or ``Money | None``), or None for any other field."""
    if annotation is Money:
        return _Yuan
    if get_origin(annotation) is Annotated:
        return _yuan_field(get_args(annotation)[0])
    if get_origin(annotation) in (Union, types.UnionType):
        args = get_args(annotation)
        if type(None) in args and len(args) == 2:
            inner = _yuan_field(next(arg for arg in args if arg is not type(None)))
            return inner | None if inner is not None else None
    return None


def _field_type(annotation: Any) -> Any:
    """The msgspec type of a pydantic field annotation (not a Money one)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _field_type(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return Union[tuple(_field_type(arg) for arg in get_args(annotation))]  # noqa: UP007 (built at runtime)
    if origin is list:
        return list[_field_type(get_args(annotation)[0])]
    if origin is Literal:
        return annotation
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return struct_for(annotation)
    return annotation


@cache
def struct_for(model: type[BaseModel]) -> type[msgspec.Struct]:
    """The Struct mirroring ``model``: the same fields (a Money field stored as its checked yuan under another
    attribute name, read as Money through a property of its own name), unknown fields ignored, frozen."""
    required, optional, renamed, namespace = [], [], {}, {}
    for name, info in model.model_fields.items():
        kind = _yuan_field(info.annotation)
        if kind is not None:
            renamed[name + _YUAN_SUFFIX] = name
            namespace[name] = _money_attribute(name)
            attribute = name + _YUAN_SUFFIX
        else:
            kind, attribute = _field_type(info.annotation), name
        if info.default is PydanticUndefined and info.default_factory is None:
            required.append((attribute, kind))
        else:
            default = (msgspec.field(default_factory=info.default_factory) if info.default_factory is not None
                       else info.default)
            optional.append((attribute, kind, default))
    return msgspec.defstruct(model.__name__, [*required, *optional], frozen=True, module=model.__module__,
                             namespace=namespace, rename=lambda attribute: renamed.get(attribute, attribute))


def data_of(event_type: str, data: dict[str, Any]) -> msgspec.Struct:
    """The event's data as the Struct of its registered model; raises :data:`DecodeError` when invalid
    and :class:`~medfund_shared.events.registry.UnknownEventType` for a type nobody registered."""
    return msgspec.convert(data, struct_for(lookup(event_type)), strict=False)


class Envelope(msgspec.Struct, frozen=True):
    """The attributes of :class:`CloudEvent` (a consumer's handlers read nothing else)."""

    source: str
    type: str
    time: datetime
    effectivetime: datetime
    data: dict[str, Any]
    id: str = msgspec.field(default_factory=lambda: str(uuid.uuid4()))
    subject: str | None = None
    correlationid: str | None = None
    partitionkey: str | None = None
    dataschema: str | None = None
    traceparent: str | None = None
    datacontenttype: str = CONTENT_TYPE


def envelope_of(record: KafkaRecord) -> Envelope:
    """What :meth:`CloudEvent.from_kafka` gives (and refuses), without building the envelope through pydantic."""
    envelope = msgspec.convert(attributes_of(record), Envelope)
    if envelope.time.tzinfo is None or envelope.effectivetime.tzinfo is None:
        raise EnvelopeError("time and effectivetime must carry a time zone offset")
    return envelope
