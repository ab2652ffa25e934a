"""What each probe kind records besides its timing samples: one typed record per kind, a registry.

Like pyperf's metadata registry, every fact has a name, a type and a meaning here, so a probe that
writes a fact this file does not know fails loudly (in the tests, and as a failed result at run
time), and a reader asks `result.facts.max_abs_diff` rather than a string key in a bag that may or
may not hold it. A fact that was not recorded is None. Samples (repeated measurements with units)
are registered apart, in probes/evidence.py's METRICS.

This module imports nothing heavy: the CLI reads evidence without loading numpy's friends.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import cache
from typing import Any, ClassVar, TypeVar

F = TypeVar("F", bound="Facts")


@dataclass(frozen=True)
class Facts:
    """A kind's facts; the base class (no fields) serves kinds no probe implements yet."""

    KIND: ClassVar[str] = ""

    def to_json(self) -> dict[str, Any]:
        """The recorded facts only (None left out), tuples as lists."""
        return {f.name: _plain(value) for f in fields(self) if (value := getattr(self, f.name)) is not None}

    @classmethod
    def from_json(cls: type[F], data: Mapping[str, Any], *, strict: bool = True) -> F:
        """Check every fact's name and type. `strict=False` (evidence of an older format) drops unknown names."""
        hints = _hints(cls)
        unknown = sorted(set(data) - set(hints))
        if unknown and strict:
            expected = ", ".join(hints) or "none"
            raise ValueError(f"unknown {cls.KIND or 'probe'} fact {unknown[0]!r}. Expected one of: {expected}")
        values = {name: _checked(cls, name, hints[name], value) for name, value in data.items() if name in hints}
        return cls(**values)

    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in fields(self))


@dataclass(frozen=True)
class SpeedFacts(Facts):
    """How a speed result was measured (probes/kinds/speed.py and the framework's session)."""

    KIND: ClassVar[str] = "speed"
    device: str | None = None  # what the framework used: cpu, cuda (PyTorch), gpu (TensorFlow, JAX)
    compile_mode: str | None = None  # how the step ran: eager, torch.compile, tf.function, XLA, in words
    jit_compile: bool | None = None  # Keras: what jit_compile resolved to ("auto" by default)
    params: int | None = None  # trainable parameters of the model as built
    batch_size: int | None = None
    steps_per_window: int | None = None  # steps in one timed window, sized by the calibration
    windows: int | None = None  # timed windows per process
    train_flops_per_sample: int | None = None  # analytic, probes/specs.py
    digits_epochs: int | None = None  # epochs of the accuracy check on digits
    learned_accuracy: float | None = None  # test accuracy below which the model did not learn
    accuracy_error: str | None = None  # the accuracy check failed: why
    precision: str | None = None  # what float32 meant on the device (TF32 defaults on a GPU), in words
    host_to_device: str | None = None  # where the data lived and when its copy to the device was timed
    gpu_peak_note: str | None = None  # why no GPU peak was recorded for this model
    # What was timed, and the experts' settings by name (probes/variants.py: each a named option).
    timed_work: str | None = None  # "step only" (batches made before the clock, no metric) or "as written"
    input_pipeline: str | None = None  # what fed the timed steps, in the framework's words
    optimizer: str | None = None  # the optimiser's implementation: a loop, multi-tensor or fused
    memory_format: str | None = None  # PyTorch, image models: "channels_last" or NCHW
    steps_per_execution: int | None = None  # Keras: batches per call of its compiled train function
    onednn: bool | None = None  # TensorFlow: its oneDNN kernels and graph rewrites on (TF_ENABLE_ONEDNN_OPTS)
    # The regime the utilisation puts the result in (probes/peak.py REGIMES): "overhead-bound", "mixed" or
    # "compute-bound", and the share of the machine's matmul peak it rests on (the processes' median).
    regime: str | None = None
    peak_share: float | None = None

    def regime_words(self) -> str | None:
        """The regime in words ("overhead-bound: 3.0% of this CPU's matmul peak"); None without a utilisation."""
        if self.regime is None or self.peak_share is None:
            return None
        device = "GPU" if self.device in ("cuda", "gpu") else "CPU"
        share = f"{self.peak_share:.1%}" if self.peak_share < 0.1 else f"{self.peak_share:.0%}"
        return f"{self.regime}: {share} of this {device}'s matmul peak"


