"""Loading the division tree: the real districts and streets, and generated communities for demo data."""

from __future__ import annotations

import csv
import random
from pathlib import Path

from django.db import transaction

from pensioners.models import Area, AreaLevel

DIVISIONS_FILE = Path(__file__).resolve().parent / "data" / "chongqing-divisions.csv"

# Words that make plausible community and village names. Deterministic per street, so that a
# community code always carries the same name across reseeds.
_COMMUNITY_WORDS = (
    "和平 新华 建设 人民 民生 长江 嘉陵 朝阳 幸福 阳光 桂花 滨江 青年 文化 花园 春晖 友谊 团结 "
    "光明 兴隆 金桥 石桥 双龙 白果 黄桷 枇杷 桃源 清水 龙泉 红岩 大坪 七星 民主 胜利 东风 "
    "永安 太平 复兴 新村 南山 北城 西湖 荷花 松林 梨园 凤凰 鹿角 天星 白沙 玉带 望江"
).split()


def area_load_divisions(*, path: Path = DIVISIONS_FILE) -> int:
    """Create or update the city, districts and streets from the division file. Returns the count."""
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    top_down = {"city": 0, "district": 1, "street": 2}
    rows.sort(key=lambda row: top_down[row["level"]])
    areas = [
        Area(code=row["code"], name=row["name"], level=row["level"], parent_id=row["parent_code"] or None)
        for row in rows
    ]
    with transaction.atomic():
        # Parents come first in the list, so one statement can insert the whole tree.
        Area.objects.bulk_create(
            areas, update_conflicts=True, unique_fields=["code"], update_fields=["name", "level", "parent"]
        )
    return len(areas)


def community_names_for(street: Area, count: int) -> list[str]:
    chooser = random.Random(street.code)
    words = chooser.sample(_COMMUNITY_WORDS, count)
    is_town = not street.name.endswith("街道")
    names = []
    for index, word in enumerate(words):
        # Towns have a community at their seat and villages around it.
        suffix = "村" if is_town and index > 0 else "社区"
        names.append(word + suffix)
    return names


def area_generate_communities(*, per_street: int = 3, streets=None) -> int:
    """Give every street `per_street` communities coded `<street code>001`, `002`... (demo data only)."""
    streets = list(streets if streets is not None else Area.objects.streets())
    communities = []
    for street in streets:
        for number, name in enumerate(community_names_for(street, per_street), start=1):
            communities.append(
                Area(code=f"{street.code}{number:03d}", name=name, level=AreaLevel.COMMUNITY, parent=street)
            )
    Area.objects.bulk_create(
        communities, update_conflicts=True, unique_fields=["code"], update_fields=["name", "level", "parent"]
    )
    return len(communities)
