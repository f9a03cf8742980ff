"""The demo network's contract files rewritten in the shape a profile describes.

``cid-graph demo --format profile:NAME`` writes the canonical files first, then this module
writes the same purchases the way that profile's system would export them: its file format and
dialect, its column names (nested paths become nested JSON objects), its date format and time
zone, its value codes, one row per ticket when the profile's grain is per ticket, refunds marked
in a column when the profile says so, and the personal columns the profile drops written under
the names it drops, so a load proves they never get in.

An Excel profile gets a workbook per file (more when a file has more rows than a sheet holds),
the sheet it names, title lines above its header row, and typed cells the way a spreadsheet
export writes them: purchase times as real Excel dates, counts, amounts and birth years as
numbers, identifiers and postal codes as text, the event start as text in the profile's date
format (so both kinds of date cell are loaded).

Rows the canonical load rejects or de-duplicates are kept as far as the shape can carry them;
a per-ticket export cannot carry a duplicate purchase (its tickets would be counted twice) nor
a fractional ticket count, so those rows are left out of it. Loading the result through the
profile gives the same warehouse as loading the canonical files.
"""

from __future__ import annotations

import csv
import json
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from warehouse.demo.output import IDENTIFIER_COLUMNS
from warehouse.ingest.sources import Profile
from warehouse.reference import COUNTRY_TIMEZONE

#: Rows of one Excel sheet (the format's limit), header and title lines included.
XLSX_MAX_ROWS = 1_048_576
#: The word a refund-marker column writes on an ordinary sale, by the profile's refund word.
_SALE_WORD = {"refusjon": "Salg", "återköp": "Köp"}


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _local(value: str, country: str, profile: Profile) -> str:
    """An ISO date-time rewritten in the profile's date format and time zone (unparseable: as is)."""
    shape = profile.shape
    if not shape.date_format or not value:
        return value
    try:
        at = datetime.fromisoformat(value.strip())
    except ValueError:
        return value
    if at.tzinfo is None:
        at = at.replace(tzinfo=ZoneInfo(COUNTRY_TIMEZONE.get(country, "UTC")))
    zone = ZoneInfo(shape.timezone) if shape.timezone else ZoneInfo(COUNTRY_TIMEZONE.get(country, "UTC"))
    return at.astimezone(zone).strftime(shape.date_format)


def _reverse(profile: Profile, column: str, value: str) -> str:
    for source, contract in profile.shape.values.get(column, {}).items():
        if contract == value:
            return source
    return value


def _amount(value: str, profile: Profile) -> str:
    return value.replace(".", ",") if profile.shape.decimal == "," and value else value


def _split(amount: str, n: int) -> list[str]:
    """``amount`` over ``n`` tickets, to the cent, the remainder on the first ticket."""
    try:
        total = Decimal(amount)
    except (InvalidOperation, ValueError):
        return [amount] + [""] * (n - 1)
    each = (total / n).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
    first = total - each * (n - 1)
    return [str(first)] + [str(each)] * (n - 1)


def _cell(contract: str | None, value: Any, profile: Profile) -> Any:
    """A text value as the typed cell a spreadsheet export writes (text when it is not that type)."""
    if value in (None, ""):
        return None
    text = str(value)
    try:
        if contract in ("tickets", "birth_year") and text.lstrip("-").isdigit():
            return int(text)
        if contract == "amount":
            return float(text.replace(",", ".") if profile.shape.decimal == "," else text)
        if contract == "purchased_at" and profile.shape.date_format:
            return datetime.strptime(text, profile.shape.date_format)
    except ValueError:
        pass
    return text


def _write_xlsx(rows: list[dict[str, Any]], columns: list[str], path: Path, profile: Profile) -> None:
    import openpyxl

    shape = profile.shape
    contract_of = {source: contract for contract, source in profile.columns.items()}
    wb = openpyxl.Workbook(write_only=True)
    sheets = shape.sheet if isinstance(shape.sheet, int) else 1
    for i in range(1, sheets):
        wb.create_sheet(f"Blad{i}").append(["(not this sheet)"])
    ws = wb.create_sheet(shape.sheet if isinstance(shape.sheet, str) else f"Blad{sheets}")
    for line in range(1, shape.header_row):
        ws.append([f"Export {path.stem}" if line == 1 else None])
    ws.append(columns)
    for row in rows:
        ws.append([_cell(contract_of.get(c, c), row.get(c), profile) for c in columns])
    wb.save(path)


