"""Child processes, as pyperf's manager runs its workers: start one, bound what it prints, always kill and reap it.

A probe child is `python -m probes.worker REQUEST.json RESULT.json` in a process group of its own, so
that a timeout or Ctrl-C kills it with every process it started. It writes its result file itself
(atomically, after each case), so a crash keeps what it finished; its output is drained on a thread
and only the tail is kept, since a framework may print gigabytes. Children that run side by side run
in worker threads, which never see Ctrl-C: the main thread cancels them all by killing their groups.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from probes.variants import Variant

if TYPE_CHECKING:
    from probes.plan import ProbePlan

OUTPUT_TAIL_BYTES = 16 * 1024
QUIET_ENV = {
    "TF_CPP_MIN_LOG_LEVEL": "3",  # TensorFlow's C++ logs, oneDNN notices
    "TF_ENABLE_ONEDNN_OPTS": os.environ.get("TF_ENABLE_ONEDNN_OPTS", "1"),
    "PYTHONWARNINGS": "ignore",
    "KMP_WARNINGS": "0",
    "GRPC_VERBOSITY": "ERROR",
    "ABSL_MIN_LOG_LEVEL": "3",
}
# Accelerator memory as each framework's users set it when a GPU is shared (here: by the peak child and
# the probe, one at a time, and any other process of the user's): TensorFlow grows its pool instead of
# mapping the whole GPU at start, and JAX allocates on demand instead of preallocating 75% of it.
DEVICE_MEMORY_ENV = {"TF_FORCE_GPU_ALLOW_GROWTH": "true", "XLA_PYTHON_CLIENT_PREALLOCATE": "false"}


@dataclass
class ChildOutcome:
    """How a child ended, what it wrote, and the tail of what it printed."""

    returncode: int | None
    timed_out: bool
    wall_s: float
    payload: dict[str, Any] | None
    output_tail: str
    interrupted: bool = False

    def failure(self) -> tuple[str, str] | None:
        """(status, reason) when the child did not finish cleanly, else None."""
        if self.interrupted:
            return "interrupted", "the run was interrupted while this probe ran"
        if self.timed_out:
            return "timeout", f"no result within the {self.wall_s:.0f} s timeout; the child was killed"
        if self.returncode is not None and self.returncode < 0:
            name = _signal_name(-self.returncode)
            hint = " (often the out-of-memory killer)" if -self.returncode == signal.SIGKILL else ""
            return "crashed", f"the child was killed by {name}{hint}"
        if self.returncode not in (0, 3):
            last = _last_line(self.output_tail)
            return "crashed", f"the child exited with code {self.returncode}" + (f": {last}" if last else "")
        return None


class ChildInterrupted(Exception):
    """A child stopped by Ctrl-C or SIGTERM; carries what it wrote before, to keep."""

    def __init__(self, outcome: ChildOutcome, interrupt: KeyboardInterrupt):
        super().__init__("child interrupted")
        self.outcome = outcome
        self.interrupt = interrupt


def probe_env(threads: int, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a process the probes start: frameworks quiet, `threads` OpenMP threads, and this
    very copy of probes/ first on the path (installed or not), with `extra` on top."""
    env = {**os.environ, **QUIET_ENV, **(extra or {}), "OMP_NUM_THREADS": str(threads)}
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def child_env(variant: Variant, plan: ProbePlan, threads: int | None = None) -> dict[str, str]:
    """A probe child's environment: the variant's own variables (KERAS_BACKEND...) and the plan's device."""
    extra = {**DEVICE_MEMORY_ENV, **variant.env}
    if plan.device == "cpu":
        extra["CUDA_VISIBLE_DEVICES"] = ""
    return probe_env(threads or plan.threads, extra)


def worker_command() -> list[str]:
    return [sys.executable, "-m", "probes.worker"]


def run_child(
    command: Sequence[str], request: Mapping[str, Any], env: Mapping[str, str], timeout_s: float
) -> ChildOutcome:
    """Start one worker, wait at most `timeout_s`, and always kill and reap its process group."""
    with tempfile.TemporaryDirectory(prefix="advisor-probe-") as tmp:
        request_path = Path(tmp) / "request.json"
        result_path = Path(tmp) / "result.json"
        request_path.write_text(json.dumps(request))
        start = time.perf_counter()
        process = subprocess.Popen(
            [*command, str(request_path), str(result_path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=dict(env),
            start_new_session=True,  # its own process group: killed as one, with its children
        )
        tail = TailReader(process.stdout)
        timed_out = False
        interrupt: KeyboardInterrupt | None = None
        with _LIVE_LOCK:
            _LIVE.add(process)
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            timed_out = True
        except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM: keep what the child finished
            interrupt = exc
        finally:
            with _LIVE_LOCK:
                _LIVE.discard(process)
            _kill_group(process)
            tail.join()
        outcome = ChildOutcome(
            returncode=None if timed_out else process.returncode,
            timed_out=timed_out,
            wall_s=timeout_s if timed_out else time.perf_counter() - start,
            payload=_read_result(result_path),
            output_tail=tail.text(),
            interrupted=interrupt is not None or _CANCELLED.is_set(),
        )
        if interrupt is not None:
            raise ChildInterrupted(outcome, interrupt)
        return outcome


def _read_result(path: Path) -> dict[str, Any] | None:
    """The child's result document, or None when it wrote none or left it unreadable."""
    if not path.exists():
        return None
    try:
        payload = json.loads(path.read_text())
    except (json.JSONDecodeError, OSError, UnicodeDecodeError):
        return None
    return payload if isinstance(payload, dict) else None


# Children running in worker threads (the probes after the timed rounds) cannot see Ctrl-C: the main
# thread sets _CANCELLED and kills every live child's process group, and their outcomes read as interrupted.
_LIVE: set[subprocess.Popen] = set()
_LIVE_LOCK = threading.Lock()
_CANCELLED = threading.Event()


def run_jobs(jobs: Sequence[Callable[[], None]], workers: int) -> None:
    """Run probe children `workers` at a time (one: in order, in this thread); Ctrl-C kills them all.

    Only probes whose figures are not timings compared between frameworks run side by side.
    """
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            job()
        return
    from concurrent.futures import ThreadPoolExecutor

    _CANCELLED.clear()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(job) for job in jobs]
        try:
            for future in futures:
                future.result()
        except KeyboardInterrupt:
            _CANCELLED.set()
            for future in futures:
                future.cancel()
            with _LIVE_LOCK:
                live = list(_LIVE)
            for process in live:
                _kill_group(process)
            raise
        finally:
            pool.shutdown(wait=True)
    _CANCELLED.clear()


class TailReader:
    """Drain a pipe on a thread, keeping only its last bytes: a child may print gigabytes."""

    def __init__(self, stream: io.BufferedReader):
        self._stream = stream
        self._tail = bytearray()
        self._thread = threading.Thread(target=self._drain, daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        for chunk in iter(lambda: self._stream.read1(65536), b""):
            self._tail.extend(chunk)
            if len(self._tail) > 2 * OUTPUT_TAIL_BYTES:
                del self._tail[:-OUTPUT_TAIL_BYTES]

    def join(self) -> None:
        self._thread.join(timeout=5)
        try:
            self._stream.close()
        except OSError:
            pass

    def text(self) -> str:
        return bytes(self._tail[-OUTPUT_TAIL_BYTES:]).decode("utf-8", errors="replace")


def _kill_group(process: subprocess.Popen) -> None:
    """Kill the child's whole process group and reap the child, whatever state it is in."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:200] if lines else ""
