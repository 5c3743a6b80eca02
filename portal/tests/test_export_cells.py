"""The SQL cells of COPY exports (portal/exports/cells.py, migration portal 0008) give what the Python cells
give: the same masks, the same formula guard, the same cleaning, the same ages, on hostile values."""

from datetime import date

import pytest
from django.db.models import DateField, TextField, Value

from pensioners.models import Area
from pensioners.rules import age_on
from portal.exports.cells import AgeOn, CellText, CsvText, DaysLeft, Labelled, MaskedIdNumber, MaskedPhone
from portal.exports.files import cell_value, csv_cell
from portal.masking import mask_id_number, mask_phone

pytestmark = pytest.mark.django_db

NAMES = [
    "王建国",
    "=SUM(A1)",
    "+86 138",
    "-1",
    "@cmd",
    "＝1+1",
    "＋1",
    "－1",
    "＠x",
    "-",
    "—",
    " - ",
    "",
    "   ",
    " 王 ",
    "\u3000李秀英\u3000",
    "\u00a0张\u2003",
    "\t=HYPERLINK(1)",
    "\r\n+1",
    "a\x01b\x1fc",
    "王\ufffe\uffff",
    "'already quoted",
    '王"引号,逗号',
    "两行\n名字",
    "2026-01-01",
    "2026-13-45",
    "李" * 300,
    "Ölçü ñ 🙂",
]


def _one(expression):
    """The value of an SQL expression, through the ORM as an export reads it."""
    return Area.objects.annotate(cell=expression).values_list("cell", flat=True)[:1].get()


@pytest.fixture(autouse=True)
def _a_row(areas):
    """_one() reads the expression against one row of any table."""


@pytest.mark.parametrize("name", NAMES)
def test_a_text_cell_is_cleaned_and_made_inert_as_in_python(name):
    assert _one(CellText(Value(name, output_field=TextField()))) == csv_cell(cell_value(name))


def test_a_missing_text_is_an_empty_cell():
    assert _one(CellText(Value(None, output_field=TextField()))) == csv_cell(cell_value(None)) == ""


@pytest.mark.parametrize(
    "text", ["=1", "+1", "-1", "@1", "\t1", "\r1", "＝1", "＋1", "－1", "＠1", "1-", "王", ""]
)
def test_a_csv_cell_gets_its_apostrophe_exactly_where_python_puts_it(text):
    assert _one(CsvText(Value(text, output_field=TextField()))) == csv_cell(text)


@pytest.mark.parametrize(
    "number",
    ["", "1", "1234567890", "12345678901", "500103194702141029", "50010319470214102X", "500103470214102"],
)
def test_an_id_number_is_masked_as_in_python(number):
    assert _one(MaskedIdNumber(Value(number, output_field=TextField()))) == mask_id_number(number)


@pytest.mark.parametrize("phone", ["", "1", "1234", "12345", "02363851234", "13812341234", "+8613812341234"])
def test_a_phone_is_masked_and_guarded_as_in_python(phone):
    masked = _one(CsvText(MaskedPhone(Value(phone, output_field=TextField()))))
    assert masked == csv_cell(mask_phone(phone))


def test_a_number_from_abroad_gets_its_apostrophe():
    assert _one(CsvText(MaskedPhone(Value("+8613812341234", output_field=TextField())))).startswith("'+86")


@pytest.mark.parametrize(
    ("birth", "today"),
    [
        (date(1950, 3, 1), date(2026, 3, 1)),
        (date(1950, 3, 2), date(2026, 3, 1)),
        (date(1952, 2, 29), date(2026, 2, 28)),
        (date(1952, 2, 29), date(2026, 3, 1)),
        (date(1952, 2, 29), date(2028, 2, 29)),
        (date(1926, 12, 31), date(2026, 12, 1)),
    ],
)
def test_an_age_is_counted_as_in_python(birth, today):
    assert _one(AgeOn(Value(birth, output_field=DateField()), today=today)) == age_on(birth, today)


def test_days_left_go_negative_once_the_deadline_has_passed():
    today = date(2026, 12, 1)
    assert _one(DaysLeft(Value(date(2026, 12, 31), output_field=DateField()), today=today)) == 30
    assert _one(DaysLeft(Value(date(2026, 11, 1), output_field=DateField()), today=today)) == -30


def test_a_code_shows_its_label_or_nothing_or_itself():
    labels = {"a": "甲", "b": "'=x"}
    assert _one(Labelled(Value("a", output_field=TextField()), labels=labels)) == "甲"
    assert _one(Labelled(Value("b", output_field=TextField()), labels=labels)) == "'=x"
    assert _one(Labelled(Value("z", output_field=TextField()), labels=labels)) == ""
    assert _one(Labelled(Value(None, output_field=TextField()), labels=labels)) == ""
    assert _one(Labelled(Value("z", output_field=TextField()), labels=labels, or_code=True)) == "z"
