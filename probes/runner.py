"""Run probes in child processes, in interleaved rounds, and gather what they measured as Evidence.

Speed runs in rounds, as pyperf runs benchmarks: each round starts a fresh process per variant
(ABBA order: A B, then B A, so drift hits every variant alike), which measures every model once
(the models' order rotates from round to round), so each model gets one steady-state figure per
process and intervals come from the spread between processes. A named option (torch.compile,
XLA) runs in the first `option_processes` rounds only. The accuracy check runs afterwards, in a
process of its own per variant, never between timed models; then every other probe kind, once.
A child that is not installed, fails at import, crashes, hangs past its timeout or is killed is
recorded with its reason, and the run goes on with the others. CPU time other processes took is
recorded per child and for the whole run (probes/load.py).
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
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import Any

from probes.budgets import Budget
from probes.contract import framework_probe
from probes.environment import collect_environment
from probes.evidence import Evidence, ProbeResult
from probes.facts import facts_class
from probes.kinds.speed import ACCURACY_CASE, MEMORY_CASE
from probes.load import competition, snapshot
from probes.peak import measure_peak
from probes.variants import VARIANTS, Variant, missing_requirement

OUTPUT_TAIL_BYTES = 16 * 1024
# Kinds whose figures are timings compared between frameworks: each runs in interleaved rounds of fresh
# processes, one figure per process; scale's rounds (budget.scale_processes) follow speed's.
TIMED_KINDS = ("speed", "scale")
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


@dataclass(frozen=True)
class ProbePlan:
    """What a run measures: which variants and models, how long, with how many threads."""

    budget: Budget
    variants: tuple[str, ...]
    models: tuple[str, ...]
    kinds: tuple[str, ...]
    threads: int
    device: str = "auto"  # auto: a GPU when one is found; cpu: never
    seed: int = 0

    def settings(self) -> dict[str, Any]:
        b = self.budget
        return {
            "budget": b.name,
            "variants": list(self.variants),
            "models": list(self.models),
            "kinds": list(self.kinds),
            "processes": b.processes,
            "option_processes": b.option_processes or b.processes,
            "scale_processes": b.scale_processes if "scale" in self.kinds else 0,
            "order": "ABBA: the variant order reverses every other round, each round a fresh process per variant;"
            " the models' order rotates from round to round",
            "statistics": "one steady-state figure per process (the median of its windows); 95% intervals from"
            " the spread between processes: a t-interval on per-round log ratios",
            "windows": b.windows,
            "window_s": b.window_s,
            "warmup_steps": b.warmup_steps,
            "batch_size": b.batch_size,
            "infer_repeats": b.infer_repeats,
            "threads": self.threads,
            "device": self.device,
            "seed": self.seed,
            "child_timeout_s": b.child_timeout_s,
            "parallel_children": b.parallel_children,  # after the timed rounds; their durations are not compared
            "accuracy_check": b.accuracy_check,
            "data": "generated: standard-normal inputs, labels from a fixed random linear teacher (probes/specs.py)",
            "precision": "float32 weights and data; on a GPU each speed result's facts say whether its matmuls"
            " and convolutions ran in TF32 (the frameworks' defaults differ)",
        }


# More threads than this per logical CPU only makes OpenMP spin (and a typo of 100000 would start as many).
MAX_THREADS_PER_CPU = 4


def make_plan(
    budget: Budget,
    variants: Sequence[str] | None = None,
    models: Sequence[str] | None = None,
    threads: int | None = None,
    device: str = "auto",
) -> ProbePlan:
    chosen = (
        tuple(dict.fromkeys(variants))  # a variant named twice is measured once
        if variants
        else (budget.variants or tuple(v for v in VARIANTS if not VARIANTS[v].on_request))
    )
    unknown = [v for v in chosen if v not in VARIANTS]
    if unknown:
        raise ValueError(f"option --variant must be one of {', '.join(VARIANTS)}. Received: {unknown[0]!r}")
    most = MAX_THREADS_PER_CPU * (os.cpu_count() or 1)
    if threads is not None and threads > most:
        raise ValueError(
            f"option --threads must be at most {most} ({MAX_THREADS_PER_CPU} per logical CPU of this machine). "
            f"Received: {threads}"
        )
    if threads is None:
        threads = default_threads()
    return ProbePlan(budget, chosen, tuple(dict.fromkeys(models or budget.models)), budget.kinds, threads, device)


def default_threads() -> int:
    """Every framework gets the same thread count: the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


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


