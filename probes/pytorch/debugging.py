"""Debug PyTorch: plant each standard bug in the PyTorch reference and run a short training script on it.

Bugs run eagerly, the way PyTorch runs by default; the print case runs eagerly and once more under
torch.compile. That uses the "eager" backend: Dynamo captures the graph (and decides where Python
code such as print runs) exactly as with the default backend, without the code generation that
would cost tens of seconds on a CPU. When a bug's default run does not say what went wrong, the
next steps (probes/kinds/debug_steps.py) are PyTorch's anomaly detection and a print of the
outputs in forward(); PyTorch has no eager switch to add, it is eager already.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from probes.kinds import debug_steps, debugging
from probes.kinds.debugging import (
    DTYPES,
    FLATTEN_SHAPES,
    FLOAT64_DATA,
    INPUT_SHAPES,
    PRINT,
    PRINT_MARKER,
    REGRESSION,
    Edit,
    Progress,
    bug,
)
from probes.pytorch import PROBE
from probes.variants import Variant

if TYPE_CHECKING:  # the data are numpy arrays; numpy loads with the framework, in the child
    import numpy as np

REFERENCE = PROBE.reference_path()
MODES = {"eager": "eager (PyTorch's default)", "traced": "torch.compile (Dynamo graph capture, 'eager' backend)"}
SWITCHES = {
    "detector": "torch.autograd.set_detect_anomaly(True)",
    "default_mode": MODES["eager"],
}


def cases(models: list[str], variant: Variant) -> list[tuple[str, str]]:
    return debugging.debugging_cases(BUGS, models, ("eager", "traced"))


def _loss(planted: debugging.PlantedBug) -> Any:
    """The loss the user's script builds: cross-entropy, or what the bug's script chose instead."""
    from torch import nn

    if planted.option("task") == "regression":
        return nn.MSELoss()
    return nn.NLLLoss() if planted.option("loss") == "nll" else nn.CrossEntropyLoss()


def _inspected(model: Any) -> Any:
    """The model with a print of its outputs at the end of forward(), the user's first look inside."""
    from torch import nn

    class Inspect(nn.Module):
        def forward(self, x: Any) -> Any:
            print(PRINT_MARKER, x)
            return x

    return nn.Sequential(model, Inspect())


def user_script(
    ref: ModuleType,
    planted: debugging.PlantedBug,
    data: tuple[np.ndarray, np.ndarray],
    progress: Progress,
    compiled: bool = False,
    inspect: bool = False,
) -> None:
    """What a user's main() does: build the model, then train it step by step with the reference loop."""
    import torch

    x, y = data
    progress.enter("build")
    model = progress.model = ref.build_model(planted.model)
    if inspect:
        model = _inspected(model)
    if compiled:
        model = torch.compile(model, backend="eager")
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = _loss(planted)
    loader = ref.make_loader(x, y, debugging.BATCH_SIZE, shuffle=False)
    if planted.option("evaluate_first"):
        ref.evaluate(model, loader, "cpu")  # the untrained accuracy, as a user checks it first
    progress.enter("train")
    for batch in loader:
        progress.losses.append(ref.train_epoch(model, [batch], optimizer, loss_fn, "cpu"))


def predict(model: Any, x: np.ndarray) -> np.ndarray:
    import torch

    model.eval()
    with torch.no_grad():
        return model(torch.from_numpy(x[: debugging.BATCH_SIZE]).to(next(model.parameters()).dtype)).numpy()


def accumulated_gradients(model: Any, planted: debugging.PlantedBug, x: np.ndarray, y: np.ndarray) -> str | None:
    """The gradients the model holds after training, against one step's: larger when they added up."""
    import torch

    stored = [p.grad.clone() for p in model.parameters() if p.grad is not None]
    if not stored:
        return None
    model.zero_grad()
    batch = torch.from_numpy(x[-debugging.BATCH_SIZE :]), torch.from_numpy(y[-debugging.BATCH_SIZE :])
    _loss(planted)(model(batch[0]), batch[1]).backward()
    fresh = [p.grad for p in model.parameters() if p.grad is not None]
    ratio = float(torch.cat([g.flatten() for g in stored]).norm() / torch.cat([g.flatten() for g in fresh]).norm())
    if ratio < 1.5:
        return None
    return f"the gradients after {debugging.STEPS} steps are {ratio:.1f} times one step's: each step added to the last"


