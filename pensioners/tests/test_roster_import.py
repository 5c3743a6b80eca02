"""The roster import: the agencies' sample file, every rule, all three formats, and nothing half-applied."""

import csv
import io
from datetime import date
from pathlib import Path

import openpyxl
import pytest
import time_machine
from django.core.management import CommandError, call_command

from pensioners.models import BenefitLine, CertificationState, Pensioner
from pensioners.roster_import import roster_import
from portal.imports.tabular import UnreadableFile

SAMPLE = Path(__file__).parent / "data" / "roster-sample-gb18030.csv"
HEADER_CN = "身份证号,姓名,手机号,住址,社区代码,待遇类型,首次领取日期,月待遇,最近认证日期,境外居住国"
HEADER_EN = "id_number,name,phone,address,area_code,benefit_type,first_benefit_date,monthly_amount,last_certified_on,abroad_country"

pytestmark = pytest.mark.usefixtures("areas")
# The agencies' sample file: the outcome each rejected row must have (shared/data/samples).
SAMPLE_REJECTS = [
    (7, "身份证号校验码错误,请逐位核对。"),
    (8, "姓名为必填项"),
    (9, "社区代码不存在:500103003999"),
    (10, "首次领取日期晚于今天:2099-01-01"),
]


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-11-27 10:00 +0800", tick=False):
        yield


def write(tmp_path, text, encoding="utf-8", name="roster.csv"):
    path = tmp_path / name
    path.write_bytes(text.replace("\n", "\r\n").encode(encoding))
    return path


def test_the_agencies_sample_file_gives_the_documented_outcome_row_by_row(db, tmp_path):
    summary = roster_import(path=SAMPLE)
    assert (summary.created, summary.rejected) == (5, 4)
    assert [(row, reason) for row, _, reason in summary.rejects] == SAMPLE_REJECTS
    he = Pensioner.objects.get(name="何国强")
    assert he.phone == "02363851234"  # a landline is a phone
    luo = CertificationState.objects.get(pensioner__name="罗淑华")
    assert luo.latest_certified_on is None and luo.next_due_on == date(
        2019, 12, 1
    )  # from the first benefit date
    gao = Pensioner.objects.get(name="高德明")
    assert gao.legacy_id_number == "510104560101041" and len(gao.id_number) == 18
    assert gao.abroad_country == "加拿大"
    ma = CertificationState.objects.get(pensioner__name="马桂英")
    assert (ma.latest_certified_on, ma.next_due_on) == (date(2025, 5, 20), date(2026, 5, 20))


def test_importing_the_same_file_again_creates_and_changes_nothing(db):
    roster_import(path=SAMPLE)
    again = roster_import(path=SAMPLE)
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 5, 4)
    assert Pensioner.objects.count() == 5 and BenefitLine.objects.count() == 5


def test_the_command_prints_the_summary_last_and_writes_the_rejects_file(db, tmp_path, capsys):
    rejects = tmp_path / "rejects.csv"
    call_command("import_pensioners", str(SAMPLE), "--rejects", str(rejects))
    assert capsys.readouterr().out.strip().splitlines()[-1] == "created=5 updated=0 unchanged=0 rejected=4"
    rows = list(csv.reader(io.StringIO(rejects.read_text(encoding="utf-8-sig"))))
    assert rows[0] == ["row", "id_number", "reason"]
    assert rows[1][:2] == ["7", "500103194905010549"]


def test_dry_run_counts_but_writes_nothing(db):
    summary = roster_import(path=SAMPLE, dry_run=True)
    assert (summary.created, summary.rejected) == (5, 4)
    assert not Pensioner.objects.exists()


