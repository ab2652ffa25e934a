"""Deploy PyTorch: train a reference model briefly, then export it by each of PyTorch's paths.

torch_save_full pickles the whole model; its reload records what the default torch.load
(weights_only=True since PyTorch 2.6) does with it, then reloads it the only way that works,
weights_only=False, which is safe here only because the file is our own, in our own
TemporaryDirectory (see probes/kinds/export.py). LOADERS reload PyTorch's formats in the fresh
reload process (probes/kinds/reload.py); ONNX reloads in ONNX Runtime there. A torch.export
program runs on no phone by itself: ExecuTorch lowers it (to_edge_transform_and_lower with the
XNNPACK partitioner) into a .pte that ExecuTorch's runtime runs, the same C++ runtime an Android
or iOS app links; its int8 file comes from XNNPACK's own quantizer (pt2e: prepare, calibrate on
training images, convert) before the same lowering.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from probes.common.torch_runtime import load_torch_export, lower_to_executorch, open_executorch, xnnpack_int8
from probes.kinds import export as export_paths
from probes.variants import Variant

VARIANT = "torch"
PATHS = ("state_dict", "torch_save_full", "torchscript", "torch_export", "onnx", "executorch")
BATCH = 16
MAX_BATCH = 1024  # the largest batch an open-batch export takes

_state: dict[str, Any] = {}


def cases(models: list[str], variant: Variant) -> list[tuple[str, str]]:
    return export_paths.export_cases(models, PATHS)


def _trained(name: str, settings: dict[str, Any]) -> tuple[Any, Any, export_paths.Workspace]:
    """The reference model after one epoch of the reference's own loop on digits, and its workspace."""
    if name not in _state:
        import torch
        from torch import nn

        from probes.pytorch import reference as ref
        from probes.specs import digits_split

        export_paths.close_all(workspace for *_, workspace in _state.values())  # one model's files at a time
        _state.clear()
        torch.manual_seed(settings.get("seed", 0))
        x_train, y_train, x_test, y_test = digits_split(name)
        model = ref.build_model(name)
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        ref.train_epoch(model, ref.make_loader(x_train, y_train, 64), optimizer, nn.CrossEntropyLoss(), "cpu")
        model.eval()
        test_x, test_y = ref.to_tensors(x_test, y_test)
        batch = test_x[:BATCH]
        with torch.no_grad():
            expected = model(batch).numpy()
        calibration = ref.to_tensors(x_train[: BATCH * export_paths.CALIBRATION_BATCHES], y_train[:1])[0]
        workspace = export_paths.Workspace(
            "pytorch", batch.numpy(), expected, (test_x.numpy(), test_y.numpy()), calibration.numpy(), name
        )
        _state[name] = (model, batch, workspace)
    return _state[name]


def open_batch() -> tuple[dict[int, Any]]:
    """torch.export's way to leave the batch open (dynamic_shapes); without it the example's 16 is fixed.
    ExecuTorch needs an upper bound for the memory it plans, so the dimension has one."""
    import torch

    return ({0: torch.export.Dim("batch", min=1, max=MAX_BATCH)},)


def _executorch_int8(model: Any, example: Any) -> export_paths.Quantize:
    return lambda source, target, calibration: xnnpack_int8(model, example, calibration, target)


def _paths(name: str, model: Any, example: Any) -> dict[str, export_paths.ExportPath]:
    import torch

    def state_dict(path: Path) -> None:
        torch.save(model.state_dict(), path)

    def whole(path: Path) -> None:
        torch.save(model, path)

    def script(path: Path) -> None:
        torch.jit.script(model).save(str(path))

    def exported(path: Path) -> None:
        torch.export.save(torch.export.export(model, (example,), dynamic_shapes=open_batch()), path)

    def onnx(path: Path) -> None:
        torch.onnx.export(
            model, (example,), str(path), dynamo=True, external_data=False, verbose=False, dynamic_shapes=open_batch()
        )

    def executorch(path: Path) -> dict[str, Any]:
        return lower_to_executorch(torch.export.export(model, (example,), dynamic_shapes=open_batch()), path)

    return {
        "state_dict": export_paths.ExportPath("state_dict", f"{name}.pt", state_dict),
        "torch_save_full": export_paths.ExportPath("torch_save_full", f"{name}-full.pt", whole),
        "torchscript": export_paths.ExportPath("torchscript", f"{name}-script.pt", script),
        "torch_export": export_paths.ExportPath("torch_export", f"{name}.pt2", exported),
        "onnx": export_paths.ExportPath("onnx", f"{name}.onnx", onnx, ("onnx", "onnxscript", "onnxruntime")),
        "executorch": export_paths.ExportPath(
            "executorch", f"{name}.pte", executorch, ("executorch",), _executorch_int8(model, example)
        ),
    }


def measure(model_name: str, case: str, settings: dict[str, Any], variant: dict[str, Any]) -> dict[str, Any]:
    model, example, workspace = _trained(model_name, settings)
    return export_paths.run_path(
        workspace, _paths(model_name, model, example)[case], VARIANT, export_paths.extras_of(settings)
    )


# --- reloading, in the fresh reload process (probes/kinds/reload.py): artifacts from our own folder only


def _torch_eval(model: Any, batch: np.ndarray) -> np.ndarray:
    import torch

    model.eval()
    with torch.no_grad():
        return model(torch.from_numpy(batch)).numpy()


def load_state_dict(path: str, batch: np.ndarray) -> np.ndarray:
    import torch

    from probes.kinds.reload import model_of
    from probes.pytorch.reference import build_model

    model = build_model(model_of(path))
    model.load_state_dict(torch.load(path))  # weights_only=True, the default: tensors only
    return _torch_eval(model, batch)


def load_torch_save_full(path: str, batch: np.ndarray) -> np.ndarray:
    import torch

    # The whole pickled model: our own artifact from our own temporary folder.
    return _torch_eval(torch.load(path, weights_only=False), batch)


def load_torchscript(path: str, batch: np.ndarray) -> np.ndarray:
    import torch

    return _torch_eval(torch.jit.load(path), batch)


def default_torch_load(path: str) -> dict[str, Any]:
    """What plain torch.load(path) does today with a pickled model (weights_only=True by default)."""
    import torch

    from probes.kinds.reload import exception_line

    try:
        torch.load(path)
    except Exception as exc:  # noqa: BLE001 - the refusal is the finding
        return {"default_load_ok": False, "default_load_error": exception_line(exc)}
    return {"default_load_ok": True, "default_load_error": None}


OPENERS = {"executorch": ("executorch", open_executorch)}
LOADERS = {
    "state_dict": load_state_dict,
    "torch_save_full": load_torch_save_full,
    "torchscript": load_torchscript,
    "torch_export": load_torch_export,
}
RELOAD_CHECKS = {"torch_save_full": default_torch_load}
