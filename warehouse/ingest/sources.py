"""Reading input files (CSV, JSON lines, Parquet or an Excel sheet) into a staging table of text columns.

Every staged row keeps where it came from (``_file``, ``_line``) so that a reject can name it.
Line numbers are physical line numbers of the CSV (the header is line 1); a record whose quoted
field spans lines is numbered by the line it starts on. Parquet rows are numbered from 1; a
workbook's rows by their row number in the sheet (:mod:`warehouse.ingest.xlsx`).

A file that cannot be read as a whole (missing, empty, not UTF-8, no header, a required column
missing, a quote never closed) raises :class:`InputFileError` and nothing is loaded. Rows
that do not parse (a wrong number of fields) are staged as rejects with their line.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from cid_graph.errors import InputFileError
from warehouse.ingest import shapes, xlsx
from warehouse.ingest.shapes import Shape

TRANSACTION_COLUMNS: tuple[str, ...] = (
    "transaction_id", "org_id", "event_id", "event_name", "event_start", "venue_postal_code",
    "event_type", "event_category", "purchased_at", "customer_id", "tickets", "amount",
    "currency", "birth_year", "gender", "postal_code", "buyer_country",
)
TRANSACTION_REQUIRED = (
    "transaction_id", "org_id", "event_id", "event_name", "event_start", "purchased_at", "tickets",
)
ORGANIZATION_COLUMNS = ("org_id", "name", "org_type", "country", "postal_code", "region")
ORGANIZATION_REQUIRED = ("org_id", "name", "org_type", "country")


@dataclass(frozen=True)
class Profile:
    """How a ticketing system's export maps onto the contract: contract column -> source column."""

    name: str
    columns: dict[str, str]
    path: str | None = None
    lines: dict[str, int] = field(default_factory=dict)  # contract column -> line of its mapping
    shape: Shape = field(default_factory=Shape)  # file format, dates, values, grain, refunds, drop

    def source_name(self, contract_column: str) -> str:
        return self.columns.get(contract_column, contract_column)

    def where(self, contract_column: str) -> str:
        """Where the profile says how ``contract_column`` is read, for a hint.

        >>> Profile("nb-ticket", {"event_start": "Dato"}, "nb.yaml", {"event_start": 4}).where("event_start")
        "profile nb-ticket (nb.yaml:4) maps event_start to 'Dato'"
        >>> CANONICAL.where("event_start")
        'the canonical profile reads event_start from the column of that name'
        """
        if self.path is None:
            return f"the {self.name} profile reads {contract_column} from the column of that name"
        if contract_column in self.columns:
            return (f"profile {self.name} ({self.path}:{self.lines.get(contract_column, 1)}) maps "
                    f"{contract_column} to {self.columns[contract_column]!r}")
        return (f"profile {self.name} ({self.path}) does not map {contract_column}, so it is read from the "
                "column of that name")


CANONICAL = Profile("canonical", {})


def load_profile(name_or_path: str) -> Profile:
    """``canonical``, a profile shipped in ``warehouse/ingest/profiles/`` by name, or a YAML file.

    The YAML has ``name:``, ``columns: {contract: source}`` and optionally ``format``, ``dates``,
    ``values``, ``grain``, ``refunds`` and ``drop`` (see :mod:`warehouse.ingest.shapes`). Every
    problem is reported at once as ``file:line: message``.
    """
    if name_or_path == "canonical":
        return CANONICAL
    path = Path(name_or_path)
    shipped = PROFILES_DIR / f"{name_or_path}.yaml"
    if not path.is_file() and "/" not in name_or_path and shipped.is_file():
        path = shipped
    if not path.is_file():
        raise InputFileError(
            f"unknown profile {name_or_path!r}",
            hint="Use --profile canonical, a shipped profile ("
            + ", ".join(sorted(p.stem for p in PROFILES_DIR.glob("*.yaml")))
            + "), or the path of a YAML profile with a `columns:` mapping from contract column to your export's column.",
        )
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
        doc = yaml.safe_load(text) or {}
        root = yaml.compose(text)
        if not isinstance(doc, dict):
            raise AttributeError("the profile must be a mapping")
        columns = {str(k): str(v) for k, v in (doc.get("columns") or {}).items()}
        lines = _mapping_lines(root)
    except (yaml.YAMLError, AttributeError) as exc:
        raise InputFileError(f"profile {path} is not valid YAML: {exc}",
                             hint="Fix the YAML; see docs/data-contract.md.") from None
    all_lines = shapes.key_lines(root)
    shape, issues = shapes.parse_shape(doc, all_lines, str(path), TRANSACTION_COLUMNS)
    for contract in sorted(set(columns) - set(TRANSACTION_COLUMNS) - set(ORGANIZATION_COLUMNS)):
        issues.append(f"{path}:{lines.get(contract, 1)}: columns maps unknown contract column {contract!r}")
    if issues:
        raise InputFileError(
            f"profile {path} has {len(issues)} problem(s):\n" + "\n".join(sorted(issues, key=_issue_line)),
            hint=f"Contract columns are {', '.join(TRANSACTION_COLUMNS)}; see the README section "
                 "\"Loading data from a ticketing system\" and warehouse/ingest/profiles/.")
    if shape.grain == "ticket" and shape.purchase_key and "transaction_id" not in columns:
        columns["transaction_id"] = shape.purchase_key
    return Profile(str(doc.get("name") or path.stem), columns, str(path), lines, shape)


