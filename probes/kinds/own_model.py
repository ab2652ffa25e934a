"""The user's own model, measured the way the reference models are: no framework's names here.

Two kinds share this module. `own_model` trains and times the model in each framework's idiom
(probes/<framework>/own_model.py gives a session with first_step, steps and infer, as a speed
session does): the first step alone, warm-up until the steady state is found, timed windows, then
inference at batch 1 and at the user's batch, in fresh processes in interleaved rounds, so its
intervals come from the spread between processes as the reference models' do. The loss is generic:
classification with integer labels when the output is one score per class, regression on a target
of the output's shape otherwise, and the sum of the outputs as the last resort (tuple or dict
outputs), each stated in the facts with why it was chosen. `own_export` takes the model through the
deployment routes of the user's target with the export probe's own code for each path
(probes/kinds/export.py): parity, latency, size and int8 in the runtime, in Chromium for a browser.

Bad input never takes the run down: the file missing, not a model, raising on import, needing a
package that is not installed, an input shape that cannot be read, a model too large for the memory
left, each becomes the case's failure in one line (OwnModelError), and a hang is the child's
timeout. The user's code runs only here, in probe children.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

import numpy as np

from probes import folding
from probes.folding import Failure, Filed
from probes.kinds.speed import time_session, with_utilisation
from probes.user_model import INPUT_FLAG, OWN_MODEL, UserModel

POOL_BYTES = 64 * 2**20  # generated training data kept in memory: at most this, at least four batches
PARITY_ROWS = 256  # generated inputs both sides of a route predict, for int8 agreement
DEFAULT_VOCABULARY = 100  # integer inputs with no embedding to read the range from
MEMORY_SHARE = 0.8  # a model whose training state needs more than this share of the free memory is refused
TRAINING_STATE_COPIES = 4  # weights, gradients and Adam's two moments, as float32
LOSS_WORDS = {
    "classification": "classification: cross-entropy on integer labels, one per sample",
    "regression": "regression: mean squared error against a target of the output's shape",
    "sum": "the sum of the outputs (the last resort: no labels or targets fit them)",
}


class OwnModelError(Exception):
    """Why the user's model cannot be measured, in one line: recorded as the case's failure."""


class NotRoutable(OwnModelError):
    """Why a route is not tried on this model (integer inputs, several outputs): recorded as skipped."""


def failed(reason: str, facts: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return {"status": "failed", "reason": reason, "facts": dict(facts or {})}


def skipped(reason: str, facts: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return {"status": "skipped", "reason": reason, "facts": dict(facts or {})}


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    return f"{type(exc).__name__}: {line}"[:240] if line else type(exc).__name__


def user_model(settings: Mapping[str, Any]) -> UserModel:
    return UserModel.from_json(settings["own_model"])


def own_cases(models: Sequence[str], cases: Sequence[str]) -> list[tuple[str, str]]:
    """The (model, case) pairs of an own kind: its cases when the plan measures the user's model."""
    return [(OWN_MODEL, case) for case in cases] if OWN_MODEL in models else []


# --- the user's files: imported in this child only, every failure one line


def import_user_file(path: str, what: str) -> ModuleType:
    """Import a .py file of the user's (its folder first on the path, so it imports its neighbours), once."""
    file = Path(path)
    if not file.is_file():
        raise OwnModelError(f"{what}: no such file: {file}")
    name = f"advisor_user_{abs(hash(str(file))):x}"
    if name in sys.modules:  # imported once per child: a case after the first reuses it
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, file)
    if spec is None or spec.loader is None:
        raise OwnModelError(f"{what}: not a Python file: {file}")
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(file.parent))
    try:
        spec.loader.exec_module(module)
    except ModuleNotFoundError as exc:
        package = exc.name or str(exc)
        raise OwnModelError(
            f"{what} needs a package that is not installed here: {package} (pip install it beside the advisor)"
        ) from None
    except SyntaxError as exc:
        raise OwnModelError(f"{what} is not valid Python: {exc.msg} (line {exc.lineno})") from None
    except Exception as exc:  # noqa: BLE001 - whatever the user's file raises is the finding
        raise OwnModelError(f"{what} raised on import: {first_line(exc)}") from None
    sys.modules[name] = module
    return module


