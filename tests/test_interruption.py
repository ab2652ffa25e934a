"""Ctrl-C and SIGTERM: what was measured is kept, marked incomplete; exit 130/143; no traceback.

The CLI runs for real in its own process (tests/cli_with_fake_worker.py); only the probe children
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
from tests.test_runner import alive

FAKE_CLI = ROOT / "tests" / "cli_with_fake_worker.py"


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


def test_ctrl_c_at_a_question_writes_nothing(tmp_path):
    import pty

    out = tmp_path / "run"
    pid, fd = pty.fork()
    if pid == 0:  # the child: the real CLI at a terminal
        os.chdir(ROOT)
        os.execve(
            sys.executable,
            [sys.executable, str(FAKE_CLI), "advise", "--out", str(out), "--budget", "tiny"],
            run_here_env(),
        )
    read_until(fd, b"Your name")
    os.write(fd, b"\r")  # the default: anonymous
    screen = read_until(fd, b"(some):")  # the question, its choices and its default
    assert b"How much Python" in screen
    assert b"none" in screen and b"expert" in screen  # the choices are shown
    os.write(fd, b"guru\r")
    screen = read_until(fd, b"Please select one of the available options")  # a bad answer is asked again
    os.write(fd, b"\x03")  # Ctrl-C
    screen = read_until(fd, b"nothing was written")
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 130
    assert b"Traceback" not in screen
    assert not out.exists()


def read_until(fd: int, marker: bytes, timeout_s: float = 30.0) -> bytes:
    import re
    import select

    seen = b""
    deadline = time.monotonic() + timeout_s
    while marker not in re.sub(rb"\x1b\[[0-9;]*m", b"", seen):
        if time.monotonic() > deadline:
            raise AssertionError(f"never saw {marker!r} in {seen[-500:]!r}")
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                seen += os.read(fd, 4096)
            except OSError:
                break
    return re.sub(rb"\x1b\[[0-9;]*m", b"", seen)
