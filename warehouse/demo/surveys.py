"""Audience surveys: what a share of the buyers thought of the events they went to.

Members have surveyed their audiences since October 2025. Each of most organizations
(:data:`SURVEYING_SHARE`) runs one survey for its events from 2025-10-01 on, in its own
language (Norwegian bokmål, Swedish, Danish, Finnish, or Swedish at some Finnish
organizations, Icelandic), with three questions: the Net Promoter question (``nps``, 0–10),
how satisfied the buyer was (``rating``, 1–5) and how they heard of the event (``choice``:
social media, newspaper, friends and family, our website, other). A share of each event's
buyers (8–20 %, fixed per organization) answer 1–14 days after the event (after their visit,
for an exhibition); 10 % of the submissions reach the organization without the link to the
purchase (an open web link: empty ``event_id`` and ``customer_id``). Some skip the rating (4 %)
or the choice question (8 %); everyone answers the NPS question.

How satisfied a respondent is: a latent score ``x + s·L`` (``L`` standard logistic) rounded
and clipped to 0–10 is the NPS answer, where ``x`` adds

* the event type's level, solved (bisection) so that the *expected* NPS over the type's
  actual respondents is :data:`INTENDED_NPS` exactly: what the demo's NPS by event type aims
  at, before sampling noise;
* the respondent's age: +:data:`AGE_SLOPE` points a year over 45, so older audiences are
  more satisfied (the same event type: a 70-year-old about 25 NPS points above a
  25-year-old); 0 where the birth year is not known;
* the organization's own offset, normal with sd :data:`ORG_SD` (about ±12 NPS points), in
  ``expected["survey_org_effect"]``;

and ``s`` is the type's spread (:data:`SPREAD`): large where audiences are polarised (a
match won or lost; a comedian one loves or not), small where they agree. The rating is
``1 + 0.4 × the latent score`` plus noise, rounded to 1–5, so it follows the NPS answer; how
they heard of the event depends on age (social media for the young, the newspaper for the
old).

Intended NPS (% promoters 9–10 minus % detractors 0–6) by event type, and why:

==================  ====  ======  ==========================================================
event type          NPS   spread  why
==================  ====  ======  ==========================================================
``opera_ballet``     65    1.0    a planned, expensive evening for a devoted public
``family_show``      62    1.0    children's theatre and family days delight their families
``concert``          58    1.1    orchestra, jazz and pop publics chose their artist
``play``             50    1.2    theatre: most nights please, some productions divide
``talk``             48    1.1    a small, interested public
``exhibition``       45    1.2    museums: pleasant, seldom enthusing
``festival``         40    1.5    the whole-day pass: weather, queues, crowds
``other``            35    1.3    a mixed local programme
``screening``        30    1.3    going to the cinema is ordinary; the film decides
``standup_comedy``   22    1.8    mixed: a comedian one loves or not
``sports_event``     12    2.8    polarised: the home crowd after a win or a loss
==================  ====  ======  ==========================================================

What is messy on purpose (each counted in ``expected``, like the transactions'): exact
duplicate answer rows (``survey_exact_duplicates``, about 0.3 %) and a few bad rows
(``survey_bad_rows``: ``nps_out_of_range`` — an NPS answer of 11 or -1 —, ``unknown_option``
— an answer that is not one of the question's options —, ``conflicting_duplicate`` — the
same response and question again later in the file with another value), whose (org_id,
response_id, question_id) are in ``survey_bad_row_keys``.

>>> round(sum(INTENDED_NPS.values()) / len(INTENDED_NPS), 1)
42.5
>>> sorted(INTENDED_NPS) == sorted(SPREAD)
True
>>> float(expected_nps(np.array([9.0]), 1.0)[0]) > float(expected_nps(np.array([8.0]), 1.0)[0])
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from warehouse.demo.events import DAY, KIND_NAMES, WINDOW_END, Events
from warehouse.demo.kinds import KINDS
from warehouse.demo.organizations import Organization
from warehouse.demo.output import (
    _join,
    _s,
    _timestamps,
    _utc_offset_hours,
    _write,
    customer_ids,
)
from warehouse.demo.purchases import COUNTRIES, HOUR_DAYTIME, Purchases

__all__ = [
    "INTENDED_NPS", "QUESTION_COLUMNS", "RESPONSE_COLUMNS", "SPREAD", "SURVEY_BAD_ROWS",
    "SURVEY_START", "Surveys", "expected_nps", "make_surveys", "write_surveys",
]

QUESTION_COLUMNS = ("survey_id", "org_id", "question_id", "kind", "scale_min", "scale_max",
                    "text", "choice_options")
RESPONSE_COLUMNS = ("response_id", "survey_id", "org_id", "event_id", "customer_id",
                    "answered_at", "question_id", "value")
#: Surveys cover events from this day on (local time).
SURVEY_START = np.datetime64("2025-10-01T00:00:00", "s")
#: Per event type (the contract's code): the NPS the generator aims at, in points.
INTENDED_NPS: dict[str, int] = {
    "opera_ballet": 65, "family_show": 62, "concert": 58, "play": 50, "talk": 48,
    "exhibition": 45, "festival": 40, "other": 35, "screening": 30, "standup_comedy": 22,
    "sports_event": 12,
}
#: Per event type: the scale of the latent score's logistic noise (larger: more polarised).
SPREAD: dict[str, float] = {
    "opera_ballet": 1.0, "family_show": 1.0, "concert": 1.1, "play": 1.2, "talk": 1.1,
    "exhibition": 1.2, "festival": 1.5, "other": 1.3, "screening": 1.3, "standup_comedy": 1.8,
    "sports_event": 2.8,
}
#: Latent points per year of age over 45 (older respondents are more satisfied).
AGE_SLOPE = 0.02
#: Standard deviation of an organization's latent offset.
ORG_SD = 0.45
#: Share of organizations that run a survey.
SURVEYING_SHARE = 0.9
#: Share of an event's buyers who answer: uniform in this range, per organization.
RESPONSE_RATE = (0.08, 0.20)
#: Share of submissions without the link to a purchase.
UNLINKED_SHARE = 0.10
#: Share of respondents who skip the rating and the choice question.
SKIP_RATING, SKIP_CHOICE = 0.04, 0.08
#: Days from the event to the answer (1..14), relative: most answer the first days.
ANSWER_DELAY = np.array([0.34, 0.2, 0.12, 0.08, 0.06, 0.04, 0.03, 0.03, 0.02, 0.02, 0.02, 0.01,
                         0.01, 0.02])
#: How they heard of it (the options' order) by age: under 35, 35-59 or not known, 60 and over.
SOURCE_BY_AGE = np.array([[0.46, 0.05, 0.24, 0.15, 0.10],
                          [0.27, 0.15, 0.25, 0.23, 0.10],
                          [0.08, 0.36, 0.25, 0.21, 0.10]])
#: Bad rows per kind (few, so each shows up in the rejects by name).
SURVEY_BAD_ROWS = {"nps_out_of_range": 2, "unknown_option": 2, "conflicting_duplicate": 2}
SURVEY_DUPLICATE_SHARE = 0.003

#: Per language: the NPS question, the rating question, the choice question and its options.
TEXTS: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    "nb": ("Hvor sannsynlig er det at du vil anbefale oss til en venn eller kollega?",
           "Hvor fornøyd var du med opplevelsen?",
           "Hvordan fikk du vite om arrangementet?",
           ("Sosiale medier", "Avis", "Venner og familie", "Nettsiden vår", "Annet")),
    "sv": ("Hur troligt är det att du skulle rekommendera oss till en vän eller kollega?",
           "Hur nöjd var du med upplevelsen?",
           "Hur fick du veta om evenemanget?",
           ("Sociala medier", "Dagstidning", "Vänner och familj", "Vår webbplats", "Annat")),
    "da": ("Hvor sandsynligt er det, at du vil anbefale os til en ven eller kollega?",
           "Hvor tilfreds var du med oplevelsen?",
           "Hvordan hørte du om arrangementet?",
           ("Sociale medier", "Avis", "Venner og familie", "Vores hjemmeside", "Andet")),
    "fi": ("Kuinka todennäköisesti suosittelisit meitä ystävällesi tai kollegallesi?",
           "Kuinka tyytyväinen olit kokemukseen?",
           "Mistä kuulit tapahtumasta?",
           ("Sosiaalinen media", "Sanomalehti", "Ystävät ja perhe", "Verkkosivumme", "Muu")),
    "is": ("Hversu líklegt er að þú myndir mæla með okkur við vin eða samstarfsfélaga?",
           "Hversu ánægð(ur) varstu með upplifunina?",
           "Hvernig fréttir þú af viðburðinum?",
           ("Samfélagsmiðlar", "Dagblað", "Vinir og fjölskylda", "Vefsíðan okkar", "Annað")),
}
LANGUAGE = {"NO": "nb", "SE": "sv", "DK": "da", "FI": "fi", "IS": "is"}
#: Question ids by the survey tool's style (an organization's ``id_style``).
QUESTION_IDS = (("1", "2", "3"), ("q1", "q2", "q3"), ("nps", "satisfaction", "source"))
#: Values no question accepts, by kind of bad row.
_BAD_VALUES = {"nps_out_of_range": ("11", "-1"), "unknown_option": ("Facebook", "Radio")}

_TYPES = tuple(INTENDED_NPS)
#: Each kind's event type, as an index into ``_TYPES``.
_TYPE_OF_KIND = np.array([_TYPES.index(KINDS[k].event_type) for k in KIND_NAMES])


@dataclass
class Surveys:
    """The survey files' rows (strings, in file order) and what is known about them."""

    questions: pa.Table
    responses: pa.Table
    year: np.ndarray            # each response row's file (year of answered_at, local)
    expected: dict[str, Any] = field(default_factory=dict)


