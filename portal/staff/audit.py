"""The doors' own audit events (the staff services record theirs where they write)."""

from portal.audit import audit_record


def audit_locked_out(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    """django-axes locked a login or an address: on the record, naming what was tried."""
    audit_record(
        actor=None,
        action="auth.locked_out",
        note=str(username or "")[:150],
        after={"ip_address": ip_address or ""},
    )
