"""python -m bench.redteam --out bench/redteam/REPORT.md [--budget quick|full] [--workdir DIR]"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from bench.redteam import attacks, harness, report, utility


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.redteam")
    p.add_argument("--out", default="bench/redteam/REPORT.md")
    p.add_argument("--budget", choices=sorted(attacks.BUDGETS), default="full")
    p.add_argument("--workdir", default="bench/redteam/.work")
    p.add_argument("--scale", type=float, default=1.0, help="network size (1.0 ≈ 400k transactions)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--only", nargs="*", choices=attacks.ATTACKS)
    a = p.parse_args(argv)
    t0 = time.time()
    env = harness.build(a.workdir, scale=a.scale, seed=a.seed)
    print(f"network ready: {env.ingest.get('buyers')} buyers, {env.ingest.get('rows_rejected')} rejected rows", file=sys.stderr)
    try:
        results = {}
        for name, r in attacks.run_all(env, a.budget, a.only).items():
            results[name] = r.to_json()
            print(f"{name}: {r.queries} queries, {len(r.recoveries)} recoveries", file=sys.stderr)
        util = utility.measure(env)
    finally:
        env.api.close()
    meta = {"network": f"60 organizations, scale {a.scale}, seed {a.seed}, {env.ingest.get('rows_read')} rows, "
                       f"{env.ingest.get('buyers')} buyers, {env.ingest.get('events')} events",
            "budget": a.budget, "git": report.git_state(), "seconds": time.time() - t0, "ingest": env.ingest}
    out = Path(a.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    report.write(out, meta, results, util)
    found = sum(r["recoveries"] for r in results.values())
    print(f"report: {out} ({found} recoveries)", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
