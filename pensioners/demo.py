"""Generated pensioners that look like Chongqing's: valid ID numbers, common surnames, real places.

Used by `seed_demo` and by the benchmarks (which write the same people to a roster file).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

from pensioners.models import Scheme
from pensioners.pinyin import pinyin_keys
from pensioners.roster_import import RosterRow
from pensioners.rules import check_character

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
# Earlier surnames are more common: weights fall off along the list.
SURNAME_WEIGHTS = [1 / (rank + 4) for rank in range(len(SURNAMES))]
MALE_GIVEN = "建国华明强伟军平德文志勇永刚福明海春林峰成国庆光荣辉斌兴宝贵正清元"
FEMALE_GIVEN = "秀英兰桂芳淑珍玉华琴凤丽萍敏静霞红梅娟云芬翠蓉婷燕素慧兰芝碧琼"
ROADS = "民族路 民生路 解放西路 中山路 人和街 较场口 七星岗 和平路 新华路 长江路 嘉陵路 临江路 五一路".split()
ISSUING_AREAS = (
    "500103",
    "500104",
    "500105",
    "500106",
    "500107",
    "500108",
    "510202",
    "510203",
    "510212",
    "512201",
)
COUNTRIES = ("加拿大", "美国", "澳大利亚", "日本", "新西兰", "英国", "新加坡")
SCHEME_WEIGHTS = (
    (Scheme.ENTERPRISE, 60),
    (Scheme.URBAN_RURAL, 25),
    (Scheme.PUBLIC_SECTOR, 10),
    (Scheme.LAND_EXPROPRIATED, 4),
    (Scheme.WORK_INJURY, 1),
)


def make_id_number(issuing_area: str, born: date, sequence: int) -> str:
    first_seventeen = f"{issuing_area}{born:%Y%m%d}{sequence:03d}"
    return first_seventeen + check_character(first_seventeen)


def demo_people(
    *, count: int, seed: int, today: date, community_codes: list[str], home_communities: list[str] = ()
) -> Iterator[RosterRow]:
    """`count` distinct pensioners. Half of them live in `home_communities` (where the demo staff work)."""
    chooser = random.Random(seed)
    used_ids: set[str] = set()
    schemes, scheme_weights = zip(*SCHEME_WEIGHTS, strict=True)
    made = 0
    while made < count:
        is_male = chooser.random() < 0.47
        born = date(1930, 1, 1) + timedelta(
            days=chooser.randrange(0, (date(1970, 12, 31) - date(1930, 1, 1)).days)
        )
        sequence = chooser.randrange(0, 500) * 2 + (1 if is_male else 0)
        id_number = make_id_number(chooser.choice(ISSUING_AREAS), born, sequence)
        if id_number in used_ids:
            continue
        used_ids.add(id_number)
        surname = chooser.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0]
        given_pool = MALE_GIVEN if is_male else FEMALE_GIVEN
        name = surname + "".join(chooser.choice(given_pool) for _ in range(chooser.choice((1, 2, 2))))
        if home_communities and chooser.random() < 0.5:
            community = chooser.choice(home_communities)
        else:
            community = chooser.choice(community_codes)
        retirement_age = 60 if is_male else chooser.choice((50, 55))
        first_paid = _add_years(born, retirement_age)
        if first_paid > today - timedelta(days=30):
            first_paid = today - timedelta(days=chooser.randrange(30, 330))
        if chooser.random() < 0.03:  # newly retired: no certification yet
            first_paid = today - timedelta(days=chooser.randrange(30, 380))
            last_certified = None
        else:
            last_certified = today - timedelta(days=chooser.randrange(0, 500))
            if last_certified < first_paid:
                last_certified = None
        phone_roll = chooser.random()
        if phone_roll < 0.03:
            phone = ""
        elif phone_roll < 0.10:
            phone = f"023{chooser.randrange(60000000, 69999999)}"
        else:
            phone = f"1{chooser.choice('35789')}{chooser.randrange(0, 10**9):09d}"
        scheme = chooser.choices(schemes, weights=scheme_weights)[0]
        pinyin, initials = pinyin_keys(name)
        made += 1
        yield RosterRow(
            row_number=made + 1,
            id_number=id_number,
            legacy_id_number="",
            name=name,
            name_pinyin=pinyin,
            name_initials=initials,
            gender="M" if is_male else "F",
            birth_date=born,
            phone=phone,
            address=f"重庆市{chooser.choice(ROADS)}{chooser.randrange(1, 300)}号{chooser.randrange(1, 30)}-{chooser.randrange(1, 8)}",
            area_code=community,
            scheme=scheme,
            first_benefit_date=first_paid,
            monthly_amount=Decimal(chooser.randrange(150, 9000))
            if scheme != Scheme.URBAN_RURAL
            else Decimal(chooser.randrange(120, 400)),
            last_certified_on=last_certified,
            abroad_country=chooser.choice(COUNTRIES) if chooser.random() < 0.01 else "",
        )


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
