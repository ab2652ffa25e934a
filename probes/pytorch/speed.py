"""PyTorch's speed session: the reference's own train_epoch loop, timed on the device it picks.

Eager, PyTorch's default; with the variant's `compile` option the model is wrapped in
torch.compile with that backend, as a user switching it on would, so the first step carries the
compilation and the windows after it the compiled steady state.
"""

from __future__ import annotations

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


class TorchSession:
    def __init__(
        self,
        model_name: str,
        settings: dict[str, Any],
        compile_backend: str | None = None,
        mixed_precision: bool = False,
    ):
        import time

        import torch
        from torch import nn

        from probes.pytorch import reference as ref

        self.torch, self.ref = torch, ref
        self.batch_size = settings["batch_size"]
        self.device = torch.device(PROBE.device_info(settings["device"])["used"])
        if self.device.type == "cuda":
            torch.cuda.reset_peak_memory_stats()
        self.dtype = mixed_precision_of(torch, self.device) if mixed_precision else None
        if mixed_precision and self.dtype is None:
            from probes.precision import unsupported_reason

            raise MixedPrecisionUnsupported(unsupported_reason(self.device.type))
        if self.dtype is not None:
            self.scaler = torch.amp.GradScaler(self.device.type, enabled=self.dtype == torch.float16)
        torch.manual_seed(settings["seed"])
        start = time.perf_counter()
        self.model = ref.build_model(model_name).to(self.device)
        if compile_backend:
            self.model = torch.compile(self.model, backend=compile_backend)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=MODELS[model_name].learning_rate)
        self._sync()
        self.build_s = time.perf_counter() - start
        self.loss_fn = nn.CrossEntropyLoss()
        x, y = make_data(model_name, POOL_SAMPLES, settings["seed"])
        inputs, labels = ref.to_tensors(x, y)
        if self.device.type == "cuda":  # as DataLoader(pin_memory=True) hands batches over on a GPU
            inputs, labels = inputs.pin_memory(), labels.pin_memory()
        self.batches = [
            (inputs[i : i + self.batch_size], labels[i : i + self.batch_size])
            for i in range(0, POOL_SAMPLES - self.batch_size + 1, self.batch_size)
        ]
        self.inputs = inputs
        self.cursor = 0
        self.params = sum(p.numel() for p in self.model.parameters())

    def _sync(self) -> None:
        if self.device.type == "cuda":
            self.torch.cuda.synchronize()

    def _take(self, n: int) -> list:
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


def measure(model_name: str, case: str, settings: dict[str, Any], variant: dict[str, Any]) -> dict[str, Any]:
    from probes.pytorch import reference as ref

    mixed = bool(variant["options"].get("mixed_precision"))
    if case == ACCURACY_CASE:
        return check_accuracy(amp_main(ref) if mixed else ref.main, model_name, settings)
    compile_backend = variant["options"].get("compile")
    try:
        session = TorchSession(model_name, settings, compile_backend, mixed_precision=mixed)
    except MixedPrecisionUnsupported as why:
        return {"status": "skipped", "reason": str(why)}
    measured = measure_training(session, model_name, settings)
    measured["samples"]["build_s"] = [session.build_s]
    mode = f"torch.compile (backend {compile_backend!r})" if compile_backend else "eager (PyTorch's default)"
    precision = PROBE.precision(session.device.type)
    if session.dtype is not None:
        dtype = str(session.dtype).removeprefix("torch.")
        mode += f", autocast {dtype}"
        precision = f"mixed: autocast {dtype}" + (" with GradScaler" if dtype == "float16" else "")
    measured["facts"].update(
        params=session.params,
        device=session.device.type,
        compile_mode=mode,
        precision=precision,
        host_to_device=HOST_TO_DEVICE,
    )
    return measured


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
