"""The member organizations of the demo network, and how each one's ticketing system writes.

>>> import numpy as np
>>> from warehouse.demo.places import load_places
>>> orgs = make_organizations(np.random.default_rng(1), load_places(), 40)
>>> len(orgs), sorted({o.country for o in orgs})
(40, ['DK', 'FI', 'IS', 'NO', 'SE'])
>>> len({o.org_type for o in orgs})
7
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from warehouse.demo.kinds import (
    ARCHETYPE_WEIGHTS,
    ARCHETYPES,
    COUNTRY_WEIGHTS,
    ORG_TYPE_SPELLINGS,
    ORG_TYPE_WEIGHTS,
)
from warehouse.demo.names import REAL_CLUBS, ascii_fold, org_name_options
from warehouse.demo.places import Places, Town


@dataclass(frozen=True)
class Organization:
    """One member organization and the habits of its ticketing system's export."""

    index: int
    org_id: str
    name: str
    org_type: str
    archetype: str
    country: str
    region: str
    town: Town
    postal_code: str
    size: float
    home_team: str
    # How its rows are written.
    org_type_written: str
    region_written: str
    postal_written: str
    id_style: int
    event_id_style: int
    time_style: int  # 0 local without offset, 1 with the local offset, 2 UTC with Z
    gender_style: str
    exports_types: bool
    local_type_spelling: bool
    blank_currency: bool
    writes_buyer_country: bool
    spaced_postal: bool
    salt: int


def _allocate(n: int, weights: dict[str, float]) -> dict[str, int]:
    """Split ``n`` by ``weights`` (largest remainder), giving every key at least one."""
    keys = list(weights)
    w = np.array([weights[k] for k in keys])
    raw = w / w.sum() * max(n - len(keys), 0)
    counts = np.floor(raw).astype(int) + 1
    rest = n - counts.sum()
    for i in np.argsort(-(raw - np.floor(raw)), kind="stable")[:rest]:
        counts[i] += 1
    return dict(zip(keys, counts.tolist(), strict=True))


def _abbreviation(name: str) -> str:
    words = [w for w in ascii_fold(name).replace("/", " ").replace("-", " ").split()
             if w.isalpha() and w not in ("i", "og", "och", "og", "of", "the", "fc", "fk")]
    if len(words) == 1:
        return words[0][:3]
    return "".join(w[0] for w in words[:3])


def make_organizations(rng: np.random.Generator, places: Places, n: int) -> list[Organization]:
    """``n`` organizations over all five countries and all seven org types."""
    per_country = _allocate(n, COUNTRY_WEIGHTS)
    per_type = _allocate(n, ORG_TYPE_WEIGHTS)
    types = [t for t, k in per_type.items() for _ in range(k)]
    rng.shuffle(types)
    countries = [c for c, k in per_country.items() for _ in range(k)]
    orgs: list[Organization] = []
    used_names: set[str] = set()
    used_ids: set[str] = set()
    for i, (country, org_type) in enumerate(zip(countries, types, strict=True)):
        arche_w = ARCHETYPE_WEIGHTS[org_type]
        names = list(arche_w)
        p = np.array([arche_w[a] for a in names])
        archetype = str(rng.choice(names, p=p / p.sum()))
        if archetype == "ice_hockey" and country == "IS":
            archetype = "handball"
        towns = places.towns[country]
        regions = sorted({t.region for t in towns})
        pop = np.array([places.region_population.get(r, 1e5) for r in regions])
        name, town, home = "", towns[0], ""
        for _attempt in range(30):
            region = regions[int(rng.choice(len(regions), p=pop / pop.sum()))]
            in_region = [t for t in towns if t.region == region]
            tw = np.array([t.weight for t in in_region]) ** 1.3
            town = in_region[int(rng.choice(len(in_region), p=tw / tw.sum()))]
            club = REAL_CLUBS.get((country, archetype, town.name))
            options = [club[0]] if club else []
            options += org_name_options(archetype, country, town.name)
            start = int(rng.integers(len(options))) if not club else 0
            fresh = [o for o in options[start:] + options[:start] if o not in used_names]
            if fresh:
                name = fresh[0]
                home = club[1] if club and name == club[0] else town.name
                break
        else:  # pragma: no cover - 30 tries cannot all collide at these sizes
            name = f"{town.name} Kultur {i}"
            home = town.name
        used_names.add(name)
        abbr = _abbreviation(name) or "org"
        org_id = f"{country.lower()}-{abbr}"
        k = 2
        while org_id in used_ids:
            org_id = f"{country.lower()}-{abbr}{k}"
            k += 1
        used_ids.add(org_id)
        u = rng.random(12)
        spaced = country == "SE" and u[0] < 0.35
        postal = town.postal_code
        orgs.append(Organization(
            index=i, org_id=org_id, name=name, org_type=org_type, archetype=archetype,
            country=country, region=town.region, town=town, postal_code=postal,
            size=float(ARCHETYPES[archetype].size * np.exp(rng.normal(0, 0.5))
                       * (1.3 if town.weight > 250 else 1.0)),
            home_team=home,
            org_type_written=ORG_TYPE_SPELLINGS[org_type][country] if u[1] < 0.22 else org_type,
            region_written="" if u[2] < 0.25 else town.region,
            postal_written=f"{postal[:3]} {postal[3:]}" if spaced else postal,
            id_style=int(rng.integers(3)), event_id_style=int(rng.integers(3)),
            time_style=0 if u[3] < 0.5 else (1 if u[3] < 0.85 else 2),
            gender_style=["MF", "MK", "en", "local"][int(rng.integers(4))],
            exports_types=bool(u[4] < 0.8), local_type_spelling=bool(u[5] < 0.2),
            blank_currency=bool(u[6] < 0.1), writes_buyer_country=bool(u[7] < 0.6),
            spaced_postal=spaced, salt=int(rng.integers(1, 10**6)),
        ))
    return orgs
