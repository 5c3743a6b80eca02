"""Pensioners for tests: valid ID numbers, a benefit line and a certification state, like the services make."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import factory

from pensioners.models import BenefitLine, CertificationState, Pensioner, Scheme
from pensioners.pinyin import pinyin_keys
from pensioners.rules import check_character, gender_of
from portal.deadlines import next_deadline

_sequence = itertools.count(1)


def valid_id_number(born: date = date(1950, 1, 1), *, male: bool = True, area: str = "500103") -> str:
    serial = next(_sequence) % 499
    first_seventeen = f"{area}{born:%Y%m%d}{serial * 2 + (1 if male else 0):03d}"
    return first_seventeen + check_character(first_seventeen)


def make_pensioner(
    *,
    name: str = "王建国",
    community: str = "500103003001",
    id_number: str | None = None,
    born: date = date(1950, 1, 1),
    male: bool = True,
    phone: str = "13800001234",
    first_benefit_date: date = date(2010, 1, 1),
    certified_on: date | None = None,
    scheme: str = Scheme.ENTERPRISE,
    **extra,
) -> Pensioner:
    id_number = id_number or valid_id_number(born, male=male)
    pinyin, initials = pinyin_keys(name)
    pensioner = Pensioner.objects.create(
        id_number=id_number,
        name=name,
        name_pinyin=pinyin,
        name_initials=initials,
        gender=gender_of(id_number),
        birth_date=born,
        phone=phone,
        community_id=community,
        **extra,
    )
    BenefitLine.objects.create(pensioner=pensioner, scheme=scheme, first_benefit_date=first_benefit_date)
    latest, deadline = next_deadline(first_benefit_date=first_benefit_date, certified_dates=[certified_on])
    CertificationState.objects.create(
        pensioner=pensioner,
        area_code=community,
        birth_date=born,
        roster_certified_on=certified_on,
        latest_certified_on=latest,
        next_due_on=deadline,
    )
    return pensioner


def overdue_by(days: int, today: date) -> date:
    """The certification date that leaves someone `days` overdue today (365-day rule)."""
    return today - timedelta(days=365 + days)


class PensionerFactory(factory.Factory):
    """For tests that want many: PensionerFactory.create_batch(n, community=...)."""

    class Meta:
        model = dict

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return make_pensioner(**kwargs)
