"""Audience voice on a demo warehouse: NPS by event type against the generator's intent, and how
many survey cells the privacy rules hide (issue 14 §6).

``python -m bench.voice_figures --warehouse PATH`` (a warehouse from ``cid-graph demo``) sends the
dashboard's own requests (``docs/queries/voice_tab.graphql`` and ``voice_answers.graphql``)
through the in-process API, the same schema and privacy layer as ``/graphql``:

* NETWORK (a partner token): NPS by event type over all answers, beside the generator's
  :data:`warehouse.demo.surveys.INTENDED_NPS` and the exact NPS of the warehouse's answers
  (hand-written SQL over ``survey_answers``, what the published value perturbs);
* the share of suppressed metric values of the tab: as a partner (NETWORK, no filter and each
  country), and as every member (OWN, with the SAME_ORG_TYPE benchmark; comparisons counted
  apart), each over all time and over the dashboard's default last 12 months.

Prints Markdown tables. The tokens it issues (one partner, one per member, a day each) are
revoked before it ends, so it leaves the warehouse's access list as it found it.
"""

from __future__ import annotations

import argparse
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from cid_graph.local_api import LocalApi
from cid_graph.settings import Settings
from warehouse.demo.surveys import INTENDED_NPS

QUERIES = Path(__file__).resolve().parent.parent / "docs" / "queries"


def _cells(body: dict[str, Any], tally: Counter[str], prefix: str) -> None:
    """Counts every metric value (and comparison) of every field: total and suppressed."""
    for field in (body.get("data") or {}).values():
        if not field:
            continue
        for row in field["rows"]:
            for m in row["metrics"]:
                tally[f"{prefix} values"] += 1
                tally[f"{prefix} suppressed"] += bool(m["suppressed"])
                for c in m.get("comparisons") or []:
                    tally[f"{prefix} comparisons"] += 1
                    tally[f"{prefix} comparisons suppressed"] += bool(c["suppressed"])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", required=True)
    parser.add_argument("--today", default=None, help="the dashboard's today (default: the real one)")
    args = parser.parse_args(argv)
    api = LocalApi(Settings.load(env={}, dotenv=None, warehouse=args.warehouse))
    issued: list[str] = []
    try:
        _run(api, args, issued)
    finally:
        for token_id in issued:
            api.access.revoke(token_id)
        api.close()


def _run(api: LocalApi, args: argparse.Namespace, issued: list[str]) -> None:
    partner, principal = api.access.create_token(None, "partner", ttl_days=1, label="bench voice")
    issued.append(principal.token_id)
    tab = (QUERIES / "voice_tab.graphql").read_text(encoding="utf-8")
    answers = (QUERIES / "voice_answers.graphql").read_text(encoding="utf-8")
    con = api.engine
    orgs = [r["org_id"] for r in con.execute("SELECT org_id FROM organizations ORDER BY org_id").to_pylist()]
    countries = [r["country"] for r in con.execute(
        "SELECT DISTINCT country FROM organizations ORDER BY 1").to_pylist()]

    # NPS by event type, NETWORK, all time: published against exact and intended.
    truth = {r["event_type"]: r for r in con.execute(
        "SELECT e.event_type, count(*) AS n, avg(a.nps_points) AS nps FROM survey_answers a "
        "JOIN events e USING (event_sk) WHERE a.question_kind = 'nps' GROUP BY 1").to_pylist()}
    body = api.execute(tab, {"scope": "NETWORK"}, partner)
    published = {row["dimensions"][0]["value"]: {m["metric"]: m for m in row["metrics"]}
                 for row in body["data"]["npsEventType"]["rows"]}
    print("| event type | intended NPS | exact NPS (warehouse) | published NPS ± 95 % | respondents |")
    print("|---|---:|---:|---:|---:|")
    for event_type in sorted(INTENDED_NPS, key=lambda t: -INTENDED_NPS[t]):
        t = truth.get(event_type)
        p = published.get(event_type, {}).get("NPS")
        shown = ("hidden" if p is None or p["suppressed"] else
                 f"{p['value']:.1f} ± {p['marginOfError']:.1f}" if p["marginOfError"] is not None else f"{p['value']:.1f}")
        print(f"| {event_type} | {INTENDED_NPS[event_type]} | {t['nps']:.1f} | {shown} | {t['n']:,} |"
              if t else f"| {event_type} | {INTENDED_NPS[event_type]} | – | {shown} | 0 |")

    today = date.fromisoformat(args.today) if args.today else date.today()
    periods = {"all time": None,
               "last 12 months": {"from": (today - timedelta(days=365)).isoformat(), "to": today.isoformat()}}
    tally: Counter[str] = Counter()
    for label, time_range in periods.items():
        for country in [None, *countries]:
            filters = [{"dimension": "COUNTRY", "op": "IN", "values": [country]}] if country else None
            variables: dict[str, Any] = {"scope": "NETWORK", "timeRange": time_range, "filters": filters}
            _cells(api.execute(tab, variables, partner), tally, f"NETWORK {label}")
            _cells(api.execute(answers, {**variables, "filters": [*(filters or []), {
                "dimension": "QUESTION_KIND", "op": "IN", "values": ["choice"]}]}, partner),
                tally, f"NETWORK answers {label}")
        for org in orgs:
            member, principal = api.access.create_token(org, "member", ttl_days=1, label="bench voice")
            issued.append(principal.token_id)
            variables = {"scope": "OWN", "timeRange": time_range, "own": True,
                         "compare": [{"kind": "BENCHMARK", "peerGroup": "SAME_ORG_TYPE"}]}
            body = api.execute(tab, variables, member)
            _cells(body, tally, f"OWN {label}")
            questions = (body.get("data") or {}).get("questions") or {"rows": []}
            for row in questions["rows"][:1]:
                question = row["dimensions"][0]["value"]
                _cells(api.execute(answers, {"scope": "OWN", "timeRange": time_range, "filters": [
                    {"dimension": "SURVEY_QUESTION", "op": "IN", "values": [question]}]}, member),
                    tally, f"OWN answers {label}")
    print()
    print(f"{len(orgs)} organizations, {len(countries)} countries; today = {today}")
    print("| requests | values | suppressed | share |")
    print("|---|---:|---:|---:|")
    for key in sorted(k[: -len(" values")] for k in tally if k.endswith(" values")):
        n, s = tally[f"{key} values"], tally[f"{key} suppressed"]
        print(f"| {key} | {n:,} | {s:,} | {s / max(n, 1):.1%} |")
        if tally[f"{key} comparisons"]:
            n, s = tally[f"{key} comparisons"], tally[f"{key} comparisons suppressed"]
            print(f"| {key} (benchmark comparisons) | {n:,} | {s:,} | {s / max(n, 1):.1%} |")


if __name__ == "__main__":
    main()
