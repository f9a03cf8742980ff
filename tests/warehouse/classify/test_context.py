"""The context of an event (weekday, hour, runs, prices) as evidence for its type, and the
inputs the ingest path reads for it."""

from __future__ import annotations

import duckdb
import numpy as np
import pytest

from warehouse.classify.apply import _contexts, event_inputs, relabel_events
from warehouse.classify.context import RULES, EventContext, type_prior
from warehouse.classify.model import EventClassifier
from warehouse.ddl import DDL, EVENT_TYPES


def test_no_context_changes_nothing() -> None:
    prior = type_prior([None, EventContext()], EVENT_TYPES)
    assert prior.shape == (2, len(EVENT_TYPES)) and np.all(prior == 1.0)


@pytest.mark.parametrize(("ctx", "up", "down"), [
    (EventContext(weekday=6, hour=11), "family_show", "standup_comedy"),
    (EventContext(weekday=2, hour=13), "exhibition", "concert"),
    (EventContext(weekday=5, hour=22), "concert", "family_show"),
    (EventContext(dates=20, weeks=6.0), "play", "concert"),
    (EventContext(price_eur=95.0), "opera_ballet", "screening"),
    (EventContext(price_eur=12.0), "screening", "opera_ballet"),
    (EventContext(tickets_per_buyer=3.5), "family_show", "talk"),
])
def test_rules_point_the_way_programmes_run(ctx: EventContext, up: str, down: str) -> None:
    prior = type_prior([ctx], EVENT_TYPES)[0]
    index = {t: i for i, t in enumerate(EVENT_TYPES)}
    assert prior[index[up]] > 1.0 > prior[index[down]]


def test_rules_are_mild_and_name_real_types() -> None:
    for rule in RULES:
        assert set(rule.factors) <= set(EVENT_TYPES), rule.name
        assert all(0.3 <= f <= 2.0 for f in rule.factors.values()), rule.name


def test_from_start() -> None:
    assert EventContext.from_start("2026-12-05T11:30") == EventContext(weekday=6, hour=11)
    assert EventContext.from_start("2026-12-07") == EventContext(weekday=1)
    assert EventContext.from_start("") == EventContext() == EventContext.from_start("not a date")


def test_context_moves_the_type_it_is_evidence_for(corpus_model: EventClassifier) -> None:
    titles = ["Snøfnugg", "Snøfnugg"]
    plain = corpus_model.predict(titles, ["theatre_performing_arts"] * 2, ["NO"] * 2)
    family = corpus_model.predict(titles, ["theatre_performing_arts"] * 2, ["NO"] * 2, contexts=[
        EventContext(weekday=6, hour=11, tickets_per_buyer=3.4), None])
    assert family[1] == plain[1]  # None: no context, the same prediction
    if plain[0].event_type != "family_show":
        # the evidence can only make a family show more likely, never less
        assert family[0].event_type == "family_show" or family[0].event_type == plain[0].event_type


def _version() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for stmt in DDL:
        con.execute(stmt)
    con.execute("INSERT INTO organizations VALUES ('o1', 'Sentralteatret', 'theatre_performing_arts', "
                "'NO', 'unknown', NULL)")
    rows = [  # event_sk, event_id, title, local start, source
        (1, "e1", "Peer Gynt", "2025-03-01 19:00", "pending"),
        (2, "e2", "peer gynt ", "2025-03-08 19:00", "model"),
        (3, "e3", "Peer Gynt", "2025-03-22 19:00", "source"),
        (4, "e4", "Matiné", "2025-03-02 00:00", "pending"),
    ]
    con.executemany(
        "INSERT INTO events VALUES (?, 'o1', ?, ?, CAST(? AS TIMESTAMP), CAST(? AS TIMESTAMP), "
        "CAST(CAST(? AS TIMESTAMP) AS DATE), 'NO', 'unknown', 'unknown', 'unclassified', 'unclassified', "
        "?, NULL, NULL, NULL, NULL)", [(sk, e, t, s, s, s, src) for sk, e, t, s, src in rows])
    con.execute("""
        INSERT INTO buyer_rows (buyer_key, event_sk, org_id, first_purchased_at_utc,
               first_purchased_at_local, purchases, tickets, amount_local, amount_eur, age_group,
               gender, buyer_country, buyer_region, buyer_municipality, area_type,
               purchasing_power, education_level, home_type, record_key)
        SELECT sha256(range::VARCHAR)::BLOB, 1, 'o1', TIMESTAMP '2025-02-01', TIMESTAMP '2025-02-01',
               1, CASE WHEN range = 0 THEN 3 ELSE 1 END, 0, CASE WHEN range = 0 THEN 90 ELSE 30 END,
               'unknown', 'unknown', 'NO', 'unknown', NULL, 'unknown', 'unknown', 'unknown', 'unknown', 0
        FROM range(2)""")
    return con


def test_event_inputs_read_the_context_of_each_event() -> None:
    con = _version()
    data = event_inputs(con, ("pending",))
    assert data.column("event_sk").to_pylist() == [1, 4]
    assert data.column("venue_text").to_pylist() == ["Sentralteatret"] * 2  # the organization's name
    first, matinee = _contexts(data)
    # every date of the title at the organization counts, whatever its labels' source
    assert first == EventContext(weekday=6, hour=19, dates=3, weeks=3.0, price_eur=30.0,
                                 tickets_per_buyer=2.0)
    # a start at midnight is a date without a time; no sales: no price, no tickets per buyer
    assert matinee == EventContext(weekday=7, hour=None, dates=1, weeks=0.0)


def test_relabel_events_uses_the_context(corpus_model: EventClassifier) -> None:
    con = _version()
    assert relabel_events(con, corpus_model, 0.0, ("pending",)).events == 2
    fresh = _version()
    data = event_inputs(fresh, ("pending",))
    expected = corpus_model.predict(
        data.column("event_name").to_pylist(), data.column("org_type").to_pylist(),
        data.column("country").to_pylist(), data.column("venue_text").to_pylist(),
        contexts=_contexts(data))
    got = con.execute("SELECT event_type, classification_confidence FROM events "
                      "WHERE event_sk IN (1, 4) ORDER BY event_sk").fetchall()
    assert got == [(p.event_type, p.event_type_confidence) for p in expected]
    fresh.close()
