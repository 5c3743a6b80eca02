"""XLSX roster at real size: does a 1,008,000-row workbook import, how fast, in how much memory; and does
the upload page answer at once for it (only the zip's table of contents is read in the web request).

    .venv/bin/python bench/bench_xlsx.py                    # fresh DB, XLSX (generated once), import, upload
    .venv/bin/python bench/bench_xlsx.py --profile-rows 100000   # + where reading time goes (cProfile)
    .venv/bin/python bench/bench_xlsx.py --keep-db          # leave the loaded bench database behind
    .venv/bin/python bench/bench_xlsx.py --rev HEAD         # a `git archive` snapshot, immune to edits

Uses only its own database `pension_bench_xlsx` (BENCH_DB); refuses pension_portal, pension_bench and
pension_bench_work. The roster is the same generator as make_roster.py (demo_people over every community
in the DB), written with openpyxl's write_only mode to bench/data/roster_<rows>_seed<seed>.xlsx with the
Chinese headers, ID numbers / phones / community codes as text, dates as Excel dates, amounts as numbers
(variant `writeonly`: inline strings, no <dimension>, blank cells left out). Variant `excel` is the same
cells rewritten as Excel saves them (every string once in xl/sharedStrings.xml, and the sheet's
<dimension>): *_excel.xlsx next to it. Each variant is imported into a fresh, empty registry.

Measures
1. `manage.py import_pensioners FILE` as a subprocess (the same importer the upload page's Celery job
   runs): wall clock, peak RSS (wait4 rusage), an RSS / CPU timeline, and when each SQL phase began
   (pg_stat_activity, sampled), i.e. how long reading + checking took before the COPY started;
2. in-process `sniff_table` (the upload form's check) on the opened file: time, bytes read, tracemalloc
   peak, and that openpyxl.load_workbook is never called;
3. in-process `POST /pensioners/import/` as the city administrator (Django test client, pre-encoded body):
   time to the redirect. The Celery broker is `memory://` and MEDIA_ROOT is /tmp/xlsx/media, so no real
   worker ever sees the job and nothing lands in the project's media/.

Figures: bench/results/xlsx.md; logs and scratch: /tmp/xlsx/.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import tracemalloc
import zipfile
from datetime import date, datetime
from itertools import islice
from pathlib import Path

os.environ.setdefault("BENCH_DB", "pension_bench_xlsx")
if os.environ["BENCH_DB"] in ("pension_portal", "pension_bench", "pension_bench_work"):
    raise SystemExit(f"refusing to use {os.environ['BENCH_DB']}: this benchmark needs a database of its own")
SCRATCH = Path(os.environ.get("BENCH_XLSX_SCRATCH", "/tmp/xlsx"))
# The upload test must never reach the real broker (a running worker would look the job up in its own DB)
# nor store files in the project's media/.
os.environ["CELERY_BROKER_URL"] = "memory://"
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"
os.environ["MEDIA_ROOT"] = str(SCRATCH / "media")

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402
from benchlib import (  # noqa: E402
    BENCH_DB,
    DATA,
    PG_HOST,
    PG_PORT,
    PG_USER,
    PYTHON,
    RESULTS,
    Stopwatch,
    bench_env,
    django_setup,
    load_average,
    psql,
    recreate_database,
    run,
)

# Column order as make_roster.py; headers as the legacy system's export would carry them (first alias).
FIELDS = [
    "id_number", "name", "phone", "address", "area_code", "benefit_type", "first_benefit_date",
    "monthly_amount", "last_certified_on", "abroad_country",
]  # fmt: skip
IMPORT_TIMEOUT_S = 20 * 60


# --------------------------------------------------------------------------------------------------
# The workbook (child process: `bench_xlsx.py --write-xlsx PATH --rows N --seed S`)
# --------------------------------------------------------------------------------------------------
def write_xlsx(path: Path, rows: int, seed: int) -> None:
    django_setup()
    from openpyxl import Workbook

    from pensioners.demo import demo_people
    from pensioners.models import Area, AreaLevel
    from pensioners.roster_import import ROSTER_COLUMNS

    communities = list(
        Area.objects.filter(level=AreaLevel.COMMUNITY).order_by("code").values_list("code", flat=True)
    )
    if not communities:
        raise SystemExit("no communities in the database")
    header = [ROSTER_COLUMNS[field][0] for field in FIELDS]
    clock = Stopwatch()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("花名册")
    sheet.append(header)
    for number, row in enumerate(
        demo_people(
            count=rows, seed=seed, today=date.today(), community_codes=communities, home_communities=[]
        ),
        start=1,
    ):
        sheet.append(
            [
                row.id_number,
                row.name,
                row.phone or None,
                row.address,
                row.area_code,
                row.scheme,
                row.first_benefit_date,
                row.monthly_amount,
                row.last_certified_on,
                row.abroad_country or None,
            ]
        )
        if number % 200_000 == 0:
            print(f"  {number:,} rows ({clock():.0f}s)", flush=True)
    partial = path.with_suffix(".partial")
    workbook.save(partial)
    partial.replace(path)
    print(f"wrote {rows:,} rows to {path} in {clock():.0f}s ({path.stat().st_size / 1e6:.1f} MB)", flush=True)


def ensure_xlsx(rows: int, seed: int, log: Path) -> tuple[Path, float | None]:
    """The workbook exactly as openpyxl's write_only mode writes it (inline strings, no <dimension>)."""
    path = DATA / f"roster_{rows}_seed{seed}.xlsx"
    if path.exists():
        return path, None
    DATA.mkdir(parents=True, exist_ok=True)
    print(f"[xlsx] generating {path.name} (write_only) ...", flush=True)
    clock = Stopwatch()
    result = run(
        [
            PYTHON,
            str(Path(__file__).resolve()),
            "--write-xlsx",
            str(path),
            "--rows",
            str(rows),
            "--seed",
            str(seed),
        ],
        log=log,
    )
    print(result.stdout.strip().splitlines()[-1], flush=True)
    return path, clock()


