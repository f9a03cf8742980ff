"""The events of the demo network: productions with their runs, matches, festival editions.

A loop per organization and production (a few tens of thousands at full size) builds one row
per event: its id and title as the organization's system writes them, its local start time,
its venue, price and expected audience.

>>> import numpy as np
>>> from warehouse.demo.places import load_places
>>> from warehouse.demo.organizations import make_organizations
>>> rng = np.random.default_rng(3)
>>> orgs = make_organizations(rng, load_places(), 40)
>>> ev = make_events(rng, orgs, load_places(), scale=0.1)
>>> bool((ev.start >= WINDOW_START).all() and (ev.start <= WINDOW_END).all())
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from warehouse.demo.kinds import (
    ARCHETYPES,
    CATEGORY_SPELLINGS,
    EVENT_TYPE_SPELLINGS,
    KINDS,
    SEASONS,
)
from warehouse.demo.names import OPPONENTS, genitive
from warehouse.demo.organizations import Organization
from warehouse.demo.places import Places
from warehouse.demo.titles import FESTIVAL_PASS, PREMIERE, TITLES, WEEKDAYS

DAY = 86_400
#: The three years of events end on this day (local time).
WINDOW_START = np.datetime64("2023-11-01T00:00:00", "s")
WINDOW_END = np.datetime64("2026-10-31T23:59:59", "s")
KIND_NAMES: tuple[str, ...] = tuple(KINDS)
_KIND_INDEX = {k: i for i, k in enumerate(KIND_NAMES)}
#: Units of local currency per NOK, and the rounding step of a ticket price.
PRICE_FACTOR = {"NO": (1.0, 10), "SE": (1.0, 10), "DK": (0.65, 5), "FI": (0.087, 0.5),
                "IS": (12.5, 100)}
_CHRISTMAS = ("Jul", "jul", "Joulu", "Jóla", "Julestjernen")
_NEW_YEAR = ("Nyttår", "Nyår", "Nytår", "Uudenvuoden", "Nýárs", "Áramót")
#: Archetypes whose productions run for many performances (elsewhere a title plays once or twice).
_REPERTORY = ("city_theatre", "children_theatre", "opera_house", "comedy_stage", "cinema")
_MONTHS = np.arange("2023-11", "2026-11", dtype="datetime64[M]")
_MONTH_OF_YEAR = (_MONTHS.astype(int) % 12)


@dataclass
class Events:
    """One row per event (aligned arrays)."""

    org: np.ndarray        # organization index
    kind: np.ndarray       # index into KIND_NAMES
    start: np.ndarray      # local start, datetime64[s]
    price: np.ndarray      # full ticket price, local currency
    weight: np.ndarray     # relative audience
    event_id: list[str]
    name: list[str]
    venue: list[str]
    event_type: list[str]
    category: list[str]

    def __len__(self) -> int:
        return len(self.org)


class _Builder:
    def __init__(self, rng: np.random.Generator, places: Places) -> None:
        self.rng = rng
        self.places = places
        self.rows: list[tuple[int, int, np.datetime64, float, float, str, str, str, str]] = []

    def month_day(self, season: str) -> np.datetime64:
        w = np.array(SEASONS[season])[_MONTH_OF_YEAR]
        month = _MONTHS[int(self.rng.choice(len(w), p=w / w.sum()))]
        return month.astype("datetime64[D]") + int(self.rng.integers(28))

    def holiday(self, title: str) -> np.datetime64 | None:
        """A Christmas or New Year title is scheduled in its season."""
        year = 2023 + int(self.rng.integers(3))
        if any(w in title for w in _CHRISTMAS):
            return np.datetime64(f"{year}-12-01") + int(self.rng.integers(22))
        if any(w in title for w in _NEW_YEAR):
            return np.datetime64(f"{year + 1}-01-01") + int(self.rng.integers(1, 10))
        return None

    def on_weekday(self, day: np.datetime64, weights: tuple[float, ...]) -> np.datetime64:
        w = np.array(weights, dtype=float)
        target = int(self.rng.choice(7, p=w / w.sum()))
        weekday = (int(day.astype(int)) + 3) % 7  # 1970-01-01 was a Thursday
        return day + (target - weekday) % 7

    def run(self, first: np.datetime64, n: int, weights: tuple[float, ...],
            every: int = 1) -> list[np.datetime64]:
        days: list[np.datetime64] = []
        day = first
        while len(days) < n and len(days) < 400:
            if weights[(int(day.astype(int)) + 3) % 7] > 0:
                days.append(day)
            day = day + every
        return days

    def add(self, org: Organization, kind: str, day: np.datetime64, hm: tuple[int, int],
            title: str, weight: float, price_level: float, venue: str) -> None:
        start = day.astype("datetime64[s]") + np.timedelta64(hm[0] * 3600 + hm[1] * 60, "s")
        if not (WINDOW_START <= start <= WINDOW_END):
            return
        spec = KINDS[kind]
        factor, step = PRICE_FACTOR[org.country]
        price = max(step, round(spec.price * factor * price_level / step) * step)
        etype, cat = "", ""
        if org.exports_types and self.rng.random() > 0.1:
            etype, cat = spec.event_type, spec.category
            if org.local_type_spelling:
                etype = EVENT_TYPE_SPELLINGS.get(etype, {}).get(org.country, etype)
                cat = CATEGORY_SPELLINGS.get(cat, {}).get(org.country, cat)
        self.rows.append((org.index, _KIND_INDEX[kind], start, float(price), weight, title,
                          venue, etype, cat))

    def title(self, org: Organization, kind: str) -> str:
        options = TITLES[kind][org.country]
        raw = options[int(self.rng.integers(len(options)))]
        return raw.format(city=org.town.name, gen=genitive(org.country, org.town.name))

    def venue(self, org: Organization) -> str:
        u = self.rng.random()
        if u < 0.05:
            return ""
        if u < 0.15:  # a guest performance elsewhere in the region
            codes = self.places.region_codes[org.country].get(org.region)
            if codes is not None and len(codes):
                code = str(codes[int(self.rng.integers(len(codes)))])
                return f"{code[:3]} {code[3:]}" if org.spaced_postal else code
        return org.postal_written


def _programme(b: _Builder, org: Organization, scale: float) -> None:
    rng = b.rng
    arche = ARCHETYPES[org.archetype]
    kinds = list(arche.mix)
    p = np.array([arche.mix[k] for k in kinds])
    n_prod = max(1, int(rng.poisson(arche.per_year * 3 * scale * float(np.exp(rng.normal(0, 0.25))))))
    for _ in range(n_prod):
        kind = kinds[int(rng.choice(len(kinds), p=p / p.sum()))]
        spec = KINDS[kind]
        level = float(np.exp(rng.normal(0, 0.18)))
        popularity = org.size * spec.audience * float(np.exp(rng.normal(0, 0.55)))
        if org.org_type == "sports":
            season = spec.season
            day = b.on_weekday(b.month_day(season), spec.weekdays)
            opponents = [t for t in OPPONENTS[(org.country, kind)] if t != org.home_team]
            away = opponents[int(rng.integers(len(opponents)))]
            derby = 1.6 if away in OPPONENTS[(org.country, kind)][:3] else 1.0
            hm = spec.hours[int(rng.integers(len(spec.hours)))]
            b.add(org, kind, day, hm, f"{org.home_team} – {away}", popularity * derby, level,
                  org.postal_written)
            continue
        title = b.title(org, kind)
        lo, hi = spec.runs if org.archetype in _REPERTORY else (1, min(spec.runs[1], 2))
        n = int(rng.integers(lo, hi + 1))
        first = b.holiday(title) or b.month_day(spec.season)
        first = b.on_weekday(first, spec.weekdays)
        every = 2 if kind in ("film", "film_kids", "film_doc") else 1
        days = b.run(first, n, spec.weekdays, every)
        venue = b.venue(org)
        premiere = spec.event_type in ("play", "opera_ballet") and n >= 3 and rng.random() < 0.5
        main_hm = spec.hours[int(rng.integers(len(spec.hours)))]
        for k, day in enumerate(days):
            hm = main_hm
            if spec.event_type == "screening":
                hm = spec.hours[int(rng.integers(len(spec.hours)))]
            name = title + (PREMIERE[org.country] if premiere and k == 0 else "")
            decay = 1.3 if premiere and k == 0 else float(np.exp(rng.normal(0, 0.2)))
            b.add(org, kind, day, hm, name, popularity * decay, level, venue)


def _festival(b: _Builder, org: Organization, scale: float) -> None:
    rng = b.rng
    spec = KINDS[org.archetype]
    arche = ARCHETYPES[org.archetype]
    inner = list(arche.mix)
    p = np.array([arche.mix[k] for k in inner])
    word_full, word_day = FESTIVAL_PASS[org.country]
    for year in (2024, 2025, 2026):
        w = np.array(SEASONS[spec.season])
        month = int(rng.choice(12, p=w / w.sum()))
        day0 = np.datetime64(f"{year}-{month + 1:02d}-01") + int(rng.integers(20))
        first = day0 + (3 - (int(day0.astype(int)) + 3) % 7) % 7  # a Thursday
        n_days = int(rng.integers(3, 5))
        # Editions do not scale with the size of the network, so their audience does.
        size = org.size * spec.audience * scale * float(np.exp(rng.normal(0, 0.3)))
        level = float(np.exp(rng.normal(0, 0.15)))
        edition = f"{org.name} {year}"
        b.add(org, org.archetype, first, spec.hours[0], f"{edition} – {word_full}", size, level,
              org.postal_written)
        for d in range(n_days):
            day = first + d
            weekday = WEEKDAYS[org.country][(int(day.astype(int)) + 3) % 7]
            b.add(org, org.archetype, day, spec.hours[-1], f"{edition} – {word_day} {weekday}",
                  size * 0.5, level * 0.45, org.postal_written)
            for _ in range(max(1, int(rng.poisson(3 * max(scale, 0.35))))):
                kind = inner[int(rng.choice(len(inner), p=p / p.sum()))]
                ks = KINDS[kind]
                hm = (int(rng.integers(12, 23)), int(rng.choice([0, 30])))
                b.add(org, kind, day, hm, b.title(org, kind),
                      org.size * ks.audience * scale * float(np.exp(rng.normal(0, 0.5))),
                      float(np.exp(rng.normal(0, 0.2))), b.venue(org))


def _event_ids(org: Organization, n: int) -> list[str]:
    prefix = org.org_id.split("-", 1)[1].upper()
    if org.event_id_style == 0:
        return [f"ev-{k + 1}" for k in range(n)]
    if org.event_id_style == 1:
        base = 10_000 + org.salt % 50_000
        return [str(base + 7 * k) for k in range(n)]
    return [f"{prefix}-{k + 1:04d}" for k in range(n)]


def make_events(rng: np.random.Generator, orgs: list[Organization], places: Places,
                scale: float) -> Events:
    """Events over three years for every organization, ids in chronological order."""
    b = _Builder(rng, places)
    for org in orgs:
        if org.org_type == "festival":
            _festival(b, org, scale)
        else:
            _programme(b, org, scale)
    rows = sorted(b.rows, key=lambda r: (r[0], r[2], r[5]))
    org_idx = np.array([r[0] for r in rows], dtype=np.int64)
    ids: list[str] = []
    for org in orgs:
        ids.extend(_event_ids(org, int((org_idx == org.index).sum())))
    return Events(
        org=org_idx,
        kind=np.array([r[1] for r in rows], dtype=np.int64),
        start=np.array([r[2] for r in rows], dtype="datetime64[s]"),
        price=np.array([r[3] for r in rows]),
        weight=np.array([r[4] for r in rows]),
        event_id=ids, name=[r[5] for r in rows], venue=[r[6] for r in rows],
        event_type=[r[7] for r in rows], category=[r[8] for r in rows],
    )
