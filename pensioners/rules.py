"""Resident ID numbers (公民身份号码, GB 11643-1999): pure functions, no database.

An 18-character number is 6 digits of issuing area, the birth date YYYYMMDD, a 3-digit sequence (odd for
men, even for women) and a check character (ISO 7064 MOD 11-2). The area code is where the number was
issued and may be abolished, so it is never a reason to reject a number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext_lazy as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"  # indexed by the weighted sum modulo 11

# Full-width digits and letters, and the ideographic space, typed from Chinese input methods.
_FULL_WIDTH = str.maketrans("０１２３４５６７８９Ｘｘ\u3000", "0123456789Xx ")
_EIGHTEEN = re.compile(r"^[0-9]{17}[0-9X]$")
_FIFTEEN = re.compile(r"^[0-9]{15}$")


class IdNumberError(ValueError):
    """Why a text is not a usable ID number; `str()` is a message for staff in their language."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


@dataclass(frozen=True)
class IdNumber:
    number: str  # the normalised 18-character number
    legacy_number: str  # the 15-digit number it was upgraded from, or ""
    birth_date: date
    gender: str  # "M" or "F"


def normalise_id_text(text: str) -> str:
    """Undo only what is unambiguous: surrounding spaces, full-width characters, a lower-case x."""
    return (text or "").translate(_FULL_WIDTH).strip().upper()


def check_character(first_seventeen: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first_seventeen, WEIGHTS, strict=True))
    return CHECK_CHARACTERS[total % 11]


def upgrade_legacy_number(number15: str) -> str:
    """A 15-digit number (area, YYMMDD, sequence) becomes 18: insert "19" before the year, add the check."""
    first_seventeen = number15[:6] + "19" + number15[6:]
    return first_seventeen + check_character(first_seventeen)


def gender_of(number18: str) -> str:
    return "M" if int(number18[16]) % 2 == 1 else "F"


def birth_date_of(number18: str) -> date | None:
    try:
        return date(int(number18[6:10]), int(number18[10:12]), int(number18[12:14]))
    except ValueError:
        return None


def parse_id_number(text: str, *, today: date) -> IdNumber:
    """Validate and normalise an ID number, or raise IdNumberError saying what is wrong."""
    candidate = normalise_id_text(text)
    if not candidate:
        raise IdNumberError(_("The ID number is empty."))
    legacy = ""
    if _FIFTEEN.match(candidate):
        legacy = candidate
        candidate = upgrade_legacy_number(candidate)
    elif not _EIGHTEEN.match(candidate):
        raise IdNumberError(_("An ID number has 18 characters (digits, the last may be X) or 15 digits."))
    born = birth_date_of(candidate)
    if born is None:
        raise IdNumberError(_("The birth date in the ID number does not exist."))
    if born >= today:
        raise IdNumberError(_("The birth date in the ID number is not in the past."))
    if not legacy and candidate[17] != check_character(candidate[:17]):
        raise IdNumberError(_("The ID number's check character is wrong: please check each digit."))
    return IdNumber(number=candidate, legacy_number=legacy, birth_date=born, gender=gender_of(candidate))


def is_valid_id_number(text: str, *, today: date) -> bool:
    try:
        parse_id_number(text, today=today)
    except IdNumberError:
        return False
    return True


def normalise_phone(text: str) -> str:
    """Keep digits (and a leading + for numbers abroad): 023-6385 1234 and 02363851234 are one number."""
    cleaned = (text or "").translate(_FULL_WIDTH).strip()
    digits = re.sub(r"[^0-9]", "", cleaned)
    return ("+" + digits) if cleaned.startswith("+") and digits else digits


def age_on(birth_date: date, today: date) -> int:
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))
