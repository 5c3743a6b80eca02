"""The data-comparison import: every row gets exactly one fate, in all three formats."""

import csv
import io
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse

from certification.comparison.importer import comparison_import
from certification.models import (
    Certification,
    DataSource,
    DeathCase,
    DecisionKind,
    OutboxMessage,
    PaymentDecision,
    SupportingEvidence,
)
from certification.reminders.services import reminders_dispatch
from pensioners.models import CertificationState, PaymentStatus
from pensioners.roster_import import roster_import
from pensioners.tests.factories import make_pensioner

SAMPLES = Path(__file__).resolve().parents[3]
ROSTER = SAMPLES / "pensioners" / "tests" / "data" / "roster-sample-gb18030.csv"
COMPARISON = SAMPLES / "certification" / "tests" / "data" / "comparison-sample-utf8bom.csv"
HEADER = "id_number,name,signal,source,evidence_date,reference"
# The agencies' sample feed: how many rows get each fate (shared/data/samples).
SAMPLE_FATES = {"certified": 1, "death_cases": 1, "evidence_only": 1, "ignored": 2, "rejected": 2}


@pytest.fixture(autouse=True)
def _today(settings):
    settings.SMS_BACKEND = "console"
    with time_machine.travel("2026-11-27 10:00 +0800", tick=False):
        yield


@pytest.fixture
def roster(areas):
    roster_import(path=ROSTER)


def write(tmp_path, lines, *, encoding="utf-8", name="feed.csv"):
    path = tmp_path / name
    path.write_bytes(("\n".join([HEADER, *lines]) + "\n").encode(encoding))
    return path


def test_the_agencies_sample_gives_the_documented_fate_to_every_row(roster, tmp_path):
    summary = comparison_import(path=COMPARISON)
    assert summary.as_dict() == SAMPLE_FATES
    assert [row for row, _id, _reason in summary.rejects] == [6, 7]
    assert "姓名与领待人员信息库不一致" in summary.rejects[0][2]
    assert "晚于今天" in summary.rejects[1][2]
    ma = CertificationState.objects.get(pensioner__name="马桂英")
    assert (ma.latest_certified_on, ma.next_due_on, ma.latest_channel) == (
        date(2026, 1, 15),
        date(2027, 1, 15),
        "data_match",
    )
    certification = Certification.objects.get(pensioner__name="马桂英")
    assert (
        certification.evidence["source"] == "medical_insurance"
        and certification.evidence["reference"] == "YB-S001"
    )
    assert SupportingEvidence.objects.get().pensioner.name == "何国强"
    case = DeathCase.objects.get()
    assert (case.pensioner.name, case.status, case.origin) == ("罗淑华", "open", "data")
    assert CertificationState.objects.get(pensioner__name="罗淑华").death_reported


def test_the_confirmation_for_the_sample_reads_exactly_as_documented(roster):
    comparison_import(path=COMPARISON)
    reminders_dispatch()
    message = OutboxMessage.objects.get(pensioner__name="马桂英")
    assert message.text == (
        "【重庆市12333】马xx,您好,社保经办机构通过大数据比对为您办理了养老待遇资格认证,认证期自动递延12个月,"
        "您可于2027年1月15日前办理下次认证。"
    )


def test_importing_the_same_file_again_certifies_nothing_new(roster):
    comparison_import(path=COMPARISON)
    again = comparison_import(path=COMPARISON)
    assert again.as_dict() == {
        "certified": 0,
        "death_cases": 0,
        "evidence_only": 0,
        "ignored": 5,
        "rejected": 2,
    }
    assert Certification.objects.count() == 1 and SupportingEvidence.objects.count() == 1
    assert len(DeathCase.objects.get().evidence) == 1


def test_the_command_prints_the_summary_last_and_writes_rejects(roster, tmp_path, capsys):
    rejects = tmp_path / "rejects.csv"
    call_command("import_comparison", str(COMPARISON), "--rejects", str(rejects))
    assert (
        capsys.readouterr().out.strip().splitlines()[-1]
        == "certified=1 death_cases=1 evidence_only=1 ignored=2 rejected=2"
    )
    rows = list(csv.reader(io.StringIO(rejects.read_text(encoding="utf-8-sig"))))
    assert rows[0] == ["row", "id_number", "reason"] and [row[0] for row in rows[1:]] == ["6", "7"]