def _write(rows: list[dict[str, Any]], columns: list[str], path: Path, profile: Profile) -> None:
    shape = profile.shape
    if shape.format == "xlsx":
        _write_xlsx(rows, columns, path, profile)
        return
    if shape.format == "jsonl":
        with open(path, "w", encoding="utf-8") as fh:
            for row in rows:
                obj: dict[str, Any] = {}
                for c in columns:
                    if row.get(c) in (None, ""):
                        continue
                    node = obj
                    *parents, leaf = c.split(".")
                    for part in parents:
                        node = node.setdefault(part, {})
                    node[leaf] = row[c]
                fh.write(json.dumps(obj, ensure_ascii=False) + "\n")
        return
    with open(path, "w", encoding=shape.encoding, newline="") as fh:
        writer = csv.writer(fh, delimiter=shape.delimiter, quotechar=shape.quote, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([row.get(c, "") for c in columns])


def write_profile_shape(organizations: Path, transactions: list[Path], profile: Profile,
                        out_dir: Path) -> tuple[Path, list[Path]]:
    """Write the canonical demo files in ``profile``'s shape into ``out_dir``; returns the new paths."""
    shape = profile.shape
    out_dir.mkdir(parents=True, exist_ok=True)
    ext = {"jsonl": ".jsonl", "xlsx": ".xlsx"}.get(shape.format, ".csv")
    orgs = _read_csv(organizations)
    country = {o["org_id"]: o["country"] for o in orgs}
    org_cols = list(orgs[0])
    org_out = out_dir / f"organizations_{profile.name}{ext}"
    _write([{profile.source_name(c): o[c] for c in org_cols} for o in orgs],
           [profile.source_name(c) for c in org_cols], org_out, profile)

    personal = dict(zip(IDENTIFIER_COLUMNS, shape.drop, strict=False))
    seen: set[tuple[str, str]] = set()
    paths = []
    for tx_path in transactions:
        rows = _read_csv(tx_path)
        contract_cols = [c for c in rows[0] if c not in IDENTIFIER_COLUMNS] if rows else []
        out_rows: list[dict[str, Any]] = []
        for row in rows:
            c = country.get(row["org_id"], "")
            new = dict(row)
            for col in ("event_start", "purchased_at"):
                new[col] = _local(row[col], c, profile)
            for col in shape.values:
                if col in new:
                    new[col] = _reverse(profile, col, new[col])
            new["amount"] = _amount(row["amount"], profile)
            tickets = row["tickets"].strip()
            refund = tickets.startswith("-")
            marker = ""
            if shape.refund_column:
                marker = shape.refund_values[0] if refund else _SALE_WORD.get(shape.refund_values[0].lower(), "")
                tickets = tickets.lstrip("-")
                if new["amount"]:
                    new["amount"] = new["amount"].lstrip("-")
            new["tickets"] = tickets
            mapped = {profile.source_name(k): v for k, v in new.items() if k in contract_cols}
            for ident, source in personal.items():
                mapped[source] = row.get(ident, "")
            if shape.refund_column:
                mapped[shape.refund_column] = marker
            if shape.grain != "ticket":
                out_rows.append(mapped)
                continue
            key = (row["org_id"], row["transaction_id"])
            if key in seen or not tickets.isdigit() or int(tickets) == 0:
                continue  # a duplicate purchase or a fractional count cannot be written per ticket
            seen.add(key)
            n = int(tickets)
            amounts = _split(new["amount"].replace(",", "."), n) if new["amount"] else [""] * n
            for i in range(n):
                ticket = dict(mapped)
                ticket["Billettnummer"] = f"{row['transaction_id']}-{i + 1}"
                ticket[profile.source_name("amount")] = _amount(amounts[i], profile)
                out_rows.append(ticket)
        columns = [profile.source_name(k) for k in contract_cols
                   if not (shape.grain == "ticket" and k in ("tickets", "transaction_id"))]
        if shape.grain == "ticket":
            columns = [shape.purchase_key or "", "Billettnummer", *columns]
            for r in out_rows:
                r[shape.purchase_key or ""] = r.pop(profile.source_name("transaction_id"), "")
        columns += list(personal.values()) + ([shape.refund_column] if shape.refund_column else [])
        per_file = XLSX_MAX_ROWS - shape.header_row if shape.format == "xlsx" else len(out_rows) or 1
        parts = range(0, max(len(out_rows), 1), per_file)
        for part, start in enumerate(parts, start=1):
            suffix = f"_part{part}" if len(parts) > 1 else ""
            target = out_dir / f"{tx_path.stem}_{profile.name}{suffix}{ext}"
            _write(out_rows[start:start + per_file], columns, target, profile)
            paths.append(target)
    return org_out, paths
