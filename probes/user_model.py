"""The user's own model, as the command line names it: what it is, how to feed it, and what is refused.

`--model` takes exactly two things, each loaded only in probe children (the user's code never runs
in the CLI process, which opens nothing here but reads names):

- a Keras 3 file (`.keras`), loaded with `safe_mode=True` unless `--unsafe-model` says otherwise, and
  measured on every Keras backend installed (TensorFlow, PyTorch, JAX): a `.keras` file loads on any;
- a PyTorch model as `FILE.py:FUNCTION`, a function that returns an `nn.Module`, measured eager and
  with the named options (torch.compile, channels_last, fused Adam).

Anything else is refused here with one line saying what to pass instead: a pickled `.pt`/`.pth` runs
code from the file when loaded, a TorchScript or torch.export file or a SavedModel is a traced graph
that no other backend trains, an `.onnx`/`.tflite`/`.pte` is already an exported file. Whether the
file exists, loads and trains is found out by the children, and a model that fails is recorded with
its reason while the rest of the run goes on (probes/kinds/own_model.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

OWN_MODEL = "own"  # the `model` of every result measured on the user's model
OWN_KINDS = ("own_model", "own_export")  # its training and inference, timed; its deployment routes
LOSSES = ("auto", "classification", "regression", "sum")
DTYPES = ("float32", "int32", "int64")
UNSAFE_FLAG = "--unsafe-model"
CODE_FLAG = "--model-code"
INPUT_FLAG = "--model-input"
# The deployment routes tried on the user's model: the files a deployment runtime runs (ONNX Runtime,
# and ONNX Runtime Web in Chromium; LiteRT, and LiteRT.js in Chromium; ExecuTorch), each through the
# export probe's own code for that path (probes/<framework>/export.py).
OWN_ROUTES = ("onnx", "tflite", "executorch")
ROUTE_WEIGHT = 1.0  # a route weighing at least this for the user's target (knowledge/export_paths.yaml) is tried
VARIANTS_BY_KIND = {
    "keras": ("keras-tensorflow", "keras-torch", "keras-jax"),  # a .keras file loads on every backend
    "pytorch": ("torch",),
}

PASS_CODE = "pass the code that builds it instead: --model model.py:build_model (a function returning the nn.Module)"
PASS_KERAS = "save it with model.save('model.keras') and pass that file"
REFUSED_SUFFIXES = {
    ".pt": f"a .pt file is a pickle (torch.save) or TorchScript, and a pickle runs code from the file: {PASS_CODE}",
    ".pth": f"a .pth file is a pickle (torch.save), and loading a pickle runs code from the file: {PASS_CODE}",
    ".bin": f"a .bin checkpoint is a pickle, and loading a pickle runs code from the file: {PASS_CODE}",
    ".ckpt": f"a .ckpt checkpoint is a pickle, and loading a pickle runs code from the file: {PASS_CODE}",
    ".pkl": f"a pickle runs code from the file when loaded: {PASS_CODE}, or {PASS_KERAS}",
    ".pickle": f"a pickle runs code from the file when loaded: {PASS_CODE}, or {PASS_KERAS}",
    ".joblib": f"a joblib file is a pickle, which runs code when loaded: {PASS_CODE}, or {PASS_KERAS}",
    ".pt2": f"a torch.export program (.pt2) is a traced graph, not a model to train: {PASS_CODE}",
    ".ptl": f"a TorchScript file is a traced graph, not a model to train: {PASS_CODE}",
    ".torchscript": f"a TorchScript file is a traced graph, not a model to train: {PASS_CODE}",
    ".pb": f"a SavedModel is a traced graph that only TensorFlow runs: {PASS_KERAS}",
    ".h5": f"a legacy HDF5 Keras file cannot be loaded under safe mode: {PASS_KERAS}",
    ".hdf5": f"a legacy HDF5 Keras file cannot be loaded under safe mode: {PASS_KERAS}",
    ".onnx": "an ONNX file is already exported: pass the model it came from (a .keras file or model.py:build_model)",
    ".tflite": "a LiteRT file is already exported: pass the model it came from (a .keras file or model.py:build_model)",
    ".pte": "an ExecuTorch file is already exported: pass the model it came from (model.py:build_model)",
}
FUNCTION_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class UserModel:
    """The user's model and how to feed it, as the probe children receive it in their settings."""

    source: str  # as the user wrote it: "net.keras", "models.py:build"
    kind: str  # keras | pytorch
    path: str  # the file, absolute
    function: str | None = None  # pytorch: the function that returns the nn.Module
    input_shape: tuple[int, ...] | None = None  # one sample's shape, without the batch; None: read from the model
    input_dtype: str | None = None  # None: read from the model (float32 when it does not say)
    loss: str = "auto"  # classification | regression | sum | auto (chosen from the outputs, and said)
    batch_size: int | None = None  # the user's batch; None: the budget's
    code: str | None = None  # a .py file imported before a .keras file is loaded (its custom layers)
    unsafe: bool = False  # load a .keras file with safe_mode=False (Lambda layers run code from the file)
    target: str | None = None  # the deployment target its routes are picked for; None: every route

    @property
    def name(self) -> str:
        """What the report calls it: the file's name, and the function for a PyTorch model."""
        return Path(self.path).name + (f":{self.function}" if self.function else "")

    @property
    def variants(self) -> tuple[str, ...]:
        """The variants it runs on: every Keras backend for a .keras file, PyTorch for a module."""
        return VARIANTS_BY_KIND[self.kind]

    @property
    def routes(self) -> tuple[str, ...]:
        """The deployment routes tried: those that matter for the target (all of them when none is given)."""
        return routes_for(self.target)

    def for_target(self, target: str | None) -> UserModel:
        return replace(self, target=target)

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "kind": self.kind,
            "path": self.path,
            "function": self.function,
            "input_shape": list(self.input_shape) if self.input_shape is not None else None,
            "input_dtype": self.input_dtype,
            "loss": self.loss,
            "batch_size": self.batch_size,
            "code": self.code,
            "unsafe": self.unsafe,
            "target": self.target,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> UserModel:
        shape = data.get("input_shape")
        return cls(
            source=str(data["source"]),
            kind=str(data["kind"]),
            path=str(data["path"]),
            function=data.get("function"),
            input_shape=tuple(int(d) for d in shape) if shape is not None else None,
            input_dtype=data.get("input_dtype"),
            loss=str(data.get("loss") or "auto"),
            batch_size=data.get("batch_size"),
            code=data.get("code"),
            unsafe=bool(data.get("unsafe")),
            target=data.get("target"),
        )


