"""How often each highlight rule decides on a demo network (issue 19 §1).

``python -m bench.highlight_rates --size small`` builds a demo warehouse in a temporary folder,
asks ``highlights`` for every organization against every peer group (OWN) and for every
organization type against the network (NETWORK), through the same resolver the API runs, and
prints per candidate fact which test decided it: ``fired`` (stated), ``suppressed`` (a value
it needs is not published), ``index``, ``points``, ``buyers`` or ``noise``.
"""

from __future__ import annotations

import argparse
import tempfile
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

from cid_graph.app import build_services
from cid_graph.settings import Settings
from resolvers.context import Caller, RequestContext
from resolvers.highlights import HighlightRequest, run_highlights
from resolvers.request import FilterSpec, RangeSpec
from warehouse.demo import generate
from warehouse.ingest import ingest
from warehouse.secret import load_or_create_secret
from warehouse.store import WarehouseStore

PEER_GROUPS = ("same_org_type", "same_region", "same_country", "nordic")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="small")
    parser.add_argument("--seed", type=int, default=20240917)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        files = generate(root / "data", size=args.size, seed=args.seed)
        store = WarehouseStore(root / "warehouse")
        secret, _ = load_or_create_secret(root / "secret.key")
        ingest(store, secret, [files.organizations], files.transactions,
               survey_questions=[files.survey_questions], survey_responses=files.survey_responses)
        services, _ = build_services(Settings.load(env={}, dotenv=None, warehouse=str(root / "warehouse")))
        orgs = services.engine.execute("SELECT org_id, org_type FROM organizations ORDER BY org_id").to_pylist()
        period = RangeSpec(date(2024, 1, 1), date(2025, 12, 31))
        tally: dict[str, Counter[str]] = defaultdict(Counter)
        stated: Counter[int] = Counter()
        for org in orgs:
            ctx = RequestContext(services, Caller("bench", org["org_id"], "member"), "en")
            for pg in PEER_GROUPS:
                data = run_highlights(ctx, HighlightRequest("own", pg, period))
                stated[len(data.highlights)] += 1
                for fact, rule in data.decided.items():
                    tally[f"OWN {pg}"][rule] += 1
                    tally[f"fact {fact}"][rule] += 1
        partner = RequestContext(services, Caller("bench", None, "partner"), "en")
        for org_type in sorted({o["org_type"] for o in orgs}):
            data = run_highlights(partner, HighlightRequest("network", None, period,
                                                            (FilterSpec("org_type", "in", (org_type,)),)))
            for fact, rule in data.decided.items():
                tally["NETWORK org_type"][rule] += 1
                tally[f"fact {fact}"][rule] += 1
        rules = ("fired", "suppressed", "index", "points", "buyers", "noise")
        print(f"{len(orgs)} organizations; highlights stated per OWN request: {dict(sorted(stated.items()))}")
        print("| candidates | " + " | ".join(rules) + " |")
        print("|---" * (len(rules) + 1) + "|")
        for key in sorted(tally):
            print(f"| {key} | " + " | ".join(str(tally[key][r]) for r in rules) + " |")


if __name__ == "__main__":
    main()
