"""Customer histories: who comes back to an organization, how often, and over which years.

A buyer row is one customer × one event at one organization with net tickets > 0. The
warehouse calls a row *returning* when the same customer has a buyer row at the same
organization for another event whose first purchase is strictly earlier, and gives it a
*frequency*: the distinct events the customer bought for at that organization in the 365 days
up to and including the row's first purchase. "First" means first in the data: the demo's
window is three years (``WINDOW_START`` to ``WINDOW_END``), so everyone is a first-time buyer
at their first row in it.

The generator aims at the figures in :data:`INTENDED_HISTORY` (per org type: the share of
buyer rows that are returning, and the share of buyer rows in each frequency band). They are
targets derived from :data:`HISTORY` below, not measurements of generated data.

How a type's buyers behave (:data:`HISTORY`): two kinds of customer.

* The **core**: season-ticket holders, subscribers, members, regulars. A share of the buyer
  rows (``core_share``) comes from a small fixed group of customers who each buy for about
  ``core_per_year`` events a year, for as long as the programme runs (so they span years).
* **Occasional** buyers make up the rest. How often one of them comes back is set so that the
  type's returning share comes out at ``returning``: a larger pool of occasional buyers means
  fewer repeats.

Why these figures (all Nordic practice, in round numbers):

* ``sports``: clubs sell season tickets to a large part of their home crowd (often 40–60 %
  in the top leagues) and the holders come to most of the 15–25 home matches a year; walk-up
  fans also come back several times a season. Returning share 0.75, the highest.
* ``theatre_performing_arts``: subscribers ("abonnement", "teaterkort") see 3–5 productions a
  season; a large occasional public comes for the musical or the Christmas show once a year
  or less. 0.45.
* ``music``: orchestra subscribers and jazz-club regulars come often, the concert hall's pop
  public mostly for one artist. 0.42.
* ``film_screening``: cinemas live on regulars who come every few weeks, and occasional
  film-goers return a few times a year too. 0.50.
* ``museum_heritage``: friends-of-the-museum members come back for new exhibitions and
  talks; most visitors come once, or once every few years. 0.25.
* ``other`` (culture houses): a mixed local programme, a local public that returns now and
  then. 0.35.
* ``festival``: one edition a year, a few days long; most buyers come for one day or one
  concert once. Regulars return to the next edition, and some buy for two days of the same
  edition (those count as returning too: another event, an earlier first purchase). 0.20,
  the lowest.

How it is built (:func:`assign_members`, vectorized): buyers are drawn per event as before
(the size of each event's audience is fixed first). Within each customer pool (organization ×
kind of event; kinds an organization programmes fewer than three times share one pool), the
core has ``C`` members who each come to an event with probability ``p`` (``p`` =
``core_per_year`` × 3 years ÷ the pool's events, at most 0.95; the number who come to one
event is binomial); the occasional buyers of an event are drawn from a pool of ``N``
members (an arithmetic progression with a random start and a random step prime to ``N``), so
a person buys at most once per event and their events fall anywhere in the three years.
``N`` is solved per pool (bisection on the expected number of distinct buyers, allowing for
the rows that turn anonymous or are refunded in full) so that the pool's expected returning
share is the type's ``returning``. A thin pool that cannot get there with its occasional
buyers alone (few events, or one big event among small ones) gets a larger core, up to 90 %
of its rows. Only customers who buy are given a customer number.

Where the programme is thin the targets cannot all be met: a pool with one or two events
(a museum's single exhibition of a kind in the ``small`` preset) cannot have many returning
buyers, and with few events a year nobody buys for 6+ of them in 365 days. The returning
share holds where the pool has enough events (``medium`` and ``large`` everywhere, ``small``
for most types: its sports clubs play about five home matches in three years, its museums
hold about three events); the frequency bands assume the full programme of ``large``
(``medium`` has 0.6 of its events, ``small`` 0.1, so their bands lean towards 1 and 2).

>>> round(INTENDED_HISTORY["sports"]["returning_share"], 2)
0.75
>>> f = INTENDED_HISTORY["festival"]["frequency"]
>>> list(f), round(sum(f.values()), 6)
(['1', '2', '3-5', '6+'], 1.0)
>>> INTENDED_HISTORY["sports"]["frequency"]["6+"] > INTENDED_HISTORY["festival"]["frequency"]["6+"]
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["HISTORY", "INTENDED_HISTORY", "YEARS", "History", "assign_members"]

#: Years in the demo's window of purchases and events.
YEARS = 3.0
#: The most often a core member comes to one event of their pool.
CORE_MAX_ATTENDANCE = 0.95
#: The largest share of a thin pool's rows its core may take (see :func:`assign_members`).
CORE_MAX_SHARE = 0.9
FREQUENCY_BANDS = ("1", "2", "3-5", "6+")


@dataclass(frozen=True)
class History:
    """How a type's customers come back (see the module docstring for the reasoning)."""

    returning: float       # intended share of buyer rows that are returning
    core_share: float      # share of buyer rows bought by the core (season tickets, members)
    core_per_year: float   # events a core member buys for per year, full programme


