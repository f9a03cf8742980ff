"""Excel workbooks through the Swedish per-purchase profile: typed cells, and bad workbooks that
fail naming the file, the sheet, the cell and the profile line while nothing stored changes."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from cid_graph.errors import InputFileError
from tests.warehouse.conftest import EXAMPLES
from warehouse.demo.profile_shape import write_profile_shape
from warehouse.ingest import ingest
from warehouse.ingest.sources import Profile, file_columns, load_profile
from warehouse.secret import Secret
from warehouse.store import WarehouseStore

SHEET = "Försäljning"


@pytest.fixture
def shaped(tmp_path: Path) -> tuple[Profile, Path, Path]:
    profile = load_profile("se_purchase_xlsx")
    orgs, txs = write_profile_shape(EXAMPLES / "organizations.csv", [EXAMPLES / "transactions.csv"], profile,
                                    tmp_path / "in")
    return profile, orgs, txs[0]


def _edit(path: Path, change: Any) -> None:
    wb = openpyxl.load_workbook(path)
    change(wb)
    wb.save(path)


def _column(ws: Any, name: str, header_row: int = 3) -> int:
    return next(c.column for c in ws[header_row] if c.value == name)


def _line(profile: Profile, key: str) -> str:
    return f"{profile.path}:{profile.shape.lines[key]}"


def _fails_and_changes_nothing(store: WarehouseStore, secret: Secret, orgs: Path, tx: Path,
                               profile: Profile) -> InputFileError:
    ingest(store, secret, [EXAMPLES / "organizations.csv"], [EXAMPLES / "transactions.csv"])
    before = store.require_current()
    before_bytes = before.path.read_bytes()
    with pytest.raises(InputFileError) as err:
        ingest(store, secret, [orgs], [tx], profile=profile)
    assert store.require_current() == before
    assert before.path.read_bytes() == before_bytes
    assert not list(store.versions_dir.glob(".building-*"))
    return err.value


def test_the_workbook_holds_typed_cells_under_a_title(shaped):
    profile, _, tx = shaped
    wb = openpyxl.load_workbook(tx, read_only=True)
    ws = wb[SHEET]
    rows = list(ws.iter_rows(values_only=True))
    wb.close()
    header = list(rows[2])
    assert rows[0][0] and "Köptid" in header and "Kön" in header
    first = dict(zip(header, rows[3], strict=False))
    assert isinstance(first["Köptid"], datetime)
    assert isinstance(first["Starttid"], str) and datetime.strptime(first["Starttid"], "%Y-%m-%d %H:%M")
    assert isinstance(first["Antal biljetter"], int) and isinstance(first["Belopp"], int | float)
    assert file_columns(tx, profile) == header


def test_numbers_text_amounts_and_text_dates_load_alike(shaped, store, secret, tmp_path):
    profile, orgs, tx = shaped

    def retype(wb: Any) -> None:
        ws = wb[SHEET]
        amount, bought, start = (_column(ws, n) for n in ("Belopp", "Köptid", "Starttid"))
        for row in range(4, ws.max_row + 1):
            cell = ws.cell(row, amount)
            if isinstance(cell.value, int | float):
                cell.value = f"{cell.value:.2f}".replace(".", ",")  # typed as text, Swedish decimal comma
            when = ws.cell(row, bought)
            if isinstance(when.value, datetime):
                when.value = when.value.strftime("%Y-%m-%d %H:%M")
            ws.cell(row, start).value = datetime.strptime(ws.cell(row, start).value, "%Y-%m-%d %H:%M")

    before = ingest(WarehouseStore(tmp_path / "typed"), secret, [orgs], [tx], profile=profile)
    _edit(tx, retype)
    after = ingest(store, secret, [orgs], [tx], profile=profile)
    assert (after.rows_loaded, after.buyers, after.events) == (before.rows_loaded, before.buyers, before.events)


def test_merged_header_cells_fail_naming_the_sheet_the_cells_and_the_profile_line(shaped, store, secret):
    profile, orgs, tx = shaped
    _edit(tx, lambda wb: wb[SHEET].merge_cells("D3:E3"))
    err = _fails_and_changes_nothing(store, secret, orgs, tx, profile)
    assert str(tx) in str(err) and f"sheet {SHEET!r}" in str(err) and "D3:E3 are merged" in str(err)
    assert _line(profile, "format.header_row") in (err.hint or "")


def test_a_merged_title_above_the_header_row_is_fine(shaped, store, secret):
    profile, orgs, tx = shaped
    _edit(tx, lambda wb: wb[SHEET].merge_cells("A1:F1"))
    assert ingest(store, secret, [orgs], [tx], profile=profile).buyers == 5


def test_a_missing_sheet_fails_naming_the_sheets_and_the_profile_line(shaped, store, secret):
    profile, orgs, tx = shaped

    def rename(wb: Any) -> None:
        wb[SHEET].title = "Blad1"

    _edit(tx, rename)
    err = _fails_and_changes_nothing(store, secret, orgs, tx, profile)
    assert f"has no sheet {SHEET!r}" in str(err) and "'Blad1'" in str(err) and str(tx) in str(err)
    assert _line(profile, "format.sheet") in (err.hint or "")


def test_a_missing_column_fails_naming_the_sheet_and_the_profile_line(shaped, store, secret):
    profile, orgs, tx = shaped

    def drop(wb: Any) -> None:
        ws = wb[SHEET]
        ws.cell(3, _column(ws, "Köptid")).value = "Köpdatum"

    _edit(tx, drop)
    err = _fails_and_changes_nothing(store, secret, orgs, tx, profile)
    assert "lacks required column(s) purchased_at" in str(err) and f"sheet {SHEET!r}" in str(err)
    assert f"{profile.path}:{profile.lines['purchased_at']}" in (err.hint or "")


def test_date_cells_that_do_not_parse_fail_naming_the_cell_and_the_profile_line(shaped, store, secret):
    profile, orgs, tx = shaped
    col: dict[str, int] = {}

    def garble(wb: Any) -> None:
        ws = wb[SHEET]
        col["start"] = _column(ws, "Starttid")
        for row in range(4, ws.max_row + 1):
            ws.cell(row, col["start"]).value = "kl. 19.30 " + str(ws.cell(row, col["start"]).value)[:10]

    _edit(tx, garble)
    err = _fails_and_changes_nothing(store, secret, orgs, tx, profile)
    letter = openpyxl.utils.get_column_letter(col["start"])
    assert f"sheet {SHEET!r}, cell {letter}4 (Starttid, read as event_start)" in str(err)
    assert "does not parse as '%Y-%m-%d %H:%M'" in str(err)
    assert _line(profile, "dates.format") in (err.hint or "")


def test_text_dates_with_day_and_month_swapped_say_so(shaped, store, secret):
    profile, orgs, tx = shaped

    def swap(wb: Any) -> None:
        ws = wb[SHEET]
        start = _column(ws, "Starttid")
        for row in range(4, ws.max_row + 1):
            at = datetime.strptime(ws.cell(row, start).value, "%Y-%m-%d %H:%M")
            ws.cell(row, start).value = at.replace(day=13).strftime("%Y-%d-%m %H:%M")

    _edit(tx, swap)
    err = _fails_and_changes_nothing(store, secret, orgs, tx, profile)
    assert "day and month are in the other order" in str(err)
    assert _line(profile, "dates.format") in (err.hint or "")


def test_one_bad_date_cell_is_a_reject_with_its_row(shaped, store, secret, tmp_path):
    profile, orgs, tx = shaped

    def one(wb: Any) -> None:
        ws = wb[SHEET]
        ws.cell(5, _column(ws, "Köptid")).value = "2025-02-30 19:15"

    _edit(tx, one)
    rejects = tmp_path / "rejects.csv"
    result = ingest(store, secret, [orgs], [tx], profile=profile, rejects_path=rejects)
    assert result.rows_rejected == 1
    with open(rejects, encoding="utf-8") as fh:
        [reject] = list(csv.DictReader(fh))
    assert reject["line"] == "5" and "purchased_at" in reject["reason"]


def test_a_sheet_by_position_and_a_dry_run(shaped, store, secret, tmp_path):
    from warehouse.ingest.dry_run import dry_run

    profile, orgs, tx = shaped
    text = Path(profile.path or "").read_text(encoding="utf-8").replace("sheet: Försäljning", "sheet: 1")
    (tmp_path / "by_position.yaml").write_text(text, encoding="utf-8")
    by_position = load_profile(str(tmp_path / "by_position.yaml"))
    report = dry_run(store, secret, [orgs], [tx], profile=by_position)
    result = ingest(store, secret, [orgs], [tx], profile=by_position)
    assert report.totals.rows_loaded == result.rows_loaded == 7
    assert (report.would_add["buyers"], report.would_add["events"]) == (result.buyers, result.events)


def test_the_watcher_skips_excels_lock_file(shaped, store, secret, tmp_path):
    from warehouse.ingest.watch import Watcher

    profile, orgs, tx = shaped
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / orgs.name).write_bytes(orgs.read_bytes())
    (inbox / f"~${tx.name}").write_bytes(b"owner")  # Excel's lock file while the workbook is open
    watcher = Watcher(store, secret, inbox, profile=profile)
    assert watcher.poll() == []
    assert [(r.kind, r.outcome) for r in watcher.poll()] == [("organizations", "loaded")]
    assert (inbox / f"~${tx.name}").exists()
