"""The ``cid-graph`` command line.

Every command prints a clear message and exits non-zero on a user error (exit 2) without a
traceback; ``--json`` commands print exactly one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

from cid_graph.errors import CidGraphError, ConfigError
from cid_graph.settings import Settings

log = logging.getLogger("cid_graph")


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        settings = Settings.load(warehouse=getattr(args, "warehouse", None))
        logging.basicConfig(level=settings.log_level, format="%(levelname)s %(name)s: %(message)s")
        return int(args.func(args, settings) or 0)
    except CidGraphError as exc:
        if getattr(args, "json", False):
            print(json.dumps({"error": exc.as_dict()}, ensure_ascii=False))
        print(f"error: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"hint: {exc.hint}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: nothing was published", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="cid-graph", description="CID Graph: the Customer Insights Dashboard's semantic layer.")
    sub = p.add_subparsers(dest="command")

    ing = sub.add_parser("ingest", help="load contract files into the warehouse and publish a new version")
    ing.add_argument("--warehouse", help="warehouse directory (default: CID_GRAPH_WAREHOUSE)")
    ing.add_argument("--organizations", nargs="+", type=Path, default=[], metavar="FILE")
    ing.add_argument("--transactions", nargs="+", type=Path, default=[], metavar="FILE")
    ing.add_argument("--survey-questions", nargs="+", type=Path, default=[], metavar="FILE",
                     help="survey questions (docs/data-contract.md)")
    ing.add_argument("--survey-responses", nargs="+", type=Path, default=[], metavar="FILE",
                     help="survey responses, one row per answer; linked to purchases loaded before or with them")
    ing.add_argument("--profile", default="canonical", help="source profile: canonical, or a YAML mapping file")
    ing.add_argument("--rejects", type=Path, help="where to write rejected rows (CSV); default PATH/rejects/")
    ing.add_argument("--json", action="store_true", help="print one JSON object with the load's numbers")
    ing.add_argument("--dry-run", action="store_true",
                     help="read, map, validate and harmonize everything and report what a load would do; "
                          "write nothing (no version, no rejects file unless --rejects)")
    ing.set_defaults(func=_cmd_ingest)

    demo = sub.add_parser("demo", help="generate a seeded Nordic demo network and load it through ingest")
    demo.add_argument("--warehouse", help="warehouse directory")
    demo.add_argument("--size", choices=["small", "medium", "large", "xlarge"], default="small",
                      help="buyer rows: small ~45 thousand, medium ~2 million, large ~10 million, xlarge ~100 million "
                           "(ten large networks; write it with --format parquet: its one load needs more memory and "
                           "disk than a 24 GB machine has, see bench/README.md)")
    demo.add_argument("--seed", type=int, default=42)
    demo.add_argument("--out", type=Path, help="where to keep the generated contract files (default: a temporary folder)")
    demo.add_argument("--format", default="csv",
                      help="csv, parquet, or profile:NAME to write the transactions and organizations in the "
                           "shape of a shipped profile (e.g. profile:no_ticket_semicolon) and load them through it")
    demo.add_argument("--json", action="store_true")
    demo.set_defaults(func=_cmd_demo)

    chk = sub.add_parser("check", help="validate the semantic model and print every problem with file:line")
    chk.add_argument("--model", type=Path, help="folder of YAML files (default: the shipped model)")
    chk.set_defaults(func=_cmd_check)

    st = sub.add_parser("settings", help="list every setting, its environment variable, default and help")
    st.set_defaults(func=_cmd_settings)

    from cid_graph import commands, report_cli, rollup_cli, watching

    commands.register(sub)
    report_cli.register(sub)
    rollup_cli.register(sub)
    watching.register(sub)
    return p


def _progress(quiet: bool) -> Any:
    started = time.perf_counter()

    def say(msg: str) -> None:
        if not quiet:
            print(f"[{time.perf_counter() - started:7.1f}s] {msg}", file=sys.stderr, flush=True)

    return say


def _cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from warehouse.ingest import ingest
    from warehouse.ingest.sources import load_profile
    from warehouse.secret import load_or_create_secret
    from warehouse.store import WarehouseStore

    if args.dry_run:
        return _dry_run(args, settings)
    secret, created = load_or_create_secret(settings.secret_file)
    say = _progress(False)
    if created:
        say(f"created the pseudonymization secret at {settings.secret_file} (back it up; it is not in the warehouse)")
    result = ingest(
        WarehouseStore(settings.warehouse_dir), secret, args.organizations, args.transactions,
        profile=load_profile(args.profile), rejects_path=args.rejects, progress=say,
        classifier_cache=Path(settings.classifier_cache).expanduser(),
        classification_threshold=settings.classification_threshold,
        survey_questions=args.survey_questions, survey_responses=args.survey_responses,
    )
    if args.json:
        print(result.to_json())
    else:
        print(
            f"read {result.rows_read:,} rows: {result.rows_loaded:,} loaded, "
            f"{result.rows_rejected:,} rejected, {result.duplicates:,} duplicates"
            + (f"; organizations: {result.organizations_read:,} read, {result.organizations_rejected:,} rejected"
               if result.organizations_read else "")
        )
        if result.questions_read or result.responses_read:
            print(f"surveys: {result.questions_read:,} questions read ({result.questions_rejected:,} rejected); "
                  f"{result.responses_read:,} answers read: {result.responses_loaded:,} loaded "
                  f"({result.responses_linked:,} linked to a purchase, {result.responses_unlinked:,} not), "
                  f"{result.responses_rejected:,} rejected, {result.responses_duplicates:,} duplicates")
        print(f"warehouse v{result.version or 0:06d}: {result.buyers:,} buyers, {result.events:,} events, "
              f"{result.organizations:,} organizations" + ("" if result.published else " (unchanged)"))
        if result.events_classified or result.events_corrected:
            print(f"event labels: {result.events_classified:,} classified by the model, "
                  f"{result.events_corrected:,} set by stored corrections")
        if result.rejects_path:
            print(f"rejected rows are listed with file, line and reason in {result.rejects_path}")
    return 0


def _dry_run(args: argparse.Namespace, settings: Settings) -> int:
    import secrets

    from warehouse.ingest.dry_run import dry_run, format_report
    from warehouse.ingest.sources import load_profile
    from warehouse.secret import Secret, load_or_create_secret
    from warehouse.store import WarehouseStore

    say = _progress(False)
    if settings.secret_file.exists():
        secret, _ = load_or_create_secret(settings.secret_file)
    else:  # a dry run creates nothing, not even the secret
        secret = Secret(secrets.token_bytes(32))
        say(f"no pseudonymization secret at {settings.secret_file} yet (a real load creates it)")
    report = dry_run(
        WarehouseStore(settings.warehouse_dir), secret, args.organizations, args.transactions,
        profile=load_profile(args.profile), rejects_path=args.rejects, progress=say,
        survey_questions=args.survey_questions, survey_responses=args.survey_responses,
    )
    print(report.to_json() if args.json else format_report(report))
    return 0


def _cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    import tempfile

    from warehouse.demo import generate
    from warehouse.ingest import ingest
    from warehouse.ingest.sources import CANONICAL, load_profile
    from warehouse.secret import load_or_create_secret
    from warehouse.store import WarehouseStore

    say = _progress(args.json and False)
    profile = CANONICAL
    fmt = args.format
    if fmt.startswith("profile:"):
        profile = load_profile(fmt.split(":", 1)[1])
        fmt = "csv"
    elif fmt not in ("csv", "parquet"):
        raise ConfigError(f"unknown demo format {fmt!r}", hint="Use csv, parquet or profile:NAME.")
    secret, _ = load_or_create_secret(settings.secret_file)
    with tempfile.TemporaryDirectory(prefix="cid-demo-") as tmp:
        out = args.out or Path(tmp)
        say(f"generating the {args.size} demo network (seed {args.seed}) in {out}")
        files = generate(out, size=args.size, seed=args.seed, fmt=fmt, progress=say)
        organizations, transactions = files.organizations, files.transactions
        if profile is not CANONICAL:
            from warehouse.demo.profile_shape import write_profile_shape

            organizations, transactions = write_profile_shape(organizations, transactions, profile,
                                                              out / f"profile_{profile.name}")
            say(f"wrote the network in the shape of profile {profile.name} in {out / f'profile_{profile.name}'}")
        result = ingest(WarehouseStore(settings.warehouse_dir), secret, [organizations],
                        transactions, profile=profile, progress=say,
                        classifier_cache=Path(settings.classifier_cache).expanduser(),
                        classification_threshold=settings.classification_threshold,
                        survey_questions=[files.survey_questions] if files.survey_questions else [],
                        survey_responses=files.survey_responses or [])
    if args.json:
        print(result.to_json())
    else:
        print(f"demo warehouse at {settings.warehouse_dir}: v{result.version or 0:06d}, {result.buyers:,} buyers, "
              f"{result.events:,} events, {result.organizations:,} organizations "
              f"({result.rows_rejected:,} rows rejected and {result.duplicates:,} duplicates, on purpose)")
        if result.responses_read:
            print(f"survey answers: {result.responses_loaded:,} loaded ({result.responses_linked:,} linked to a "
                  f"purchase), {result.responses_rejected:,} rejected and {result.responses_duplicates:,} "
                  "duplicates, on purpose")
    return 0


def _cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    from metrics.model import check_model

    path = args.model or settings.model_dir
    issues = check_model(path)
    for issue in issues:
        print(issue)
    if issues:
        print(f"{len(issues)} problem(s) in the semantic model at {path}", file=sys.stderr)
        return 1
    print(f"the semantic model at {path} is valid")
    return 0


def _cmd_settings(args: argparse.Namespace, settings: Settings) -> int:
    for name, env, default, help_text in Settings.documentation():
        print(f"{env}  (default {default!r}; now {getattr(settings, name)!r})\n    {help_text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