PROFILES_DIR = Path(__file__).parent / "profiles"


def _issue_line(issue: str) -> int:
    parts = issue.split(":")
    return int(parts[1]) if len(parts) > 2 and parts[1].isdigit() else 0


def _mapping_lines(root: object) -> dict[str, int]:
    """Line (1-based) of each key under ``columns:`` in a composed YAML document."""
    import yaml

    if not isinstance(root, yaml.MappingNode):
        return {}
    for key, value in root.value:
        if getattr(key, "value", None) == "columns" and isinstance(value, yaml.MappingNode):
            return {str(k.value): k.start_mark.line + 1 for k, _ in value.value}
    return {}


def check_dates(
    con: duckdb.DuckDBPyConnection, table: str, columns: Sequence[str], profile: Profile, first_rows: int = 20
) -> None:
    """Fail at once when a date column of a staged file parses in none of its first rows.

    One bad date is a reject like any other; a column whose first rows all fail means the file
    does not fit the profile (another date format, or the wrong column mapped), and loading it
    would reject every row. Needs at least three non-empty values to judge.
    """
    from warehouse.ingest.sqlparts import timestamp_utc

    for column in columns:
        # The first rows of each file by a bounded min_by per file, not a row number of every row.
        rows = con.execute(f"""
            WITH firsts AS (
                SELECT _file, min_by(trim("{column}"), _line, ?) AS vs
                FROM {table} WHERE _parse_error IS NULL AND nullif(trim("{column}"), '') IS NOT NULL
                GROUP BY _file
            ), head AS (
                SELECT _file, vs[1] AS first, unnest(vs) AS v FROM firsts
            )
            SELECT _file, count(*), count(*) FILTER (WHERE {timestamp_utc('v', "'UTC'")} IS NOT NULL), any_value(first)
            FROM head GROUP BY _file
        """, [first_rows]).fetchall()
        for name, seen, parsed, example in rows:
            if seen >= 3 and parsed == 0:
                raise InputFileError(
                    f"{name}: {column} does not parse as a date-time in any of its first {seen} rows "
                    f"(e.g. {example!r}), so the file does not fit the profile",
                    hint=f"Check the profile: {profile.where(column)}. The contract reads ISO 8601 date-times "
                         "such as 2025-03-14T19:30:00 or 2025-03-14T19:30:00+01:00.",
                )


def stage_files(
    con: duckdb.DuckDBPyConnection,
    table: str,
    paths: Sequence[Path],
    columns: Sequence[str],
    required: Sequence[str],
    profile: Profile = CANONICAL,
    progress: Callable[[str], None] | None = None,
) -> int:
    """Create ``table`` (text columns + ``_file``, ``_line``, ``_parse_error``) from ``paths``.

    Returns the number of records read. Raises InputFileError for an unreadable file before
    anything is staged from any file, so a bad second file fails the whole load.
    """
    plans = [_plan(Path(p), columns, required, profile) for p in paths]
    extras = list(profile.shape.extra_sources()) if "tickets" in columns else []
    staged = list(columns) + extras
    cols_sql = ", ".join(f'"{c}" VARCHAR' for c in staged)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {table} ({cols_sql}, _file VARCHAR, _line BIGINT, "
        "_parse_error VARCHAR, _file_no INTEGER)"
    )
    total = 0
    for file_no, plan in enumerate(plans):
        if progress:
            progress(f"reading {plan.path.name}")
        n = plan.stage(con, table, staged, file_no, profile)
        if not profile.shape.is_canonical or plan.kind == "xlsx":
            shape = xlsx.staged_shape(profile.shape) if plan.kind == "xlsx" else profile.shape
            shapes.normalize(con, table, file_no, columns, shape, profile.name, profile.path)
        total += n
        if progress:
            progress(f"read {n:,} rows from {plan.path.name}")
    for extra in extras:
        con.execute(f"ALTER TABLE {table} DROP COLUMN {extra}")
    return total


