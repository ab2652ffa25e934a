"""The scale probe's protocol, shared by every framework: batch curves, data streamed from disk, data-parallel ranks.

Three questions a user who outgrows the speed probe's setting (batch 64, arrays in memory, one
process) asks, each a case of this kind, measured once per fresh process like speed (the runner
interleaves processes; intervals come from the spread between them):

- `batch-N`: training throughput at batch N, by the framework's own speed session (probes/kinds/speed.py),
  so the curve shows where the fixed cost of a step stops dominating;
- `stream` (and each framework's alternatives, `stream-...`): training on records read from shards on
  disk through the framework's own input pipeline, with the shards dropped from the page cache before
  each timed window, so the bytes come from disk and not from memory; the pipeline alone is timed too,
  so the result says which of the two bounds the rate;
- `data-parallel`: the same model trained by 1 and by 2 processes (one thread each, weak scaling: each
  process keeps its batch) with the framework's own distributed engine, on 127.0.0.1; each process is
  a rank started here, and one that hangs past its timeout is killed and recorded, not waited for.

The shards are the same bytes for every framework: fixed-length records of an int32 label and the
model's float32 inputs (channels last), the layout of CIFAR-10's binary files, which TensorFlow reads
with FixedLengthRecordDataset and PyTorch users with numpy.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from probes import folding, memory
from probes.contract import framework_probe, scale_probe, speed_probe
from probes.folding import Failure, Filed
from probes.kinds.speed import find_steady_state, run_windows, steps_per_window
from probes.specs import MODELS, make_data

BATCH_SIZES = (16, 64, 256, 512)
SCALE_MODELS = ("mlp", "cnn")  # the models with a batch curve, a streamed pipeline and data-parallel ranks
STREAM_CASE = "stream"  # each framework's recommended pipeline; its alternatives are "stream-<name>"
DATA_PARALLEL_CASE = "data-parallel"
WORLD_SIZES = (1, 2)
STREAM_BYTES = {"mlp": 24 * 2**20, "cnn": 96 * 2**20}  # shards per process: a few seconds of reading each
SHARDS = 8
PIPELINE_BOUND = 0.5  # the pipeline alone takes over half the time a streamed step takes: it is the bottleneck
RANK_TIMEOUT_S = 90.0
DATA_PARALLEL_STEPS = {"mlp": (10, 200), "cnn": (3, 30)}  # (warm-up, timed) steps of each rank, at batch 64


def batch_case(batch_size: int) -> str:
    return f"batch-{batch_size}"


def case_batch_size(case: str) -> int | None:
    """The batch of a `batch-N` case, else None."""
    prefix, _, size = case.partition("-")
    return int(size) if prefix == "batch" and size.isdigit() else None


def scale_cases(models: Sequence[str], streams: Sequence[str], data_parallel: bool) -> list[tuple[str, str]]:
    """Every (model, case) a framework measures: its streams (STREAM_CASE first) and data-parallel if it can."""
    cases = []
    for model in (m for m in models if m in SCALE_MODELS):
        cases += [(model, batch_case(b)) for b in BATCH_SIZES]
        cases += [(model, stream) for stream in streams]
        if data_parallel:
            cases.append((model, DATA_PARALLEL_CASE))
    return cases


def fold(case: str, output: Mapping[str, Any] | None, child: Mapping[str, Any], failure: Failure | None) -> list[Filed]:
    """File a scale output as every kind does, less the training memory a batch case's speed session reports:
    that is the speed probe's figure (this process reused its session)."""
    return [
        replace(filed, samples={k: v for k, v in filed.samples.items() if k != "train_memory_mb"})
        for filed in folding.fold(case, output, child, failure)
    ]


FILING = folding.Filing(fold)


# --- shards on disk


@dataclass(frozen=True)
class Shards:
    """Record files of one model's generated data: an int32 label, then the float32 inputs, little-endian."""

    paths: tuple[str, ...]
    input_shape: tuple[int, ...]
    records: int

    @property
    def features(self) -> int:
        return int(np.prod(self.input_shape))

    @property
    def record_bytes(self) -> int:
        return 4 + 4 * self.features

    @property
    def total_mb(self) -> float:
        return self.records * self.record_bytes / 2**20

    def record_dtype(self) -> np.dtype:
        """The record as a numpy structured dtype: how a numpy user reads one."""
        return np.dtype([("label", "<i4"), ("x", "<f4", self.input_shape)])


