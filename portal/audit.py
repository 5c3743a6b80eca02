"""Writing to the append-only audit log.

Services call `audit_record()` inside their transaction, so an event exists exactly when the change does.
The client address comes from the request through a context variable, so services need no request.
"""

from __future__ import annotations

import contextvars
from datetime import date, datetime
from decimal import Decimal
from typing import Any

client_address_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "client_address", default=None
)


def audit_record(
    *,
    actor,
    action: str,
    target=None,
    area_code: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
):
    from portal.models import AuditEvent

    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_username=getattr(actor, "username", "") or "",
        action=action,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        object_repr=str(target)[:200] if target is not None else "",
        area_code=area_code or _area_code_of(target),
        before=_jsonable(before),
        after=_jsonable(after),
        note=note,
        client_address=client_address_var.get(),
    )


def _area_code_of(target) -> str:
    code = getattr(target, "audit_area_code", "")
    return code() if callable(code) else (code or "")


def _jsonable(values: dict[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    return {key: _plain(value) for key, value in values.items()}


def _plain(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "pk"):
        return str(value.pk)
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def changes_between(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    """Only the fields that changed, as (before, after), for a readable audit entry."""
    changed = [key for key in after if before.get(key) != after.get(key)]
    return {key: before.get(key) for key in changed}, {key: after[key] for key in changed}
