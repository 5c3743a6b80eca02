"""Writing to the append-only audit log.

Services call `audit_record()` inside their transaction, so an event exists exactly when the change does.
The client address comes from the request through a context variable, so services need no request.
"""

from __future__ import annotations

import contextvars
import functools
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from portal.contracts import audit_label_sets

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
    actor_username: str = "",
):
    """`actor_username` names an actor that is not a staff account (a channel client of the API)."""
    from portal.models import AuditEvent

    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_username=actor_username or getattr(actor, "username", "") or "",
        action=action,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        object_repr=str(target)[:200] if target is not None else "",
        area_code=area_code or _area_code_of(target),
        actor_area_code=getattr(actor, "area_id", None) or "",
        before=_jsonable(before),
        after=_jsonable(after),
        note=note,
        client_address=client_address_var.get(),
    )


def audit_read(*, request, action: str, pensioners, target=None, note: str = ""):
    """A screen or file showed these people's unmasked data (full ID, phone, address, a photo of a signed
    form): who looked, at whom, and where from. The people are listed in `after`, so the audit log's
    person filter finds the look; the event is filed under the record's area and the viewer's own."""
    ids = sorted({getattr(person, "pk", person) for person in pensioners})
    return audit_record(
        actor=request.user,
        action=action,
        target=target,
        area_code=_area_code_of(target) if target is not None else getattr(request.user, "area_id", "") or "",
        after={"pensioners": ids},
        note=note,
    )


def audit_logged_in(sender, request, user, **kwargs) -> None:
    audit_record(actor=user, action="auth.logged_in", area_code=user.area_id or "")


def audit_logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit_record(actor=user, action="auth.logged_out", area_code=user.area_id or "")


def audit_login_failed(sender, credentials, request=None, **kwargs) -> None:
    """A failed login names the login that was tried (never the password); no account is implied."""
    audit_record(actor=None, action="auth.login_failed", note=str(credentials.get("username", ""))[:150])


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
    if isinstance(value, str):
        return value.replace("\x00", "")  # jsonb cannot hold NUL, and a query string can bring one
    return value


