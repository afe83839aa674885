"""Base class of event payloads: explicit, versioned, immutable contracts (never ORM rows)."""

from __future__ import annotations

from abc import abstractmethod
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

    @abstractmethod
    def partition_key(self) -> str:
        """The aggregate whose events must stay in order (the Kafka key)."""

    @abstractmethod
    def subject(self) -> str | None:
        """The CloudEvents ``subject``: what the event is about."""
