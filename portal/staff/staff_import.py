"""Bulk onboarding: `import_staff FILE` and the staff upload page, one importer for both.

Columns (Chinese or English headers): login, name, role, area code, team, phone. Every row is checked
first (each reject has its spreadsheet row number and a reason); the accepted rows are applied in one
transaction, so a file is applied whole or not at all. A new account gets a temporary password that
must be changed at first log-in; the passwords go to a sheet for the uploader (the job's page offers it
for download once, the command writes it to --passwords), never to the log or the rejects.
An existing login is updated (name, role, area, phone, team) when the uploader may manage it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from portal.audit import audit_record
from portal.contracts import team_directory
from portal.errors import Refused
from portal.exports.files import neutralise_formula
from portal.imports.runner import UpsertSummary
from portal.imports.tabular import RowRejected, open_table, reject_if_malformed, within_limit
from portal.models import User
from portal.roles import Role
from portal.staff import services
from portal.staff.rules import area_level_problem, management_problem

STAFF_COLUMNS = {
    "username": ("登录名", "账号", "用户名", "login"),
    "full_name": ("姓名", "name"),
    "role": ("角色", "岗位"),
    "area_code": ("区划代码", "地区代码", "所属区域代码", "area code"),
    "team": ("上门认证小组", "小组", "team"),
    "phone": ("手机号", "手机号码", "联系电话", "电话"),
}
REQUIRED_COLUMNS = ("username", "full_name", "role", "area_code")
_LOGIN = re.compile(r"^[A-Za-z0-9_.@+-]{1,150}$")
NAME_MAX = User._meta.get_field("full_name").max_length
PHONE_MAX = User._meta.get_field("phone").max_length


@dataclass
class StaffImportSummary(UpsertSummary):
    # (login, name, temporary password) of the accounts created: for the uploader, once
    credentials: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class StaffRow:
    row_number: int
    username: str
    full_name: str
    role: str
    area: object
    team: str
    phone: str

    def account_fields(self) -> dict:
        """The row as the staff services take it (the same fields as the account form's)."""
        return {
            "full_name": self.full_name,
            "role": self.role,
            "area": self.area,
            "phone": self.phone,
            "team": self.team,
        }


def role_by_text() -> dict[str, str]:
    """A role as a file may name it: its code, or its label in Chinese or English."""
    names: dict[str, str] = {}
    for code, label in Role.choices:
        names[code] = code
        for language in ("zh-hans", "en"):
            with translation.override(language):
                names[str(label).strip().lower()] = code
    # The names street offices use for themselves.
    names.update({"市级管理员": Role.CITY_ADMIN, "区县审核员": Role.DISTRICT_SUPERVISOR})
    names.update({"街道社保所": Role.STREET_STAFF, "街道工作人员": Role.STREET_STAFF})
    names.update({"社区协办员": Role.COMMUNITY_WORKER, "上门认证组": Role.VISIT_TEAM})
    names.update({"上门认证小组": Role.VISIT_TEAM})
    return names


def staff_import(
    *, path: str | Path, actor=None, dry_run: bool = False, progress: Callable | None = None, job=None
) -> StaffImportSummary:
    progress = progress or (lambda stage, done, total: None)
    table = open_table(path, STAFF_COLUMNS)
    table.require(*REQUIRED_COLUMNS)
    summary = StaffImportSummary(dry_run=dry_run)
    areas = {area.code: area for area in apps.get_model("pensioners", "Area").objects.all()}
    roles = role_by_text()
    teams_of_street: dict[str, set[str]] = {}
    directory = team_directory()
    first_row_of: dict[str, int] = {}
    accepted: list[StaffRow] = []
    for row_number, raw in table:
        login = (raw.get("username") or "").strip()
        try:
            reject_if_malformed(raw)
            row = _check_row(row_number, raw, actor=actor, areas=areas, roles=roles)
            if row.team:
                street = row.area.code
                if street not in teams_of_street:
                    teams_of_street[street] = {name for _id, name in directory.choices(row.area)}
                if row.team not in teams_of_street[street]:
                    raise RowRejected(_("no home-visit team “%(team)s” in this street") % {"team": row.team})
            key = row.username.lower()
            if key in first_row_of:
                raise RowRejected(
                    _("the same login already appears in row %(row)s") % {"row": first_row_of[key]}
                )
        except RowRejected as rejected:
            summary.rejects.append((row_number, login[:150], str(rejected)))
            continue
        first_row_of[key] = row_number
        accepted.append(row)
    progress("writing", 0, len(accepted))
    with transaction.atomic():
        for done, row in enumerate(accepted, start=1):
            try:
                _apply(row, actor=actor, summary=summary)
            except Refused as refusal:
                # The account exists but is not the uploader's to change: a reject, the rest goes on.
                summary.rejects.append((row.row_number, row.username, refusal.message))
            if done % 200 == 0:
                progress("writing", done, len(accepted))
        summary.rejects.sort()
        audit_record(
            actor=actor,
            action="staff.imported",
            target=job,
            note=Path(path).name[:200],
            after=summary.as_dict() | {"dry_run": dry_run},
        )
        if dry_run:
            transaction.set_rollback(True)
    if dry_run:
        summary.credentials = []
    elif job is not None and summary.credentials:
        job.credentials_file.save(
            f"staff-{job.pk}.csv", ContentFile(credentials_sheet(summary.credentials)), save=False
        )
        type(job).objects.filter(pk=job.pk).update(credentials_file=job.credentials_file.name)
    return summary


def _check_row(row_number: int, raw, *, actor, areas: dict, roles: dict) -> StaffRow:
    login = (raw.get("username") or "").strip()
    if not _LOGIN.match(login):
        raise RowRejected(_("the login may hold only letters, digits and . @ + - _ (at most 150)"))
    name = within_limit((raw.get("full_name") or "").strip(), limit=NAME_MAX, label=_("name"))
    if not name:
        raise RowRejected(_("the name is empty"))
    role = roles.get((raw.get("role") or "").strip().lower())
    if role is None:
        raise RowRejected(_("unknown role “%(role)s”") % {"role": (raw.get("role") or "")[:30]})
    code = (raw.get("area_code") or "").strip()
    area = areas.get(code)
    if area is None:
        raise RowRejected(_("no area has the code “%(code)s”") % {"code": code[:20]})
    problem = area_level_problem(role=role, area_level=area.level)
    if problem:
        raise RowRejected(problem)
    if actor is not None:
        refused = management_problem(
            actor_role=actor.role,
            actor_area_code=actor.area_id or "",
            actor_area_level=actor.area.level if actor.area else "",
            role=role,
            area_code=area.code,
        )
        if refused:
            raise RowRejected(refused[1])
    team = within_limit((raw.get("team") or "").strip(), limit=60, label=_("team"))
    if team and role != Role.VISIT_TEAM:
        raise RowRejected(_("only home-visit team members belong to a team"))
    phone = within_limit((raw.get("phone") or "").strip(), limit=PHONE_MAX, label=_("phone"))
    if phone and not re.fullmatch(r"[0-9+\- ]{5,20}", phone):
        raise RowRejected(_("the phone may hold only digits, spaces, + and -"))
    return StaffRow(row_number, login, name, role, area, team, phone)


def _apply(row: StaffRow, *, actor, summary: StaffImportSummary) -> None:
    existing = User.objects.filter(username__iexact=row.username).select_related("area").first()
    if existing is None:
        user, password = services.staff_create(actor=actor, username=row.username, **row.account_fields())
        summary.created += 1
        summary.credentials.append((user.username, user.full_name, password))
        return
    team_now = team_directory().team_of(existing) if existing.role == Role.VISIT_TEAM else ""
    same = (
        existing.full_name == row.full_name
        and existing.role == row.role
        and existing.area_id == row.area.code
        and existing.phone == row.phone
        and (not row.team or row.team == team_now)
    )
    if same:
        summary.unchanged += 1
        return
    with transaction.atomic():  # a savepoint: a refused update leaves nothing of itself behind
        services.staff_update(actor=actor, user=existing, **row.account_fields())
    summary.updated += 1


def credentials_sheet(credentials: list[tuple[str, str, str]]) -> bytes:
    """登录名, 姓名, 临时密码: UTF-8 with a BOM so Excel shows the names."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("Login name"), _("Real name"), _("Temporary password")])
    for login, name, password in credentials:
        writer.writerow([login, neutralise_formula(name), password])
    return buffer.getvalue().encode("utf-8-sig")