def user_function(model: UserModel) -> Callable[[], Any]:
    """The function FILE.py:FUNCTION names, imported."""
    module = import_user_file(model.path, Path(model.path).name)
    found = getattr(module, model.function or "", None)
    if not callable(found):
        raise OwnModelError(f"{Path(model.path).name} has no function {model.function!r}")
    return found


def call_user(build: Callable[[], Any], source: str) -> Any:
    try:
        return build()
    except Exception as exc:  # noqa: BLE001 - whatever the user's function raises is the finding
        raise OwnModelError(f"{source} raised: {first_line(exc)}") from None


def no_input_shape(read: str) -> OwnModelError:
    return OwnModelError(
        f"no readable input shape: {read}; pass {INPUT_FLAG} with one sample's shape, such as 3x32x32 or 128:int64"
    )


def check_memory(params: int, bytes_per_value: int = 4) -> None:
    """Refuse a model whose training state alone would not fit in the memory left (one line, not the OOM killer)."""
    need = params * bytes_per_value * TRAINING_STATE_COPIES
    free = available_memory_bytes()
    if free is not None and need > MEMORY_SHARE * free:
        raise OwnModelError(
            f"too large for the memory left: {params:,} parameters need about {need / 2**30:.1f} GB for weights,"
            f" gradients and Adam's state, and {free / 2**30:.1f} GB is free"
        )


def available_memory_bytes() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


# --- generated data and the generic loss


def choose_loss(requested: str, output_shapes: Sequence[tuple[int, ...]], floating: bool) -> tuple[str, str]:
    """(loss, why): the user's choice where it fits the outputs, else what the outputs allow."""
    single = len(output_shapes) == 1
    scores = single and floating and len(output_shapes[0]) == 1 and output_shapes[0][0] >= 2
    if requested == "classification" and not scores:
        gives = _shapes(output_shapes)
        raise OwnModelError(
            f"--model-loss classification needs one score per class, (N, classes); the model gives {gives}"
        )
    if requested == "regression" and not (single and floating):
        raise OwnModelError(f"--model-loss regression needs one float output; the model gives {_shapes(output_shapes)}")
    if requested != "auto":
        return requested, "named by --model-loss"
    if scores:
        return "classification", f"the output is one score per class, (N, {output_shapes[0][0]})"
    if single and floating:
        return "regression", f"the output is {_shapes(output_shapes)}, not one score per class"
    return "sum", f"the outputs are {_shapes(output_shapes)}: no single float output to fit a target to"


def _shapes(shapes: Sequence[tuple[int, ...]]) -> str:
    return ", ".join("(N" + "".join(f", {d}" for d in shape) + ")" for shape in shapes) or "nothing"


