"""classify_events: the threshold rule, the result's shape, and speed on 30k events."""

from __future__ import annotations

import time

import duckdb
import pyarrow as pa
import pytest

from warehouse.classify.apply import CONFIDENCE_THRESHOLD, RESULT_SCHEMA, classify_events
from warehouse.classify.model import EventClassifier, read_corpus

EVENTS = [("o2", "e1", "Rosenborg – Molde", "sports", "NO"),
          ("o1", "e2", "Hedda Gabler", "theatre_performing_arts", "NO"),
          ("o1", "e1", "Zxq", "other", "SE")]


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE TABLE events_to_classify (org_id VARCHAR, event_id VARCHAR, "
                "event_name VARCHAR, org_type VARCHAR, country VARCHAR, venue_postal VARCHAR)")
    con.executemany("INSERT INTO events_to_classify VALUES (?, ?, ?, ?, ?, NULL)", EVENTS)
    return con


def test_result_shape_and_order(con: duckdb.DuckDBPyConnection, corpus_model: EventClassifier) -> None:
    result = classify_events(con, corpus_model)
    assert result.schema == RESULT_SCHEMA
    rows = result.to_pylist()
    assert [(r["org_id"], r["event_id"]) for r in rows] == [("o1", "e1"), ("o1", "e2"), ("o2", "e1")]
    assert rows[1]["event_type"] == "play" and rows[1]["classification_source"] == "model"
    assert rows[2]["event_category"] == "football"
    assert rows[1]["classification_confidence"] >= CONFIDENCE_THRESHOLD


def test_below_threshold_is_other(con: duckdb.DuckDBPyConnection, corpus_model: EventClassifier) -> None:
    rows = classify_events(con, corpus_model, threshold=1.01).to_pylist()
    assert {(r["event_type"], r["event_category"], r["classification_source"]) for r in rows} == {
        ("other", "other", "model_low_confidence")}
    assert all(r["classification_confidence"] > 0 for r in rows)  # the model's, kept for analysis
    rows = classify_events(con, corpus_model, threshold=0.0).to_pylist()
    assert {r["classification_source"] for r in rows} == {"model"}


def test_a_venue_column_is_used_when_present(con: duckdb.DuckDBPyConnection,
                                             corpus_model: EventClassifier) -> None:
    con.execute("ALTER TABLE events_to_classify ADD COLUMN venue VARCHAR")
    con.execute("UPDATE events_to_classify SET venue = 'Lerkendal'")
    assert classify_events(con, corpus_model).num_rows == 3


def test_30k_events_in_seconds(corpus_model: EventClassifier) -> None:
    rows = read_corpus()
    con = duckdb.connect()
    n = 30_000
    table = pa.table({
        "org_id": [f"o{i % 40}" for i in range(n)],
        "event_id": [f"e{i}" for i in range(n)],
        "event_name": [f"{rows[i % len(rows)].title} {i // len(rows)}" for i in range(n)],
        "org_type": [rows[i % len(rows)].org_type for i in range(n)],
        "country": [rows[i % len(rows)].country for i in range(n)],
        "venue_postal": pa.nulls(n, pa.string()),
    })
    con.register("events_to_classify", table)
    start = time.perf_counter()
    result = classify_events(con, corpus_model)
    elapsed = time.perf_counter() - start
    assert result.num_rows == n
    assert elapsed < 20, elapsed  # ~2 s on a laptop; slack for a busy CI runner
