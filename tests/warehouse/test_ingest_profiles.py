"""Shipped export profiles: the demo network written in each shape loads into the same warehouse."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from cid_graph.errors import InputFileError
from tests.warehouse.conftest import EXAMPLES
from warehouse.demo import generate
from warehouse.demo.profile_shape import write_profile_shape
from warehouse.ingest import ingest
from warehouse.ingest.sources import PROFILES_DIR, load_profile
from warehouse.store import WarehouseStore

AGGREGATES = {
    "counts": "SELECT (SELECT count(*) FROM buyer_rows), (SELECT count(*) FROM events), "
              "(SELECT count(*) FROM organizations)",
    "by_org": "SELECT org_id, count(*), sum(tickets), round(sum(amount_eur), 2) FROM buyer_rows GROUP BY ALL ORDER BY ALL",
    "by_type": "SELECT e.event_type, count(*), sum(b.tickets) FROM buyer_rows b JOIN events e USING (event_sk) "
               "GROUP BY ALL ORDER BY ALL",
    "by_age": "SELECT age_group, gender, count(*), sum(tickets) FROM buyer_rows GROUP BY ALL ORDER BY ALL",
    "by_month": "SELECT date_trunc('month', first_purchased_at_local), count(*), sum(tickets), "
                "round(sum(amount_local), 2) FROM buyer_rows GROUP BY ALL ORDER BY ALL",
    "by_event_month": "SELECT date_trunc('month', event_start_local), count(*) FROM events GROUP BY ALL ORDER BY ALL",
}


def _state(store: WarehouseStore) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(store.require_current().path), read_only=True)
    try:
        return {k: con.execute(q).fetchall() for k, q in AGGREGATES.items()}
    finally:
        con.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    return generate(tmp_path_factory.mktemp("demo"), size="small", seed=11)


@pytest.fixture(scope="module")
def canonical_state(demo, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple]]:
    from warehouse.secret import load_or_create_secret

    tmp = tmp_path_factory.mktemp("canon")
    secret, _ = load_or_create_secret(tmp / "secret")
    store = WarehouseStore(tmp / "wh")
    ingest(store, secret, [demo.organizations], demo.transactions)
    return {"secret": secret, **_state(store)}  # type: ignore[dict-item]


@pytest.mark.parametrize("name", ["no_ticket_semicolon", "dk_jsonl_api", "se_purchase_xlsx", "canonical"])
def test_every_shipped_profile_loads_the_demo_like_the_canonical_files(name, demo, canonical_state, tmp_path: Path):
    profile = load_profile(name)
    orgs, txs = write_profile_shape(demo.organizations, demo.transactions, profile, tmp_path / "shape")
    store = WarehouseStore(tmp_path / "wh")
    ingest(store, canonical_state["secret"], [orgs], txs, profile=profile)
    got = _state(store)
    for key in AGGREGATES:
        assert got[key] == canonical_state[key], key


def test_shipped_profiles_all_parse():
    names = sorted(p.stem for p in PROFILES_DIR.glob("*.yaml"))
    assert {"canonical", "no_ticket_semicolon", "dk_jsonl_api", "se_purchase_xlsx"} <= set(names)
    for name in names:
        load_profile(name)


# --------------------------------------------------------------------------- bad input per profile



def _shaped(name: str, tmp_path: Path) -> tuple:
    profile = load_profile(name)
    orgs, txs = write_profile_shape(EXAMPLES / "organizations.csv", [EXAMPLES / "transactions.csv"], profile,
                                    tmp_path / "in")
    return profile, orgs, txs[0]


def _line_of(profile, key: str) -> str:
    return f"{profile.path}:{profile.shape.lines[key]}"


@pytest.mark.parametrize("name", ["no_ticket_semicolon", "dk_jsonl_api", "se_purchase_xlsx"])
def test_the_examples_load_through_each_profile_like_the_canonical_files(name, tmp_path, store, secret):
    profile, orgs, tx = _shaped(name, tmp_path)
    result = ingest(store, secret, [orgs], [tx], profile=profile)
    canon = ingest(WarehouseStore(tmp_path / "canon"), secret, [EXAMPLES / "organizations.csv"],
                   [EXAMPLES / "transactions.csv"])
    assert (result.buyers, result.events, result.rows_rejected) == (canon.buyers, canon.events, canon.rows_rejected)


def test_a_file_with_the_wrong_delimiter_names_the_profile_line(tmp_path, store, secret):
    profile, orgs, tx = _shaped("no_ticket_semicolon", tmp_path)
    tx.write_text(tx.read_text(encoding="utf-8").replace(";", ","), encoding="utf-8")
    with pytest.raises(InputFileError) as err:
        ingest(store, secret, [orgs], [tx], profile=profile)
    assert "separated by ','" in str(err.value)
    assert _line_of(profile, "format.delimiter") in (err.value.hint or "")


def test_a_per_ticket_file_without_its_purchase_key_names_the_profile_line(tmp_path, store, secret):
    profile, orgs, tx = _shaped("no_ticket_semicolon", tmp_path)
    lines = tx.read_text(encoding="utf-8").splitlines()
    tx.write_text("\n".join(";".join(line.split(";")[1:]) for line in lines) + "\n", encoding="utf-8")
    with pytest.raises(InputFileError) as err:
        ingest(store, secret, [orgs], [tx], profile=profile)
    assert "'Ordrenummer'" in str(err.value) and "summed into purchases" in str(err.value)
    assert _line_of(profile, "grain.purchase_key") in str(err.value)


def test_dates_with_day_and_month_swapped_name_the_profile_line(tmp_path, store, secret):
    import re

    profile, orgs, tx = _shaped("no_ticket_semicolon", tmp_path)
    text = re.sub(r"\b(\d\d)\.(\d\d)\.(\d{4})", r"\2.\1.\3", tx.read_text(encoding="utf-8"))
    tx.write_text(text, encoding="utf-8")
    with pytest.raises(InputFileError) as err:
        ingest(store, secret, [orgs], [tx], profile=profile)
    assert "day and month are in the other order" in str(err.value)
    assert _line_of(profile, "dates.format") in (err.value.hint or "")


def test_json_lines_missing_a_required_nested_field_name_the_profile_line(tmp_path, store, secret):
    import json

    profile, orgs, tx = _shaped("dk_jsonl_api", tmp_path)
    rows = [json.loads(line) for line in tx.read_text(encoding="utf-8").splitlines()]
    for row in rows:
        del row["event"]["starts_at"]
    tx.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    with pytest.raises(InputFileError) as err:
        ingest(store, secret, [orgs], [tx], profile=profile)
    assert "event_start" in str(err.value)
    assert f"{profile.path}:{profile.lines['event_start']}" in (err.value.hint or "")
    assert "event.starts_at" in (err.value.hint or "")


def test_one_json_line_missing_a_nested_field_is_rejected_with_its_line(tmp_path, store, secret):
    import json

    profile, orgs, tx = _shaped("dk_jsonl_api", tmp_path)
    rows = [json.loads(line) for line in tx.read_text(encoding="utf-8").splitlines()]
    del rows[2]["event"]["starts_at"]
    tx.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    rejects = tmp_path / "rejects.csv"
    result = ingest(store, secret, [orgs], [tx], profile=profile, rejects_path=rejects)
    assert result.rows_rejected == 1
    text = rejects.read_text(encoding="utf-8")
    assert f"{tx.name},3," in text and "event_start" in text


def test_personal_columns_are_dropped_at_the_door(tmp_path):
    profile = load_profile("no_ticket_semicolon")
    (tmp_path / "p.yaml").write_text(
        (PROFILES_DIR / "no_ticket_semicolon.yaml").read_text(encoding="utf-8").replace(
            "customer_id: Kundenummer", "customer_id: E-post"), encoding="utf-8")
    with pytest.raises(InputFileError) as err:
        load_profile(str(tmp_path / "p.yaml"))
    assert "drops as personal" in str(err.value)
    assert "Navn" in profile.shape.drop


def test_a_broken_profile_lists_every_problem_with_its_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "name: bad\n"                       # 1
        "format:\n"                         # 2
        "  type: csv\n"                     # 3
        "  delimiter: ';;'\n"               # 4
        "  decimal: '#'\n"                  # 5
        "dates:\n"                          # 6
        "  format: dd.mm.yyyy\n"            # 7
        "  timezone: Europe/Bergen\n"       # 8
        "grain:\n"                          # 9
        "  per: ticket\n"                   # 10
        "values:\n"                         # 11
        "  colour: {R: red}\n"              # 12
        "columns:\n"                        # 13
        "  tikets: Antall\n",               # 14
        encoding="utf-8")
    with pytest.raises(InputFileError) as err:
        load_profile(str(path))
    text = str(err.value)
    for line, words in [(4, "one character"), (5, "decimal"), (7, "strptime"), (8, "Europe/Bergen"),
                        (9, "purchase_key"), (12, "colour"), (14, "tikets")]:
        assert f"{path}:{line}:" in text and words in text, (line, text)


def test_an_old_binary_excel_profile_and_csv_keys_on_a_workbook_are_refused_with_their_lines(tmp_path):
    path = tmp_path / "se.yaml"
    path.write_text("name: se\nformat:\n  type: xls\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"se.yaml:3: the old binary Excel format"):
        load_profile(str(path))
    path.write_text("name: se\nformat:\n  type: xlsx\n  delimiter: ';'\n  header_row: 0\n", encoding="utf-8")
    with pytest.raises(InputFileError) as err:
        load_profile(str(path))
    assert "se.yaml:4: format.delimiter does not apply" in str(err.value)
    assert "se.yaml:5: format.header_row is a row number" in str(err.value)


def test_demo_writes_and_loads_the_network_in_a_profiles_shape(tmp_path, monkeypatch, capsys):
    from cid_graph.cli import main

    monkeypatch.setenv("CID_GRAPH_SECRET_PATH", str(tmp_path / "secret.key"))
    out = tmp_path / "out"
    code = main(["demo", "--warehouse", str(tmp_path / "wh"), "--out", str(out), "--json",
                 "--format", "profile:dk_jsonl_api"])
    assert code == 0
    assert sorted(p.name for p in (out / "profile_dk-jsonl-api").glob("*.jsonl"))[0] == "organizations_dk-jsonl-api.jsonl"
    assert '"buyers"' in capsys.readouterr().out
    assert main(["demo", "--warehouse", str(tmp_path / "wh2"), "--format", "xml"]) != 0


@pytest.mark.parametrize("name", ["no_ticket_semicolon", "dk_jsonl_api", "se_purchase_xlsx"])
def test_the_drop_folder_loads_files_in_a_profiles_shape(name, tmp_path, store, secret):
    from warehouse.ingest.watch import Watcher, file_kind

    profile, orgs, tx = _shaped(name, tmp_path)
    assert (file_kind(orgs, profile), file_kind(tx, profile)) == ("organizations", "transactions")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for path in (orgs, tx):
        (inbox / path.name).write_bytes(path.read_bytes())
    watcher = Watcher(store, secret, inbox, profile=profile)
    assert watcher.poll() == []
    reports = watcher.poll()
    assert [(r.kind, r.outcome) for r in reports] == [("organizations", "loaded"), ("transactions", "loaded")]
    assert reports[1].result is not None and reports[1].result["buyers"] == 5


def test_a_latin1_export_loads_under_a_profile_that_says_so(tmp_path, store, secret):
    profile, orgs, tx = _shaped("no_ticket_semicolon", tmp_path)
    text = (PROFILES_DIR / "no_ticket_semicolon.yaml").read_text(encoding="utf-8").replace(
        "encoding: utf-8", "encoding: latin-1")
    (tmp_path / "latin1.yaml").write_text(text, encoding="utf-8")
    latin = load_profile(str(tmp_path / "latin1.yaml"))
    for path in (orgs, tx):
        path.write_bytes(path.read_text(encoding="utf-8").encode("latin-1", errors="replace"))
    result = ingest(store, secret, [orgs], [tx], profile=latin)
    assert (result.rows_loaded, result.buyers) == (7, 5)


def test_a_dry_run_through_a_profile_reports_what_the_load_does(tmp_path, store, secret):
    from warehouse.ingest.dry_run import dry_run

    profile, orgs, tx = _shaped("no_ticket_semicolon", tmp_path)
    report = dry_run(store, secret, [orgs], [tx], profile=profile)
    result = ingest(store, secret, [orgs], [tx], profile=profile)
    assert report.profile == "no-ticket-semicolon"
    assert report.totals.rows_loaded == result.rows_loaded
    assert (report.would_add["buyers"], report.would_add["events"]) == (result.buyers, result.events)


def test_per_ticket_rows_without_a_purchase_key_are_rejected_not_summed(tmp_path, store, secret):
    """A ticket row whose order number is empty cannot be summed into a purchase: it is a reject
    with its line, and the other tickets of the file load as before."""
    profile, orgs, tx = _shaped("no_ticket_semicolon", tmp_path)
    lines = tx.read_text(encoding="utf-8").splitlines()
    before = ingest(WarehouseStore(tmp_path / "before"), secret, [orgs], [tx], profile=profile)
    key = lines[0].split(";").index("Ordrenummer")
    fields = lines[2].split(";")
    fields[key] = ""
    lines[2] = ";".join(fields)
    tx.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rejects = tmp_path / "rejects.csv"
    result = ingest(store, secret, [orgs], [tx], profile=profile, rejects_path=rejects)
    assert result.rows_rejected == before.rows_rejected + 1
    text = rejects.read_text(encoding="utf-8")
    assert f"{tx.name},3," in text and "transaction_id" in text


def test_dates_swapped_after_rows_that_parse_both_ways_are_refused_whole(tmp_path, store, secret):
    """The first weeks of a file (days of 12 or less) parse with day and month either way; the
    swap shows only later. The whole file is refused, not loaded half swapped and half rejected."""
    import csv

    with (EXAMPLES / "transactions.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    many = []
    for i in range(40):  # 40 purchases; the first 25 on days 1-12, the rest on days 13-28
        row = dict(rows[i % len(rows)], transaction_id=f"t-{i:04d}")
        day = i % 12 + 1 if i < 25 else 13 + i % 16
        row["purchased_at"] = f"2025-03-{day:02d}T10:00:00"
        row["event_start"] = f"2025-04-{day:02d}T19:30:00"
        many.append(row)
    canonical = tmp_path / "transactions.csv"
    with canonical.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(many)
    profile = load_profile("no_ticket_semicolon")
    orgs, txs = write_profile_shape(EXAMPLES / "organizations.csv", [canonical], profile, tmp_path / "in")
    text = txs[0].read_text(encoding="utf-8")
    import re

    txs[0].write_text(re.sub(r"\b(\d\d)\.(\d\d)\.(\d{4})", r"\2.\1.\3", text), encoding="utf-8")
    with pytest.raises(InputFileError) as err:
        ingest(store, secret, [orgs], txs, profile=profile)
    assert "day and month are in the other order" in str(err.value)
    assert "every one of its" in str(err.value)
    assert store.current_version() is None  # nothing was published
