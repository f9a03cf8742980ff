"""Seeded demo data: contract files of a realistic Nordic network of arts and culture members.

:func:`generate` writes ``organizations.csv`` and ``transactions_<year>.csv`` (one file per
year of purchase) in the data contract (``../shared/contract/README.md``), the audience
surveys ``survey_questions.csv`` and ``survey_responses_<year>.csv`` (one file per year of
answering), or the same columns as Parquet, and returns where they are and a few facts
known by construction (``DemoFiles.expected``), so tests and the dashboard's default
warehouse can check the load.

Usage::

    from pathlib import Path
    from warehouse.demo import generate

    files = generate(Path("demo-data"), size="small", seed=42)
    files.organizations            # Path("demo-data/organizations.csv")
    files.transactions             # [Path("demo-data/transactions_2023.csv"), ...]
    files.expected["buyers"]       # buyer rows a correct ingest produces
    files.survey_questions         # Path("demo-data/survey_questions.csv")
    files.survey_responses         # [Path("demo-data/survey_responses_2025.csv"), ...]

Sizes (buyer rows; organizations): ``small`` about 45 thousand (40 organizations, a second
or two, for tests), ``medium`` about 2 million (250), ``large`` about 10 million (300).
The same seed gives byte-identical files.

What is in it: organizations weighted to Norway (NO 45%, SE 25%, DK 15%, FI 12%, IS 3%)
over regions by population, every org type, local names ("Bergen Filharmoniske Selskap",
"Tampereen Teatteri"); three years of events to 2026-10-31 with local titles, seasons and
runs; buyers whose age and gender depend on the kind of event, who return to the same
organization, buy twice for an event or return tickets; prices in local currency.

Customer histories (:mod:`warehouse.demo.histories`): how often buyers come back depends on
the organization's type: season-ticket holders of a sports club return far more often than a
festival's buyers, theatres and concert halls lie in between, and loyal customers buy across
the three years. :data:`INTENDED_HISTORY` holds what the generator aims at per org type (the
returning share of buyer rows and the share of rows per frequency band), to compare with
what the warehouse computes::

    INTENDED_HISTORY["sports"]["returning_share"]     # 0.75
    INTENDED_HISTORY["festival"]["frequency"]["1"]    # share of rows: 1 event in 365 days

Audience surveys (:mod:`warehouse.demo.surveys`): most organizations survey a share of their
buyers (8–20 %) after events from October 2025 on (an NPS, a 1–5 satisfaction and a "how did
you hear of it" question in the organization's language), linked to the purchase except for
10 % of the submissions. Satisfaction differs by event type (opera and family shows high,
sports polarised, standup mixed), by age (older more satisfied) and by organization (an
offset each, in ``expected["survey_org_effect"]``). :data:`INTENDED_NPS` holds the NPS the
generator aims at per event type, to compare with what the warehouse computes::

    INTENDED_NPS["opera_ballet"], INTENDED_NPS["sports_event"]     # (65, 12)

``expected`` counts the survey rows too (``survey_questions``, ``survey_responses``,
``survey_answers``, ``survey_linked_answers``, ``survey_rows_per_file``...) and their planted
mess: ``survey_exact_duplicates`` and ``survey_bad_rows`` (``nps_out_of_range``,
``unknown_option``, ``conflicting_duplicate``) with their (org_id, response_id,
question_id) in ``survey_bad_row_keys``.

What is messy on purpose (each counted in ``expected``): local spellings of org types, event
types and categories; organizations without ``region``; mixed gender codes; Swedish postal
codes with a space; blank currency and event type; timestamps with an offset, in UTC (``Z``)
or local without one; empty customer ids; the direct identifiers ``customer_name``,
``email`` and ``phone`` (never to be stored); exact duplicate rows (``exact_duplicates``);
and a few bad rows (``bad_rows``: ``unparseable_date``, ``non_integer_tickets``,
``unknown_org_id``, ``conflicting_duplicate`` — the same transaction id, a different amount,
later in the file), whose (org_id, transaction_id) are in ``bad_row_keys``.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from warehouse.demo.events import make_events
from warehouse.demo.histories import INTENDED_HISTORY
from warehouse.demo.organizations import make_organizations
from warehouse.demo.output import (
    BAD_ROWS,
    add_mess,
    purchase_counts,
    transaction_table,
    write_organizations,
    write_transactions,
)
from warehouse.demo.places import load_places
from warehouse.demo.purchases import make_purchases
from warehouse.demo.shards import generate_shards
from warehouse.demo.surveys import INTENDED_NPS, make_surveys, write_surveys

__all__ = ["INTENDED_HISTORY", "INTENDED_NPS", "SIZES", "DemoFiles", "Size", "generate"]


@dataclass(frozen=True)
class Size:
    """How big a demo network is."""

    organizations: int
    buyers: int
    events_scale: float
    #: Networks of this size written one after another (:mod:`warehouse.demo.shards`).
    shards: int = 1


SIZES: dict[str, Size] = {
    "small": Size(40, 45_000, 0.1),
    "medium": Size(250, 2_000_000, 0.6),
    "large": Size(300, 10_000_000, 1.0),
    "xlarge": Size(300, 10_000_000, 1.0, shards=10),
}


@dataclass
class DemoFiles:
    """The files :func:`generate` wrote and the facts known about them."""

    organizations: Path
    transactions: list[Path]
    expected: dict[str, Any] = field(default_factory=dict)
    #: ``survey_questions.<fmt>`` (None for ``xlarge``, which writes no surveys)
    survey_questions: Path | None = field(kw_only=True)
    #: ``survey_responses_<year>.<fmt>``, one file per year of ``answered_at``
    survey_responses: list[Path] = field(kw_only=True)


def generate(out_dir: Path, size: str = "small", seed: int = 42, fmt: str = "csv",
             progress: Callable[[str], None] | None = None) -> DemoFiles:
    """Write a demo network's contract files into ``out_dir`` (created; old demo files go).

    Args:
        out_dir: the folder to write into.
        size: ``small``, ``medium``, ``large`` or ``xlarge`` (see :data:`SIZES`).
        seed: the same seed writes byte-identical files.
        fmt: ``csv`` or ``parquet`` (the same columns, all strings).
        progress: called with a short message after each step.

    Returns:
        The paths written and ``expected``: counts a correct ingest must reproduce.

    Raises:
        ValueError: an unknown size or format.
    """
    if size not in SIZES:
        raise ValueError(f"unknown demo size {size!r}; use one of {', '.join(SIZES)}")
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"unknown format {fmt!r}; use 'csv' or 'parquet'")
    say = progress or (lambda _msg: None)
    spec = SIZES[size]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in [*out_dir.glob("organizations.*"), *out_dir.glob("transactions_*.*"),
                *out_dir.glob("survey_questions.*"), *out_dir.glob("survey_responses_*.*")]:
        if old.is_file():
            old.unlink()
        elif old.is_dir():
            shutil.rmtree(old)
    if spec.shards > 1:
        org_file, tx_files, shard_expected = generate_shards(
            out_dir, shards=spec.shards, organizations=spec.organizations, buyers=spec.buyers,
            events_scale=spec.events_scale, seed=seed, fmt=fmt, say=say)
        return DemoFiles(org_file, tx_files, {"size": size, "seed": seed, "format": fmt, **shard_expected},
                         survey_questions=None, survey_responses=[])
    rng = np.random.default_rng(seed)
    places = load_places()
    orgs = make_organizations(rng, places, spec.organizations)
    org_path = out_dir / f"organizations.{fmt}"
    write_organizations(orgs, org_path, fmt)
    say(f"{len(orgs)} organizations")
    events = make_events(rng, orgs, places, spec.events_scale)
    say(f"{len(events)} events")
    purchases = make_purchases(rng, orgs, events, places, spec.buyers)
    say(f"{len(purchases.at)} purchases by {purchases.buyers} buyers")
    table, year, template, n_dup, offset_rows = transaction_table(rng, orgs, events, purchases)
    table, year, bad_keys = add_mess(rng, table, year, template, orgs)
    rows = write_transactions(table, year, out_dir, fmt)
    say(f"{sum(rows.values())} transaction rows in {len(rows)} files")
    surveys = make_surveys(seed, orgs, events, purchases)
    question_path = out_dir / f"survey_questions.{fmt}"
    survey_rows = write_surveys(surveys, question_path, out_dir, fmt)
    say(f"{surveys.expected['survey_responses']} survey responses, "
        f"{sum(survey_rows.values())} answer rows in {len(survey_rows)} files")
    expected: dict[str, Any] = {
        "size": size,
        "seed": seed,
        "format": fmt,
        "reference_postal_codes": places.from_reference,
        "organizations": len(orgs),
        "organizations_by_country": dict(sorted(Counter(o.country for o in orgs).items())),
        "organizations_by_type": dict(sorted(Counter(o.org_type for o in orgs).items())),
        "organizations_without_region": sum(1 for o in orgs if not o.region_written),
        "org_type_local_spellings": sum(1 for o in orgs if o.org_type_written != o.org_type),
        **purchase_counts(purchases, rows, n_dup, offset_rows),
        "rows_per_file": rows,
        "bad_rows": dict(BAD_ROWS),
        "bad_rows_total": sum(BAD_ROWS.values()),
        "bad_row_keys": bad_keys,
        **surveys.expected,
        "survey_rows_per_file": survey_rows,
    }
    return DemoFiles(org_path, [out_dir / name for name in rows], expected,
                     survey_questions=question_path,
                     survey_responses=[out_dir / name for name in survey_rows])
