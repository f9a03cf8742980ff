"""Buyers and their purchases, vectorized: who buys, when, how many tickets, for how much.

Buyers are drawn per event; each buyer is a member of a customer pool per (organization,
kind of event), so regulars come back to several events of the same organization with the
same customer number, age, gender and postal code. How often they come back, and over which
years, depends on the organization's type (:mod:`warehouse.demo.histories`: season-ticket
holders of a club far more often than a festival's buyers). A buyer makes one purchase, sometimes two
or three (the same customer number again), and sometimes returns tickets (a negative row;
some returns cancel the whole purchase, so that buyer nets to zero).

>>> import numpy as np
>>> from warehouse.demo.places import load_places
>>> from warehouse.demo.organizations import make_organizations
>>> from warehouse.demo.events import make_events
>>> rng = np.random.default_rng(5)
>>> places = load_places()
>>> orgs = make_organizations(rng, places, 40)
>>> p = make_purchases(rng, orgs, make_events(rng, orgs, places, 0.1), places, 5_000)
>>> p.buyers + p.full_refunds, bool((p.tickets != 0).all())
(5000, True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from warehouse.demo.events import DAY, KIND_NAMES, PRICE_FACTOR, WINDOW_END, Events
from warehouse.demo.histories import assign_members
from warehouse.demo.kinds import KINDS, TICKET_MIX
from warehouse.demo.names import FIRST_NAMES, LAST_NAMES
from warehouse.demo.organizations import Organization
from warehouse.demo.places import Places

COUNTRIES = ("NO", "SE", "DK", "FI", "IS")
#: Purchases by weekday (Mon..Sun) and hour of day, relative.
WEEKDAY_WEIGHT = np.array([1.0, 1.05, 1.0, 0.95, 0.82, 0.66, 0.9])
MONTH_WEIGHT = np.array([1.0, 1.0, 1.0, 0.95, 0.9, 0.8, 0.45, 0.85, 1.0, 1.0, 1.0, 0.9])
HOUR_EVENING = np.array([0.3, 0.15, 0.08, 0.05, 0.05, 0.1, 0.4, 1.0, 1.8, 2.2, 2.4, 2.6, 3.6,
                         3.2, 2.6, 2.5, 2.6, 2.9, 3.4, 4.2, 4.6, 4.2, 3.0, 1.2])
HOUR_DAYTIME = np.array([0.1, 0.05, 0.02, 0.02, 0.02, 0.05, 0.3, 1.2, 2.5, 3.5, 4.5, 4.8, 4.6,
                         4.2, 3.8, 3.2, 2.6, 2.2, 2.0, 2.0, 1.8, 1.2, 0.6, 0.3])
ANONYMOUS_SHARE = 0.055
#: A kind an organization programmes fewer times than this shares a pool with its other such kinds.
MIN_POOL_EVENTS = 3
REFUND_SHARE = 0.025


@dataclass
class Pool:
    """Customer pool members: who a customer number stands for (aligned arrays)."""

    org: np.ndarray
    cust_no: np.ndarray      # number within the organization
    birth_year: np.ndarray   # 0 = not known
    gender: np.ndarray       # 0 male, 1 female, 2 not known
    postal: np.ndarray       # index into Places-wide code arrays, -1 = not known
    first: np.ndarray        # index into the concatenated FIRST_NAMES
    last: np.ndarray
    mail_no: np.ndarray
    phone_no: np.ndarray


@dataclass
class Purchases:
    """One row per purchase or refund (aligned arrays), plus the pool and the code tables."""

    event: np.ndarray
    org: np.ndarray
    member: np.ndarray       # pool member, -1 = anonymous
    at: np.ndarray           # local time, seconds since 1970 (int64)
    tickets: np.ndarray
    amount: np.ndarray
    refund: np.ndarray
    pool: Pool
    codes: np.ndarray        # all postal codes (object)
    code_country: np.ndarray
    buyers: int
    full_refunds: int


def _code_tables(places: Places) -> tuple[np.ndarray, np.ndarray, dict[str, tuple[list[str], np.ndarray, np.ndarray, np.ndarray]]]:
    codes, code_country = [], []
    by_country = {}
    offset = 0
    for c in COUNTRIES:
        regions = list(places.region_codes[c])
        counts = np.array([len(places.region_codes[c][r]) for r in regions])
        starts = offset + np.cumsum(counts) - counts
        pop = np.array([places.region_population.get(r, float(n) * 100)
                        for r, n in zip(regions, counts, strict=True)])
        by_country[c] = (regions, starts, counts, pop / pop.sum())
        for r in regions:
            codes.extend(places.region_codes[c][r].tolist())
        code_country.extend([c] * int(counts.sum()))
        offset += int(counts.sum())
    return np.array(codes, dtype=object), np.array(code_country, dtype=object), by_country


def _pool(rng: np.random.Generator, orgs: list[Organization], places: Places,
          org: np.ndarray, kind: np.ndarray, tables: dict) -> Pool:
    """Customers (sorted by organization) who buy for events of ``kind`` at ``org``."""
    n = len(org)
    org_first = np.full(len(orgs), n, dtype=np.int64)
    np.minimum.at(org_first, org, np.arange(n))
    cust_no = np.arange(n) - org_first[org]
    age_spec = np.array([(KINDS[k].age + (0.0, 0.0, 1.0))[:6] for k in KIND_NAMES])
    a = age_spec[kind]
    second = rng.random(n) < a[:, 3]
    age = np.where(second, rng.normal(a[:, 4], a[:, 5]), rng.normal(a[:, 0], a[:, 1]))
    age = np.clip(np.rint(age), 15, 92).astype(np.int64)
    birth_year = np.where(rng.random(n) < 0.14, 0, 2025 - age)
    u = rng.random(n)
    gender = np.where(u < 0.07, 2, np.where(rng.random(n) < a[:, 2], 1, 0))
    # Home: mostly the organization's region, else elsewhere in its country, else abroad.
    country_of_org = np.array([COUNTRIES.index(o.country) for o in orgs])[org]
    region_of_org = np.array([tables[o.country][0].index(o.region)
                              if o.region in tables[o.country][0] else 0 for o in orgs])[org]
    where = rng.random(n)
    home_country = country_of_org.copy()
    abroad = where >= 0.96
    home_country[abroad] = (country_of_org[abroad] + rng.integers(1, 5, abroad.sum())) % 5
    home_region = region_of_org.copy()
    postal = np.full(n, -1, dtype=np.int64)
    for ci, c in enumerate(COUNTRIES):
        regions, starts, counts, p = tables[c]
        moved = (home_country == ci) & (where >= 0.72)
        home_region[moved] = rng.choice(len(regions), size=int(moved.sum()), p=p)
        mine = home_country == ci
        r = home_region[mine]
        postal[mine] = starts[r] + (rng.random(int(mine.sum())) * counts[r]).astype(np.int64)
    postal[rng.random(n) < 0.06] = -1
    first_n = np.array([len(FIRST_NAMES[c]) for c in COUNTRIES])
    last_n = np.array([len(LAST_NAMES[c]) for c in COUNTRIES])
    first_off = np.cumsum(first_n) - first_n
    last_off = np.cumsum(last_n) - last_n
    first = first_off[country_of_org] + (rng.random(n) * first_n[country_of_org]).astype(np.int64)
    last = last_off[country_of_org] + (rng.random(n) * last_n[country_of_org]).astype(np.int64)
    return Pool(org=org, cust_no=cust_no, birth_year=birth_year, gender=gender, postal=postal,
                first=first, last=last, mail_no=rng.integers(1, 100, n),
                phone_no=rng.integers(1_000_000, 10_000_000, n))


def _shift_to_busy_days(rng: np.random.Generator, day: np.ndarray) -> np.ndarray:
    """Move purchases off quiet weekdays and months, giving the weekly and yearly rhythm."""
    weight = WEEKDAY_WEIGHT / WEEKDAY_WEIGHT.max()
    month_w = MONTH_WEIGHT / MONTH_WEIGHT.max()
    day = day.copy()
    for _ in range(2):
        weekday = (day + 3) % 7
        month = day.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12
        keep = rng.random(len(day)) < weight[weekday] * month_w[month]
        day = np.where(keep, day, day - rng.integers(1, 4, len(day)))
    return day


def _clock(rng: np.random.Generator, daytime: np.ndarray) -> np.ndarray:
    n = len(daytime)
    hour = np.where(daytime, rng.choice(24, n, p=HOUR_DAYTIME / HOUR_DAYTIME.sum()),
                    rng.choice(24, n, p=HOUR_EVENING / HOUR_EVENING.sum()))
    return hour * 3600 + rng.integers(0, 3600, n)


def _pool_keys(events: Events, n_e: np.ndarray, n_kinds: int) -> np.ndarray:
    """Each event's customer pool: its organization × kind, except that the kinds an
    organization programmes fewer than ``MIN_POOL_EVENTS`` times share one pool (a museum's
    talk and its family day draw on its exhibition public), with the demographics of the
    biggest of them."""
    pair = events.org * n_kinds + events.kind
    keys, inv, count = np.unique(pair, return_inverse=True, return_counts=True)
    slots = np.bincount(inv, weights=n_e, minlength=len(keys))
    thin = count < MIN_POOL_EVENTS
    org = keys // n_kinds
    order = np.lexsort((-slots, org))
    order = order[thin[order]]
    first = order[np.r_[True, org[order][1:] != org[order][:-1]]] if len(order) else order
    merged = keys.copy()
    rep = np.full(int(org.max()) + 1 if len(org) else 0, -1, dtype=np.int64)
    rep[org[first]] = keys[first]
    merged[thin] = rep[org[thin]]
    return merged[inv]


def make_purchases(rng: np.random.Generator, orgs: list[Organization], events: Events,
                   places: Places, n_buyers: int) -> Purchases:
    """About ``n_buyers`` buyers (exactly, before full refunds) over ``events``."""
    codes, code_country, tables = _code_tables(places)
    n_kinds = len(KIND_NAMES)
    n_e = rng.multinomial(n_buyers, events.weight / events.weight.sum())
    ev = np.repeat(np.arange(len(events)), n_e)
    n_b = len(ev)
    seg_key, seg_of_event = np.unique(_pool_keys(events, n_e, n_kinds), return_inverse=True)
    seg_org = seg_key // n_kinds
    # About 55 % of refunds cancel the whole purchase (see below).
    keep = (1 - ANONYMOUS_SHARE) * (1 - 0.55 * REFUND_SHARE)
    slot, size = assign_members(rng, n_e, seg_of_event, [orgs[o].org_type for o in seg_org],
                                keep)
    slot = np.where(rng.random(n_b) < ANONYMOUS_SHARE, -1, slot)
    # Only customers who buy get a customer number (in pool order, so by organization).
    is_used = np.zeros(int(size.sum()), dtype=bool)  # about the number of slots (no sort)
    is_used[slot[slot >= 0]] = True
    used = np.flatnonzero(is_used)
    number = np.cumsum(is_used) - 1
    member = np.where(slot >= 0, number[np.maximum(slot, 0)], -1)
    seg_start = np.cumsum(size) - size
    used_seg = np.searchsorted(seg_start, used, side="right") - 1
    pool = _pool(rng, orgs, places, seg_org[used_seg], seg_key[used_seg] % n_kinds, tables)

    # Purchases per buyer; refunds come later as extra rows.
    known = member >= 0
    u = rng.random(n_b)
    n_purchases = 1 + (known & (u < 0.07)) + (known & (u < 0.015))
    buyer = np.repeat(np.arange(n_b), n_purchases)
    nth = np.arange(len(buyer)) - np.repeat(np.cumsum(n_purchases) - n_purchases, n_purchases)
    row_ev = ev[buyer]
    kind = events.kind[row_ev]
    mix_names = list(TICKET_MIX)
    mix_of_kind = np.array([mix_names.index(KINDS[k].tickets) for k in KIND_NAMES])[kind]
    tickets = np.ones(len(buyer), dtype=np.int64)
    for m, name in enumerate(mix_names):
        sel = mix_of_kind == m
        tickets[sel] = 1 + rng.choice(6, int(sel.sum()), p=np.array(TICKET_MIX[name]))
    tickets[nth > 0] = 1 + (rng.random(int((nth > 0).sum())) < 0.3)
    step = np.array([PRICE_FACTOR[o.country][1] for o in orgs])[events.org[row_ev]]
    tier = rng.random(len(buyer))
    factor = np.where(tier < 0.15, 0.75, np.where(tier < 0.2, 1.35, 1.0))
    unit = np.maximum(step, np.round(events.price[row_ev] * factor / step) * step)
    amount = tickets * unit

    # When: days before the event (or, for exhibitions, during the run), then a time of day.
    start = events.start.astype(np.int64)[row_ev]
    lead_spec = np.array([KINDS[k].lead for k in KIND_NAMES])[kind]
    during = lead_spec < 0
    lead = np.where(during, -rng.uniform(-20, 120, len(buyer)),
                    np.clip(lead_spec * np.exp(rng.normal(0, 0.8, len(buyer))), 0, 180))
    first_day = (start // DAY) - np.floor(lead).astype(np.int64)
    day = _shift_to_busy_days(rng, first_day)
    daytime = np.array([KINDS[k].daytime for k in KIND_NAMES])[kind]
    at = day * DAY + _clock(rng, daytime)
    # A second or third purchase falls between the first and the event.
    later = nth > 0
    first_at = np.repeat(at[nth == 0], n_purchases)
    span = np.where(during, 10 * DAY, np.maximum(start - first_at, 0))
    at = np.where(later, first_at + (rng.random(len(buyer)) * span).astype(np.int64), at)
    late = ~during & (at > start - 1800)
    at[late] = start[late] - rng.integers(1800, 6 * 3600, int(late.sum()))
    end = WINDOW_END.astype(np.int64)
    at = np.where(at > end, end - rng.integers(3600, 5 * DAY, len(at)), at)

    # Refunds: a return of one ticket, or of the whole (single) purchase.
    last_of_buyer = np.cumsum(n_purchases) - 1
    refunding = known & (rng.random(n_b) < REFUND_SHARE)
    rb = np.flatnonzero(refunding)
    src = last_of_buyer[rb]
    full = (n_purchases[rb] == 1) & ((rng.random(len(rb)) < 0.5) | (tickets[src] == 1))
    r_tickets = np.where(full, -tickets[src], -1)
    r_unit = amount[src] / tickets[src]
    r_at = at[src] + rng.integers(3600, 12 * DAY, len(rb))
    r_at = np.where(~during[src] & (r_at > start[src] - 3600),
                    at[src] + (np.maximum(start[src] - 3600 - at[src], 60) * 0.5).astype(np.int64),
                    r_at)
    r_at = np.minimum(r_at, end)
    return Purchases(
        event=np.concatenate([row_ev, row_ev[src]]),
        org=events.org[np.concatenate([row_ev, row_ev[src]])],
        member=np.concatenate([member[buyer], member[rb]]),
        at=np.concatenate([at, r_at]),
        tickets=np.concatenate([tickets, r_tickets]),
        amount=np.concatenate([amount, r_tickets * r_unit]),
        refund=np.concatenate([np.zeros(len(buyer), bool), np.ones(len(rb), bool)]),
        pool=pool, codes=codes, code_country=code_country,
        buyers=int(n_b - full.sum()), full_refunds=int(full.sum()),
    )
