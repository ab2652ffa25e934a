"""PyTorch's speed session: the reference's own train_epoch loop, timed on the device it picks.

Eager, PyTorch's default; with the variant's `compile` option the model is wrapped in
torch.compile with that backend, as a user switching it on would, so the first step carries the
compilation and the windows after it the compiled steady state.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from probes.kinds.speed import ACCURACY_CASE, check_accuracy, measure_training, timed
from probes.pytorch import PROBE
from probes.specs import MODELS, make_data

POOL_SAMPLES = 4096
HOST_TO_DEVICE = "host tensors (pinned on a GPU), copied to the device inside every timed step and inference"


def amp_train_epoch(model, batches, optimizer, loss_fn, device, dtype, scaler):  # noqa: ANN001, ANN201 - user code
    """The reference's train_epoch as PyTorch's AMP recipe writes it: autocast around the forward pass and
    the loss only, the backward outside it, a GradScaler for float16 (a no-op for bfloat16)."""
    import torch

    model.train()
    for inputs, labels in batches:
        inputs, labels = inputs.to(device), labels.to(device)
        optimizer.zero_grad()
        with torch.autocast(device_type=device.type, dtype=dtype):
            loss = loss_fn(model(inputs), labels)
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()
    return loss.item()


def mixed_precision_of(torch: Any, device: Any) -> Any:
    """torch.bfloat16 / torch.float16 for this device (probes/precision.py), or None where it has neither."""
    from probes.precision import mixed_dtype

    capability = torch.cuda.get_device_capability(device) if device.type == "cuda" else None
    name = mixed_dtype(device.type, capability)
    return getattr(torch, name) if name else None


class MixedPrecisionUnsupported(Exception):
    pass


def _endless(make_loader: Callable[[], Iterable[Any]]) -> Iterator[Any]:
    """Epoch after epoch of a fresh DataLoader (reshuffled each time), as a user's loop over epochs runs."""
    while True:
        yield from make_loader()


class TorchSession:
    """The reference's model, optimiser and loop, as a variant's options set them up.

    Options (probes/variants.py): `compile` (torch.compile with that backend), `mixed_precision` (autocast),
    `channels_last` (the model and the images in the memory format oneDNN convolves without reordering),
    `fused_adam` (torch.optim.Adam(fused=True): one kernel for every parameter instead of a for-loop over
    them, the CPU default) and `as_written` (batches from the reference's own DataLoader, made inside the
    clock, instead of batches sliced before it).
    """

    def __init__(self, model_name: str, settings: dict[str, Any], options: Mapping[str, Any] | None = None):
        import time

        import torch
        from torch import nn

        from probes.pytorch import reference as ref

        self.torch, self.ref, self.options = torch, ref, dict(options or {})
        self.batch_size = settings["batch_size"]
        self.device = torch.device(PROBE.device_info(settings["device"])["used"])
        if self.device.type == "cuda":
            torch.cuda.reset_peak_memory_stats()
        self._set_precision(bool(self.options.get("mixed_precision")))
        torch.manual_seed(settings["seed"])
        start = time.perf_counter()
        self.model = self._build(model_name)
        fused = bool(self.options.get("fused_adam"))
        self.optimizer = torch.optim.Adam(
            self.model.parameters(), lr=MODELS[model_name].learning_rate, fused=True if fused else None
        )
        self._sync()
        self.build_s = time.perf_counter() - start
        self.loss_fn = nn.CrossEntropyLoss()
        self._set_data(model_name, settings["seed"])
        self.params = sum(p.numel() for p in self.model.parameters())

    def _set_precision(self, mixed_precision: bool) -> None:
        torch = self.torch
        self.dtype = mixed_precision_of(torch, self.device) if mixed_precision else None
        if mixed_precision and self.dtype is None:
            from probes.precision import unsupported_reason

            raise MixedPrecisionUnsupported(unsupported_reason(self.device.type))
        if self.dtype is not None:
            self.scaler = torch.amp.GradScaler(self.device.type, enabled=self.dtype == torch.float16)

    def _build(self, model_name: str) -> Any:
        model = self.ref.build_model(model_name)
        if self.options.get("channels_last"):
            model = model.to(memory_format=self.torch.channels_last)  # as PyTorch's channels_last tutorial does
        model = model.to(self.device)
        if self.options.get("compile"):
            model = self.torch.compile(model, backend=self.options["compile"])
        return model

    def _set_data(self, model_name: str, seed: int) -> None:
        x, y = make_data(model_name, POOL_SAMPLES, seed)
        inputs, labels = self.ref.to_tensors(x, y)
        if self.options.get("channels_last") and inputs.ndim == 4:
            inputs = inputs.contiguous(memory_format=self.torch.channels_last)
        if self.options.get("as_written"):  # the reference's DataLoader, iterated inside the clock
            self.stream = _endless(lambda: self.ref.make_loader(x, y, self.batch_size))
        if self.device.type == "cuda":  # as DataLoader(pin_memory=True) hands batches over on a GPU
            inputs, labels = inputs.pin_memory(), labels.pin_memory()
        self.batches = [
            (inputs[i : i + self.batch_size], labels[i : i + self.batch_size])
            for i in range(0, POOL_SAMPLES - self.batch_size + 1, self.batch_size)
        ]
        self.inputs = inputs
        self.cursor = 0

    def _sync(self) -> None:
        if self.device.type == "cuda":
            self.torch.cuda.synchronize()

    def _take(self, n: int) -> Iterable[Any]:
        """n batches: sliced before the clock (step only), or a lazy slice of the DataLoader (as written)."""
        if self.options.get("as_written"):
            return itertools.islice(self.stream, n)
        taken = [self.batches[(self.cursor + i) % len(self.batches)] for i in range(n)]
        self.cursor += n
        return taken

    def steps(self, n: int) -> float:
        batches = self._take(n)
        if self.dtype is not None:
            args = (self.model, batches, self.optimizer, self.loss_fn, self.device, self.dtype, self.scaler)
            return timed(lambda: amp_train_epoch(*args), self._sync)
        return timed(
            lambda: self.ref.train_epoch(self.model, batches, self.optimizer, self.loss_fn, self.device), self._sync
        )

    def first_step(self) -> float:
        return self.steps(1)

    def infer(self, rows: int) -> float:
        self.model.eval()
        batch = self.inputs[:rows]

        import contextlib

        def mixed() -> Any:
            if self.dtype is None:
                return contextlib.nullcontext()
            return self.torch.autocast(self.device.type, dtype=self.dtype)

        def run() -> None:  # host input, copied inside the clock as every framework's inference here
            with self.torch.no_grad(), mixed():
                self.model(batch.to(self.device))

        return timed(run, self._sync)

    def device_peak_mb(self) -> float | None:
        if self.device.type != "cuda":
            return None
        return self.torch.cuda.max_memory_allocated() / 2**20


