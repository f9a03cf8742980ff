"""The ``xlarge`` demo: about 100 million buyer rows, written shard by shard in bounded memory.

One ``large`` network needs about 8 GB while it is generated (every purchase is held as arrays
until its files are written), so ten times that cannot be held at once on a 24 GB machine.
``xlarge`` is therefore ten networks of the ``large`` kind side by side, each generated, written
and dropped before the next: 3,000 organizations (every shard's org ids carry ``-NN``, their
names `` (NN)``), about 110 million transactions over the same three years, Parquet by default
(about 4.3 GB where CSV would take about 21 GB). Each shard has its own seed, so the shards are
different networks, and the same seed still writes byte-identical files.

What it leaves out: audience surveys (the speed benchmark does not read them), and customers who
buy across shards (every shard's organizations have customers of their own, as in ``large``).
A per-organization query meets ten times the organizations of ``large``: for the pooled queries
of the privacy layer that is a harder case than five years of a few hundred larger members.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from warehouse.demo.events import make_events
from warehouse.demo.organizations import Organization, make_organizations
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


def generate_shards(out_dir: Path, *, shards: int, organizations: int, buyers: int, events_scale: float,
                    seed: int, fmt: str, say: Callable[[str], None]) -> tuple[Path, list[Path], dict[str, Any]]:
    """Write ``shards`` networks' transactions and one organizations file into ``out_dir``.

    Returns the organizations file, the transaction files and ``expected`` (the counts summed
    over the shards, as :func:`warehouse.demo.generate` reports them for one network)."""
    places = load_places()
    all_orgs: list[Organization] = []
    files: list[Path] = []
    totals: Counter[str] = Counter()
    rows_per_file: dict[str, int] = {}
    bad_keys: dict[str, list[list[str]]] = {}
    for s in range(shards):
        tag = f"{s + 1:02d}"
        rng = np.random.default_rng([seed, 1000 + s])
        orgs = [replace(o, org_id=f"{o.org_id}-{tag}", name=f"{o.name} ({tag})")
                for o in make_organizations(rng, places, organizations)]
        events = make_events(rng, orgs, places, events_scale)
        purchases = make_purchases(rng, orgs, events, places, buyers)
        table, year, template, n_dup, offset_rows = transaction_table(rng, orgs, events, purchases)
        table, year, keys = add_mess(rng, table, year, template, orgs)
        rows = write_transactions(table, year, out_dir, fmt, suffix=f"_part{tag}")
        shard = purchase_counts(purchases, rows, n_dup, offset_rows)
        totals.update(shard)
        rows_per_file.update(rows)
        for kind, pairs in keys.items():
            bad_keys.setdefault(kind, []).extend(pairs)
        files += [out_dir / name for name in rows]
        all_orgs += orgs
        say(f"shard {tag} of {shards:02d}: {len(orgs)} organizations, {shard['transactions_written']:,} "
            f"transaction rows, {shard['buyers']:,} buyer rows")
        del table, year, template, purchases, events
        gc.collect()
    org_path = out_dir / f"organizations.{fmt}"
    write_organizations(all_orgs, org_path, fmt)
    expected: dict[str, Any] = dict(totals)
    expected.update({
        "shards": shards,
        "organizations": len(all_orgs),
        "organizations_by_country": dict(sorted(Counter(o.country for o in all_orgs).items())),
        "organizations_by_type": dict(sorted(Counter(o.org_type for o in all_orgs).items())),
        "rows_per_file": rows_per_file,
        "bad_rows": {k: v * shards for k, v in BAD_ROWS.items()},
        "bad_rows_total": sum(BAD_ROWS.values()) * shards,
        "bad_row_keys": bad_keys,
    })
    return org_path, sorted(files), expected