def write_shards(model: str, folder: Path, seed: int = 0, total_bytes: int | None = None) -> Shards:
    """Write SHARDS files of generated records (probes/specs.py make_data) and flush them to disk."""
    spec = MODELS[model]
    if spec.tokens:
        raise ValueError(f"the scale probe streams float inputs; {model} reads tokens")
    record_bytes = 4 + 4 * int(np.prod(spec.input_shape))
    per_shard = max(1, (total_bytes or STREAM_BYTES[model]) // record_bytes // SHARDS)
    dtype = np.dtype([("label", "<i4"), ("x", "<f4", spec.input_shape)])
    paths = []
    for index in range(SHARDS):
        x, y = make_data(model, per_shard, seed + index)
        records = np.empty(per_shard, dtype=dtype)
        records["label"], records["x"] = y, x
        path = folder / f"{model}-{index:03d}.bin"
        with open(path, "wb") as handle:
            handle.write(records.tobytes())
            handle.flush()
            os.fsync(handle.fileno())
        paths.append(str(path))
    return Shards(tuple(paths), spec.input_shape, per_shard * SHARDS)


def evict(paths: Sequence[str]) -> bool:
    """Drop the files from the page cache (posix_fadvise DONTNEED: no root needed); False where the OS cannot."""
    if not hasattr(os, "posix_fadvise"):
        return False
    for path in paths:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)
    return True


# --- the streamed pipeline


class StreamSession(Protocol):
    """A framework's training fed by its own input pipeline over Shards."""

    batch_size: int
    pipeline: str  # what the pipeline is, in the framework's words
    workers: int  # processes or threads reading besides the training loop (0: the loop reads)

    def first_step(self) -> float:
        """The first training step, the pipeline's start included; seconds."""

    def steps(self, n: int) -> float:
        """n training steps, each on the pipeline's next batch; seconds, the device synchronised."""

    def read(self, n: int) -> float:
        """Take n batches from the pipeline without training; seconds."""

    def close(self) -> None:
        """Stop the pipeline's workers."""


class _Evicting:
    """A StreamSession seen by the speed protocol, with the shards dropped from the page cache before each window."""

    def __init__(self, session: StreamSession, shards: Shards):
        self.session, self.shards = session, shards
        self.batch_size = session.batch_size
        self.evicted = False
        windows = getattr(session, "windows", None)
        if windows is not None:
            self.windows = lambda steps, count: (self._evict(), windows(steps, count))[1]

    def _evict(self) -> None:
        self.evicted = evict(self.shards.paths)

    def steps(self, n: int) -> float:
        self._evict()
        return self.session.steps(n)


def measure_stream(session: StreamSession, shards: Shards, settings: Mapping[str, Any]) -> dict[str, Any]:
    """Time training fed from disk, then the pipeline alone over as many batches; samples and facts."""
    try:
        evict(shards.paths)
        first_step_s = session.first_step()
        evicting = _Evicting(session, shards)
        _, _, steady, step_s = find_steady_state(evicting, settings["window_s"], settings["warmup_steps"])
        window_steps = steps_per_window(step_s, settings["window_s"])
        seconds = run_windows(evicting, window_steps, settings["windows"])
        rate = len(seconds) * window_steps * session.batch_size / sum(seconds)
        evict(shards.paths)
        read_s = session.read(len(seconds) * window_steps)
    finally:
        session.close()
    pipeline_rate = len(seconds) * window_steps * session.batch_size / read_s
    share = rate / pipeline_rate  # the share of a streamed step the pipeline alone would take
    return {
        "samples": {
            "first_step_s": [first_step_s],
            "reached_steady_state": [1.0 if steady else 0.0],
            "stream_samples_per_s": [rate],
            "pipeline_samples_per_s": [pipeline_rate],
            "pipeline_share": [share],
            "window_samples_per_s": [window_steps * session.batch_size / s for s in seconds],
            "peak_rss_mb": [memory.peak_rss_mb()],
        },
        "facts": {
            "batch_size": session.batch_size,
            "steps_per_window": window_steps,
            "windows": len(seconds),
            "pipeline": session.pipeline,
            "workers": session.workers,
            "records": shards.records,
            "shard_mb": round(shards.total_mb, 1),
            "page_cache": "shards dropped from the page cache before each timed window"
            if evicting.evicted
            else "this OS cannot drop files from the page cache: reads may come from memory",
            "bottleneck": "pipeline" if share > PIPELINE_BOUND else "model",
        },
    }


def stream_folder() -> tempfile.TemporaryDirectory:
    """A temporary folder for one case's shards, on the disk temporary files go to."""
    return tempfile.TemporaryDirectory(prefix="advisor-shards-")