def test_utf8_with_bom_and_english_headers(db, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(
        b"\xef\xbb\xbf"
        + f"{HEADER_EN}\n500103194702141029,马桂英,13800000001,x,500103003001,enterprise,2002-03-01,3120.00,2025-05-20,\n".encode()
    )
    assert roster_import(path=path).created == 1


def test_utf8_without_bom(db, tmp_path):
    path = write(
        tmp_path,
        f"{HEADER_CN}\n500103194702141029,马桂英,13800000001,x,500103003001,企业职工基本养老保险,2002/3/1,,,\n",
    )
    assert roster_import(path=path).created == 1


def test_xlsx_with_real_dates_and_numbers(db, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER_CN.split(","))
    sheet.append(
        [
            "500103194702141029",
            "马桂英",
            13800000001,
            "x",
            "500103003001",
            "企业职工基本养老保险",
            date(2002, 3, 1),
            3120,
            date(2025, 5, 20),
            None,
        ]
    )
    sheet.append(
        [
            "440308199901101513",
            "坏号码",
            None,
            None,
            "500103003001",
            "企业职工基本养老保险",
            date(2020, 1, 1),
            None,
            None,
            None,
        ]
    )
    path = tmp_path / "roster.xlsx"
    workbook.save(path)
    summary = roster_import(path=path)
    assert (summary.created, summary.rejected) == (1, 1)
    assert summary.rejects[0][0] == 3
    assert Pensioner.objects.get().phone == "13800000001"


def test_the_same_person_twice_in_one_file_keeps_the_first_and_rejects_the_second(db, tmp_path):
    row = "500103194702141029,马桂英,13800000001,x,500103003001,企业职工基本养老保险,2002-03-01,,2025-05-20,"
    path = write(tmp_path, f"{HEADER_CN}\n{row}\n{row}\n", encoding="gb18030")
    summary = roster_import(path=path)
    assert summary.created == 1
    assert summary.rejects == [(3, "500103194702141029", "同一人已在第2行出现")]


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"first": "2002-02-30"}, "首次领取日期不是有效日期"),
        ({"certified": "2001-01-01"}, "最近认证日期早于首次领取日期"),
        ({"certified": "2030-01-01"}, "最近认证日期晚于今天"),
        ({"scheme": ""}, "待遇类型为必填项"),
        ({"scheme": "商业保险"}, "无法识别的待遇类型"),
        ({"area": ""}, "社区代码为必填项"),
        ({"id": ""}, "身份证号为空"),
    ],
)
def test_each_rule_rejects_its_row_with_a_reason(db, tmp_path, fields, reason):
    values = {
        "id": "500103194702141029",
        "area": "500103003001",
        "scheme": "企业职工基本养老保险",
        "first": "2002-03-01",
        "certified": "",
    }
    values.update(fields)
    line = f"{values['id']},马桂英,,x,{values['area']},{values['scheme']},{values['first']},,{values['certified']},"
    summary = roster_import(path=write(tmp_path, f"{HEADER_CN}\n{line}\n"))
    assert summary.created == 0
    assert reason in summary.rejects[0][2]


def test_a_row_error_never_stops_the_rest_of_the_file(db, tmp_path):
    lines = [HEADER_CN, "bad,坏,,x,500103003001,企业职工基本养老保险,2002-03-01,,,"]
    lines.append("500103194702141029,马桂英,,x,500103003001,企业职工基本养老保险,2002-03-01,,,")
    summary = roster_import(path=write(tmp_path, "\n".join(lines) + "\n"))
    assert (summary.created, summary.rejected) == (1, 1)


def test_an_older_certification_date_in_a_later_file_never_moves_the_deadline_earlier(db, tmp_path):
    template = "500103194702141029,马桂英,,x,500103003001,企业职工基本养老保险,2002-03-01,,{},"
    roster_import(path=write(tmp_path, f"{HEADER_CN}\n{template.format('2025-05-20')}\n"))
    summary = roster_import(
        path=write(tmp_path, f"{HEADER_CN}\n{template.format('2024-01-01')}\n", name="older.csv")
    )
    state = CertificationState.objects.get()
    assert (state.latest_certified_on, state.next_due_on) == (date(2025, 5, 20), date(2026, 5, 20))
    assert summary.updated == 0


