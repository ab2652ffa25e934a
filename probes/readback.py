"""The checks an evidence record passes when it is read back from a file (probes/evidence.py from_json).

Every field must have the type the runner writes it with, and every figure the range a measurement
gives: a hand-edited or hostile file ends as one line naming the field ("'results[3].samples.
train_samples_per_s[0]' must be above 0. Received: -5.0"), never as a traceback, a string read as a
list of letters, or a figure no machine measured.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from typing import Any

RATE_UNITS = ("samples/s", "GFLOP/s")  # a rate that was measured is above zero; every other figure at least zero
MAX_FIGURE = 1e15  # beyond any figure a probe records (samples/s, ms, MB, bytes); keeps sums and squares finite

# The run settings whose type the report and the scoring rely on (probes/runner.py ProbePlan.settings).
SETTING_LISTS = ("variants", "models", "kinds", "kinds_added")
SETTING_COUNTS = ("processes", "option_processes", "scale_processes", "windows", "warmup_steps", "batch_size",
                  "infer_repeats", "threads", "parallel_children", "seed")  # fmt: skip
SETTING_SECONDS = ("window_s", "child_timeout_s")


class OutOfRange(ValueError):
    """A value read back that no run writes: which field, what it must be, what it was."""

    def __init__(self, field: str, rule: str, value: Any):
        super().__init__(f"'{field}' must be {rule}. Received: {value!r:.80}")
        self.field, self.rule, self.value = field, rule, value

    def within(self, prefix: str) -> OutOfRange:
        """The same refusal, its field named from an enclosing record (`results[3].` + `samples.x`)."""
        return OutOfRange(f"{prefix}{self.field}" if self.field else prefix.rstrip("."), self.rule, self.value)


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def text(field: str, value: Any, *, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise OutOfRange(field, "text" + (" or null" if optional else ""), value)
    return value


def flag(field: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise OutOfRange(field, "true or false", value)
    return value


def count(field: str, value: Any) -> int:
    if not is_number(value) or not math.isfinite(value) or value < 0 or value != int(value):
        raise OutOfRange(field, "a whole number, 0 or more", value)
    return int(value)


def seconds(field: str, value: Any, *, optional: bool = False) -> float | None:
    if value is None and optional:
        return None
    if not is_number(value) or not 0 <= value <= MAX_FIGURE:
        raise OutOfRange(field, "a number of seconds, 0 or more", value)
    return float(value)


def texts(field: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise OutOfRange(field, "a list of text", value)
    return value


def known(field: str, value: Any, names: Collection[str]) -> str:
    """A name from `names` (a variant, a model); a name this version does not know is refused, not guessed at."""
    if value not in names:
        raise OutOfRange(field, f"one of {', '.join(names)}", value)
    return str(value)


def figures(field: str, values: Any, *, rate: bool) -> list[float]:
    """One metric's samples: numbers above 0 for a rate, 0 or more otherwise, none absurdly large."""
    if not isinstance(values, list):
        raise OutOfRange(field, "a list of numbers", values)
    for i, value in enumerate(values):
        if not is_number(value) or not math.isfinite(value) or not 0 <= value <= MAX_FIGURE or (rate and value == 0):
            raise OutOfRange(f"{field}[{i}]", "a number above 0" if rate else "a number, 0 or more", value)
    return [float(value) for value in values]


def fact_numbers(facts: Mapping[str, Any]) -> None:
    """Every number among a result's facts is a count, a size, a time or a share: 0 or more."""
    for name, value in facts.items():
        for number in value if isinstance(value, list) else [value]:
            if is_number(number) and (not math.isfinite(number) or not 0 <= number <= MAX_FIGURE):
                raise OutOfRange(f"facts.{name}", "a number, 0 or more", number)


