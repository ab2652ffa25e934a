"""Shared fixtures: a fake probe worker, saved real runs, and answers files."""

from __future__ import annotations

import getpass
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
FIXTURES = TESTS / "fixtures"

# The advisor's caches (parsed knowledge, compiled templates) go to the tests' own folder, never the user's;
# it is kept between sessions, as a cache is: its files are named by what they were made from.
os.environ.setdefault(
    "ADVISOR_CACHE_DIR", os.path.join(tempfile.gettempdir(), f"advisor-test-cache-{getpass.getuser()}")
)


def run_here_env() -> dict[str, str]:
    """Environment for a subprocess that must import this checkout's code, not another install."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def fake_matmul_peak(plan, environment) -> dict:
    """A fixed matmul peak, so runner tests need no BLAS child."""
    return {"gflops": 100.0, "device": "cpu", "method": "fake", "threads": str(plan.threads)}


@pytest.fixture
def fake_worker(monkeypatch, tmp_path):
    """Make the runner start tests/support/fake_worker.py instead of the real worker; returns its log path."""
    import probes.runner

    log = tmp_path / "fake.log"
    monkeypatch.setenv("FAKE_LOG", str(log))
    monkeypatch.setattr(
        probes.runner, "worker_command", lambda: [sys.executable, str(TESTS / "support" / "fake_worker.py")]
    )
    monkeypatch.setattr(probes.runner, "matmul_peak", fake_matmul_peak)
    return log


@pytest.fixture
def saved_run(tmp_path) -> Path:
    """A copy of a real quick run's records (evidence measured on a 2-core CPU)."""
    folder = tmp_path / "saved run"
    shutil.copytree(FIXTURES / "run_quick", folder)
    return folder


@pytest.fixture
def speed_only_run(saved_run) -> Path:
    """The quick run with its speed results alone: a run whose ease and debugging probes left nothing."""
    import json

    evidence = json.loads((saved_run / "evidence.json").read_text(encoding="utf-8"))
    evidence["results"] = [r for r in evidence["results"] if r["kind"] == "speed"]
    (saved_run / "evidence.json").write_text(json.dumps(evidence), encoding="utf-8")
    return saved_run


@pytest.fixture
def standard_run(tmp_path) -> Path:
    """A copy of a real standard run's ease, debugging and export records (tests/fixtures/run_standard)."""
    folder = tmp_path / "standard run"
    shutil.copytree(FIXTURES / "run_standard", folder, ignore=shutil.ignore_patterns("*.py", "*.md"))
    return folder


@pytest.fixture
def write_answers(tmp_path):
    def write(text: str, name: str = "answers.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


def pytest_terminal_summary(terminalreporter):
    """Print where the browser test left its screenshots, for a person to look at."""
    from tests.support.browser import WRITTEN

    if WRITTEN:
        terminalreporter.write_sep("-", "report screenshots and PDF written by the browser test")
        for path in WRITTEN:
            terminalreporter.write_line(str(path))
