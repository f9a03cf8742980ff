"""Excel ``.xlsx`` exports: one sheet of a workbook staged as text rows with their row numbers.

A profile with ``format: {type: xlsx, sheet: NAME or position, header_row: N}`` reads the named
sheet (default: the first) with openpyxl in read-only streaming mode, so a workbook of a million
rows is never held in memory. The column names are in row ``header_row`` (rows above it are
titles); every later row that is not empty is a record whose line is its row number in the
sheet, so a reject names the row an operator sees in Excel.

Cells are typed in a workbook, so they are turned into the contract's text here:

* a date cell (or a number in a date column: an Excel serial date) becomes the ISO 8601 local
  date-time, interpreted in the profile's time zone like any other date without an offset;
* a text cell in a date column is parsed with the profile's ``dates.format`` (text that does not
  parse is kept as it is and rejected with its row, like a bad date in a CSV);
* a number becomes its decimal text; an amount is written with the profile's decimal mark, so an
  amount typed as text (``1 234,50``) and one typed as a number load alike.

A workbook that does not fit its profile fails before anything is loaded, naming the file, the
sheet, the cell and the profile line: no such sheet, merged cells in the header row (a merged
heading leaves the columns under it without names), a header cell without a name, a name twice,
or a date column none of whose first values parse (with day and month swapped, said so).
"""

from __future__ import annotations

import re
import warnings
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from cid_graph.errors import InputFileError
from warehouse.ingest.shapes import DATE_COLUMNS, Shape

#: ``where(profile key)`` -> "profile NAME (path:line) key", for hints.
Where = Callable[[str], str]
SUFFIXES = (".xlsx", ".xlsm")
#: Rows staged per batch (the workbook is streamed; a batch is what is held in memory).
BATCH_ROWS = 50_000
#: How many values of a date column judge whether the file fits the profile's date format.
FIT_SAMPLE = 20
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Za-z]+[0-9]+(?::[A-Za-z]+[0-9]+)?)"')


def staged_shape(shape: Shape) -> Shape:
    """The shape the staged rows of a workbook have: dates are already ISO 8601 local time.

    >>> staged_shape(Shape(format="xlsx", date_format="%Y-%m-%d %H:%M", timezone="Europe/Stockholm")).date_format
    """
    return replace(shape, date_format=None)


@contextmanager
def _workbook(path: Path) -> Iterator[Any]:
    import openpyxl

    with warnings.catch_warnings():
        # openpyxl warns about styles and extensions it does not know; only the values matter here.
        warnings.simplefilter("ignore")
        try:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
            raise InputFileError(f"{path} is not a readable .xlsx workbook ({exc})",
                                 hint="Save it again from Excel as an .xlsx workbook (not .xls), or export CSV.") from None
        try:
            yield wb
        finally:
            wb.close()


def _sheet(wb: Any, path: Path, shape: Shape, where: Where) -> Any:
    names = list(wb.sheetnames)
    wanted = shape.sheet
    if wanted is None:
        return wb[names[0]]
    if isinstance(wanted, int):
        if wanted <= len(names):
            return wb[names[wanted - 1]]
        raise InputFileError(
            f"{path} has {len(names)} sheet(s) ({', '.join(map(repr, names))}), so no sheet number {wanted}",
            hint=f"Check {where('format.sheet')}, or export the sheet it names.")
    for name in names:
        if name == wanted or name.strip().lower() == wanted.strip().lower():
            return wb[name]
    raise InputFileError(
        f"{path} has no sheet {wanted!r}; its sheets are {', '.join(map(repr, names))}",
        hint=f"Check {where('format.sheet')}: name one of these sheets (or its position from 1), "
             "or rename the sheet in the workbook.")


def _merged_ranges(ws: Any) -> list[str]:
    """The merged cell ranges of a read-only sheet (openpyxl's read-only mode does not keep them).

    They follow the rows in the sheet's XML, so the part is streamed through once.
    """
    found = b""
    tail = b""
    with ws._get_source() as src:
        while chunk := src.read(1 << 20):
            buf = tail + chunk
            at = buf.find(b"mergeCells")
            if at >= 0:
                found = buf[max(0, at - 16):] + src.read()
                break
            tail = buf[-32:]
    return [m.decode() for m in _MERGE.findall(found)]


