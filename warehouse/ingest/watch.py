"""A drop folder that loads itself: ``cid-graph watch --inbox DIR``.

Files that appear in the inbox are loaded through the normal :func:`ingest` once they are
complete: their size and modification time are the same on two polls in a row, or a marker
``NAME.done`` stands beside them (then at once). A file is told apart by its header columns
(read through the profile): transactions, organizations, survey questions or survey responses.
Files that became ready in the same poll load organizations first, then transactions, survey
questions and responses (what each kind links to loads before it), each kind in arrival order
(modification time, then name).

After a load the file moves to ``DIR/loaded/`` (or ``DIR/failed/`` when it cannot be loaded:
unreadable, of no known kind, not fitting the profile) with ``NAME.json`` beside it: what the
load did, or the error and its hint. A kill during a load leaves the warehouse as it was (the
load publishes atomically) and the file in the inbox, so it is loaded again on the next start;
a kill after publishing and before the move loads it again as duplicates, which changes nothing.
While another process holds the writer lock (an ingest, a retrain) the file waits in the inbox.

One watcher per warehouse: it holds ``PATH/.watch.lock`` while it runs (a second one fails at
once) and the writer lock during each load.

>>> sorted(KIND_ORDER, key=KIND_ORDER.get)
['organizations', 'transactions', 'survey_questions', 'survey_responses']
"""

from __future__ import annotations

import itertools
import json
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cid_graph.errors import CidGraphError, InputFileError, WarehouseLockedError
from warehouse.ingest.pipeline import Progress, ingest
from warehouse.ingest.sources import (
    CANONICAL,
    ORGANIZATION_REQUIRED,
    TRANSACTION_REQUIRED,
    Profile,
    file_columns,
)
from warehouse.ingest.surveys import SURVEY_QUESTION_REQUIRED, SURVEY_RESPONSE_REQUIRED
from warehouse.secret import Secret
from warehouse.store import WarehouseStore

KIND_ORDER = {"organizations": 0, "transactions": 1, "survey_questions": 2, "survey_responses": 3}
#: Names in the inbox that are never loaded: markers, reports, and files still being copied.
_SKIP_SUFFIXES = (".done", ".tmp", ".part", ".partial", ".crdownload")
#: Names never loaded either: hidden files, and the lock file Excel keeps beside an open workbook.
_SKIP_PREFIXES = (".", "~$")


@dataclass
class LoadReport:
    """What the watcher did with one file (written as ``NAME.json`` beside it)."""

    file: str
    kind: str | None
    outcome: str  # loaded | failed
    started_at: str
    seconds: float
    moved_to: str
    result: dict[str, Any] | None = None  # IngestResult's fields
    error: dict[str, Any] | None = None  # code, message, hint

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def file_kind(path: Path, profile: Profile = CANONICAL) -> str:
    """Which contract file ``path`` is, by its header (InputFileError when none fits)."""
    header = {h.strip().lower() for h in file_columns(path, profile)}
    # A per-ticket export counts its rows: it has no tickets column.
    counted = ("tickets",) if profile.shape.grain == "ticket" else ()

    def has(required: Sequence[str], mapped: bool) -> bool:
        return all((profile.source_name(c) if mapped else c).strip().lower() in header
                   for c in required if not (mapped and c in counted))

    for kind, required, mapped in (("transactions", TRANSACTION_REQUIRED, True),
                                   ("survey_responses", SURVEY_RESPONSE_REQUIRED, False),
                                   ("survey_questions", SURVEY_QUESTION_REQUIRED, False),
                                   ("organizations", ORGANIZATION_REQUIRED, True)):
        if has(required, mapped):
            return kind
    raise InputFileError(
        f"{path.name}: its header fits no contract file (transactions, organizations, survey questions or "
        "survey responses)",
        hint=f"A transactions file needs {', '.join(TRANSACTION_REQUIRED)}; an organizations file "
             f"{', '.join(ORGANIZATION_REQUIRED)} (through the profile {profile.name}); see docs/data-contract.md.",
    )


