"""Event type string -> payload model; one registry for producers, consumers and the schema."""

from __future__ import annotations

from functools import cache
from typing import TypeVar

from medfund_shared.events.base import EventData
from medfund_shared.events.envelope import CloudEvent

_TYPES: dict[str, type[EventData]] = {}
E = TypeVar("E", bound=type[EventData])


class UnknownEventType(LookupError):
    """No model is registered for this type (a newer producer; consumers ignore it)."""


def register(model: E) -> E:
    """Class decorator: make ``model.event_type`` resolvable to ``model``."""
    if not model.names_its_key_and_subject():
        raise TypeError(f"{model.__qualname__} names no key_field/subject_field and computes no partition_key/subject")
    existing = _TYPES.get(model.event_type)
    if existing is not None and existing.__qualname__ != model.__qualname__:
        raise ValueError(f"event type {model.event_type} already registered by {existing.__qualname__}")
    _TYPES[model.event_type] = model
    return model


def lookup(event_type: str) -> type[EventData]:
    _load_types()
    try:
        return _TYPES[event_type]
    except KeyError:
        raise UnknownEventType(event_type) from None


def parse(event: CloudEvent) -> EventData:
    """Validate the event's data against its registered model."""
    return lookup(event.type).model_validate(event.data)


def all_types() -> dict[str, type[EventData]]:
    _load_types()
    return dict(sorted(_TYPES.items()))


@cache
def _load_types() -> None:
    import medfund_shared.events.types  # noqa: F401  (registers the shipped types)
