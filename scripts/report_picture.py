"""Re-make docs/report.png, the README's picture of the report's first screen.

The picture has to show what the code renders today, so it is made the way the browser test makes
its screenshots (tests/support/browser.py's headless Chromium, a 1280x800 window) from a saved real
run (tests/fixtures/run_quick, default answers) re-rendered by `advisor report`: nothing is measured,
and the same command gives the same picture on any machine with Chromium.

    .venv/bin/python scripts/report_picture.py [OUT.png]    # default: docs/report.png
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's code, not an installed copy

from tests.support.browser import Chromium, find_chromium  # noqa: E402

FIXTURE = ROOT / "tests" / "fixtures" / "run_quick"
PICTURE = ROOT / "docs" / "report.png"
FIRST_SCREEN = (1280, 800)  # the window the browser test checks the decision fits


def render_fixture(folder: Path) -> Path:
    """The quick fixture's report, rendered by the real CLI into `folder`; its report.html."""
    shutil.copytree(FIXTURE, folder, ignore=shutil.ignore_patterns("*.md", "*.py"))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "advisor", "report", str(folder)], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"advisor report {folder} failed (exit {done.returncode}):\n{done.stderr}")
    return folder / "report.html"


def picture(out: Path) -> Path:
    """Screenshot the first screen of the fixture's report into `out`."""
    executable = find_chromium()
    if executable is None:
        sys.stderr.write("error: Expected Chromium ($ADVISOR_CHROMIUM or chromium on PATH). Received: none found\n")
        raise SystemExit(2)
    with tempfile.TemporaryDirectory(prefix="advisor-picture-") as scratch:
        report = render_fixture(Path(scratch) / "run")
        with Chromium(executable) as browser:
            page = browser.page(*FIRST_SCREEN)
            page.open(report)
            out.parent.mkdir(parents=True, exist_ok=True)
            return page.screenshot(out)


if __name__ == "__main__":
    written = picture(Path(sys.argv[1]) if len(sys.argv) > 1 else PICTURE)
    print(f"wrote {written} ({written.stat().st_size:,} bytes)")