@dataclass(frozen=True)
class EaseFacts(Facts):
    """What a user writes for one model, counted from the reference script (probes/kinds/ease.py)."""

    KIND: ClassVar[str] = "ease"
    model_lines: int | None = None  # logical lines (statements and clause headers)
    train_lines: int | None = None
    total_lines: int | None = None
    api_calls: int | None = None  # distinct framework callables and methods called
    train_api_calls: int | None = None  # ... in the training loop's statements alone
    device_statements: int | None = None  # statements that choose or move to a device
    model_physical_lines: int | None = None  # source rows of the same statements
    train_physical_lines: int | None = None
    total_physical_lines: int | None = None
    api_names: tuple[str, ...] | None = None
    reference_file: str | None = None  # probes/<framework>/reference.py
    source_sha256: str | None = None  # of the file as counted
    role_runs: tuple[tuple[int, int, str], ...] | None = None  # (first row, last row, role) of counted rows
    counted_with: str | None = None


@dataclass(frozen=True)
class DebuggingFacts(Facts):
    """What a user saw of one planted bug (probes/kinds/debugging.py classifies it)."""

    KIND: ClassVar[str] = "debugging"
    bug: str | None = None  # its title
    mode: str | None = None  # how the framework ran it (eager, traced), in words
    planted_line: int | None = None  # 1-based row in the planted reference
    planted_text: str | None = None
    steps: int | None = None  # training steps completed
    surfaced_at: str | None = None  # build | compile | first_step | later_step | silent_nan | silent_wrong | none
    exception_type: str | None = None
    error: str | None = None  # the line of the message that says what went wrong
    message_excerpt: str | None = None  # the message, first 400 characters
    names_shapes: bool | None = None  # the message names the mismatched shapes
    names_dtypes: bool | None = None
    user_frames: int | None = None  # traceback frames in the user's code
    framework_frames: int | None = None
    innermost_user_frame: str | None = None  # "reference.py:13 in __init__"
    points_at_planted_line: bool | None = None
    points_at_planted_statement: bool | None = None
    pointed_by: str | None = None  # traceback | message (TensorFlow's "in user code:" block)
    outputs_collapsed: bool | None = None  # no error, but the same output for every input
    first_nan_step: int | None = None
    print_count: int | None = None  # the print case: how often the print inside forward/call ran
    counter: int | None = None  # ... and how often the counter beside it was incremented
    detected: bool | None = None  # the planted bug took effect (an error, NaN, collapsed outputs, a print)
    absorbed: bool | None = None  # the framework accepted the bug silently (Keras casting a float64 layer)
    planted_effect: str | None = None  # what shows the bug was planted when nothing was raised
    traceback_filtering: bool | None = None  # the framework's own traceback filtering was on
    note: str | None = None
    # What the user saw besides an error, and whether it named the cause (probes/kinds/debugging.py)
    warnings: tuple[str, ...] | None = None  # the warnings the default run raised, "Category: first line"
    warning: str | None = None  # ... the first that names the bug's cause
    names_cause: bool | None = None  # the error or a warning names the cause (the bug's own words)
    prevented: bool | None = None  # the framework's idiom cannot make this bug: nothing was planted or run
    prevented_why: str | None = None
    # What the user does next when the default run did not say what went wrong (probes/kinds/debug_steps.py)
    found_by: str | None = None  # default | detector | print | print_eager | none | prevented; None: not tried
    steps_to_find: int | None = None  # 0 the default run said it, 1 a detector or a print, 2 a print made eager
    next_steps: str | None = None  # why the steps after the default run were not tried
    detector: str | None = None  # the framework's detector, as the user turns it on
    detector_found: bool | None = None
    detector_error: str | None = None  # what the detector raised
    detector_surfaced_at: str | None = None
    print_reveals: bool | None = None  # this run's print of the outputs gave the bug away
    print_excerpt: str | None = None  # what that print showed, first characters
    print_mode: str | None = None  # the mode the print ran in (the framework's default)
    print_found: bool | None = None  # a print of the outputs in the default mode gave the bug away
    eager_switch: str | None = None  # the framework's switch from a traced step to eager Python
    print_eager_found: bool | None = None  # ... the same print after that switch
    print_eager_excerpt: str | None = None


