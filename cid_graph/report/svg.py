"""Charts of a report as inline SVG: horizontal bars (with the peers' bar beside) and a line.

A hidden value is drawn as no bar and the word for hidden, never as a number.

>>> svg = bars([Bar("Høy", 0.25, 0.2), Bar("Lav", None, 0.1)], fmt=lambda v: f"{v:.0%}", hidden="skjult")
>>> "skjult" in svg and "Høy" in svg and svg.startswith("<svg")
True
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape

OWN_COLOUR = "#1f5f8b"
PEER_COLOUR = "#b9c7d3"
FONT = "font-family='DejaVu Sans, sans-serif'"


@dataclass(frozen=True)
class Bar:
    """One bucket: its label, its value (None when hidden) and the peers' (None when none or hidden)."""

    label: str
    value: float | None
    peer: float | None = None
    peer_hidden: bool = False


def bars(items: list[Bar], *, fmt: Callable[[float], str], hidden: str, width: int = 330,
         label_width: int = 120, legend: tuple[str, str] | None = None) -> str:
    """Horizontal bars, one row per bucket; with peers a thinner bar under each."""
    with_peers = any(b.peer is not None or b.peer_hidden for b in items)
    row = 26 if with_peers else 18
    top = 16 if legend and with_peers else 2
    height = top + row * len(items) + 2
    scale_max = max([b.value or 0 for b in items] + [b.peer or 0 for b in items] + [1e-9])
    plot = width - label_width - 52
    out = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
           f"viewBox='0 0 {width} {height}' {FONT} font-size='9'>"]
    if legend and with_peers:
        out.append(f"<rect x='{label_width}' y='3' width='9' height='7' fill='{OWN_COLOUR}'/>"
                   f"<text x='{label_width + 12}' y='10'>{escape(legend[0])}</text>"
                   f"<rect x='{label_width + 90}' y='3' width='9' height='7' fill='{PEER_COLOUR}'/>"
                   f"<text x='{label_width + 102}' y='10'>{escape(legend[1])}</text>")
    for i, b in enumerate(items):
        y = top + i * row
        out.append(f"<text x='{label_width - 4}' y='{y + 10}' text-anchor='end'>{escape(_clip(b.label))}</text>")
        out.append(_bar(label_width, y + 2, b.value, scale_max, plot, 9, OWN_COLOUR, fmt, hidden))
        if with_peers:
            out.append(_bar(label_width, y + 13, b.peer, scale_max, plot, 6, PEER_COLOUR, fmt,
                            hidden if b.peer_hidden else "", small=True))
    out.append("</svg>")
    return "".join(out)


def _bar(x: int, y: int, value: float | None, scale_max: float, plot: int, h: int, colour: str,
         fmt: Callable[[float], str], hidden: str, small: bool = False) -> str:
    size = 7 if small else 9
    if value is None:
        return f"<text x='{x + 2}' y='{y + h - 1}' font-size='{size}' fill='#8a3b12' font-style='italic'>{escape(hidden)}</text>" if hidden else ""
    w = max(0.5, value / scale_max * plot) if value > 0 else 0
    return (f"<rect x='{x}' y='{y}' width='{w:.1f}' height='{h}' fill='{colour}'/>"
            f"<text x='{x + w + 3:.1f}' y='{y + h - 1}' font-size='{size}'>{escape(fmt(value))}</text>")


def line(points: list[tuple[str, float | None]], *, fmt: Callable[[float], str], hidden: str,
         width: int = 680, height: int = 150) -> str:
    """A line over labelled points (months); a hidden point breaks the line and is marked."""
    left, bottom, right, top = 50, 28, 24, 10
    n = max(1, len(points))
    top_value = max([v or 0 for _, v in points] + [1e-9])
    step = (width - left - right) / max(1, n - 1)
    out = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
           f"viewBox='0 0 {width} {height}' {FONT} font-size='8'>",
           f"<line x1='{left}' y1='{height - bottom}' x2='{width - right}' y2='{height - bottom}' stroke='#999'/>",
           f"<text x='{left - 4}' y='{top + 4}' text-anchor='end'>{escape(fmt(top_value))}</text>",
           f"<text x='{left - 4}' y='{height - bottom}' text-anchor='end'>0</text>"]
    path: list[str] = []
    for i, (label, value) in enumerate(points):
        x = left + i * step
        out.append(f"<text x='{x:.1f}' y='{height - bottom + 11}' text-anchor='middle'>{escape(label)}</text>")
        if value is None:
            out.append(f"<text x='{x:.1f}' y='{height - bottom - 4}' text-anchor='middle' fill='#8a3b12' "
                       f"font-style='italic'>{escape(hidden)}</text>")
            if path:
                out.append(_polyline(path))
            path = []
            continue
        y = height - bottom - value / top_value * (height - bottom - top)
        path.append(f"{x:.1f},{y:.1f}")
        out.append(f"<circle cx='{x:.1f}' cy='{y:.1f}' r='2' fill='{OWN_COLOUR}'/>")
    if path:
        out.append(_polyline(path))
    out.append("</svg>")
    return "".join(out)


def _polyline(points: list[str]) -> str:
    return f"<polyline points='{' '.join(points)}' fill='none' stroke='{OWN_COLOUR}' stroke-width='1.5'/>"


def _clip(label: str, most: int = 24) -> str:
    return label if len(label) <= most else label[: most - 1] + "…"
