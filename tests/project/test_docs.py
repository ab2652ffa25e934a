"""The README, docs/ and CONTRIBUTING.md say only what is true: their commands run, their paths exist.

Every line of a fenced `sh` block is a command. An `advisor ...` line runs through the real CLI with
fake probe children (tests/support/cli_with_fake_worker.py: the commands, their files and exit codes
are the real ones, and a measuring command takes a second), in the doc's order, in a scratch folder
per doc seeded with the files the docs name (SEEDS). It must exit 0, or the code its comment names
("# exit 3 where jax is not installed"). Any other line must be in NOT_RUN with the reason it is not
run here, so a command added to a doc fails this test until it is handled.
"""

from __future__ import annotations

import re
import shlex
import shutil
import struct
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT, TESTS, run_here_env

DOCS = (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "CONTRIBUTING.md")
FAKE_CLI = TESTS / "support" / "cli_with_fake_worker.py"
SETUP = "scripts/setup.sh && .venv/bin/advisor advise --no-input"
SUITE = "scripts/setup.sh --dev && .venv/bin/python -m pytest"
SAVED_RUN = "advisor-runs/2026-12-01T13-30-10"  # the quick fixture, under a run folder's default name
PICTURE = ROOT / "docs" / "report.png"
PICTURE_SIZE = (1280, 800)  # the first screen the browser test checks the decision fits

NOT_RUN = {
    SETUP: "creates .venv and installs about 1 GB; tests/project/test_end_to_end.py runs advise --no-input",
    SUITE: "the suite itself; .ci/run runs it on a clean clone",
    "scripts/setup.sh --plan": "reads nvidia-smi and .venv; tests/probes/test_gpu_path.py runs it with a fake GPU",
    "ADVISOR_EXTRAS=export scripts/setup.sh": "installs into .venv",
    "ADVISOR_EXTRAS= scripts/setup.sh": "installs into .venv",
    '.venv/bin/python -m pytest -q -m "not frameworks and not browser"': "runs the suite this test is part of",
    ".venv/bin/python -m pytest -q -m frameworks": "runs the suite this test is part of",
    ".venv/bin/python -m pytest -q -m browser": "runs the suite this test is part of",
    "ADVISOR_UPDATE_GOLD=1 .venv/bin/python -m pytest -q -k gold": "rewrites tests/gold/ from the suite",
    ".venv/bin/python tests/fixtures/derive.py run_quick advisor-runs/2026-12-01T13-30-10/evidence.json": (
        "rewrites tests/fixtures/run_quick/evidence.json in this checkout"
    ),
}
EXIT_NOTE = re.compile(r"#.*\bexit (\d+)")
COMMENT = re.compile(r"\s+#\s.*$")
PATH_ROOTS = ("advisor/", "probes/", "knowledge/", "reports/", "tests/", "benchmarks/", "scripts/", "docs/", ".ci/")
BACKTICKED = re.compile(r"`([^`\s]+)`")
LINK = re.compile(r"\]\(([^)\s]+)\)")


@dataclass(frozen=True)
class Command:
    doc: str
    text: str  # the line as the doc gives it, less its comment
    exit_code: int  # what the doc says it exits with: 0 unless its comment says "exit N"


def sh_lines(doc: Path) -> list[str]:
    """Every line of the doc's fenced `sh` blocks, in order."""
    lines, inside = [], False
    for line in doc.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            inside = line.strip() == "```sh" and not inside
            continue
        if inside and line.strip():
            lines.append(line)
    return lines


def commands(doc: Path) -> list[Command]:
    found = []
    for line in sh_lines(doc):
        note = EXIT_NOTE.search(line)
        found.append(Command(doc.name, COMMENT.sub("", line).strip(), int(note.group(1)) if note else 0))
    return found


def advisor_commands(doc: Path) -> list[Command]:
    return [c for c in commands(doc) if c.text.split()[0] == "advisor"]


def yaml_block(doc: Path) -> str:
    """The doc's first fenced `yaml` block: the README's example answers file."""
    return doc.read_text(encoding="utf-8").split("```yaml\n", 1)[1].split("```", 1)[0]