def test_gb18030_with_chinese_headers_and_source_names(roster, tmp_path):
    path = tmp_path / "feed.csv"
    path.write_bytes(
        "身份证号,姓名,信号,来源,数据日期,业务流水号\n500103194702141029,马桂英,生存,医保就医结算,2026/1/15,YB-9\n".encode(
            "gb18030"
        )
    )
    assert comparison_import(path=path).certified == 1


def test_xlsx_with_date_cells(roster, tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.append(HEADER.split(","))
    workbook.active.append(
        ["500103195812251063", "罗淑华", "death", "death_certificate", date(2026, 1, 10), "WJ-1"]
    )
    path = tmp_path / "feed.xlsx"
    workbook.save(path)
    assert comparison_import(path=path).death_cases == 1


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("440308199901101513,某人,alive,medical_insurance,2026-01-01,R1", "校验码"),
        ("11010519491231002X,某人,alive,medical_insurance,2026-01-01,R1", "查无此人"),
        ("500103194702141029,马桂英,alive,lottery,2026-01-01,R1", "无法识别的数据来源"),
        ("500103194702141029,马桂英,alive,cremation,2026-01-01,R1", "不提供"),
        ("500103194702141029,马桂英,maybe,medical_insurance,2026-01-01,R1", "无法识别的信号"),
        ("500103194702141029,马桂英,alive,medical_insurance,2026-02-30,R1", "不是有效日期"),
        ("500103194702141029,马桂英,alive,medical_insurance,2026-01-01,", "业务流水号为空"),
    ],
)
def test_each_rejection_rule_gives_its_reason(roster, tmp_path, line, reason):
    summary = comparison_import(path=write(tmp_path, [line]))
    assert summary.rejected == 1 and reason in summary.rejects[0][2]
    assert summary.rejects[0][0] == 2


def test_an_alive_signal_older_than_the_latest_certification_is_ignored(roster, tmp_path):
    summary = comparison_import(
        path=write(tmp_path, ["500103194702141029,马桂英,alive,medical_insurance,2025-05-19,R1"])
    )
    assert (summary.certified, summary.ignored) == (0, 1)


def test_two_alive_signals_for_one_person_certify_once_on_the_newest_date(roster, tmp_path):
    lines = [
        "500103194702141029,马桂英,alive,medical_insurance,2026-01-15,R1",
        "500103194702141029,马桂英,alive,civil_affairs,2026-03-02,R2",
    ]
    summary = comparison_import(path=write(tmp_path, lines))
    assert (summary.certified, summary.ignored) == (1, 1)
    assert CertificationState.objects.get(pensioner__name="马桂英").next_due_on == date(2027, 3, 2)


def test_a_second_death_signal_adds_evidence_to_the_open_case_and_counts_as_ignored(roster, tmp_path):
    lines = [
        "500103195812251063,罗淑华,death,cremation,2026-01-10,BZ-1",
        "500103195812251063,罗淑华,死亡,household_deregistration,2026-01-12,GA-1",
    ]
    summary = comparison_import(path=write(tmp_path, lines))
    assert (summary.death_cases, summary.ignored) == (1, 1)
    assert len(DeathCase.objects.get().evidence) == 2


def test_a_death_signal_never_certifies(roster, tmp_path):
    comparison_import(path=write(tmp_path, ["500103194702141029,马桂英,death,civil_affairs,2026-06-01,MZ-1"]))
    assert not Certification.objects.exists()


