"""`cid-graph classify evaluate` prints the numbers the issue names, as JSON and as text."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HELDOUT = Path(__file__).resolve().parents[2] / "warehouse" / "classify" / "heldout.csv"


def _run(tmp_path, *args):
    env = dict(os.environ, CID_GRAPH_CLASSIFIER_CACHE=str(tmp_path / "cache"))
    return subprocess.run([sys.executable, "-m", "cid_graph.cli", "classify", "evaluate", *args],
                          capture_output=True, text=True, env=env, timeout=300)


def test_evaluate_json(tmp_path):
    proc = _run(tmp_path, "--labelled", str(HELDOUT), "--json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["n"] > 300 and 0.85 <= report["type_accuracy"] <= 1 and 0.7 <= report["category_accuracy"] <= 1


def test_evaluate_bad_file(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("title,event_type\nHamlet,play\n", encoding="utf-8")
    proc = _run(tmp_path, "--labelled", str(bad))
    assert proc.returncode == 2 and "missing column" in proc.stderr and "Traceback" not in proc.stderr


def test_evaluate_text_names_blind_accuracy_calibration_and_the_threshold(tmp_path):
    proc = _run(tmp_path, "--labelled", str(HELDOUT))
    assert proc.returncode == 0, proc.stderr
    from cid_graph.settings import Settings
    threshold = Settings.load(env={}, dotenv=None).classification_threshold  # the configured one, not a copy
    for phrase in ("without the organization's type: type accuracy", "calibration error (10 bins)",
                   f"at the threshold {threshold:g}: type labels"):
        assert phrase in proc.stdout, proc.stdout
