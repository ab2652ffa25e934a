"""How long a run will take on this machine, from its schedule and the machine's measured matmul peak.

A budget's time is mostly two things: fixed costs that do not scale with the machine's arithmetic
(starting a child and importing its framework, a first step's tracing, the windows the speed probe
times for a set length) and training arithmetic (the realistic workloads' steps and the accuracy
checks), which scales with the peak. So the estimate adds, child by child, what its schedule asks
for: the windows' seconds as the budget sets them, and each model's steps at the share of the
peak its regime reaches (probes/peak.py). Shown before a run and as the progress bar's first
estimate; the bar then follows the run's own pace.

The constants are what the 2-core VMs of this project showed (evidence `wall_s`, each child's
`import_s` and `first_step_s`); benchmarks/suite_wall_time.py checks the estimate against a run.
"""

from __future__ import annotations

from collections.abc import Iterable

from probes.budgets import Budget
from probes.schedule import Job, Schedule
from probes.specs import MODELS, train_flops
from probes.variants import VARIANTS

REFERENCE_PEAK_GFLOPS = 130.0  # a 2-core AMD EPYC VM's numpy matmul peak: the budgets' yardstick
START_S = {"pytorch": 2.5, "keras": 4.5, "tensorflow": 4.0}  # a child's start and its framework's import
FIRST_STEP_S = 1.0  # tracing or compiling the first step, beyond its arithmetic
# The share of the peak a step reaches: overhead probes spend their steps in the framework, the
# realistic workloads mostly in the vendor kernels (probes/peak.py's regimes).
STEP_PEAK_SHARE = {False: 0.03, True: 0.3}
MIN_STEP_S = 0.002  # dispatch: no step is quicker, however small its model
STEADY_WINDOWS = 3  # warm-up windows of half the timed length, until two agree: usually two or three
ACCURACY_SAMPLES = 1347  # the digits' training split (probes/specs.py digits_split)
UNTIMED_S = {"ease": 1.0, "debugging": 5.0, "export": 12.0, "scale": 60.0}  # a child of each kind, fixed


def step_s(model: str, batch_size: int, peak_gflops: float) -> float:
    """One training step's seconds at the share of the peak its regime reaches."""
    share = STEP_PEAK_SHARE[MODELS[model].realistic]
    return max(MIN_STEP_S, batch_size * train_flops(model) / (peak_gflops * 1e9 * share))


def model_s(model: str, budget: Budget, peak_gflops: float) -> float:
    """One model in one speed process: first step, warm-up, the steady-state search, the timed windows
    (each at least one step long) and inference."""
    step = step_s(model, budget.batch_size, peak_gflops)
    fit = max(1, round(budget.window_s / step))  # as probes/kinds/speed.py find_steady_state sizes them
    warmup = 1 + min(budget.warmup_steps - 1, fit) + min(3, fit)
    searching = STEADY_WINDOWS * max(budget.window_s / 2, step)
    timed = budget.windows * max(budget.window_s, step)
    inference = 2 * budget.infer_repeats * step / 3  # a batch's forward pass is about a third of a step
    return FIRST_STEP_S + step + warmup * step + searching + timed + inference


def accuracy_s(model: str, peak_gflops: float) -> float:
    """The accuracy check: the reference script's epochs over the digits at batch 64."""
    spec = MODELS[model]
    return spec.digits_epochs * ACCURACY_SAMPLES / 64 * step_s(model, 64, peak_gflops)


def child_s(
    framework: str, kind: str, models: Iterable[str], budget: Budget, peak: float, accuracy: bool
) -> tuple[float, float]:
    """One child's (fixed, arithmetic) seconds: its start, then what its kind does with its models."""
    start = START_S.get(framework, 4.0)
    if accuracy:
        return start, sum(accuracy_s(m, peak) for m in models)
    if kind == "speed":
        return start, sum(model_s(m, budget, peak) for m in models)
    return start + UNTIMED_S.get(kind, 5.0), 0.0


def estimate_s(
    order: Schedule, budget: Budget, peak_gflops: float | None, interpreter_ms: float | None = None
) -> float:
    """Seconds for a run of this schedule: the timed children one after another, then the untimed ones
    `order.workers` at a time (side by side, their fixed costs overlap; their arithmetic shares the cores).
    The fixed costs scale with the machine's interpreter speed (probes/peak.py interpreter_ms) against the
    VM the constants come from; the arithmetic with its matmul peak."""
    peak = peak_gflops or REFERENCE_PEAK_GFLOPS
    slower = (interpreter_ms / REFERENCE_INTERPRETER_MS) if interpreter_ms else 1.0

    def cost(job: Job) -> tuple[float, float]:
        models = tuple(dict.fromkeys(model for model, _ in job.cases))
        fixed, work = child_s(VARIANTS[job.variant].framework, job.kind, models, budget, peak, job.accuracy)
        return fixed * slower, work

    timed = sum(sum(cost(job)) for job in order.rounds)
    after = [cost(job) for job in order.after]
    return timed + sum(fixed for fixed, _ in after) / max(1, order.workers) + sum(work for _, work in after)
