"""Data sources, editable by city administrators: what each agency's file carries and what it may do."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certification.comparison.services import data_source_save
from certification.models import DataSource
from portal.forms import StyledFormMixin
from portal.roles import Capability
from portal.views_base import capability_required


class DataSourceForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = DataSource
        fields = ["code", "name", "carries_alive", "carries_death", "alive_certifies_alone", "active"]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("carries_alive") and not cleaned.get("carries_death"):
            raise forms.ValidationError(
                gettext_lazy("A source carries alive signals, death signals, or both.")
            )
        if cleaned.get("alive_certifies_alone") and not cleaned.get("carries_alive"):
            self.add_error(
                "alive_certifies_alone", gettext_lazy("Only a source of alive signals can certify.")
            )
        return cleaned


@capability_required(Capability.IMPORT_COMPARISON)
def data_sources(request):
    return render(
        request,
        "certification/comparison/data_sources.html",
        {"sources": DataSource.objects.all(), "can_edit": request.scope.can(Capability.EDIT_SOURCES)},
    )


@capability_required(Capability.EDIT_SOURCES)
def data_source_edit(request, pk: int | None = None):
    source = get_object_or_404(DataSource, pk=pk) if pk is not None else None
    form = DataSourceForm(request.POST or None, instance=source)
    if request.method == "POST" and form.is_valid():
        saved = data_source_save(actor=request.user, form=form)
        messages.success(request, _("The data source %(name)s was saved.") % {"name": saved.name})
        return redirect("data-sources")
    return render(
        request,
        "certification/comparison/data_source_edit.html",
        {"form": form, "source": source},
        status=400 if form.is_bound else 200,
    )
