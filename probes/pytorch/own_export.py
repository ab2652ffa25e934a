"""The user's PyTorch model through the deployment routes, with the export probe's code for each path.

The module is built by the user's function (probes/pytorch/own_model.py), put in eval mode untrained
(its weights are whatever the function gives it: load a checkpoint there to route the trained
model), and exported by probes/pytorch/export.py's own path functions: ONNX (torch.onnx, dynamo) run
in ONNX Runtime and in ONNX Runtime Web in Chromium, and ExecuTorch (XNNPACK) with its calibrated
int8 file, each compared with the module's outputs on the same generated batch
(probes/kinds/own_model.py run_route).
"""

from __future__ import annotations

from typing import Any

from probes.kinds import export as export_paths
from probes.kinds.own_model import (
    NotRoutable,
    measure_route,
    own_cases,
    parity_words,
    route_workspace,
    user_model,
)
from probes.pytorch import export as torch_export
from probes.pytorch.own_model import outputs_of, prepare
from probes.user_model import OWN_MODEL, OWN_ROUTES
from probes.variants import Variant

ROUTES = {"": tuple(path for path in torch_export.PATHS if path in OWN_ROUTES)}
PARITY_ROWS = 256

_state: dict[str, Any] = {}


def cases(models: list[str], variant: Variant) -> list[tuple[str, str]]:
    return own_cases(models, ROUTES[""]) if not variant.option_of else []


def _routable(settings: dict[str, Any]) -> dict[str, Any]:
    """The module in eval mode, its export batch, outputs and parity inputs, once per child."""
    if "paths" not in _state:
        import torch

        model = user_model(settings)
        prepared = prepare(model, {**settings, "own_batch_size": torch_export.BATCH})
        if not prepared["facts"]["input_dtype"].startswith("float"):
            raise NotRoutable("the export probe feeds float32 batches; integer inputs are not routed yet")
        module = prepared["module"].eval()
        x = torch.from_numpy(prepared["x"])
        example, parity_x = x[: torch_export.BATCH], x[:PARITY_ROWS]
        with torch.no_grad():
            expected, parity = outputs_of(module(example)), outputs_of(module(parity_x))
        if len(expected) != 1:
            raise NotRoutable(f"a route compares one output; the model gives {len(expected)}")
        calibration = x[torch_export.BATCH : torch_export.BATCH * (1 + export_paths.CALIBRATION_BATCHES)]
        _state.update(
            paths=torch_export._paths(OWN_MODEL, module, example),
            variant="torch",
            workspace=route_workspace(
                "pytorch",
                example.numpy(),
                expected[0].numpy(),
                parity_x.numpy(),
                parity[0].numpy(),
                calibration.numpy(),
            ),
            extra={"model_source": model.source, "parity_inputs": parity_words(prepared["loss"], len(parity_x))},
        )
    return _state


def measure(model_name: str, case: str, settings: dict[str, Any], variant: dict[str, Any]) -> dict[str, Any]:
    return measure_route(lambda: _routable(settings), case)
