"""Commands that need the API layers: serve, token, audit, demo-serve, schema."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from cid_graph.settings import Settings


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    serve = sub.add_parser("serve", help="serve the GraphQL API, the dashboard and GraphiQL")
    serve.add_argument("--warehouse")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    _engine_flags(serve)
    serve.set_defaults(func=_cmd_serve)

    demo = sub.add_parser("demo-serve", help="create demo tokens (printed and offered by the sign-in picker) and serve")
    demo.add_argument("--warehouse")
    demo.add_argument("--host")
    demo.add_argument("--port", type=int)
    _engine_flags(demo)
    demo.set_defaults(func=_cmd_demo_serve)

    exp = sub.add_parser("export", help="write the published warehouse version as Parquet (for the spark engine)")
    exp.add_argument("--warehouse")
    exp.add_argument("--parquet", help="export directory (default: CID_GRAPH_PARQUET_DIR, or PARQUET under the warehouse)")
    exp.add_argument("--json", action="store_true", help="print one JSON object with what was exported")
    exp.set_defaults(func=_cmd_export)

    query = sub.add_parser("query", help="run one InsightQuery (JSON) through the privacy layer and print the result")
    query.add_argument("--warehouse")
    _engine_flags(query)
    query.add_argument("--token", required=True, help="an access token (`cid-graph token create`)")
    query.add_argument("--query", required=True, type=Path, metavar="FILE.json",
                       help="the InsightQuery as JSON, as the GraphQL input: {\"metrics\": [\"BUYERS\"], ...}")
    query.add_argument("--locale", help="language of the labels: nb, en, sv, da, fi (default en)")
    query.add_argument("--json", action="store_true", help="print the result as JSON (the GraphQL insights field)")
    query.set_defaults(func=_cmd_query)

    token = sub.add_parser("token", help="create, list or revoke access tokens")
    tsub = token.add_subparsers(dest="token_command")
    create = tsub.add_parser("create", help="create a token; it is printed once, only its hash is stored")
    create.add_argument("--warehouse")
    create.add_argument("--org", help="the organization's org_id (required for members)")
    create.add_argument("--role", choices=["member", "partner", "admin"], required=True)
    create.add_argument("--ttl-days", type=int, help="days until it expires (default: CID_GRAPH_TOKEN_TTL_DAYS)")
    create.add_argument("--label", help="a note for operators, e.g. who holds it")
    create.add_argument("--json", action="store_true")
    create.set_defaults(func=_cmd_token_create)
    lst = tsub.add_parser("list", help="list tokens (never the tokens themselves)")
    lst.add_argument("--warehouse")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(func=_cmd_token_list)
    rev = tsub.add_parser("revoke", help="revoke a token by its id (or the token itself)")
    rev.add_argument("--warehouse")
    rev.add_argument("token_id")
    rev.set_defaults(func=_cmd_token_revoke)

    audit = sub.add_parser("audit", help="read the audit log (who asked what shape of query; never values)")
    audit.add_argument("--warehouse")
    audit.add_argument("--org", help="only this organization's queries")
    audit.add_argument("--limit", type=int, default=50)
    audit.add_argument("--json", action="store_true")
    audit.set_defaults(func=_cmd_audit)

    classify = sub.add_parser("classify", help="event type and category classification")
    csub = classify.add_subparsers(dest="classify_command")
    ev = csub.add_parser("evaluate", help="accuracy and macro-F1 of the classifier on a labelled CSV")
    ev.add_argument("--labelled", type=Path, required=True,
                    help="CSV with title, language, country, venue, event_type, event_category")
    ev.add_argument("--json", action="store_true")
    ev.set_defaults(func=_cmd_classify_evaluate)
    rt = csub.add_parser("retrain", help="retrain on the corpus plus every correction, re-label the "
                         "predicted events and publish a new warehouse version")
    rt.add_argument("--warehouse", help="warehouse directory (default: CID_GRAPH_WAREHOUSE)")
    rt.add_argument("--json", action="store_true", help="print one JSON object with what changed")
    rt.set_defaults(func=_cmd_classify_retrain)

    sdl = sub.add_parser("schema", help="print the GraphQL schema (SDL)")
    sdl.set_defaults(func=_cmd_schema)


def _access(settings: Settings) -> Any:
    from cid_graph.access import AccessStore
    from warehouse.store import WarehouseStore

    return AccessStore(WarehouseStore(settings.warehouse_dir).access_db)


def _serve(settings: Settings) -> int:
    import uvicorn

    from cid_graph.app import create_app
    from metrics.model import load_model

    load_model(settings.model_dir)  # refuse to start on a model error, with every problem listed
    print(f"CID Graph on http://{settings.host}:{settings.port}/  (GraphQL: /graphql, GraphiQL: /graphiql)", file=sys.stderr)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port,
                log_level=settings.log_level.lower(), timeout_graceful_shutdown=5)
    return 0


def _engine_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--engine", choices=["duckdb", "spark"], help="serving engine (default: CID_GRAPH_ENGINE)")
    parser.add_argument("--parquet", help="the Parquet export the spark engine reads (default: CID_GRAPH_PARQUET_DIR)")
    parser.add_argument("--spark-master", help="local[N] or a Spark Connect URL sc://host:port (default: CID_GRAPH_SPARK_MASTER)")


_FLAGS = {"host": "host", "port": "port", "engine": "engine", "parquet": "parquet_dir", "spark_master": "spark_master"}


def _with_flags(settings: Settings, args: argparse.Namespace) -> Settings:
    changes = {name: getattr(args, flag) for flag, name in _FLAGS.items() if getattr(args, flag, None) is not None}
    return settings.replace(**changes) if changes else settings


def _cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from cid_graph.cli import _progress
    from warehouse.export import export
    from warehouse.parquet_store import ParquetStore
    from warehouse.store import WarehouseStore

    settings = _with_flags(settings, args)
    result = export(WarehouseStore(settings.warehouse_dir), ParquetStore(settings.parquet_path),
                    progress=_progress(False))
    if args.json:
        print(result.to_json())
        return 0
    rows = sum(result.tables.values())
    print(f"Parquet export {result.name} of warehouse v{result.version:06d} at {result.path}: "
          f"{len(result.tables)} tables, {rows:,} rows, {result.bytes / 1e6:,.1f} MB"
          + ("" if result.published else " (unchanged)"))
    return 0


def _cmd_query(args: argparse.Namespace, settings: Settings) -> int:
    from cid_graph.local_api import LocalApi, read_query_file
    from cid_graph.result_text import format_result

    settings = _with_flags(settings, args)
    query = read_query_file(args.query)
    api = LocalApi(settings)
    try:
        result = api.insights(query, args.token, args.locale)
    finally:
        api.close()
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(format_result(result, engine=settings.engine))
    return 0


def _cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    return _serve(_with_flags(settings, args))


def _cmd_demo_serve(args: argparse.Namespace, settings: Settings) -> int:
    from warehouse.engine import Engine

    settings = _with_flags(settings, args).replace(demo_mode=True)
    engine = Engine(settings.warehouse_dir)
    orgs = engine.execute(
        "SELECT o.org_id, o.name, o.org_type, o.country FROM organizations o "
        "JOIN (SELECT org_id, count(*) n FROM buyers GROUP BY org_id) b USING (org_id) "
        "ORDER BY o.country = 'NO' DESC, b.n DESC LIMIT 8").to_pylist()
    engine.close()
    access = _access(settings)
    tokens = []
    for org in orgs:
        token, _ = access.create_token(org["org_id"], "member", ttl_days=30, label="demo")
        tokens.append({"token": token, "role": "member", "org_id": org["org_id"], "name": org["name"],
                       "org_type": org["org_type"], "country": org["country"]})
    for role in ("partner", "admin"):
        token, _ = access.create_token(None, role, ttl_days=30, label="demo")
        tokens.append({"token": token, "role": role, "org_id": None, "name": f"Demo {role}"})
    path = settings.warehouse_dir / "demo-tokens.json"
    path.write_text(json.dumps({"tokens": tokens}, ensure_ascii=False, indent=1), encoding="utf-8")
    path.chmod(0o600)
    print("Demo tokens (also offered by the dashboard's sign-in picker):", file=sys.stderr)
    for t in tokens:
        print(f"  {t['role']:8} {t['name'][:40]:40} {t['token']}", file=sys.stderr)
    return _serve(settings)


def _cmd_token_create(args: argparse.Namespace, settings: Settings) -> int:
    ttl = args.ttl_days if args.ttl_days is not None else settings.token_ttl_days
    if args.org:
        _require_org(settings, args.org)
    token, principal = _access(settings).create_token(args.org, args.role, ttl_days=ttl, label=args.label)
    if args.json:
        print(json.dumps({"token": token, "token_id": principal.token_id, "org_id": principal.org_id,
                          "role": principal.role, "expires_at": principal.expires_at}))
    else:
        print(token)
        print(f"token {principal.token_id} for {principal.org_id or '(no organization)'} as {principal.role}, "
              f"expires {principal.expires_at}. It is shown only now; store it safely.", file=sys.stderr)
    return 0


def _require_org(settings: Settings, org_id: str) -> None:
    from cid_graph.errors import CidGraphError
    from warehouse.engine import Engine

    engine = Engine(settings.warehouse_dir)
    try:
        found = engine.execute("SELECT count(*) AS n FROM organizations WHERE org_id = ?", [org_id]).to_pylist()[0]["n"]
    finally:
        engine.close()
    if not found:
        raise CidGraphError(f"no organization {org_id!r} in the warehouse",
                            hint="Load it with `cid-graph ingest --organizations ...` first, or check the id.")


def _cmd_token_list(args: argparse.Namespace, settings: Settings) -> int:
    rows = _access(settings).list_tokens()
    if args.json:
        print(json.dumps(rows))
        return 0
    for r in rows:
        state = "revoked" if r["revoked_at"] else f"expires {r['expires_at'][:10]}"
        print(f"{r['token_id']}  {r['role']:8} {r['org_id'] or '-':20} {state:20} {r['label'] or ''}")
    return 0


def _cmd_token_revoke(args: argparse.Namespace, settings: Settings) -> int:
    _access(settings).revoke(args.token_id)
    print(f"revoked {args.token_id}")
    return 0


def _cmd_audit(args: argparse.Namespace, settings: Settings) -> int:
    rows = _access(settings).read_audit(limit=args.limit, org_id=args.org)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    for r in rows:
        print(f"{r['at']}  {r['role'] or '-':8} {r['org_id'] or '-':16} {r['operation']:9} {r['outcome']:14} "
              f"cells={r['cells']} suppressed={r['suppressed']} {r['ms']}ms  {r['shape']}")
    return 0


def _cmd_classify_evaluate(args: argparse.Namespace, settings: Settings) -> int:
    from warehouse.classify import default_model, evaluate, read_labelled

    rows = read_labelled(args.labelled)
    report = evaluate(default_model(Path(settings.classifier_cache).expanduser()), rows,
                      threshold=settings.classification_threshold)
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
        return 0
    print(f"{report['n']} titles: type accuracy {report['type_accuracy']:.1%} (macro-F1 {report['type_macro_f1']:.3f}), "
          f"category accuracy {report['category_accuracy']:.1%} (macro-F1 {report['category_macro_f1']:.3f})")
    blind, at = report["without_org_type"], report["at_threshold"]
    print(f"without the organization's type: type accuracy {blind['type_accuracy']:.1%}, "
          f"category accuracy {blind['category_accuracy']:.1%}")
    plain = report["without_context"]
    print(f"without the event's start ({plain['rows_with_context']} titles have one): type accuracy "
          f"{plain['type_accuracy']:.1%}, category accuracy {plain['category_accuracy']:.1%}")
    print(f"stated confidence on average: type {report['type_mean_confidence']:.1%}, "
          f"category {report['category_mean_confidence']:.1%}")
    print(f"calibration error (10 bins): type {report['type_calibration_error']:.1%}, "
          f"category {report['category_calibration_error']:.1%}")
    print(f"at the threshold {at['threshold']:g}: type labels {at['type']['precision']:.1%} right, covering "
          f"{at['type']['coverage']:.1%} of titles; category (at {at['category_threshold']:g}) "
          f"{at['category']['precision']:.1%} right, covering {at['category']['coverage']:.1%}")
    for lang, numbers in sorted(report["per_language"].items()):
        print(f"  {lang:3} n={numbers.get('n', '')} " + " ".join(
            f"{k}={v:.1%}" for k, v in numbers.items() if isinstance(v, float)))
    confusion = report["type_confusion"]
    labels = confusion["labels"]
    print("type confusion (rows: true, columns: predicted):")
    print(" " * 17 + " ".join(f"{lab[:6]:>6}" for lab in labels))
    for lab, row in zip(labels, confusion["matrix"], strict=True):
        print(f"  {lab[:14]:14} " + " ".join(f"{v:6d}" for v in row))
    return 0


def _cmd_classify_retrain(args: argparse.Namespace, settings: Settings) -> int:
    from cid_graph.cli import _progress
    from warehouse.classify import CorrectionStore, retrain
    from warehouse.store import WarehouseStore

    store = WarehouseStore(settings.warehouse_dir)
    store.require_current()  # a clear error before anything is trained
    say = _progress(False)
    result = retrain(store, CorrectionStore(store.corrections_db),
                     classifier_cache=Path(settings.classifier_cache).expanduser(),
                     threshold=settings.classification_threshold, say=say)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False))
        return 0
    print(f"retrained on {result.training_rows:,} titles ({result.corrections:,} correction(s)); "
          f"model {result.model_data_hash[:12]}")
    print(f"{result.events_predicted:,} predicted event(s) re-labelled by the model; "
          f"{result.events_relabelled:,} got another type or genre")
    if result.by_type:
        print("events per type (before -> after):")
        for etype, n in result.by_type.items():
            print(f"  {etype:16} {n['before']:6,} -> {n['after']:6,}")
    for title, changes in (("type changes", result.type_changes), ("genre changes", result.category_changes)):
        if changes:
            print(f"{title}:")
            for c in changes[:20]:
                print(f"  {c['from']:>16} -> {c['to']:16} {c['events']:6,}")
            if len(changes) > 20:
                print(f"  ... and {len(changes) - 20} more")
    print(f"warehouse v{result.version or 0:06d}" + ("" if result.published else " (unchanged: nothing to re-label)"))
    return 0


def _cmd_schema(args: argparse.Namespace, settings: Settings) -> int:
    from schema.export import print_sdl

    sys.stdout.write(print_sdl(settings))
    return 0


__all__ = ["register", "Path"]
