"""``ingest --dry-run`` writes nothing, and what it reports is what a load then does."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from cid_graph.errors import InputFileError
from tests.warehouse.conftest import EXAMPLES
from warehouse.ingest import ingest
from warehouse.ingest.dry_run import dry_run, format_report
from warehouse.ingest.sources import load_profile
from warehouse.store import WarehouseStore

HEADER = ("transaction_id,org_id,event_id,event_name,event_start,venue_postal_code,event_type,"
          "event_category,purchased_at,customer_id,tickets,amount,currency,birth_year,gender,"
          "postal_code,buyer_country")
ROW = "t-{n},no-olt,ev-90,Peer Gynt,{start},0150,teater,drama,2025-04-01T10:00:00,c-{n},2,500,NOK,{born},K,0150,NO"


def snapshot(store: WarehouseStore) -> tuple[str, list[tuple[str, int]]]:
    """The published version's bytes and every path under the warehouse with its size."""
    version = store.require_current().path
    digest = hashlib.sha256(version.read_bytes()).hexdigest()
    listing = sorted((str(p.relative_to(store.root)), p.stat().st_size if p.is_file() else -1)
                     for p in store.root.rglob("*"))
    return digest, listing


def test_dry_run_writes_nothing_and_its_counts_are_the_loads(store, secret, demo_small):
    ingest(store, secret, [EXAMPLES / "organizations.csv"], [EXAMPLES / "transactions.csv"])
    before = snapshot(store)
    files = dict(organizations=[demo_small.organizations], transactions=demo_small.transactions)
    surveys = dict(survey_questions=[demo_small.survey_questions], survey_responses=demo_small.survey_responses)

    report = dry_run(store, secret, **files, **surveys)

    assert snapshot(store) == before
    result = ingest(store, secret, **files, **surveys)
    t = report.totals
    for name in ("rows_read", "rows_loaded", "rows_rejected", "duplicates", "organizations_read",
                 "organizations_rejected", "questions_read", "questions_rejected", "responses_read",
                 "responses_loaded", "responses_rejected", "responses_duplicates", "responses_linked"):
        assert getattr(t, name) == getattr(result, name), name
    assert result.rows_rejected and result.duplicates  # the demo has both, on purpose
    has = report.warehouse_has
    assert report.would_add["buyers"] == result.buyers - has["buyers"]
    assert report.would_add["events"] == result.events - has["events"]
    assert report.would_add["organizations"] == result.organizations - has["organizations"]
    tx = [f for f in report.files if f.kind == "transactions"]
    assert len(tx) == len(demo_small.transactions)
    assert sum(f.rows_read for f in tx) == result.rows_read
    assert sum(f.would_load for f in tx) == result.rows_loaded
    assert sum(g.rows for f in tx for g in f.rejects) == result.rows_rejected
    assert all(len(g.first) <= 3 for f in tx for g in f.rejects)


def test_dry_run_of_a_new_warehouse_creates_nothing(tmp_path, secret):
    store = WarehouseStore(tmp_path / "new")
    report = dry_run(store, secret, [EXAMPLES / "organizations.csv"], [EXAMPLES / "transactions.csv"])
    assert not store.root.exists()
    assert (report.totals.rows_read, report.totals.rows_loaded, report.totals.duplicates) == (8, 7, 1)
    assert report.would_add["buyers"] == 5 and report.would_add["events"] == 4


def test_report_shows_mappings_dates_and_rejects_without_personal_values(tmp_path, store, secret):
    rows = [ROW.format(n=n, start="2025-05-01T19:00:00", born="1980") for n in range(1, 5)]
    rows.append(ROW.format(n=5, start="next friday", born="1980"))
    rows.append(ROW.format(n=6, start="2025-05-01T19:00:00", born="19x0"))
    rows.append(ROW.format(n=7, start="someday", born="1980"))
    tx = tmp_path / "tx.csv"
    tx.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    rejects = tmp_path / "asked" / "rejects.csv"

    report = dry_run(store, secret, [EXAMPLES / "organizations.csv"], [tx], rejects_path=rejects)

    [f] = [f for f in report.files if f.kind == "transactions"]
    assert (f.rows_read, f.would_load, f.rejected, f.duplicates) == (7, 4, 3, 0)
    by_column = {g.column: g for g in f.rejects}
    assert by_column["event_start"].rows == 2 and by_column["event_start"].first == ["tx.csv:6", "tx.csv:8"]
    assert "'…'" in by_column["event_start"].reason and "next friday" not in by_column["event_start"].reason
    assert by_column["birth_year"].first == ["tx.csv:7"]
    assert [(v.value, v.to, v.rows) for v in f.mappings["gender"]] == [("K", "female", 4)]
    assert [(v.value, v.to) for v in f.mappings["event_type"]] == [("teater", "play")]
    assert f.dates["event_start"] == ["2025-05-01T17:00:00Z", "2025-05-01T17:00:00Z"]  # Oslo summer time
    text = format_report(report) + report.to_json()
    assert "K → female: 4" in text and "tx.csv:6" in text
    assert "c-5" not in text and "19x0" not in text  # never a personal value
    assert rejects.is_file() and "c-5" not in rejects.read_text(encoding="utf-8")
    assert not store.root.exists()


