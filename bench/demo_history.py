"""The demo's customer history and lead times against what the generator intended (issue 13).

``python -m bench.demo_history --warehouse PATH`` prints, for a demo warehouse, the returning
share and frequency bands per organization type beside ``warehouse.demo.INTENDED_HISTORY``, the
share of tickets per lead-time band, and the median lead time per event type beside the
generator's median per kind of event (``warehouse.demo.kinds``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import duckdb

from warehouse.demo import INTENDED_HISTORY
from warehouse.demo.kinds import KINDS
from warehouse.store import WarehouseStore

BANDS = ("1", "2", "3-5", "6+")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True)
    args = parser.parse_args()
    con = duckdb.connect(str(WarehouseStore(args.warehouse).require_current().path), read_only=True)
    shares = ", ".join(f"count(*) FILTER (WHERE frequency_band = '{b}') / count(*) FILTER (WHERE frequency_band <> 'unknown')"
                       for b in BANDS)
    rows = con.execute(f"""
        SELECT o.org_type, count(*) FILTER (WHERE customer_status = 'returning')
                           / count(*) FILTER (WHERE customer_status <> 'unknown'), {shares}
        FROM buyers b JOIN organizations o USING (org_id) GROUP BY 1 ORDER BY 2 DESC""").fetchall()
    print("| org type | returning intended | measured | frequency 1/2/3-5/6+ intended | measured |")
    print("|---|---:|---:|---|---|")
    for org_type, returning, *bands in rows:
        intended = INTENDED_HISTORY[org_type]
        want = "/".join(f"{intended['frequency'][b]:.3f}" for b in BANDS)
        print(f"| {org_type} | {intended['returning_share']:.2f} | {returning:.3f} | {want} | "
              + "/".join(f"{x:.3f}" for x in bands) + " |")
    dist = con.execute("SELECT lead_time_band, sum(tickets) / (SELECT sum(tickets) FROM buyers) FROM buyers "
                       "GROUP BY 1 ORDER BY min(lead_time_days)").fetchall()
    print("\nshare of tickets by days before the event: " + ", ".join(f"{b} {s:.1%}" for b, s in dist))
    print("\n| event type | median lead (days) |\n|---|---:|")
    for event_type, median in con.execute("SELECT e.event_type, median(lead_time_days) FROM buyers b "
                                          "JOIN events e USING (event_sk) GROUP BY 1 ORDER BY 2").fetchall():
        print(f"| {event_type} | {median:g} |")
    print("\ngenerator's median lead per kind (negative: sold during the run): "
          + ", ".join(f"{k} {v.lead:g}" for k, v in KINDS.items()))


if __name__ == "__main__":
    main()
