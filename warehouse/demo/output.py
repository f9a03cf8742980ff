"""Contract files from the generated network: formatting, deliberate mess, writing.

Rows become strings the way ticketing systems write them (each organization has its own
id formats, gender codes and timestamp style), then a few exact duplicates and bad rows are
mixed in, and the transactions are written one file per year of purchase.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from warehouse.demo.events import Events
from warehouse.demo.names import (
    EMAIL_DOMAINS,
    FIRST_NAMES,
    LAST_NAMES,
    PHONE_PREFIX,
    ascii_fold,
)
from warehouse.demo.organizations import Organization
from warehouse.demo.places import CURRENCY, UTC_OFFSET
from warehouse.demo.purchases import COUNTRIES, Purchases

ORGANIZATION_COLUMNS = ("org_id", "name", "org_type", "country", "postal_code", "region")
TRANSACTION_COLUMNS = (
    "transaction_id", "org_id", "event_id", "event_name", "event_start", "venue_postal_code",
    "event_type", "event_category", "purchased_at", "customer_id", "tickets", "amount",
    "currency", "birth_year", "gender", "postal_code", "buyer_country",
)
#: Direct identifiers a real export carries; the ingest must ignore them.
IDENTIFIER_COLUMNS = ("customer_name", "email", "phone")
#: Gender codes by an organization's style: (male, female).
GENDER_CODES = {
    "MF": {c: ("M", "F") for c in COUNTRIES},
    "MK": {c: ("M", "K") for c in COUNTRIES},
    "en": {c: ("male", "female") for c in COUNTRIES},
    "local": {"NO": ("mann", "kvinne"), "SE": ("man", "kvinna"), "DK": ("mand", "kvinde"),
              "FI": ("mies", "nainen"), "IS": ("karl", "kona")},
}
#: Bad rows per kind (few, so each shows up in the rejects file by name).
BAD_ROWS = {"unparseable_date": 2, "non_integer_tickets": 2, "unknown_org_id": 2,
            "conflicting_duplicate": 2}
DUPLICATE_SHARE = 0.003


def _s(values: list[str] | np.ndarray) -> pa.Array:
    return pa.array(list(values) if isinstance(values, np.ndarray) else values, pa.string())


def _join(*parts: pa.Array | str) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def _blank_to_null(arr: pa.Array) -> pa.Array:
    return pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)


def _timestamps(seconds: np.ndarray) -> pa.Array:
    # A cast is ten times faster than strftime; ISO 8601 wants the "T".
    text = pc.cast(pa.array(seconds.astype("datetime64[s]")), pa.string())
    return pc.replace_substring(text, " ", "T", max_replacements=1)


def _last_sunday(year: int, month: int) -> int:
    """Days since 1970 of the last Sunday of a month."""
    nxt = np.datetime64(f"{year + (month == 12)}-{month % 12 + 1:02d}-01").astype(int)
    last = nxt - 1
    return int(last - (last + 3 - 6) % 7)


def _utc_offset_hours(country_idx: np.ndarray, local: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(UTC offset in hours, local time moved out of the spring-forward gap)."""
    std = np.array([UTC_OFFSET[c][0] for c in COUNTRIES])[country_idx]
    has_dst = np.array([UTC_OFFSET[c][1] for c in COUNTRIES])[country_idx]
    begin = np.array([_last_sunday(y, 3) * 86400 + 3600 for y in range(2022, 2028)])  # 01:00 UTC
    end = np.array([_last_sunday(y, 10) * 86400 + 3600 for y in range(2022, 2028)])
    y = np.clip(local.astype("datetime64[s]").astype("datetime64[Y]").astype(int) + 1970,
                2022, 2027) - 2022
    b_local = begin[y] + std * 3600
    gap = has_dst & (local >= b_local) & (local < b_local + 3600)
    local = np.where(gap, local + 3600, local)
    dst = has_dst & (local - std * 3600 >= begin[y]) & (local - (std + 1) * 3600 < end[y])
    return std + dst, local


@dataclass
class Written:
    """What the writer put where, for the ``expected`` facts."""

    files: list[Path]
    rows_per_file: dict[str, int]
    duplicates: int
    bad_keys: dict[str, list[list[str]]]
    empty_customer_rows: int
    refund_rows: int
    events: int
    offset_rows: int


def write_organizations(orgs: list[Organization], path: Path, fmt: str) -> None:
    table = pa.table({
        "org_id": _s([o.org_id for o in orgs]),
        "name": _s([o.name for o in orgs]),
        "org_type": _s([o.org_type_written for o in orgs]),
        "country": _s([o.country for o in orgs]),
        "postal_code": _s([o.postal_written for o in orgs]),
        "region": _blank_to_null(_s([o.region_written for o in orgs])),
    })
    _write(table, path, fmt)


