"""Bulk onboarding: `import_staff FILE` and the staff upload's job, the same importer, in the import
conventions (Chinese or English headers, GB18030 or UTF-8 or XLSX, a summary line last, rejects with
row numbers, applied whole or not at all), with the temporary passwords handed over once."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook

from certification.models import VisitTeam
from portal.imports.services import import_job_run, import_job_start
from portal.models import AuditEvent, ImportKind, User
from portal.roles import Role

pytestmark = pytest.mark.django_db

ROWS = [
    ["登录名", "姓名", "角色", "区划代码", "上门认证小组", "手机号"],
    ["yz_sup", "渝中审核", "区县审核员", "500103", "", "13800000001"],
    ["jfb_01", "解放碑一", "街道社保所", "500103003", "", ""],
    ["ms_01", "民生协办", "社区协办员", "500103003001", "", "023-63000001"],
    ["jfb_v1", "上门一", "上门认证组", "500103003", "解放碑一组", ""],
    ["bad login!", "坏账号", "街道社保所", "500103003", "", ""],  # row 6
    ["nowhere", "无地区", "街道社保所", "599999999", "", ""],  # row 7
    ["wrong_level", "层级错", "街道社保所", "500103", "", ""],  # row 8
    ["jfb_01", "重复", "街道社保所", "500103003", "", ""],  # row 9
    ["=cmd", '=HYPERLINK("http://x")', "街道社保所", "500103003", "", ""],  # row 10
    ["no_team", "无小组", "上门认证组", "500103003", "不存在的组", ""],  # row 11
]


def _csv(path, rows, encoding="gb18030"):
    with open(path, "w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def _run(path, *extra):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_staff", str(path), *extra, stdout=out, stderr=err)
    return out.getvalue().strip().splitlines()[-1], err.getvalue()


def test_the_command_onboards_a_district_from_a_gb18030_file(areas, tmp_path):
    VisitTeam.objects.create(name="解放碑一组", street_id="500103003")
    rejects = tmp_path / "rejects.csv"
    passwords = tmp_path / "passwords.csv"
    line, err = _run(
        _csv(tmp_path / "staff.csv", ROWS), "--rejects", str(rejects), "--passwords", str(passwords)
    )
    assert line == "created=4 updated=0 unchanged=0 rejected=6"
    assert User.objects.get(username="yz_sup").role == Role.DISTRICT_SUPERVISOR
    visitor = User.objects.get(username="jfb_v1")
    assert visitor.visit_teams.get().name == "解放碑一组" and visitor.must_change_password
    rejected_rows = [row[0] for row in csv.reader(rejects.open(encoding="utf-8-sig"))][1:]
    assert rejected_rows == ["6", "7", "8", "9", "10", "11"]
    sheet = list(csv.reader(passwords.open(encoding="utf-8-sig")))
    assert [row[0] for row in sheet[1:]] == ["yz_sup", "jfb_01", "ms_01", "jfb_v1"]
    login, _name, password = sheet[2]
    assert User.objects.get(username=login).check_password(password)
    assert (passwords.stat().st_mode & 0o777) == 0o600


def test_running_the_same_file_again_changes_nothing(areas, tmp_path):
    rows = ROWS[:4]
    path = _csv(tmp_path / "staff.csv", rows, encoding="utf-8-sig")
    _run(path, "--passwords", str(tmp_path / "p.csv"))
    line, _err = _run(path, "--passwords", str(tmp_path / "p2.csv"))
    assert line == "created=0 updated=0 unchanged=3 rejected=0"
    assert not (tmp_path / "p2.csv").exists()


def test_english_headers_and_xlsx(areas, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["login", "name", "role", "area code", "team", "phone"])
    sheet.append(["hx_01", "华新一", "street_staff", "500105001", None, None])
    sheet.append(["hx_02", "华新二", "Community worker", "500105001001", None, 13900000000])
    book.save(tmp_path / "staff.xlsx")
    line, _err = _run(tmp_path / "staff.xlsx", "--passwords", str(tmp_path / "p.csv"))
    assert line == "created=2 updated=0 unchanged=0 rejected=0"
    assert User.objects.get(username="hx_02").phone == "13900000000"


def test_a_dry_run_writes_nothing(areas, tmp_path):
    line, _err = _run(_csv(tmp_path / "staff.csv", ROWS[:3]), "--dry-run")
    assert line.endswith("dry_run=yes") and "created=2" in line
    assert not User.objects.filter(username__in=["yz_sup", "jfb_01"]).exists()


def test_the_upload_job_offers_the_passwords_once_to_the_uploader(areas, staff, client_for, tmp_path):
    path = _csv(tmp_path / "staff.csv", ROWS[:4])
    upload = SimpleUploadedFile("staff.csv", path.read_bytes(), content_type="text/csv")
    job = import_job_start(actor=staff["admin"], kind=ImportKind.STAFF, uploaded_file=upload, dry_run=False)
    job = import_job_run(job_id=job.pk)
    assert job.summary == {"created": 3, "updated": 0, "unchanged": 0, "rejected": 0}
    job.refresh_from_db()
    assert job.credentials_file
    admin = client_for(staff["admin"])
    page = admin.get(reverse("import-job", args=[job.pk])).content.decode()
    assert 'data-testid="import-credentials"' in page
    first = admin.post(reverse("import-job-credentials", args=[job.pk]))
    assert first.status_code == 200 and first["Cache-Control"] == "no-store"
    assert "jfb_01" in first.content.decode("utf-8-sig")
    assert admin.post(reverse("import-job-credentials", args=[job.pk])).status_code == 404
    assert AuditEvent.objects.filter(action="import.credentials_downloaded").exists()


def test_a_supervisor_cannot_upload_staff(staff, client_for):
    assert client_for(staff["supervisor"]).get(reverse("staff-import")).status_code == 403
