"""The file a decided batch sends to the payment system (CSV or XLSX), built once and kept.

The columns are a contract with the payment system: `id_number, name, decision, effective_month,
back_pay_months, monthly_amount, batch, approved_by, approved_at`, with English or Chinese headers. The last
line is a checksum the payment system can verify: the SHA-256 of the data rows written as
`value|value|...` lines (UTF-8, "\\n" between rows), the row count and the monthly total. The same rows give
the same checksum in either format and either header language.
"""

from __future__ import annotations

import hashlib
import io
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from certification.models import DecisionBatch, DecisionStatus, PaymentDecision, PaymentFile
from portal.audit import audit_read
from portal.exports.files import csv_text, write_csv, write_xlsx

COLUMNS = (
    "id_number",
    "name",
    "decision",
    "effective_month",
    "back_pay_months",
    "monthly_amount",
    "batch",
    "approved_by",
    "approved_at",
)
CHINESE_HEADERS = {
    "id_number": "公民身份号码",
    "name": "姓名",
    "decision": "决定",
    "effective_month": "生效月份",
    "back_pay_months": "补发月数",
    "monthly_amount": "月待遇金额",
    "batch": "批次",
    "approved_by": "审批人",
    "approved_at": "审批时间",
}
HEADER_LANGUAGES = ("en", "zh")
FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def payment_rows(batch: DecisionBatch) -> list[list]:
    decisions = (
        PaymentDecision.objects.filter(batch=batch, status=DecisionStatus.APPROVED)
        .select_related("pensioner", "decided_by")
        .order_by("pensioner__id_number", "pk")
    )
    return [
        [
            d.pensioner.id_number,
            d.pensioner.name,
            d.kind,
            d.effective_month.strftime("%Y-%m"),
            d.back_pay_months,
            d.monthly_amount,
            batch.pk,
            d.decided_by.username if d.decided_by else "",
            timezone.localtime(d.decided_at).replace(tzinfo=None, microsecond=0),
        ]
        for d in decisions
    ]


def checksum_line(rows: list[list]) -> list:
    canonical = "\n".join("|".join(csv_text(value) for value in row) for row in rows)
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    total = sum((row[COLUMNS.index("monthly_amount")] for row in rows), Decimal("0"))
    return ["#checksum", f"sha256={digest}", f"rows={len(rows)}", f"monthly_total={total:.2f}"]


def build(batch: DecisionBatch, *, file_format: str, headers: str) -> tuple[bytes, str, int]:
    rows = payment_rows(batch)
    header = [CHINESE_HEADERS[c] if headers == "zh" else c for c in COLUMNS]
    checksum = checksum_line(rows)
    everything = [header, *rows, checksum]
    if file_format == "csv":
        text = io.StringIO(newline="")
        write_csv(everything, text)
        content = text.getvalue().encode("utf-8")
    else:
        out = io.BytesIO()
        write_xlsx(everything, out, title=f"batch-{batch.pk}")
        content = out.getvalue()
    return content, checksum[1].removeprefix("sha256="), len(rows)


def payment_file_for(*, batch: DecisionBatch, file_format: str, headers: str, actor, request) -> PaymentFile:
    """The batch's file in this format and header language: built on the first download and kept, so
    every later download is the same bytes. Every download is audited as a read of the people in it."""
    existing = PaymentFile.objects.filter(batch=batch, file_format=file_format, headers=headers).first()
    if existing is None:
        content, digest, rows = build(batch, file_format=file_format, headers=headers)
        try:
            with transaction.atomic():
                existing = PaymentFile.objects.create(
                    batch=batch,
                    file_format=file_format,
                    headers=headers,
                    content=content,
                    sha256=digest,
                    rows=rows,
                    generated_by=actor,
                )
        except IntegrityError:  # two downloads at once: the first one's file is the file
            existing = PaymentFile.objects.get(batch=batch, file_format=file_format, headers=headers)
    audit_read(
        request=request,
        action="payment_file.downloaded",
        pensioners=PaymentDecision.objects.filter(batch=batch, status=DecisionStatus.APPROVED).values_list(
            "pensioner_id", flat=True
        ),
        target=batch,
        note=f"{file_format} {headers} sha256={existing.sha256}",
    )
    return existing
