"""Time budgets: how many processes and windows, and which variants, models and probe kinds a run measures."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Budget:
    name: str
    description: str
    variants: tuple[str, ...] | None  # None: every installed variant
    models: tuple[str, ...]
    kinds: tuple[str, ...]  # probe kinds: "speed" in interleaved processes; the others once, afterwards
    processes: int  # fresh speed processes per variant, interleaved; each gives every model one figure
    windows: int  # timed windows per model per process (their samples over their seconds: the process's figure)
    window_s: float  # target length of one timed window
    warmup_steps: int  # at least this many steps before looking for the steady state
    batch_size: int
    infer_repeats: int
    child_timeout_s: float
    accuracy_check: bool = True  # train each reference on digits once per run, in a process of its own
    option_processes: int | None = None  # processes for a named option (torch.compile, XLA); None: `processes`
    option_models: tuple[str, ...] | None = None  # the models a named option measures; None: `models`
    parallel_children: int = 1  # probes after the timed rounds (accuracy, ease, debugging, export) at once
    scale_processes: int = 3  # fresh scale processes per variant, interleaved, after speed's rounds
    # How long a whole run of this budget takes on the 2-core dev VM (`time advisor probe --budget X`),
    # for the questionnaire's "measuring takes about..." and the progress bar's first estimate.
    typical_s: float | None = None


BUDGETS: dict[str, Budget] = {
    b.name: b
    for b in (
        Budget(
            "tiny",
            "smoke test: one process, a few short windows (for tests and trying the tool; no intervals)",
            ("torch", "keras-tensorflow"),
            ("mlp", "cnn"),
            ("speed",),
            processes=1,
            windows=3,
            window_s=0.02,
            warmup_steps=2,
            batch_size=32,
            infer_repeats=3,
            child_timeout_s=120,
            accuracy_check=False,  # the suite checks accuracy once, in tests/probes/test_speed.py
            typical_s=15,
        ),
        Budget(
            "quick",
            "PyTorch and Keras on TensorFlow, MLP and CNN, with ease and debugging; under a minute on a 2-core laptop",
            ("torch", "keras-tensorflow"),
            ("mlp", "cnn"),
            # Ease reads source (0.2 s) and debugging plants bugs (3-5 s a framework): cheap enough that
            # the default run measures the criteria a newcomer weighs most; export (7-10 s a framework,
            # a fresh reload process per path) stays in standard.
            ("speed", "ease", "debugging"),
            processes=3,
            windows=3,
            window_s=0.2,
            warmup_steps=5,
            batch_size=64,
            infer_repeats=10,
            child_timeout_s=120,
            parallel_children=2,
            typical_s=46,
        ),
        Budget(
            "standard",
            "every installed variant and compile mode on every reference model; a few minutes",
            None,
            ("mlp", "cnn", "rnn", "transformer"),
            ("speed", "ease", "debugging", "export"),
            # Four fresh processes, not five: five took 326 and 324 s on the quiet 2-core VM once the
            # runtime routes of issue 15 joined export; a t-interval over 4 paired rounds (t = 3.18) is a
            # little wider than over 5 (t = 2.78), and the named options keep their 3.
            processes=4,
            windows=3,
            window_s=0.12,
            warmup_steps=5,
            batch_size=64,
            infer_repeats=5,
            child_timeout_s=240,
            option_processes=3,
            option_models=("mlp", "cnn"),  # what one switch gives, within five minutes on two cores
            parallel_children=2,
            typical_s=290,  # 290 and 288 s in two runs on the quiet 2-core VM (326 and 324 s with 5 processes)
        ),
        Budget(
            "thorough",
            "ten processes per variant and longer windows, for tighter intervals, and the scale probe; half an hour",
            None,
            ("mlp", "cnn", "rnn", "transformer"),
            ("speed", "ease", "debugging", "export", "scale"),
            processes=10,
            windows=5,
            window_s=0.4,
            warmup_steps=10,
            batch_size=64,
            infer_repeats=20,
            child_timeout_s=480,
            option_processes=5,
            parallel_children=2,
            typical_s=1500,  # 900 s before the scale probe joined, plus the scale budget's rounds
        ),
        Budget(
            "scale",
            "batch sizes 16 to 512, data streamed from disk, 1 and 2 processes of each framework's distributed"
            " engine, on the MLP and CNN; about seven minutes, apart from the others so they keep their times",
            ("torch", "keras-tensorflow", "tensorflow", "keras-torch", "keras-jax"),
            ("mlp", "cnn"),
            ("scale",),
            processes=3,
            windows=3,
            window_s=0.15,
            warmup_steps=5,
            batch_size=64,
            infer_repeats=0,
            child_timeout_s=600,  # two models' data-parallel runs, each rank allowed its own timeout
            accuracy_check=False,  # the same reference models as speed, whose accuracy check runs there
            scale_processes=3,
            typical_s=420,  # 408 s measured on the quiet 2-core VM; 600 s while others used a third of it
        ),
    )
}


def get_budget(name: str) -> Budget:
    """The named budget; ValueError naming the allowed ones otherwise (the CLI shows it as one line)."""
    if name not in BUDGETS:
        raise ValueError(f"option --budget must be one of {', '.join(BUDGETS)}. Received: {name!r}")
    return BUDGETS[name]
