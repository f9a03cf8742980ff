"""The ingest pipeline: stage, validate, de-duplicate, merge, enrich, publish.

Everything happens in the file of the next version (a copy of the current one); only when it
is complete is it published by an atomic rename. A failure or a kill at any point leaves the
published version as it was.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from cid_graph.errors import CidGraphError, WarehouseError
from warehouse.classify.apply import CONFIDENCE_THRESHOLD
from warehouse.classify.corrections import CorrectionStore
from warehouse.classify.labels import PREDICTED_SOURCES
from warehouse.classify.versions import label_version, prepare
from warehouse.ddl import DDL, PENDING
from warehouse.derived import build_derived, fingerprints_if_built
from warehouse.ingest import history, merge, surveys, validate, vocab
from warehouse.ingest.org_noise import ensure_org_noise
from warehouse.ingest.sources import (
    CANONICAL,
    ORGANIZATION_COLUMNS,
    ORGANIZATION_REQUIRED,
    TRANSACTION_COLUMNS,
    TRANSACTION_REQUIRED,
    Profile,
    check_dates,
    stage_files,
)
from warehouse.reference import load_reference_tables
from warehouse.secret import Secret
from warehouse.store import WarehouseStore

Progress = Callable[[str], None]
#: What the customer pseudonyms' key is derived for (never the buyer key: P1).
CUSTOMER_KEY_PURPOSE = "cid-graph customer history key"


@dataclass
class IngestResult:
    """What one load did. ``rows_read = rows_loaded + rows_rejected + duplicates`` always."""

    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    duplicates: int = 0
    organizations_read: int = 0
    organizations_rejected: int = 0
    buyers: int = 0
    events: int = 0
    organizations: int = 0
    new_events: int = 0
    events_classified: int = 0   # events whose labels the classifier decided in this load
    events_corrected: int = 0    # events whose labels a stored correction changed
    # survey files (warehouse/ingest/surveys.py): responses_read = loaded + rejected + duplicates
    questions_read: int = 0
    questions_rejected: int = 0
    responses_read: int = 0
    responses_loaded: int = 0
    responses_rejected: int = 0
    responses_duplicates: int = 0
    responses_linked: int = 0    # tied to the respondent's buyer row of the event
    responses_unlinked: int = 0  # no customer and event given, or the customer bought no ticket for it
    version: int | None = None
    published: bool = False
    rejects_path: str | None = None
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)

    def reconciles(self) -> bool:
        return (self.rows_read == self.rows_loaded + self.rows_rejected + self.duplicates
                and self.responses_read == self.responses_loaded + self.responses_rejected + self.responses_duplicates
                and self.responses_loaded == self.responses_linked + self.responses_unlinked)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)


def ingest(
    store: WarehouseStore,
    secret: Secret,
    organizations: Sequence[Path] = (),
    transactions: Sequence[Path] = (),
    *,
    profile: Profile = CANONICAL,
    rejects_path: Path | None = None,
    progress: Progress | None = None,
    memory_limit: str | None = None,
    classifier_cache: Path | None = None,
    classification_threshold: float = CONFIDENCE_THRESHOLD,
    survey_questions: Sequence[Path] = (),
    survey_responses: Sequence[Path] = (),
) -> IngestResult:
    """Load contract files into the warehouse at ``store`` and publish a new version.

    Survey questions and responses (warehouse/ingest/surveys.py) load after the transactions of
    the same call, so that an answer links to a purchase loaded with it.

    Events the source does not fully label are classified (the model is trained on the
    shipped corpus plus the stored corrections and cached in ``classifier_cache``; in memory
    only when None), and every stored correction is applied (see ``warehouse.classify``).
    """
    say = progress or (lambda _msg: None)
    started = time.perf_counter()
    result = IngestResult()
    with store.writer_lock():
        number, building = store.start_building()
        try:
            con = connect(building, memory_limit)
            try:
                # What the rollups read, per organization, before the load: the rollups of the
                # organizations it leaves alone are kept as built (warehouse/derived.py).
                before = fingerprints_if_built(con)
                changed = _load(con, secret, organizations, transactions, profile, number, result, say,
                                (survey_questions, survey_responses))
                labelling = label_version(con, CorrectionStore(store.corrections_db),
                                          classifier_cache=classifier_cache,
                                          threshold=classification_threshold, say=say)
                result.events_classified = labelling.predicted
                result.events_corrected = labelling.corrected
                changed = changed or labelling.changed
                rejected = result.rows_rejected or result.organizations_rejected or result.questions_rejected \
                    or result.responses_rejected
                if rejects_path is None and rejected:
                    store.rejects_dir.mkdir(parents=True, exist_ok=True)
                    rejects_path = store.rejects_dir / f"load-v{number:06d}-{int(time.time())}.csv"
                if rejected:
                    assert rejects_path is not None
                    _write_rejects(con, rejects_path)
                    result.rejects_path = str(rejects_path)
                if changed:
                    build_derived(con, say, since=before)
                _totals(con, result)
                if changed:
                    _write_meta(con, secret, number, result)
                    con.execute("CHECKPOINT")
            finally:
                con.close()
            if changed:
                say(f"publishing version v{number:06d}")
                store.publish(number, building)
                result.version, result.published = number, True
            else:
                building.unlink(missing_ok=True)
                current = store.current_version()
                result.version = current.number if current else None
                say("nothing new: the warehouse is unchanged")
        except BaseException:
            building.unlink(missing_ok=True)
            Path(str(building) + ".wal").unlink(missing_ok=True)
            raise
    result.seconds = round(time.perf_counter() - started, 3)
    return result


def connect(path: Path, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """A connection to the version file being built, set up for a load.

    DuckDB's progress bar is off: it writes to stdout, which ``--json`` output owns (progress is
    ours, on stderr).
    """
    con = duckdb.connect(str(path))
    con.execute("SET enable_progress_bar = false")
    if memory_limit:
        con.execute("SET memory_limit = ?", [memory_limit])
    con.execute("SET TimeZone = 'UTC'")
    return con


def _load(
    con: duckdb.DuckDBPyConnection,
    secret: Secret,
    organizations: Sequence[Path],
    transactions: Sequence[Path],
    profile: Profile,
    number: int,
    result: IngestResult,
    say: Progress,
    survey_files: tuple[Sequence[Path], Sequence[Path]] = ((), ()),
    keep_staging: bool = False,
) -> bool:
    """Stage, validate, de-duplicate and merge the files into the open version ``con``.

    Returns whether the version changed. With ``keep_staging`` the validated rows stay in their
    temporary tables (``org_in``, ``tx``, ``sq_in``, ``sr_in``, ``rejects``) for a dry run to
    report on (warehouse/ingest/dry_run.py).
    """
    fresh = not con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta'"
    ).fetchone()[0]  # type: ignore[index]
    migrated = False
    if fresh:
        for stmt in DDL:
            con.execute(stmt)
    else:
        _check_secret(con, secret, result, say)
        migrated = not _count(con, "SELECT count(*) FROM information_schema.columns "
                                   "WHERE table_name = 'buyer_rows' AND column_name = 'customer_status'")
        surveys_migrated = not _count(con, "SELECT count(*) FROM information_schema.columns "
                                           "WHERE table_name = 'buyer_rows' AND column_name = 'survey_status'")
        surveys_migrated |= not _count(con, "SELECT count(*) FROM information_schema.columns "
                                            "WHERE table_name = 'survey_answers' AND column_name = 'question_kind'")
        prepare(con)  # a version written before event classification, customer history or surveys
        if migrated:
            say("added customer history to the buyer rows (statuses stay unknown: load the files again "
                "into a new warehouse to compute them)")
        if surveys_migrated:
            say("added survey metrics to the survey answers and survey statuses to the buyer rows "
                "(buyers who answered before this version count as 'surveyed', not 'responded')")
            surveys.mark_surveyed(con)
        migrated |= surveys_migrated
    load_reference_tables(con)
    if fresh:
        con.execute("INSERT INTO regions SELECT country, iso_3166_2, name, name_en, population FROM ref_regions")
    _population(con)
    _vocabularies(con)

    # Stage every file first: a file that cannot be read fails the load before any change.
    if organizations:
        stage_files(con, "stg_org", organizations, ORGANIZATION_COLUMNS, ORGANIZATION_REQUIRED, profile, say)
    if transactions:
        stage_files(con, "stg_tx", transactions, TRANSACTION_COLUMNS, TRANSACTION_REQUIRED, profile, say)
        check_dates(con, "stg_tx", ("event_start", "purchased_at"), profile)
    questions, responses = survey_files
    surveys.stage(con, questions, responses, say)
    if not organizations and not transactions and not questions and not responses:
        raise WarehouseError("nothing to load", hint="Name --organizations, --transactions, --survey-questions "
                                                     "and/or --survey-responses files.")

    changed = False
    load_id = _count(con, "SELECT coalesce(max(load_id), 0) + 1 FROM loads")
    con.execute("CREATE OR REPLACE TEMP TABLE rejects (file VARCHAR, line BIGINT, \"column\" VARCHAR, reason VARCHAR, value VARCHAR)")
    if organizations:
        say("validating organizations")
        validate.prepare_organizations(con)
        result.organizations_read = _count(con, "SELECT count(*) FROM org_in")
        con.execute("INSERT INTO rejects SELECT _file, _line, reject_column, reject_reason, bad_value FROM org_in WHERE reject_reason IS NOT NULL")
        result.organizations_rejected = _count(con, "SELECT count(*) FROM org_in WHERE reject_reason IS NOT NULL")
        before = _fingerprint(con, "organizations")
        con.execute("""
            INSERT OR REPLACE INTO organizations
            SELECT org_id, arg_min(name, _line), arg_min(org_type, _line), arg_min(country, _line),
                   arg_min(region, _line), arg_min(municipality, _line)
            FROM org_in WHERE reject_reason IS NULL GROUP BY org_id
        """)
        changed = before != _fingerprint(con, "organizations")
    if transactions:
        say("validating and de-duplicating transactions")
        validate.prepare_transactions(con, secret.salt_hex)
        counts = con.execute("""
            SELECT count(*), count(*) FILTER (WHERE reject_reason IS NOT NULL),
                   count(*) FILTER (WHERE duplicate)
            FROM tx
        """).fetchone()
        assert counts is not None
        result.rows_read, result.rows_rejected, result.duplicates = (int(c) for c in counts)
        result.rows_loaded = result.rows_read - result.rows_rejected - result.duplicates
        personal = ", ".join(f"'{c}'" for c in validate.personal_columns())
        con.execute(f"""
            INSERT INTO rejects SELECT _file, _line, nullif(reject_column, ''), reject_reason,
                   CASE WHEN reject_column IN ({personal}) THEN NULL ELSE bad_value END
            FROM tx WHERE reject_reason IS NOT NULL
        """)
        if result.rows_loaded:
            say(f"merging {result.rows_loaded:,} purchases into events and buyer rows")
            merge.insert_transactions_seen(con, load_id)
            result.new_events = merge.merge_events(con)
            merge.merge_buyers(con, secret, secret.derived(CUSTOMER_KEY_PURPOSE))
            say("updating customer histories")
            history.update_history(con, merge.FIRST_ORGS)
            _reclassify_loaded_organizations(con)
            con.execute(
                "INSERT INTO loads VALUES (?, ?, now()::TIMESTAMP, ?, ?, ?, ?, ?)",
                [load_id, number, json.dumps([p.name for p in transactions]), result.rows_read,
                 result.rows_loaded, result.rows_rejected, result.duplicates],
            )
            changed = True
    if questions:
        say("validating survey questions")
        asked = surveys.SurveyCounts()
        changed = surveys.load_questions(con, asked) or changed
        result.questions_read, result.questions_rejected = asked.questions_read, asked.questions_rejected
    if responses:
        say("validating, de-duplicating and linking survey responses")
        answered = surveys.SurveyCounts()
        if surveys.load_responses(con, secret, load_id, answered):
            changed = True
            if not result.rows_loaded:
                con.execute("INSERT INTO loads VALUES (?, ?, now()::TIMESTAMP, ?, 0, 0, 0, 0)",
                            [load_id, number, json.dumps([p.name for p in responses])])
        for name in ("responses_read", "responses_loaded", "responses_rejected", "responses_duplicates",
                     "responses_linked", "responses_unlinked"):
            setattr(result, name, getattr(answered, name))
    if changed:
        surveys.mark_surveyed(con)
    if ensure_org_noise(con, secret):
        changed = True
    if keep_staging:
        return changed or fresh or migrated
    for table in ("tx", "tx_first", "stg_tx", "b_raw", "b_new", merge.FIRST_ORGS, "ev_in", "ev_new",
                  "stg_sq", "stg_sr", "sq", "sq_in", "sr", "sr_in"):
        con.execute(f"DROP TABLE IF EXISTS {table}")
    return changed or fresh or migrated


def _reclassify_loaded_organizations(con: duckdb.DuckDBPyConnection) -> None:
    """Decide the model's labels again for every event of the organizations this load adds
    purchases to: the classifier's context of an event (the organization's dates of the same
    title and over how many weeks, its price level, tickets per buyer) changes with them, so
    loading a member's files in parts labels its events as loading them at once would.
    Corrections and the source's own labels are untouched."""
    predicted = ", ".join(f"'{s}'" for s in PREDICTED_SOURCES)
    con.execute(f"""
        UPDATE events SET classification_source = '{PENDING}'
        WHERE classification_source IN ({predicted})
          AND org_id IN (SELECT DISTINCT org_id FROM tx WHERE reject_reason IS NULL AND NOT duplicate)
    """)