# --- data-parallel ranks


def changed_lines(reference: str, distributed: str) -> int:
    """Logical lines of the distributed script that the single-process reference does not have, as a user edits it.

    Lines are compared as written (whitespace collapsed), docstrings and comments left out; the import of
    the reference's own functions is not counted (the user edits the file instead of importing it).
    """
    from collections import Counter

    from probes.kinds.ease import _docstring_rows, _logical_lines

    def lines(source: str) -> list[str]:
        import ast

        rows = source.splitlines()
        spans = _logical_lines(source, _docstring_rows(ast.parse(source)))
        text = [" ".join(" ".join(rows[a - 1 : b]).split()) for a, b in spans]
        return [line for line in text if not line.startswith("from probes.")]

    have = Counter(lines(reference))
    count = 0
    for line in lines(distributed):
        if have[line] > 0:
            have[line] -= 1
        else:
            count += 1
    return count


def free_ports(n: int) -> list[int]:
    """n distinct free TCP ports on 127.0.0.1 (held open together, so they differ)."""
    sockets = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


@runtime_checkable
class RankEntry(Protocol):
    """What a rank process runs: a framework's ScaleProbe (probes/contract.py), or a test's stand-in."""

    def rank_main(self, request: dict[str, Any]) -> dict[str, Any]: ...


@dataclass(frozen=True)
class RankOutcome:
    rank: int
    returncode: int | None  # None: killed at the timeout
    result: dict[str, Any] | None
    output_tail: str


def run_ranks(
    module: str,
    request: Mapping[str, Any],
    world: int,
    rank_env: Callable[[int, int, list[int]], Mapping[str, str | None]],
    timeout_s: float | None = None,
) -> list[RankOutcome]:
    """Start `world` rank processes (`python -m probes.kinds.scale MODULE ...`), wait, kill any left at the timeout.

    `rank_env(rank, world, ports)` is the framework's: the variables its engine reads to find its peers
    (a variable given as None is removed, so that a rank never inherits the user's own cluster settings).
    Each rank calls MODULE's `rank_main(request)` and writes what it returns as JSON.
    """
    ports = free_ports(max(2, world))
    with tempfile.TemporaryDirectory(prefix="advisor-ranks-") as tmp:
        request_path = Path(tmp) / "request.json"
        request_path.write_text(json.dumps({**request, "world": world}))
        processes = []
        for rank in range(world):
            env = {**os.environ, "OMP_NUM_THREADS": "1", "ADVISOR_RANK_STARTED": repr(time.time())}
            for name, value in rank_env(rank, world, ports).items():
                if value is None:
                    env.pop(name, None)  # the rank must not inherit it
                else:
                    env[name] = value
            log = open(Path(tmp) / f"rank{rank}.log", "wb")  # noqa: SIM115 - closed below, after the wait
            command = [sys.executable, "-m", "probes.kinds.scale", module, str(request_path), f"{tmp}/rank{rank}.json"]
            process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
            )
            processes.append((process, log))
        deadline = time.monotonic() + (timeout_s or RANK_TIMEOUT_S)
        outcomes = []
        for rank, (process, log) in enumerate(processes):
            try:
                code: int | None = process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                code = None
            finally:
                _kill(process)
                log.close()
            result_path = Path(tmp) / f"rank{rank}.json"
            result = json.loads(result_path.read_text()) if result_path.exists() else None
            tail = (Path(tmp) / f"rank{rank}.log").read_bytes()[-2000:].decode("utf-8", errors="replace")
            outcomes.append(RankOutcome(rank, code, result, tail))
        return outcomes


def _kill(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, 9)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait(timeout=10)


def rank_failure(outcomes: Sequence[RankOutcome], world: int, timeout_s: float = RANK_TIMEOUT_S) -> str | None:
    """Why a data-parallel run did not work, in one line, or None when every rank reported."""
    world_words = f"{world} process{'es' if world > 1 else ''}"
    for outcome in outcomes:
        if outcome.returncode is None:
            return f"{world_words}: rank {outcome.rank} gave no result within {timeout_s:.0f} s and was killed"
        if outcome.result is not None and "error" in outcome.result:
            return f"{world_words}: rank {outcome.rank} failed: {outcome.result['error'][:300]}"
        if outcome.result is None or outcome.returncode != 0:
            lines = [line for line in outcome.output_tail.strip().splitlines() if line.strip()]
            last = lines[-1][:200] if lines else "no output"
            return f"{world_words}: rank {outcome.rank} exited with code {outcome.returncode}: {last}"
    return None


