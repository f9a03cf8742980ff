"""A corpus of bad inputs: each gives its reject reason or a clear failure, never a traceback,
and ``rows_read`` always reconciles. Nothing already stored changes."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from cid_graph.errors import InputFileError
from tests.warehouse.conftest import EXAMPLES
from warehouse.ingest import ingest

HEADER = ("transaction_id,org_id,event_id,event_name,event_start,venue_postal_code,event_type,"
          "event_category,purchased_at,customer_id,tickets,amount,currency,birth_year,gender,"
          "postal_code,buyer_country")
GOOD = "t-9001,no-olt,ev-90,Peer Gynt,2025-05-01T19:00:00,0150,play,drama,2025-04-01T10:00:00,c-1,2,500,NOK,1980,F,0150,NO"


def _write(path: Path, *lines: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def _rejects(path: str | None) -> list[dict[str, str]]:
    assert path
    with open(path, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


ROW_CASES = {
    "bad_date": ("t-1,no-olt,ev-90,Peer Gynt,next friday,0150,,,2025-04-01T10:00:00,c-1,2,500,NOK,1980,F,0150,NO",
                 "event_start", "not an ISO 8601"),
    "bad_purchase_time": ("t-1,no-olt,ev-90,Peer Gynt,2025-05-01T19:00:00,0150,,,2025-13-45,c-1,2,500,NOK,1980,F,0150,NO",
                          "purchased_at", "not an ISO 8601"),
    "unknown_org": ("t-1,no-xxx,ev-90,Peer Gynt,2025-05-01T19:00:00,0150,,,2025-04-01T10:00:00,c-1,2,500,NOK,1980,F,0150,NO",
                    "org_id", "not a known organization"),
    "non_integer_tickets": ("t-1,no-olt,ev-90,Peer Gynt,2025-05-01T19:00:00,0150,,,2025-04-01T10:00:00,c-1,2.5,500,NOK,1980,F,0150,NO",
                            "tickets", "not a whole number"),
    "empty_tickets": ("t-1,no-olt,ev-90,Peer Gynt,2025-05-01T19:00:00,0150,,,2025-04-01T10:00:00,c-1,,500,NOK,1980,F,0150,NO",
                      "tickets", "tickets is empty"),
    "bad_amount": ("t-1,no-olt,ev-90,Peer Gynt,2025-05-01T19:00:00,0150,,,2025-04-01T10:00:00,c-1,2,five hundred,NOK,1980,F,0150,NO",
                   "amount", "not a decimal"),
    "bad_currency": ("t-1,no-olt,ev-90,Peer Gynt,2025-05-01T19:00:00,0150,,,2025-04-01T10:00:00,c-1,2,500,XYZ,1980,F,0150,NO",
                     "currency", "not one of"),
    "bad_birth_year": ("t-1,no-olt,ev-90,Peer Gynt,2025-05-01T19:00:00,0150,,,2025-04-01T10:00:00,c-1,2,500,NOK,19x0,F,0150,NO",
                       "birth_year", "four-digit year"),
    "bad_country": ("t-1,no-olt,ev-90,Peer Gynt,2025-05-01T19:00:00,0150,,,2025-04-01T10:00:00,c-1,2,500,NOK,1980,F,0150,Norway",
                    "buyer_country", "ISO 3166-1"),
    "empty_id": (",no-olt,ev-90,Peer Gynt,2025-05-01T19:00:00,0150,,,2025-04-01T10:00:00,c-1,2,500,NOK,1980,F,0150,NO",
                 "transaction_id", "is empty"),
    "too_few_fields": ("t-1,no-olt,ev-90,Peer Gynt", "", "fewer fields"),
    "too_many_fields": (GOOD.replace("t-9001", "t-1") + ",extra,fields", "", "more fields"),
}


@pytest.mark.parametrize("case", sorted(ROW_CASES))
def test_bad_row_is_rejected_with_line_and_reason(tmp_path, store, secret, case):
    line, column, reason = ROW_CASES[case]
    tx = _write(tmp_path / "tx.csv", HEADER, GOOD, line)
    result = ingest(store, secret, [EXAMPLES / "organizations.csv"], [tx])
    assert result.reconciles()
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (2, 1, 1)
    [reject] = _rejects(result.rejects_path)
    assert reject["file"] == "tx.csv" and reject["line"] == "3"
    assert reject["column"] == column
    assert reason in reject["reason"]
    # a rejects file never repeats personal values
    assert "c-1" not in Path(result.rejects_path).read_text()


def test_conflicting_duplicate_in_one_file(tmp_path, store, secret):
    other = GOOD.replace(",2,500,", ",3,750,")
    tx = _write(tmp_path / "tx.csv", HEADER, GOOD, GOOD, other)
    result = ingest(store, secret, [EXAMPLES / "organizations.csv"], [tx])
    assert (result.rows_read, result.rows_loaded, result.duplicates, result.rows_rejected) == (3, 1, 1, 1)
    [reject] = _rejects(result.rejects_path)
    assert reject["line"] == "4" and "conflicting duplicate" in reject["reason"] and "line 2" in reject["reason"]


def test_conflicting_duplicate_across_loads(tmp_path, store, secret):
    ingest(store, secret, [EXAMPLES / "organizations.csv"], [_write(tmp_path / "a.csv", HEADER, GOOD)])
    before = store.require_current()
    other = GOOD.replace(",2,500,", ",3,750,")
    result = ingest(store, secret, [], [_write(tmp_path / "b.csv", HEADER, other)])
    assert (result.rows_read, result.rows_rejected, result.rows_loaded) == (1, 1, 0)
    assert "loaded earlier" in _rejects(result.rejects_path)[0]["reason"]
    assert store.require_current() == before  # nothing changed, nothing published


def test_multiline_field_keeps_physical_line_numbers(tmp_path, store, secret):
    multi = GOOD.replace("Peer Gynt", '"Peer\nGynt"')
    bad = GOOD.replace("t-9001", "t-2").replace(",2,500,", ",x,500,")
    tx = _write(tmp_path / "tx.csv", HEADER, multi, bad)
    result = ingest(store, secret, [EXAMPLES / "organizations.csv"], [tx])
    assert result.rows_read == 2 and result.rows_rejected == 1
    assert _rejects(result.rejects_path)[0]["line"] == "4"


FILE_CASES = {
    "latin1": (lambda p: _write(p, HEADER, GOOD.replace("Peer Gynt", "Café Ødegård"), encoding="latin-1"), "not valid UTF-8"),
    "utf16": (lambda p: _write(p, HEADER, GOOD, encoding="utf-16"), "UTF-16"),
    "empty": (lambda p: _write(p, ""), "empty"),
    "missing_column": (lambda p: _write(p, HEADER.replace("tickets,", ""), GOOD), "lacks required column(s) tickets"),
    "semicolons": (lambda p: _write(p, HEADER.replace(",", ";"), GOOD.replace(",", ";")), "lacks required column"),
    "unclosed_quote": (lambda p: _write(p, HEADER, GOOD, GOOD.replace("t-9001", "t-3").replace("Peer Gynt", '"Peer Gynt'), GOOD.replace("t-9001", "t-4")), "never closed"),
    "duplicate_header": (lambda p: _write(p, HEADER + ",tickets", GOOD + ",2"), "twice"),
    "not_there": (lambda p: p, "does not exist"),
}


@pytest.mark.parametrize("case", sorted(FILE_CASES))
def test_unreadable_file_fails_whole_load_and_changes_nothing(tmp_path, store, secret, case):
    ingest(store, secret, [EXAMPLES / "organizations.csv"], [EXAMPLES / "transactions.csv"])
    before = store.require_current()
    before_bytes = before.path.read_bytes()
    make, message = FILE_CASES[case]
    bad = make(tmp_path / "bad.csv")
    good = _write(tmp_path / "good.csv", HEADER, GOOD)
    with pytest.raises(InputFileError) as info:
        ingest(store, secret, [], [good, bad])  # the good file must not load either
    assert message in str(info.value)
    assert info.value.hint
    assert store.require_current() == before
    assert before.path.read_bytes() == before_bytes
    assert not list(store.versions_dir.glob(".building-*"))


def test_cli_reports_bad_file_without_traceback(tmp_path):
    bad = _write(tmp_path / "bad.csv", HEADER.replace("org_id,", ""), GOOD)
    proc = subprocess.run(
        [sys.executable, "-m", "cid_graph.cli", "ingest", "--warehouse", str(tmp_path / "wh"),
         "--organizations", str(EXAMPLES / "organizations.csv"), "--transactions", str(bad)],
        capture_output=True, text=True, env={"CID_GRAPH_SECRET_PATH": str(tmp_path / "k"), "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "lacks required column(s) org_id" in proc.stderr and "hint:" in proc.stderr


def test_bad_organization_rows(tmp_path, store, secret):
    orgs = _write(tmp_path / "orgs.csv", "org_id,name,org_type,country,postal_code,region",
                  "no-a,A,teater,NO,0150,", "no-b,B,circus,NO,0150,", "no-c,C,museum,XX,,",
                  "no-d,D,music,NO,,NO-99", "no-e,E,Kino,SE,111 52,")
    result = ingest(store, secret, [orgs], [])
    assert (result.organizations_read, result.organizations_rejected) == (5, 3)
    reasons = {r["line"]: r["reason"] for r in _rejects(result.rejects_path)}
    assert "org_type 'circus'" in reasons["3"]
    assert "country 'XX'" in reasons["4"]
    assert "region 'NO-99'" in reasons["5"]
    import duckdb

    con = duckdb.connect(str(store.require_current().path), read_only=True)
    assert dict(con.execute("SELECT org_id, org_type || '/' || region FROM organizations").fetchall()) == {
        "no-a": "theatre_performing_arts/NO-03", "no-e": "film_screening/SE-AB"}