HISTORY: dict[str, History] = {
    "sports": History(0.75, 0.45, 10.0),
    "film_screening": History(0.50, 0.12, 8.0),
    "theatre_performing_arts": History(0.45, 0.18, 4.0),
    "music": History(0.42, 0.15, 5.0),
    "other": History(0.35, 0.10, 3.0),
    "museum_heritage": History(0.25, 0.06, 3.0),
    "festival": History(0.20, 0.06, 2.0),
}


def _returning_of_poisson(mu: float) -> float:
    """Returning share of rows when each customer's rows are Poisson(mu) (the active ones)."""
    return 1.0 - (-math.expm1(-mu)) / mu if mu > 0 else 0.0


def _mu_for(returning: float) -> float:
    """The Poisson mean whose returning share is ``returning`` (bisection)."""
    lo, hi = 1e-6, 200.0
    for _ in range(100):
        mid = math.sqrt(lo * hi)
        lo, hi = (mid, hi) if _returning_of_poisson(mid) < returning else (lo, mid)
    return math.sqrt(lo * hi)


def _bands(rate: float, grid: int = 600) -> np.ndarray:
    """Share of a tier's rows per frequency band: rows uniform over the window, each counting
    itself plus Poisson(rate × the lookback, at most one year) others."""
    t = (np.arange(grid) + 0.5) / grid * YEARS
    lam = rate * np.minimum(t, 1.0)
    p0, p1 = np.exp(-lam), lam * np.exp(-lam)
    p2_4 = np.exp(-lam) * (lam**2 / 2 + lam**3 / 6 + lam**4 / 24)
    out = np.array([p0.mean(), p1.mean(), p2_4.mean(), 0.0])
    out[3] = 1.0 - out[:3].sum()
    return out


def _intended(h: History) -> dict[str, Any]:
    """The figures a type aims at, under the full programme (Poisson idealization)."""
    core_mu = h.core_per_year * YEARS
    core_ret = _returning_of_poisson(core_mu)
    casual_ret = min(max((h.returning - h.core_share * core_ret) / (1 - h.core_share), 0.0),
                     0.99)
    casual_mu = _mu_for(casual_ret) if casual_ret > 0 else 0.0
    bands = (h.core_share * _bands(h.core_per_year)
             + (1 - h.core_share) * _bands(casual_mu / YEARS))
    return {
        "returning_share": h.returning,
        "frequency": {b: round(float(v), 4) for b, v in zip(FREQUENCY_BANDS, bands, strict=True)},
        "core_share": h.core_share,
        "core_events_per_year": h.core_per_year,
        "occasional_events_per_year": round(casual_mu / YEARS, 4),
    }


#: Per org type, what the generator aims at: ``returning_share`` (returning ÷ buyer rows with
#: a customer id) and ``frequency`` (share of those rows per band of events in 365 days, for
#: the full programme), plus the model behind them. Targets, not measured results.
INTENDED_HISTORY: dict[str, dict[str, Any]] = {t: _intended(h) for t, h in HISTORY.items()}


def _expected_distinct(pool: np.ndarray, take: np.ndarray, seg: np.ndarray,
                       n_seg: int) -> np.ndarray:
    """Expected distinct members per pool when each event takes ``take`` of its ``pool``
    members at random (a contiguous block at a random offset)."""
    with np.errstate(divide="ignore"):
        log_miss = np.log1p(-np.minimum(take / np.maximum(pool[seg], 1), 1.0))
    none = np.exp(np.bincount(seg, weights=log_miss, minlength=n_seg))
    return pool * (1.0 - none)


def _core_size(share: np.ndarray, p: np.ndarray, events: np.ndarray,
               slots: np.ndarray) -> np.ndarray:
    return np.maximum(1, np.rint(share * slots / np.maximum(p * events, 1))).astype(np.int64)


def _casual_lower(casual_e: np.ndarray, seg: np.ndarray, n_seg: int) -> np.ndarray:
    lo = np.ones(n_seg)
    np.maximum.at(lo, seg, casual_e.astype(float))
    return lo


def _casual_pool(casual_e: np.ndarray, want: np.ndarray, seg: np.ndarray, n_seg: int,
                 keep: float) -> np.ndarray:
    """Per pool, the number of occasional buyers whose expected distinct count is ``want``
    (as near as the pool allows: at least the largest event's occasional slots)."""
    lo = _casual_lower(casual_e, seg, n_seg)
    hi = np.maximum(lo, 20.0 * np.bincount(seg, weights=casual_e, minlength=n_seg))
    lo_n, hi_n = np.log(lo), np.log(hi)
    for _ in range(40):
        mid = (lo_n + hi_n) / 2
        short = _expected_distinct(np.exp(mid), keep * casual_e, seg, n_seg) < want
        lo_n = np.where(short, mid, lo_n)
        hi_n = np.where(short, hi_n, mid)
    return np.maximum(np.ceil(np.exp(hi_n)), lo).astype(np.int64)


