"""Deployment, measured: export the trained reference CNN by one path, reload it in a fresh process, compare.

Each framework's export module (probes/<framework>/export.py) trains the CNN once per child and
gives one export function per path, and the loaders that reload its own formats; this module runs
a path the same way for every framework: skip it as "not_installed" (with what to install) when a
module it needs is missing, time the export, size the artifact, reload it in the fresh reload
process (probes/kinds/reload.py) and compare its outputs with the original model's on the same
batch. A Python reload is not what a phone or a browser runs, so a file that has a deployment
runtime (knowledge/export_paths.yaml's `runtimes`) is also timed there: the reload process runs
ONNX Runtime, LiteRT's interpreter and ExecuTorch themselves, and a browser runtime runs it in a
page in headless Chromium (probes/kinds/browser.py). Where the path offers post-training int8
quantisation (ExportPath.int8, or QUANTIZERS for a format every exporter shares), it is the same
method on every route: calibrated static int8 (weights and activations), calibrated on the same
CALIBRATION_BATCHES of training images (the Workspace's); the int8 file is sized and both files
predict the digits test set in the same runtime. The browser run and the int8 file are the path's
extras (EXPORT_EXTRAS): a run measures those its settings name (probes/plan.py: the ones the user's
deployment target makes relevant, or every one in thorough). Artifacts live in one
tempfile.TemporaryDirectory per child, deleted when the child ends; nothing else is loaded.
"""

from __future__ import annotations

import atexit
import importlib.util
import json
import select
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from probes.kinds import browser
from probes.kinds.reload import EXPORT_FOLDER_PREFIX, exception_line
from probes.user_model import OWN_MODEL

RELOAD_TIMEOUT_S = 120.0
CALIBRATION_BATCHES = 4  # batches of training images every calibrated int8 method observes
# The models whose int8 files are made and compared: the CNN, on every route. Not the LSTM: LiteRT's calibrated
# converter (TensorFlow 2.21) kills the process on the Keras LSTM, which would take the child's other paths with it.
INT8_MODELS = ("cnn", OWN_MODEL)  # the reference CNN, whose routes are scored, and the user's own model
# What a path adds to its export, reload and parity check, when the run's settings name it (`export_extras`).
EXPORT_EXTRAS = ("int8", "browser")
Calibration = Sequence[np.ndarray]  # those batches, in the model's input layout
# (float artifact, int8 artifact to write, calibration batches) -> the method's name
Quantize = Callable[[Path, Path, Calibration], str]


@dataclass(frozen=True)
class ExportPath:
    id: str
    file_name: str  # artifact name in the temporary folder (a folder for SavedModel, TF.js)
    export: Callable[[Path], dict[str, Any] | None]  # writes the artifact; may return facts about it
    needs: Sequence[str] = ()  # optional modules, checked without importing them
    int8: Quantize | None = None  # post-training int8 quantisation the path offers (else QUANTIZERS')


def quantize_onnx(source: Path, target: Path, calibration: Calibration) -> str:
    """ONNX Runtime's own calibrated static int8, the same for every exporter's file."""
    import onnxruntime
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static

    name = onnxruntime.InferenceSession(str(source), providers=["CPUExecutionProvider"]).get_inputs()[0].name

    class Batches(CalibrationDataReader):
        def __init__(self) -> None:
            self.left = iter(calibration)

        def get_next(self) -> dict[str, np.ndarray] | None:
            batch = next(self.left, None)
            return None if batch is None else {name: batch}

    quantize_static(
        str(source),
        str(target),
        Batches(),
        quant_format=QuantFormat.QDQ,
        activation_type=QuantType.QInt8,
        weight_type=QuantType.QInt8,
    )
    return f"static int8 (ONNX Runtime quantize_static, QDQ, calibrated on {images(calibration)} training images)"


def images(calibration: Calibration) -> int:
    return sum(len(batch) for batch in calibration)


QUANTIZERS: dict[str, Quantize] = {"onnx": quantize_onnx}  # by path, whichever framework exported the file


def export_cases(models: Sequence[str], paths: Sequence[str]) -> list[tuple[str, str]]:
    """Every path for every model the run exports (the budget's export_models: the CNN in standard, the
    LSTM and the transformer too in thorough, probes/budgets.py)."""
    return [(model, path) for model in models for path in paths]