def _write(table: pa.Table, path: Path, fmt: str) -> None:
    if fmt == "parquet":
        pq.write_table(table, path, compression="zstd")
        return
    # DuckDB quotes a value only when it must (pyarrow quotes every string).
    con = duckdb.connect()
    try:
        con.register("demo_rows", table)
        target = str(path).replace("'", "''")
        con.execute(f"COPY demo_rows TO '{target}' (FORMAT csv, HEADER true)")
    finally:
        con.close()


def customer_ids(p: Purchases, orgs: list[Organization], member: np.ndarray,
                 org: np.ndarray) -> pa.Array:
    """The ``customer_id`` each organization writes for pool members (null where ``-1``)."""
    known = member >= 0
    m = np.where(known, member, 0)
    no = p.pool.cust_no[m]
    a = np.array([o.salt * 2 + 1 for o in orgs])[org]  # odd: a bijection modulo 10**7
    mult = np.where(a % 5 == 0, a + 2, a)
    number = (no * mult + np.array([o.salt for o in orgs])[org]) % 10**7
    style = np.array([o.id_style for o in orgs])[org]
    prefix = pa.array(["", "c-", "B-"]).take(pa.array(style))
    cust = _join(prefix, pc.cast(pa.array(number + 1000 * (style == 0)), pa.string()))
    return pc.if_else(pa.array(~known), pa.scalar(None, pa.string()), cust)


def _customer_columns(p: Purchases, orgs: list[Organization], member: np.ndarray,
                      org: np.ndarray) -> dict[str, pa.Array]:
    known = member >= 0
    m = np.where(known, member, 0)
    pool = p.pool
    null = pa.array(~known)
    firsts = [n for c in COUNTRIES for n in FIRST_NAMES[c]]
    lasts = [n for c in COUNTRIES for n in LAST_NAMES[c]]
    first = pa.array(firsts).take(pa.array(pool.first[m]))
    last = pa.array(lasts).take(pa.array(pool.last[m]))
    first_a = pa.array([ascii_fold(n) for n in firsts]).take(pa.array(pool.first[m]))
    last_a = pa.array([ascii_fold(n).replace(" ", "") for n in lasts]).take(pa.array(pool.last[m]))
    domain = pa.array([f"@{d}" for d in EMAIL_DOMAINS]).take(pa.array(pool.mail_no[m] % 3))
    country = np.array([COUNTRIES.index(o.country) for o in orgs])[org]
    phone_prefix = pa.array([PHONE_PREFIX[c] for c in COUNTRIES]).take(pa.array(country))

    def masked(arr: pa.Array) -> pa.Array:
        return pc.if_else(null, pa.scalar(None, pa.string()), arr)

    return {
        "customer_id": customer_ids(p, orgs, member, org),
        "customer_name": masked(_join(first, " ", last)),
        "email": masked(_join(first_a, ".", last_a,
                              pc.cast(pa.array(pool.mail_no[m]), pa.string()), domain)),
        "phone": masked(_join(phone_prefix, pc.cast(pa.array(pool.phone_no[m]), pa.string()))),
    }


