"""Deploy PyTorch: train the reference CNN briefly, then export it by each of PyTorch's paths.

torch_save_full pickles the whole model; its reload records what the default torch.load
(weights_only=True since PyTorch 2.6) does with it, then reloads it the only way that works,
weights_only=False, which is safe here only because the file is our own, in our own
TemporaryDirectory (see probes/export_paths.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from probes import export_paths
from probes.frameworks import torch_probe

VARIANT = "torch"
PATHS = ("state_dict", "torch_save_full", "torchscript", "torch_export", "onnx")
BATCH = 16

import_framework = torch_probe.import_framework
configure_threads = torch_probe.configure_threads
device_info = torch_probe.device_info

_state: dict[str, Any] = {}


def cases(models: list[str]) -> list[tuple[str, str]]:
    return export_paths.export_cases(models, PATHS)


def _trained(settings: dict[str, Any]):
    """The reference CNN after one epoch of the reference's own loop on digits, and the shared workspace."""
    if "workspace" not in _state:
        import torch
        from torch import nn

        from probes.reference import torch_reference as ref
        from probes.specs import digits_split

        torch.manual_seed(settings.get("seed", 0))
        x_train, y_train, x_test, _ = digits_split("cnn")
        model = ref.build_model("cnn")
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        ref.train_epoch(model, ref.make_loader(x_train, y_train, 64), optimizer, nn.CrossEntropyLoss(), "cpu")
        model.eval()
        batch = ref.to_tensors(x_test[:BATCH], x_test[:BATCH, 0, 0, 0].astype("int64"))[0]
        with torch.no_grad():
            expected = model(batch).numpy()
        _state.update(model=model, example=batch, workspace=export_paths.Workspace(batch.numpy(), expected))
    return _state["model"], _state["example"], _state["workspace"]


def _paths(model, example) -> dict[str, export_paths.ExportPath]:
    import torch

    def state_dict(path: Path) -> None:
        torch.save(model.state_dict(), path)

    def whole(path: Path) -> None:
        torch.save(model, path)

    def script(path: Path) -> None:
        torch.jit.script(model).save(str(path))

    def exported(path: Path) -> None:
        torch.export.save(torch.export.export(model, (example,)), path)

    def onnx(path: Path) -> None:
        torch.onnx.export(model, (example,), str(path), dynamo=True, external_data=False, verbose=False)

    return {
        "state_dict": export_paths.ExportPath("state_dict", "cnn.pt", state_dict),
        "torch_save_full": export_paths.ExportPath("torch_save_full", "cnn-full.pt", whole),
        "torchscript": export_paths.ExportPath("torchscript", "cnn-script.pt", script),
        "torch_export": export_paths.ExportPath("torch_export", "cnn.pt2", exported),
        "onnx": export_paths.ExportPath("onnx", "cnn.onnx", onnx, ("onnx", "onnxscript", "onnxruntime")),
    }


def measure(model_name: str, case: str, settings: dict[str, Any]) -> dict[str, Any]:
    model, example, workspace = _trained(settings)
    return export_paths.run_path(workspace, _paths(model, example)[case], VARIANT)
