"""``cid-graph watch`` and the drop-folder watcher `serve` runs when ``watch_inbox`` is set.

The watcher itself is warehouse/ingest/watch.py; this module builds it from the settings, records
every load in the audit log (operation ``load``: the file, its kind, the counts and the version,
never a value) and runs it on a background thread for the server.

>>> from cid_graph.settings import Settings
>>> BackgroundWatcher.from_settings(Settings.load(env={}, dotenv=None)) is None  # off by default
True
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading
from pathlib import Path
from typing import Any

from cid_graph.access import AccessStore
from cid_graph.errors import CidGraphError
from cid_graph.settings import Settings
from warehouse.ingest.watch import LoadReport, Watcher

log = logging.getLogger("cid_graph.watch")
#: What a load's audit row keeps of its result: counts and the version, never a value.
_AUDITED = ("rows_read", "rows_loaded", "rows_rejected", "duplicates", "organizations_read",
            "organizations_rejected", "questions_read", "questions_rejected", "responses_read",
            "responses_loaded", "responses_rejected", "responses_duplicates", "version", "published")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    w = sub.add_parser("watch", help="load files dropped into an inbox folder as they arrive complete")
    w.add_argument("--warehouse", help="warehouse directory (default: CID_GRAPH_WAREHOUSE)")
    w.add_argument("--inbox", type=Path, help="the drop folder (default: CID_GRAPH_WATCH_INBOX)")
    w.add_argument("--profile", help="source profile: canonical, or a YAML mapping file (default: CID_GRAPH_WATCH_PROFILE)")
    w.add_argument("--interval", type=float, help="seconds between polls (default: CID_GRAPH_WATCH_INTERVAL_S)")
    w.add_argument("--once", action="store_true", help="load what is complete now (two polls) and exit")
    w.set_defaults(func=_cmd_watch)


def make_watcher(settings: Settings, inbox: Path, profile: str | None = None, progress: Any = None) -> Watcher:
    """A watcher of ``inbox`` for the settings' warehouse, recording its loads in the audit log."""
    from warehouse.ingest.sources import load_profile
    from warehouse.secret import load_or_create_secret
    from warehouse.store import WarehouseStore

    store = WarehouseStore(settings.warehouse_dir)
    secret, _ = load_or_create_secret(settings.secret_file)
    access = AccessStore(store.access_db)
    return Watcher(store, secret, inbox, profile=load_profile(profile or settings.watch_profile), progress=progress,
                   on_load=lambda report: audit_load(access, report),
                   ingest_options={"classifier_cache": Path(settings.classifier_cache).expanduser(),
                                   "classification_threshold": settings.classification_threshold})


def audit_load(access: AccessStore, report: LoadReport) -> None:
    """One audit row per load: who is the watcher (no token), what is the file and its counts."""
    result = report.result or {}
    shape = {"file": report.file, "kind": report.kind, "source": "watch",
             **{k: result[k] for k in _AUDITED if k in result}}
    if report.error:
        shape["error"] = report.error.get("code")
    outcome = "ok" if report.outcome == "loaded" else "failed"
    access.audit(None, "load", shape, cells=int(result.get("rows_loaded") or 0), outcome=outcome,
                 ms=int(report.seconds * 1000))


def _cmd_watch(args: argparse.Namespace, settings: Settings) -> int:
    from cid_graph.cli import _progress

    inbox = args.inbox or (Path(settings.watch_inbox).expanduser() if settings.watch_inbox else None)
    if inbox is None:
        raise CidGraphError("no inbox to watch", hint="Name it with --inbox DIR (or set CID_GRAPH_WATCH_INBOX).")
    interval = args.interval if args.interval is not None else settings.watch_interval_s
    watcher = make_watcher(settings, inbox, args.profile, _progress(False))
    reports = watcher.run(interval, once=args.once)
    if args.once:
        failed = [r for r in reports if r.outcome == "failed"]
        print(f"{len(reports) - len(failed)} file(s) loaded, {len(failed)} failed", file=sys.stderr)
        return 1 if failed else 0
    return 0


class BackgroundWatcher:
    """The watcher on a daemon thread of the server; :meth:`status` feeds ``/healthz``."""

    def __init__(self, watcher: Watcher, interval_s: float) -> None:
        self.watcher = watcher
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.error: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> BackgroundWatcher | None:
        """None unless ``watch_inbox`` is set (the watcher is off by default)."""
        if not settings.watch_inbox:
            return None
        watcher = make_watcher(settings, Path(settings.watch_inbox).expanduser(), progress=log.info)
        return cls(watcher, settings.watch_interval_s)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="cid-watch", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self.watcher.run(self.interval_s, stop=self._stop)
        except CidGraphError as exc:  # another watcher holds the warehouse, or the inbox is missing
            self.error = exc.message
            log.warning("the drop-folder watcher stopped: %s (%s)", exc.message, exc.hint)
        except Exception as exc:  # noqa: BLE001 - the server goes on answering without it
            self.error = f"{type(exc).__name__}: {exc}"
            log.exception("the drop-folder watcher failed")

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(30)

    def status(self) -> dict[str, Any]:
        running = self._thread is not None and self._thread.is_alive()
        return {"running": running, "error": self.error, **self.watcher.status()}
