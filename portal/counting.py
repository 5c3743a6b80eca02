"""Counts that stay fast at city scale: exact up to a cap, then "at least" (shown as 10,000+).

Counting every overdue person of a city of 8 million on each page view reads two million index entries;
nobody needs the exact figure on a queue page, and the city's exact figures come from the nightly
snapshot (certification/reports). A list page counts at most LIST_COUNT_CAP + 1 rows, and says so.
"""

from __future__ import annotations

from functools import cached_property

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import QuerySet


class AtLeast(int):
    """A count that reached the cap: there are at least this many (shown as "10,000+")."""

    capped = True


def count_at_most(queryset: QuerySet, limit: int) -> int:
    """How many rows, counting no further than `limit` (one COUNT over a LIMIT, never a full count)."""
    return queryset.order_by()[:limit].count()


def capped_count(queryset: QuerySet, cap: int | None = None) -> int:
    """The number of rows, exact up to `cap` (settings.LIST_COUNT_CAP); AtLeast(cap) beyond it."""
    cap = cap or settings.LIST_COUNT_CAP
    found = count_at_most(queryset, cap + 1)
    return AtLeast(cap) if found > cap else found


def is_capped(count) -> bool:
    return isinstance(count, AtLeast)


class CappedPaginator(Paginator):
    """django-tables2's pages over at most LIST_COUNT_CAP rows: the count stops there, so the pages do too
    (a longer list is narrowed with the filters, or exported whole)."""

    def __init__(self, *args, known_count: int | None = None, **kwargs):
        """`known_count`: the list's length when the page has already counted it (a queue's buckets add
        up to the whole queue), so it is not counted a second time."""
        super().__init__(*args, **kwargs)
        self.known_count = known_count

    @cached_property
    def count(self) -> int:
        if self.known_count is not None:
            cap = settings.LIST_COUNT_CAP
            return AtLeast(cap) if is_capped(self.known_count) or self.known_count > cap else self.known_count
        rows = self.object_list
        queryset = getattr(getattr(rows, "data", None), "data", None)  # BoundRows -> TableData -> QuerySet
        if isinstance(queryset, QuerySet):
            return capped_count(queryset)
        return len(rows)

    @property
    def capped(self) -> bool:
        return is_capped(self.count)
