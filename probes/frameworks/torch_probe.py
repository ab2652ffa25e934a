"""Measure PyTorch: the reference's own train_epoch loop, timed on the device it picks."""

from __future__ import annotations

from typing import Any

from probes.correctness import with_accuracy
from probes.specs import LEARNING_RATE, make_data
from probes.timing import measure_training, timed

POOL_SAMPLES = 4096


def cases(models: list[str]) -> list[tuple[str, str]]:
    return [(model, "") for model in models]


def import_framework() -> dict[str, str]:
    import torch

    return {"torch": torch.__version__}


def configure_threads(n: int) -> dict[str, Any]:
    import torch

    default = torch.get_num_threads()
    torch.set_num_threads(n)
    return {
        "default_intra_op": default,
        "intra_op": torch.get_num_threads(),
        "inter_op": torch.get_num_interop_threads(),
    }


def choose_device(preference: str, cuda_available: bool) -> str:
    """cuda when a GPU is there and the user did not ask for the CPU; else cpu."""
    return "cuda" if cuda_available and preference != "cpu" else "cpu"


def device_info(preference: str) -> dict[str, Any]:
    import torch

    available = torch.cuda.is_available()
    info: dict[str, Any] = {"cuda_available": available}
    if available:
        props = torch.cuda.get_device_properties(0)
        info.update(
            gpu_name=props.name,
            gpu_memory_gb=round(props.total_memory / 2**30, 1),
            cuda_version=torch.version.cuda,
            cudnn_version=torch.backends.cudnn.version(),
        )
    info["used"] = choose_device(preference, available)
    info["synchronised"] = "torch.cuda.synchronize() before every clock stop" if info["used"] == "cuda" else "cpu"
    return info


class TorchSession:
    def __init__(self, model_name: str, settings: dict[str, Any]):
        import time

        import torch
        from torch import nn

        from probes.reference import torch_reference as ref

        self.torch, self.ref = torch, ref
        self.batch_size = settings["batch_size"]
        self.device = torch.device(device_info(settings["device"])["used"])
        if self.device.type == "cuda":
            torch.cuda.reset_peak_memory_stats()
        torch.manual_seed(settings["seed"])
        start = time.perf_counter()
        self.model = ref.build_model(model_name).to(self.device)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=LEARNING_RATE)
        self._sync()
        self.build_s = time.perf_counter() - start
        self.loss_fn = nn.CrossEntropyLoss()
        x, y = make_data(model_name, POOL_SAMPLES, settings["seed"])
        inputs, labels = ref.to_tensors(x, y)
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
        return timed(
            lambda: self.ref.train_epoch(self.model, batches, self.optimizer, self.loss_fn, self.device), self._sync
        )

    def first_step(self) -> float:
        return self.steps(1)

    def infer(self, rows: int) -> float:
        self.model.eval()
        batch = self.inputs[:rows].to(self.device)

        def run() -> None:
            with self.torch.no_grad():
                self.model(batch)

        return timed(run, self._sync)

    def device_peak_mb(self) -> float | None:
        if self.device.type != "cuda":
            return None
        return self.torch.cuda.max_memory_allocated() / 2**20


def measure(model_name: str, case: str, settings: dict[str, Any]) -> dict[str, Any]:
    from probes.reference import torch_reference as ref

    session = TorchSession(model_name, settings)
    measured = measure_training(session, model_name, settings)
    measured["samples"]["build_s"] = [session.build_s]
    measured["facts"].update(params=session.params, device=session.device.type)
    return with_accuracy(measured, ref.main, model_name, settings)
