"""The drop-folder watcher: complete files load, half-written ones wait, failures are filed away,
a kill during a load changes nothing, and one warehouse has one watcher."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cid_graph.errors import WarehouseLockedError
from tests.warehouse.conftest import EXAMPLES, ROOT
from warehouse.ingest import ingest
from warehouse.ingest.watch import LoadReport, Watcher, file_kind


@pytest.fixture(scope="session")
def classifier_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("classifier-cache")


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    path = tmp_path / "inbox"
    path.mkdir()
    return path


@pytest.fixture
def watcher(store, secret, inbox, classifier_cache) -> Watcher:
    reports: list[LoadReport] = []
    w = Watcher(store, secret, inbox, on_load=reports.append,
                ingest_options={"classifier_cache": classifier_cache})
    w.audited = reports  # type: ignore[attr-defined]
    return w


def fingerprint(store) -> tuple[str, str]:
    version = store.require_current()
    return version.name, hashlib.sha256(version.path.read_bytes()).hexdigest()


def _orgs(store, secret, classifier_cache, path: Path = EXAMPLES / "organizations.csv") -> None:
    ingest(store, secret, [path], classifier_cache=classifier_cache)


def test_files_are_told_apart_by_their_header():
    assert file_kind(EXAMPLES / "transactions.csv") == "transactions"
    assert file_kind(EXAMPLES / "organizations.csv") == "organizations"
    assert file_kind(EXAMPLES / "survey_questions.csv") == "survey_questions"
    assert file_kind(EXAMPLES / "survey_responses.csv") == "survey_responses"


def test_complete_files_load_in_order_and_move_to_loaded_with_a_report(watcher, inbox, store):
    for name in ("transactions.csv", "survey_responses.csv", "survey_questions.csv", "organizations.csv"):
        shutil.copy(EXAMPLES / name, inbox / name)
    assert watcher.poll() == []  # first sight: not yet known to be complete
    reports = watcher.poll()
    # organizations before the transactions that name them, questions before their answers
    assert [r.kind for r in reports] == ["organizations", "transactions", "survey_questions", "survey_responses"]
    assert all(r.outcome == "loaded" for r in reports)
    tx = json.loads((inbox / "loaded" / "transactions.csv.json").read_text(encoding="utf-8"))
    assert tx["result"]["rows_loaded"] == 7 and tx["result"]["duplicates"] == 1
    assert (inbox / "loaded" / "transactions.csv").is_file() and not (inbox / "transactions.csv").exists()
    assert store.require_current().number == 4
    assert [r.file for r in watcher.audited] == [r.file for r in reports]  # type: ignore[attr-defined]
    assert watcher.status()["last_load"]["file"] == "survey_responses.csv"


def test_a_half_written_file_waits_until_it_is_complete(watcher, inbox, store, secret, classifier_cache):
    _orgs(store, secret, classifier_cache)
    lines = (EXAMPLES / "transactions.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    target = inbox / "tx.csv"
    target.write_text("".join(lines[:3]), encoding="utf-8")
    assert watcher.poll() == []
    with open(target, "a", encoding="utf-8") as fh:
        fh.write("".join(lines[3:6]))
    assert watcher.poll() == []  # it grew since the last poll
    with open(target, "a", encoding="utf-8") as fh:
        fh.write("".join(lines[6:]))
    assert watcher.poll() == []
    [report] = watcher.poll()
    assert report.outcome == "loaded" and report.result and report.result["rows_read"] == 8


def test_a_done_marker_loads_at_once(watcher, inbox, store, secret, classifier_cache):
    _orgs(store, secret, classifier_cache)
    shutil.copy(EXAMPLES / "transactions.csv", inbox / "tx.csv")
    (inbox / "tx.csv.done").touch()
    [report] = watcher.poll()
    assert report.outcome == "loaded" and not (inbox / "tx.csv.done").exists()


def test_a_failing_file_moves_to_failed_with_its_error(watcher, inbox, store, secret, classifier_cache):
    _orgs(store, secret, classifier_cache)
    before = fingerprint(store)
    header, *rows = (EXAMPLES / "transactions.csv").read_text(encoding="utf-8").splitlines()
    bad = "\n".join([header.replace("event_start", "Dato"), *(r.replace("2025-03-14T19:30:00", "14.03.2025 19:30")
                                                             for r in rows)])
    (inbox / "bad.csv").write_text(bad + "\n", encoding="utf-8")
    (inbox / "bad.csv.done").touch()
    [report] = watcher.poll()
    assert report.outcome == "failed" and report.error and report.error["code"] == "INPUT_FILE"
    saved = json.loads((inbox / "failed" / "bad.csv.json").read_text(encoding="utf-8"))
    assert saved["error"]["hint"] and (inbox / "failed" / "bad.csv").is_file()
    assert fingerprint(store) == before
    assert watcher.audited[0].outcome == "failed"  # type: ignore[attr-defined]


def test_a_duplicate_file_loads_as_duplicates(watcher, inbox, store, secret, classifier_cache):
    _orgs(store, secret, classifier_cache)
    for _ in range(2):
        shutil.copy(EXAMPLES / "transactions.csv", inbox / "transactions.csv")
        (inbox / "transactions.csv.done").touch()
        [report] = watcher.poll()
    assert report.outcome == "loaded" and report.result
    assert (report.result["rows_read"], report.result["duplicates"], report.result["published"]) == (8, 8, False)
    assert sorted(p.name for p in (inbox / "loaded").iterdir()) == [
        "transactions-1.csv", "transactions-1.csv.json", "transactions.csv", "transactions.csv.json"]


def test_a_second_watcher_is_refused(watcher, store, secret, inbox):
    with store.watch_lock():
        with pytest.raises(WarehouseLockedError, match="watched by"):
            Watcher(store, secret, inbox).run(0.01, once=True)


def test_a_file_waits_while_another_process_writes(watcher, inbox, store, secret, classifier_cache):
    _orgs(store, secret, classifier_cache)
    shutil.copy(EXAMPLES / "transactions.csv", inbox / "tx.csv")
    (inbox / "tx.csv.done").touch()
    with store.writer_lock():
        assert watcher.poll() == []
    assert (inbox / "tx.csv").is_file()
    [report] = watcher.poll()
    assert report.outcome == "loaded"


def test_a_kill_during_a_load_leaves_the_warehouse_and_the_file(tmp_path, store, secret, inbox, demo_small,
                                                               classifier_cache):
    _orgs(store, secret, classifier_cache, demo_small.organizations)
    before = fingerprint(store)
    name = demo_small.transactions[0].name
    shutil.copy(demo_small.transactions[0], inbox / name)
    (inbox / (name + ".done")).touch()
    env = {**os.environ, "CID_GRAPH_SECRET_PATH": str(tmp_path / "secret.key"),
           "CID_GRAPH_CLASSIFIER_CACHE": str(classifier_cache)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "cid_graph.cli", "watch", "--warehouse", str(store.root), "--inbox", str(inbox),
         "--once", "--interval", "0.1"], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    seen = []
    deadline = time.monotonic() + 120
    try:
        for line in proc.stderr:  # kill once the load is deep inside: rows validated, merge begun
            seen.append(line)
            if "merging" in line or time.monotonic() > deadline:
                break
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(30)
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL and any("merging" in s for s in seen), "".join(seen)
    assert fingerprint(store) == before
    assert (inbox / name).is_file() and not (inbox / "loaded").exists()
    # the next watcher loads it (the killed one's lock went with it)
    reports = Watcher(store, secret, inbox, ingest_options={"classifier_cache": classifier_cache}).run(0.01, once=True)
    assert [r.outcome for r in reports] == ["loaded"] and store.require_current().name != before[0]
    assert not list(store.versions_dir.glob(".building-*"))


def test_serve_runs_the_watcher_and_healthz_shows_the_last_load(tmp_path, store, secret, inbox, classifier_cache):
    from cid_graph.app import create_app
    from cid_graph.settings import Settings
    from tests.conftest import GraphQLClient

    _orgs(store, secret, classifier_cache)
    settings = Settings.load(env={}, dotenv=None, warehouse=str(store.root), watch_inbox=str(inbox),
                             watch_interval_s=0.1, secret_path=str(tmp_path / "secret.key"),
                             classifier_cache=str(classifier_cache))
    client = GraphQLClient(create_app(settings))
    try:
        shutil.copy(EXAMPLES / "transactions.csv", inbox / "transactions.csv")
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            watch = client.client.get("/healthz").json()["watch"]
            if watch["last_load"]:
                break
            time.sleep(0.2)
        assert watch["running"] and watch["last_load"]["outcome"] == "loaded"
        assert watch["last_load"]["result"]["rows_loaded"] == 7
    finally:
        client.client._transport.close()  # type: ignore[attr-defined]
    from cid_graph.access import AccessStore

    [row] = [r for r in AccessStore(store.access_db).read_audit() if r["operation"] == "load"]
    assert row["outcome"] == "ok" and json.loads(row["shape"])["rows_loaded"] == 7