def _population(con: duckdb.DuckDBPyConnection) -> None:
    """The official population (reference data) the version serves, as the reference files state it."""
    con.execute("""UPDATE regions SET population = r.population FROM ref_regions r
                   WHERE r.iso_3166_2 = regions.iso_3166_2 AND r.population IS DISTINCT FROM regions.population""")
    present = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'ref_population'").fetchone()
    if present and present[0]:
        con.execute("""CREATE OR REPLACE TABLE population AS
                       SELECT country, region, age_group, gender, population, year, source FROM ref_population
                       ORDER BY country, region, age_group, gender""")


def _check_secret(con: duckdb.DuckDBPyConnection, secret: Secret, result: IngestResult, say: Progress) -> None:
    row = con.execute("SELECT value FROM meta WHERE key = 'secret_fingerprint'").fetchone()
    if row and row[0] != secret.fingerprint:
        msg = ("the pseudonymization secret differs from the one earlier loads used: purchases in "
               "this load cannot merge into earlier buyer rows, and exact repeats of earlier "
               "transactions are not recognized. Restore the original secret file if you have it.")
        result.warnings.append(msg)
        say("warning: " + msg)


def _vocabularies(con: duckdb.DuckDBPyConnection) -> None:
    tables = {
        "voc_gender": vocab.GENDER, "voc_org_type": vocab.ORG_TYPE,
        "voc_event_type": vocab.EVENT_TYPE, "voc_event_category": vocab.EVENT_CATEGORY,
    }
    for name, table in tables.items():
        pairs = vocab.folded(table)
        con.register("_vocab", pa.table({"key": [k for k, _ in pairs], "code": [v for _, v in pairs]}))
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM _vocab")
        con.unregister("_vocab")
    con.register("_cc", pa.table({"country": list(vocab.CURRENCY_BY_COUNTRY),
                                  "currency": list(vocab.CURRENCY_BY_COUNTRY.values())}))
    con.execute("CREATE OR REPLACE TEMP TABLE country_currency AS SELECT * FROM _cc")
    con.unregister("_cc")