def settings(value: Any, field: str = "settings") -> dict[str, Any]:
    """A run's settings, the fields the report and scoring read typed, and those of every run added to it."""
    if not isinstance(value, Mapping):
        raise OutOfRange(field, "an object", value)
    checked = dict(value)
    text(f"{field}.budget", checked.get("budget"), optional=True)
    for key in SETTING_LISTS:
        if key in checked:
            texts(f"{field}.{key}", checked[key])
    for key in SETTING_COUNTS:
        if checked.get(key) is not None:
            count(f"{field}.{key}", checked[key])
    for key in SETTING_SECONDS:
        seconds(f"{field}.{key}", checked.get(key), optional=True)
    added = checked.get("added_runs", [])
    if not isinstance(added, list):
        raise OutOfRange(f"{field}.added_runs", "a list of runs", added)
    for i, run in enumerate(added):
        settings(run, f"{field}.added_runs[{i}]")
    return checked


# The machine's description (probes/environment.py): the fields the report and the machine comparison read.
ENVIRONMENT_TEXTS = ("os", "machine", "libc", "hostname", "cpu_model", "gpu_note", "python", "python_implementation",
                     "python_executable", "tool_version", "tool_commit", "command_line")  # fmt: skip
ENVIRONMENT_COUNTS = ("cores_logical", "cores_physical", "cores_usable")
ENVIRONMENT_NUMBERS = ("cpu_mhz", "memory_gb")
LOAD_NUMBERS = ("wall_s", "load_average", "others_cpu_s", "others_share", "steal_s")  # probes/load.py


def environment(value: Any) -> dict[str, Any]:
    """A run's environment, the fields read from it of the type probes/environment.py writes them with."""
    field = "environment"
    checked = _object(field, value)
    for key in ENVIRONMENT_TEXTS:
        text(f"{field}.{key}", checked.get(key), optional=True)
    for key in ENVIRONMENT_COUNTS:
        if checked.get(key) is not None:
            count(f"{field}.{key}", checked[key])
    for key in ENVIRONMENT_NUMBERS:
        _number(f"{field}.{key}", checked.get(key))
    gpus = checked.get("gpus") or []
    if not isinstance(gpus, list):
        raise OutOfRange(f"{field}.gpus", "a list of GPUs", gpus)
    for i, gpu in enumerate(gpus):
        for key in ("name", "memory", "driver"):
            text(f"{field}.gpus[{i}].{key}", _object(f"{field}.gpus[{i}]", gpu).get(key), optional=key != "name")
    for key in ("versions", "thread_env"):
        for name, version in _object(f"{field}.{key}", checked.get(key) or {}).items():
            text(f"{field}.{key}.{name}", version, optional=True)
    peak = _object(f"{field}.matmul_peak", checked.get("matmul_peak") or {})
    _number(f"{field}.matmul_peak.gflops", peak.get("gflops"))
    _load(f"{field}.competition", checked.get("competition"))
    for variant, children in _object(f"{field}.probe_children", checked.get("probe_children") or {}).items():
        if not isinstance(children, list) or not all(isinstance(child, Mapping) for child in children):
            raise OutOfRange(f"{field}.probe_children", "an object of variant: [objects]", {variant: children})
        for i, child in enumerate(children):
            _load(f"{field}.probe_children.{variant}[{i}].competition", child.get("competition"))
    return checked


def _object(field: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise OutOfRange(field, "an object", value)
    return dict(value)


def _number(field: str, value: Any) -> None:
    """A figure of the machine, when given: a number, 0 or more."""
    if value is not None and (not is_number(value) or not 0 <= value <= MAX_FIGURE):
        raise OutOfRange(field, "a number, 0 or more", value)


def _load(field: str, value: Any) -> None:
    """What other processes took of the machine (probes/load.py), when recorded: figures 0 or more, busy a flag."""
    if value is None:
        return
    load = _object(field, value)
    for key in LOAD_NUMBERS:
        _number(f"{field}.{key}", load.get(key))
    if load.get("busy") is not None:
        flag(f"{field}.busy", load["busy"])
