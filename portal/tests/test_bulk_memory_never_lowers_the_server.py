"""Bulk jobs raise work_mem for their transaction, and never lower what a server tuned for the city gives
(bench/pg_tune.py sets maintenance_work_mem to 1 GB; the jobs ask for 512 MB)."""

import pytest
from django.db import connection, transaction

from portal.jobs import BULK_MAINTENANCE_WORK_MEM, BULK_WORK_MEM, use_bulk_memory

pytestmark = pytest.mark.django_db


def _setting_bytes(cursor, name: str) -> int:
    cursor.execute("SELECT pg_size_bytes(current_setting(%s))", [name])
    return cursor.fetchone()[0]


def _size_bytes(cursor, size: str) -> int:
    cursor.execute("SELECT pg_size_bytes(%s)", [size])
    return cursor.fetchone()[0]


def test_a_small_setting_is_raised_for_the_transaction_only():
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '4MB'")
        cursor.execute("SET LOCAL maintenance_work_mem = '64MB'")
        use_bulk_memory(cursor, builds_indexes=True)
        assert _setting_bytes(cursor, "work_mem") == _size_bytes(cursor, BULK_WORK_MEM)
        assert _setting_bytes(cursor, "maintenance_work_mem") == _size_bytes(
            cursor, BULK_MAINTENANCE_WORK_MEM
        )


def test_a_larger_setting_is_kept():
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '1GB'")
        cursor.execute("SET LOCAL maintenance_work_mem = '2GB'")
        use_bulk_memory(cursor, builds_indexes=True)
        assert _setting_bytes(cursor, "work_mem") == 1 << 30
        assert _setting_bytes(cursor, "maintenance_work_mem") == 2 << 30


def test_index_memory_is_left_alone_unless_asked():
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '64MB'")
        use_bulk_memory(cursor)
        assert _setting_bytes(cursor, "maintenance_work_mem") == 64 << 20
