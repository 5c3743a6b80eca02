"""The audit log's hash chain: every committed event sealed, in id order, with
sha256(previous seal + the event's content). An event changed or deleted after its seal, or slipped in
later with an old date, no longer fits; `manage.py verify_audit` recomputes the chain and says where.

Sealing runs every few minutes (Celery beat) rather than inside each write: a chain link taken inside
every audited transaction would serialise all work behind one lock (and deadlock with row locks). Events
younger than SEAL_AFTER wait, because a transaction still open may yet commit an event with a lower id.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from portal.models import AuditEvent, AuditSeal

SEAL_AFTER = timedelta(minutes=10)
GENESIS = "0" * 64
CHAIN_LOCK = 727_001  # pg_advisory_xact_lock key: one sealer at a time
# Events are inserted with the time of their insert; ids follow within moments of each other. An event
# dated further back than this before the event sealed before it was written with a forged date.
BACKDATING_TOLERANCE = timedelta(minutes=2)
FIELDS = (
    "id", "at", "actor_id", "actor_username", "action", "object_type", "object_id", "object_repr",
    "area_code", "actor_area_code", "before", "after", "note", "client_address",
)  # fmt: skip


def event_digest(values: dict) -> str:
    canonical = json.dumps(
        {name: values[name].isoformat() if name == "at" else values[name] for name in FIELDS},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def link(previous: str, values: dict) -> str:
    return hashlib.sha256((previous + event_digest(values)).encode()).hexdigest()


def audit_seal(*, now=None) -> int:
    """Seal every event older than SEAL_AFTER that is not sealed yet; returns how many."""
    cutoff = (now or timezone.now()) - SEAL_AFTER
    sealed = 0
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])
        last = AuditSeal.objects.order_by("-event_id").first()
        previous = last.chain_hash if last else GENESIS
        events = (
            AuditEvent.objects.filter(pk__gt=last.event_id if last else 0, at__lt=cutoff)
            .order_by("pk")
            .values(*FIELDS)
        )
        batch = []
        for values in events.iterator(chunk_size=2000):
            previous = link(previous, values)
            batch.append(AuditSeal(event_id=values["id"], chain_hash=previous))
            if len(batch) == 2000:
                AuditSeal.objects.bulk_create(batch)
                sealed += len(batch)
                batch = []
        AuditSeal.objects.bulk_create(batch)
        sealed += len(batch)
    return sealed


@dataclass
class Verification:
    sealed: int = 0
    unsealed: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def audit_verify() -> Verification:
    """Recompute the chain over every seal and compare; report what does not fit."""
    result = Verification()
    previous = GENESIS
    previous_at = None
    seals = AuditSeal.objects.order_by("event_id").values_list("event_id", "chain_hash")
    last_sealed = 0
    chunk: list[tuple[int, str]] = []

    def check(chunk):
        nonlocal previous, previous_at
        events = {
            values["id"]: values
            for values in AuditEvent.objects.filter(pk__in=[e for e, _h in chunk]).values(*FIELDS)
        }
        for event_id, chain_hash in chunk:
            values = events.get(event_id)
            if values is None:
                result.problems.append(f"event {event_id} was sealed and is gone (deleted)")
                previous = chain_hash  # carry on from the recorded seal to find other problems
                continue
            expected = link(previous, values)
            if expected != chain_hash:
                result.problems.append(
                    f"event {event_id} ({values['action']}) was changed after it was sealed"
                )
            if previous_at is not None and values["at"] < previous_at - BACKDATING_TOLERANCE:
                result.problems.append(
                    f"event {event_id} is dated {values['at']:%Y-%m-%d %H:%M}, before the event sealed ahead of it"
                )
            previous, previous_at = chain_hash, values["at"]
            result.sealed += 1

    for event_id, chain_hash in seals.iterator(chunk_size=2000):
        chunk.append((event_id, chain_hash))
        last_sealed = event_id
        if len(chunk) == 2000:
            check(chunk)
            chunk = []
    check(chunk)
    below = AuditEvent.objects.filter(pk__lt=last_sealed).exclude(pk__in=AuditSeal.objects.values("event_id"))
    for event_id in below.values_list("pk", flat=True)[:100]:
        result.problems.append(
            f"event {event_id} appeared below the sealed part of the log (inserted afterwards)"
        )
    result.unsealed = AuditEvent.objects.filter(pk__gt=last_sealed).count()
    return result