@dataclass
class Watcher:
    """Polls ``inbox`` and loads its complete files into ``store``, one ingest per file."""

    store: WarehouseStore
    secret: Secret
    inbox: Path
    profile: Profile = CANONICAL
    progress: Progress | None = None
    on_load: Callable[[LoadReport], None] | None = None
    ingest_options: dict[str, Any] = field(default_factory=dict)
    last: LoadReport | None = None
    loads: int = 0
    waiting: int = 0
    _seen: dict[str, tuple[int, int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.inbox = Path(self.inbox)

    def _say(self, msg: str) -> None:
        if self.progress:
            self.progress(msg)

    # -- one poll --------------------------------------------------------------------------
    def ready(self) -> list[Path]:
        """Files complete now, in load order; remembers sizes for the next poll."""
        if not self.inbox.is_dir():
            raise InputFileError(f"the inbox {self.inbox} is not a folder", hint="Create it, or name another --inbox.")
        seen: dict[str, tuple[int, int]] = {}
        ready: list[tuple[int, int, str, Path]] = []
        for path in self.inbox.iterdir():
            name = path.name
            if name.startswith(_SKIP_PREFIXES) or name.lower().endswith(_SKIP_SUFFIXES) or not path.is_file():
                continue
            try:
                st = path.stat()
            except FileNotFoundError:
                continue
            seen[name] = (st.st_size, st.st_mtime_ns)
            marked = path.with_name(name + ".done").is_file()
            stable = st.st_size > 0 and self._seen.get(name) == seen[name]
            if marked or stable:
                ready.append((st.st_mtime_ns, 0, name, path))
            elif name not in self._seen:
                self._say(f"{name} arrived; waiting until it is complete")
        self._seen = seen
        self.waiting = len(seen) - len(ready)
        kinds = {p: self._kind_or_none(p) for *_, p in ready}
        ready.sort(key=lambda r: (KIND_ORDER.get(kinds[r[3]] or "", 9), r[0], r[2]))
        return [r[3] for r in ready]

    def _kind_or_none(self, path: Path) -> str | None:
        try:
            return file_kind(path, self.profile)
        except CidGraphError:
            return None

    def poll(self) -> list[LoadReport]:
        """Load every file that is complete now; returns what happened to each."""
        reports = []
        for path in self.ready():
            report = self.load(path)
            if report is not None:
                reports.append(report)
        return reports

    def load(self, path: Path) -> LoadReport | None:
        """Load one file and move it; None when the warehouse is busy (it stays to retry)."""
        started = time.perf_counter()
        at = datetime.now(UTC).isoformat(timespec="seconds")
        kind: str | None = None
        try:
            kind = file_kind(path, self.profile)
            self._say(f"loading {path.name} ({kind.replace('_', ' ')})")
            files = {kind: [path]}
            result = ingest(self.store, self.secret, files.get("organizations", []), files.get("transactions", []),
                            profile=self.profile, progress=self.progress,
                            survey_questions=files.get("survey_questions", []),
                            survey_responses=files.get("survey_responses", []), **self.ingest_options)
        except WarehouseLockedError as exc:
            self._say(f"{path.name} waits: {exc.message}")
            return None
        except CidGraphError as exc:
            report = LoadReport(path.name, kind, "failed", at, round(time.perf_counter() - started, 3), "",
                                error=exc.as_dict())
        except Exception as exc:  # noqa: BLE001 - an unexpected failure still must not loop on the file
            report = LoadReport(path.name, kind, "failed", at, round(time.perf_counter() - started, 3), "",
                                error={"code": "INTERNAL", "message": f"{type(exc).__name__}: {exc}", "hint": None})
        else:
            report = LoadReport(path.name, kind, "loaded", at, round(time.perf_counter() - started, 3), "",
                                result=asdict(result))
        self._file_away(path, report)
        self.last = report
        self.loads += 1
        if report.outcome == "loaded" and report.result:
            r = report.result
            self._say(f"loaded {path.name}: v{r['version'] or 0:06d}"
                      + ("" if r["published"] else " (unchanged)") + f"; report in {report.moved_to}.json")
        else:
            self._say(f"failed {path.name}: {(report.error or {}).get('message')}; moved to {report.moved_to}")
        if self.on_load is not None:
            try:
                self.on_load(report)
            except Exception as exc:  # noqa: BLE001 - a failing audit write must not stop the watcher
                self._say(f"could not record the load: {exc}")
        return report

    def _file_away(self, path: Path, report: LoadReport) -> None:
        folder = self.inbox / report.outcome
        folder.mkdir(exist_ok=True)
        target = folder / path.name
        n = 1
        while target.exists() or target.with_name(target.name + ".json").exists():
            target = folder / f"{path.stem}-{n}{path.suffix}"
            n += 1
        report.moved_to = str(target)
        tmp = folder / f".{target.name}.json.tmp"
        tmp.write_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        os.replace(tmp, target.with_name(target.name + ".json"))
        os.replace(path, target)
        path.with_name(path.name + ".done").unlink(missing_ok=True)

    # -- the loop --------------------------------------------------------------------------
    def run(self, interval_s: float = 5.0, *, once: bool = False, stop: threading.Event | None = None) -> list[LoadReport]:
        """Poll until ``stop`` is set (or, with ``once``, twice: what is complete then is loaded).

        Holds the watch lock throughout: a second watcher on the warehouse fails at once.
        """
        stop = stop or threading.Event()
        reports: list[LoadReport] = []
        with self.store.watch_lock():
            self._say(f"watching {self.inbox} for {self.store.root}")
            for n in range(2) if once else itertools.count():
                reports.extend(self.poll())
                if (once and n == 1) or stop.wait(interval_s):
                    break
        return reports

    def status(self) -> dict[str, Any]:
        """For ``/healthz``: the inbox, the loads so far and the last one's report."""
        return {"inbox": str(self.inbox), "loads": self.loads, "waiting": self.waiting,
                "last_load": self.last.to_dict() if self.last else None}
