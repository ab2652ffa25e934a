"""The speed probe's protocol, shared by every framework: first step, steady state found, timed windows.

A framework's speed module (probes/<framework>/speed.py) supplies a TrainingSession (how to run
n training steps and one inference in its own idiom, synchronised with the device); this module
decides what to time and how often, so every framework is measured the same way, in each fresh
process the runner starts:

1. the very first training step, alone (tracing and compilation happen here);
2. warm-up until the steady state is found, not assumed: windows of half the timed length until
   two in a row agree within STEADY_TOLERANCE (after `warmup_steps` steps, or as many as fill a
   window where a step is long; at most MAX_WARMUP_WINDOWS windows); how long it took, and whether
   it got there, are recorded;
3. `windows` timed windows of about `window_s` each: this process's steady-state figure is their
   samples over their seconds (what a clock around them would give), and their IQR over their
   median says how stable the process was (a flag, never an interval: windows in one process are
   correlated; intervals come from the spread between processes, probes/stats.py);
4. inference on 1 sample and on a batch, each shape warmed once, then `infer_repeats` timed calls
   (none for a named option such as torch.compile: it is a training switch, and each inference shape
   would be compiled again);
5. the process's peak memory (and the device's, on a GPU) at that point.

The accuracy check (`check_accuracy`) runs the reference script's own `main` on real digits, in a
process of its own after the timed ones, since a speed figure means little if the model behind it
does not learn.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any, Protocol

from probes import folding, memory
from probes.contract import ACCURACY_CASE
from probes.evidence import ProbeResult
from probes.folding import Failure, Filed
from probes.specs import MODELS, train_flops

MAX_STEPS_PER_WINDOW = 2000
CALIBRATION_STEPS = 3
STEADY_TOLERANCE = 0.05  # two consecutive warm-up windows within 5% of each other: steady
MAX_WARMUP_WINDOWS = 12  # ... or give up after this many, and say so


class TrainingSession(Protocol):
    batch_size: int

    def first_step(self) -> float:
        """Run the very first training step (tracing, compilation included); return seconds."""

    def steps(self, n: int) -> float:
        """Run n steady-state training steps; return their seconds, the device synchronised."""

    def infer(self, rows: int) -> float:
        """Run inference on `rows` samples once; return seconds, the device synchronised."""

    def device_peak_mb(self) -> float | None:
        """Peak accelerator memory since the session began, in MB; None on the CPU."""


def timed(
    run: Callable[[], Any], synchronise: Callable[[], Any], clock: Callable[[], float] = time.perf_counter
) -> float:
    """Seconds that `run` takes, with the device synchronised before the clock starts and before it stops.

    Accelerators run asynchronously: without the second synchronisation the clock would stop when
    the work is queued, not when it is done.
    """
    synchronise()
    start = clock()
    run()
    synchronise()
    return clock() - start


def steps_per_window(step_s: float, window_s: float) -> int:
    """How many steps make a window of about `window_s` seconds."""
    if step_s <= 0:
        return MAX_STEPS_PER_WINDOW
    return max(1, min(MAX_STEPS_PER_WINDOW, round(window_s / step_s)))


def run_windows(session: TrainingSession, steps: int, count: int) -> list[float]:
    """`count` timed windows of `steps` steps: the session's own way when it has one (Keras: the epochs
    of one fit() call, as a user's training runs), else one steps() call per window."""
    windows = getattr(session, "windows", None)
    return list(windows(steps, count)) if windows is not None else [session.steps(steps) for _ in range(count)]


