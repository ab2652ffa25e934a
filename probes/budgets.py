"""Time budgets: how many processes and windows, and which variants, models and probe kinds a run measures.

A budget measures the overhead probes it names (`models`: start-up, dispatch, small-model training) and
the realistic workloads the user's answers point at (probes/plan.py `with_workloads`: the ResNet-style
CNN for images, the encoder for text, at most `max_workloads` of them), or, without answers (`advisor
probe` on a team's machines), its `workloads`. Every budget runs an even number of processes, so that
ABBA order (probes/schedule.py) gives each variant as many first places as second ones. A budget's
`typical_s` is its time on the slower 2-core VM (probes/eta.py on_slower_vm_s); the progress bar starts
from eta.py's estimate for this machine (its matmul peak and interpreter speed).
"""

from __future__ import annotations

from dataclasses import dataclass

from probes.specs import MODELS, OVERHEAD_MODELS, REALISTIC_MODELS


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
    # A named option measures the models of the regime where it is a lever (probes/variants.py Variant.lever_on:
    # steps_per_execution on the overhead probes, channels_last on the realistic workloads); False: every model.
    options_on_their_regime: bool = False
    # The models the accuracy check trains on the digits: a realistic workload needs three epochs of a
    # ResNet-sized model (a minute a framework on two cores), so only thorough checks them; the tests
    # check that each learns (tests/probes/test_workloads.py).
    accuracy_models: tuple[str, ...] = OVERHEAD_MODELS
    workloads: tuple[str, ...] = ()  # realistic workloads measured when no answers choose them
    max_workloads: int = 0  # how many of the workloads like the user's data the answers add
    parallel_children: int = 1  # probes after the timed rounds (accuracy, ease, debugging, export) at once
    scale_processes: int = 3  # fresh scale processes per variant, interleaved, after speed's rounds
    # The debugging probe's steps after a bug's default run (the framework's detector, a print in the model,
    # the eager switch: probes/kinds/debug_steps.py); False: the default run only.
    debugging_steps: bool = True
    # The models the export probe exports on every path: the CNN, whose routes the deployment score credits;
    # the LSTM and the transformer (where converters fail in practice) and the MLP only in thorough.
    export_models: tuple[str, ...] = ("cnn",)
    # The export probe's extras (probes/kinds/export.py EXPORT_EXTRAS: calibrated int8 files, the browser
    # runs): None, those the user's deployment target makes relevant (EXTRAS_FOR_TARGET); else these.
    export_extras: tuple[str, ...] | None = None
    # How long a whole run of this budget takes on the 2-core dev VM (`time advisor probe --budget X`),
    # for the questionnaire's "measuring takes about..." and the progress bar's first estimate.
    typical_s: float | None = None


# The export extras a deployment target makes relevant: an int8 file's size and accuracy where the model
# ships to a phone, a device or a page; the run in a page where it ships to a browser (the deployment score
# credits a browser route only once it ran there). A server or no target needs neither: the float files'
# export, fresh reload and parity are the score's whole basis there (knowledge/measured_scores.yaml).
EXTRAS_FOR_TARGET: dict[str, tuple[str, ...]] = {
    "mobile": ("int8",),
    "edge": ("int8",),
    "browser": ("int8", "browser"),
}
EVERY_EXTRA = ("int8", "browser")

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
            "PyTorch and Keras on TensorFlow, MLP and CNN (overhead probes), with ease and debugging; about a"
            " minute on a 2-core VM",
            ("torch", "keras-tensorflow"),
            ("mlp", "cnn"),
            # Ease reads source (0.2 s) and debugging plants bugs (3-5 s a framework): cheap enough that
            # the default run measures the criteria a newcomer weighs most; export (7-10 s a framework,
            # a fresh reload process per path) stays in standard. No realistic workload: its accuracy
            # check alone (a few epochs of a ResNet-sized model on the digits) takes half a minute a
            # framework on two cores; quick says its figures are overhead-bound, and standard measures it.
            ("speed", "ease", "debugging"),
            processes=2,  # even: one round each way (ABBA); 91 s with 3 on the 130 GFLOP/s VM was too long
            windows=2,
            window_s=0.1,
            warmup_steps=3,
            batch_size=64,
            infer_repeats=3,
            child_timeout_s=120,
            parallel_children=2,
            debugging_steps=False,  # each bug's default run only: a traced framework's next steps double its time
            # The accuracy check on the MLP, as standard: the CNN's three epochs on the digits added 2 s to a
            # one-minute run; thorough checks every model, the suite checks each learns (tests/probes).
            accuracy_models=("mlp",),
            typical_s=57,  # probes/eta.py on_slower_vm_s; a whole `advise` took 36 s on the 2-core EPYC of eta.py
        ),
        Budget(
            "standard",
            "every installed framework on the MLP and the realistic workload like your data, the experts' settings"
            " beside them, with ease, debugging and export; five to nine minutes on a 2-core VM",
            # The candidates and the experts' settings; the compile modes (torch.compile, XLA) and TensorFlow
            # with oneDNN off (what oneDNN gives, not a setting an expert turns) are measured by thorough, or
            # here when named (--variant): five minutes on two cores do not hold them all.
            ("torch", "keras-tensorflow", "tensorflow", "keras-torch", "keras-jax")
            + ("torch-expert", "keras-tensorflow-spe"),
            ("mlp",),
            ("speed", "ease", "debugging", "export"),
            # Four fresh processes (even, for ABBA), each timing every model for 4 windows of 0.25 s: a second
            # in all (Geekbench AI's minimum per workload), each window long enough that a millisecond of
            # timer and dispatch cost stays under 1% of it. The named options take 2 processes, on the
            # realistic workload only: what a switch changes there is what a user tunes for.
            processes=4,
            windows=4,
            window_s=0.25,
            warmup_steps=5,
            batch_size=64,
            infer_repeats=3,
            child_timeout_s=240,
            option_processes=2,
            options_on_their_regime=True,
            parallel_children=2,
            debugging_steps=False,  # the detector, print and eager-switch runs are thorough's
            workloads=("resnet",),
            max_workloads=1,
            # probes/eta.py on_slower_vm_s with the ResNet-style CNN: 500 s; 322 s measured on eta.py's EPYC
            typical_s=500,
        ),
        Budget(
            "thorough",
            "ten processes per variant and longer windows, every overhead probe and realistic workload, and the scale"
            " probe; two to three hours on a 2-core VM",
            None,
            ("mlp", "cnn", "rnn", "transformer"),
            ("speed", "ease", "debugging", "export", "scale"),
            processes=10,
            windows=5,
            window_s=0.4,
            workloads=REALISTIC_MODELS,
            max_workloads=len(REALISTIC_MODELS),
            accuracy_models=tuple(MODELS),
            warmup_steps=10,
            batch_size=64,
            infer_repeats=20,
            child_timeout_s=480,
            option_processes=6,  # even, as every count of rounds (ABBA)
            parallel_children=2,
            export_models=("mlp", "cnn", "rnn", "transformer"),
            export_extras=EVERY_EXTRA,
            typical_s=8900,  # probes/eta.py on_slower_vm_s: every workload in 10 processes of every variant
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
