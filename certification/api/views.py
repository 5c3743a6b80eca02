"""The channel API's staff screens: the city administrator registers clients and issues, rotates and
revokes their tokens; street offices review the certifications reported from abroad (境外认).

A token is shown once: the POST that issues it keeps it in the session, and the page after the redirect
takes it out, so a reload shows it no more (and issues nothing new)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from certification.api.filters import ChannelRecordFilter, ReviewFilter
from certification.api.forms import ChannelClientForm, ReviewRejectForm, RevokeTokenForm
from certification.api.models import ChannelClient, ChannelRecord, ReviewStatus
from certification.api.services import (
    channel_client_create,
    channel_client_revoke,
    channel_client_rotate,
    channel_client_update,
    channel_review_accept,
    channel_review_reject,
)
from certification.api.tables import ChannelClientTable, ChannelRecordTable, ReviewTable, client_state_label
from certification.display import person_summary
from pensioners.services import AlreadySubmitted, form_submission_find
from portal.errors import Refused
from portal.roles import Capability
from portal.views_base import ScopedListView, require_capability

TOKEN_SESSION_KEY = "channel-client-token-{pk}"


def _show_token_once(request, client: ChannelClient, token: str) -> None:
    request.session[TOKEN_SESSION_KEY.format(pk=client.pk)] = token


class ChannelClientListView(ScopedListView):
    capability = Capability.MANAGE_CHANNEL_CLIENTS
    template_name = "certification/api/clients.html"
    table_class = ChannelClientTable
    filterset_class = None
    export_name = "channel-clients"
    export_action = "channel_clients"

    def base_queryset(self):
        return ChannelClient.objects.all()


def channel_client_new(request):
    require_capability(request, Capability.MANAGE_CHANNEL_CLIENTS)
    form = ChannelClientForm(request.POST or None)
    if request.method == "POST":
        # The page sent a second time (a double click): its client exists, and its page shows the token.
        first = form_submission_find(token=form.posted_token(), kind="channel_client")
        if first is not None:
            return redirect("channel-client", pk=first.object_id)
    if request.method == "POST" and form.is_valid():
        try:
            client, token = channel_client_create(
                actor=request.user,
                name=form.cleaned_data["name"],
                channels=form.cleaned_data["channels"],
                scopes=form.scopes,
                form_token=form.cleaned_data.get("form_token"),
            )
        except AlreadySubmitted as repeat:
            return redirect("channel-client", pk=repeat.object_id)
        except Refused as refusal:
            refusal.add_to_form(form)
        else:
            _show_token_once(request, client, token)
            return redirect("channel-client", pk=client.pk)
    return render(
        request,
        "certification/api/client_new.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


def channel_client_detail(request, pk: int):
    client = request.scope.get_or_404(ChannelClient.objects.all(), pk=pk)
    require_capability(request, Capability.MANAGE_CHANNEL_CLIENTS)
    action = request.POST.get("action")
    edit_form = ChannelClientForm.for_client(client, request.POST if action == "edit" else None)
    revoke_form = RevokeTokenForm(request.POST if action == "revoke" else None)
    if request.method == "POST":
        try:
            if action == "edit" and edit_form.is_valid():
                channel_client_update(
                    actor=request.user,
                    client=client,
                    name=edit_form.cleaned_data["name"],
                    channels=edit_form.cleaned_data["channels"],
                    scopes=edit_form.scopes,
                    active=edit_form.cleaned_data.get("active", client.active),
                )
                messages.success(request, _("Saved."))
                return redirect("channel-client", pk=client.pk)
            if action == "rotate":
                _show_token_once(request, client, channel_client_rotate(actor=request.user, client=client))
                messages.success(request, _("A new token was issued; the old one no longer works."))
                return redirect("channel-client", pk=client.pk)
            if action == "revoke" and revoke_form.is_valid():
                channel_client_revoke(
                    actor=request.user, client=client, reason=revoke_form.cleaned_data["reason"]
                )
                messages.success(request, _("The token is revoked: every call with it now gets 401."))
                return redirect("channel-client", pk=client.pk)
        except Refused as refusal:
            refusal.add_to_form(revoke_form if action == "revoke" else edit_form)
    token = request.session.pop(TOKEN_SESSION_KEY.format(pk=client.pk), None)
    records = ChannelRecordFilter(request.GET or None, queryset=client.records.all())
    table = ChannelRecordTable(list(records.qs[:100]), orderable=False)
    return render(
        request,
        "certification/api/client.html",
        {
            "client": client,
            "state": client_state_label(client),
            "token": token,
            "edit_form": edit_form,
            "revoke_form": revoke_form,
            "records_filter": records,
            "records_table": table,
            "api_base": request.build_absolute_uri("/api/v1/"),
        },
        status=400 if request.method == "POST" else 200,
    )


class ChannelReviewListView(ScopedListView):
    """境外认 records waiting for a clerk, in the clerk's area (those already reviewed via the filter)."""

    capability = Capability.REVIEW_ABROAD
    template_name = "certification/api/reviews.html"
    table_class = ReviewTable
    filterset_class = ReviewFilter
    export_name = "abroad-reviews"
    export_action = "abroad_reviews"

    def base_queryset(self):
        return ChannelRecord.objects.exclude(review_status=ReviewStatus.NONE).select_related(
            "client", "pensioner", "pensioner__community"
        )

    def scoped_rows(self, scoped):
        # The queue opens on the work: records still waiting (the filter shows the reviewed ones).
        if not self.request.GET.get("review_status"):
            return scoped.filter(review_status=ReviewStatus.PENDING)
        return scoped


def channel_review(request, pk: int):
    record = request.scope.get_or_404(
        ChannelRecord.objects.exclude(review_status=ReviewStatus.NONE).select_related("client", "pensioner"),
        pk=pk,
    )
    require_capability(request, Capability.REVIEW_ABROAD)
    decision = request.POST.get("decision")
    reject_form = ReviewRejectForm(request.POST if decision == "reject" else None)
    problems: list[str] = []
    if request.method == "POST":
        try:
            if decision == "accept":
                certification = channel_review_accept(record=record, actor=request.user)
                messages.success(
                    request,
                    format_html(
                        _('Accepted: <a href="{}">{}</a> is certified (receipt {}).'),
                        reverse("pensioner-card", args=[record.pensioner_id]),
                        record.pensioner.name,
                        certification.receipt_number,
                    ),
                )
                return redirect(reverse("channel-reviews"))
            if decision == "reject" and reject_form.is_valid():
                channel_review_reject(
                    record=record, actor=request.user, reason=reject_form.cleaned_data["reason"]
                )
                messages.success(request, _("Rejected: nothing was certified and the deadline stays."))
                return redirect(reverse("channel-reviews"))
        except Refused as refusal:
            problems = refusal.problems
    return render(
        request,
        "certification/api/review.html",
        {
            "record": record,
            "person": person_summary(record.pensioner),
            "reject_form": reject_form,
            "problems": problems,
        },
        status=400 if request.method == "POST" else 200,
    )
