"""Back-pressure: a bounded number of GraphQL requests run at once, a bounded queue waits.

Past the queue, or after waiting too long in it, a request is answered at once with HTTP 503,
error code ``BUSY`` and a ``Retry-After`` header, instead of piling up until every request
times out: the server keeps answering the requests it admitted at full speed. Waiting is
first come, first served, and each admitted request's warehouse queries have their own time
limits (``CID_GRAPH_QUERY_TIMEOUT_S``), so a slow request holds its slot for a bounded time only.

>>> import anyio
>>> gate = Admission(running=1, queued=0, wait_s=1.0)
>>> async def demo():
...     async with gate.admit():
...         try:
...             async with gate.admit():
...                 pass
...         except Busy as exc:
...             return exc.retry_after_s, gate.stats()["refused"]
>>> anyio.run(demo)
(1, 1)
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio

from cid_graph.errors import CidGraphError


class Busy(CidGraphError):
    """The server is at capacity: retry after ``retry_after_s`` seconds."""

    code = "BUSY"
    status = 503

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message, hint=f"Retry in {retry_after_s} s; the server is answering other requests.")
        self.retry_after_s = retry_after_s


class Admission:
    """At most ``running`` requests at once, at most ``queued`` waiting, each for ``wait_s``."""

    def __init__(self, running: int, queued: int, wait_s: float) -> None:
        self.running = max(1, running)
        self.queued = max(0, queued)
        self.wait_s = wait_s
        self._slots = anyio.Semaphore(self.running)
        self._inside = 0  # running + waiting
        self.admitted = self.refused = self.peak = 0

    @asynccontextmanager
    async def admit(self) -> AsyncIterator[None]:
        """Hold a slot for the block; raises :class:`Busy` when the queue is full or too slow."""
        if self._inside >= self.running + self.queued:
            self.refused += 1
            raise Busy(f"the server is busy: {self.running} requests are running and {self.queued} waiting",
                       retry_after_s=self._retry_after())
        self._inside += 1
        self.peak = max(self.peak, self._inside)
        try:
            with anyio.move_on_after(self.wait_s) as waited:
                await self._slots.acquire()
            if waited.cancelled_caught:
                self.refused += 1
                raise Busy(f"the server is busy: this request waited {self.wait_s:g} s for a slot",
                           retry_after_s=self._retry_after())
            self.admitted += 1
            try:
                yield
            finally:
                self._slots.release()
        finally:
            self._inside -= 1

    def _retry_after(self) -> int:
        # Roughly how long the queue ahead takes to drain, at least a second.
        return max(1, math.ceil(self.wait_s * min(1.0, self._inside / max(1, self.running + self.queued))))

    def stats(self) -> dict[str, Any]:
        return {"running_max": self.running, "queued_max": self.queued, "inside": self._inside,
                "peak": self.peak, "admitted": self.admitted, "refused": self.refused}