def routes_for(target: str | None) -> tuple[str, ...]:
    """The routes of OWN_ROUTES that weigh at least ROUTE_WEIGHT for the target (every one without a target)."""
    if target is None:
        return OWN_ROUTES
    from knowledge import load

    paths = load("export_paths")["paths"]
    return tuple(r for r in OWN_ROUTES if float((paths[r].get("weights") or {}).get(target, 0.0)) >= ROUTE_WEIGHT)


def user_model(
    text: str,
    input_spec: str | None = None,
    loss: str | None = None,
    batch_size: int | None = None,
    code: str | None = None,
    unsafe: bool = False,
) -> UserModel:
    """The --model option and its companions, checked by name only; ValueError in the "Expected ... Received" form."""
    text = text.strip()
    kind, path, function = _kind_of(text)
    shape, dtype = parse_input(input_spec) if input_spec else (None, None)
    chosen_loss = (loss or "auto").strip().lower()
    if chosen_loss not in LOSSES:
        raise ValueError(f"option --model-loss must be one of {', '.join(LOSSES)}. Received: {loss!r}")
    if batch_size is not None and batch_size < 1:
        raise ValueError(f"option --model-batch must be a positive number of samples. Received: {batch_size}")
    if code is not None:
        if kind != "keras":
            raise ValueError(f"option {CODE_FLAG} is for a .keras file's custom layers. Received it with {text!r}")
        if not code.endswith(".py"):
            raise ValueError(f"option {CODE_FLAG} must name a .py file. Received: {code!r}")
        code = str(Path(code).expanduser().resolve())
    return UserModel(text, kind, path, function, shape, dtype, chosen_loss, batch_size, code, unsafe)


def _kind_of(text: str) -> tuple[str, str, str | None]:
    """(kind, absolute path, function) of a --model value, or ValueError saying what to pass instead."""
    if not text:
        raise ValueError("option --model must name a .keras file or FILE.py:FUNCTION. Received: ''")
    file_part, sep, function = text.rpartition(":")
    if sep and file_part.endswith(".py"):
        if not FUNCTION_NAME.match(function):
            raise ValueError(f"option --model must be FILE.py:FUNCTION with FUNCTION a Python name. Received: {text!r}")
        return "pytorch", str(Path(file_part).expanduser().resolve()), function
    path = Path(text).expanduser()
    suffix = path.suffix.lower()
    if suffix == ".keras":
        return "keras", str(path.resolve()), None
    if suffix == ".py":
        raise ValueError(
            f"option --model: name the function that returns the model: {text}:build_model. Received: {text!r}"
        )
    if path.is_dir():
        if (path / "saved_model.pb").exists():
            raise ValueError(f"option --model: {REFUSED_SUFFIXES['.pb']}. Received: a SavedModel folder, {text!r}")
        raise ValueError(f"option --model must name a .keras file or FILE.py:FUNCTION. Received: a folder, {text!r}")
    if suffix in REFUSED_SUFFIXES:
        raise ValueError(f"option --model: {REFUSED_SUFFIXES[suffix]}. Received: {text!r}")
    raise ValueError(f"option --model must name a .keras file or FILE.py:FUNCTION. Received: {text!r}")


def parse_input(spec: str) -> tuple[tuple[int, ...], str | None]:
    """'3x32x32', '128:int64', '20,8:float32' -> (shape without the batch, dtype or None)."""
    shape_text, _, dtype = spec.strip().partition(":")
    dims = [d for d in re.split(r"[x×,]", shape_text.strip()) if d.strip()]
    try:
        shape = tuple(int(d) for d in dims)
    except ValueError:
        shape = ()
    if not shape or any(d < 1 for d in shape):
        raise ValueError(
            f"option {INPUT_FLAG} must be one sample's shape, such as 3x32x32 or 128:int64. Received: {spec!r}"
        )
    if dtype and dtype.strip() not in DTYPES:
        raise ValueError(f"option {INPUT_FLAG}'s dtype must be one of {', '.join(DTYPES)}. Received: {dtype!r}")
    return shape, (dtype.strip() or None)


def model_variants(model: UserModel | None, planned: Sequence[str]) -> tuple[str, ...]:
    """The plan's variants, then those only the user's model runs on (Keras on JAX for a .keras file)."""
    extra = tuple(v for v in (model.variants if model else ()) if v not in planned)
    return tuple(planned) + extra
