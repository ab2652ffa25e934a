"""Debug PyTorch: plant each standard bug in the PyTorch reference and run a short training script on it.

Bugs run eagerly, the way PyTorch runs by default; the print case runs eagerly and once more under
torch.compile. That uses the "eager" backend: Dynamo captures the graph (and decides where Python
code such as print runs) exactly as with the default backend, without the code generation that
would cost tens of seconds on a CPU.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from probes.kinds import debugging
from probes.kinds.debugging import DTYPES, FLATTEN_SHAPES, INPUT_SHAPES, PRINT, Edit, Progress, bug
from probes.pytorch import PROBE
from probes.variants import Variant

if TYPE_CHECKING:  # the data are numpy arrays; numpy loads with the framework, in the child
    import numpy as np

REFERENCE = PROBE.reference_path()
MODES = {"eager": "eager (PyTorch's default)", "traced": "torch.compile (Dynamo graph capture, 'eager' backend)"}


def cases(models: list[str], variant: Variant) -> list[tuple[str, str]]:
    return debugging.debugging_cases(BUGS, models, ("eager", "traced"))


def user_script(ref: ModuleType, name: str, x: np.ndarray, y: np.ndarray, compiled: bool, progress: Progress) -> None:
    """What a user's main() does: build the model, then train it step by step with the reference loop."""
    import torch
    from torch import nn

    progress.enter("build")
    model = progress.model = ref.build_model(name)
    if compiled:
        model = torch.compile(model, backend="eager")
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    loader = ref.make_loader(x, y, debugging.BATCH_SIZE, shuffle=False)
    progress.enter("train")
    for batch in loader:
        progress.losses.append(ref.train_epoch(model, [batch], optimizer, loss_fn, "cpu"))


def predict(model: Any, x: np.ndarray) -> np.ndarray:
    import torch

    model.eval()
    with torch.no_grad():
        return model(torch.from_numpy(x[: debugging.BATCH_SIZE]).to(next(model.parameters()).dtype)).numpy()


def measure(model_name: str, case: str, settings: dict[str, Any], variant: dict[str, Any]) -> dict[str, Any]:
    import torch

    run = debugging.planted_case(BUGS, REFERENCE, case, settings.get("seed", 0))
    bug, mode, planted, x, y = run.bug, run.mode, run.planted, run.x, run.y
    torch.manual_seed(settings.get("seed", 0))
    with tempfile.TemporaryDirectory(prefix="advisor-debugging-") as folder:
        ref = debugging.load_planted(planted, Path(folder), REFERENCE.name)
        facts = debugging.observe(
            lambda progress: user_script(ref, bug.model, x, y, mode == "traced", progress),
            planted,
            ref.__file__,
            frozenset({(__file__, "user_script")}),
            lambda model: predict(model, x),
        )
        if bug.expect == "print":
            facts["counter"] = len(ref.CALLS)
    facts.update(mode=MODES["traced" if mode == "traced" else "eager"], traceback_filtering=False)
    return {"facts": facts}


# --- the standard bugs, planted in this framework's reference script (probes/kinds/debugging.py)

BUGS = (
    bug(
        "wrong_input_size",
        "mlp",
        "error",
        Edit("nn.Linear(64, 128), nn.ReLU(),", "replace", ("nn.Linear(63, 128), nn.ReLU(),",), "build_model", 0),
        shapes=INPUT_SHAPES,
    ),
    bug(
        "wrong_flatten",
        "cnn",
        "error",
        Edit("nn.Linear(16 * 6 * 6, 10),", "replace", ("nn.Linear(16 * 5 * 5, 10),",), "build_model", 0),
        shapes=FLATTEN_SHAPES,
    ),
    bug(
        "dtype_mismatch",
        "mlp",
        "error",
        Edit(
            "nn.Linear(64, 128), nn.ReLU(),",
            "replace",
            ("nn.Linear(64, 128, dtype=torch.float64), nn.ReLU(),",),
            "build_model",
            0,
        ),
        dtypes=DTYPES,
    ),
    bug(
        "nan_custom_op",
        "mlp",
        "nan",
        # A custom operation in a Sequential is a small module, as in Keras a Lambda layer.
        Edit(
            "def build_model(name):",
            "insert_before",
            ("class Log(nn.Module):", "    def forward(self, x):", "        return torch.log(x)", "", ""),
        ),
        Edit("nn.Linear(64, 128), nn.ReLU(),", "insert_after", ("Log(),",), "build_model", 0),
    ),
    bug(
        "print_in_forward",
        "mlp",
        "print",
        Edit(
            "def build_model(name):",
            "insert_before",
            (
                "CALLS = []",
                "",
                "",
                "class Inspect(nn.Module):",
                "    def forward(self, x):",
                "        CALLS.append(1)",
                "        " + PRINT,
                "        return x",
                "",
                "",
            ),
            None,
            6,
        ),
        Edit("nn.Linear(64, 128), nn.ReLU(),", "insert_after", ("Inspect(),",), "build_model"),
    ),
)
