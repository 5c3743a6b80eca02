"""Staff administration screens, one's own password and second factor, and the login locks."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from portal.contracts import team_directory
from portal.errors import Refused
from portal.models import User
from portal.roles import Capability, Role
from portal.staff import lockout, second_factor, services
from portal.staff.filters import StaffFilter
from portal.staff.forms import (
    DisableForm,
    LockClearForm,
    SecondFactorCodeForm,
    StaffAccountForm,
    StaffPasswordChangeForm,
)
from portal.staff.middleware import SEEN_AT
from portal.staff.tables import StaffTable
from portal.views_base import ScopedListView, capability_required, require_capability, safe_next


class StaffListView(ScopedListView):
    capability = Capability.MANAGE_STAFF
    template_name = "portal/staff/staff_list.html"
    table_class = StaffTable
    filterset_class = StaffFilter
    export_name = "staff"
    export_action = "staff"

    def base_queryset(self):
        return User.objects.select_related("area")

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["request"] = self.request
        return kwargs


def _area_choices(request):
    """Districts and streets of the user's area, for the area field's suggestions (communities are
    typed: a city has eleven thousand)."""
    from django.apps import apps

    area_model = apps.get_model("pensioners", "Area")
    areas = request.scope.restrict(area_model.objects.filter(level__in=["district", "street"]))
    return list(areas.values_list("code", "name")[:2000])


def _team_names(request) -> list[str]:
    """Team names of the user's area, for the team field's suggestions."""
    area = request.scope.area
    return sorted({name for _id, name in team_directory().choices(area)}) if area is not None else []


def _form_context(request, form, **extra):
    return {
        "form": form,
        "area_choices": _area_choices(request),
        "team_names": _team_names(request),
        **extra,
    }


@capability_required(Capability.MANAGE_STAFF)
def staff_create(request):
    form = StaffAccountForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            user, password = services.staff_create(
                actor=request.user, username=form.cleaned_data["username"], **form.account_fields()
            )
        except Refused as refusal:
            refusal.add_to_form(form)
        else:
            return _show_temporary_password(request, user, password, created=True)
    status = 400 if request.method == "POST" else 200
    return render(request, "portal/staff/staff_form.html", _form_context(request, form), status=status)


TEMPORARY_PASSWORD = "portal_temporary_password"


def _show_temporary_password(request, user, password, *, created: bool):
    """Post/redirect/get: the password waits in the manager's own session for the one page that shows it,
    so reloading that page cannot reset the password a second time behind the manager's back."""
    request.session[TEMPORARY_PASSWORD] = {"account": user.pk, "password": password, "created": created}
    return redirect("staff-temporary-password", pk=user.pk)


def staff_temporary_password(request, pk: int):
    account = _account_for(request, pk)
    held = request.session.pop(TEMPORARY_PASSWORD, None)
    if not held or held.get("account") != account.pk:
        messages.info(
            request,
            _("A temporary password is shown once and not kept. If it was lost, reset the password again."),
        )
        return redirect("staff-detail", pk=account.pk)
    context = {"account": account, "password": held["password"], "created": held["created"]}
    return render(request, "portal/staff/temporary_password.html", context)


def _account_for(request, pk: int) -> User:
    """The account, if it is in the user's area (else 404, whatever the role), then the capability."""
    account = request.scope.get_or_404(User.objects.select_related("area"), pk=pk)
    require_capability(request, Capability.MANAGE_STAFF)
    return account


def staff_detail(request, pk: int):
    account = _account_for(request, pk)
    initial = {
        "full_name": account.full_name,
        "role": account.role,
        "area_code": account.area_id or "",
        "phone": account.phone,
        "team": team_directory().team_of(account) if account.role == Role.VISIT_TEAM else "",
    }
    form = StaffAccountForm(request.POST or None, actor=request.user, editing=account, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            account = services.staff_update(actor=request.user, user=account, **form.account_fields())
        except Refused as refusal:
            refusal.add_to_form(form)
        else:
            messages.success(request, _("The account of %(name)s is saved.") % {"name": account})
            return redirect("staff-detail", pk=account.pk)
    history = _account_history(request, account)
    context = _form_context(
        request,
        form,
        account=account,
        disable_form=DisableForm(),
        history=history,
        has_second_factor=second_factor.has_device(account),
        team=initial["team"],
    )
    status = 400 if request.method == "POST" else 200
    return render(request, "portal/staff/staff_detail.html", context, status=status)


def _account_history(request, account):
    from portal.audit import action_label
    from portal.models import AuditEvent

    events = AuditEvent.objects.filter(object_type="portal.user", object_id=str(account.pk)).order_by(
        "-at", "-id"
    )
    return [
        {
            "at": event.at,
            "actor_username": event.actor_username,
            "action": action_label(event.action),
            "note": event.note,
        }
        for event in events[:20]
    ]


def staff_disable(request, pk: int):
    account = _account_for(request, pk)
    if request.method != "POST":
        return redirect("staff-detail", pk=account.pk)
    form = DisableForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the account is disabled."))
        return redirect("staff-detail", pk=account.pk)
    try:
        services.staff_disable(actor=request.user, user=account, reason=form.cleaned_data["reason"])
    except Refused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request, _("%(name)s can no longer log in; their open sessions have ended.") % {"name": account}
        )
    return redirect("staff-detail", pk=account.pk)