def seed(folder: Path) -> Path:
    """The files the docs' commands name without making them: answers files and saved runs."""
    answers = {
        "me.yaml": yaml_block(ROOT / "README.md"),
        "colleague.yaml": (TESTS / "personas" / "researcher-dynamic-models.yaml").read_text(encoding="utf-8"),
        "erin.yaml": (TESTS / "personas" / "beginner-first-model.yaml").read_text(encoding="utf-8"),
        **{f"{name}.yaml": (TESTS / "teams" / f"{name}.yaml").read_text(encoding="utf-8") for name in ("alice", "bob")},
    }
    for name, text in answers.items():
        (folder / name).write_text(text, encoding="utf-8")
    saved = ("answers.yaml", "evidence.json", "profile.json")
    shutil.copytree(FIXTURES / "run_quick", folder / SAVED_RUN, ignore=lambda _, names: set(names) - set(saved))
    carol = folder / "runs" / "carol"  # a member who ran `advisor advise` herself
    shutil.copytree(FIXTURES / "run_quick", carol, ignore=lambda _, names: set(names) - {"evidence.json"})
    shutil.copy(TESTS / "teams" / "carol.yaml", carol / "answers.yaml")
    return folder


def run(command: Command, folder: Path) -> subprocess.CompletedProcess:
    arguments = shlex.split(command.text)[1:]
    return subprocess.run(
        [sys.executable, str(FAKE_CLI), *arguments],
        cwd=folder,
        env=run_here_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
    )


def anchors(doc: Path) -> set[str]:
    """The ids GitHub gives the doc's headings."""
    headings = (line.lstrip("#").strip() for line in doc.read_text(encoding="utf-8").splitlines() if line[:1] == "#")
    return {re.sub(r"[^a-z0-9 _-]", "", h.lower()).replace(" ", "-") for h in headings}


def test_the_readme_starts_with_the_two_commands_that_work_on_a_fresh_machine():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    first_block = next(i for i, line in enumerate(lines) if line.startswith("```"))
    assert [line for line in lines[:first_block] if line.strip()] == ["# Framework Advisor"]
    assert [c.text for c in commands(ROOT / "README.md")[:2]] == [SETUP, SUITE]
    assert (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().endswith(SUITE)


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.name)
def test_every_advisor_command_in_the_doc_exits_as_the_doc_says(doc, tmp_path):
    folder = seed(tmp_path)
    failed = []
    for command in advisor_commands(doc):
        done = run(command, folder)
        if done.returncode != command.exit_code:
            failed.append(f"{command.text}: exit {done.returncode}, expected {command.exit_code}\n{done.stderr[-800:]}")
    assert not failed, "\n".join(failed)


def test_every_other_command_in_the_docs_is_listed_with_the_reason_it_is_not_run():
    others = {c.text for doc in DOCS for c in commands(doc) if c.text.split()[0] != "advisor"}
    assert others - NOT_RUN.keys() == set(), "a new command: run it here, or list it in NOT_RUN with the reason"
    assert NOT_RUN.keys() - others == set(), "listed, but no doc has it any more"


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.name)
def test_every_path_and_link_in_the_doc_exists(doc):
    text = doc.read_text(encoding="utf-8")
    named = {t.rstrip(".,:;") for t in BACKTICKED.findall(text) if t.startswith(PATH_ROOTS) and not set("<*…") & set(t)}
    missing = sorted(p for p in named if not (ROOT / p).exists())
    for link in LINK.findall(text):
        target, _, anchor = link.partition("#")
        path = (doc.parent / target).resolve() if target else doc
        if not path.exists():
            missing.append(link)
        elif anchor and anchor not in anchors(path):
            missing.append(f"{link} (no such heading)")
    assert missing == []


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", header[16:24])


def test_the_readme_shows_the_report_s_first_screen_from_a_png_in_the_repository():
    assert "](docs/report.png)" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert png_size(PICTURE) == PICTURE_SIZE


@pytest.mark.browser
def test_the_picture_script_remakes_the_first_screen_from_the_saved_quick_run(tmp_path):
    from tests.support.browser import find_chromium

    if find_chromium() is None:
        pytest.skip("CHROMIUM NOT FOUND: scripts/report_picture.py was NOT checked")
    out = tmp_path / "report.png"
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "report_picture.py"), str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        env=run_here_env(),
    )
    assert done.returncode == 0, done.stderr
    assert png_size(out) == PICTURE_SIZE
