"""The user's PyTorch model (FILE.py:FUNCTION returning an nn.Module), trained the classic way and timed.

Each case builds the module afresh by calling the user's function, then trains it with the loop a
PyTorch user writes (zero_grad, forward, loss, backward, Adam's step) on generated data, eager or
with one named option switched on, as a user trying it would: torch.compile (inductor), the
channels_last memory format (image inputs only, where oneDNN's convolutions want it), or
Adam(fused=True). A module says nothing of its input, so the shape is read from its first layer when
that is a Linear (else --model-input gives it); its FLOPs are counted by torch.utils.flop_counter
over one forward and backward pass. probes/kinds/own_model.py times it and records what went wrong
in one line.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from probes.common.torch_runtime import counted_flops
from probes.kinds.own_model import (
    LOSS_WORDS,
    OwnModelError,
    call_user,
    check_memory,
    choose_loss,
    failed,
    first_line,
    make_inputs,
    make_targets,
    measure_session,
    no_input_shape,
    own_cases,
    pool_rows,
    skipped,
    user_function,
    user_model,
)
from probes.kinds.speed import timed
from probes.pytorch import PROBE
from probes.user_model import UserModel
from probes.variants import Variant

OPTIONS = {
    "eager": "eager (PyTorch's default)",
    "compile": "torch.compile (backend 'inductor')",
    "channels_last": "the channels_last memory format, model and inputs",
    "fused_adam": "Adam(fused=True)",
}
LEARNING_RATE = 1e-3


def cases(models: list[str], variant: Variant) -> list[tuple[str, str]]:
    return own_cases(models, list(OPTIONS)) if not variant.option_of else []


def build(model: UserModel) -> Any:
    """The user's nn.Module, freshly built by their function."""
    from torch import nn

    module = call_user(user_function(model), model.source)
    if not isinstance(module, nn.Module):
        raise OwnModelError(f"{model.source} returned a {type(module).__name__}, not a torch.nn.Module")
    return module


def trainable_parameters(module: Any) -> int:
    """Trainable parameters, leaving out a lazy layer's (sized on its first call, counted then by nobody)."""
    from torch.nn.parameter import UninitializedParameter

    return sum(p.numel() for p in module.parameters() if p.requires_grad and not isinstance(p, UninitializedParameter))


def parameters_on_meta(model: UserModel) -> int | None:
    """The module's parameter count, built on the meta device (no memory for weights), so a model too large
    for the memory left is refused before it is built for real; None when it cannot be built there (a
    function that loads a checkpoint, say): then it is counted once built."""
    import torch

    try:
        with torch.device("meta"):
            module = user_function(model)()
        return trainable_parameters(module)
    except Exception:  # noqa: BLE001 - the real build says what is wrong, in one line
        return None


def read_input(module: Any, model: UserModel) -> tuple[tuple[int, ...], str, str, int | None]:
    """(shape, dtype, where it came from, vocabulary): --model-input, else the first layer when it is a Linear."""
    from torch import nn

    embedding = next((m for m in module.modules() if isinstance(m, nn.Embedding)), None)
    vocabulary = int(embedding.num_embeddings) if embedding is not None else None
    if model.input_shape is not None:
        return model.input_shape, model.input_dtype or "float32", "--model-input", vocabulary
    first = next((m for m in module.modules() if not list(m.children()) and list(m.parameters())), None)
    if isinstance(first, nn.Linear):
        return (int(first.in_features),), model.input_dtype or "float32", "its first layer, a Linear", vocabulary
    named = type(first).__name__ if first is not None else "no layer with weights"
    raise no_input_shape(f"a torch.nn.Module does not say what it takes, and its first layer is {named}")


def outputs_of(result: Any) -> list[Any]:
    """Every tensor of a forward pass's result (a tensor, or a tuple, list or dict of them)."""
    import torch

    if isinstance(result, torch.Tensor):
        return [result]
    if isinstance(result, dict):
        return [t for value in result.values() for t in outputs_of(value)]
    if isinstance(result, (tuple, list)):
        return [t for value in result for t in outputs_of(value)]
    return []


def loss_function(loss: str) -> Any:
    import torch.nn.functional as F

    if loss == "classification":
        return lambda out, y: F.cross_entropy(out, y)
    if loss == "regression":
        return lambda out, y: F.mse_loss(out, y)
    return lambda out, y: sum(t.float().sum() for t in outputs_of(out)) / len(y)


class TorchOwnSession:
    """The user's module trained with the classic loop, one option switched on (or none)."""

    def __init__(self, module: Any, x: np.ndarray, y: np.ndarray, loss: str, option: str, settings: dict):
        import torch

        self.torch = torch
        self.device = torch.device(PROBE.device_info(settings["device"])["used"])
        self.batch_size = int(settings["own_batch_size"])
        model = module.to(self.device)
        inputs, targets = torch.from_numpy(x), torch.from_numpy(y)
        if option == "channels_last":
            model = model.to(memory_format=torch.channels_last)
            inputs = inputs.contiguous(memory_format=torch.channels_last)
        self.model = torch.compile(model) if option == "compile" else model
        self.optimizer = torch.optim.Adam(
            model.parameters(), lr=LEARNING_RATE, fused=True if option == "fused_adam" else None
        )
        self.loss_fn = loss_function(loss)
        rows = len(inputs) - len(inputs) % self.batch_size
        self.batches = [
            (inputs[i : i + self.batch_size].to(self.device), targets[i : i + self.batch_size].to(self.device))
            for i in range(0, rows, self.batch_size)
        ]
        self.inputs = inputs
        self.cursor = 0

    def _sync(self) -> None:
        if self.device.type == "cuda":
            self.torch.cuda.synchronize()

    def _train(self, batches: list) -> None:
        self.model.train()
        for inputs, targets in batches:
            self.optimizer.zero_grad()
            loss = self.loss_fn(self.model(inputs), targets)
            loss.backward()
            self.optimizer.step()

    def steps(self, n: int) -> float:
        batches = [self.batches[(self.cursor + i) % len(self.batches)] for i in range(n)]
        self.cursor += n
        return timed(lambda: self._train(batches), self._sync)

    def first_step(self) -> float:
        return self.steps(1)

    def infer(self, rows: int) -> float:
        self.model.eval()
        batch = self.inputs[:rows]

        def run() -> None:
            with self.torch.no_grad():
                self.model(batch.to(self.device))

        return timed(run, self._sync)

    def device_peak_mb(self) -> float | None:
        return self.torch.cuda.max_memory_allocated() / 2**20 if self.device.type == "cuda" else None