@dataclass(frozen=True)
class ExportFacts(Facts):
    """What one export path did (probes/kinds/export.py runs it, probes/kinds/reload.py reloads it)."""

    KIND: ClassVar[str] = "export"
    PARITY: ClassVar[float] = 1e-4  # max |difference| between original and reloaded outputs that still "works"
    label: str | None = None
    export_s: float | None = None
    size_bytes: int | None = None
    reload_ok: bool | None = None  # reloaded in a fresh process
    reload_s: float | None = None
    max_abs_diff: float | None = None  # original against reloaded outputs on the same batch
    needs_python_class: bool | None = None  # the reload needed the original model class
    without_class_error: str | None = None  # why the reload without it failed
    default_load_ok: bool | None = None  # torch_save_full: what plain torch.load did (weights_only=True)
    default_load_error: str | None = None
    error: str | None = None
    install_hint: str | None = None  # what to install when a module the path needs is missing
    missing: tuple[str, ...] | None = None  # those modules
    note: str | None = None  # why a path fails or cannot be installed here (knowledge/export_paths.yaml)
    # The deployment runtime the reload ran the file in ("onnxruntime", "litert", "executorch"), when
    # the reload is that runtime rather than the framework itself, and its median milliseconds per call.
    runtime: str | None = None
    call_ms: float | None = None
    # The browser runtime the file ran in, in headless Chromium (probes/kinds/browser.py).
    browser_runtime: str | None = None  # "onnxruntime-web", "litert-js"
    browser_ok: bool | None = None  # it ran in the page; None: not tried (browser_error says why)
    browser_max_abs_diff: float | None = None  # page outputs against the original model's
    browser_call_ms: float | None = None  # median of the page's own timed calls (performance.now())
    browser_load_ms: float | None = None  # fetch, compile and first session in the page
    browser_model_bytes: int | None = None  # bytes the page fetched: the model file ...
    browser_runtime_bytes: int | None = None  # ... and the runtime's own files
    browser_error: str | None = None
    browser_install_hint: str | None = None
    # Post-training int8 quantisation of the same file, where the path offers it, checked on the
    # digits test set in the same runtime as the float file.
    int8_method: str | None = None  # "dynamic range (TFLiteConverter)", "XNNPACKQuantizer (pt2e)", ...
    int8_size_bytes: int | None = None
    int8_accuracy: float | None = None
    float_accuracy: float | None = None  # the float file's accuracy on the same test set, in the same runtime
    int8_agreement: float | None = None  # share of test images where int8 and float predict the same digit
    int8_max_abs_diff: float | None = None  # int8 against the original outputs on the probe's batch
    int8_call_ms: float | None = None
    int8_error: str | None = None
    int8_calibration_images: int | None = None  # training images the calibrated int8 method observed
    # An ExecuTorch .pte: how much of the lowered graph XNNPACK took (executorch's get_delegation_info);
    # what it leaves runs in ExecuTorch's portable reference kernels, many times slower for a convolution.
    xnnpack_nodes: int | None = None
    portable_nodes: int | None = None  # outside XNNPACK, bookkeeping (getitem, sym_size) left out
    portable_ops: tuple[str, ...] | None = None  # those nodes' operators, "aten_convolution_default x2"
    # The batch dimension the exported file takes: "open" (any batch) or the fixed size it was traced with,
    # as checked by the reload feeding it another batch size (batch_check says what happened).
    batch: str | None = None
    batch_check: str | None = None
    # The extras the path offers that this run's budget left out ("int8", "browser"; probes/plan.py
    # export_extras): not measured, which is not a failure. NOT_RUN_WHERE says which runs measure them.
    not_run: tuple[str, ...] | None = None
    NOT_RUN_WHERE: ClassVar[str] = (
        "thorough measures them, and standard for a mobile, edge or browser answer (probes/budgets.py)"
    )

    def works(self, ok: bool) -> bool:
        """Exported, reloaded in a fresh process, and the same outputs within PARITY (`ok`: the result's status)."""
        diff = self.max_abs_diff
        return ok and self.reload_ok is not False and (diff is None or diff <= self.PARITY)

    def proven_in(self, ok: bool) -> tuple[str, ...]:
        """The deployment runtimes the file ran in with the original's outputs (within PARITY)."""
        proven = []
        if self.works(ok) and self.runtime:
            proven.append(self.runtime)
        diff = self.browser_max_abs_diff
        if self.works(ok) and self.browser_ok and self.browser_runtime and diff is not None and diff <= self.PARITY:
            proven.append(self.browser_runtime)
        return tuple(proven)


