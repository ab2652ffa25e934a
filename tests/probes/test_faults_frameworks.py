"""Missing and broken frameworks, for real: each gives a one-line reason and a report from the rest.

These run the real CLI and real probe children; the fault comes from a stand-in on PYTHONPATH
(tests/stubs): a module hidden as if uninstalled, or a package that fails at import.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.frameworks
STUBS = ROOT / "tests" / "stubs"


def advise(out: Path, variants: list[str], stub: str, hide: str = "", backend: str | None = None):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(STUBS / stub), str(ROOT)])
    env["ADVISOR_TEST_HIDE"] = hide
    if backend:
        env["KERAS_BACKEND"] = backend
    command = [sys.executable, "-m", "advisor", "advise", "--no-input", "--budget", "tiny", "--out", str(out)]
    for variant in variants:
        command += ["--variant", variant]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=ROOT, env=env)
    evidence = json.loads((out / "evidence.json").read_text()) if (out / "evidence.json").exists() else None
    return done, evidence


def statuses(evidence) -> dict[str, tuple[str, str]]:
    return {r["variant"]: (r["status"], r["reason"] or "") for r in evidence["results"] if r["model"] == "mlp"}


def test_torch_absent_is_not_installed_and_keras_still_runs(tmp_path):
    done, evidence = advise(tmp_path / "run", ["torch", "keras-tensorflow"], "hide", hide="torch")
    assert done.returncode == 0, done.stderr
    assert statuses(evidence)["torch"] == ("not_installed", "torch is not installed")
    assert statuses(evidence)["keras-tensorflow"][0] == "ok"
    report = (tmp_path / "run" / "report.html").read_text()
    assert "torch is not installed" in report
    assert "Traceback" not in done.stdout + done.stderr


def test_a_torch_that_fails_at_import_is_recorded_with_its_error(tmp_path):
    done, evidence = advise(tmp_path / "run", ["torch", "tensorflow"], "broken_torch")
    assert done.returncode == 0, done.stderr
    status, reason = statuses(evidence)["torch"]
    assert status == "failed"
    assert reason == (
        "import failed: RuntimeError: libtorch_cuda.so: cannot open shared object file (simulated broken install)"
    )
    assert statuses(evidence)["tensorflow"][0] == "ok"
    assert "import failed: RuntimeError" in (tmp_path / "run" / "report.html").read_text()


def test_tensorflow_that_fails_at_import_spares_pytorch(tmp_path):
    done, evidence = advise(tmp_path / "run", ["torch", "keras-tensorflow"], "broken_tensorflow")
    assert done.returncode == 0, done.stderr
    status, reason = statuses(evidence)["keras-tensorflow"]
    assert status == "failed" and reason.startswith("import failed: ")
    assert "simulated broken install" in reason
    assert statuses(evidence)["torch"][0] == "ok"


def test_keras_with_its_backend_unavailable_is_recorded_and_a_stray_keras_backend_changes_nothing(tmp_path):
    # jax hidden: Keras on JAX cannot run; KERAS_BACKEND=jax in the user's environment must not
    # leak into the Keras-on-TensorFlow child, which sets its own backend.
    done, evidence = advise(tmp_path / "run", ["keras-jax", "keras-tensorflow"], "hide", hide="jax", backend="jax")
    assert done.returncode == 0, done.stderr
    assert statuses(evidence)["keras-jax"] == ("not_installed", "jax is not installed")
    assert statuses(evidence)["keras-tensorflow"][0] == "ok"
