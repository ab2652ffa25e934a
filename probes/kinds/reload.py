"""Reload exported models in a fresh process: the test a deployment target would run.

    python -m probes.kinds.reload        (requests on stdin, one JSON line each; replies likewise)

The export probe starts this once per child and sends it every artifact it wrote into its own
temporary folder (nothing else is ever loaded here). This process never built the model, so a
path that reloads here works without the training process. Each artifact is first reloaded with
every framework's reference script (`probes.<framework>.reference`) made unimportable: if that
fails and a second try with them succeeds, the path needs the original Python class. Outputs on
the saved batch go to a .npy file for the export probe to compare. Frameworks print freely, so
replies use a private copy of stdout and everything else goes to stderr.
"""

from __future__ import annotations

import importlib
import importlib.abc
import json
import os
import re
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import ModuleType
from typing import Any

import numpy as np

from probes.contract import export_probe

REFERENCE_MODULE = re.compile(r"^probes\.\w+\.reference$")  # every framework's reference script
EXPORT_FOLDER_PREFIX = "advisor-export-"
Loader = Callable[[str, np.ndarray], np.ndarray]  # the export probes' tempfile.TemporaryDirectory prefix


def _is_reference(name: str) -> bool:
    return bool(REFERENCE_MODULE.match(name))


class _HideReference(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None) -> None:
        if _is_reference(fullname):
            raise ModuleNotFoundError(f"No module named {fullname!r} (hidden: the original class is unavailable)")
        return None


@contextmanager
def reference_hidden() -> Iterator[None]:
    """The reference scripts cannot be imported inside this block, as on a machine without them."""
    saved = {name: sys.modules.pop(name) for name in list(sys.modules) if _is_reference(name)}
    finder = _HideReference()
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
        for name in [n for n in sys.modules if _is_reference(n)]:
            del sys.modules[name]
        sys.modules.update(saved)


# --- loaders: (artifact path, input batch) -> outputs. Every path is an artifact the export probe
# just wrote into its own TemporaryDirectory. The runtimes a deployment target runs, whichever
# framework exported the file, are here as openers (artifact -> a function of a batch), so the same
# loaded file can be timed and checked on the test set; each framework's own formats are loaded by
# the LOADERS of its export module, and a runtime only some frameworks feed (ExecuTorch) by its
# OPENERS (the ReloadProbe of probes/contract.py).

Opener = Callable[[str], Callable[[np.ndarray], np.ndarray]]
TIMED_CALLS = 20
TIMED_BUDGET_S = 0.25  # a slow runtime stops sooner: at least MIN_TIMED_CALLS calls, then until this is spent
MIN_TIMED_CALLS = 5


def open_onnx(path: str) -> Callable[[np.ndarray], np.ndarray]:
    import onnxruntime

    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    return lambda batch: np.asarray(session.run(None, {name: batch})[0])


def open_tflite(path: str) -> Callable[[np.ndarray], np.ndarray]:
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=path)
    inputs, outputs = interpreter.get_input_details()[0], interpreter.get_output_details()[0]
    shape: list[tuple[int, ...]] = []

    def run(batch: np.ndarray) -> np.ndarray:
        if shape != [batch.shape]:
            interpreter.resize_tensor_input(inputs["index"], batch.shape)
            interpreter.allocate_tensors()
            shape[:] = [batch.shape]
        interpreter.set_tensor(inputs["index"], batch)
        interpreter.invoke()
        return np.array(interpreter.get_tensor(outputs["index"]))

    return run


RUNTIME_OPENERS: dict[str, tuple[str, Opener]] = {"onnx": ("onnxruntime", open_onnx), "tflite": ("litert", open_tflite)}


def opener_for(framework: str, path_id: str) -> tuple[str, Opener] | None:
    """(runtime name, opener) when the path's file runs in a deployment runtime, else None."""
    return export_probe(framework).OPENERS.get(path_id) or RUNTIME_OPENERS.get(path_id)


def loader_for(framework: str, path_id: str) -> Loader:
    """The framework's own loader for the path, else its runtime's; KeyError when neither has one."""
    own = export_probe(framework).LOADERS
    if path_id in own:
        return own[path_id]
    found = opener_for(framework, path_id)
    if found is None:
        raise KeyError(path_id)
    opener = found[1]
    return lambda path, batch: opener(path)(batch)


def median_call_ms(run: Callable[[np.ndarray], np.ndarray], batch: np.ndarray, calls: int = TIMED_CALLS) -> float:
    """Median milliseconds of one call on the batch, after one untimed call (fewer calls for a slow runtime)."""
    run(batch)
    samples: list[float] = []
    while len(samples) < calls and (len(samples) < MIN_TIMED_CALLS or sum(samples) < TIMED_BUDGET_S * 1000):
        start = time.perf_counter()
        run(batch)
        samples.append((time.perf_counter() - start) * 1000)
    return float(np.median(samples))