def expected_nps(x: np.ndarray, spread: np.ndarray | float) -> np.ndarray:
    """Expected promoters minus detractors (a share) of latent means ``x`` with ``spread``."""
    promoter = 1.0 / (1.0 + np.exp((8.5 - x) / spread))
    detractor = 1.0 / (1.0 + np.exp(-(6.5 - x) / spread))
    return promoter - detractor


def _type_levels(type_idx: np.ndarray, rest: np.ndarray, spread: np.ndarray) -> np.ndarray:
    """Per type, the level whose expected NPS over these respondents is the intended one."""
    target = np.array([INTENDED_NPS[t] for t in _TYPES]) / 100.0
    lo, hi = np.full(len(_TYPES), -10.0), np.full(len(_TYPES), 25.0)
    n = np.bincount(type_idx, minlength=len(_TYPES))
    for _ in range(50):
        mid = (lo + hi) / 2
        got = np.bincount(type_idx, weights=expected_nps(mid[type_idx] + rest, spread),
                          minlength=len(_TYPES)) / np.maximum(n, 1)
        low = got < target
        lo, hi = np.where(low, mid, lo), np.where(low, hi, mid)
    return (lo + hi) / 2


def _buyer_rows(p: Purchases, eligible_event: np.ndarray) -> tuple[
        np.ndarray, np.ndarray, np.ndarray]:
    """(event, member, last purchase time) of each customer × eligible event, net tickets > 0."""
    sel = (p.member >= 0) & eligible_event[p.event]
    ev, mem, tickets, at = p.event[sel], p.member[sel], p.tickets[sel], p.at[sel]
    key = ev.astype(np.int64) * (int(mem.max(initial=0)) + 1) + mem
    order = np.lexsort((at, key))
    key, tickets, at = key[order], tickets[order], at[order]
    first = np.r_[True, key[1:] != key[:-1]]
    starts = np.flatnonzero(first)
    net = np.add.reduceat(tickets, starts) if len(starts) else np.zeros(0, np.int64)
    # Refunds come after the purchase; the last purchase is the last non-refund row.
    last_at = np.maximum.reduceat(np.where(tickets > 0, at, 0), starts) if len(starts) \
        else np.zeros(0, np.int64)
    ok = net > 0
    m = int(mem.max(initial=0)) + 1
    return (key[starts] // m)[ok], (key[starts] % m)[ok], last_at[ok]


def make_surveys(seed: int, orgs: list[Organization], events: Events,
                 p: Purchases) -> Surveys:
    """Questions and answers, from a generator of their own (the transactions are unchanged)."""
    rng = np.random.default_rng([seed, 14])
    n_org = len(orgs)
    surveying = rng.random(n_org) < SURVEYING_SHARE
    rate = rng.uniform(*RESPONSE_RATE, n_org)
    org_effect = rng.normal(0.0, ORG_SD, n_org)
    swedish_fi = rng.random(n_org) < 0.15
    lang = [("sv" if o.country == "FI" and swedish_fi[i] else LANGUAGE[o.country])
            for i, o in enumerate(orgs)]

    # Survey and questions per organization.
    survey_id = [(str(100 + o.salt % 900), "pub-2025", f"{_abbr(o)}-NPS-25")[o.id_style]
                 for o in orgs]
    q_rows: dict[str, list[str | None]] = {c: [] for c in QUESTION_COLUMNS}
    for i, o in enumerate(orgs):
        if not surveying[i]:
            continue
        nps_text, rating_text, choice_text, options = TEXTS[lang[i]]
        for qid, kind, lo, hi, text, opts in zip(
                QUESTION_IDS[o.id_style], ("nps", "rating", "choice"), ("0", "1", None),
                ("10", "5", None), (nps_text, rating_text, choice_text),
                (None, None, "|".join(options)), strict=True):
            for col, v in zip(QUESTION_COLUMNS, (survey_id[i], o.org_id, qid, kind, lo, hi,
                                                 text, opts), strict=True):
                q_rows[col].append(v)
    questions = pa.table({c: pa.array(v, pa.string()) for c, v in q_rows.items()})

    # Respondents: a share of each surveyed event's buyers.
    start = events.start.astype(np.int64)
    end = WINDOW_END.astype(np.int64)
    eligible = (start >= SURVEY_START.astype(np.int64)) & surveying[events.org] \
        & (start // DAY + 1 <= end // DAY)
    ev, member, last_at = _buyer_rows(p, eligible)
    org = events.org[ev]
    answers = rng.random(len(ev)) < rate[org]
    ev, member, last_at, org = ev[answers], member[answers], last_at[answers], org[answers]
    n = len(ev)
    # When: 1-14 days after the event (or the visit), at a daytime hour, local time.
    base_day = np.maximum(start[ev], last_at) // DAY
    delay = 1 + rng.choice(len(ANSWER_DELAY), n, p=ANSWER_DELAY / ANSWER_DELAY.sum())
    hour = rng.choice(24, n, p=HOUR_DAYTIME / HOUR_DAYTIME.sum())
    local = (base_day + delay) * DAY + hour * 3600 + rng.integers(0, 3600, n)
    country = np.array([COUNTRIES.index(o.country) for o in orgs])[org]
    offset, local = _utc_offset_hours(country, local)
    keep = local <= end
    ev, member, org, local, offset, country = (a[keep] for a in (ev, member, org, local, offset,
                                                                 country))
    n = len(ev)

    # How satisfied: the type's level + age + organization, and the type's spread.
    type_idx = _TYPE_OF_KIND[events.kind[ev]]
    birth = p.pool.birth_year[member]
    age = np.where(birth > 0, 2025 - birth, 45)
    rest = AGE_SLOPE * (age - 45) + org_effect[org]
    spread = np.array([SPREAD[t] for t in _TYPES])[type_idx]
    level = _type_levels(type_idx, rest, spread)
    latent = level[type_idx] + rest + spread * rng.logistic(0.0, 1.0, n)
    nps = np.clip(np.rint(latent), 0, 10).astype(np.int64)
    rating = np.clip(np.rint(1 + 0.4 * latent + rng.normal(0.0, 0.45, n)), 1, 5).astype(np.int64)
    band = np.where(birth == 0, 1, np.where(age < 35, 0, np.where(age < 60, 1, 2)))
    cum = np.cumsum(SOURCE_BY_AGE, axis=1)
    source = np.minimum((rng.random(n)[:, None] > cum[band]).sum(axis=1), 4)
    has_rating = rng.random(n) >= SKIP_RATING
    has_choice = rng.random(n) >= SKIP_CHOICE
    linked = rng.random(n) >= UNLINKED_SHARE

    # Response ids per organization in order of answering; the file in order of answering.
    year = local.astype("datetime64[s]").astype("datetime64[Y]").astype(int) + 1970
    order = np.lexsort((member, ev, local, year))
    by_org = np.lexsort((member, ev, local, org))
    rank = np.empty(n, dtype=np.int64)
    first = np.searchsorted(org[by_org], np.arange(n_org))
    rank[by_org] = np.arange(n) - first[org[by_org]]
    per_resp = 1 + has_rating.astype(np.int64) + has_choice
    resp = np.repeat(order, per_resp[order])
    within = np.arange(len(resp)) - np.repeat(np.cumsum(per_resp[order]) - per_resp[order],
                                              per_resp[order])
    # The k-th answer of a response: NPS, then the rating if given, then the choice if given.
    q = np.where(within == 0, 0, np.where((within == 1) & has_rating[resp], 1, 2))

    # Exact duplicates right after their originals.
    n_dup = max(1, round(len(resp) * SURVEY_DUPLICATE_SHARE))
    dup = np.zeros(len(resp), dtype=np.int64)
    dup[rng.choice(len(resp), n_dup, replace=False)] = 1
    row_resp, row_q = np.repeat(resp, 1 + dup), np.repeat(q, 1 + dup)
    original = np.repeat(dup == 0, 1 + dup)
    template = original & (np.append(row_resp[1:], -1) * 3 + np.append(row_q[1:], -1)
                           != row_resp * 3 + row_q)

    r_org = org[row_resp]
    style = np.array([o.id_style for o in orgs])[r_org]
    resp_prefix = pa.array(["", "R-", ""]).take(pa.array(style))
    abbr = pa.array([f"{_abbr(o)}-S" if o.id_style == 2 else "" for o in orgs]).take(
        pa.array(r_org))
    base = np.array([(2_000_000 + o.salt) if o.id_style == 0 else 1 for o in orgs])[r_org]
    response_id = _join(resp_prefix, abbr,
                        pc.utf8_lpad(pc.cast(pa.array(base + rank[row_resp]), pa.string()), 7,
                                     "0"))
    option_table = pa.array([opt for i in range(n_org) for opt in TEXTS[lang[i]][3]])
    choice_value = option_table.take(pa.array(r_org * 5 + source[row_resp]))
    number = np.where(row_q == 0, nps[row_resp], rating[row_resp])
    value = pc.if_else(pa.array(row_q == 2), choice_value, pc.cast(pa.array(number), pa.string()))
    qid_table = pa.array([qid for i in range(n_org) for qid in QUESTION_IDS[orgs[i].id_style]])
    time_style = np.array([o.time_style for o in orgs])[r_org]
    utc = time_style == 2
    r_offset = offset[row_resp]
    shown = np.where(utc, local[row_resp] - r_offset * 3600, local[row_resp])
    suffix = pa.array(["+00:00", "+01:00", "+02:00", "+03:00", "Z"]).take(
        pa.array(np.where(utc, 4, r_offset)))
    is_linked = pa.array(linked[row_resp])
    null = pa.scalar(None, pa.string())
    ev_ids = _s(events.event_id).take(pa.array(ev[row_resp]))
    cust = customer_ids(p, orgs, member[row_resp], r_org)
    table = pa.table({
        "response_id": response_id,
        "survey_id": _s(survey_id).take(pa.array(r_org)),
        "org_id": _s([o.org_id for o in orgs]).take(pa.array(r_org)),
        "event_id": pc.if_else(is_linked, ev_ids, null),
        "customer_id": pc.if_else(is_linked, cust, null),
        "answered_at": _join(_timestamps(shown), suffix),
        "question_id": qid_table.take(pa.array(r_org * 3 + row_q)),
        "value": value,
    })
    r_year = year[row_resp]
    table, r_year, bad_keys = _add_bad_rows(rng, table, r_year, template, row_q)
    n_answers = len(resp)
    n_linked = int(linked[resp].sum())
    expected: dict[str, Any] = {
        "survey_organizations": int(surveying.sum()),
        "survey_questions": questions.num_rows,
        "survey_events": int(len(np.unique(ev))),
        "survey_responses": n,
        "survey_linked_responses": int(linked.sum()),
        "survey_linked_respondents": int(len(np.unique(member[linked]))),
        "survey_answers": n_answers,
        "survey_linked_answers": n_linked,
        "survey_unlinked_answers": n_answers - n_linked,
        "survey_answers_by_kind": {"nps": n, "rating": int(has_rating.sum()),
                                   "choice": int(has_choice.sum())},
        "survey_rows_written": table.num_rows,
        "survey_exact_duplicates": n_dup,
        "survey_bad_rows": dict(SURVEY_BAD_ROWS),
        "survey_bad_rows_total": sum(SURVEY_BAD_ROWS.values()),
        "survey_bad_row_keys": bad_keys,
        "survey_org_effect": {orgs[i].org_id: round(float(org_effect[i]), 4)
                              for i in range(n_org) if surveying[i]},
        "survey_intended_nps": dict(INTENDED_NPS),
    }
    return Surveys(questions, table, r_year, expected)


def write_surveys(s: Surveys, question_path: Path, out_dir: Path, fmt: str) -> dict[str, int]:
    """The questions file, and the answers one file per year; returns rows per answers file."""
    _write(s.questions, question_path, fmt)
    rows: dict[str, int] = {}
    for y in np.unique(s.year):
        lo, hi = np.searchsorted(s.year, y), np.searchsorted(s.year, y, side="right")
        name = f"survey_responses_{int(y)}.{fmt}"
        _write(s.responses.slice(int(lo), int(hi - lo)), out_dir / name, fmt)
        rows[name] = int(hi - lo)
    return rows


def _abbr(o: Organization) -> str:
    return o.org_id.split("-", 1)[1].upper()


def _add_bad_rows(rng: np.random.Generator, tbl: pa.Table, year: np.ndarray,
                  template: np.ndarray, q: np.ndarray) -> tuple[
                      pa.Table, np.ndarray, dict[str, list[list[str]]]]:
    """A few bad rows, each after the row it was made from (a conflict later in its file)."""
    bad_keys: dict[str, list[list[str]]] = {k: [] for k in SURVEY_BAD_ROWS}
    inserts: list[tuple[int, dict[str, object]]] = []
    used: set[int] = set()
    for kind, count in SURVEY_BAD_ROWS.items():
        wanted = 2 if kind == "unknown_option" else 0  # the choice question, else the NPS one
        pool = np.flatnonzero(template & (q == wanted))
        picks = [int(i) for i in rng.permutation(pool)[:count + len(used)]
                 if int(i) not in used][:count]
        for i in range(count):
            src = picks[i]
            used.add(src)
            row = {c: tbl.column(c)[src].as_py() for c in tbl.column_names}
            at = src + 1
            if kind == "conflicting_duplicate":
                row["value"] = str((int(str(row["value"])) + 3) % 11)
                same_year = np.flatnonzero(year == year[src])
                at = int(rng.integers(at, same_year[-1] + 2))
            else:
                row["response_id"] = f"{row['response_id']}-X{i + 1}"
                row["value"] = _BAD_VALUES[kind][i % 2]
            bad_keys[kind].append([str(row["org_id"]), str(row["response_id"]),
                                   str(row["question_id"])])
            inserts.append((at, row))
    inserts.sort(key=lambda t: t[0])
    pieces, years, prev = [], [], 0
    for at, row in inserts:
        pieces.append(tbl.slice(prev, at - prev))
        years.append(year[prev:at])
        pieces.append(pa.table({c: pa.array([row[c]], pa.string()) for c in tbl.column_names}))
        years.append(year[at - 1:at])
        prev = at
    pieces.append(tbl.slice(prev))
    years.append(year[prev:])
    return pa.concat_tables(pieces), np.concatenate(years), bad_keys