def staff_enable(request, pk: int):
    account = _account_for(request, pk)
    if request.method != "POST":
        return redirect("staff-detail", pk=account.pk)
    try:
        services.staff_enable(actor=request.user, user=account)
    except Refused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("%(name)s can log in again.") % {"name": account})
    return redirect("staff-detail", pk=account.pk)


def staff_reset_password(request, pk: int):
    account = _account_for(request, pk)
    if request.method != "POST":
        return redirect("staff-detail", pk=account.pk)
    try:
        password = services.staff_reset_password(actor=request.user, user=account)
    except Refused as refusal:
        messages.error(request, refusal.message)
        return redirect("staff-detail", pk=account.pk)
    return _show_temporary_password(request, account, password, created=False)


def staff_reset_second_factor(request, pk: int):
    account = _account_for(request, pk)
    if request.method != "POST":
        return redirect("staff-detail", pk=account.pk)
    try:
        services.staff_reset_second_factor(actor=request.user, user=account)
    except Refused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request,
            _("%(name)s's authenticator is removed; they enrol again at next log-in.") % {"name": account},
        )
    return redirect("staff-detail", pk=account.pk)


# ---- one's own account --------------------------------------------------------------------------


def password_change(request):
    forced = request.user.must_change_password
    form = StaffPasswordChangeForm(request.user, request.POST or None)
    if forced:
        form.fields["old_password"].label = _("Temporary password")
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
                user=request.user,
                current=form.cleaned_data["old_password"],
                new=form.cleaned_data["new_password1"],
            )
        except Refused as refusal:
            refusal.add_to_form(form)
        else:
            update_session_auth_hash(request, request.user)  # this session goes on; the others end
            messages.success(request, _("Your password is changed."))
            return redirect("dashboard" if forced else "my-account")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "portal/staff/password_change.html",
        {"form": form, "forced": forced},
        status=status,
    )


def my_account(request):
    return render(
        request,
        "portal/staff/my_account.html",
        {
            "has_second_factor": second_factor.has_device(request.user),
            "recovery_codes_left": second_factor.recovery_codes_left(request.user),
            "second_factor_required": second_factor.required_for(request.user),
        },
    )


def second_factor_enrol(request):
    """Scan the QR code (or type the key), confirm with one code, then keep the recovery codes."""
    device = second_factor.pending_device(request.user)
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = second_factor.confirm(request=request, device=device, code=form.cleaned_data["code"])
        except Refused as refusal:
            refusal.add_to_form(form)
        else:
            return render(request, "portal/staff/recovery_codes.html", {"codes": codes})
    context = {
        "form": form,
        "qr_svg_uri": second_factor.qr_data_uri(device),
        "key": second_factor.readable_key(device),
        "required": second_factor.required_for(request.user),
        "already": second_factor.has_device(request.user),
    }
    return render(
        request, "portal/staff/second_factor_enrol.html", context, status=400 if form.errors else 200
    )


def second_factor_verify(request):
    if not second_factor.has_device(request.user):
        request.session.pop(second_factor.SESSION_KEY, None)  # removed meanwhile by a manager: ask afresh
        return redirect("dashboard")
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            second_factor.verify(request=request, code=form.cleaned_data["code"])
        except Refused as refusal:
            refusal.add_to_form(form)
        else:
            return redirect(safe_next(request) or "dashboard")
    return render(
        request,
        "portal/staff/second_factor_verify.html",
        {"form": form, "next": safe_next(request)},
        status=400 if form.errors else 200,
    )


def session_status(request):
    """How long this session may stay idle, for the warning on the page; asking does not count as
    activity. POST (the warning's "keep working" button) counts."""
    import time

    if request.method == "POST":
        request.session[SEEN_AT] = int(time.time())
    seen_at = request.session.get(SEEN_AT, int(time.time()))
    remaining = max(0, settings.SESSION_IDLE_SECONDS - (int(time.time()) - seen_at))
    return JsonResponse({"remaining": remaining})


# ---- login locks ----------------------------------------------------------------------------------


@capability_required(Capability.MANAGE_LOCKS)
def login_locks(request):
    if request.method == "POST":
        form = LockClearForm(request.POST)
        if form.is_valid():
            try:
                services.login_lock_clear(
                    actor=request.user,
                    username=form.cleaned_data["username"],
                    ip_address=form.cleaned_data["ip_address"] or "",
                )
            except Refused as refusal:
                messages.error(request, refusal.message)
            else:
                messages.success(request, _("The lock is lifted."))
        else:
            messages.error(request, _("That is not a login or an address."))
        return redirect("login-locks")
    by_login, by_address = lockout.current_locks()
    return render(
        request,
        "portal/staff/login_locks.html",
        {
            "by_login": by_login,
            "by_address": by_address,
            "login_limit": settings.AXES_FAILURE_LIMIT,
            "address_limit": settings.LOGIN_ADDRESS_FAILURE_LIMIT,
            "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        },
    )