_INLINE = re.compile(
    rb'<c r="([A-Z]+[0-9]+)"((?: s="[0-9]+")?) t="inlineStr"><is>(<t(?: [^>]*)?>.*?</t>)</is></c>', re.S
)
_SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def ensure_excel_like(source: Path, rows: int, columns: int) -> tuple[Path, float | None]:
    """The same cells as Excel (or WPS, LibreOffice) saves them: every string once in xl/sharedStrings.xml,
    cells pointing at it (t="s"), and the sheet's <dimension ref="A1:J..."/>. Rewritten from the
    write_only file by streaming its sheet XML; nothing else changes."""
    path = source.with_name(source.stem + "_excel.xlsx")
    if path.exists():
        return path, None
    print(f"[xlsx] rewriting as Excel saves it: {path.name} ...", flush=True)
    clock = Stopwatch()
    index: dict[bytes, int] = {}
    references = 0

    def shared(match: re.Match) -> bytes:
        nonlocal references
        references += 1
        text = match.group(3)
        number = index.get(text)
        if number is None:
            number = index[text] = len(index)
        return b'<c r="%s"%s t="s"><v>%d</v></c>' % (match.group(1), match.group(2), number)

    partial = path.with_suffix(".partial")
    dimension = f'<dimension ref="A1:{chr(ord("A") + columns - 1)}{rows + 1}"/>'.encode()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            if info.filename.startswith("xl/worksheets/sheet"):
                with old.open(info) as src, new.open(info.filename, "w") as dst:
                    carry = b""
                    first = True
                    while True:
                        chunk = src.read(8 * 1024 * 1024)
                        data = carry + chunk
                        if chunk:
                            end = data.rfind(b"</row>")
                            cut = end + len(b"</row>") if end >= 0 else 0
                        else:
                            cut = len(data)
                        body, carry = data[:cut], data[cut:]
                        if first and body:
                            at = body.find(b"</sheetPr>")
                            at = (
                                at + len(b"</sheetPr>")
                                if at >= 0
                                else body.find(b">", body.find(b"<worksheet")) + 1
                            )
                            body = body[:at] + dimension + body[at:]
                            first = False
                        dst.write(_INLINE.sub(shared, body))
                        if not chunk:
                            break
            elif info.filename == "[Content_Types].xml":
                text = old.read(info).decode()
                override = f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_SST_TYPE}"/>'
                new.writestr(info.filename, text.replace("</Types>", override + "</Types>"))
            elif info.filename == "xl/_rels/workbook.xml.rels":
                text = old.read(info).decode()
                rel = f'<Relationship Id="rIdSharedStrings" Type="{_SST_REL}" Target="sharedStrings.xml"/>'
                new.writestr(info.filename, text.replace("</Relationships>", rel + "</Relationships>"))
            else:
                new.writestr(info, old.read(info))
        with new.open("xl/sharedStrings.xml", "w") as dst:
            dst.write(
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" '
                b'uniqueCount="%d">' % (references, len(index))
            )
            batch = []
            for text in index:  # insertion order = index order
                batch.append(b"<si>%s</si>" % text)
                if len(batch) >= 10_000:
                    dst.write(b"".join(batch))
                    batch.clear()
            dst.write(b"".join(batch) + b"</sst>")
    partial.replace(path)
    print(
        f"[xlsx] {path.name}: {len(index):,} distinct strings, {references:,} string cells, "
        f"{path.stat().st_size / 1e6:.1f} MB, {clock():.0f}s",
        flush=True,
    )
    return path, clock()