def _write_rejects(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    con.execute(
        f"COPY (SELECT * FROM rejects ORDER BY file, line) TO '{_sql_path(tmp)}' (HEADER, DELIMITER ',')"
    )
    tmp.replace(path)


def _sql_path(path: Path) -> str:
    text = str(path)
    if "'" in text:
        raise CidGraphError(f"the path {text} contains a quote", hint="Choose a path without quotes.")
    return text


def _totals(con: duckdb.DuckDBPyConnection, result: IngestResult) -> None:
    result.buyers = _count(con, "SELECT count(*) FROM buyers")
    result.events = _count(con, "SELECT count(*) FROM events")
    result.organizations = _count(con, "SELECT count(*) FROM organizations")


def _write_meta(con: duckdb.DuckDBPyConnection, secret: Secret, number: int, result: IngestResult) -> None:
    values = {
        "version": str(number),
        "published_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "secret_fingerprint": secret.fingerprint,
        "schema": "1",
        "buyers": str(result.buyers),
        "events": str(result.events),
        "organizations": str(result.organizations),
    }
    for key, value in values.items():
        con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])


def _fingerprint(con: duckdb.DuckDBPyConnection, table: str) -> str:
    row = con.execute(f"SELECT count(*), coalesce(sum(hash(t)), 0) FROM {table} t").fetchone()
    return repr(row)


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row else 0
