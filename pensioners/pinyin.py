"""Pinyin keys for names, computed once when a name is written (search never converts at query time)."""

from functools import lru_cache

from pypinyin import Style, lazy_pinyin

# Surnames whose reading differs from the character's everyday reading (单 shan, 曾 zeng...).
SURNAME_READINGS = {
    "单": "shan", "解": "xie", "曾": "zeng", "仇": "qiu", "区": "ou", "查": "zha", "朴": "piao",
    "乐": "yue", "尉": "yu", "繁": "po", "覃": "qin", "种": "chong", "盖": "ge", "任": "ren",
    "华": "hua", "缪": "miao", "长": "chang", "员": "yun", "燕": "yan", "那": "na", "祭": "zhai",
}  # fmt: skip


# Big enough for a city's recurring names: the generated 8-million-row roster has about 224,000 distinct
# names, more than the 200,000 entries this cache once held (an LRU cache smaller than what recurs keeps
# missing). About 300 bytes an entry, in each of the import's check processes.
@lru_cache(maxsize=1_000_000)
def pinyin_keys(name: str) -> tuple[str, str]:
    """("wangjianguo", "wjg") for 王建国; lower-case ASCII, ü written as v (as typed on IMEs)."""
    if not name:
        return "", ""
    surname_reading = SURNAME_READINGS.get(name[0])
    syllables = lazy_pinyin(name, style=Style.NORMAL, errors="ignore", v_to_u=False)
    if surname_reading and syllables:
        syllables[0] = surname_reading
    syllables = [syllable.lower() for syllable in syllables if syllable.isascii() and syllable.isalpha()]
    return "".join(syllables), "".join(syllable[0] for syllable in syllables)
