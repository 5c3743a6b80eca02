"""Pure rules of the SMS texts: what a text sent in the city's name must never carry.

The public is told that a real 12333 SMS has no link, no WeChat ID and no number to call but 12333. Whoever
slips one into a text writes it disguised: fullwidth letters and dots (ｃｑ12333。top, www﹒cq-rs﹒cn), the
word 点 for the dot, zero-width characters inside a word, digits split by spaces or dashes. So a text is
first folded to one plain form (`normalise`) and checked in that form (`forbidden_contacts`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

HOTLINE = "12333"

LINK = "link"
WECHAT = "wechat"
PHONE = "phone"

# Invisible characters that split a word for a filter but not for a reader.
_ZERO_WIDTH = dict.fromkeys(
    map(ord, "\u00ad\u180e\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff"), None
)
# Dots NFKC leaves as they are (it already folds ． ﹒ ․ to "." and ｡ ︒ to 。).
_DOT_LIKE = dict.fromkeys(map(ord, "。·・‧∙⋅•"), ".")
_ASCII_WORD = "[a-z0-9]"
# A dot spelled out or dressed up between two letters or digits: 点, dot, (dot), [.], spaces around a dot.
_SPELLED_DOT = re.compile(
    rf"(?<={_ASCII_WORD})\s*(?:点|[(\[{{<]\s*(?:dot|点|\.)\s*[)\]}}>]|(?<![a-z])dot(?![a-z])|\.)\s*(?={_ASCII_WORD})"
)

_LABEL = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
# At most ten labels before the top-level one: an unbounded repeat made a long "a.a.a..." text take seconds.
_DOMAIN = re.compile(rf"(?<![a-z0-9-])(?:{_LABEL}\.){{1,10}}(?:[a-z]{{2,}}|xn--[a-z0-9-]+)(?![a-z0-9-])")
_LINK_WORD = re.compile(r"(?:https?|www)[a-z0-9:/._\-%?=&#~+]*|://[a-z0-9/._\-%?=&#~+]*")
_WECHAT_ID = re.compile(
    r"(?:(?<![a-z])(?:weixin|wechat|vx|wx)|微信|威信|薇信|徽信|v信)"
    r"\s*(?:号|id)?\s*(?:是|为)?\s*[:=]?\s*"
    r"(?P<id>[a-z][a-z0-9_-]{5,19}|\d{5,})"
)
_WECHAT_INTERNAL_ID = re.compile(r"wxid_[a-z0-9_-]+")
_SEPARATOR = r"[\s\-‐‑‒–—―.()/]"
_DIGIT_RUN = re.compile(rf"[+(]?\d(?:{_SEPARATOR}*\d)*")
_HOTLINE_WITH_AREA_CODE = re.compile(rf"0\d{{2,3}}{HOTLINE}")
# A written date (2024-10-06, 2024.10.06) is not a number to call.
_DATE = re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}")
# Seven digits and more is a phone number to call (local numbers have 7 or 8, with the area code 10 to 12).
PHONE_MIN_DIGITS = 7


@dataclass(frozen=True)
class Finding:
    kind: str  # LINK, WECHAT or PHONE
    found: str  # as it reads once normalised: cq12333.top


def normalise(text: str) -> str:
    """One plain form of a text: NFKC (fullwidth letters, digits and dots to ASCII), every decimal digit as
    0-9, invisible characters removed, dot-like characters and spelled-out dots between letters as ".",
    lower case."""
    text = unicodedata.normalize("NFKC", text).translate(_ZERO_WIDTH)
    text = "".join(str(unicodedata.decimal(char)) if char.isdecimal() else char for char in text)
    text = text.translate(_DOT_LIKE).casefold()
    return _SPELLED_DOT.sub(_dot_unless_a_time, text)


def _dot_unless_a_time(match: re.Match) -> str:
    # 12点30 is half past twelve, not a domain: 点 between two digits stays.
    text, start, end = match.string, match.start(), match.end()
    if match.group().strip() == "点" and text[start - 1].isdigit() and text[end].isdigit():
        return match.group()
    return "."


def forbidden_contacts(
    text: str, *, signature: str = "", allowed_domains: tuple[str, ...] = ()
) -> list[Finding]:
    """The links, WeChat IDs and phone numbers in a text, each once, in reading order. The 12333 hotline
    (alone or behind an area code) and the configured signature are the official contacts and pass;
    `allowed_domains` names domains (and their subdomains) that may be written."""
    plain = normalise(text)
    if signature:
        plain = plain.replace(normalise(signature), " ")
    allowed = tuple(normalise(domain).strip(".") for domain in allowed_domains if domain.strip())
    findings: list[tuple[int, Finding]] = []
    covered: list[tuple[int, int]] = []

    def add(start: int, end: int, kind: str, found: str) -> None:
        if any(start >= first and end <= last for first, last in covered):
            return
        covered.append((start, end))
        findings.append((start, Finding(kind, found)))

    for match in _LINK_WORD.finditer(plain):
        if not _is_allowed_link(match.group(), allowed):
            add(match.start(), match.end(), LINK, match.group())
    for match in _DOMAIN.finditer(plain):
        if not _is_allowed_domain(match.group(), allowed):
            add(match.start(), match.end(), LINK, match.group())
    for match in _WECHAT_INTERNAL_ID.finditer(plain):
        add(match.start(), match.end(), WECHAT, match.group())
    for match in _WECHAT_ID.finditer(plain):
        if match.group("id") != HOTLINE:
            add(match.start(), match.end(), WECHAT, match.group().strip())
    for match in _DIGIT_RUN.finditer(plain):
        if _DATE.fullmatch(match.group().strip()):
            continue
        digits = _digits_besides_the_hotline(match.group())
        if len(digits) >= PHONE_MIN_DIGITS:
            findings.append((match.start(), Finding(PHONE, match.group().strip())))

    seen: set[Finding] = set()
    ordered = []
    for _start, finding in sorted(findings, key=lambda item: item[0]):
        if finding not in seen:
            seen.add(finding)
            ordered.append(finding)
    return ordered


def _digits_besides_the_hotline(run: str) -> str:
    """The digits of a run once the groups that are the hotline are left out: "12333 138 1234 5678" still
    holds a mobile number; "023-12333" and "12333" hold nothing else."""
    groups = [group for group in re.split(rf"{_SEPARATOR}+", run.lstrip("+(")) if group]
    kept = [g for g in groups if g != HOTLINE and not _HOTLINE_WITH_AREA_CODE.fullmatch(g)]
    return "".join(kept)


def _is_allowed_domain(domain: str, allowed: tuple[str, ...]) -> bool:
    return any(domain == name or domain.endswith("." + name) for name in allowed)


def _is_allowed_link(link: str, allowed: tuple[str, ...]) -> bool:
    if not allowed:
        return False
    host = re.sub(r"^(?:https?:)?/*", "", link).split("/", 1)[0].split(":", 1)[0]
    return bool(_DOMAIN.fullmatch(host)) and _is_allowed_domain(host, allowed)
