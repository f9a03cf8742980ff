"""``cid-graph report``: the printable audience report of a token's organization (or network) as PDF."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cid_graph.errors import ConfigError
from cid_graph.settings import Settings


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    rep = sub.add_parser("report", help="write the audience report of a token's organization (a partner's: the "
                                        "network's) as an A4 PDF, every number through the API's privacy layer")
    rep.add_argument("--warehouse", help="warehouse directory (default: CID_GRAPH_WAREHOUSE)")
    rep.add_argument("--token", required=True, help="an access token (`cid-graph token create`)")
    rep.add_argument("--period", help="a year (2025) or FROM..TO (2025-01-01..2025-06-30); default: last year")
    rep.add_argument("--peer-group", default="SAME_ORG_TYPE",
                     choices=["SAME_ORG_TYPE", "SAME_REGION", "SAME_COUNTRY", "NORDIC"],
                     help="who a member's figures are compared with (default SAME_ORG_TYPE)")
    rep.add_argument("--locale", default="nb", choices=["nb", "en", "sv", "da", "fi"], help="language (default nb)")
    rep.add_argument("--out", required=True, type=Path, help="the PDF to write")
    rep.set_defaults(func=_cmd_report)


def published_on(api: Any) -> str | None:
    """The date the served warehouse version was published (its file's time), ISO."""
    opened = api.engine.current()
    if opened is None:
        return None
    return datetime.fromtimestamp(opened.version.path.stat().st_mtime, UTC).date().isoformat()


def _cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    from cid_graph.local_api import LocalApi
    from cid_graph.report import Period, build_pdf, chromium_path
    from cid_graph.report.data import raise_errors

    started = time.perf_counter()

    def say(msg: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f}s] {msg}", file=sys.stderr, flush=True)

    period = Period.parse(args.period or str(datetime.now(UTC).year - 1))
    chromium_path()  # fail before opening the warehouse when there is nothing to print with
    if args.out.exists() and args.out.is_dir():
        raise ConfigError(f"--out {args.out} is a folder", hint="Give the PDF's file name, e.g. --out report.pdf.")
    say(f"opening the warehouse at {settings.warehouse_dir}")
    api = LocalApi(settings)
    try:
        pdf, data = build_pdf(lambda doc, variables: raise_errors(api.execute(doc, variables, args.token, args.locale)),
                              period=period, locale=args.locale, peer_group=args.peer_group,
                              published_on=published_on(api), progress=say)
    finally:
        api.close()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_name(args.out.name + ".part")
    tmp.write_bytes(pdf)
    tmp.replace(args.out)
    who = data.organization["name"] if data.organization else "the network"
    print(f"wrote the {args.locale} report of {who} for {period.label() or 'all data'} to {args.out} "
          f"({len(pdf) // 1024} KiB)")
    return 0