def same_cells(first: Path, second: Path, rows: int = 2000) -> bool:
    """The two workbooks read the same through the importer's reader (first `rows` rows)."""
    from pensioners.roster_import import ROSTER_COLUMNS
    from portal.imports.tabular import open_table

    def head(path: Path) -> list:
        table = open_table(path, ROSTER_COLUMNS)
        return [(number, dict(raw)) for number, raw in islice(iter(table), rows)]

    return head(first) == head(second)


def package_facts(path: Path) -> dict:
    with zipfile.ZipFile(path) as package:
        entries = {info.filename: (info.file_size, info.compress_size) for info in package.infolist()}
        sheet_name = next(name for name in entries if name.startswith("xl/worksheets/sheet"))
        with package.open(sheet_name) as sheet:
            head = sheet.read(4096).decode("utf-8", "replace")
    dimension = re.search(r"<dimension ref=\"([^\"]+)\"", head)
    return {
        "bytes": path.stat().st_size,
        "sheet": sheet_name,
        "sheet_unpacked": entries[sheet_name][0],
        "unpacked": sum(size for size, _ in entries.values()),
        "shared_strings": entries.get("xl/sharedStrings.xml", (0, 0))[0],
        "dimension": dimension.group(1) if dimension else None,
        "inline_strings": 't="inlineStr"' in head,
    }