def pool_rows(batch_size: int, sample_bytes: int) -> int:
    """Generated samples kept for training: up to POOL_BYTES, four batches at least, 64 at most a batch."""
    return max(4 * batch_size, min(64 * batch_size, POOL_BYTES // max(1, sample_bytes)))


def make_inputs(shape: tuple[int, ...], dtype: str, rows: int, seed: int, vocabulary: int | None) -> np.ndarray:
    """Standard-normal floats, or integers in [0, vocabulary) for an integer input (token ids)."""
    rng = np.random.default_rng(seed)
    if dtype.startswith("int"):
        return rng.integers(0, vocabulary or DEFAULT_VOCABULARY, size=(rows, *shape)).astype(dtype)
    return rng.standard_normal((rows, *shape), dtype=np.float32).astype(dtype)


def make_targets(loss: str, output_shape: tuple[int, ...], rows: int, seed: int) -> np.ndarray:
    """Integer labels (classification), a float target of the output's shape (regression), or zeros (sum)."""
    rng = np.random.default_rng(seed + 1)
    if loss == "classification":
        return rng.integers(0, output_shape[0], size=rows).astype(np.int64)
    if loss == "regression":
        return rng.standard_normal((rows, *output_shape), dtype=np.float32)
    return np.zeros((rows, 1), dtype=np.float32)


# --- timing: the speed probe's protocol, with the model's own FLOP count


class OwnSession(Protocol):
    batch_size: int

    def first_step(self) -> float: ...

    def steps(self, n: int) -> float: ...

    def infer(self, rows: int) -> float: ...

    def device_peak_mb(self) -> float | None: ...


def measure_session(session: OwnSession, settings: Mapping[str, Any], flops_per_sample: float | None) -> dict:
    """Time one case in this process as the speed probe times a reference model (probes/kinds/speed.py), its
    inference at least three times whatever the budget (a user's model's latency is one of its findings)."""
    flops = int(flops_per_sample) if flops_per_sample else None
    return time_session(session, settings, flops, max(3, int(settings.get("infer_repeats") or 0)))


def timed_build(build: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    built = build()
    return built, time.perf_counter() - start


# --- deployment routes: the export probe's code for each path, on generated inputs


def parity_words(loss: str, rows: int) -> str:
    words = f"the same generated inputs on both sides (a batch of 16 for max |Δ|, {rows} for int8)"
    if loss == "classification":
        return words + "; int8 'accuracy' is the share where the int8 file picks the original model's class"
    return words + "; int8 agreement compares the arg-max of outputs that are not class scores: read max |Δ| instead"


def route_workspace(
    framework: str, batch: np.ndarray, expected: np.ndarray, parity_x: np.ndarray, parity: Any, calibration: np.ndarray
) -> Any:
    """The export probe's workspace for the user's model: its batch and outputs, the generated inputs calibrated
    int8 observes, and for int8 the parity inputs with the original model's classes as their labels (there are
    no true labels)."""
    from probes.kinds import export

    labels = np.argmax(np.asarray(parity), axis=-1)
    return export.Workspace(framework, batch, expected, (parity_x, labels), calibration, OWN_MODEL)


def measure_route(routable: Callable[[], Mapping[str, Any]], case: str) -> dict[str, Any]:
    """One route of the user's model, as a framework's own_export measure() result: `routable` gives the child's
    state once (its paths, workspace, variant and the facts every route adds); a model that cannot take routes
    is skipped, one that breaks is failed, each with its reason."""
    try:
        state = routable()
    except NotRoutable as why:
        return skipped(str(why))
    except OwnModelError as why:
        return failed(str(why))
    return run_route(state["workspace"], state["paths"][case], state["variant"], state["extra"])


def run_route(workspace: Any, path: Any, variant_id: str, extra: Mapping[str, Any]) -> dict[str, Any]:
    """One route through probes/kinds/export.py's run_path: export, reload in the runtime, browser, int8."""
    from probes.kinds import export

    measured = plain(export.run_path(workspace, path, variant_id))
    facts = {**plain(measured.get("facts", {})), **extra}
    method = facts.get("int8_method")
    if isinstance(method, str):  # the reference CNN calibrates on training images; the user's model on ours
        facts["int8_method"] = method.replace("training images", "the probe's generated inputs")
    return {**measured, "facts": facts}


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def plain(values: Mapping[str, Any]) -> dict[str, Any]:
    """Converter messages without their terminal colours (torch.onnx colours its steps)."""
    return {k: ANSI.sub("", v) if isinstance(v, str) else v for k, v in values.items()}


# --- filing a child's outputs (probes/collector.py)


def fold(case: str, output: Mapping[str, Any] | None, child: Mapping[str, Any], failure: Failure | None) -> list[Filed]:
    """A trained case gets its process's import time and library footprint; a case that does not apply is
    skipped (not failed); the rest is filed the shared way."""
    if output is not None and output.get("status") == "skipped":  # an option or route that does not apply
        return [Filed(case, facts=output.get("facts") or {}, failure=("skipped", str(output.get("reason"))))]
    filed = folding.fold(case, output, child, failure)
    if not filed or filed[0].failure is not None or "train_samples_per_s" not in filed[0].samples:
        return filed
    samples = dict(filed[0].samples)
    if child.get("import_s") is not None:
        samples["import_s"] = [child["import_s"]]
    if child.get("baseline_rss_mb") is not None:
        samples["baseline_rss_mb"] = [child["baseline_rss_mb"]]
    return [Filed(case, samples, filed[0].facts)]


def finish(result: Any, environment: Mapping[str, Any]) -> Any:
    """A measured case with its share of the run's matmul peak (probes/peak.py), as the speed probe's."""
    return with_utilisation(result, environment.get("matmul_peak") or {}) if result.ok else result


FILING = folding.Filing(fold, (), finish)
EXPORT_FILING = folding.Filing(fold)  # its routes: a route that does not apply is skipped, not failed
