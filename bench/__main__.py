"""`make bench`: the ingest benchmark on the large demo data, then the query benchmark on the
warehouse it built. Sizes and paths: BENCH_SIZE (default large), BENCH_OUT (default bench/out)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from bench import ingest, queries


def main() -> None:
    size = os.environ.get("BENCH_SIZE", "large")
    out = Path(os.environ.get("BENCH_OUT", "bench/out"))
    ing = ingest.run(size, 42, out)
    print(json.dumps(ing, indent=1))
    for cache in (False, True):
        q = queries.run(Path(str(ing["warehouse"])), repeat=7, cache=cache)
        name = "cached" if cache else "uncached"
        (out / f"queries-{size}-{name}.json").write_text(json.dumps(q, indent=1))
        print(f"{name}: api {q['total_api_ms']} ms, sql {q['total_sql_ms']} ms, ratio {q['total_ratio']}")


if __name__ == "__main__":
    main()
