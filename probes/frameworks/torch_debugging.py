"""Debug PyTorch: plant each standard bug in the PyTorch reference and run a short training script on it.

Bugs run eagerly, the way PyTorch runs by default; the print case runs eagerly and once more under
torch.compile. That uses the "eager" backend: Dynamo captures the graph (and decides where Python
code such as print runs) exactly as with the default backend, without the code generation that
would cost tens of seconds on a CPU.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from probes import debugging
from probes.frameworks import torch_probe

REFERENCE = "torch_reference.py"
MODES = {"eager": "eager (PyTorch's default)", "traced": "torch.compile (Dynamo graph capture, 'eager' backend)"}

import_framework = torch_probe.import_framework
configure_threads = torch_probe.configure_threads
device_info = torch_probe.device_info


def cases(models: list[str]) -> list[tuple[str, str]]:
    return debugging.debugging_cases("torch", models, ("eager", "traced"))


def user_script(ref, name, x, y, compiled, progress):
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


def predict(model, x):
    import torch

    model.eval()
    with torch.no_grad():
        return model(torch.from_numpy(x[: debugging.BATCH_SIZE]).to(next(model.parameters()).dtype)).numpy()


def measure(model_name: str, case: str, settings: dict[str, Any]) -> dict[str, Any]:
    import torch

    run = debugging.planted_case("torch", REFERENCE, case, settings.get("seed", 0))
    bug, mode, planted, x, y = run.bug, run.mode, run.planted, run.x, run.y
    torch.manual_seed(settings.get("seed", 0))
    with tempfile.TemporaryDirectory(prefix="advisor-debugging-") as folder:
        ref = debugging.load_planted(planted, Path(folder), REFERENCE)
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