@dataclass
class _Plan:
    path: Path
    kind: str  # csv | parquet | jsonl | xlsx
    header: list[str]
    mapping: dict[str, str]  # contract column -> source column present in the file
    shape: Shape = field(default_factory=Shape)

    def stage(
        self, con: duckdb.DuckDBPyConnection, table: str, columns: Sequence[str], file_no: int,
        profile: Profile = CANONICAL,
    ) -> int:
        if self.kind == "xlsx":
            n = xlsx.stage(con, self.path, self.shape, self.mapping, columns,
                           lambda key: shapes.where(self.shape, profile.path, key, profile.name))
            cols = ", ".join(f'"{c}"' for c in columns)
            con.execute(f"INSERT INTO {table} SELECT {cols}, ?, _line, NULL, ? FROM _raw", [self.path.name, file_no])
            con.execute("DROP TABLE _raw")
            return n
        src = {"parquet": "read_parquet(?)", "jsonl": "read_json_objects(?, format='newline_delimited')"}.get(
            self.kind) or _csv_reader(self.header, self.shape)

        def read(c: str) -> str:
            if c not in self.mapping:
                return "NULL::VARCHAR"
            if self.kind == "jsonl":
                return f"json_extract_string(json, '{shapes.json_path(self.mapping[c])}')"
            return f"CAST({_ident(self.mapping[c])} AS VARCHAR)"

        select = ", ".join(f'{read(c)} AS "{c}"' for c in columns)
        con.execute("DROP TABLE IF EXISTS _raw")
        try:
            con.execute(f"CREATE TEMP TABLE _raw AS SELECT {select} FROM {src}", [str(self.path)])
        except duckdb.Error as exc:
            raise _file_error(self.path, exc) from None
        rejected: list[tuple[int, str]] = []
        if self.kind == "csv":
            rejected = _csv_rejects(con, self.path)
        n_good = con.execute("SELECT count(*) FROM _raw").fetchone()[0]  # type: ignore[index]
        line_of = (_line_numbers(self.path, n_good, [r[0] for r in rejected]) if self.kind == "csv"
                   else shapes.jsonl_lines(self.path) if self.kind == "jsonl" else None)
        if isinstance(line_of, list):
            rejected = [(_physical(self.path, r), why) for r, why in rejected]
        name = self.path.name
        cols = ", ".join(f'"{c}"' for c in columns)
        if line_of is None or (isinstance(line_of, int) and not rejected):
            # Records in file order: a JSON or Parquet record's number, or, in a CSV file of one
            # line per record with nothing rejected, its line after the header.
            first = 1 if line_of is None else 2
            con.execute(
                f"INSERT INTO {table} SELECT {cols}, ?, rowid + {first}, NULL, ? FROM _raw", [name, file_no]
            )
        elif isinstance(line_of, int):
            # Every record is one physical line: record i (0-based, parse rejects removed) is
            # line 2 + i + (rejected lines before it).
            con.execute("CREATE OR REPLACE TEMP TABLE _rej_lines (line BIGINT)")
            if rejected:
                con.executemany("INSERT INTO _rej_lines VALUES (?)", [[r[0]] for r in rejected])
            con.execute(
                f"""
                INSERT INTO {table}
                WITH good AS (
                    SELECT line, row_number() OVER (ORDER BY line) - 1 AS idx
                    FROM range(2, ? + 2) t(line)
                    WHERE line NOT IN (SELECT line FROM _rej_lines)
                )
                SELECT {', '.join('r.' + f'"{c}"' for c in columns)}, ?, good.line, NULL, ?
                FROM _raw r JOIN good ON good.idx = r.rowid
                """,
                [line_of, name, file_no],
            )
        else:
            import pyarrow as pa

            # One Arrow table, not executemany: inserting a million rows one by one takes minutes.
            _line_table = pa.table({"idx": pa.array(range(len(line_of)), pa.int64()),
                                    "line": pa.array(line_of, pa.int64())})
            con.execute("CREATE OR REPLACE TEMP TABLE _lines AS SELECT idx, line FROM _line_table")
            con.execute(
                f"""INSERT INTO {table}
                SELECT {', '.join('r.' + f'"{c}"' for c in columns)}, ?, l.line, NULL, ?
                FROM _raw r JOIN _lines l ON l.idx = r.rowid""",
                [name, file_no],
            )
        if rejected:
            con.executemany(
                f"INSERT INTO {table} (_file, _line, _parse_error, _file_no) VALUES (?, ?, ?, ?)",
                [[name, line, reason, file_no] for line, reason in rejected],
            )
        con.execute("DROP TABLE _raw")
        return int(n_good) + len(rejected)


