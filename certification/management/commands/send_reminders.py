"""The reminder job by hand: plan the stages due at a moment, then dispatch everything queued.

Prints counts per stage, skipped (with reasons) and failed, as `key=value` pairs on the last line.
"""

import time
from datetime import datetime
from datetime import time as clock

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from certification.reminders.services import JobSummary, reminders_dispatch, reminders_plan


class Command(BaseCommand):
    help = "Plan due reminders and send queued messages (the Celery beat task does the same)."

    def add_arguments(self, parser):
        parser.add_argument("--at", help='the moment, "YYYY-MM-DD HH:MM" in Asia/Shanghai (default: now)')
        parser.add_argument("--today", help="a day, YYYY-MM-DD (the moment is 09:00 that day)")
        parser.add_argument("--dry-run", action="store_true", help="count what would be planned and sent")

    def handle(self, *args, at, today, dry_run, **options):
        moment = self.moment(at, today)
        summary = JobSummary()
        for key, value in reminders_plan(at=moment, dry_run=dry_run).counts.items():
            summary.add(f"planned_{key}" if not key.startswith("skipped") else key, value)
        while True:
            result = reminders_dispatch(at=moment, dry_run=dry_run)
            for key, value in result.counts.items():
                summary.add(key, value)
            if dry_run or "held_by_rate_cap" not in result.counts:
                break
            time.sleep(60)  # the per-minute cap: the next minute's allowance
        self.stdout.write(summary.as_line())

    def moment(self, at: str | None, today: str | None) -> datetime:
        try:
            if at:
                naive = datetime.strptime(at, "%Y-%m-%d %H:%M")
            elif today:
                naive = datetime.combine(datetime.strptime(today, "%Y-%m-%d").date(), clock(9, 0))
            else:
                return timezone.localtime()
        except ValueError as error:
            raise CommandError(f"cannot read the moment: {error}") from error
        return timezone.make_aware(naive)
