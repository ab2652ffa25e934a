"""Ctrl-C and SIGTERM: what was measured is kept, marked incomplete; exit 130/143; no traceback.

The CLI runs for real in its own process (tests/support/cli_with_fake_worker.py); only the probe children
are fakes, so the test can stop the run while a child hangs.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_here_env
from tests.probes.test_runner import alive

FAKE_CLI = ROOT / "tests" / "support" / "cli_with_fake_worker.py"


def start(args: list[str], tmp_path: Path, **fake_env: str) -> tuple[subprocess.Popen, Path]:
    log = tmp_path / "fake.log"
    env = run_here_env()
    env.update(FAKE_LOG=str(log), FAKE_GRANDCHILD_PID=str(tmp_path / "grandchild.pid"), **fake_env)
    process = subprocess.Popen(
        [sys.executable, str(FAKE_CLI), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )
    return process, log


def wait_for(predicate, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.05)


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_during_the_probes_keeps_what_was_measured(tmp_path, signum, code):
    out = tmp_path / "run"
    args = ["advise", "--no-input", "--budget", "tiny", "--out", str(out)]
    process, log = start(args, tmp_path, FAKE_KERAS_TENSORFLOW="hang")
    grandchild = tmp_path / "grandchild.pid"
    wait_for(lambda: grandchild.exists() and grandchild.read_text())  # torch done, keras hanging
    process.send_signal(signum)
    stdout, stderr = process.communicate(timeout=30)

    assert process.returncode == code
    assert "Traceback" not in stderr
    assert f"advisor report {out}" in stderr
    evidence = json.loads((out / "evidence.json").read_text())
    assert evidence["complete"] is False
    by_variant = {r["variant"]: r["status"] for r in evidence["results"] if r["model"] == "mlp"}
    assert by_variant == {"torch": "ok", "keras-tensorflow": "interrupted"}
    assert (out / "report.html").exists()  # re-rendered from what was measured
    time.sleep(0.2)
    assert not alive(int(grandchild.read_text())), "a probe's child outlived the run"


def test_an_interrupted_child_keeps_the_models_it_finished(tmp_path):
    out = tmp_path / "run"
    process, log = start(
        ["probe", "--budget", "tiny", "--variant", "torch", "--out", str(out)],
        tmp_path,
        FAKE_TORCH="finish_first_then_hang",
    )
    wait_for(lambda: log.exists() and log.read_text())
    time.sleep(1.0)
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=30)
    assert process.returncode == 130
    evidence = json.loads((out / "evidence.json").read_text())
    by_model = {r["model"]: r["status"] for r in evidence["results"]}
    assert by_model == {"mlp": "ok", "cnn": "interrupted"}


def start_at_a_terminal(args: list[str]) -> tuple[int, int]:
    """The real CLI (fake probe children) in a pseudo-terminal, as a person would run it."""
    import pty

    pid, fd = pty.fork()
    if pid == 0:  # the child
        os.chdir(ROOT)
        os.execve(sys.executable, [sys.executable, str(FAKE_CLI), *args], {**run_here_env(), "COLUMNS": "200"})
    return pid, fd


def exit_code(pid: int) -> int:
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def test_ctrl_c_at_a_question_writes_nothing(tmp_path):
    out = tmp_path / "run"
    pid, fd = start_at_a_terminal(["advise", "--out", str(out), "--budget", "tiny"])
    screen = read_until(fd, b"Your name")
    assert b"questions about you and the project" in screen  # says what is coming
    os.write(fd, b"\r")  # the default: anonymous
    screen = read_until(fd, b"? for help [some]:")  # the question, its numbered choices and its default
    assert b"How much Python" in screen
    assert b"1  none" in screen and b"3  expert" in screen
    os.write(fd, b"guru\r")
    read_until(fd, b"'guru' is not one of the choices: type 1 to 3")  # a bad answer is asked again
    os.write(fd, b"\x03")  # Ctrl-C
    screen = read_until(fd, b"nothing was written")
    assert exit_code(pid) == 130
    assert b"Traceback" not in screen
    assert not out.exists()


def answer_the_rest_with_enter(fd: int) -> bytes:
    """Enter at every remaining question, up to the recap."""
    screen = b""
    while b"Enter to start measuring" not in screen:
        chunk = read_until_any(fd, [b"? for help", b"Enter to start measuring"])
        screen += chunk
        if b"Enter to start measuring" not in chunk:
            os.write(fd, b"\r")
    return screen


def test_numbers_help_and_markup_like_text_at_a_terminal_then_the_recap_changes_an_answer(tmp_path):
    out = tmp_path / "run"
    pid, fd = start_at_a_terminal(["advise", "--out", str(out), "--budget", "tiny"])
    read_until(fd, b"Your name")
    os.write(fd, b"[bold red]Ada[/x]\r")  # Rich markup, and an unbalanced closing tag
    read_until(fd, b"? for help [some]:")
    os.write(fd, b"?\r")
    read_until(fd, b"Answers: none, some, expert.")  # ? explains
    read_until(fd, b"? for help [some]:")  # then asks again
    os.write(fd, b"3\r")  # a number picks the third choice
    screen = answer_the_rest_with_enter(fd)
    assert b"Your answers" in screen
    assert b"[bold red]Ada[/x]" in screen  # printed back as typed, never read as markup
    assert b"packages, tests, production code" in screen  # the python answer: expert
    os.write(fd, b"2\r")  # change answer 2 (python) in the recap
    read_until(fd, b"? for help [expert]:")  # the current answer is the default now
    os.write(fd, b"NONE\r")  # names are case-insensitive
    screen = read_until(fd, b"Enter to start measuring")
    assert b"hardly any" in screen
    os.write(fd, b"\x03")
    read_until(fd, b"nothing was written")
    assert exit_code(pid) == 130
    assert not out.exists()


def test_a_run_at_a_terminal_shows_progress_and_where_the_report_is(tmp_path):
    out = tmp_path / "run"
    pid, fd = start_at_a_terminal(["advise", "--out", str(out), "--budget", "tiny"])
    answer_the_rest_with_enter(fd)
    os.write(fd, b"\r")  # start measuring
    screen = read_until(fd, b"Replay these answers", timeout_s=120)
    assert exit_code(pid) == 0
    assert b"Measuring" in screen and b"[1/2] PyTorch" in screen  # a bar, and a line per child
    assert str(out.resolve()).encode() in screen.replace(b"\r\n", b"")
    assert (out / "report.html").exists() and (out / "answers.yaml").exists()


def read_until_any(fd: int, markers: list[bytes], timeout_s: float = 30.0) -> bytes:
    """What the terminal showed up to the first of `markers` (consumed: the next read starts after it)."""
    import re
    import select

    seen = b""
    deadline = time.monotonic() + timeout_s
    while True:
        clean = re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]", b"", seen)
        if any(marker in clean for marker in markers):
            return clean
        if time.monotonic() > deadline:
            raise AssertionError(f"never saw {markers!r} in {seen[-500:]!r}")
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            try:
                seen += os.read(fd, 1)  # a byte at a time: nothing after the marker is taken
            except OSError:
                raise AssertionError(f"the program ended before {markers!r}: {seen[-500:]!r}") from None


def read_until(fd: int, marker: bytes, timeout_s: float = 30.0) -> bytes:
    return read_until_any(fd, [marker], timeout_s)
