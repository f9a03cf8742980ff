"""The server's background applier: publishes stored corrections as a new warehouse version.

A correction is stored at once (``corrections.sqlite``); publishing it means copying the
current version, updating its events and publishing the copy (see
:func:`warehouse.classify.versions.apply_stored_corrections`), which takes a moment on a large
warehouse. So the applier runs on its own thread, never on the event loop, and batches: the
first correction opens a window of ``delay_s`` seconds, everything stored in it goes into one
version. When another process holds the writer lock (an ingest, a retrain) it tries again
after ``retry_s``; a failure is logged and retried later, backing off. Nothing is lost either
way: a correction is on disk before the mutation answers, and the applier (or the next load)
publishes whatever is above the current version's ``corrections_applied_id``. On start it
publishes what an earlier server left pending.

>>> import tempfile; from pathlib import Path
>>> from warehouse.store import WarehouseStore
>>> root = Path(tempfile.mkdtemp())
>>> applier = CorrectionApplier(WarehouseStore(root), CorrectionStore(root / "c.sqlite"), delay_s=0.1)
>>> applier.start(); applier.notify(); applier.stop()
>>> applier.status()["running"]
False
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from cid_graph.errors import WarehouseLockedError
from warehouse.classify.corrections import CorrectionStore
from warehouse.classify.versions import apply_stored_corrections, pending_corrections
from warehouse.store import WarehouseStore

log = logging.getLogger("cid_graph.corrections")
MAX_BACKOFF_S = 300.0


class CorrectionApplier:
    """Debounced, batched, retried publishing of stored corrections on one daemon thread."""

    def __init__(self, store: WarehouseStore, corrections: CorrectionStore, *,
                 delay_s: float = 2.0, retry_s: float = 10.0,
                 applied_through: Callable[[], int] | None = None) -> None:
        """``applied_through`` reads ``corrections_applied_id`` of the published version; a
        server passes one that uses its own engine, because a second connection to a file
        the engine has open, with another configuration, is refused by DuckDB."""
        self.store = store
        self._applied_through = applied_through
        self.corrections = corrections
        self.delay_s = max(0.0, delay_s)
        self.retry_s = max(0.1, retry_s)
        self._wake = threading.Condition()
        self._due: float | None = None
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._failures = 0
        self._busy = False
        self.last_error: str | None = None
        self.last_version: int | None = None
        self.published = 0

    # -- control ----------------------------------------------------------------------------
    def start(self) -> None:
        """Start the thread; corrections an earlier server left pending are published soon."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="cid-corrections", daemon=True)
        self._thread.start()
        try:
            if self._pending():
                self.notify()
        except Exception as exc:  # noqa: BLE001 - a damaged version must not stop the server
            log.warning("could not check for pending corrections: %s", exc)

    def notify(self) -> None:
        """A correction was stored: publish it (with any others) after the batching window."""
        with self._wake:
            if self._due is None:
                self._due = time.monotonic() + self.delay_s
            self._wake.notify()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop after the version being built, if any (a stored correction stays pending)."""
        with self._wake:
            self._stopping = True
            self._wake.notify()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def status(self) -> dict[str, Any]:
        with self._wake:
            return {"running": self._thread is not None and not self._stopping,
                    "scheduled": self._due is not None, "published": self.published,
                    "last_version": self.last_version, "last_error": self.last_error}

    def wait_idle(self, timeout: float = 60.0) -> bool:
        """Wait until nothing is scheduled (for tests and orderly shutdowns)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._wake:
                if self._due is None and not self._busy:
                    return True
            time.sleep(0.02)
        return False

    # -- the thread -------------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._stopping and (self._due is None or self._due > time.monotonic()):
                    self._wake.wait(None if self._due is None else max(0.0, self._due - time.monotonic()))
                if self._stopping:
                    return
                self._due = None
                self._busy = True
            try:
                self._apply_once()
            finally:
                with self._wake:
                    self._busy = False

    def _apply_once(self) -> None:
        try:
            version = apply_stored_corrections(self.store, self.corrections, say=log.debug)
        except WarehouseLockedError:
            log.info("the warehouse is being written by another process; corrections wait %.0f s",
                     self.retry_s)
            self._schedule(self.retry_s)
            return
        except Exception as exc:  # noqa: BLE001 - logged and retried; the corrections are safe on disk
            self._failures += 1
            self.last_error = f"{type(exc).__name__}: {exc}"
            wait = min(MAX_BACKOFF_S, self.retry_s * 2 ** min(self._failures, 8))
            log.exception("publishing corrections failed (attempt %d); trying again in %.0f s",
                          self._failures, wait)
            self._schedule(wait)
            return
        self._failures, self.last_error = 0, None
        if version is not None:
            self.published += 1
            self.last_version = version.number
            log.info("published warehouse %s with the stored corrections", version.name)
        try:
            if self._pending():  # stored while this one was built
                self._schedule(self.delay_s)
        except Exception as exc:  # noqa: BLE001
            log.warning("could not check for pending corrections: %s", exc)
            self._schedule(self.retry_s)

    def _pending(self) -> bool:
        if self._applied_through is None:
            return pending_corrections(self.store, self.corrections)
        if self.store.current_version() is None:
            return False
        return self.corrections.max_id() > self._applied_through()

    def _schedule(self, seconds: float) -> None:
        with self._wake:
            due = time.monotonic() + seconds
            self._due = due if self._due is None else min(self._due, due)
            self._wake.notify()