def _header(path: Path, ws: Any, shape: Shape, where: Where) -> list[str]:
    from openpyxl.utils.cell import get_column_letter, range_boundaries

    r = shape.header_row
    at = f"{path}, sheet {ws.title!r}"
    for ref in _merged_ranges(ws):
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        if min_row <= r <= max_row:
            raise InputFileError(
                f"{at}: header cells {ref} are merged, so columns {get_column_letter(min_col)} to "
                f"{get_column_letter(max_col)} (rows {min_row} to {max_row}) do not each have a name of their own",
                hint=f"Unmerge the header cells so every column has its own name in row {r} "
                     f"({where('format.header_row')}), or point format.header_row at the row that does.")
    ws.reset_dimensions()  # some writers store a wrong size; read what is there
    row = next(ws.iter_rows(min_row=r, max_row=r, values_only=True), None) or ()
    names = ["" if v is None else str(v).strip() for v in row]
    while names and names[-1] == "":
        names.pop()
    if not names:
        raise InputFileError(
            f"{at}: row {r} is empty, but {where('format.header_row')} says the column names are there",
            hint="Point format.header_row at the row holding the column names, or export the sheet with them.")
    for i, name in enumerate(names):
        if name == "":
            raise InputFileError(
                f"{at}, cell {get_column_letter(i + 1)}{r}: a column without a name in the header row",
                hint=f"Name every column in row {r} or delete the empty one ({where('format.header_row')}).")
    dupes = sorted({h for h in names if names.count(h) > 1})
    if dupes:
        raise InputFileError(f"{at}: header row {r} names column(s) {', '.join(dupes)} twice",
                             hint="Give every column a unique name.")
    return names


def header(path: Path, shape: Shape, where: Where) -> tuple[str, list[str]]:
    """(sheet name, column names) of the sheet a profile reads; InputFileError when it does not fit."""
    with _workbook(path) as wb:
        ws = _sheet(wb, path, shape, where)
        return ws.title, _header(path, ws, shape, where)


# --------------------------------------------------------------------------- cells to text


def _number(value: float | int, decimal: str) -> str:
    if isinstance(value, float):
        text = str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    else:
        text = str(value)
    return text.replace(".", ",") if decimal == "," else text


def _text(value: Any, decimal: str = ".") -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _number(value, decimal)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(timespec="seconds")
    if isinstance(value, date | time):
        return value.isoformat()
    text = str(value)
    return text if text.strip() else None


def _as_text(decimal: str) -> Callable[[Any, int], str | None]:
    def read(value: Any, row: int) -> str | None:
        return _text(value, decimal)

    return read


class _DateColumn:
    """Turns the cells of one date column into ISO local date-times and judges the format's fit."""

    def __init__(self, column: str, source: str, letter: str, fmt: str | None) -> None:
        self.column, self.source, self.letter, self.fmt = column, source, letter, fmt
        self.sample: list[tuple[str, bool, int]] = []  # (text, parsed, row) of text cells

    def __call__(self, value: Any, row: int) -> str | None:
        if value is None:
            return None
        if isinstance(value, datetime):
            return value.replace(tzinfo=None).isoformat(timespec="seconds")
        if isinstance(value, date):
            return value.isoformat() + "T00:00:00"
        if isinstance(value, int | float) and not isinstance(value, bool):
            from openpyxl.utils.datetime import from_excel

            try:
                return from_excel(value).replace(microsecond=0).isoformat(timespec="seconds")
            except (ValueError, OverflowError, TypeError):
                return _number(value, ".")
        text = str(value).strip()
        if not text:
            return None
        if self.fmt is None:  # ISO 8601: read as is, offsets and all
            return text
        try:
            out = datetime.strptime(text, self.fmt).isoformat(timespec="seconds")
            ok = True
        except ValueError:
            out, ok = text, False
        if len(self.sample) < FIT_SAMPLE:
            self.sample.append((text, ok, row))
        return out

    def check_fit(self, path: Path, sheet: str, where: Where) -> None:
        """Fail when none of the first text dates parse (the file does not fit the profile)."""
        if self.fmt is None or len(self.sample) < 3 or any(ok for _, ok, _ in self.sample):
            return
        text, _, row = self.sample[0]
        fmt = self.fmt
        at = f"{path}, sheet {sheet!r}, cell {self.letter}{row} ({self.source}, read as {self.column})"
        swapped = fmt.replace("%d", "\0").replace("%m", "%d").replace("\0", "%m")
        if swapped != fmt and all(_parses(t, swapped) for t, _, _ in self.sample):
            raise InputFileError(
                f"{at}: {text!r} does not parse as {fmt!r} but every one of the first {len(self.sample)} "
                f"text dates of the column parses as {swapped!r}: day and month are in the other order",
                hint=f"Check {where('dates.format')} says {fmt!r}; this sheet writes {swapped!r}.")
        raise InputFileError(
            f"{at}: {text!r} is not an Excel date and does not parse as {fmt!r}, nor do any of the first "
            f"{len(self.sample)} text dates of the column, so the sheet does not fit the profile",
            hint=f"Check {where('dates.format')} (it says {fmt!r}), or format the column as dates in Excel.")


