"""``cid-graph ingest --dry-run``: what a load would do, with nothing written.

The dry run is the normal load (:func:`warehouse.ingest.pipeline._load`: the same staging,
validation, harmonization, de-duplication and merge) run against a scratch copy of the
published version in a temporary folder outside the warehouse; it then reports on the load's
validated rows instead of publishing. The warehouse directory is not touched: no new version,
no rejects file (unless ``rejects_path`` names one), no lock file, no classifier cache.

What it reports, per file: rows read and what would be loaded, rejected (grouped by reason,
with the first lines of each) and de-duplicated; the value mappings applied with counts
(``K -> female``), unmapped values and the date range; and for the whole load the buyers, events
and organizations it would add. Reasons never carry a value (quoted values are elided), and
unmapped values of a personal column (gender) are shown only when many rows share them.

>>> _reason_shape("event_start 'next friday' is not an ISO 8601 date-time")
"event_start '…' is not an ISO 8601 date-time"
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from warehouse.ingest.pipeline import IngestResult, Progress, _count, _load, _write_rejects, connect
from warehouse.ingest.sources import CANONICAL, Profile
from warehouse.ingest.sqlparts import fold
from warehouse.secret import Secret
from warehouse.store import WarehouseStore

#: Lines shown per reject reason, and mappings shown per column.
FIRST_LINES = 3
TOP_VALUES = 20
#: An unmapped value of a personal column is shown only when at least this many rows share it.
PERSONAL_MIN_ROWS = 10


@dataclass
class RejectGroup:
    column: str
    reason: str  # the reason with quoted values elided
    rows: int
    first: list[str]  # file:line of the first rows


@dataclass
class ValueCount:
    value: str
    to: str | None
    rows: int


@dataclass
class FileReport:
    file: str
    kind: str  # organizations | transactions | survey_questions | survey_responses
    rows_read: int = 0
    would_load: int = 0
    rejected: int = 0
    duplicates: int = 0
    rejects: list[RejectGroup] = field(default_factory=list)
    mappings: dict[str, list[ValueCount]] = field(default_factory=dict)
    unmapped: dict[str, list[ValueCount]] = field(default_factory=dict)
    dates: dict[str, list[str]] = field(default_factory=dict)  # column -> [first, last] (UTC)


@dataclass
class DryRunReport:
    """What a load of the same files would do. ``totals`` are the numbers ``ingest`` returns."""

    profile: str
    version: int | None  # the published version the load would build on
    files: list[FileReport]
    totals: IngestResult
    would_add: dict[str, int]  # buyers, events, organizations, survey_answers
    warehouse_has: dict[str, int]
    warnings: list[str] = field(default_factory=list)
    rejects_path: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        totals = out.pop("totals")
        for name in ("version", "published", "rejects_path", "seconds", "warnings", "buyers", "events",
                     "organizations", "events_classified", "events_corrected"):
            totals.pop(name, None)
        out["totals"] = totals
        out["dry_run"] = True
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)


def dry_run(
    store: WarehouseStore,
    secret: Secret,
    organizations: Sequence[Path] = (),
    transactions: Sequence[Path] = (),
    *,
    profile: Profile = CANONICAL,
    rejects_path: Path | None = None,
    progress: Progress | None = None,
    memory_limit: str | None = None,
    survey_questions: Sequence[Path] = (),
    survey_responses: Sequence[Path] = (),
) -> DryRunReport:
    """Run the load of these files against a scratch copy of the published version and report.

    Raises what ``ingest`` raises for a file that cannot be read or does not fit the profile.
    """
    say = progress or (lambda _msg: None)
    current = store.current_version()
    result = IngestResult()
    with tempfile.TemporaryDirectory(prefix="cid-dry-run-") as tmp:
        scratch = Path(tmp) / "scratch.duckdb"
        if current is not None:
            say(f"copying version {current.name} to a scratch file")
            shutil.copyfile(current.path, scratch)
        con = connect(scratch, memory_limit)
        try:
            before = _sizes(con)
            _load(con, secret, organizations, transactions, profile, (current.number if current else 0) + 1,
                  result, say, (survey_questions, survey_responses), keep_staging=True)
            after = _sizes(con)
            files = [
                *(_organization_files(con) if organizations else []),
                *(_transaction_files(con) if transactions else []),
                *(_question_files(con) if survey_questions else []),
                *(_response_files(con) if survey_responses else []),
            ]
            _attach_rejects(con, files)
            if rejects_path is not None and _count(con, "SELECT count(*) FROM rejects"):
                _write_rejects(con, rejects_path)
            else:
                rejects_path = None
        finally:
            con.close()
    return DryRunReport(
        profile=profile.name, version=current.number if current else None, files=files, totals=result,
        would_add={k: after[k] - before[k] for k in after}, warehouse_has=before,
        warnings=list(result.warnings), rejects_path=str(rejects_path) if rejects_path else None,
    )


def _sizes(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    present = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    queries = {"buyers": "SELECT count(*) FROM buyers", "events": "SELECT count(*) FROM events",
               "organizations": "SELECT count(*) FROM organizations",
               "survey_answers": "SELECT count(*) FROM survey_answer_rows"}
    tables = {"buyers": "buyers", "events": "events", "organizations": "organizations",
              "survey_answers": "survey_answer_rows"}
    return {k: (_count(con, q) if tables[k] in present else 0) for k, q in queries.items()}


def _counts(con: duckdb.DuckDBPyConnection, kind: str, table: str, duplicates: bool) -> dict[str, FileReport]:
    dup = "count(*) FILTER (WHERE duplicate)" if duplicates else "0"
    rows = con.execute(f"""
        SELECT _file, count(*), count(*) FILTER (WHERE reject_reason IS NOT NULL), {dup}
        FROM {table} GROUP BY _file ORDER BY _file
    """).fetchall()
    out: dict[str, FileReport] = {}
    for name, read, rejected, dups in rows:
        out[name] = FileReport(name, kind, int(read), int(read) - int(rejected) - int(dups), int(rejected), int(dups))
    return out


def _values(con: duckdb.DuckDBPyConnection, table: str, raw: str, mapped: str, where: str) -> dict[str, list[tuple[str, str | None, int]]]:
    """Per file: (raw value as given, mapped value or None, rows), most rows first."""
    out: dict[str, list[tuple[str, str | None, int]]] = {}
    for name, value, to, rows in con.execute(f"""
        SELECT _file, coalesce(nullif(trim({raw}), ''), '(empty)'), {mapped}, count(*)
        FROM {table} WHERE {where} GROUP BY ALL ORDER BY 1, 4 DESC, 2
    """).fetchall():
        out.setdefault(name, []).append((value, to, int(rows)))
    return out


def _add_values(reports: dict[str, FileReport], column: str, values: dict[str, list[tuple[str, str | None, int]]],
                personal: bool = False) -> None:
    for name, rows in values.items():
        report = reports.get(name)
        if report is None:
            continue
        mapped = [ValueCount(v, to, n) for v, to, n in rows if to is not None]
        unmapped = [ValueCount(v, None, n) for v, to, n in rows if to is None and v != "(empty)"]
        if personal:
            hidden = [u for u in unmapped if u.rows < PERSONAL_MIN_ROWS]
            unmapped = [u for u in unmapped if u.rows >= PERSONAL_MIN_ROWS]
            if hidden:
                unmapped.append(ValueCount(f"({len(hidden)} other values, each in fewer than "
                                           f"{PERSONAL_MIN_ROWS} rows: not shown)", None, sum(u.rows for u in hidden)))
        if mapped:
            report.mappings[column] = mapped[:TOP_VALUES]
        if unmapped:
            report.unmapped[column] = unmapped[:TOP_VALUES]


def _add_dates(con: duckdb.DuckDBPyConnection, reports: dict[str, FileReport], table: str,
               columns: dict[str, str], where: str) -> None:
    for label, col in columns.items():
        for name, first, last in con.execute(f"""
            SELECT _file, strftime(min(timezone('UTC', {col})), '%Y-%m-%dT%H:%M:%SZ'),
                   strftime(max(timezone('UTC', {col})), '%Y-%m-%dT%H:%M:%SZ')
            FROM {table} WHERE {where} AND {col} IS NOT NULL GROUP BY _file
        """).fetchall():
            if name in reports:
                reports[name].dates[label] = [first, last]


_LOADED = "reject_reason IS NULL AND NOT duplicate"


def _transaction_files(con: duckdb.DuckDBPyConnection) -> list[FileReport]:
    reports = _counts(con, "transactions", "tx", duplicates=True)
    _add_values(reports, "gender", _values(
        con, "tx", "gender_raw", "CASE WHEN gender <> 'unknown' THEN gender END", _LOADED), personal=True)
    _add_values(reports, "currency", _values(con, "tx", "currency_raw", "currency", _LOADED))
    for column, vocab in (("event_type", "voc_event_type"), ("event_category", "voc_event_category")):
        _add_values(reports, column, _values(
            con, "tx", f"{column}_raw", f"(SELECT v.code FROM {vocab} v WHERE v.key = {fold(column + '_raw')})",
            _LOADED))
    _add_dates(con, reports, "tx", {"event_start": "event_start_tz", "purchased_at": "purchased_at_tz"}, _LOADED)
    return list(reports.values())


def _organization_files(con: duckdb.DuckDBPyConnection) -> list[FileReport]:
    reports = _counts(con, "organizations", "org_in", duplicates=False)
    _add_values(reports, "org_type", _values(con, "org_in", "org_type_raw", "org_type", "reject_reason IS NULL"))
    return list(reports.values())


def _question_files(con: duckdb.DuckDBPyConnection) -> list[FileReport]:
    reports = _counts(con, "survey_questions", "sq_in", duplicates=False)
    _add_values(reports, "kind", _values(con, "sq_in", "kind", "kind", "reject_reason IS NULL"))
    return list(reports.values())


def _response_files(con: duckdb.DuckDBPyConnection) -> list[FileReport]:
    reports = _counts(con, "survey_responses", "sr_in", duplicates=True)
    _add_dates(con, reports, "sr_in", {"answered_at": "answered_tz"}, _LOADED)
    return list(reports.values())


def _attach_rejects(con: duckdb.DuckDBPyConnection, files: list[FileReport]) -> None:
    by_name = {f.file: f for f in files}
    rows = con.execute(f"""
        SELECT file, coalesce("column", '') AS col, reason, count(*) AS n,
               list(line ORDER BY line)[1:{FIRST_LINES}] AS first
        FROM rejects GROUP BY ALL ORDER BY file, n DESC, col
    """).fetchall()
    grouped: dict[tuple[str, str, str], RejectGroup] = {}
    for name, column, reason, n, first in rows:
        key = (name, column, _reason_shape(reason))
        group = grouped.get(key)
        if group is None:
            group = grouped[key] = RejectGroup(column, key[2], 0, [])
            if name in by_name:
                by_name[name].rejects.append(group)
        group.rows += int(n)
        group.first = sorted({*group.first, *(f"{name}:{line}" for line in first)},
                             key=lambda s: int(s.rsplit(":", 1)[1]))[:FIRST_LINES]
    for report in files:
        report.rejects.sort(key=lambda g: -g.rows)


_QUOTED = re.compile(r"'(?:[^']|'')*'")
_NUMBERED = re.compile(r"\b(line|load) \d+")


def _reason_shape(reason: str) -> str:
    """A reject reason without the values it quotes, so that like rejects group together."""
    return _NUMBERED.sub(r"\1 …", _QUOTED.sub("'…'", reason))


def format_report(report: DryRunReport) -> str:
    """The report as text for a person (``--json`` gives :meth:`DryRunReport.to_json`)."""
    base = f"version v{report.version:06d}" if report.version else "an empty warehouse"
    lines = [f"dry run of a load into {base} with profile {report.profile}: nothing was written"]
    for f in report.files:
        lines.append(f"{f.file} ({f.kind.replace('_', ' ')}): {f.rows_read:,} rows read: {f.would_load:,} would load, "
                     f"{f.rejected:,} rejected, {f.duplicates:,} duplicates")
        for column, values in f.mappings.items():
            lines.append(f"  {column}: " + ", ".join(f"{v.value} → {v.to}: {v.rows:,}" for v in values))
        for column, values in f.unmapped.items():
            note = {"gender": " (loaded as unknown)", "event_type": " (the classifier decides)",
                    "event_category": " (the classifier decides)"}.get(column, "")
            lines.append(f"  unmapped {column}{note}: " + ", ".join(f"{v.value}: {v.rows:,}" for v in values))
        for column, (first, last) in f.dates.items():
            lines.append(f"  {column}: {first} to {last}")
        if f.rejects:
            lines.append("  rejected, by reason:")
            for g in f.rejects:
                more = ", …" if g.rows > len(g.first) else ""
                lines.append(f"    {g.rows:,} × {g.reason} ({', '.join(g.first)}{more})")
    t = report.totals
    lines.append(f"in all: {t.rows_read:,} transactions read: {t.rows_loaded:,} would load, {t.rows_rejected:,} "
                 f"rejected, {t.duplicates:,} duplicates"
                 + (f"; {t.organizations_read:,} organizations read, {t.organizations_rejected:,} rejected"
                    if t.organizations_read else "")
                 + (f"; {t.responses_read:,} survey answers read, {t.responses_loaded:,} would load"
                    if t.responses_read else ""))
    add, has = report.would_add, report.warehouse_has
    lines.append(f"would add {add['buyers']:,} buyers, {add['events']:,} events and {add['organizations']:,} "
                 f"organizations" + (f" and {add['survey_answers']:,} survey answers" if add["survey_answers"] else "")
                 + f" (the warehouse has {has['buyers']:,}, {has['events']:,} and {has['organizations']:,})")
    lines.extend(f"warning: {w}" for w in report.warnings)
    if report.rejects_path:
        lines.append(f"rejected rows are listed in {report.rejects_path}")
    return "\n".join(lines)
