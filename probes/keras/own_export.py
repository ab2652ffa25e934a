"""The user's Keras model through the deployment routes, with the export probe's code for each path.

The .keras file is loaded as probes/keras/own_model.py loads it (safe mode, --model-code) and
exported by probes/keras/export.py's own path functions, which differ by backend as model.export's
converters do: LiteRT (run in the LiteRT interpreter and in LiteRT.js in Chromium) and ONNX (ONNX
Runtime, and ONNX Runtime Web in Chromium) on TensorFlow; ExecuTorch, ONNX and LiteRT on PyTorch;
ONNX on JAX. Each is compared with the model's own outputs on the same generated batch, and its
int8 file where the path offers one (probes/kinds/own_model.py run_route).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from probes.keras import export as keras_export
from probes.keras.own_model import prepare
from probes.kinds import export as export_paths
from probes.kinds.own_model import (
    NotRoutable,
    measure_route,
    own_cases,
    parity_words,
    route_workspace,
    user_model,
)
from probes.user_model import OWN_MODEL, OWN_ROUTES
from probes.variants import Variant

ROUTES = {backend: tuple(path for path in paths if path in OWN_ROUTES) for backend, paths in keras_export.PATHS.items()}
PARITY_ROWS = 256

_state: dict[str, Any] = {}


def cases(models: list[str], variant: Variant) -> list[tuple[str, str]]:
    return own_cases(models, ROUTES.get(variant.backend or "", ())) if not variant.option_of else []


def _routable(settings: dict[str, Any]) -> dict[str, Any]:
    """The loaded model, its export batch, outputs and parity inputs, once per child."""
    if "paths" not in _state:
        import keras

        model = user_model(settings)
        prepared = prepare(model, {**settings, "own_batch_size": keras_export.BATCH})
        if not prepared["facts"]["input_dtype"].startswith("float"):
            raise NotRoutable("the export probe feeds float32 batches; integer inputs are not routed yet")
        keras_model, x = prepared["model"], prepared["x"]
        batch, parity_x = x[: keras_export.BATCH], x[:PARITY_ROWS]
        expected = np.asarray(keras_model.predict_on_batch(batch))
        parity = np.asarray(keras_model.predict(parity_x, batch_size=keras_export.BATCH, verbose=0))
        backend = keras.backend.backend()
        _state.update(
            paths=keras_export._paths(OWN_MODEL, keras_model, backend),
            variant=f"keras-{backend}",
            workspace=route_workspace(
                "keras",
                batch,
                expected,
                parity_x,
                parity,
                x[keras_export.BATCH : keras_export.BATCH * (1 + export_paths.CALIBRATION_BATCHES)],
            ),
            extra={"model_source": model.source, "parity_inputs": parity_words(prepared["loss"], len(parity_x))},
        )
    return _state


def measure(model_name: str, case: str, settings: dict[str, Any], variant: dict[str, Any]) -> dict[str, Any]:
    return measure_route(lambda: _routable(settings), case)