def transaction_table(rng: np.random.Generator, orgs: list[Organization], events: Events,
                      p: Purchases) -> tuple[pa.Table, np.ndarray, np.ndarray, int, int]:
    """All rows as strings in file order, exact duplicates included.

    Returns the table, each row's purchase year, whether a row may serve as a template for a
    bad row (it is neither duplicated nor a duplicate), the number of exact duplicates and the
    number of timestamps written with an offset or ``Z``.
    """
    all_country = np.array([COUNTRIES.index(o.country) for o in orgs])[p.org]
    offset, local = _utc_offset_hours(all_country, p.at)
    order = np.lexsort((local, p.org))
    rank = np.empty(len(order), dtype=np.int64)
    starts = np.searchsorted(p.org[order], np.arange(len(orgs)))
    rank[order] = np.arange(len(order)) - starts[p.org[order]]
    # File order (year of purchase, then time), with exact duplicates right after originals;
    # every per-row array is put in that order before any string is built.
    year = local.astype("datetime64[s]").astype("datetime64[Y]").astype(int) + 1970
    file_order = np.lexsort((rank, local, year))
    n_dup = max(1, round(len(file_order) * DUPLICATE_SHARE))
    dup = np.zeros(len(file_order), dtype=np.int64)
    dup[rng.choice(len(file_order), n_dup, replace=False)] = 1
    rows = np.repeat(file_order, 1 + dup)
    original = np.repeat(dup == 0, 1 + dup)  # a row that is nobody's duplicate
    org, ev, member = p.org[rows], p.event[rows], p.member[rows]
    offset, local, rank, year = offset[rows], local[rows], rank[rows], year[rows]
    country = all_country[rows]
    style = np.array([o.id_style for o in orgs])[org]
    txn_prefix = pa.array(["", "T-", ""]).take(pa.array(style))
    abbr = pa.array([o.org_id.split("-", 1)[1].upper() + "-" if o.id_style == 2 else ""
                     for o in orgs]).take(pa.array(org))
    base = np.array([(4_000_000 + o.salt) if o.id_style == 0 else 100_000 if o.id_style == 1
                     else 1 for o in orgs])[org]
    txn = _join(txn_prefix, abbr, pc.utf8_lpad(pc.cast(pa.array(base + rank), pa.string()), 6,
                                                "0"))
    org_id = pa.array([o.org_id for o in orgs]).take(pa.array(org))
    evi = pa.array(ev)
    time_style = np.array([o.time_style for o in orgs])[org]
    utc = time_style == 2
    shown = np.where(utc, local - offset * 3600, local)
    suffix = pa.array(["", "+00:00", "+01:00", "+02:00", "+03:00", "Z"]).take(
        pa.array(np.where(time_style == 0, 0, np.where(utc, 5, offset + 1))))
    purchased = _join(_timestamps(shown), suffix)
    currency = pa.array([CURRENCY[o.country] for o in orgs]).take(pa.array(org))
    blank_cur = np.array([o.blank_currency for o in orgs])[org] | (rng.random(len(p.at))[rows] < 0.01)
    currency = pc.if_else(pa.array(blank_cur), pa.scalar(None, pa.string()), currency)
    m = np.where(member >= 0, member, 0)
    known = member >= 0
    by = p.pool.birth_year[m]
    birth = pc.if_else(pa.array(~known | (by == 0)), pa.scalar(None, pa.string()),
                       pc.cast(pa.array(by), pa.string()))
    g = p.pool.gender[m]
    gstyle_names = list(GENDER_CODES)
    gstyle = np.array([gstyle_names.index(o.gender_style) for o in orgs])[org]
    gstyle = np.where(rng.random(len(p.at))[rows] < 0.08, 0, gstyle)
    table = [GENDER_CODES[s][c][sex] for s in gstyle_names for c in COUNTRIES for sex in (0, 1)]
    gi = (gstyle * len(COUNTRIES) + country) * 2 + np.minimum(g, 1)
    gender = pc.if_else(pa.array(~known | (g == 2)), pa.scalar(None, pa.string()),
                        pa.array(table).take(pa.array(gi)))
    code_idx = p.pool.postal[m]
    has_code = known & (code_idx >= 0)
    ci = np.where(has_code, code_idx, 0)
    codes = pa.array(list(p.codes))
    spaced_codes = pa.array([f"{c[:3]} {c[3:]}" if k == "SE" else c
                             for c, k in zip(p.codes, p.code_country, strict=True)])
    spaced = np.array([o.spaced_postal for o in orgs])[org]
    postal = pc.if_else(pa.array(spaced), spaced_codes.take(pa.array(ci)), codes.take(pa.array(ci)))
    postal = pc.if_else(pa.array(~has_code), pa.scalar(None, pa.string()), postal)
    buyer_c = p.code_country[ci]
    writes = np.array([o.writes_buyer_country for o in orgs])[org]
    foreign = has_code & (buyer_c != np.array(COUNTRIES, dtype=object)[country])
    show_c = known & (writes | foreign)
    buyer_country = pc.if_else(pa.array(~show_c), pa.scalar(None, pa.string()),
                               pa.array(list(np.where(has_code, buyer_c,
                                                      np.array(COUNTRIES, dtype=object)[country]))))
    amount = pa.array(np.round(p.amount[rows], 2)).cast(pa.decimal128(16, 2), safe=False)
    columns = {
        "transaction_id": txn,
        "org_id": org_id,
        "event_id": _s(events.event_id).take(evi),
        "event_name": _s(events.name).take(evi),
        "event_start": _timestamps(events.start.astype(np.int64)).take(evi),
        "venue_postal_code": _blank_to_null(_s(events.venue)).take(evi),
        "event_type": _blank_to_null(_s(events.event_type)).take(evi),
        "event_category": _blank_to_null(_s(events.category)).take(evi),
        "purchased_at": purchased,
        "customer_id": None,
        "tickets": pc.cast(pa.array(p.tickets[rows]), pa.string()),
        "amount": amount.cast(pa.string()),
        "currency": currency,
        "birth_year": birth,
        "gender": gender,
        "postal_code": postal,
        "buyer_country": buyer_country,
    }
    columns.update(_customer_columns(p, orgs, member, org))
    names = list(TRANSACTION_COLUMNS) + list(IDENTIFIER_COLUMNS)
    tbl = pa.table({k: columns[k] for k in names})
    template = original & (np.append(rows[1:], -1) != rows)
    return tbl, year, template, n_dup, int((time_style != 0).sum())