def prepare(model: UserModel, settings: dict) -> dict[str, Any]:
    """Build the module, read its input, run it once, choose the loss and generate the data."""
    import time

    import torch

    planned = parameters_on_meta(model)
    if planned is not None:
        check_memory(planned)
    torch.manual_seed(settings.get("seed", 0))
    start = time.perf_counter()
    module = build(model)
    build_s = time.perf_counter() - start
    params = trainable_parameters(module)
    check_memory(params)
    shape, dtype, read_from, vocabulary = read_input(module, model)
    probe = torch.from_numpy(make_inputs(shape, dtype, 2, settings.get("seed", 0), vocabulary))
    try:
        with torch.no_grad():
            outputs = outputs_of(module.eval()(probe))
    except Exception as exc:  # noqa: BLE001 - a model that cannot run on its input says why
        raise OwnModelError(f"the model failed on inputs of shape {tuple(probe.shape)}: {first_line(exc)}") from None
    shapes = [tuple(int(d) for d in t.shape[1:]) for t in outputs]
    floating = bool(outputs) and all(t.is_floating_point() for t in outputs)
    loss, why = choose_loss(model.loss, shapes, floating)
    batch = int(settings["own_batch_size"])
    sample_bytes = int(np.prod(shape)) * np.dtype(dtype).itemsize
    rows = pool_rows(batch, sample_bytes)
    x = make_inputs(shape, dtype, rows, settings.get("seed", 0), vocabulary)
    y = make_targets(loss, shapes[0] if shapes else (), rows, settings.get("seed", 0))
    facts = {
        "model_source": model.source,
        "model_kind": "pytorch",
        "params": params,
        "loss": loss,
        "loss_reason": f"{LOSS_WORDS[loss]}; {why}",
        "input_shape": list(shape),
        "input_dtype": dtype,
        "input_from": read_from,
        "output_shape": list(shapes[0]) if len(shapes) == 1 else None,
        "vocabulary": vocabulary if dtype.startswith("int") else None,
    }
    return {"module": module, "x": x, "y": y, "loss": loss, "shape": shape, "build_s": build_s, "facts": facts}


def train_flops(prepared: dict, batch: int) -> float | None:
    """FLOPs per sample of one training step (forward and backward), counted before it trains."""
    import torch

    module = prepared["module"].train()
    loss_fn = loss_function(prepared["loss"])
    rows = min(batch, 8)
    x, y = torch.from_numpy(prepared["x"][:rows]), torch.from_numpy(prepared["y"][:rows])
    flops = counted_flops(lambda: loss_fn(module(x), y).backward())
    module.zero_grad(set_to_none=True)
    return flops / rows if flops else None


def applies(option: str, shape: tuple[int, ...]) -> str | None:
    """Why an option does not apply to this model, or None."""
    if option == "channels_last" and len(shape) != 3:
        dims = "".join(f", {d}" for d in shape)
        return f"channels_last applies to image inputs (N, C, H, W); this model takes (N{dims})"
    return None


def measure(model_name: str, case: str, settings: dict[str, Any], variant: dict[str, Any]) -> dict[str, Any]:
    model = user_model(settings)
    settings = {**settings, "own_batch_size": model.batch_size or settings["batch_size"]}
    try:
        prepared = prepare(model, settings)
    except OwnModelError as why:
        return failed(str(why), {"model_source": model.source, "model_kind": "pytorch"})
    facts = {**prepared["facts"], "option": OPTIONS[case], "compile_mode": OPTIONS[case]}
    reason = applies(case, prepared["shape"])
    if reason:
        return skipped(reason, facts)
    try:
        flops = train_flops(prepared, settings["own_batch_size"])
        session = TorchOwnSession(prepared["module"], prepared["x"], prepared["y"], prepared["loss"], case, settings)
        measured = measure_session(session, settings, flops)
    except OwnModelError as why:
        return failed(str(why), facts)
    except Exception as exc:  # noqa: BLE001 - an option that fails on this model is the finding
        return failed(f"{OPTIONS[case]} failed: {first_line(exc)}", facts)
    measured["samples"]["build_s"] = [prepared["build_s"]]
    measured["facts"].update(
        facts,
        device=session.device.type,
        precision=PROBE.precision(session.device.type),
        flops_counted_by="torch.utils.flop_counter: matmuls and convolutions of one forward and backward pass"
        if flops
        else None,
        host_to_device="generated tensors moved to the device before timing; inference input copied inside the clock",
    )
    return measured