def test_changed_details_count_as_updated(db, tmp_path):
    template = "500103194702141029,马桂英,{},x,500103003001,企业职工基本养老保险,2002-03-01,,2025-05-20,"
    roster_import(path=write(tmp_path, f"{HEADER_CN}\n{template.format('13800000001')}\n"))
    summary = roster_import(
        path=write(tmp_path, f"{HEADER_CN}\n{template.format('13900000002')}\n", name="b.csv")
    )
    assert (summary.created, summary.updated) == (0, 1)
    assert Pensioner.objects.get().phone == "13900000002"


def test_a_new_phone_or_address_marks_when_the_contact_details_changed(db, tmp_path):
    """A new way to reach someone keeps them out of a suspension batch (issue 15): the roster says when."""
    template = "500103194702141029,马桂英,{},{},500103003001,企业职工基本养老保险,2002-03-01,,2025-05-20,"
    roster_import(path=write(tmp_path, f"{HEADER_CN}\n{template.format('13800000001', '民生路1号')}\n"))
    assert Pensioner.objects.get().contact_changed_at is None  # a new person: nothing changed yet
    roster_import(
        path=write(tmp_path, f"{HEADER_CN}\n{template.format('13800000001', '民生路1号')}\n", name="b.csv")
    )
    assert Pensioner.objects.get().contact_changed_at is None
    roster_import(
        path=write(tmp_path, f"{HEADER_CN}\n{template.format('13800000001', '民权路9号')}\n", name="c.csv")
    )
    assert Pensioner.objects.get().contact_changed_at is not None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "文件是空的"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "旧版Excel"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "不是CSV或XLSX"),
        ("姓名,手机号\n马桂英,1\n".encode(), "id_number / 身份证号"),
        (b"id_number,name\n\xff\xfe\xfd\xfc\x80\x81\n", "编码"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_whole(db, tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(UnreadableFile, match=message):
        roster_import(path=path)
    assert not Pensioner.objects.exists()


def test_the_command_exits_non_zero_when_the_file_cannot_be_processed(db, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(CommandError, match="file not processed"):
        call_command("import_pensioners", str(path))


def test_a_second_benefit_line_with_an_earlier_first_payment_brings_the_first_deadline_forward(db, tmp_path):
    line = "500103195812251063,罗淑华,,x,500103003001,{scheme},{first},,,"
    roster_import(
        path=write(
            tmp_path, f"{HEADER_CN}\n{line.format(scheme='企业职工基本养老保险', first='2020-06-01')}\n"
        )
    )
    roster_import(
        path=write(
            tmp_path,
            f"{HEADER_CN}\n{line.format(scheme='城乡居民基本养老保险', first='2019-12-01')}\n",
            name="b.csv",
        )
    )
    assert CertificationState.objects.get().next_due_on == date(2020, 11, 30)  # 2019-12-01 + 365 days
    assert BenefitLine.objects.count() == 2


def test_a_big_first_load_rebuilds_every_index_it_dropped(db, monkeypatch):
    from django.db import connection

    from pensioners import roster_import as module

    def index_names():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename IN ('pensioners_pensioner', 'pensioners_certificationstate')"
            )
            return {name for (name,) in cursor.fetchall()}

    def constraints():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), convalidated FROM pg_constraint"
                " WHERE conrelid::regclass::text IN"
                " ('pensioners_pensioner', 'pensioners_benefitline', 'pensioners_certificationstate')"
            )
            return set(cursor.fetchall())

    before, constraints_before = index_names(), constraints()
    monkeypatch.setattr(module, "BULK_LOAD_FROM_ROWS", 2)
    summary = roster_import(path=SAMPLE)
    assert (summary.created, summary.rejected) == (5, 4)
    assert index_names() == before
    # The unique ID number and the foreign keys are back, checked (validated), with their definitions.
    assert constraints() == constraints_before
    assert any(
        name == "pensioner_id_number_unique" for _table, name, _definition, _valid in constraints_before
    )