def changes_between(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    """Only the fields that changed, as (before, after), for a readable audit entry."""
    changed = [key for key in after if before.get(key) != after.get(key)]
    return {key: before.get(key) for key in changed}, {key: after[key] for key in changed}


# --- Display: what the audit log shows people ----------------------------------------------------------
# Every value a reader sees is a label in their language: action codes, field names and stored codes are
# looked up in labels each app registers (portal.contracts.register_audit_labels); an unknown code is
# shown as it is, so a new action is never hidden, only untranslated until someone names it.


def _portal_labels() -> dict:
    from django.utils.translation import gettext_lazy as _

    return {
        "actions": {
            "audit.exported": _("Audit log exported"),
            "audit.person_searched": _("Audit log searched for a person"),
            "roster.uploaded": _("Roster file uploaded"),
            "comparison.uploaded": _("Data-comparison file uploaded"),
            "export.queued": _("Long export queued"),
            "export.downloaded": _("Export file downloaded"),
            "import.rejects_downloaded": _("Rejects file downloaded"),
            "auth.logged_in": _("Logged in"),
            "auth.logged_out": _("Logged out"),
            "auth.login_failed": _("Failed login"),
            "auth.locked_out": _("Log-ins locked after too many failures"),
            "staff.uploaded": _("Staff file uploaded"),
            "staff.imported": _("Staff accounts imported"),
            "staff.exported": _("Staff list exported"),
            "staff.created": _("Staff account created"),
            "staff.updated": _("Staff account changed"),
            "staff.moved": _("Staff account moved to another area"),
            "staff.disabled": _("Staff account disabled"),
            "staff.enabled": _("Staff account enabled"),
            "staff.password_reset": _("Password reset by an administrator"),
            "staff.password_changed": _("Password changed"),
            "staff.second_factor_enrolled": _("Authenticator enrolled"),
            "staff.second_factor_passed": _("Second factor passed"),
            "staff.second_factor_failed": _("Wrong second-factor code"),
            "staff.second_factor_reset": _("Authenticator removed by an administrator"),
            "staff.lock_cleared": _("Log-in lock lifted"),
            "import.credentials_downloaded": _("Temporary passwords downloaded"),
        },
        "fields": {
            "format": _("Format"),
            "query": _("Filters"),
            "file": _("File"),
            "dry_run": _("Trial run only"),
            "encoding": _("Encoding"),
            "person": _("Person"),
            "rows": _("Rows"),
            "pensioners": _("People"),
            "people": _("Number of people"),
            "username": _("Login name"),
            "full_name": _("Real name"),
            "role": _("Role"),
            "area": _("Area"),
            "phone": _("Phone"),
            "active": _("Enabled"),
            "by": _("By"),
            "ip_address": _("IP address"),
            "attempts": _("Attempts"),
            "created": _("created"),
            "updated": _("updated"),
            "unchanged": _("unchanged"),
            "rejected": _("rejected"),
        },
        "values": {"format": {"csv": "CSV", "xlsx": "Excel (XLSX)"}},
    }


@functools.cache
def audit_labels() -> dict:
    """All registered labels: {"actions": {code: label}, "fields": {...}, "values": {...}, "related": [...]}."""

    merged = {"actions": {}, "fields": {}, "values": {}, "related": []}
    for provided in [_portal_labels(), *audit_label_sets()]:
        for part in ("actions", "fields", "values"):
            merged[part].update(provided.get(part, {}))
        if provided.get("related"):
            merged["related"].append(provided["related"])
    return merged


def action_label(code: str) -> str:
    """The action's name in the reader's language; an unknown code is shown as it is."""
    return str(audit_labels()["actions"].get(code, code))


def action_choices() -> list[tuple[str, str]]:
    """Every known action, by its label, for the audit log's action filter."""
    return sorted(
        ((code, str(label)) for code, label in audit_labels()["actions"].items()), key=lambda c: c[1]
    )


def staff_label(user, username: str = "") -> str:
    """Staff everywhere in the log as "real name (login)"; events of the system itself say so."""
    from django.utils.translation import gettext

    if user is not None:
        login = user.username
        return f"{user.full_name} ({login})" if user.full_name and user.full_name != login else login
    return username or gettext("System (automatic)")


def _field_label(object_type: str, key: str) -> str:
    labels = audit_labels()["fields"]
    for candidate in (f"{object_type}:{key}", key):
        if candidate in labels:
            return str(labels[candidate])
    field = _model_field(object_type, key)
    if field is not None and getattr(field, "verbose_name", None):
        text = str(field.verbose_name)
        return text[:1].upper() + text[1:]
    return key


def _model_field(object_type: str, key: str):
    from django.apps import apps
    from django.core.exceptions import FieldDoesNotExist

    if "." not in object_type:
        return None
    try:
        return apps.get_model(object_type)._meta.get_field(key)
    except (LookupError, FieldDoesNotExist, ValueError):
        return None


def value_text(object_type: str, key: str, value) -> str:
    """A stored value as a reader would say it: labels for codes, 是/否, names for lists."""
    from django.utils.translation import gettext

    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    values = audit_labels()["values"]
    for candidate in (f"{object_type}:{key}", key):
        if callable(values.get(candidate)):
            return str(values[candidate](value))
    if isinstance(value, list):
        return "、".join(value_text(object_type, key, item) for item in value)
    if isinstance(value, dict):
        if "name" in value:
            return str(value["name"])
        return ", ".join(
            f"{_field_label(object_type, inner)} {value_text(object_type, inner, item)}"
            for inner, item in value.items()
        )
    for candidate in (f"{object_type}:{key}", key):
        labeller = values.get(candidate)
        if labeller is not None and not callable(labeller) and str(value) in labeller:
            return str(labeller[str(value)])
    field = _model_field(object_type, key)
    if field is not None and getattr(field, "choices", None):
        return str(dict(field.choices).get(value, value))
    return _local_time_text(str(value))


def _local_time_text(text: str) -> str:
    """An ISO date-and-time (as _plain stored it) in Beijing time, to the minute; other text unchanged."""
    if len(text) < 16 or text[10:11] != "T":
        return text
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    if moment.tzinfo is not None:
        from django.utils import timezone

        moment = timezone.localtime(moment)
    return f"{moment:%Y-%m-%d %H:%M}"


def describe_changes(event) -> list[dict]:
    """The event's before/after as labelled rows: [{"label", "before", "after"}] (before None: unchanged)."""
    before, after = event.before or {}, event.after or {}
    rows = []
    for key in [*before, *(key for key in after if key not in before)]:
        row = {"label": _field_label(event.object_type, key)}
        row["after"] = value_text(event.object_type, key, after.get(key)) if key in after else None
        row["before"] = value_text(event.object_type, key, before.get(key)) if key in before else None
        if row["before"] == row["after"]:
            row["before"] = None  # unchanged: the value once, without an arrow
        rows.append(row)
    return rows


def changes_text(event) -> str:
    """The same, as one line of plain text (for the spreadsheet)."""
    parts = []
    for row in describe_changes(event):
        if row["before"] is not None and row["after"] is not None:
            parts.append(f"{row['label']}: {row['before']} → {row['after']}")
        else:
            parts.append(f"{row['label']}: {row['after'] if row['after'] is not None else row['before']}")
    return "; ".join(parts) or "—"


def object_label(event) -> str:
    """What the event is about: the kind of record in the reader's language, then its description."""
    from django.apps import apps

    kind = ""
    if "." in event.object_type:
        try:
            kind = str(apps.get_model(event.object_type)._meta.verbose_name)
        except (LookupError, ValueError):
            kind = event.object_type
    return " · ".join(part for part in (kind, event.object_repr) if part) or "—"


def events_about_person(queryset, pensioner):
    """Events about one person: their registry record and every record the apps tie to them."""
    from django.db.models import Q

    about = Q(object_type="pensioners.pensioner", object_id=str(pensioner.pk))
    about |= Q(after__pensioners__contains=[pensioner.pk])
    for related in audit_labels()["related"]:
        for object_type, ids in related(pensioner):
            about |= Q(object_type=object_type, object_id__in=[str(pk) for pk in ids])
    return queryset.filter(about)
