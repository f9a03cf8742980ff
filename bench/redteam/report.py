"""Markdown and JSON report of a red-team run."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any


def git_state() -> dict[str, Any]:
    root = Path(__file__).resolve().parents[2]
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--short"], cwd=root, capture_output=True, text=True).stdout.split("\n")
        return {"head": head, "dirty_files": [d for d in dirty if d.strip()]}
    except OSError:
        return {}


def _pct(x: Any) -> str:
    return "–" if x is None else f"{100 * x:.2f} %"


def write(out: Path, meta: dict[str, Any], attacks: dict[str, Any], utility: dict[str, Any]) -> None:
    data = {"meta": meta, "attacks": attacks, "utility": utility}
    out.with_suffix(".json").write_text(json.dumps(data, indent=1, default=str))
    lines = ["# Red-team report (bench/redteam)", "",
             f"Network: {meta['network']}. Budget: {meta['budget']}. Code: {meta['git'].get('head', '?')[:12]}"
             f" with {len(meta['git'].get('dirty_files', []))} uncommitted changes. Run time {meta['seconds']:.0f} s.", "",
             "A *recovery* is an estimate of another organization's buyers, tickets, revenue, events, tickets per "
             "buyer or revenue per ticket within ±15 % of the truth (DuckDB SQL over the raw contract files).", "",
             "## Attacks", "", "| attack | queries | targets | estimates | recoveries | ratio hits no better than the public baseline | notes |", "|---|---|---|---|---|---|---|"]
    for name, r in attacks.items():
        note = "; ".join(r["notes"])[:200]
        if name == "b_timing":
            note = f"signal: {r['stats'].get('signal')}; " + note
        lines.append(f"| {name} | {r['queries']} | {len(r['targets'])} | {r['tries']} | {r['recoveries']} | {r['baseline_hits']} | {note} |")
    for name, r in attacks.items():
        if r["recovery_examples"]:
            lines += ["", f"### {name}: examples of recoveries", "", "| target | metric | estimate | truth | error | how |",
                      "|---|---|---|---|---|---|"]
            for e in r["recovery_examples"][:8]:
                how = e["how"] + ("" if "beats_baseline" not in e else f" (baseline {e['baseline']}, beats baseline: {e['beats_baseline']})")
                lines.append(f"| {e['target']} | {e['metric']} | {e['estimate']} | {e['truth']} | {100 * e['rel_error']:.1f} % | {how} |")
    lines += ["", "## Utility (NETWORK scope, partner token, 2024-2025)", "",
              "| breakdown | cells | suppressed | BUYERS mean err ≥100 | BUYERS max err ≥1000 | TICKETS mean ≥100 | REVENUE mean ≥100 |",
              "|---|---|---|---|---|---|---|"]
    for name, u in utility.items():
        if name.startswith("_"):
            continue
        lines.append(f"| {name} | {u['cells']} | {_pct(u['suppressed_share'])} | {_pct(u['BUYERS']['ge100']['mean'])} "
                     f"(n={u['BUYERS']['ge100']['n']}) | {_pct(u['BUYERS']['ge1000']['max'])} (n={u['BUYERS']['ge1000']['n']}) | "
                     f"{_pct(u['TICKETS']['ge100']['mean'])} | {_pct(u['REVENUE_EUR']['ge100']['mean'])} |")
    o = utility["_overall"]
    lines += ["", f"Overall: {o['cells']} cells, {_pct(o['suppressed_share'])} suppressed; BUYERS mean relative error "
              f"(cells ≥ 100 buyers) {_pct(o['buyers_mean_rel_error_ge100'])}, max (cells ≥ 1000) "
              f"{_pct(o['buyers_max_rel_error_ge1000'])}. Targets: mean ≤ 2 %, max ≤ 8 %, suppressed ≤ 10 %.", ""]
    out.write_text("\n".join(lines))