@dataclass
class ProgressEvent:
    event: str  # "plan" (once, first: `total` children to come) | "start" | "finish" | "skip"
    variant: str
    round: int
    rounds: int
    detail: str = ""
    kind: str = "speed"  # the probe kind the child measures
    models: tuple[str, ...] = ()  # the reference models the child measures ("start")
    total: int = 0  # "plan": how many children the run will start


class ProbesInterrupted(Exception):
    """Raised on Ctrl-C or SIGTERM during the probes; carries what was measured so far."""

    def __init__(self, evidence: Evidence, interrupt: BaseException):
        super().__init__("probes interrupted")
        self.evidence = evidence
        self.interrupt = interrupt  # the KeyboardInterrupt (or subclass, for SIGTERM) that stopped it


Key = tuple[str, str, str, str]  # (variant, kind, model, case)


@dataclass
class _Collected:
    """Per (variant, model): the rounds' outputs, merged into one ProbeResult at the end."""

    samples: dict[str, list[float]] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)
    failures: list[tuple[str, str]] = field(default_factory=list)
    ok_rounds: int = 0
    process_rounds: list[int] = field(default_factory=list)  # the round of each per-process speed figure

    def add_samples(self, samples: Mapping[str, Sequence[float]]) -> None:
        for metric, values in samples.items():
            self.samples.setdefault(metric, []).extend(float(v) for v in values)


def matmul_peak(plan: ProbePlan, environment: Mapping[str, Any]) -> dict[str, Any]:
    """The machine's fp32 matmul peak, in a child with the run's threads; on the GPU the probes use."""
    env = dict(os.environ)
    env.update(QUIET_ENV)
    env.update({"OMP_NUM_THREADS": str(plan.threads), "OPENBLAS_NUM_THREADS": str(plan.threads)})
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    on_gpu = plan.device != "cpu" and environment.get("gpus") and missing_requirement(VARIANTS["torch"]) is None
    return measure_peak(env, "cuda" if on_gpu else "cpu")


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


def worker_command() -> list[str]:
    return [sys.executable, "-m", "probes.worker"]


def child_env(variant: Variant, plan: ProbePlan, threads: int | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(QUIET_ENV)
    env.update(DEVICE_MEMORY_ENV)
    env.update(variant.env)
    env["OMP_NUM_THREADS"] = str(threads or plan.threads)
    if plan.device == "cpu":
        env["CUDA_VISIBLE_DEVICES"] = ""
    # The worker must import this very copy of probes/, installed or not.
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


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
        tail = _TailReader(process.stdout)
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
        wall_s = time.perf_counter() - start
        payload = None
        if result_path.exists():
            try:
                payload = json.loads(result_path.read_text())
            except (json.JSONDecodeError, OSError, UnicodeDecodeError):
                payload = None
        outcome = ChildOutcome(
            returncode=None if timed_out else process.returncode,
            timed_out=timed_out,
            wall_s=timeout_s if timed_out else wall_s,
            payload=payload if isinstance(payload, dict) else None,
            output_tail=tail.text(),
            interrupted=interrupt is not None or _CANCELLED.is_set(),
        )
        if interrupt is not None:
            raise ChildInterrupted(outcome, interrupt)
        return outcome


# Children running in worker threads (the probes after the timed rounds) cannot see Ctrl-C: the main
# thread sets _CANCELLED and kills every live child's process group, and their outcomes read as interrupted.
_LIVE: set[subprocess.Popen] = set()
_LIVE_LOCK = threading.Lock()
_CANCELLED = threading.Event()


LONGEST_FIRST = ("export", "accuracy", "debugging", "ease")  # the untimed children, by their usual length


def _longest_first(job: tuple[str, str, bool]) -> int:
    """Where an untimed child (variant, kind, accuracy check?) goes in LONGEST_FIRST; unknown kinds last."""
    name = "accuracy" if job[2] else job[1]
    return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)


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


