"""How a report writes numbers in each language, and which cell of an API answer holds a figure.

>>> number(12345, "nb"), number(12345, "en"), number(12345, "da")
('12\\xa0345', '12,345', '12.345')
>>> metric_value("FEMALE_SHARE", 0.5234, "nb"), metric_value("TICKETS_PER_BUYER", 2.26, "en")
('52,3\\xa0%', '2.3')
"""

from __future__ import annotations

from typing import Any

_GROUP = {"en": ",", "da": ".", "nb": "\u00a0", "sv": "\u00a0", "fi": "\u00a0"}
COUNTS = {"BUYERS", "EVENTS", "ORGANIZATIONS", "TICKETS", "RESPONDENTS", "FIRST_TIME_BUYERS", "RETURNING_BUYERS"}


def number(value: float, lang: str, digits: int = 0) -> str:
    """``value`` with the language's digit grouping and decimal mark."""
    text = f"{value:,.{digits}f}"
    group, decimal = _GROUP.get(lang, ","), "." if lang == "en" else ","
    return text.replace(",", "\x00").replace(".", decimal).replace("\x00", group)


def percent(share: float, lang: str, digits: int = 1) -> str:
    """A share (0-1) in percent: ``52,3 %`` (a non-breaking space before the sign)."""
    return f"{number(share * 100, lang, digits)}\u00a0%"


def metric_value(metric: str, value: float, lang: str) -> str:
    """A metric's value as the report prints it."""
    if metric.endswith("_SHARE") or metric in ("PROMOTERS", "PASSIVES", "DETRACTORS", "RESPONSE_RATE"):
        return percent(value, lang)
    if metric in COUNTS:
        return number(value, lang)
    if metric == "NPS":
        return number(value, lang, 0)
    return number(value, lang, 1)


def cell(result: dict[str, Any] | None, metric: str) -> dict[str, Any] | None:
    """The metric's cell of an ungrouped answer (its first row), or None."""
    if not result or not result.get("rows"):
        return None
    return next((m for m in result["rows"][0]["metrics"] if m["metric"] == metric), None)


def published(c: dict[str, Any] | None) -> float | None:
    """The cell's value when published; None when hidden or absent."""
    return None if c is None or c.get("suppressed") or c.get("value") is None else float(c["value"])


def comparison(c: dict[str, Any] | None, kind: str) -> dict[str, Any] | None:
    """The cell's comparison of ``kind`` (BENCHMARK, SAME_PERIOD_LAST_YEAR), or None."""
    return next((x for x in (c or {}).get("comparisons") or [] if x["kind"] == kind), None)


def peer_value(c: dict[str, Any] | None) -> tuple[float | None, bool]:
    """The peers' value of a benchmarked cell (a share's peer share), and whether it is hidden."""
    cmp = comparison(c, "BENCHMARK")
    if cmp is None:
        return None, False
    if cmp.get("suppressed"):
        return None, True
    v = cmp.get("peerShare") if cmp.get("peerShare") is not None else cmp.get("value")
    return (None if v is None else float(v)), False
