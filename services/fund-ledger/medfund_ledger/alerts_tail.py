"""``medfund alerts tail``: every alert change on ``medfund.alerts.v1``, one readable line each, as it arrives.

Reads with a consumer outside any group, so it commits nothing and never joins the ledger's group;
from the end of every partition, or from the beginning with ``--from-beginning``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import typer
from aiokafka import AIOKafkaConsumer
from pydantic import ValidationError

from medfund_shared.china_time import CHINA_TIME
from medfund_shared.events.envelope import CloudEvent, EnvelopeError
from medfund_shared.events.types.alerts import TOPIC, AlertChanged
from medfund_shared.settings import Settings, load_settings

ASSIGNMENT_POLL_SECONDS = 0.2
TOPIC_MISSING_SECONDS = 2.0
"""The consumer waits for its topic to exist; after this long the tail says so."""


def line(alert: AlertChanged) -> str:
    """Business time in China time (``+08:00``, whatever offset the event carried), rule, subject, severity,
    state, measure / threshold, message; for an acknowledgement, who acknowledged and the note."""
    text = (f"{alert.evaluated_at.astimezone(CHINA_TIME).isoformat()}  {alert.rule:<18} {alert.subject_id:<20} "
            f"{alert.severity:<6} {alert.state:<12} {alert.measure} / {alert.threshold}  {alert.message}")
    if alert.state == "acknowledged":
        text += f"  [acknowledged by {alert.acked_by or 'unknown'}: {alert.ack_note or ''}]"
    return text


def alert_of(record) -> AlertChanged | None:
    """The alert change a record carries; None for other event types. Raises on a malformed alert."""
    headers = {key: value for key, value in record.headers or ()}
    if headers.get("ce_type", b"").decode() != AlertChanged.event_type:
        return None
    return AlertChanged.model_validate(CloudEvent.from_kafka(record).data)


async def tail(settings: Settings, emit: Callable[[str], None], note: Callable[[str], None],
               from_beginning: bool = False) -> None:
    """Emit a line per alert change until cancelled; ``note`` gets what is not an alert (start, bad records)."""
    topic = settings.topic(TOPIC)
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=settings.kafka_bootstrap, group_id=None,
                                enable_auto_commit=False,
                                auto_offset_reset="earliest" if from_beginning else "latest")
    starting = asyncio.ensure_future(consumer.start())
    try:
        if not (await asyncio.wait({starting}, timeout=TOPIC_MISSING_SECONDS))[0]:
            note(f"waiting for {topic} to exist on {settings.kafka_bootstrap}")
        await starting
        while not consumer.assignment():
            await asyncio.sleep(ASSIGNMENT_POLL_SECONDS)
        for partition in consumer.assignment():
            await consumer.position(partition)
        note(f"following {topic} on {settings.kafka_bootstrap} from the {'beginning' if from_beginning else 'end'}")
        async for record in consumer:
            try:
                alert = alert_of(record)
            except (EnvelopeError, ValidationError, UnicodeDecodeError) as error:
                note(f"skipped a malformed record at partition {record.partition} offset {record.offset}: "
                     f"{str(error).splitlines()[0]}")
                continue
            if alert is not None:
                emit(line(alert))
    finally:
        starting.cancel()
        await consumer.stop()


def run(bootstrap: str | None, from_beginning: bool, seconds: float | None) -> None:
    """The command: settings from ``MEDFUND_*`` (``bootstrap`` overrides the broker), Ctrl-C or ``seconds`` ends it."""
    settings = load_settings("fund-ledger")
    if bootstrap:
        settings = settings.model_copy(update={"kafka_bootstrap": bootstrap})

    async def bounded() -> None:
        following = tail(settings, typer.echo, lambda text: typer.echo(text, err=True), from_beginning)
        try:
            await asyncio.wait_for(following, seconds)
        except TimeoutError:
            pass

    try:
        asyncio.run(bounded())
    except KeyboardInterrupt:
        pass