def test_a_big_first_load_still_rejects_the_same_person_twice_and_ids_follow_rows(db, monkeypatch, tmp_path):
    from pensioners import roster_import as module

    monkeypatch.setattr(module, "BULK_LOAD_FROM_ROWS", 2)
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "身份证号,姓名,社区代码,待遇类型,首次领取日期\n"
        "500103194702141029,马桂英,500103003001,企业职工基本养老保险,2002-03-01\n"
        "500103195812251063,罗淑华,500103003001,城乡居民基本养老保险,2018-12-01\n"
        "500103194702141029,马桂英,500103003002,企业职工基本养老保险,2002-03-01\n",
        encoding="utf-8",
    )
    summary = roster_import(path=roster)
    assert (summary.created, summary.updated, summary.rejected) == (2, 0, 1)
    assert summary.rejects == [(4, "500103194702141029", "同一人已在第2行出现")]
    # The first row stands; everyone has a state; each person's id follows their row in the claimed block.
    ma = Pensioner.objects.get(id_number="500103194702141029")
    luo = Pensioner.objects.get(id_number="500103195812251063")
    assert ma.community_id == "500103003001" and luo.pk == ma.pk + 1
    assert CertificationState.objects.filter(pensioner__in=[ma, luo]).count() == 2
    # The sequence was moved past the block: a person registered later gets a fresh id.
    summary = roster_import(path=SAMPLE)
    assert Pensioner.objects.order_by("-pk").first().pk > luo.pk


def test_checked_by_worker_processes_the_outcome_is_the_same_row_by_row(db, monkeypatch, settings):
    """A big file from the command line is checked by several processes in chunks: the same rejects with
    the same row numbers and reasons, in the staff's language, and the same people."""
    from portal.imports import chunks

    monkeypatch.setattr(chunks, "PROCESSES_FROM_ROWS", 0)
    monkeypatch.setattr(chunks, "CHUNK_ROWS", 2)
    settings.IMPORT_CHECK_PROCESSES = 2
    summary = roster_import(path=SAMPLE)
    assert (summary.created, summary.rejected) == (5, 4)
    assert [(row, reason) for row, _, reason in summary.rejects] == SAMPLE_REJECTS
    gao = Pensioner.objects.get(name="高德明")
    assert gao.abroad_country == "加拿大" and gao.name_pinyin == "gaodeming"


def test_a_value_with_tabs_backslashes_or_a_nul_is_kept_exactly_or_rejected(db, tmp_path):
    path = write(
        tmp_path,
        f"{HEADER_CN}\n"
        '500103194702141029,马桂英,13800000001,"重庆市\\渝中区\t民族路1号",500103003001,企业职工基本养老保险,2002-03-01,3120.00,,\n'
        + "\n" * 5000  # past the first 4 KB, where a NUL means "not a text file" (blank lines are skipped)
        + "500103195812251063,罗淑华,13800000003,较场口\x003号,500103003001,城乡居民基本养老保险,2018-12-01,180.00,,\n",
    )
    summary = roster_import(path=path)
    assert (summary.created, summary.rejected) == (1, 1)
    assert Pensioner.objects.get().address == "重庆市\\渝中区\t民族路1号"
    assert summary.rejects[0][0] == 5003 and "NUL" in summary.rejects[0][2]


@pytest.mark.parametrize("bulk", [False, True], ids=["into a registry", "first big load"])
def test_every_state_row_carries_its_persons_birth_date(db, monkeypatch, staff, bulk):
    """The reports count the overdue aged 80 and 90 from the state row's copy of the birth date: every way
    a person comes in must fill it (the roster import, either path; one registered at the counter)."""
    from django.db.models import F

    from pensioners import roster_import as module
    from pensioners.tests.factories import make_pensioner

    if bulk:
        monkeypatch.setattr(module, "BULK_LOAD_FROM_ROWS", 2)
    else:
        make_pensioner(name="已在册")
    roster_import(path=SAMPLE)
    states = CertificationState.objects.all()
    assert states.count() == Pensioner.objects.count() >= 5
    assert not states.filter(birth_date__isnull=True).exists()
    assert not states.exclude(birth_date=F("pensioner__birth_date")).exists()
