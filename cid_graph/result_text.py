"""An insights result as a table for people (``cid-graph query`` without ``--json``).

>>> result = {"columns": [{"name": "gender", "kind": "DIMENSION", "label": "Gender"},
...                       {"name": "buyers", "kind": "METRIC", "label": "Buyers", "format": "integer"}],
...           "rows": [{"dimensions": [{"value": "female", "label": "Female"}],
...                     "metrics": [{"metric": "BUYERS", "value": 1230.0, "suppressed": False}]},
...                    {"dimensions": [{"value": "unknown", "label": "Unknown"}],
...                     "metrics": [{"metric": "BUYERS", "value": None, "suppressed": True,
...                                  "reason": "BELOW_THRESHOLD"}]}],
...           "totals": None, "meta": {"warehouseVersion": 3, "rowCount": 2, "truncated": False,
...                                    "scope": "NETWORK", "suppressedCells": 1, "privacyK": 10}}
>>> print(format_result(result, engine="duckdb"))
Gender   Buyers
-------  ------
Female    1,230
Unknown     <k*
* suppressed: <k = BELOW_THRESHOLD
warehouse v000003 · NETWORK · 2 rows · 1 suppressed · k = 10 · engine duckdb
"""

from __future__ import annotations

from typing import Any

_SHORT = {"BELOW_THRESHOLD": "<k", "POPULATION_BELOW_THRESHOLD": "pop<k",
          "TOO_FEW_ORGANIZATIONS": "few-orgs", "DOMINANCE": "dominance",
          "COMPLEMENTARY": "complement"}


def _number(value: float | None, fmt: str | None) -> str:
    if value is None:
        return ""
    if fmt == "percent":
        return f"{value:.1%}"
    if float(value).is_integer() and fmt != "decimal":
        return f"{int(value):,}"
    return f"{value:,.2f}"


def _metric(cell: dict[str, Any], fmt: str | None, reasons: set[str]) -> str:
    if cell.get("suppressed"):
        reason = cell.get("reason") or ""
        reasons.add(reason)
        return _SHORT.get(reason, reason.lower()) + "*"
    text = _number(cell.get("value"), fmt)
    if cell.get("marginOfError") is not None:
        text += " ±" + _number(cell["marginOfError"], fmt)
    return text + ("†" if cell.get("unreliable") else "")


def _comparison(c: dict[str, Any], reasons: set[str]) -> str:
    if c.get("suppressed"):
        reason = c.get("reason") or ""
        reasons.add(reason)
        return _SHORT.get(reason, reason.lower()) + "*"
    if c.get("kind") == "BENCHMARK":
        return "" if c.get("index") is None else f"{c['index']:.1f}"
    delta, ratio = c.get("delta"), c.get("ratio")
    return (f"{delta:+,.0f}" if delta is not None else "") + (f" (x{ratio:.2f})" if ratio is not None else "")


def format_result(result: dict[str, Any], *, engine: str = "") -> str:
    """Rows as aligned text columns, suppression marked with its reason, and the result's meta."""
    columns = result["columns"]
    dims = [c for c in columns if c["kind"] == "DIMENSION"]
    metrics = [c for c in columns if c["kind"] == "METRIC"]
    formats = [c.get("format") for c in metrics]
    rows = list(result["rows"])
    compare_heads: list[str] = []
    first = (rows[0] if rows else result.get("totals")) or {"metrics": []}
    for m, col in zip(first["metrics"], metrics, strict=False):
        for c in m.get("comparisons") or []:
            compare_heads.append(f"{col['label']} {'index ' + (c.get('peerGroup') or '') if c['kind'] == 'BENCHMARK' else c['kind'].lower()}".strip())
    header = [c["label"] for c in dims] + [c["label"] for c in metrics] + compare_heads
    reasons: set[str] = set()
    body: list[list[str]] = []
    body_rows = [*rows, *([result["totals"]] if result.get("totals") else [])]
    for row in body_rows:
        labels = [d.get("label") or d.get("value") or "" for d in row.get("dimensions", [])]
        if not row.get("dimensions"):
            labels = ["Total"] + [""] * (len(dims) - 1) if dims else []
        cells = [_metric(m, f, reasons) for m, f in zip(row["metrics"], formats, strict=True)]
        cells += [_comparison(c, reasons) for m in row["metrics"] for c in (m.get("comparisons") or [])]
        body.append(labels + cells)
    widths = [max([len(h), *(len(r[i]) for r in body if i < len(r))]) for i, h in enumerate(header)]
    out = []
    for line in [header, ["-" * w for w in widths], *body]:
        out.append("  ".join(v.ljust(w) if i < len(dims) else v.rjust(w)
                             for i, (v, w) in enumerate(zip(line, widths, strict=False))).rstrip())
    if any(m.get("unreliable") for row in body_rows for m in row["metrics"]):
        out.append("† fewer than 30 respondents: read with care")
    if reasons:
        out.append("* suppressed: " + ", ".join(f"{_SHORT.get(r, r.lower())} = {r}" for r in sorted(reasons)))
    meta = result["meta"]
    summary = [f"warehouse v{meta['warehouseVersion']:06d}", meta["scope"], f"{meta['rowCount']} rows"]
    if meta.get("truncated"):
        summary.append("truncated")
    summary += [f"{meta['suppressedCells']} suppressed", f"k = {meta['privacyK']}"]
    if engine:
        summary.append(f"engine {engine}")
    out.append(" · ".join(summary))
    return "\n".join(out)