def add_mess(rng: np.random.Generator, tbl: pa.Table, year: np.ndarray, template: np.ndarray,
             orgs: list[Organization]) -> tuple[pa.Table, np.ndarray, dict[str, list[list[str]]]]:
    """A few bad rows at random places in the file of the row they were made from."""
    bad_keys: dict[str, list[list[str]]] = {k: [] for k in BAD_ROWS}
    known_ids = {o.org_id for o in orgs}
    inserts: list[tuple[int, dict[str, object]]] = []
    templates = rng.choice(np.flatnonzero(template), sum(BAD_ROWS.values()), replace=False)
    k = 0
    for kind, count in BAD_ROWS.items():
        for i in range(count):
            src = int(templates[k])
            k += 1
            row = {c: tbl.column(c)[src].as_py() for c in tbl.column_names}
            at = src + 1
            if kind != "conflicting_duplicate":
                row["transaction_id"] = f"{row['transaction_id']}-X{i + 1}"
            if kind == "unparseable_date":
                row["purchased_at"] = ("2025-02-30T19:15:00", "14/03/2025 kl. 19.30")[i % 2]
            elif kind == "non_integer_tickets":
                row["tickets"] = ("2.5", "1,5")[i % 2]
            elif kind == "unknown_org_id":
                row["org_id"] = f"{str(row['org_id'])[:2]}-ukjent{i + 1}"
                assert row["org_id"] not in known_ids
            else:
                amount = float(str(row["amount"]))
                row["amount"] = f"{amount + (50 if amount >= 0 else -50):.2f}"
                # Later in the same year's file, so "first one wins" keeps the original.
                same_year = np.flatnonzero(year == year[at - 1])
                at = int(rng.integers(at, same_year[-1] + 2))
            bad_keys[kind].append([str(row["org_id"]), str(row["transaction_id"])])
            inserts.append((at, row))
    inserts.sort(key=lambda t: t[0])
    pieces, years, prev = [], [], 0
    for at, row in inserts:
        pieces.append(tbl.slice(prev, at - prev))
        years.append(year[prev:at])
        pieces.append(pa.table({c: pa.array([row[c]], pa.string()) for c in tbl.column_names}))
        years.append(year[at - 1:at] if at > 0 else year[:1])
        prev = at
    pieces.append(tbl.slice(prev))
    years.append(year[prev:])
    return pa.concat_tables(pieces), np.concatenate(years), bad_keys


def write_transactions(tbl: pa.Table, year: np.ndarray, out_dir: Path, fmt: str,
                       suffix: str = "") -> dict[str, int]:
    """One file per purchase year (``transactions_<year><suffix>.<fmt>``); returns rows per file name."""
    rows: dict[str, int] = {}
    for y in np.unique(year):
        lo, hi = np.searchsorted(year, y), np.searchsorted(year, y, side="right")
        name = f"transactions_{int(y)}{suffix}.{fmt}"
        _write(tbl.slice(int(lo), int(hi - lo)), out_dir / name, fmt)
        rows[name] = int(hi - lo)
    return rows


def purchase_counts(p: Purchases, rows: dict[str, int], duplicates: int, offset_rows: int) -> dict[str, int]:
    """What a correct ingest of one network's transaction files reproduces (part of
    ``DemoFiles.expected``): ``rows`` per file written, ``duplicates`` exact repeats planted,
    ``offset_rows`` timestamps written with an offset."""
    return {
        "events": int(len(np.unique(p.event))),
        "transactions_written": sum(rows.values()),
        "clean_transactions": len(p.at),
        "exact_duplicates": duplicates,
        "refund_rows": int(p.refund.sum()),
        "full_refunds": int(p.full_refunds),
        "empty_customer_id_rows": int((p.member < 0).sum()),
        "timestamps_with_offset": offset_rows,
        "buyers": int(p.buyers),
        "buyer_tickets": int(p.tickets.sum()),
    }
