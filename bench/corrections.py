"""Event classification benchmark: labelling at ingest, publishing corrections, retraining.

    python -m bench.corrections --warehouse PATH [--corrections 10] [--out bench/out]

Works on a copy of the warehouse at PATH (which is left as it is). Publishing corrections means
copying the current version file, updating its events and publishing it, so its floor is a
plain copy of that file: the report gives the ratio to ``shutil.copyfile`` of the same file.
Labelling is reported as events per second of the model's pass over every event. Writes
``bench/out/corrections-<name>.json``.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import tempfile
import time
from pathlib import Path

import duckdb

from warehouse.classify import (
    CONFIDENCE_THRESHOLD,
    CorrectionStore,
    EventRef,
    apply_stored_corrections,
    default_model,
    retrain,
)
from warehouse.classify.apply import relabel_events
from warehouse.store import WarehouseStore


def _seconds(fn: object) -> float:
    start = time.perf_counter()
    fn()  # type: ignore[operator]
    return time.perf_counter() - start


def run(warehouse: Path, corrections: int, out: Path) -> dict[str, object]:
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="cid-bench-corrections-", dir=out))
    try:
        shutil.copytree(warehouse, work / "wh", ignore=shutil.ignore_patterns("corrections.sqlite"))
        store = WarehouseStore(work / "wh")
        version = store.require_current()
        size_mb = version.path.stat().st_size / 1e6
        copy_s = _seconds(lambda: shutil.copyfile(version.path, work / "copy.duckdb"))
        cache = work / "cache"
        train_s = _seconds(lambda: default_model(cache))
        model = default_model(cache)

        # the model's pass over every event of the version (on the plain copy)
        con = duckdb.connect(str(work / "copy.duckdb"))
        events = con.execute("SELECT count(*) FROM events").fetchone()[0]  # type: ignore[index]
        con.execute("UPDATE events SET classification_source = 'pending'")
        label_s = _seconds(lambda: relabel_events(con, model, CONFIDENCE_THRESHOLD, ("pending",)))
        picks = con.execute("""
            SELECT e.org_id, e.event_id, e.event_name, e.country, o.org_type, e.event_type,
                   e.event_category, e.classification_source
            FROM events e JOIN organizations o USING (org_id) ORDER BY e.event_sk""").fetchall()
        con.close()

        rng = random.Random(7)
        chosen = rng.sample(picks, min(corrections, len(picks)))
        store_c = CorrectionStore(store.corrections_db)
        record_s = _seconds(lambda: [store_c.record(EventRef(*p), "talk", "literature",
                                                    corrected_by_token_id="bench") for p in chosen])
        apply_s = _seconds(lambda: apply_stored_corrections(store, store_c))
        result = retrain(store, store_c, classifier_cache=cache, threshold=CONFIDENCE_THRESHOLD)
        report: dict[str, object] = {
            "warehouse": str(warehouse), "version_file_mb": round(size_mb, 1), "events": events,
            "copy_version_s": round(copy_s, 3),
            "train_model_s": round(train_s, 2),
            "label_all_events_s": round(label_s, 2), "events_labelled_per_s": round(events / label_s),
            "corrections": len(chosen), "record_corrections_ms": round(record_s * 1000, 1),
            "publish_corrections_s": round(apply_s, 2),
            "ratio_publish_to_copy": round(apply_s / copy_s, 2) if copy_s else None,
            "retrain_s": result.seconds, "retrain_relabelled": result.events_relabelled,
            "retrain_ratio_to_copy": round(result.seconds / copy_s, 2) if copy_s else None,
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)
    (out / f"corrections-{warehouse.name}.json").write_text(json.dumps(report, indent=1))
    return report


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--warehouse", type=Path, required=True)
    p.add_argument("--corrections", type=int, default=10)
    p.add_argument("--out", type=Path, default=Path("bench/out"))
    args = p.parse_args()
    for k, v in run(args.warehouse, args.corrections, args.out).items():
        print(f"{k:28} {v}")


if __name__ == "__main__":
    main()