@dataclass(frozen=True)
class ScaleFacts(SpeedFacts):
    """How a scale case was measured (probes/kinds/scale.py): a batch curve's point takes the speed facts."""

    KIND: ClassVar[str] = "scale"
    pipeline: str | None = None  # the streamed input pipeline, in the framework's words
    workers: int | None = None  # processes or threads reading besides the training loop
    records: int | None = None  # records in the shards
    shard_mb: float | None = None  # their size on disk
    page_cache: str | None = None  # whether the shards were dropped from the page cache before each window
    bottleneck: str | None = None  # pipeline | model: which bounds the streamed rate
    engine: str | None = None  # the framework's distributed engine
    world_sizes: tuple[int, ...] | None = None  # the process counts compared
    world_failed: int | None = None  # the process count that did not work
    steps: int | None = None  # timed steps of each rank
    changed_lines: int | None = None  # logical lines the distributed script has that the reference has not
    note: str | None = None


@dataclass(frozen=True)
class OwnModelFacts(SpeedFacts):
    """How the user's own model was trained and timed (probes/kinds/own_model.py): the speed facts, and how it
    was fed (its input, the generic loss) and counted."""

    KIND: ClassVar[str] = "own_model"
    model_source: str | None = None  # as the user named it: "net.keras", "models.py:build"
    model_kind: str | None = None  # keras | pytorch
    option: str | None = None  # the named option this case switches on, in words ("channels_last memory format")
    loss: str | None = None  # classification | regression | sum: the generic loss it was trained with
    loss_reason: str | None = None  # why that loss (the user named it, or what the outputs looked like)
    input_shape: tuple[int, ...] | None = None  # one sample, without the batch
    input_dtype: str | None = None
    input_from: str | None = None  # where the shape came from: the model, or --model-input
    output_shape: tuple[int, ...] | None = None  # one sample's output, without the batch
    vocabulary: int | None = None  # integer inputs: drawn from [0, vocabulary)
    flops_counted_by: str | None = None  # how train_flops_per_sample was counted on this backend
    safe_mode: bool | None = None  # a .keras file: loaded with safe_mode on
    note: str | None = None


@dataclass(frozen=True)
class OwnExportFacts(ExportFacts):
    """One deployment route of the user's model (probes/kinds/own_model.py runs the export probe's code for it)."""

    KIND: ClassVar[str] = "own_export"
    model_source: str | None = None
    parity_inputs: str | None = None  # what both sides ran on, and what int8 "accuracy" means without labels


FACTS: dict[str, type[Facts]] = {
    cls.KIND: cls
    for cls in (SpeedFacts, EaseFacts, DebuggingFacts, ExportFacts, ScaleFacts, OwnModelFacts, OwnExportFacts)
}


def facts_class(kind: str) -> type[Facts]:
    """The facts record of a probe kind (the empty base for a kind no probe implements)."""
    return FACTS.get(kind, Facts)


# --- checking values against the declared types (int, float, str, bool, tuples of them), None allowed


@cache
def _hints(cls: type[Facts]) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in fields(cls)}


def _checked(cls: type[Facts], name: str, hint: Any, value: Any) -> Any:
    try:
        return _coerce(hint, value)
    except TypeError:
        raise ValueError(
            f"{cls.KIND} fact {name!r} must be {_describe(hint)}. Received: {type(value).__name__} {value!r:.60}"
        ) from None


def _coerce(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        for option in options:
            try:
                return _coerce(option, value)
            except TypeError:
                continue
        raise TypeError(hint)
    if origin is tuple:
        args = typing.get_args(hint)
        if not isinstance(value, (list, tuple)):
            raise TypeError(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_coerce(args[0], item) for item in value)
        if len(args) != len(value):
            raise TypeError(hint)
        return tuple(_coerce(a, item) for a, item in zip(args, value, strict=True))
    if hint is bool:
        if isinstance(value, bool):
            return value
        raise TypeError(hint)
    if hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        raise TypeError(hint)
    if hint is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        raise TypeError(hint)
    if hint is str:
        if isinstance(value, str):
            return value
        raise TypeError(hint)
    raise TypeError(hint)


def _describe(hint: Any) -> str:
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        return " or ".join(_describe(a) for a in typing.get_args(hint) if a is not type(None)) + " or null"
    if origin is tuple:
        return "a list"
    return getattr(hint, "__name__", str(hint))


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value