def _csv_reader(header: list[str], shape: Shape | None = None) -> str:
    """read_csv in the contract's dialect, stated rather than sniffed.

    A sniffer that guesses another quote or delimiter would silently mis-read a file, and it
    gives up on files with a few broken rows. Every column is read as text, validated later.
    Header names come from the file, so they are escaped as SQL string literals.
    """
    shape = shape or Shape()
    cols = "{" + ", ".join("'" + h.replace("'", "''") + "': 'VARCHAR'" for h in header) + "}"

    def lit(v: str) -> str:
        return "'" + v.replace("'", "''") + "'"

    return (
        f"read_csv(?, header=true, delim={lit(shape.delimiter)}, quote={lit(shape.quote)}, "
        f"escape={lit(shape.quote)}, auto_detect=false, "
        f"columns={cols}, store_rejects=true, strict_mode=true, null_padding=false, "
        f"encoding={lit(shape.encoding)})"
    )


def _ident(name: str) -> str:
    """A header name as a quoted SQL identifier (header names come from the file)."""
    return '"' + name.replace('"', '""') + '"'


def _csv_rejects(con: duckdb.DuckDBPyConnection, path: Path) -> list[tuple[int, str]]:
    rows = con.execute(
        "SELECT line, error_type, first(error_message) FROM reject_errors "
        "GROUP BY line, error_type ORDER BY line"
    ).fetchall()
    con.execute("DELETE FROM reject_errors")
    con.execute("DELETE FROM reject_scans")
    out: dict[int, str] = {}
    for line, error_type, message in rows:
        etype = str(error_type)
        if "UNICODE" in etype or "ENCODING" in etype:
            raise InputFileError(
                f"{path} is not valid UTF-8 (first bad bytes on line {_physical(path, int(line))})",
                hint="Re-export the file as UTF-8, e.g. `iconv -f latin1 -t utf-8 in.csv > out.csv`.",
            )
        if etype == "UNQUOTED VALUE" or "unterminated quote" in str(message).lower():
            raise InputFileError(
                f"{path} line {_physical(path, int(line))}: a quoted field is never closed, so the rest of the file "
                "cannot be read",
                hint="Close the quote or double the quote character inside quoted values "
                "(RFC 4180: \"\" inside quotes).",
            )
        reason = {
            "MISSING COLUMNS": "the row has fewer fields than the header",
            "TOO MANY COLUMNS": "the row has more fields than the header",
            "CAST ERROR": "a value cannot be read",
            "LINE SIZE OVER MAXIMUM": "the line is too long",
        }.get(etype, f"the row cannot be parsed ({etype.lower()})")
        out.setdefault(int(line), f"{reason}; check the quoting and the commas on this line")
    return sorted(out.items())


def _line_numbers(path: Path, n_good: int, rejected: list[int]) -> int | list[int]:
    """Physical line numbers of the good records.

    Fast path: when the file has exactly one line per record, returns the number of records
    (lines are then 2..n+1 less the rejected ones). Otherwise scans the file once, tracking
    quotes, and returns the start line of every good record in order. The file is read in
    blocks or line by line, never held whole (nor copied) in memory.
    """
    n_records = n_good + len(rejected)
    if _count_lines(path) == n_records + 1:
        return n_records
    # DuckDB numbers records, not physical lines (the header is record 1): find where each
    # record starts, then keep the good ones.
    starts: list[int] = []
    in_quote = False
    with open(path, "rb") as fh:
        for line_no, raw in enumerate(fh, start=1):
            if not in_quote and line_no > 1 and raw.strip(b"\r\n") != b"":
                starts.append(line_no)
            if raw.count(b'"') % 2 == 1:
                in_quote = not in_quote
    rejected_set = set(rejected)
    good = [line for i, line in enumerate(starts) if i + 2 not in rejected_set]
    return good[:n_good]