def test_unmapped_personal_values_are_shown_only_when_many_rows_share_them(tmp_path, store, secret):
    rows = [ROW.format(n=n, start="2025-05-01T19:00:00", born="1980").replace(",K,", ",Kari Nordmann,")
            for n in range(1, 4)]
    rows += [ROW.format(n=n, start="2025-05-01T19:00:00", born="1980").replace(",K,", ",x,") for n in range(4, 16)]
    tx = tmp_path / "tx.csv"
    tx.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    report = dry_run(store, secret, [EXAMPLES / "organizations.csv"], [tx])
    [f] = [f for f in report.files if f.kind == "transactions"]
    values = [(v.value, v.rows) for v in f.unmapped["gender"]]
    assert values[0] == ("x", 12)
    assert "Kari" not in format_report(report) and values[1][1] == 3


def _profile(tmp_path: Path, columns: dict[str, str]) -> Path:
    path = tmp_path / "ticketco.yaml"
    path.write_text("name: ticketco\n# an export of the box office\ncolumns:\n"
                    + "".join(f"  {k}: {v}\n" for k, v in columns.items()), encoding="utf-8")
    return path


def test_a_profile_whose_dates_do_not_parse_fails_at_once_naming_the_profile_line(tmp_path, store, secret):
    rows = [ROW.format(n=n, start="01.05.2025 19:00", born="1980") for n in range(1, 6)]
    tx = tmp_path / "export.csv"
    tx.write_text("\n".join([HEADER.replace("event_start", "Dato"), *rows]) + "\n", encoding="utf-8")
    profile = load_profile(str(_profile(tmp_path, {"event_id": "event_id", "event_start": "Dato"})))
    with pytest.raises(InputFileError) as err:
        dry_run(store, secret, [EXAMPLES / "organizations.csv"], [tx], profile=profile)
    assert "does not fit the profile" in err.value.message and "'01.05.2025 19:00'" in err.value.message
    assert "profile ticketco" in err.value.hint and "ticketco.yaml:5" in err.value.hint
    with pytest.raises(InputFileError):  # the real load refuses the same file the same way
        ingest(store, secret, [EXAMPLES / "organizations.csv"], [tx], profile=profile)
    assert store.current_version() is None


def test_a_profile_naming_a_missing_column_fails_with_its_line(tmp_path, store, secret):
    tx = tmp_path / "export.csv"
    tx.write_text(HEADER + "\n" + ROW.format(n=1, start="2025-05-01T19:00:00", born="1980") + "\n", encoding="utf-8")
    profile = load_profile(str(_profile(tmp_path, {"event_id": "event_id", "tickets": "Antall"})))
    with pytest.raises(InputFileError) as err:
        dry_run(store, secret, [EXAMPLES / "organizations.csv"], [tx], profile=profile)
    assert "tickets" in err.value.message and "profile ticketco" in err.value.message
    assert "ticketco.yaml:5) maps tickets to 'Antall'" in (err.value.hint or "")


def test_cli_dry_run_json(tmp_path, monkeypatch, capsys):
    from cid_graph.cli import main

    monkeypatch.setenv("CID_GRAPH_SECRET_PATH", str(tmp_path / "secret.key"))
    code = main(["ingest", "--dry-run", "--json", "--warehouse", str(tmp_path / "wh"),
                 "--organizations", str(EXAMPLES / "organizations.csv"),
                 "--transactions", str(EXAMPLES / "transactions.csv")])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["dry_run"] is True and out["totals"]["rows_loaded"] == 7 and out["would_add"]["buyers"] == 5
    assert not (tmp_path / "wh").exists() and not (tmp_path / "secret.key").exists()