def path_info(path_id: str, variant: str | None = None) -> dict[str, Any]:
    """The path's entry in knowledge/export_paths.yaml, with what it says for this variant resolved.

    `install` (what to install when a module is missing) and `note` (why a path fails or cannot be
    installed here, and what would fix it) may differ per variant: `install_by_variant` and `notes`.
    """
    from knowledge import load

    info = dict(load("export_paths")["paths"].get(path_id) or {})
    info["install"] = (info.get("install_by_variant") or {}).get(variant) or info.get("install")
    info["note"] = (info.get("notes") or {}).get(variant)
    return info


def as_input(array: Any) -> np.ndarray:
    """A model input as the runtimes take it: float32 images and features, token ids in their integer type."""
    array = np.asarray(array)
    return np.ascontiguousarray(array, dtype=array.dtype if array.dtype.kind in "iu" else np.float32)


def missing_modules(names: Sequence[str]) -> list[str]:
    missing = []
    for name in names:
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            missing.append(name)
    return missing


def size_bytes(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size


class Workspace:
    """The child's temporary folder, the batch both sides run, the test set, and the fresh reload process."""

    def __init__(
        self,
        framework: str,
        batch: np.ndarray,
        expected: np.ndarray,
        test: tuple[np.ndarray, np.ndarray] | None = None,
        calibration: np.ndarray | None = None,
        model: str = "cnn",
    ):
        self.framework = framework  # whose export module holds the loaders of its own formats
        self.model = model  # the reference model the files hold
        self._folder = tempfile.TemporaryDirectory(prefix=EXPORT_FOLDER_PREFIX)
        self.folder = Path(self._folder.name)
        self.batch = as_input(batch)
        self.batch_path = self.folder / "batch.npy"
        np.save(self.batch_path, self.batch)
        self.expected = np.asarray(expected, dtype=np.float32)
        self.test_x_path: Path | None = None
        self.test_y: np.ndarray | None = None
        if test is not None:  # the digits test set in the model's input layout, for the int8 check
            self.test_x_path = self.folder / "test_x.npy"
            np.save(self.test_x_path, as_input(test[0]))
            self.test_y = np.asarray(test[1])
        # The training images every calibrated int8 method observes, in batches of the probe's batch size.
        rows = len(self.batch)
        train = as_input(calibration) if calibration is not None else self.batch[:0]
        self.calibration = [train[i : i + rows] for i in range(0, len(train) - rows + 1, rows)][:CALIBRATION_BATCHES]
        self._process: subprocess.Popen | None = None
        self.died = ""  # why the reload process last died
        atexit.register(self.close)

    def _reloader(self) -> subprocess.Popen:
        if self._process is None or self._process.poll() is not None:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "probes.kinds.reload"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                bufsize=1,
            )
        return self._process

    def _ask(self, request: dict[str, Any]) -> dict[str, Any] | None:
        """One request to the reload process; None (and a fresh process next time) when it died or hung."""
        process = self._reloader()
        try:
            process.stdin.write(json.dumps(request) + "\n")
            process.stdin.flush()
            ready, _, _ = select.select([process.stdout], [], [], RELOAD_TIMEOUT_S)
            line = process.stdout.readline() if ready else ""
        except (BrokenPipeError, OSError):
            line = ""
        if line:
            return json.loads(line)
        if process.poll() is None:
            process.kill()
            process.wait()
            self.died = f"no reply within {RELOAD_TIMEOUT_S:.0f} s"
        else:
            self.died = f"exit code {process.returncode}"
        self._process = None
        return None

    def _compare(self, outputs: Path) -> tuple[float | None, str | None]:
        got = np.load(outputs)
        if got.shape != self.expected.shape:
            return None, f"outputs have shape {got.shape}, expected {self.expected.shape}"
        if not np.all(np.isfinite(got)):
            return None, f"outputs are not finite ({int(np.sum(~np.isfinite(got)))} NaN or infinite values)"
        return float(np.max(np.abs(got - self.expected))), None

    def reload(self, path_id: str, artifact: Path) -> dict[str, Any]:
        """Ask the fresh process to reload the artifact; never raises, a crash is a failed reload."""
        outputs = self.folder / f"outputs-{path_id}.npy"
        request = {
            "framework": self.framework,
            "path_id": path_id,
            "artifact": str(artifact),
            "batch": str(self.batch_path),
            "outputs": str(outputs),
        }
        reply = self._ask(request)
        if reply is None:
            return {"reload_ok": False, "error": f"the reload process died ({self.died})"}
        if reply.get("reload_ok"):
            diff, error = self._compare(outputs)
            if error:
                reply.update(reload_ok=False, error=f"reloaded {error}")
            else:
                reply["max_abs_diff"] = diff
        return reply

    def evaluate(self, path_id: str, artifact: Path) -> dict[str, Any]:
        """The file in its runtime: ms per call, max |Δ| on the batch, accuracy on the test set; never raises."""
        stem = f"{path_id}-{artifact.stem}"
        request = {
            "op": "evaluate",
            "framework": self.framework,
            "path_id": path_id,
            "artifact": str(artifact),
            "batch": str(self.batch_path),
            "outputs": str(self.folder / f"outputs-{stem}.npy"),
            "test_x": str(self.test_x_path) if self.test_x_path else None,
            "predictions": str(self.folder / f"predictions-{stem}.npy"),
        }
        reply = self._ask(request)
        if reply is None:
            return {"ok": False, "error": f"the reload process died ({self.died})"}
        if reply.get("ok"):
            reply["max_abs_diff"], error = self._compare(Path(request["outputs"]))
            if error:
                reply.update(ok=False, error=error)
            elif self.test_y is not None:
                reply["predictions"] = np.load(request["predictions"])
                reply["accuracy"] = float(np.mean(reply["predictions"] == self.test_y))
        return reply

    def close(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.stdin.close()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
        self._process = None
        self._folder.cleanup()


def close_all(workspaces: Any) -> None:
    """Close the workspaces of models already exported: a child keeps one model's files and reload process."""
    for workspace in list(workspaces):
        workspace.close()


def run_in_browser(workspace: Workspace, runtime: str, artifact: Path) -> dict[str, Any]:
    """The browser_* facts of the artifact run in headless Chromium against the original outputs."""
    result = browser.run_in_browser(runtime, artifact, workspace.batch)
    facts: dict[str, Any] = {"browser_runtime": runtime}
    if result.get("not_installed"):
        return facts | {"browser_error": result["error"], "browser_install_hint": result["install_hint"]}
    facts.update(browser_model_bytes=result.get("model_bytes"), browser_runtime_bytes=result.get("runtime_bytes"))
    if not result.get("ok"):
        return facts | {"browser_ok": False, "browser_error": str(result.get("error"))[:300]}
    got = np.asarray(result["outputs"], dtype=np.float32)
    if got.size != workspace.expected.size:
        return facts | {"browser_ok": False, "browser_error": f"the page gave {got.size} outputs"}
    if not np.all(np.isfinite(got)):
        return facts | {"browser_ok": False, "browser_error": "the page gave NaN or infinite outputs"}
    return facts | {
        "browser_ok": True,
        "browser_max_abs_diff": float(np.max(np.abs(got.reshape(workspace.expected.shape) - workspace.expected))),
        "browser_call_ms": round(float(np.median(result["call_ms"])), 3),
        "browser_load_ms": round(float(result["load_ms"]), 1),
    }


def int8_offered(workspace: Workspace, path: ExportPath) -> bool:
    """Whether the path has a calibrated int8 method and the workspace's model is one int8 is compared on."""
    return (path.int8 or QUANTIZERS.get(path.id)) is not None and workspace.model in INT8_MODELS


def quantized(workspace: Workspace, path: ExportPath, artifact: Path) -> dict[str, Any]:
    """The int8_* facts: quantise the float file, run both in the runtime on the test set, compare."""
    quantize = path.int8 or QUANTIZERS.get(path.id)
    if quantize is None or workspace.model not in INT8_MODELS:
        return {}
    target = artifact.with_name(f"{artifact.stem}-int8{artifact.suffix}")
    try:
        method = quantize(artifact, target, workspace.calibration)
    except Exception as exc:  # noqa: BLE001 - a failed quantisation is the finding
        return {"int8_error": f"quantisation failed: {exception_line(exc)}"}
    facts: dict[str, Any] = {
        "int8_method": method,
        "int8_size_bytes": size_bytes(target),
        "int8_calibration_images": images(workspace.calibration),
    }
    base, int8 = workspace.evaluate(path.id, artifact), workspace.evaluate(path.id, target)
    if not (base.get("ok") and int8.get("ok")):
        return facts | {"int8_error": f"the int8 file did not run: {int8.get('error') or base.get('error')}"}
    facts.update(
        int8_max_abs_diff=int8["max_abs_diff"],
        int8_call_ms=round(int8["call_ms"], 3),
        float_accuracy=base.get("accuracy"),
        int8_accuracy=int8.get("accuracy"),
    )
    if "predictions" in base and "predictions" in int8:
        facts["int8_agreement"] = float(np.mean(base["predictions"] == int8["predictions"]))
    return facts


def extras_of(settings: dict[str, Any]) -> tuple[str, ...]:
    """The extras a run's settings name; every one where they name none (a request from before the setting)."""
    named = settings.get("export_extras")
    return EXPORT_EXTRAS if named is None else tuple(e for e in EXPORT_EXTRAS if e in named)


def run_path(
    workspace: Workspace, path: ExportPath, variant: str, extras: Sequence[str] = EXPORT_EXTRAS
) -> dict[str, Any]:
    """One export path of `variant` end to end, as the worker's measure() result (status, reason, facts),
    with the `extras` asked for (the browser run, the int8 file)."""
    info = path_info(path.id, variant)
    facts: dict[str, Any] = {
        "label": info.get("label", path.id),
        "export_s": None,
        "size_bytes": None,
        "reload_ok": None,
        "max_abs_diff": None,
        "needs_python_class": None,
        "error": None,
        "install_hint": None,
    }
    if info["note"]:
        facts["note"] = " ".join(info["note"].split())
    missing = missing_modules(path.needs)
    if missing:
        hint = info.get("install") or f"pip install {' '.join(missing)}"
        facts.update(install_hint=hint, missing=missing)
        return {"status": "not_installed", "reason": f"{', '.join(missing)} not installed", "facts": facts}
    artifact = workspace.folder / path.file_name
    start = time.perf_counter()
    try:
        made = path.export(artifact) or {}
    except Exception as exc:  # noqa: BLE001 - a failed export is the finding
        facts.update(export_s=round(time.perf_counter() - start, 3), error=exception_line(exc))
        return {"status": "failed", "reason": f"export failed: {facts['error']}", "facts": facts}
    facts.update(made, export_s=round(time.perf_counter() - start, 3), size_bytes=size_bytes(artifact))
    reply = workspace.reload(path.id, artifact)
    facts.update(
        reload_ok=bool(reply.get("reload_ok")),
        max_abs_diff=reply.get("max_abs_diff"),
        needs_python_class=reply.get("needs_python_class"),
        reload_s=round(reply["reload_s"], 3) if reply.get("reload_s") is not None else None,
        error=reply.get("error"),
    )
    for key in ("default_load_ok", "default_load_error", "without_class_error", "runtime", "batch", "batch_check"):
        if key in reply:
            facts[key] = reply[key]
    if reply.get("call_ms") is not None:
        facts["call_ms"] = round(reply["call_ms"], 3)
    if not facts["reload_ok"]:
        return {"status": "failed", "reason": f"reload failed: {facts['error']}", "facts": facts}
    runtime = (info.get("runtimes") or {}).get("browser")
    offered = {"browser": runtime in browser.RUNTIMES, "int8": int8_offered(workspace, path)}
    if offered["browser"] and "browser" in extras:
        facts.update(run_in_browser(workspace, runtime, artifact))
    if offered["int8"] and "int8" in extras:
        facts.update(quantized(workspace, path, artifact))
    not_run = [extra for extra in EXPORT_EXTRAS if offered[extra] and extra not in extras]
    if not_run:
        facts["not_run"] = not_run  # left out by this run's budget: not measured, not failed
    return {"status": "ok", "facts": facts}