def measure_shared_case(
    model_name: str, case: str, settings: Mapping[str, Any], variant: dict[str, Any], *, framework: str, engine: str
) -> dict[str, Any] | None:
    """The cases every framework measures alike: a batch size through its own speed session, and its
    engine on 1 and 2 processes (its reference.py against its reference_distributed.py), both found
    through the probe contract. None for a streamed case, which each framework reads its own way."""
    batch = case_batch_size(case)
    if batch is not None:
        speed = speed_probe(framework)
        return speed.measure(model_name, "", {**settings, "batch_size": batch, "infer_repeats": 0}, variant)
    if case != DATA_PARALLEL_CASE:
        return None
    reference = framework_probe(framework).reference_path()
    changed = changed_lines(reference.read_text(), reference.with_name("reference_distributed.py").read_text())
    request = {
        "model": model_name,
        "seed": settings["seed"],
        "batch_size": settings["batch_size"],
        "steps": DATA_PARALLEL_STEPS[model_name],
    }
    ranks = scale_probe(framework)  # a module: each rank process imports it by its name
    return measure_data_parallel(ranks.__name__, request, ranks.rank_env, engine, changed)


def measure_data_parallel(
    module: str,
    request: Mapping[str, Any],
    rank_env: Callable[[int, int, list[int]], Mapping[str, str | None]],
    engine: str,
    changed_lines: int | None,
    timeout_s: float | None = None,
) -> dict[str, Any]:
    """Train with 1 and with 2 rank processes; global samples/s, scaling efficiency, time to the first step.

    A world that fails is a failed result with its reason (a hang killed at the timeout included).
    """
    rates: dict[int, float] = {}
    first_step: dict[int, float] = {}
    facts: dict[str, Any] = {"engine": engine, "changed_lines": changed_lines, "batch_size": request["batch_size"]}
    for world in WORLD_SIZES:
        timeout = timeout_s or RANK_TIMEOUT_S
        outcomes = run_ranks(module, request, world, rank_env, timeout)
        failure = rank_failure(outcomes, world, timeout)
        if failure:
            trained = "; ".join(f"{w} process{'es' if w > 1 else ''}: {r:,.0f} samples/s" for w, r in rates.items())
            reason = failure + (f" ({trained})" if trained else "")
            return {"status": "failed", "reason": reason, "samples": {}, "facts": {**facts, "world_failed": world}}
        results = [o.result or {} for o in outcomes]
        # Each rank trains its own batch a step: the world's rate is all ranks' samples over the slowest rank's time.
        seconds = max(r["timed_s"] for r in results)
        rates[world] = sum(r["samples"] for r in results) / seconds
        first_step[world] = max(r["first_step_at_s"] for r in results)
        facts["steps"] = results[0]["steps"]
    samples = {
        "dp1_samples_per_s": [rates[1]],
        "dp2_samples_per_s": [rates[2]],
        "scaling_efficiency": [rates[2] / (2 * rates[1])],
        "dp_first_step_s": [first_step[2]],
    }
    return {"samples": samples, "facts": {**facts, "world_sizes": list(WORLD_SIZES)}}


def time_rank(step: Callable[[], None], finish: Callable[[], None], warmup: int, steps: int) -> dict[str, float]:
    """A rank's own timing: the first step (from the process's start), warm-up, then `steps` timed steps."""
    step()
    finish()
    first_step_at_s = since_start()
    for _ in range(warmup):
        step()
    finish()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    finish()
    return {"first_step_at_s": first_step_at_s, "timed_s": time.perf_counter() - start}


def since_start() -> float:
    """Seconds since run_ranks started this rank's process: import and the engine's start-up included."""
    return time.time() - float(os.environ.get("ADVISOR_RANK_STARTED", time.time()))


def main(argv: list[str]) -> int:
    """A rank's entry: `python -m probes.kinds.scale MODULE REQUEST.json RESULT.json`."""
    import importlib

    module, request_path, result_path = argv
    request = json.loads(Path(request_path).read_text())
    try:
        entry = importlib.import_module(module)
        if not isinstance(entry, RankEntry):
            raise TypeError(f"expected a module with rank_main(request). Received: {module}")
        result = entry.rank_main(request)
    except Exception as exc:  # noqa: BLE001 - the engine's own error is the finding
        lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
        message = lines[0] + (f" … {lines[-1]}" if len(lines) > 1 else "") if lines else ""
        Path(result_path).write_text(json.dumps({"error": f"{type(exc).__name__}: {message}"}))
        return 1
    Path(result_path).write_text(json.dumps(result, allow_nan=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
