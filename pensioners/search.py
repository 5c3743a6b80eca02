"""The one search box: read the shape of what was typed, and answer it from the index made for it.

`plan_search()` is pure (no database) and decides what the text is: a full or legacy ID number, the last
digits of an ID, a phone number or its last four digits, a Chinese name or its beginning, pinyin or
initials. `search_pensioner_ids()` runs one small index-ordered query per possible reading ("probe"),
each stopped at the count cap, and merges them. No probe ever scans the registry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from django.db.models import QuerySet
from django.db.models.functions import Reverse

from pensioners.rules import IdNumberError, normalise_id_text, normalise_phone, parse_id_number

ID_FULL = "id_full"
ID_SUFFIX = "id_suffix"
PHONE_FULL = "phone_full"
DIGITS_SUFFIX = "digits_suffix"  # four digits: the end of an ID number or of a phone number
NAME = "name"
PINYIN = "pinyin"
INITIALS = "initials"
NOTHING = "nothing"
UNRECOGNISED = "unrecognised"

_CHINESE = re.compile(r"^[\u3400-\u9fff\u00b7·]+$")
_LETTERS = re.compile(r"^[a-z]+$")
_ID_SUFFIX = re.compile(r"^[0-9]{4,5}[0-9X]$|^[0-9]{3}X$")

# Plain pinyin syllables (no tones, ü as v). Interjections made of a lone consonant are left out so
# that initials like "mn" are not read as pinyin.
PINYIN_SYLLABLES = frozenset(
    """a ai an ang ao ba bai ban bang bao bei ben beng bi bian biao bie bin bing bo bu ca cai can cang cao
    ce cen ceng cha chai chan chang chao che chen cheng chi chong chou chu chua chuai chuan chuang chui chun
    chuo ci cong cou cu cuan cui cun cuo da dai dan dang dao de den deng di dian diao die ding diu dong dou
    du duan dui dun duo e ei en eng er fa fan fang fei fen feng fo fou fu ga gai gan gang gao ge gei gen
    geng gong gou gu gua guai guan guang gui gun guo ha hai han hang hao he hei hen heng hong hou hu hua
    huai huan huang hui hun huo ji jia jian jiang jiao jie jin jing jiong jiu ju juan jue jun ka kai kan
    kang kao ke ken keng kong kou ku kua kuai kuan kuang kui kun kuo la lai lan lang lao le lei leng li lia
    lian liang liao lie lin ling liu lo long lou lu luan lun luo lv lve ma mai man mang mao me mei men meng
    mi mian miao mie min ming miu mo mou mu na nai nan nang nao ne nei nen neng ni nian niang niao nie nin
    ning niu nong nou nu nuan nun nuo nv nve o ou pa pai pan pang pao pei pen peng pi pian piao pie pin
    ping po pou pu qi qia qian qiang qiao qie qin qing qiong qiu qu quan que qun ran rang rao re ren reng
    ri rong rou ru rua ruan rui run ruo sa sai san sang sao se sen seng sha shai shan shang shao she shen
    sheng shi shou shu shua shuai shuan shuang shui shun shuo si song sou su suan sui sun suo ta tai tan
    tang tao te teng ti tian tiao tie ting tong tou tu tuan tui tun tuo wa wai wan wang wei wen weng wo wu
    xi xia xian xiang xiao xie xin xing xiong xiu xu xuan xue xun ya yan yang yao ye yi yin ying yo yong
    you yu yuan yue yun za zai zan zang zao ze zei zen zeng zha zhai zhan zhang zhao zhe zhen zheng zhi
    zhong zhou zhu zhua zhuai zhuan zhuang zhui zhun zhuo zi zong zou zu zuan zui zun zuo""".split()
)
_SYLLABLE_PREFIXES = frozenset(
    syllable[:end] for syllable in PINYIN_SYLLABLES for end in range(1, len(syllable) + 1)
)


@dataclass(frozen=True)
class SearchPlan:
    kinds: tuple[str, ...]
    value: str
    # Something worth telling the user about their input (an ID number that cannot exist, say).
    hint: str = ""
    extra_values: dict = field(default_factory=dict)


def reads_as_pinyin(letters: str) -> bool:
    """Whether the letters split into pinyin syllables, the last of which may be unfinished."""
    if not letters:
        return False
    reachable = {0}
    for start in range(len(letters)):
        if start not in reachable:
            continue
        for end in range(start + 1, len(letters) + 1):
            piece = letters[start:end]
            if piece in PINYIN_SYLLABLES or (end == len(letters) and piece in _SYLLABLE_PREFIXES):
                reachable.add(end)
    return len(letters) in reachable


def plan_search(text: str, *, today: date) -> SearchPlan:
    """Decide what a search text is. Pure: easy to test for every shape staff type."""
    raw = (text or "").strip()
    if not raw:
        return SearchPlan(kinds=(NOTHING,), value="")
    as_id = normalise_id_text(raw).replace(" ", "")
    if re.fullmatch(r"[0-9]{17}[0-9X]|[0-9]{15}", as_id):
        try:
            parsed = parse_id_number(as_id, today=today)
        except IdNumberError as error:
            # Still look it up exactly (old records may hold bad numbers), but say why it looks wrong.
            return SearchPlan(kinds=(ID_FULL,), value=as_id, hint=str(error))
        return SearchPlan(
            kinds=(ID_FULL,), value=parsed.number, extra_values={"legacy": parsed.legacy_number}
        )
    phone = normalise_phone(raw)
    if re.fullmatch(r"1[0-9]{10}|0[0-9]{9,11}", phone) and len(phone) >= 10:
        return SearchPlan(kinds=(PHONE_FULL,), value=phone)
    if re.fullmatch(r"[0-9]{4}", as_id):
        return SearchPlan(kinds=(DIGITS_SUFFIX,), value=as_id)
    if _ID_SUFFIX.fullmatch(as_id):
        return SearchPlan(kinds=(ID_SUFFIX,), value=as_id)
    compact = raw.replace(" ", "").replace("\u3000", "")
    if _CHINESE.fullmatch(compact):
        return SearchPlan(kinds=(NAME,), value=compact)
    letters = compact.lower()
    if _LETTERS.fullmatch(letters):
        if reads_as_pinyin(letters):
            # Short pinyin is also plausible initials ("zh" = 张华): look both up, pinyin first.
            kinds = (PINYIN, INITIALS) if len(letters) <= 4 else (PINYIN,)
            return SearchPlan(kinds=kinds, value=letters)
        return SearchPlan(kinds=(INITIALS,), value=letters)
    return SearchPlan(kinds=(UNRECOGNISED,), value=raw)


def _probe(base: QuerySet, kind: str, plan: SearchPlan) -> QuerySet:
    """One index-served lookup, ordered as its index is, returning primary keys."""
    value = plan.value
    if kind == ID_FULL:
        legacy = plan.extra_values.get("legacy")
        if legacy:
            return (
                base.filter(id_number=value)
                .values_list("pk", flat=True)
                .union(base.filter(legacy_id_number=legacy).values_list("pk", flat=True))
            )
        return base.filter(id_number=value).values_list("pk", flat=True)
    if kind == ID_SUFFIX:
        return (
            base.alias(id_reversed=Reverse("id_number"))
            .filter(id_reversed__startswith=value[::-1])
            .order_by("id_reversed")
            .values_list("pk", flat=True)
        )
    if kind == PHONE_FULL:
        return base.filter(phone=value).order_by("pk").values_list("pk", flat=True)
    if kind == "phone_suffix":
        return (
            base.alias(phone_reversed=Reverse("phone"))
            .filter(phone_reversed__startswith=value[::-1])
            .order_by("phone_reversed")
            .values_list("pk", flat=True)
        )
    if kind == "name_exact":
        return base.filter(name=value).order_by("name", "pk").values_list("pk", flat=True)
    if kind == NAME:
        return base.filter(name__startswith=value).order_by("name", "pk").values_list("pk", flat=True)
    if kind == PINYIN:
        return (
            base.filter(name_pinyin__startswith=value)
            .order_by("name_pinyin", "pk")
            .values_list("pk", flat=True)
        )
    if kind == INITIALS:
        return (
            base.filter(name_initials__startswith=value)
            .order_by("name_initials", "pk")
            .values_list("pk", flat=True)
        )
    raise ValueError(kind)


def probes_for(plan: SearchPlan) -> list[str]:
    if plan.kinds == (DIGITS_SUFFIX,):
        return [ID_SUFFIX, "phone_suffix"]
    if plan.kinds in ((NOTHING,), (UNRECOGNISED,)):
        return []
    if plan.kinds == (NAME,):
        return ["name_exact", NAME]  # the exact name first, then longer names beginning with it
    return list(plan.kinds)


def search_pensioner_ids(base: QuerySet, plan: SearchPlan, *, cap: int) -> list[int]:
    """Primary keys of matches, best reading first, at most `cap + 1` (so "more than cap" is knowable)."""
    found: list[int] = []
    seen: set[int] = set()
    for kind in probes_for(plan):
        if len(found) > cap:
            break
        for pk in _probe(base, kind, plan)[: cap + 1]:
            if pk not in seen:
                seen.add(pk)
                found.append(pk)
    return found[: cap + 1]


def find_person_by_number(scope, text: str):
    """One person by exact ID number (18 or legacy 15 digits) or record number, within the scope; None
    if there is no such person there. The audit log's person filter uses this (portal.contracts)."""
    from pensioners.models import Pensioner

    value = text.strip().upper()
    people = scope.restrict(Pensioner.objects.all())
    if len(value) in (15, 18) and value[:-1].isdigit():
        return people.filter(id_number=value).first() or people.filter(legacy_id_number=value).first()
    if value.isdigit() and len(value) <= 12:
        return people.filter(pk=int(value)).first()
    return None
