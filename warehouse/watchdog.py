"""One thread that interrupts warehouse queries past their time limit.

A timer thread per query costs a thread start on every query (milliseconds on a busy machine,
more than a query on a rollup takes); this keeps one daemon thread and a heap of deadlines.

>>> import time
>>> fired = []
>>> dog = Watchdog()
>>> ticket = dog.watch(0.01, lambda: fired.append(1))
>>> time.sleep(0.2); dog.done(ticket), fired
(True, [1])
>>> dog.done(dog.watch(10, lambda: fired.append(2))), fired
(False, [1])
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections.abc import Callable


class Watchdog:
    """Calls each watched callback once its deadline passes, unless it was marked done first."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int]] = []
        self._pending: dict[int, Callable[[], None]] = {}
        self._fired: set[int] = set()
        self._ids = itertools.count()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def watch(self, seconds: float, on_timeout: Callable[[], None]) -> int:
        """Call ``on_timeout`` in ``seconds`` unless :meth:`done` is called first; returns a ticket."""
        ticket = next(self._ids)
        with self._cond:
            self._pending[ticket] = on_timeout
            heapq.heappush(self._heap, (time.monotonic() + seconds, ticket))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="cid-graph-watchdog", daemon=True)
                self._thread.start()
            self._cond.notify()
        return ticket

    def done(self, ticket: int) -> bool:
        """Stop watching ``ticket``; True when its deadline had passed and the callback ran."""
        with self._cond:
            self._pending.pop(ticket, None)
            if ticket in self._fired:
                self._fired.discard(ticket)
                return True
            return False

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._heap and self._heap[0][1] not in self._pending:
                    heapq.heappop(self._heap)  # finished in time
                if not self._heap:
                    self._cond.wait()
                    continue
                at, ticket = self._heap[0]
                wait = at - time.monotonic()
                if wait > 0:
                    self._cond.wait(wait)
                    continue
                heapq.heappop(self._heap)
                callback = self._pending.pop(ticket)
                self._fired.add(ticket)
            try:
                callback()
            except Exception:  # noqa: BLE001 - an interrupt that fails must not stop the watchdog
                pass