def predictions(run: Callable[[np.ndarray], np.ndarray], x: np.ndarray, rows: int) -> np.ndarray:
    """The predicted class of every row of x, `rows` at a time (files with a fixed batch get full batches)."""
    found = []
    for start in range(0, len(x), rows):
        chunk = x[start : start + rows]
        padded = (
            np.concatenate([chunk, np.repeat(chunk[-1:], rows - len(chunk), axis=0)]) if len(chunk) < rows else chunk
        )
        found.append(np.argmax(run(np.ascontiguousarray(padded)), axis=-1)[: min(rows, len(x) - start)])
    return np.concatenate(found)


def evaluate(request: dict[str, Any]) -> dict[str, Any]:
    """Time a runtime file on the batch, save its outputs, and its predictions on the test set (the int8 check)."""
    if not _own_artifact(request["artifact"]):
        return {"ok": False, "error": f"refused: {request['artifact']} is not in an export probe's folder"}
    found = opener_for(request["framework"], request["path_id"])
    if found is None:
        return {"ok": False, "error": f"no runtime opens {request['path_id']} files"}
    batch = np.load(request["batch"])
    run = found[1](request["artifact"])
    np.save(request["outputs"], np.asarray(run(batch), dtype=np.float32))
    reply: dict[str, Any] = {"ok": True, "runtime": found[0], "call_ms": median_call_ms(run, batch)}
    if request.get("test_x"):
        np.save(request["predictions"], predictions(run, np.load(request["test_x"]), len(batch)))
    return reply


def exception_line(exc: BaseException) -> str:
    """An exception in one line for a record: its type and its message's first line that says something,
    terminal colour codes removed, at most 300 characters. The export child and this process both use it."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(exc))
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    return f"{type(exc).__name__}: {line}"[:300] if line else type(exc).__name__


def _own_artifact(path: str) -> bool:
    """Only artifacts inside an export probe's own temporary folder (advisor-export-*) are loaded."""
    import tempfile

    real = os.path.realpath(path)
    root = os.path.realpath(tempfile.gettempdir())
    parts = os.path.relpath(real, root).split(os.sep)
    return not parts[0].startswith("..") and parts[0].startswith(EXPORT_FOLDER_PREFIX)


def reload(request: dict[str, Any]) -> dict[str, Any]:
    """Reload one artifact, first without the original class, then with it; save the outputs."""
    if not _own_artifact(request["artifact"]):
        return {"reload_ok": False, "error": f"refused: {request['artifact']} is not in an export probe's folder"}
    loader = loader_for(request["framework"], request["path_id"])
    own = export_probe(request["framework"])
    batch = np.load(request["batch"])
    reply: dict[str, Any] = {}
    checks = own.RELOAD_CHECKS
    if request["path_id"] in checks:  # what the framework's default load does first (e.g. torch.load's refusal)
        reply.update(checks[request["path_id"]](request["artifact"]))
    start = time.perf_counter()
    errors = []
    for hide in (True, False):
        try:
            if hide:
                with reference_hidden():
                    outputs = loader(request["artifact"], batch)
            else:
                outputs = loader(request["artifact"], batch)
        except Exception as exc:  # noqa: BLE001 - a failed reload is the finding
            errors.append(exception_line(exc))
            reply["traceback_tail"] = traceback.format_exc(limit=-3)[-1500:]
            continue
        np.save(request["outputs"], np.asarray(outputs, dtype=np.float32))
        reply.update(reload_ok=True, needs_python_class=not hide, reload_s=time.perf_counter() - start)
        if request["path_id"] not in own.LOADERS and (found := opener_for(request["framework"], request["path_id"])):
            reply.update(runtime=found[0], call_ms=median_call_ms(found[1](request["artifact"]), batch))
        if not hide:
            reply["without_class_error"] = errors[0]
        reply.pop("traceback_tail", None)
        return reply
    reply.update(reload_ok=False, needs_python_class=None, error=errors[-1], without_class_error=errors[0])
    return reply


def main() -> int:
    replies = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # anything printed from here on (frameworks, C libraries) goes to stderr
    sys.stdout = sys.stderr
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        try:
            reply = evaluate(request) if request.get("op") == "evaluate" else reload(request)
        except Exception as exc:  # noqa: BLE001 - never die on one artifact
            reply = {"reload_ok": False, "error": exception_line(exc)}
        replies.write(json.dumps(reply) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