def _count_lines(path: Path, block: int = 1 << 24) -> int:
    """Lines of the file, trailing empty lines not counted (an empty file has one).

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = (Path(tmp) / "f.csv").write_bytes(b"h\\na\\r\\nb\\n\\r\\n\\n")
    ...     _count_lines(Path(tmp) / "f.csv"), _count_lines(Path(tmp) / "f.csv", block=2)
    (3, 3)
    """
    lines = trailing = 0  # newlines in all, and in the run of CR/LF that ends what was read
    with open(path, "rb") as fh:
        while chunk := fh.read(block):
            newlines = chunk.count(b"\n")
            lines += newlines
            body = len(chunk.rstrip(b"\r\n"))
            trailing = trailing + newlines if body == 0 else chunk.count(b"\n", body)
    return lines - trailing + 1


def _physical(path: Path, record: int) -> int:
    """Physical start line of record number ``record`` (header = 1) in a file with multi-line fields."""
    in_quote = False
    count = 0
    with open(path, "rb") as fh:
        for line_no, raw in enumerate(fh, start=1):
            if not in_quote and raw.strip(b"\r\n") != b"":
                count += 1
                if count == record:
                    return line_no
            if raw.count(b'"') % 2 == 1:
                in_quote = not in_quote
    return record


def _plan(path: Path, columns: Sequence[str], required: Sequence[str], profile: Profile) -> _Plan:
    if not path.exists():
        raise InputFileError(f"{path} does not exist", hint="Check the path and try again.")
    if not path.is_file():
        raise InputFileError(f"{path} is not a file", hint="Name a CSV or Parquet file.")
    shape = profile.shape
    kind = "parquet" if path.suffix.lower() in {".parquet", ".pq"} else "csv"
    if shape.format != "csv" and path.suffix.lower() not in {".csv", ".txt", ".tsv"}:
        kind = shape.format
    elif path.suffix.lower() in {".jsonl", ".ndjson", ".json"}:
        kind = "jsonl"
    if path.suffix.lower() in xlsx.SUFFIXES:
        kind = "xlsx"
    label = str(path)
    if kind == "xlsx":
        sheet, header = xlsx.header(path, shape, lambda key: shapes.where(shape, profile.path, key, profile.name))
        label = f"{path} (sheet {sheet!r}, header row {shape.header_row})"
    elif kind == "parquet":
        header = _parquet_header(path)
    elif kind == "jsonl":
        header = shapes.jsonl_header(path)
    else:
        header = shapes.csv_header(path, shape) or _csv_header(path)
        if profile.path is not None and len(header) == 1:
            other = next((d for d in (",", ";", "\t", "|") if d != shape.delimiter and d in header[0]), None)
            if other:
                raise InputFileError(
                    f"{path}: the header is one column under the delimiter {shape.delimiter!r}, but it holds "
                    f"{other!r}: the file is separated by {other!r}, not as the profile says",
                    hint=f"Check {shapes.where(shape, profile.path, 'format.delimiter', profile.name)} "
                         f"(it says {shape.delimiter!r}), or re-export the file with {shape.delimiter!r}.")
    dropped = {d.strip().lower() for d in shape.drop}
    by_lower = {h.strip().lower(): h for h in header if h.strip().lower() not in dropped}
    mapping: dict[str, str] = {}
    wanted = list(columns) + list(shape.extra_sources()) if "tickets" in columns else list(columns)
    extras = shape.extra_sources()
    for c in wanted:
        source = extras.get(c) or profile.source_name(c)
        if source.strip().lower() in dropped:
            continue
        if source in header:
            mapping[c] = source
        elif source.strip().lower() in by_lower:
            mapping[c] = by_lower[source.strip().lower()]
    missing = [c for c in required if c not in mapping]
    if "tickets" in columns and shape.grain == "ticket" and "tickets" in missing:
        missing.remove("tickets")  # a per-ticket file counts its rows
    if "tickets" in columns:
        for extra, key in (("_purchase_key", "grain.purchase_key"), ("_refund_marker", "refunds.marker_column")):
            if extra in extras and extra not in mapping:
                raise InputFileError(
                    f"{label} has no column {extras[extra]!r}, which {shapes.where(shape, profile.path, key, profile.name)} "
                    f"names" + (": without it the ticket rows cannot be summed into purchases" if extra == "_purchase_key" else ""),
                    hint=f"The file's columns are: {', '.join(header[:20])}. Fix the profile or re-export with that column.")
    if missing:
        hint = f"The file's header is: {', '.join(header[:20])}."
        if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
            hint = ("The header seems separated by ';' or tabs; the contract requires commas "
                    "(RFC 4180). Re-export with ',' as the separator.")
        elif profile.path is None:
            hint += " Rename the columns to the contract's names or use --profile with a mapping."
        else:
            hint += " Check the profile: " + "; ".join(profile.where(c) for c in missing) + "."
        raise InputFileError(
            f"{label} lacks required column(s) {', '.join(missing)}"
            + ("" if profile.path is None else f" under profile {profile.name}"), hint=hint
        )
    return _Plan(path, kind, header, mapping, shape)


