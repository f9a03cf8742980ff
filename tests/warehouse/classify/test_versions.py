"""Event labels across warehouse versions: ingest classifies, corrections win and survive later
loads, retrain re-labels only what the model decided and publishes all or nothing."""

from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import pytest

from warehouse.classify import (
    CATEGORY_THRESHOLD_CAP,
    CONFIDENCE_THRESHOLD,
    SOURCES,
    CorrectionStore,
    EventRef,
    apply_stored_corrections,
    default_model,
    retrain,
)
from warehouse.ingest import ingest
from warehouse.secret import Secret
from warehouse.store import WarehouseStore

LABELS = """SELECT org_id, event_id, event_type, event_category, classification_source,
                   classification_confidence, category_confidence, source_event_type,
                   source_event_category FROM events ORDER BY org_id, event_id"""


def _rows(store: WarehouseStore, sql: str = LABELS, params: list[Any] | None = None) -> list[tuple]:
    con = duckdb.connect(str(store.require_current().path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _meta(store: WarehouseStore) -> dict[str, str]:
    return dict(_rows(store, "SELECT key, value FROM meta"))


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory, demo_small: Any) -> tuple[Path, Secret]:
    """One ingest of the small demo, copied for each test."""
    from warehouse.secret import load_or_create_secret

    root = tmp_path_factory.mktemp("labelled")
    secret, _ = load_or_create_secret(root / "secret.key")
    result = ingest(WarehouseStore(root / "wh"), secret, [demo_small.organizations], demo_small.transactions)
    assert result.published and result.events_classified > 50
    return root / "wh", secret


@pytest.fixture
def wh(loaded: tuple[Path, Secret], tmp_path: Path) -> WarehouseStore:
    shutil.copytree(loaded[0], tmp_path / "wh")
    return WarehouseStore(tmp_path / "wh")


def _event(store: WarehouseStore, where: str) -> EventRef:
    [r] = _rows(store, f"""
        SELECT e.org_id, e.event_id, e.event_name, e.country, o.org_type, e.event_type,
               e.event_category, e.classification_source
        FROM events e JOIN organizations o USING (org_id) WHERE {where}
        ORDER BY e.org_id, e.event_id LIMIT 1""")
    return EventRef(*r)


def test_ingest_labels_every_event(wh: WarehouseStore) -> None:
    rows = _rows(wh)
    assert rows and {r[4] for r in rows} <= set(SOURCES)
    assert {"source", "model"} <= {r[4] for r in rows}
    for org, event, etype, ecat, source, t_conf, c_conf, s_type, s_cat in rows:
        assert "unclassified" not in (etype, ecat), (org, event)
        if source == "source":
            assert (etype, ecat, t_conf, c_conf) == (s_type, s_cat, None, None)
        elif source == "model":  # what was predicted reached the threshold, or is `other`
            assert s_type is not None or t_conf >= CONFIDENCE_THRESHOLD
            assert c_conf is None or c_conf >= min(CONFIDENCE_THRESHOLD, CATEGORY_THRESHOLD_CAP) \
                or ecat == "other"
        else:
            assert source == "model_low_confidence" and (etype == "other" or ecat == "other")
    meta = _meta(wh)
    model = default_model(None)
    assert meta["classifier_data_hash"] == model.data_hash
    assert meta["classifier_model_version"] == model.version
    assert float(meta["classification_threshold"]) == CONFIDENCE_THRESHOLD


def test_the_same_files_give_the_same_labels(wh: WarehouseStore, tmp_path: Path, secret: Secret,
                                             demo_small: Any) -> None:
    again = WarehouseStore(tmp_path / "again")
    ingest(again, secret, [demo_small.organizations], demo_small.transactions)
    assert _rows(again) == _rows(wh)


def _one_more_purchase(path: Path, org_id: str, event_id: str, event_type: str,
                       event_category: str) -> Path:
    """A transaction for a known event whose source now gives a type and a category."""
    with open(path, encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    out = path.with_name("later.csv")
    row = {c: "" for c in header}
    row.update(transaction_id="later-1", org_id=org_id, event_id=event_id, event_name="whatever",
               event_start="2025-06-01T19:00:00", purchased_at="2025-05-01T12:00:00",
               tickets="2", amount="300", event_type=event_type, event_category=event_category)
    with open(out, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=header)
        w.writeheader()
        w.writerow(row)
    return out


def test_corrections_survive_a_later_ingest(wh: WarehouseStore, loaded: tuple[Path, Secret],
                                            demo_small: Any, tmp_path: Path) -> None:
    store = CorrectionStore(wh.corrections_db)
    target = _event(wh, "e.classification_source = 'model'")
    store.record(target, "talk", "literature", corrected_by_token_id="t")
    # a later load sees the correction (stored, not yet applied) and applies it ...
    later = _one_more_purchase(demo_small.transactions[0], target.org_id, target.event_id,
                               "konsert", "jazz")
    shutil.copyfile(later, tmp_path / "later.csv")
    result = ingest(wh, loaded[1], [], [tmp_path / "later.csv"])
    assert result.published and result.events_corrected == 1
    [row] = _rows(wh, LABELS.replace("ORDER BY", "WHERE event_id = ? AND org_id = ? ORDER BY"),
                  [target.event_id, target.org_id])
    # ... and the correction wins over what the source now says (kept as the source's labels)
    assert row[2:5] == ("talk", "literature", "feedback")
    assert row[7:] == ("concert", "jazz")
    assert _meta(wh)["corrections_applied_id"] == "1"
    # loading the same again changes nothing, and the correction stays
    shutil.copyfile(later, tmp_path / "later2.csv")
    again = ingest(wh, loaded[1], [], [tmp_path / "later2.csv"])
    assert not again.published
    assert _rows(wh, "SELECT classification_source FROM events WHERE event_id = ? AND org_id = ?",
                 [target.event_id, target.org_id]) == [("feedback",)]


def test_apply_stored_corrections(wh: WarehouseStore) -> None:
    store = CorrectionStore(wh.corrections_db)
    before = wh.require_current()
    assert apply_stored_corrections(wh, store) is None  # nothing stored: nothing published
    assert wh.require_current() == before
    source_event = _event(wh, "e.classification_source = 'source'")
    store.record(source_event, "festival", "folk_world", corrected_by_token_id="t")
    version = apply_stored_corrections(wh, store)
    assert version is not None and version.number == before.number + 1
    assert _rows(wh, "SELECT event_type, event_category, classification_source FROM events "
                     "WHERE org_id = ? AND event_id = ?", [source_event.org_id, source_event.event_id]) == [
        ("festival", "folk_world", "feedback")]
    assert apply_stored_corrections(wh, store) is None  # idempotent
    # every other event is as it was
    others = "WHERE NOT (org_id = ? AND event_id = ?) ORDER BY org_id, event_id"
    key = [source_event.org_id, source_event.event_id]
    con = duckdb.connect(str(before.path), read_only=True)
    assert con.execute(LABELS.replace("ORDER BY org_id, event_id", others), key).fetchall() == \
        _rows(wh, LABELS.replace("ORDER BY org_id, event_id", others), key)
    con.close()


def test_retrain_relabels_only_what_the_model_decided(wh: WarehouseStore, tmp_path: Path) -> None:
    store = CorrectionStore(wh.corrections_db)
    # a title the model labelled for several events: correct one, the others should follow
    [(title,)] = _rows(wh, """SELECT event_name FROM events WHERE classification_source = 'model'
                              AND event_type <> 'talk' GROUP BY 1 HAVING count(*) >= 3
                              ORDER BY count(*) DESC, 1 LIMIT 1""")
    target = _event(wh, f"e.event_name = '{title.replace(chr(39), chr(39) * 2)}'")
    store.record(target, "talk", "literature", corrected_by_token_id="t")
    source_before = _rows(wh, LABELS.replace("ORDER BY", "WHERE classification_source = 'source' ORDER BY"))
    result = retrain(wh, store, classifier_cache=tmp_path / "cache", threshold=CONFIDENCE_THRESHOLD)
    assert result.published and result.corrections == 1 and result.events_relabelled >= 3
    same_title = _rows(wh, "SELECT event_type, event_category, classification_source FROM events "
                           "WHERE event_name = ? ORDER BY event_id", [title])
    assert ("talk", "literature", "feedback") in same_title
    assert all(r[:2] == ("talk", "literature") for r in same_title), same_title  # learnt from it
    assert _rows(wh, LABELS.replace("ORDER BY", "WHERE classification_source = 'source' ORDER BY")) == source_before
    # (similar titles may follow too)
    [moved] = [c["events"] for c in result.type_changes if (c["from"], c["to"]) == (target.event_type, "talk")]
    assert moved >= len(same_title)
    assert result.by_type["talk"]["after"] - result.by_type["talk"]["before"] >= len(same_title)
    assert _meta(wh)["classifier_corrections"] == "1"
    # retraining again with nothing new changes nothing and publishes nothing
    again = retrain(wh, store, classifier_cache=tmp_path / "cache", threshold=CONFIDENCE_THRESHOLD)
    assert not again.published and again.version == result.version and again.events_relabelled == 0


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cid_graph.cli", *args], capture_output=True,
                          text=True, env=env, timeout=300)


def test_retrain_killed_part_way_leaves_the_warehouse_unchanged(wh: WarehouseStore, tmp_path: Path) -> None:
    store = CorrectionStore(wh.corrections_db)
    store.record(_event(wh, "e.classification_source = 'model'"), "talk", "literature",
                 corrected_by_token_id="t")
    before = wh.require_current()
    snapshot = before.path.read_bytes()
    cmd = [sys.executable, "-m", "cid_graph.cli", "classify", "retrain", "--warehouse", str(wh.root)]
    killed = 0
    # kill points: the new version's file exists; training; labelling (just before publishing)
    for n, marker in enumerate(("", "training the event classifier", "classifying")):
        # a fresh cache each time, so that training happens
        env = dict(os.environ, CID_GRAPH_CLASSIFIER_CACHE=str(tmp_path / f"cache{n}"))
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        assert proc.stderr is not None
        if marker:
            for line in proc.stderr:
                if marker in line:
                    break
        else:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not list(wh.versions_dir.glob(".building-*")):
                if proc.poll() is not None:
                    break
                time.sleep(0.005)
        if proc.poll() is None:
            killed += 1
            proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stderr.close()
        assert wh.require_current() == before, "the retrain finished before it was killed"
        assert before.path.read_bytes() == snapshot
    assert killed == 3
    # the next run cleans up and completes
    done = _cli("classify", "retrain", "--warehouse", str(wh.root), "--json",
                env=dict(os.environ, CID_GRAPH_CLASSIFIER_CACHE=str(tmp_path / "cache0")))
    assert done.returncode == 0, done.stderr
    assert wh.require_current().number == before.number + 1
    assert not list(wh.versions_dir.glob(".building-*"))
    assert "training the event classifier" in done.stderr  # progress on stderr


def test_retrain_bad_input(tmp_path: Path, wh: WarehouseStore) -> None:
    env = dict(os.environ, CID_GRAPH_CLASSIFIER_CACHE=str(tmp_path / "cache"))
    missing = _cli("classify", "retrain", "--warehouse", str(tmp_path / "nowhere"), env=env)
    assert missing.returncode == 2 and "no published warehouse" in missing.stderr
    assert "hint:" in missing.stderr and "Traceback" not in missing.stderr
    with wh.writer_lock():  # an ingest is running
        locked = _cli("classify", "retrain", "--warehouse", str(wh.root), "--json", env=env)
    assert locked.returncode == 2 and "is being written" in locked.stderr
    assert '"WAREHOUSE_LOCKED"' in locked.stdout and "Traceback" not in locked.stderr


def test_a_version_from_before_classification_is_brought_up_to_date(wh: WarehouseStore, loaded: tuple[Path, Secret],
                                                                   demo_small: Any, tmp_path: Path) -> None:
    """A warehouse written before this feature: no source/confidence columns, unlabelled events
    left `unclassified` with source `none`. The next load labels them."""
    path = wh.require_current().path
    con = duckdb.connect(str(path))
    con.execute("UPDATE events SET event_type = 'unclassified', event_category = 'unclassified', "
                "classification_source = 'none', classification_confidence = NULL "
                "WHERE classification_source <> 'source'")
    for column in ("source_event_type", "source_event_category", "category_confidence"):
        con.execute(f"ALTER TABLE events DROP COLUMN {column}")
    legacy = con.execute("SELECT count(*) FROM events WHERE classification_source = 'none'").fetchone()[0]
    con.close()
    assert legacy > 0
    target = _event(wh, "e.classification_source = 'source'")
    later = _one_more_purchase(demo_small.transactions[0], target.org_id, target.event_id, "", "")
    shutil.copyfile(later, tmp_path / "later.csv")
    result = ingest(wh, loaded[1], [], [tmp_path / "later.csv"])
    assert result.published and result.events_classified == legacy
    rows = _rows(wh)
    assert not [r for r in rows if "unclassified" in r[2:4] or r[4] not in SOURCES]
    assert {r[4] for r in rows if r[7] is None and r[8] is None} <= {"model", "model_low_confidence"}


def test_a_correction_refreshes_only_its_organizations_rollup_rows(wh: WarehouseStore) -> None:
    """Publishing a correction recomputes the corrected organization's rollup rows only, and
    the rollups equal a full rebuild of the published version."""
    from tests.warehouse.test_derived_refresh import _tables
    from warehouse.derived import rebuild_derived

    store = CorrectionStore(wh.corrections_db)
    target = _event(wh, "e.classification_source = 'model' AND e.event_type <> 'festival'")
    store.record(target, "festival", "folk_world", corrected_by_token_id="t")
    said: list[str] = []
    assert apply_stored_corrections(wh, store, say=said.append) is not None
    refreshed = [m for m in said if m.startswith("refreshed rollup")]
    assert refreshed and all("for 1 changed organization(s)" in m for m in refreshed), said
    assert not [m for m in said if m.startswith("built rollup")]
    got = _tables(wh)
    rebuild_derived(wh)
    assert _tables(wh) == got
    assert any(r[0] == target.org_id and r[2] == "festival" for r in got["rollup_org_events"])