def trained_in_eval_mode(model: Any) -> str | None:
    from torch import nn

    dropout = any(isinstance(m, nn.Dropout) for m in model.modules())
    if model.training or not dropout:
        return None
    return "the model trained in eval mode: its Dropout layer dropped nothing"


@contextlib.contextmanager
def _stage_switches(stage: str) -> Iterator[None]:
    import torch

    with torch.autograd.set_detect_anomaly(stage == "detector"):
        yield


def measure(model_name: str, case: str, settings: dict[str, Any], variant: dict[str, Any]) -> dict[str, Any]:
    import torch

    run = debugging.planted_case(BUGS, REFERENCE, case, settings.get("seed", 0))
    planted, mode = run.bug, run.mode
    if planted.prevented:
        return {"facts": debug_steps.prevented_facts(planted)}
    effects = {"missing_zero_grad": lambda m: accumulated_gradients(m, planted, run.x, run.y)}
    effects["eval_mode_training"] = trained_in_eval_mode

    def stage(name: str) -> dict[str, Any]:
        torch.manual_seed(settings.get("seed", 0))
        with tempfile.TemporaryDirectory(prefix="advisor-debugging-") as folder, _stage_switches(name):
            ref = debugging.load_planted(run.planted, Path(folder), REFERENCE.name)
            facts = debugging.observe(
                lambda p: user_script(ref, planted, (run.x, run.y), p, mode == "traced", name.startswith("print")),
                run.planted,
                ref.__file__,
                frozenset({(__file__, "user_script")}),
                lambda model: predict(model, run.x),
                effects.get(planted.id),
                targets=run.y[: debugging.BATCH_SIZE],
            )
            if planted.expect == "print":
                facts["counter"] = len(ref.CALLS)
        return facts

    facts = debug_steps.climb(stage, planted, False, SWITCHES, debug_steps.ladder_wanted(settings))
    facts.update(mode=MODES["traced" if mode == "traced" else "eager"], traceback_filtering=False)
    return {"facts": facts}


# --- the standard bugs, planted in this framework's reference script (probes/kinds/debugging.py)

FLOAT64_LINE = "x = np.loadtxt(...)  # float64, as NumPy reads and computes it, given to the loader as it is"
LOSS_LINE = "loss = loss_fn(model(inputs), labels)"

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
    bug("float64_input", "mlp", "error", script=FLOAT64_DATA, script_line=FLOAT64_LINE, dtypes=DTYPES),
    bug(
        "softmax_before_loss",
        "mlp",
        "silent",
        Edit("nn.Linear(64, 10),", "insert_after", ("nn.Softmax(dim=1),",), "build_model", 0),
    ),
    bug(
        "logits_as_probabilities",
        "mlp",
        "silent",
        script=(("loss", "nll"),),
        script_line="loss_fn = nn.NLLLoss()  # expects log-probabilities; the model gives logits",
    ),
    bug(
        "target_broadcast",
        "mlp",
        "silent",
        Edit("nn.Linear(64, 10),", "replace", ("nn.Linear(64, 1),",), "build_model"),  # a regression head
        Edit(LOSS_LINE, "replace", (LOSS_LINE,), "train_epoch", 0),  # where (N, 1) meets (N,)
        script=REGRESSION,
    ),
    bug(
        "missing_zero_grad",
        "mlp",
        "silent",
        Edit("optimizer.zero_grad()", "replace", ("# optimizer.zero_grad()",), "train_epoch", 0),
    ),
    bug(
        "eval_mode_training",
        "mlp",
        "silent",
        Edit("nn.Linear(64, 128), nn.ReLU(),", "insert_after", ("nn.Dropout(0.5),",), "build_model"),
        # Evaluated before training, and the loop never switches back (as after a mid-training evaluation).
        Edit("model.train()", "replace", ("# model.train()",), "train_epoch", 0),
        script=(("evaluate_first", "yes"),),
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
