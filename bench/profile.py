"""Where a tab's time goes: each stage of an uncached request, measured inside the server.

The app runs in this process (the ASGI transport) with one worker thread and one request at
a time, every cache off (compiled queries too), so the stages of a request follow one another
and add up to its time. Each stage's time is exclusive (a stage inside another is not counted
twice):

- ``sqlglot compile``: the query compiled to SQL (rollup chosen, pooled per organization);
- ``DuckDB``: the warehouse executing it (to an Arrow table);
- ``Arrow to Python``: the cells as Python values;
- ``privacy``: thresholds, cell-key perturbation, dominance, empty-cell filling, comparisons;
- ``answer``: constraining, ordering and labelling the published rows;
- ``GraphQL + HTTP``: the rest of the request: parsing, validation and execution of the
  document, JSON serialization, token check and the ASGI round trip.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
STAGES = ("sqlglot compile", "DuckDB", "Arrow to Python", "privacy", "answer", "GraphQL + HTTP")


class _Stages:
    """Exclusive time per stage: the innermost running stage of a thread gets the clock."""

    def __init__(self) -> None:
        self.totals: dict[str, float] = defaultdict(float)
        self._local = threading.local()

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        stack = getattr(self._local, "stack", None)
        if stack is None:
            stack = self._local.stack = []
        now = time.perf_counter()
        if stack:
            outer, since = stack[-1]
            self.totals[outer] += now - since
        stack.append((name, now))
        try:
            yield
        finally:
            end = time.perf_counter()
            inner, since = stack.pop()
            self.totals[inner] += end - since
            if stack:
                stack[-1] = (stack[-1][0], end)

    def wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            with self.stage(name):
                return fn(*args, **kwargs)
        return timed


def _cases(variants: dict[str, dict[str, Any]] | None) -> dict[tuple[str, str], dict[str, Any]]:
    chosen = variants or {"default": {}}
    return {(tab, name): v for name, v in chosen.items() for tab in ("tab_demography", "tab_events")}


class _TimedTable:
    def __init__(self, table: Any, stages: _Stages) -> None:
        self._table, self._stages = table, stages

    def to_pylist(self) -> list[dict[str, Any]]:
        with self._stages.stage("Arrow to Python"):
            rows: list[dict[str, Any]] = self._table.to_pylist()
            return rows

    def __getattr__(self, name: str) -> Any:
        return getattr(self._table, name)


def run(warehouse: Path, token: str, repeat: int, variants: dict[str, dict[str, Any]] | None = None,
        say: Any = print) -> dict[str, Any]:
    """Median stage times of each tab x variant (``{"tab/variant": {stage: ms}}``)."""
    import anyio
    import httpx

    import resolvers.execute as execute
    import resolvers.insights as insights
    import resolvers.privacy.comparisons as comparisons
    from cid_graph.app import create_app
    from cid_graph.settings import Settings
    from resolvers.cache import BoundedCache

    stages = _Stages()
    patches = [(execute, "compile_for", "sqlglot compile"), (insights, "run_protected", "privacy"),
               (comparisons, "run_protected", "privacy"), (insights, "compare", "privacy"),
               (insights, "_answer", "answer")]
    originals = [(mod, attr, getattr(mod, attr)) for mod, attr, _ in patches]
    for mod, attr, name in patches:
        setattr(mod, attr, stages.wrap(name, getattr(mod, attr)))
    settings = Settings.load(env={}, dotenv=None, warehouse=str(warehouse), worker_threads=1, max_running_requests=1,
                             cache_max_cells=0, answer_cache_max_cells=0, response_cache_mb=0)
    app = create_app(settings)
    out: dict[str, Any] = {}

    async def main() -> None:
        async with app.router.lifespan_context(app):
            from starlette.routing import Route

            state = next(r.endpoint for r in app.routes if isinstance(r, Route) and r.path == "/graphql").state
            services = state["services"]
            services.compiled = BoundedCache(0, lambda _: 1)  # compile every query, as on a first request
            engine_execute = services.engine.execute

            def execute(*args: Any, **kwargs: Any) -> Any:
                with stages.stage("DuckDB"):
                    table = engine_execute(*args, **kwargs)
                return _TimedTable(table, stages)

            services.engine.execute = execute
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
                for (tab, variant), variables in _cases(variants).items():
                    text = (ROOT / "docs" / "queries" / f"{tab}.graphql").read_text(encoding="utf-8")
                    body = {"query": text, "variables": variables}
                    headers = {"Authorization": f"Bearer {token}"}
                    await client.post("/graphql", json=body, headers=headers)  # warm-up
                    say(f"  profile {tab} ({variant}): {repeat} runs")
                    runs: list[dict[str, float]] = []
                    for _ in range(repeat):
                        stages.totals.clear()
                        t0 = time.perf_counter()
                        response = await client.post("/graphql", json=body, headers=headers)
                        total = (time.perf_counter() - t0) * 1000
                        assert response.status_code == 200 and "errors" not in response.json(), response.text[:300]
                        parts = {name: stages.totals.get(name, 0.0) * 1000 for name in STAGES[:-1]}
                        parts["GraphQL + HTTP"] = total - sum(parts.values())
                        parts["total"] = total
                        runs.append(parts)
                    out[f"{tab}/{variant}"] = {name: round(statistics.median(r[name] for r in runs), 1)
                                               for name in (*STAGES, "total")}

    try:
        anyio.run(main)
    finally:
        for mod, attr, fn in originals:
            setattr(mod, attr, fn)
    return out