def _distinct(share: np.ndarray, p: np.ndarray, n_e: np.ndarray, seg: np.ndarray,
              events: np.ndarray, slots: np.ndarray, keep: float) -> np.ndarray:
    """Expected distinct customers per pool with this core share and the fewest occasional
    buyers the pool allows (the most repeats it can have)."""
    n_seg = len(share)
    core = _core_size(share, p, events, slots).astype(float)
    core_e = np.minimum(n_e, (p * core)[seg])
    casual_e = n_e - core_e
    lo = _casual_lower(casual_e, seg, n_seg)
    return (_expected_distinct(core, keep * core_e, seg, n_seg)
            + _expected_distinct(lo, keep * casual_e, seg, n_seg))


def assign_members(rng: np.random.Generator, n_e: np.ndarray, seg_of_event: np.ndarray,
                   seg_type: list[str], keep: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Who fills each buyer slot, per customer pool.

    Args:
        rng: the generator's random numbers.
        n_e: buyer slots per event.
        seg_of_event: each event's customer pool (organization × kind), 0..n-1.
        seg_type: each pool's org type (a key of :data:`HISTORY`).
        keep: the share of slots that will become buyer rows with a customer id (the rest
            turn anonymous or are refunded in full); the targets are met on those.

    Returns:
        ``(pool_member, pool_size)``: for every slot (events in order, then slot within the
        event) a member number within its pool's virtual range, laid out pool after pool by
        ``pool_size`` (core first, then the occasional buyers). No member fills two slots of
        one event.
    """
    n_seg = len(seg_type)
    params = np.array([(HISTORY[t].returning, HISTORY[t].core_share, HISTORY[t].core_per_year)
                       for t in seg_type]).reshape(n_seg, 3)
    target, share, per_year = params[:, 0], params[:, 1], params[:, 2]
    events = np.bincount(seg_of_event, minlength=n_seg).astype(float)
    slots = np.bincount(seg_of_event, weights=n_e, minlength=n_seg)
    # The core: C members, each at an event with probability p.
    p = np.minimum(CORE_MAX_ATTENDANCE, per_year * YEARS / np.maximum(events, 1))
    want = (1.0 - target) * keep * slots  # distinct customers the target leaves
    # A thin pool (few events, or one big event among small ones) cannot reach the target
    # with its occasional buyers alone: its core grows, up to CORE_MAX_SHARE of the rows.
    thin = _distinct(share, p, n_e, seg_of_event, events, slots, keep) > want * 1.01
    if thin.any():
        lo_s, hi_s = share.copy(), np.maximum(share, CORE_MAX_SHARE)
        for _ in range(20):
            mid = (lo_s + hi_s) / 2
            over = _distinct(mid, p, n_e, seg_of_event, events, slots, keep) > want
            lo_s = np.where(thin & over, mid, lo_s)
            hi_s = np.where(thin & ~over, mid, hi_s)
        share = np.where(thin, hi_s, share)
    core = _core_size(share, p, events, slots)
    core_e = np.minimum(n_e, rng.binomial(core[seg_of_event], p[seg_of_event]))
    casual_e = n_e - core_e
    core_distinct = _expected_distinct(core.astype(float), keep * core_e, seg_of_event, n_seg)
    # The occasional buyers: a pool of N, solved so the pool's returning share is the target.
    casual = _casual_pool(casual_e, want - core_distinct, seg_of_event, n_seg, keep)
    size = core + casual
    start = np.cumsum(size) - size
    # Each event takes an arithmetic progression (a random start and a random step prime to
    # the pool's size): no one twice in an event, and two events' buyers overlap about as much
    # as random draws would (contiguous blocks overlap all or nothing).
    core_off, core_step = _progression(rng, core[seg_of_event])
    casual_off, casual_step = _progression(rng, casual[seg_of_event])
    ev = np.repeat(np.arange(len(n_e)), n_e)
    j = np.arange(len(ev)) - np.repeat(np.cumsum(n_e) - n_e, n_e)
    s = seg_of_event[ev]
    in_core = j < core_e[ev]
    member = np.where(in_core, (core_off[ev] + j * core_step[ev]) % core[s],
                      core[s] + (casual_off[ev] + (j - core_e[ev]) * casual_step[ev]) % casual[s])
    return start[s] + member, size


def _progression(rng: np.random.Generator, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A random start in ``0..n-1`` and a random step prime to ``n``, per entry."""
    start = rng.integers(0, n)
    step = rng.integers(0, n) + 1
    bad = np.gcd(step, n) != 1
    while bad.any():
        step[bad] = rng.integers(0, n[bad]) + 1
        bad = np.gcd(step, n) != 1
    return start, step