def find_steady_state(session: TrainingSession, window_s: float, warmup_steps: int) -> tuple[float, int, bool, float]:
    """Warm up until two consecutive windows agree.

    Returns the seconds it took (as the session timed its steps), the windows run, whether two agreed
    before the cap, and the last window's seconds per step (which sizes the timed windows).
    """
    # One step first, so a model whose step is long (a realistic workload: a few hundred ms) warms up and
    # calibrates for about a window's time, not a fixed count of its steps.
    spent = session.steps(1)
    fit = steps_per_window(spent, window_s)
    if warmup_steps > 1:
        spent += session.steps(min(warmup_steps - 1, fit))
    calibration_steps = min(CALIBRATION_STEPS, fit)
    calibration = session.steps(calibration_steps)
    spent += calibration
    step_s = calibration / calibration_steps
    previous = None
    for run in range(1, MAX_WARMUP_WINDOWS + 1):
        steps = steps_per_window(step_s, window_s / 2)
        elapsed = session.steps(steps)
        spent += elapsed
        step_s = elapsed / steps
        if previous is not None and abs(step_s - previous) <= STEADY_TOLERANCE * max(step_s, previous):
            return spent, run, True, step_s
        previous = step_s
    return spent, MAX_WARMUP_WINDOWS, False, step_s


def measure_training(session: TrainingSession, model: str, settings: Mapping[str, Any]) -> dict[str, Any]:
    """Time one reference model in this process per the settings; raw samples and facts for a ProbeResult."""
    return time_session(session, settings, train_flops(model), settings["infer_repeats"])


def time_session(
    session: TrainingSession, settings: Mapping[str, Any], flops_per_sample: float | None, infer_repeats: int
) -> dict[str, Any]:
    """First step, the steady state found, the timed windows, then `infer_repeats` timed inferences of one row and
    of a batch: the samples and facts of one case (a reference model, or the user's own with its own FLOP count).

    Every per-process metric is one figure (the runner pools the processes); the windows are kept
    apart as `window_samples_per_s`.
    """
    first_step_s = session.first_step()
    warmup_s, _, steady, step_s = find_steady_state(session, settings["window_s"], settings["warmup_steps"])
    window_steps = steps_per_window(step_s, settings["window_s"])
    seconds = run_windows(session, window_steps, settings["windows"])
    throughput = [window_steps * session.batch_size / elapsed for elapsed in seconds]
    steady_rate = len(seconds) * window_steps * session.batch_size / sum(seconds)  # what an outside clock sees
    q1, _, q3 = statistics.quantiles(throughput, n=4, method="inclusive") if len(throughput) > 1 else (0, 0, 0)
    infer_single_ms, infer_batch_ms = [], []
    if infer_repeats > 0:
        session.infer(1)  # warm both shapes before timing (tracing happens on first call)
        session.infer(session.batch_size)
    for _ in range(infer_repeats):
        infer_single_ms.append(session.infer(1) * 1000)
        infer_batch_ms.append(session.infer(session.batch_size) * 1000)
    samples = {
        "first_step_s": [first_step_s],
        "warmup_s": [warmup_s],
        "reached_steady_state": [1.0 if steady else 0.0],
        "train_samples_per_s": [steady_rate],
        "window_samples_per_s": throughput,
        "window_iqr_ratio": [(q3 - q1) / steady_rate if steady_rate > 0 else 0.0],
        "peak_rss_mb": [memory.peak_rss_mb()],
    }
    facts: dict[str, Any] = {
        "steps_per_window": window_steps,
        "windows": len(throughput),
        "batch_size": session.batch_size,
    }
    if flops_per_sample:
        samples["achieved_gflops"] = [steady_rate * flops_per_sample / 1e9]
        facts["train_flops_per_sample"] = flops_per_sample
    if infer_single_ms:
        samples["infer_single_ms"] = [statistics.median(infer_single_ms)]
        samples["infer_batch_ms"] = [statistics.median(infer_batch_ms)]
    device_peak = session.device_peak_mb()
    if device_peak is not None:
        samples["gpu_peak_mb"] = [device_peak]
    return {"samples": samples, "facts": facts}


def clock() -> float:
    return time.perf_counter()


# --- the accuracy check: each reference's own `main` (fresh model, scikit-learn's bundled digits,
# `digits_epochs` epochs from probes/specs.py), once per run, in a process of its own.


# Training memory above the library is clean only for the first model of a process (a later one reuses
# what the first left behind); the runner files those figures as the model's "memory" case, one per process.
MEMORY_CASE = "memory"