def test_a_suspended_person_certified_by_data_gets_a_resumption_proposed(areas, tmp_path):
    person = make_pensioner(name="暂停人", id_number="500103194702141029", certified_on=date(2025, 1, 1))
    PaymentDecision.objects.create(
        pensioner=person,
        kind=DecisionKind.SUSPEND,
        area_code=person.community_id,
        effective_month=date(2026, 5, 1),
    )
    CertificationState.objects.filter(pensioner=person).update(status=PaymentStatus.SUSPENDED)
    with time_machine.travel(datetime(2026, 7, 25, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        comparison_import(
            path=write(tmp_path, ["500103194702141029,暂停人,alive,medical_insurance,2026-07-20,R1"])
        )
    # Payment resumes when a supervisor approves the resumption (maker-checker); May-July are paid back.
    assert CertificationState.objects.get(pensioner=person).status == PaymentStatus.SUSPENDED
    resumption = PaymentDecision.objects.get(kind=DecisionKind.RESUME)
    assert (resumption.status, resumption.back_pay_months) == ("proposed", 3)


def test_dry_run_decides_every_fate_and_writes_nothing(roster):
    summary = comparison_import(path=COMPARISON, dry_run=True)
    assert summary.as_dict()["certified"] == 1
    assert not Certification.objects.exists() and not DeathCase.objects.exists()


def test_a_file_that_cannot_be_read_is_refused_as_a_whole(roster, tmp_path):
    path = tmp_path / "feed.csv"
    path.write_bytes(b"id_number,name\n500103194702141029,x\n")
    with pytest.raises(CommandError, match="file not processed"):
        call_command("import_comparison", str(path))
    assert not Certification.objects.exists()


def test_the_card_shows_data_match_source_and_supporting_evidence(roster, client_for, staff):
    comparison_import(path=COMPARISON)
    ma = Certification.objects.get().pensioner
    body = client_for(staff["admin"]).get(reverse("pensioner-card", args=[ma.pk])).content.decode()
    assert "医保就医结算" in body and "YB-S001" in body
    he = SupportingEvidence.objects.get().pensioner
    body = client_for(staff["admin"]).get(reverse("pensioner-card", args=[he.pk])).content.decode()
    assert "交通出行" in body and "JT-S002" in body


def test_administrators_edit_sources_and_the_import_follows(client_for, staff, roster, tmp_path):
    transport = DataSource.objects.get(code="transport")
    client = client_for(staff["admin"])
    response = client.post(
        reverse("data-source-edit", args=[transport.pk]),
        {
            "code": "transport",
            "name": "交通出行",
            "carries_alive": "on",
            "alive_certifies_alone": "on",
            "active": "on",
        },
    )
    assert response.status_code == 302
    summary = comparison_import(
        path=write(tmp_path, ["500105195309301054,何国强,alive,transport,2026-01-16,JT-1"])
    )
    assert summary.certified == 1


def test_only_city_administrators_edit_sources(client_for, staff):
    assert client_for(staff["supervisor"]).get(reverse("data-source-create")).status_code == 403


def test_a_300_character_reference_rejects_its_row_and_names_the_limit(roster, tmp_path):
    path = write(
        tmp_path,
        [
            "500103194702141029,马桂英,alive,medical_insurance,2026-01-15," + "R" * 300,
            "500105195309301054,何国强,alive,medical_insurance,2026-01-16,YB-OK1",
        ],
    )
    summary = comparison_import(path=path)
    assert summary.certified == 1
    ((row, _id, reason),) = summary.rejects
    assert row == 2 and "50" in reason and "300" in reason


def test_checked_by_worker_processes_every_row_gets_the_same_fate(roster, monkeypatch, settings):
    """A big feed from the command line is checked by several processes in chunks: the same fates, the
    same rejects with their row numbers, the same record twice still counted once."""
    from portal.imports import chunks

    monkeypatch.setattr(chunks, "PROCESSES_FROM_ROWS", 0)
    monkeypatch.setattr(chunks, "CHUNK_ROWS", 2)
    settings.IMPORT_CHECK_PROCESSES = 2
    summary = comparison_import(path=COMPARISON)
    assert summary.as_dict() == SAMPLE_FATES
    assert [row for row, _id, _reason in summary.rejects] == [6, 7]
    assert "晚于今天" in summary.rejects[1][2]
