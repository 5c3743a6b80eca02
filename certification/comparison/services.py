"""Data sources: what each agency's file carries and what it may do, changed by city administrators."""

from __future__ import annotations

from django.db import transaction

from portal.audit import audit_record


def data_source_save(*, actor, form):
    """Save a checked DataSourceForm (new or changed) with its audit event, in one transaction."""
    source = form.instance if form.instance.pk else None
    before = {name: form.initial.get(name) for name in form.changed_data} if source else None
    with transaction.atomic():
        saved = form.save()
        audit_record(
            actor=actor,
            action="data_source.changed" if source else "data_source.created",
            target=saved,
            before=before,
            after={name: form.cleaned_data[name] for name in form.changed_data},
        )
    return saved
