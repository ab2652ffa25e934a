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
from probes.contract import FRAMEWORK_FREE_KINDS
from probes.schedule import Job, Schedule
from probes.specs import MODELS, train_flops
from probes.variants import VARIANTS

REFERENCE_PEAK_GFLOPS = 130.0  # a 2-core AMD EPYC VM's numpy matmul peak: the budgets' yardstick
# The VM the fixed costs below come from: a 2-core AMD EPYC whose numpy matmul peak measured 229-258 GFLOP/s
# and probes/peak.py interpreter_ms 7.0-7.7 ms (five peak children, 2026-12-07).
MEASURED_ON = {"gflops": 250.0, "interpreter_ms": 7.1}
REFERENCE_INTERPRETER_MS = MEASURED_ON["interpreter_ms"]
# How much longer the budgets take on the slower 2-core VM (matmul peak 132 GFLOP/s): the same code (commit
# bbe7102) measured quick in 91-103 s and standard in 584 s there (issue 25), 57-59 s and 345 s on the VM
# above, 1.55-1.81 times as long. Not the peak's ratio (1.9): start-up and tracing are single-core work.
SLOWER_VM_FACTOR = 1.66
# A child's start and its framework's import (evidence import_s: PyTorch 0.8 s, Keras 3.2, TensorFlow 3.0,
# and half a second to start Python and the worker), and tracing a model's first step beyond its arithmetic
# (first_step_s: PyTorch's eager step none, Keras's traced fit() 0.4-2 s, TensorFlow's tf.function 0.3-1.4).
START_S = {"pytorch": 1.3, "keras": 3.7, "tensorflow": 3.5}
FIRST_STEP_S = {"pytorch": 0.3, "keras": 1.5, "tensorflow": 1.0}
# The share of the peak a step reaches: overhead probes spend their steps in the framework, the
# realistic workloads mostly in the vendor kernels (probes/peak.py's regimes).
STEP_PEAK_SHARE = {False: 0.03, True: 0.3}
MIN_STEP_S = 0.002  # dispatch: no step is quicker, however small its model
STEADY_WINDOWS = 3  # warm-up windows of half the timed length, until two agree: usually two or three
ACCURACY_SAMPLES = 1347  # the digits' training split (probes/specs.py digits_split)
# A child of each kind beyond its start, fixed (standard's children on the reference VM: debugging 2-4 s beyond
# the import, export 8-20 s without its extras; ease imports no framework; the accuracy check loads the digits
# and runs the reference's script, about 2.5 s beyond its steps).
UNTIMED_S = {"ease": 0.2, "debugging": 3.5, "export": 14.0, "scale": 60.0}
ACCURACY_FIXED_S = 2.5


def step_s(model: str, batch_size: int, peak_gflops: float) -> float:
    """One training step's seconds at the share of the peak its regime reaches."""
    share = STEP_PEAK_SHARE[MODELS[model].realistic]
    return max(MIN_STEP_S, batch_size * train_flops(model) / (peak_gflops * 1e9 * share))


def model_s(model: str, budget: Budget, peak_gflops: float, framework: str = "keras") -> float:
    """One model in one speed process: first step, warm-up, the steady-state search, the timed windows
    (each at least one step long) and inference."""
    step = step_s(model, budget.batch_size, peak_gflops)
    fit = max(1, round(budget.window_s / step))  # as probes/kinds/speed.py find_steady_state sizes them
    warmup = 1 + min(budget.warmup_steps - 1, fit) + min(3, fit)
    searching = STEADY_WINDOWS * max(budget.window_s / 2, step)
    timed = budget.windows * max(budget.window_s, step)
    inference = 2 * budget.infer_repeats * step / 3  # a batch's forward pass is about a third of a step
    return FIRST_STEP_S.get(framework, 1.0) + step + warmup * step + searching + timed + inference


def accuracy_s(model: str, peak_gflops: float) -> float:
    """The accuracy check: the reference script's epochs over the digits at batch 64."""
    spec = MODELS[model]
    return spec.digits_epochs * ACCURACY_SAMPLES / 64 * step_s(model, 64, peak_gflops)


def child_s(
    framework: str, kind: str, models: Iterable[str], budget: Budget, peak: float, accuracy: bool
) -> tuple[float, float]:
    """One child's (fixed, arithmetic) seconds: its start, then what its kind does with its models."""
    start = 0.3 if kind in FRAMEWORK_FREE_KINDS else START_S.get(framework, 4.0)  # Python alone, or a framework
    if accuracy:
        return start + ACCURACY_FIXED_S, sum(accuracy_s(m, peak) for m in models)
    if kind == "speed":
        return start, sum(model_s(m, budget, peak, framework) for m in models)
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


def on_slower_vm_s(order: Schedule, budget: Budget) -> float:
    """The estimate on the VM the constants come from, times SLOWER_VM_FACTOR: what a budget takes on the
    slower 2-core VM, the time the questionnaire promises (probes/budgets.py typical_s)."""
    return SLOWER_VM_FACTOR * estimate_s(order, budget, MEASURED_ON["gflops"], MEASURED_ON["interpreter_ms"])
