"""The CLI process never imports a framework: they load only inside probe children."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT, run_here_env

FRAMEWORKS = ("torch", "tensorflow", "keras", "jax")


def imported_after(code: str) -> set[str]:
    check = code + f"\nimport sys\nprint(','.join(m for m in {FRAMEWORKS!r} if m in sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=True, cwd=ROOT, env=run_here_env()
    )
    return {name for name in done.stdout.strip().split(",") if name}


def test_importing_the_cli_imports_no_framework():
    assert imported_after("import advisor.cli") == set()


def test_rerendering_a_report_imports_no_framework(saved_run):
    code = f"from advisor.runs import rerender; rerender({str(saved_run)!r})"
    assert imported_after(code) == set()


def test_help_answers_without_a_framework():
    done = subprocess.run(
        [sys.executable, "-m", "advisor", "--help"], capture_output=True, text=True, cwd=ROOT, env=run_here_env()
    )
    assert done.returncode == 0 and "advise" in done.stdout