def _parses(text: str, fmt: str) -> bool:
    try:
        datetime.strptime(text, fmt)
    except ValueError:
        return False
    return True


def stage(con: duckdb.DuckDBPyConnection, path: Path, shape: Shape, mapping: dict[str, str],
          columns: Sequence[str], where: Where) -> int:
    """Create the temp table ``_raw`` (``columns`` as text, then ``_line``) from the sheet.

    ``mapping`` is contract column -> header name. Returns the number of records staged.
    """
    from openpyxl.utils.cell import get_column_letter

    con.execute("DROP TABLE IF EXISTS _raw")
    cols_sql = ", ".join(f'"{c}" VARCHAR' for c in columns)
    con.execute(f"CREATE TEMP TABLE _raw ({cols_sql}, _line BIGINT)")
    with _workbook(path) as wb, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ws = _sheet(wb, path, shape, where)
        names = _header(path, ws, shape, where)
        index = {h: i for i, h in enumerate(names)}
        readers: list[tuple[int, Callable[[Any, int], str | None]]] = []
        dates: list[_DateColumn] = []
        for c in columns:
            if c not in mapping:
                readers.append((-1, _as_text(".")))
                continue
            i = index[mapping[c]]
            if c in DATE_COLUMNS:
                d = _DateColumn(c, mapping[c], get_column_letter(i + 1), shape.date_format)
                dates.append(d)
                readers.append((i, d))
            elif c == "amount":
                readers.append((i, _as_text(shape.decimal)))
            else:
                readers.append((i, _as_text(".")))
        batch: list[list[Any]] = [[] for _ in range(len(columns) + 1)]
        n = 0
        checked = False
        rows = ws.iter_rows(min_row=shape.header_row + 1, max_col=len(names), values_only=True)
        for row_no, cells in enumerate(rows, start=shape.header_row + 1):
            if all(v is None or isinstance(v, str) and not v.strip() for v in cells):
                continue
            for k, (i, read) in enumerate(readers):
                batch[k].append(read(cells[i] if 0 <= i < len(cells) else None, row_no))
            batch[-1].append(row_no)
            n += 1
            if not checked and n >= 10 * FIT_SAMPLE:
                for d in dates:
                    d.check_fit(path, ws.title, where)
                checked = True
            if len(batch[-1]) >= BATCH_ROWS:
                _flush(con, columns, batch)
        if not checked:
            for d in dates:
                d.check_fit(path, ws.title, where)
        _flush(con, columns, batch)
    return n


def _flush(con: duckdb.DuckDBPyConnection, columns: Sequence[str], batch: list[list[Any]]) -> None:
    if not batch[-1]:
        return
    arrays = [pa.array(values, pa.string()) for values in batch[:-1]] + [pa.array(batch[-1], pa.int64())]
    _xlsx_batch = pa.Table.from_arrays(arrays, names=[*columns, "_line"])
    # Read by DuckDB's replacement scan of the local name (register() refuses while an earlier
    # result on the connection is unfinished).
    con.execute("INSERT INTO _raw SELECT * FROM _xlsx_batch")
    for values in batch:
        values.clear()
