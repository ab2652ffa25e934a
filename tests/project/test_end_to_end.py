"""A real advice run: both frameworks measured in child processes on a tiny budget."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT, run_here_env

pytestmark = pytest.mark.frameworks


def test_real_advise_measures_pytorch_and_keras_and_writes_the_four_records(tmp_path):
    out = tmp_path / "run"
    done = subprocess.run(
        [sys.executable, "-m", "advisor", "advise", "--no-input", "--budget", "tiny", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
        env=run_here_env(),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    for name in ("profile.json", "evidence.json", "scorecard.json", "report.html"):
        assert (out / name).stat().st_size > 0
    evidence = json.loads((out / "evidence.json").read_text())
    assert evidence["format"] == "advisor-evidence/2" and evidence["complete"]
    timed = [r for r in evidence["results"] if r["case"] == ""]  # each model's own; "memory": where it ran first
    statuses = {(r["variant"], r["model"]): r["status"] for r in timed}
    assert statuses == {
        ("torch", "mlp"): "ok",
        ("torch", "cnn"): "ok",
        ("keras-tensorflow", "mlp"): "ok",
        ("keras-tensorflow", "cnn"): "ok",
    }
    for result in timed:
        assert result["summary"]["train_samples_per_s"]["median"] > 0
        assert result["summary"]["first_step_s"]["median"] > 0
        assert result["summary"]["peak_rss_mb"]["median"] > 50
    assert evidence["environment"]["versions"]["torch"] and evidence["environment"]["versions"]["keras"]
    assert "oneDNN" not in done.stdout + done.stderr  # framework noise stays in the child
    scorecard = json.loads((out / "scorecard.json").read_text())
    assert scorecard["scores"]["training_speed"]["torch"]["source"] == "measured"