class ChildInterrupted(Exception):
    """A child stopped by Ctrl-C or SIGTERM; carries what it wrote before, to keep."""

    def __init__(self, outcome: ChildOutcome, interrupt: KeyboardInterrupt):
        super().__init__("child interrupted")
        self.outcome = outcome
        self.interrupt = interrupt


def expected_cases(variant: Variant, kind: str, models: Sequence[str]) -> list[tuple[str, str]]:
    """The (model, case) pairs a variant's probe of `kind` measures; imports no framework."""
    return framework_probe(variant.framework).cases(kind, models, variant)


def implements(variant: Variant, kind: str) -> bool:
    """Whether the variant's framework folder has a probe of this kind."""
    return kind in framework_probe(variant.framework).kinds


def run_probes(
    plan: ProbePlan,
    progress: Callable[[ProgressEvent], None] | None = None,
    command: Sequence[str] | None = None,
    checkpoint: Callable[[Evidence], None] | None = None,
) -> Evidence:
    """Measure every variant of the plan and return the Evidence; never raises for a probe's fault.

    Speed runs in `rounds` interleaved rounds; every other kind runs once per variant afterwards,
    each (variant, kind) in a child of its own so that one kind's crash spares the others.
    `checkpoint` gets the evidence so far (marked incomplete) after every child, so that a caller
    can save each probe as it lands; an exception it raises (a full disk) stops the run.
    """
    started = time.perf_counter()
    created_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    environment = collect_environment()
    notify = progress or (lambda event: None)
    collected: dict[Key, _Collected] = {}
    expected: dict[tuple[str, str], list[tuple[str, str]]] = {}
    children: dict[str, list[dict[str, Any]]] = {}
    skipped: dict[tuple[str, str], tuple[str, str]] = {}  # (variant, kind) -> (status, reason)
    runnable = []
    for variant_id in plan.variants:
        variant = VARIANTS[variant_id]
        reason = missing_requirement(variant)
        for kind in plan.kinds:
            if variant.kinds is not None and kind not in variant.kinds:
                continue  # a named option (torch.compile, say) measures only what it changes
            if not implements(variant, kind):
                no_probe = ("skipped", f"no {kind} probe for {variant.label} yet")
                skipped[(variant_id, kind)] = ("not_installed", reason) if reason else no_probe
                continue
            models = plan.models
            if variant.option_of and plan.budget.option_models:
                models = tuple(m for m in plan.models if m in plan.budget.option_models)
            try:
                expected[(variant_id, kind)] = expected_cases(variant, kind, models)
            except Exception as exc:  # noqa: BLE001 - a broken probe module is a finding, not a crash
                skipped[(variant_id, kind)] = ("failed", f"probe module unusable: {type(exc).__name__}: {exc}")
                continue
            if reason:
                skipped[(variant_id, kind)] = ("not_installed", reason)
        if reason:
            notify(ProgressEvent("skip", variant_id, 0, plan.budget.processes, reason))
        else:
            runnable.append(variant_id)

    peak = matmul_peak(plan, environment) if "speed" in plan.kinds and runnable else {}
    if peak:
        environment["matmul_peak"] = peak

    def evidence(complete: bool) -> Evidence:
        assembled = _assemble(
            plan,
            environment,
            created_at,
            collected,
            expected,
            children,
            skipped,
            complete,
            time.perf_counter() - started,
        )
        results = tuple(with_utilisation(r, peak) if r.kind == "speed" and r.ok else r for r in assembled.results)
        return replace(assembled, results=results)

    lock = threading.Lock()  # the probes after the timed rounds run in threads: one writer at a time

    def run_one(
        variant_id: str,
        kind: str,
        round_index: int,
        rounds: int,
        accuracy: bool = False,
        timed: bool = True,
        threads: int | None = None,
    ) -> None:
        """One child; `timed` False for one that runs beside another, which then gets `threads` of the cores."""
        if (variant_id, kind) not in expected or (variant_id, kind) in skipped:
            return
        variant = VARIANTS[variant_id]
        cases = expected[(variant_id, kind)]
        if kind in TIMED_KINDS:
            shift = round_index % len(cases) if cases else 0
            cases = [(m, ACCURACY_CASE) for m, _ in cases] if accuracy else cases[shift:] + cases[:shift]
        shown = "accuracy" if accuracy else kind  # what the progress line says this child measures
        with lock:
            models = tuple(dict.fromkeys(m for m, _ in cases))
            notify(ProgressEvent("start", variant_id, round_index + 1, rounds, kind=shown, models=models))
        request = {
            "variant": variant_id,
            "variant_info": variant.request(),
            "kind": kind,
            "cases": cases,
            "settings": {
                **plan.settings(),
                "round": round_index,
                "threads": threads or plan.threads,
                **(
                    {"infer_repeats": 0} if variant.option_of else {}
                ),  # a training switch: its inference is the default's
            },
        }
        before = snapshot()
        try:
            outcome = run_child(
                command or worker_command(), request, child_env(variant, plan, threads), plan.budget.child_timeout_s
            )
        except ChildInterrupted as stopped:
            with lock:
                _absorb(variant_id, kind, cases, stopped.outcome, collected, children, round_index)
            raise stopped.interrupt from None
        with lock:
            detail = _absorb(variant_id, kind, cases, outcome, collected, children, round_index)
            if timed:  # children side by side would count each other as competition
                children[variant_id][-1]["competition"] = competition(before, snapshot(), os.cpu_count() or 1)
            notify(ProgressEvent("finish", variant_id, round_index + 1, rounds, detail, kind=shown))
            if checkpoint is not None:
                checkpoint(evidence(complete=False))

    budget = plan.budget
    timed_rounds: list[tuple[str, str, int, int]] = []  # (variant, kind, round, rounds): one timed child each, in order
    for kind in (k for k in TIMED_KINDS if k in plan.kinds):
        rounds = budget.processes if kind == "speed" else budget.scale_processes
        for round_index in range(rounds):
            order = runnable if round_index % 2 == 0 else list(reversed(runnable))
            for variant_id in order:
                if VARIANTS[variant_id].option_of and round_index >= (budget.option_processes or budget.processes):
                    continue
                timed_rounds.append((variant_id, kind, round_index, rounds))
    later: list[tuple[str, str, bool]] = []  # (variant, kind, accuracy): no timings compared, may overlap
    if "speed" in plan.kinds and budget.accuracy_check:
        # An option runs the same reference (its accuracy is its framework's), unless it changes the numerics.
        later += [(v, "speed", True) for v in runnable if VARIANTS[v].candidate or VARIANTS[v].own_accuracy_check]
    later += [(v, kind, False) for kind in plan.kinds if kind not in TIMED_KINDS for v in runnable]
    # Longest first, so that two at a time end together: an export child takes 12-22 s on two cores, an
    # accuracy check 7-16 s, debugging 3-6 s, ease 0.2 s (standard budget, 2026-12-01). Exports last
    # left one of them running alone at the end: this phase took 78 s then, 73 and 75 s longest first.
    later.sort(key=_longest_first)
    will_run = [(v, k) for v, k, _, _ in timed_rounds] + [(v, k) for v, k, _ in later]
    total = sum(1 for key in will_run if key in expected and key not in skipped)
    notify(ProgressEvent("plan", "", 0, budget.processes, total=total))

    run_start = snapshot()
    try:
        for variant_id, kind, round_index, rounds in timed_rounds:
            run_one(variant_id, kind, round_index, rounds)
        # Side by side, each child gets its share of the cores: more threads than cores makes OpenMP spin
        # (an accuracy check then took 87 s instead of 12 on two cores).
        workers = min(budget.parallel_children, plan.threads)
        share = max(1, plan.threads // workers)
        jobs = [partial(run_one, v, k, 0, 1, accuracy=a, timed=workers <= 1, threads=share) for v, k, a in later]
        run_jobs(jobs, workers)
    except KeyboardInterrupt as interrupt:
        environment["competition"] = competition(run_start, snapshot(), os.cpu_count() or 1)
        raise ProbesInterrupted(evidence(complete=False), interrupt) from None
    environment["competition"] = competition(run_start, snapshot(), os.cpu_count() or 1)
    return evidence(complete=True)


def _absorb(
    variant_id: str,
    kind: str,
    cases: Sequence[tuple[str, str]],
    outcome: ChildOutcome,
    collected: dict[Key, _Collected],
    children: dict[str, list[dict[str, Any]]],
    round_index: int = 0,
) -> str:
    """Fold one child's outcome into the per-case collections; return a one-line summary.

    An accuracy case is filed with its model's speed result: its figures join that result's, it
    counts no round, and its failure is a fact of the result (the timings stand).
    """
    payload = outcome.payload or {}
    children.setdefault(variant_id, []).append(
        {
            "kind": kind,
            "returncode": outcome.returncode,
            "timed_out": outcome.timed_out,
            "wall_s": round(outcome.wall_s, 3),
            "versions": payload.get("versions"),
            "threads": payload.get("threads"),
            "device": payload.get("device"),
            "output_tail": outcome.output_tail[-2000:],
        }
    )
    failure = outcome.failure()
    if "import_error" in payload:
        failure = ("failed", f"import failed: {payload['import_error']}")
    outputs = {(str(r.get("model")), str(r.get("case") or "")): r for r in payload.get("results") or []}
    done = 0
    for model, case in cases:
        output = outputs.get((model, case))
        if case == ACCURACY_CASE:
            entry = collected.setdefault((variant_id, kind, model, ""), _Collected())
            if output and output.get("status") == "ok":
                done += 1
                entry.add_samples(output.get("samples") or {})
                entry.facts.update(output.get("facts") or {})
            else:
                why = (output or {}).get("reason") or (failure[1] if failure else "the child ended without a result")
                entry.facts["accuracy_error"] = str(why)[:300]
            continue
        entry = collected.setdefault((variant_id, kind, model, case), _Collected())
        if output and output.get("status") == "ok":
            done += 1
            entry.ok_rounds += 1
            samples = dict(output.get("samples") or {})
            if kind != "speed":
                samples.pop("train_memory_mb", None)  # a scale case reuses the speed session: its memory is speed's
            if kind == "speed" and "train_memory_mb" in samples:  # this model ran first in its process
                grown = collected.setdefault((variant_id, kind, model, MEMORY_CASE), _Collected())
                grown.ok_rounds += 1
                grown.add_samples({"train_memory_mb": samples.pop("train_memory_mb")})
                grown.process_rounds.append(round_index)
            if kind == "speed" and payload.get("import_s") is not None:
                samples.update(_short_run(samples, output.get("facts") or {}, payload["import_s"]))
            entry.add_samples(samples)
            if kind in TIMED_KINDS:
                entry.process_rounds.append(round_index)
            if kind == "speed":
                if payload.get("import_s") is not None:
                    entry.add_samples({"import_s": [payload["import_s"]]})
                if payload.get("baseline_rss_mb") is not None:
                    entry.add_samples({"baseline_rss_mb": [payload["baseline_rss_mb"]]})
            entry.facts.update(output.get("facts") or {})
        elif output:
            status = output.get("status") if output.get("status") in ("failed", "not_installed") else "failed"
            entry.failures.append((status, output.get("reason") or "failed without a reason"))
            entry.facts.update(output.get("facts") or {})
        else:
            entry.failures.append(failure or ("crashed", "the child ended without a result for this case"))
    if failure:
        return f"{failure[0]}: {failure[1]}"
    return f"{done}/{len(cases)} {'models' if kind == 'speed' else kind + ' cases'} in {outcome.wall_s:.1f} s"


def _assemble(
    plan: ProbePlan,
    environment: dict[str, Any],
    created_at: str,
    collected: dict[Key, _Collected],
    expected: dict[tuple[str, str], list[tuple[str, str]]],
    children: dict[str, list[dict[str, Any]]],
    skipped: dict[tuple[str, str], tuple[str, str]],
    complete: bool,
    wall_s: float,
) -> Evidence:
    results = []
    for variant_id in plan.variants:
        for kind in plan.kinds:
            if (variant_id, kind) in skipped and (variant_id, kind) not in expected:
                status, reason = skipped[(variant_id, kind)]
                for model in plan.models:
                    results.append(ProbeResult(variant_id, model, kind, status, reason))
                continue
            for model, case in expected.get((variant_id, kind), []):
                if (variant_id, kind) in skipped:
                    status, reason = skipped[(variant_id, kind)]
                    results.append(ProbeResult(variant_id, model, kind, status, reason, case=case))
                    continue
                entry = collected.get((variant_id, kind, model, case))
                if entry is None:
                    results.append(
                        ProbeResult(
                            variant_id,
                            model,
                            kind,
                            "interrupted",
                            "the run was interrupted before this probe ran",
                            case=case,
                        )
                    )
                    continue
                results.append(_merged(variant_id, model, kind, case, entry))
                grown = collected.get((variant_id, kind, model, MEMORY_CASE)) if kind == "speed" else None
                if grown is not None:
                    results.append(_merged(variant_id, model, kind, MEMORY_CASE, grown))
    environment = {**environment, "probe_children": children}
    notes = () if complete else ("The run was interrupted; results marked 'interrupted' were not measured.",)
    return Evidence(created_at, environment, plan.settings(), tuple(results), complete, round(wall_s, 3), notes)


SHORT_RUN_STEPS = 100  # "training has to finish quickly": a fresh script to this many steps


def _short_run(samples: Mapping[str, Sequence[float]], facts: Mapping[str, Any], import_s: float) -> dict:
    """What a short run costs in this process: import, build, the first step, then steady steps to 100."""
    rate, batch = samples.get("train_samples_per_s"), facts.get("batch_size")
    if not rate or not batch or not samples.get("build_s") or not samples.get("first_step_s") or rate[0] <= 0:
        return {}
    steps_s = (SHORT_RUN_STEPS - 1) * batch / rate[0]
    return {"short_run_s": [import_s + samples["build_s"][0] + samples["first_step_s"][0] + steps_s]}


def _merged(variant_id: str, model: str, kind: str, case: str, entry: _Collected) -> ProbeResult:
    """One result from every round's output; a fact the kind does not know makes it a failure, not a crash."""
    # Failed rounds beside good ones are listed; when no round was good, the first failure is the reason.
    failed = tuple(f"{status}: {reason}" for status, reason in entry.failures) if entry.ok_rounds else ()
    status, reason = ("ok", None) if entry.ok_rounds else entry.failures[0]
    samples = entry.samples if entry.ok_rounds else {}
    try:
        facts = facts_class(kind).from_json(entry.facts)
    except ValueError as exc:  # a probe bug: its facts are not in probes/facts.py
        return ProbeResult(variant_id, model, kind, "failed", f"the probe recorded {exc}", case=case)
    rounds = tuple(entry.process_rounds) if entry.ok_rounds else ()
    return ProbeResult(variant_id, model, kind, status, reason, samples, facts, case, entry.ok_rounds, failed, rounds)


class _TailReader:
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
