"""Base class of event payloads: explicit, versioned, immutable contracts (never ORM rows)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict


class EventData(BaseModel):
    """The ``data`` of one event type.

    Subclasses set ``event_type`` (``medfund.<producer>.<thing>.v1``) and ``topic`` (base name,
    ``medfund.<producer>.v1``; the settings' prefix is applied when publishing). Unknown fields
    are ignored so that producers may add fields without breaking consumers.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    event_type: ClassVar[str]
    topic: ClassVar[str]
    key_field: ClassVar[str]
    """The data field naming the aggregate whose events must stay in order (the Kafka key)."""
    subject_field: ClassVar[str]
    """The data field that is the CloudEvents ``subject``: what the event is about."""

    def partition_key(self) -> str:
        """The Kafka key: ``key_field``'s value; a type whose key is computed overrides this."""
        return getattr(self, self.key_field)

    def subject(self) -> str | None:
        """The CloudEvents ``subject``: ``subject_field``'s value; a type whose subject is computed overrides this."""
        return getattr(self, self.subject_field)

    @classmethod
    def names_its_key_and_subject(cls) -> bool:
        """Whether the type says where its key and subject come from (a field or an override)."""
        return all(hasattr(cls, field) or getattr(cls, method) is not getattr(EventData, method)
                   for field, method in (("key_field", "partition_key"), ("subject_field", "subject")))