STEP_ONLY = "step only"  # batches sliced before the clock, no metric: the step alone
AS_WRITTEN = "as written"  # the reference's own input pipeline and metrics, inside the clock


def measure(model_name: str, case: str, settings: dict[str, Any], variant: dict[str, Any]) -> dict[str, Any]:
    from probes.pytorch import reference as ref

    options = variant["options"]
    if case == ACCURACY_CASE:
        return check_accuracy(amp_main(ref) if options.get("mixed_precision") else ref.main, model_name, settings)
    try:
        session = TorchSession(model_name, settings, options)
    except MixedPrecisionUnsupported as why:
        return {"status": "skipped", "reason": str(why)}
    measured = measure_training(session, model_name, settings)
    measured["samples"]["build_s"] = [session.build_s]
    measured["facts"].update(params=session.params, device=session.device.type, **session_facts(session))
    return measured


def session_facts(session: TorchSession) -> dict[str, Any]:
    """How the step ran: compile mode, precision, and each of the experts' settings by name (probes/facts.py)."""
    options, torch = session.options, session.torch
    backend = options.get("compile")
    mode = f"torch.compile (backend {backend!r})" if backend else "eager (PyTorch's default)"
    precision = PROBE.precision(session.device.type)
    if session.dtype is not None:
        dtype = str(session.dtype).removeprefix("torch.")
        mode += f", autocast {dtype}"
        precision = f"mixed: autocast {dtype}" + (" with GradScaler" if dtype == "float16" else "")
    facts: dict[str, Any] = {"compile_mode": mode, "precision": precision, "host_to_device": HOST_TO_DEVICE}
    fused = bool(session.optimizer.defaults.get("fused"))
    default_loop = (
        "foreach: one multi-tensor kernel per operation"
        if session.device.type == "cuda"
        else ("a for-loop over the parameters")
    )
    facts["optimizer"] = (
        "torch.optim.Adam(fused=True): one fused kernel for every parameter"
        if fused
        else f"torch.optim.Adam: {default_loop} (PyTorch's default on the {session.device.type.upper()})"
    )
    if session.inputs.ndim == 4:
        channels_last = session.inputs.is_contiguous(memory_format=torch.channels_last)
        facts["memory_format"] = "channels_last" if channels_last else "NCHW, contiguous (PyTorch's default)"
    if options.get("as_written"):
        facts.update(timed_work=AS_WRITTEN, input_pipeline="the reference's DataLoader(TensorDataset, shuffle=True)")
    else:
        facts.update(timed_work=STEP_ONLY, input_pipeline="tensors sliced into batches before the clock")
    return facts


def amp_main(ref: Any) -> Any:
    """The reference's own main, its train_epoch replaced by the AMP one: the accuracy check in that mode."""
    import torch

    def main(name: str, epochs: int, batch_size: int, seed: int, learning_rate: float) -> float:
        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        dtype = mixed_precision_of(torch, device)
        if dtype is None:
            from probes.precision import unsupported_reason

            raise MixedPrecisionUnsupported(unsupported_reason(device.type))
        scaler = torch.amp.GradScaler(device.type, enabled=dtype == torch.float16)
        plain = ref.train_epoch
        ref.train_epoch = lambda model, batches, optimizer, loss_fn, dev: amp_train_epoch(
            model, batches, optimizer, loss_fn, dev, dtype, scaler
        )
        try:
            return ref.main(name, epochs=epochs, batch_size=batch_size, seed=seed, learning_rate=learning_rate)
        finally:
            ref.train_epoch = plain

    return main