# --------------------------------------------------------------------------------------------------
# The import, as a subprocess, watched from outside
# --------------------------------------------------------------------------------------------------
class Watcher(threading.Thread):
    """Samples the import process's RSS and CPU time (/proc) and its database session's current statement
    (pg_stat_activity) every `interval` seconds."""

    def __init__(self, pid: int, interval: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.stop = threading.Event()
        self.samples: list[tuple[float, int, float]] = []  # (t, rss bytes, cpu s)
        self.statements: list[tuple[float, str, int]] = []  # (first seen t, statement head, rss then)
        self.started = time.perf_counter()

    def rss_cpu(self) -> tuple[int, float] | None:
        try:
            status = Path(f"/proc/{self.pid}/status").read_text()
            stat = Path(f"/proc/{self.pid}/stat").read_text()
        except OSError:
            return None
        rss = next(int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith("VmRSS:"))
        fields = stat.rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        return rss, (int(fields[11]) + int(fields[12])) / ticks

    def run(self) -> None:
        import psycopg

        with psycopg.connect(
            host=PG_HOST, port=PG_PORT, user=PG_USER, dbname=BENCH_DB, autocommit=True
        ) as connection:
            last = None
            while not self.stop.is_set():
                now = time.perf_counter() - self.started
                sample = self.rss_cpu()
                if sample:
                    self.samples.append((now, *sample))
                rows = connection.execute(
                    "SELECT state, regexp_replace(left(query, 200), '\\s+', ' ', 'g') FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid() AND backend_type = 'client backend' "
                    "AND state = 'active'",
                    [BENCH_DB],
                ).fetchall()
                for _state, query in rows:
                    head = query.strip()[:90]
                    if head != last:
                        self.statements.append((now, head, sample[0] if sample else 0))
                        last = head
                self.stop.wait(self.interval)


def timed_import(xlsx: Path, log: Path, timeout: float) -> dict:
    out_path = SCRATCH / "import.stdout"
    err_path = SCRATCH / "import.stderr"
    cmd = [PYTHON, "manage.py", "import_pensioners", str(xlsx)]
    with open(out_path, "w") as out, open(err_path, "w") as err:
        clock = Stopwatch()
        process = subprocess.Popen(
            cmd, cwd=benchlib.APP_ROOT, env=bench_env(), stdout=out, stderr=err, start_new_session=True
        )
        watcher = Watcher(process.pid)
        watcher.start()
        timed_out = threading.Event()

        def stop_it() -> None:
            timed_out.set()
            os.killpg(process.pid, signal.SIGTERM)  # the session we started for this one command

        timer = threading.Timer(timeout, stop_it)
        timer.start()
        _pid, status, usage = os.wait4(process.pid, 0)
        wall = clock()
        timer.cancel()
        watcher.stop.set()
        watcher.join(timeout=5)
    process.returncode = os.waitstatus_to_exitcode(status)
    stdout, stderr = out_path.read_text(), err_path.read_text()
    with open(log, "a", encoding="utf-8") as handle:
        handle.write(f"$ {' '.join(cmd)}\n{stdout}{stderr}\n")
    return {
        "wall_s": wall,
        "returncode": process.returncode,
        "timed_out": timed_out.is_set(),
        "maxrss": usage.ru_maxrss * 1024,
        "user_s": usage.ru_utime,
        "sys_s": usage.ru_stime,
        "stdout": stdout,
        "stderr": stderr,
        "line": (stdout.strip().splitlines() or [""])[-1],
        "samples": watcher.samples,
        "statements": watcher.statements,
    }


# --------------------------------------------------------------------------------------------------
# In-process: the upload form's check, and the upload request itself
# --------------------------------------------------------------------------------------------------
class CountingFile:
    """A file wrapper that counts what is read (the zip module needs read/seek/tell)."""

    def __init__(self, handle) -> None:
        self.handle = handle
        self.bytes_read = 0
        self.reads = 0

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.bytes_read += len(data)
        self.reads += 1
        return data

    def seek(self, *args):
        return self.handle.seek(*args)

    def tell(self) -> int:
        return self.handle.tell()

    def seekable(self) -> bool:
        return True


class NoWorkbook:
    """Installed over openpyxl.load_workbook while the web-side checks run: parsing the sheet there fails."""

    def __enter__(self):
        import openpyxl
        import openpyxl.reader.excel

        self.saved = (openpyxl.load_workbook, openpyxl.reader.excel.load_workbook)
        self.calls = 0

        def refuse(*args, **kwargs):
            self.calls += 1
            raise AssertionError("load_workbook called in the web request")

        openpyxl.load_workbook = openpyxl.reader.excel.load_workbook = refuse
        return self

    def __exit__(self, *exc):
        import openpyxl
        import openpyxl.reader.excel

        openpyxl.load_workbook, openpyxl.reader.excel.load_workbook = self.saved
        return False


def measure_sniff(xlsx: Path, repeats: int = 20) -> dict:
    from pensioners.roster_import import REQUIRED_COLUMNS, ROSTER_COLUMNS
    from portal.imports.tabular import sniff_table

    times, reads = [], []
    with NoWorkbook() as guard:
        for _ in range(repeats):
            with open(xlsx, "rb") as handle:
                counting = CountingFile(handle)
                started = time.perf_counter()
                sniff_table(counting, ROSTER_COLUMNS, REQUIRED_COLUMNS)
                times.append((time.perf_counter() - started) * 1000)
                reads.append((counting.bytes_read, counting.reads))
        with open(xlsx, "rb") as handle:
            tracemalloc.start()
            sniff_table(handle, ROSTER_COLUMNS, REQUIRED_COLUMNS)
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
    return {
        "first_ms": times[0],
        "median_ms": statistics.median(times),
        "max_ms": max(times),
        "repeats": repeats,
        "bytes_read": reads[0][0],
        "reads": reads[0][1],
        "tracemalloc_peak": peak,
        "load_workbook_calls": guard.calls,
    }


def measure_upload(xlsx: Path, repeats: int = 3) -> dict:
    from django.test import Client
    from django.test.client import BOUNDARY, encode_multipart

    from portal.models import ImportJob, User

    client = Client()
    client.force_login(User.objects.get(username="demo_admin"))
    page = client.get("/pensioners/import/")  # warm: URL resolution, templates, the form
    if page.status_code != 200:
        raise SystemExit(f"GET /pensioners/import/ as demo_admin: HTTP {page.status_code}")
    with open(xlsx, "rb") as handle:
        body = encode_multipart(BOUNDARY, {"file": handle, "dry_run": "on"})
    content_type = f"multipart/form-data; boundary={BOUNDARY}"  # not the MULTIPART_CONTENT object: as is
    results = []
    with NoWorkbook() as guard:
        for attempt in range(repeats + 1):
            traced = attempt == repeats  # the last one under tracemalloc (slower; memory only)
            if traced:
                tracemalloc.start()
            started = time.perf_counter()
            response = client.post("/pensioners/import/", data=body, content_type=content_type)
            elapsed = (time.perf_counter() - started) * 1000
            peak = None
            if traced:
                _current, peak = tracemalloc.get_traced_memory()
                tracemalloc.stop()
            if response.status_code != 302:
                content = response.content.decode("utf-8", "replace")
                raise SystemExit(
                    f"upload: HTTP {response.status_code} {response.get('Location')}\n{content[:3000]}"
                )
            results.append((elapsed, peak, response["Location"]))
    job = ImportJob.objects.order_by("-pk").first()
    return {
        "body_bytes": len(body),
        "times_ms": [ms for ms, peak, _ in results if peak is None],
        "traced_ms": results[-1][0],
        "traced_peak": results[-1][1],
        "location": results[-1][2],
        "job": f"#{job.pk} status={job.status} stage={job.stage!r} rows_total={job.rows_total} "
        f"file={job.file.name}",
        "load_workbook_calls": guard.calls,
    }


# --------------------------------------------------------------------------------------------------
# In-process: where reading time goes (first N rows)
# --------------------------------------------------------------------------------------------------
def profile_reading(xlsx: Path, rows: int, top: int = 18) -> dict:
    from django.utils import timezone

    from pensioners.models import Area, AreaLevel
    from pensioners.roster_import import ROSTER_COLUMNS, check_roster_row
    from portal.imports.tabular import RowRejected, open_table

    today = timezone.localdate()
    codes = set(Area.objects.filter(level=AreaLevel.COMMUNITY).values_list("code", flat=True))
    out: dict = {"rows": rows}
    clock = Stopwatch()
    table = open_table(xlsx, ROSTER_COLUMNS)
    out["open_s"] = clock()
    out["estimated_rows"] = table.estimated_rows
    clock = Stopwatch()
    raws = list(islice(iter(table), rows))
    out["read_s"] = clock()
    clock = Stopwatch()
    rejected = 0
    for row_number, raw in raws:
        try:
            check_roster_row(row_number, raw, today=today, community_codes=codes)
        except RowRejected:
            rejected += 1
    out["check_s"] = clock()
    out["check_rejected"] = rejected
    del raws, table
    profiler = cProfile.Profile()
    table = open_table(xlsx, ROSTER_COLUMNS)
    profiler.enable()
    for _ in islice(iter(table), rows):
        pass
    profiler.disable()
    stream = io.StringIO()
    pstats.Stats(profiler, stream=stream).sort_stats("tottime").print_stats(top)
    out["profile_tottime"] = stream.getvalue()
    stream = io.StringIO()
    pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats(top)
    out["profile_cumulative"] = stream.getvalue()
    return out


def trim_profile(text: str) -> str:
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
    total = next((line.strip() for line in lines if "function calls" in line), "")
    return "\n".join([total, *[line.rstrip() for line in lines[start:] if line.strip()]])


# --------------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------------
def mb(value: float) -> str:
    return f"{value / 1024 / 1024:,.0f} MiB"


VARIANT_TEXT = {
    "writeonly": "as openpyxl write_only writes it (inline strings, no `<dimension>`, blank cells left out)",
    "excel": "the same cells as Excel saves them (shared strings table, `<dimension>`), rewritten from the "
    "write_only file",
}


def import_section(name: str, rows: int, imp: dict) -> list[str]:
    state = (
        "**stopped at the time limit**"
        if imp["timed_out"]
        else ("ok" if imp["returncode"] == 0 else f"**exit {imp['returncode']}**")
    )
    expected = imp["line"].startswith(f"created={rows} ") and imp["line"].endswith("rejected=0")
    lines = [
        f"### `{name}`",
        "",
        f"- {state}: wall clock **{imp['wall_s']:.1f} s** ({rows / imp['wall_s']:,.0f} rows/s), "
        f"CPU user {imp['user_s']:.1f} s + sys {imp['sys_s']:.1f} s, **peak RSS {mb(imp['maxrss'])}**",
        f"- output: `{imp['line']}` · expected `created={rows} updated=0 unchanged=0 rejected=0`: "
        + ("✅" if expected else "❌"),
        f"- registry after import: {imp.get('db_counts', '-')} · load average before/after "
        f"{imp['load_before']} / {imp['load_after']}",
    ]
    if imp["stderr"].strip():
        lines += ["", "stderr (first 6 and last 4 lines):", "", "```"]
        err = imp["stderr"].strip().splitlines()
        lines += err[:6] + (["..."] + err[-4:] if len(err) > 10 else err[6:]) + ["```"]
    if imp["statements"]:
        lines += [
            "",
            "Phases, from the import's database session (pg_stat_activity every 0.5 s: when each statement was "
            "first seen running; until the first COPY the process reads and checks the file):",
            "",
            "| s since start | RSS then | statement |",
            "|---:|---:|---|",
        ]
        for when, head, rss in imp["statements"]:
            lines.append(f"| {when:.1f} | {mb(rss)} | `{head.replace('|', '/')}` |")
    if imp["samples"]:
        step = max(1, len(imp["samples"]) // 20)
        picked = imp["samples"][::step]
        lines += [
            "",
            "RSS timeline (sampled): "
            + " · ".join(f"{when:.0f}s {rss / 1048576:,.0f}" for when, rss, _cpu in picked)
            + " (MiB)",
        ]
    return lines


def write_report(meta: dict, variants: dict) -> str:
    rows = meta["rows"]
    lines = [
        f"# XLSX roster at {rows:,} rows: import and upload",
        "",
        f"Run {meta['started']} · code: {meta['source']} · DB `{BENCH_DB}` (fresh for each import: areas + demo "
        f"logins, empty registry) · DEBUG={meta['debug']} · 2 cores, 24 GB.",
        "",
        "Rerun: `.venv/bin/python bench/bench_xlsx.py --rev HEAD --profile-rows 100000`.",
        "",
        "## The files",
        "",
        f"{rows:,} data rows + header, 10 columns, Chinese headers; ID numbers, phones and community codes as "
        "text, dates as Excel dates, amounts as numbers (bench/make_roster.py's generator, seed "
        f"{meta['seed']}). The first 2,000 rows read identically through the importer's reader in both files: "
        f"{'yes' if meta.get('same_cells') else 'NO'}.",
        "",
        "| variant | what | size | sheet XML unpacked | sharedStrings.xml | `<dimension>` | made in |",
        "|---|---|---:|---:|---:|---|---:|",
    ]
    for name, variant in variants.items():
        facts = variant["facts"]
        made = f"{variant['made_s']:.0f} s" if variant.get("made_s") else "cached"
        lines.append(
            f"| `{name}` `{variant['path'].name}` | {VARIANT_TEXT[name]} | {facts['bytes'] / 1e6:.1f} MB | "
            f"{facts['sheet_unpacked'] / 1e6:.0f} MB | {facts['shared_strings'] / 1e6:.1f} MB | "
            f"{facts['dimension'] or 'none'} | {made} |"
        )
    lines += [
        "",
        "## Import: `manage.py import_pensioners FILE` (the upload job's importer), empty registry",
        "",
    ]
    for name, variant in variants.items():
        if variant.get("import"):
            lines += import_section(name, rows, variant["import"]) + [""]
    lines += [
        "## The upload form's check: `sniff_table` on the opened file, in process",
        "",
        "openpyxl.load_workbook is replaced by a function that fails while the checks and requests run.",
        "",
        "| variant | first call | median of 20 | bytes read (reads) | tracemalloc peak | load_workbook calls |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, variant in variants.items():
        sniff = variant["sniff"]
        lines.append(
            f"| `{name}` | {sniff['first_ms']:.2f} ms | {sniff['median_ms']:.2f} ms | "
            f"{sniff['bytes_read']:,} of {variant['facts']['bytes']:,} ({sniff['reads']}) | "
            f"{sniff['tracemalloc_peak'] / 1024:.0f} KiB | {sniff['load_workbook_calls']} |"
        )
    lines += [
        "",
        "## `POST /pensioners/import/` as demo_admin (city administrator), in process",
        "",
        "Django test client, body pre-encoded (multipart, dry run ticked), broker `memory://` (the job is "
        "queued, no worker runs it), MEDIA_ROOT under /tmp/xlsx. Covers the middleware, multipart parsing to a "
        "temporary file, the form check, storing the file and the job, the redirect; not the network. The "
        "Python peak is the test client's own copy of the body (FakePayload copies it into a BytesIO inside "
        "the request), not the view's.",
        "",
        "| variant | body | 3 requests | under tracemalloc: time, Python peak | load_workbook calls | job |",
        "|---|---:|---|---|---:|---|",
    ]
    for name, variant in variants.items():
        up = variant["upload"]
        lines.append(
            f"| `{name}` | {up['body_bytes'] / 1e6:.1f} MB | "
            + ", ".join(f"{ms:.0f} ms" for ms in up["times_ms"])
            + f" → 302 `{up['location']}` | {up['traced_ms']:.0f} ms, {mb(up['traced_peak'])} | "
            f"{up['load_workbook_calls']} | {up['job']} |"
        )
    for name, variant in variants.items():
        prof = variant.get("profile")
        if not prof:
            continue
        lines += [
            "",
            f"## Where reading time goes: `{name}`, first {prof['rows']:,} rows, in process",
            "",
            f"- `open_table` (read the file, zip check, load_workbook read_only, header, dimension): "
            f"{prof['open_s']:.2f} s; estimated_rows = {prof['estimated_rows']:,}",
            f"- iterating {prof['rows']:,} rows (openpyxl cells → RawRow): {prof['read_s']:.1f} s "
            f"({prof['rows'] / prof['read_s']:,.0f} rows/s)",
            f"- check_roster_row on them: {prof['check_s']:.1f} s ({prof['rows'] / prof['check_s']:,.0f} rows/s), "
            f"{prof['check_rejected']:,} rejected",
            "",
            "cProfile of the iteration (after open_table), by own time:",
            "",
            "```",
            trim_profile(prof["profile_tottime"]),
            "```",
        ]
    report = "\n".join(lines) + "\n"
    (RESULTS / "xlsx.md").write_text(report, encoding="utf-8")
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description="XLSX roster import at real size, and the upload check.")
    parser.add_argument("--rows", type=int, default=1_008_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--timeout", type=float, default=IMPORT_TIMEOUT_S, help="stop an import after (s)")
    parser.add_argument(
        "--variants",
        default="writeonly,excel",
        help="which files to import: writeonly, excel (comma-separated)",
    )
    parser.add_argument("--profile-rows", type=int, default=0, help="cProfile reading of the first N rows")
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the bench database at the end")
    parser.add_argument("--rev", help="run this commit (git archive snapshot) instead of the working tree")
    parser.add_argument("--write-xlsx", type=Path, help=argparse.SUPPRESS)  # child mode
    args = parser.parse_args()
    if args.rev:
        benchlib.use_revision(args.rev)
    if args.write_xlsx:
        write_xlsx(args.write_xlsx, args.rows, args.seed)
        return
    chosen = [name.strip() for name in args.variants.split(",") if name.strip()]
    if not chosen or set(chosen) - set(VARIANT_TEXT):
        raise SystemExit(f"--variants: choose from {', '.join(VARIANT_TEXT)}")
    SCRATCH.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    log = SCRATCH / "bench_xlsx.log"
    log.write_text("")
    meta: dict = {
        "started": datetime.now().strftime("%Y-%m-%d %H:%M"),
        "rows": args.rows,
        "seed": args.seed,
        "source": benchlib.describe_source(),
        "debug": int(benchlib.DEBUG_MODE),
    }
    try:
        print(f"[db] fresh {BENCH_DB} (migrate, seed_demo --pensioners 0) ...", flush=True)
        recreate_database(log)
        fresh = True
        raw, raw_s = ensure_xlsx(args.rows, args.seed, log)
        excel, excel_s = ensure_excel_like(raw, args.rows, len(FIELDS))
        variants = {
            "writeonly": {"path": raw, "made_s": raw_s},
            "excel": {"path": excel, "made_s": excel_s},
        }
        variants = {name: variants[name] for name in chosen}
        for name, variant in variants.items():
            variant["facts"] = package_facts(variant["path"])
            print(f"[xlsx] {name}: {variant['facts']}", flush=True)
        for name, variant in variants.items():
            if args.skip_import:
                break
            if not fresh:
                print(f"[db] fresh {BENCH_DB} again ...", flush=True)
                recreate_database(log)
            fresh = False
            run(["sync"])
            load_before = load_average()
            print(
                f"[import] {name}: import_pensioners {variant['path'].name} (limit {args.timeout:.0f}s)",
                flush=True,
            )
            imp = timed_import(variant["path"], log, args.timeout)
            imp["load_before"], imp["load_after"] = load_before, load_average()
            print(
                f"[import] {name}: rc={imp['returncode']} {imp['wall_s']:.1f}s peak RSS {mb(imp['maxrss'])}  "
                f"{imp['line']}",
                flush=True,
            )
            if imp["stderr"].strip():
                print(imp["stderr"][:1500], flush=True)
            if imp["returncode"] == 0:
                imp["db_counts"] = psql(
                    "SELECT (SELECT count(*) FROM pensioners_pensioner) || ' pensioners, ' || "
                    "(SELECT count(*) FROM pensioners_benefitline) || ' benefit lines'"
                )
            variant["import"] = imp
        django_setup()
        meta["same_cells"] = same_cells(raw, excel)
        for name, variant in variants.items():
            print(f"[sniff] {name} ...", flush=True)
            variant["sniff"] = measure_sniff(variant["path"])
            print(f"[sniff] {variant['sniff']}", flush=True)
            print(f"[upload] {name}: POST /pensioners/import/ as demo_admin ...", flush=True)
            variant["upload"] = measure_upload(variant["path"])
            print(f"[upload] {variant['upload']}", flush=True)
            if args.profile_rows:
                print(f"[profile] {name}: reading the first {args.profile_rows:,} rows ...", flush=True)
                variant["profile"] = profile_reading(variant["path"], args.profile_rows)
        print(write_report(meta, variants), flush=True)
    finally:
        if not args.keep_db:
            # dropdb --force ends this process's own session too
            base = ["-h", PG_HOST, "-p", PG_PORT, "-U", PG_USER]
            run(["dropdb", *base, "--if-exists", "--force", BENCH_DB], log=log, check=False)
            print(f"[db] dropped {BENCH_DB}", flush=True)
        media = SCRATCH / "media"
        if media.is_dir():
            for stored in media.rglob("*"):
                if stored.is_file():
                    stored.unlink()


if __name__ == "__main__":
    main()
