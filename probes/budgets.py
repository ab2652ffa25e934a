"""Time budgets: how many rounds, windows and which variants and models a run measures."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Budget:
    name: str
    description: str
    variants: tuple[str, ...] | None  # None: every installed variant
    models: tuple[str, ...]
    kinds: tuple[str, ...]  # probe kinds: "speed" runs every round; the others once, in round 1
    rounds: int  # fresh child per variant per round, interleaved
    windows_per_round: int  # timed windows after warm-up, per model per round
    window_s: float  # target length of one timed window
    warmup_steps: int
    batch_size: int
    infer_repeats: int
    child_timeout_s: float
    accuracy_check: bool = True  # train each reference on digits once per run (probes/kinds/speed.py)


BUDGETS: dict[str, Budget] = {
    b.name: b
    for b in (
        Budget(
            "tiny",
            "smoke test: one round, a few short windows (for tests and trying the tool)",
            ("torch", "keras-tensorflow"),
            ("mlp", "cnn"),
            ("speed",),
            rounds=1,
            windows_per_round=3,
            window_s=0.02,
            warmup_steps=2,
            batch_size=32,
            infer_repeats=3,
            child_timeout_s=120,
            accuracy_check=False,  # the suite checks accuracy once, in tests/test_speed.py
        ),
        Budget(
            "quick",
            "PyTorch and Keras on TensorFlow, MLP and CNN, with ease and debugging; under a minute on a 2-core laptop",
            ("torch", "keras-tensorflow"),
            ("mlp", "cnn"),
            # Ease reads source (0.2 s) and debugging plants bugs (4-7 s a framework): cheap enough that
            # the default run measures the criteria a newcomer weighs most; export (8-10 s a framework,
            # a fresh reload process per path) stays in standard.
            ("speed", "ease", "debugging"),
            rounds=2,
            windows_per_round=4,
            window_s=0.25,
            warmup_steps=5,
            batch_size=64,
            infer_repeats=10,
            child_timeout_s=120,
        ),
        Budget(
            "standard",
            "every installed variant on every reference model; a few minutes",
            None,
            ("mlp", "cnn", "rnn", "transformer"),
            ("speed", "ease", "debugging", "export"),
            rounds=2,
            windows_per_round=4,
            window_s=0.2,
            warmup_steps=5,
            batch_size=64,
            infer_repeats=10,
            child_timeout_s=240,
        ),
        Budget(
            "thorough",
            "more rounds and longer windows for tighter intervals; several minutes",
            None,
            ("mlp", "cnn", "rnn", "transformer"),
            ("speed", "ease", "debugging", "export"),
            rounds=4,
            windows_per_round=6,
            window_s=0.5,
            warmup_steps=10,
            batch_size=64,
            infer_repeats=30,
            child_timeout_s=480,
        ),
    )
}


def get_budget(name: str) -> Budget:
    """The named budget; ValueError naming the allowed ones otherwise (the CLI shows it as one line)."""
    if name not in BUDGETS:
        raise ValueError(f"option --budget must be one of {', '.join(BUDGETS)}. Received: {name!r}")
    return BUDGETS[name]