def check_accuracy(train_and_evaluate: Callable[..., float], model: str, settings: Mapping[str, Any]) -> dict[str, Any]:
    """Run a reference's `main(name, epochs, batch_size, seed, learning_rate)`: the ProbeResult's samples and facts."""
    spec = MODELS[model]
    start = time.perf_counter()
    accuracy = float(
        train_and_evaluate(
            model, epochs=spec.digits_epochs, batch_size=64, seed=settings["seed"], learning_rate=spec.learning_rate
        )
    )
    return {
        "samples": {"test_accuracy": [accuracy], "accuracy_check_s": [time.perf_counter() - start]},
        "facts": {"digits_epochs": spec.digits_epochs, "learned_accuracy": spec.learned_accuracy},
    }


# --- filing a child's outputs (probes/collector.py): the speed probe's own cases and figures


SHORT_RUN_STEPS = 100  # "training has to finish quickly": a fresh script to this many steps


def fold(case: str, output: Mapping[str, Any] | None, child: Mapping[str, Any], failure: Failure | None) -> list[Filed]:
    """File a speed output: an accuracy check joins its model's timed result (its failure a fact of it, the
    timings standing); the training memory of a process's first model is a case of its own (MEMORY_CASE);
    the process's import time and library footprint join every model's figures."""
    if case == ACCURACY_CASE:
        if output is not None and folding.succeeded(output):
            return [Filed("", output.get("samples") or {}, output.get("facts") or {}, counts_round=False)]
        why = (output or {}).get("reason") or (failure[1] if failure else "the child ended without a result")
        return [Filed("", facts={"accuracy_error": str(why)[:300]}, counts_round=False)]
    if output is None or not folding.succeeded(output):
        return folding.fold(case, output, child, failure)
    samples = dict(output.get("samples") or {})
    facts = output.get("facts") or {}
    grown = samples.pop("train_memory_mb", None)  # present only where this model ran first in its process
    if child.get("import_s") is not None:
        samples.update(short_run(samples, facts, child["import_s"]))
        samples["import_s"] = [child["import_s"]]
    if child.get("baseline_rss_mb") is not None:
        samples["baseline_rss_mb"] = [child["baseline_rss_mb"]]
    filed = [Filed(case, samples, facts)]
    return filed + ([Filed(MEMORY_CASE, {"train_memory_mb": grown})] if grown is not None else [])


def short_run(samples: Mapping[str, Sequence[float]], facts: Mapping[str, Any], import_s: float) -> dict:
    """What a short run costs in this process: import, build, the first step, then steady steps to 100."""
    rate, batch = samples.get("train_samples_per_s"), facts.get("batch_size")
    if not rate or not batch or not samples.get("build_s") or not samples.get("first_step_s") or rate[0] <= 0:
        return {}
    steps_s = (SHORT_RUN_STEPS - 1) * batch / rate[0]
    return {"short_run_s": [import_s + samples["build_s"][0] + samples["first_step_s"][0] + steps_s]}


def finish(result: ProbeResult, environment: Mapping[str, Any]) -> ProbeResult:
    """A measured result with its share of the run's matmul peak (probes/peak.py)."""
    return with_utilisation(result, environment.get("matmul_peak") or {}) if result.ok else result


def with_utilisation(result: ProbeResult, peak: Mapping[str, Any]) -> ProbeResult:
    """Add each window's share of the matmul peak, when the probe ran on the device the peak was measured on."""
    gflops = result.samples.get("achieved_gflops")
    peak_gflops = peak.get("gflops")
    on_gpu = result.facts.device in ("cuda", "gpu")
    if not gflops or not peak_gflops or on_gpu != (peak.get("device") == "cuda"):
        return result
    if (result.facts.precision or "").startswith("mixed"):
        return result  # 16-bit math against a float32 yardstick would pass 100%: no utilisation for it
    samples = {**result.samples, "utilisation": [g / peak_gflops for g in gflops]}
    return replace(result, samples=samples)


FILING = folding.Filing(fold, (MEMORY_CASE,), finish)