def file_columns(path: Path, profile: Profile = CANONICAL) -> list[str]:
    """The column names of an input file read as ``profile`` says (InputFileError when it cannot be read).

    CSV in the profile's dialect, Parquet, JSON lines (dotted paths of the nested fields), or the
    header row of the profile's sheet of an Excel workbook.
    """
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"{path} does not exist", hint="Check the path.")
    suffix = path.suffix.lower()
    shape = profile.shape
    if suffix in xlsx.SUFFIXES or (shape.format == "xlsx" and suffix not in {".csv", ".txt", ".tsv"}):
        return xlsx.header(path, shape, lambda key: shapes.where(shape, profile.path, key, profile.name))[1]
    if suffix in {".parquet", ".pq"} or (profile.shape.format == "parquet" and suffix != ".csv"):
        return _parquet_header(path)
    if suffix in {".jsonl", ".ndjson", ".json"} or (profile.shape.format == "jsonl" and suffix != ".csv"):
        return shapes.jsonl_header(path)
    return shapes.csv_header(path, profile.shape) or _csv_header(path)


def _csv_header(path: Path) -> list[str]:
    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
    if not head.strip():
        raise InputFileError(f"{path} is empty", hint="Export the file again with a header row.")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputFileError(f"{path} is UTF-16, not UTF-8",
                             hint="Re-export the file as UTF-8 (without BOM or with a UTF-8 BOM).")
    if b"\0" in head:
        raise InputFileError(f"{path} holds NUL bytes: it is not a UTF-8 CSV file",
                             hint="Export the data as UTF-8 CSV or Parquet.")
    first = head.split(b"\n", 1)[0].rstrip(b"\r")
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputFileError(
            f"{path} is not valid UTF-8 (the header line already has bytes that are not UTF-8)",
            hint="Re-export the file as UTF-8, e.g. `iconv -f latin1 -t utf-8 in.csv > out.csv`.",
        ) from None
    try:
        header = next(csv.reader(io.StringIO(text)))
    except (StopIteration, csv.Error):
        header = []
    header = [h.strip() for h in header]
    if not header or all(h == "" for h in header):
        raise InputFileError(f"{path} has no header row", hint="The first line must name the columns.")
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise InputFileError(f"{path} names column(s) {', '.join(dupes)} twice in its header",
                             hint="Give every column a unique name.")
    if any(h == "" for h in header):
        raise InputFileError(f"{path} has a column without a name in its header",
                             hint="Name every column or remove the empty one.")
    if head.startswith(b"\xef\xbb\xbf"):
        header[0] = header[0]
    return header


def _parquet_header(path: Path) -> list[str]:
    import pyarrow.parquet as pq

    try:
        return list(pq.read_schema(path).names)
    except Exception as exc:  # pyarrow raises several types for a broken file
        raise InputFileError(f"{path} is not a readable Parquet file ({exc})",
                             hint="Write the file again, or export CSV instead.") from None


def _file_error(path: Path, exc: duckdb.Error) -> InputFileError:
    text = str(exc)
    low = text.lower()
    if "unicode" in low or "utf-8" in low or "encoding" in low:
        return InputFileError(f"{path} is not valid UTF-8",
                              hint="Re-export the file as UTF-8, e.g. `iconv -f latin1 -t utf-8 in.csv > out.csv`.")
    if "quote" in low:
        return InputFileError(f"{path}: a quoted field is never closed ({text.splitlines()[0]})",
                              hint="Fix the quoting (RFC 4180).")
    return InputFileError(f"{path} cannot be read: {text.splitlines()[0]}",
                          hint="Check that it is a comma-separated UTF-8 CSV with a header, or Parquet.")
