"""Offline and private: a whole real advice run attempts no network connection, in any process.

Two guards, one run each: a Python-level guard loaded into the CLI and every probe child (it refuses
and logs connect, sendto and name lookups), and, where strace is installed, a system-call trace
of every process, which also sees connections opened by the frameworks' C++ code.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.frameworks
COMMAND = [sys.executable, "-m", "advisor", "advise", "--no-input", "--budget", "tiny"]


def test_no_process_of_an_advice_run_touches_the_network_python_guard(tmp_path):
    log = tmp_path / "network.log"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "tests" / "netguard"), str(ROOT)])
    env["ADVISOR_NETGUARD_LOG"] = str(log)
    done = subprocess.run(
        [*COMMAND, "--out", str(tmp_path / "run")], capture_output=True, text=True, timeout=300, cwd=ROOT, env=env
    )
    assert done.returncode == 0, done.stderr
    entries = log.read_text().splitlines()
    loaded = [e for e in entries if e.endswith("guard loaded")]
    assert len(loaded) >= 3  # the CLI and at least one child per framework
    assert [e for e in entries if not e.endswith("guard loaded")] == []
    assert "http" not in (tmp_path / "run" / "report.html").read_text().lower().replace("http-equiv", "")


@pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed (Debian package strace)")
def test_no_process_of_an_advice_run_opens_an_internet_socket_strace(tmp_path):
    trace = tmp_path / "trace.log"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        ["strace", "-f", "--seccomp-bpf", "-e", "trace=connect,sendto,sendmsg", "-o", str(trace),
         *COMMAND, "--out", str(tmp_path / "run")],
        capture_output=True, text=True, timeout=300, cwd=ROOT, env=env,
    )  # fmt: skip
    if done.returncode != 0 and "ptrace" in done.stderr:
        pytest.skip(f"strace cannot trace here: {done.stderr.strip().splitlines()[-1]}")
    assert done.returncode == 0, done.stderr
    network = [line for line in trace.read_text().splitlines() if re.search(r"AF_INET6?\b", line)]
    assert network == []
