"""Measure PyTorch: the reference's own train_epoch loop, timed on the device it picks."""

from __future__ import annotations

import time
from typing import Any

from probes.specs import make_data
from probes.timing import measure_training

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


def device_info(preference: str) -> dict[str, Any]:
    import torch

    info: dict[str, Any] = {"cuda_available": torch.cuda.is_available()}
    if torch.cuda.is_available():
        props = torch.cuda.get_device_properties(0)
        info.update(
            gpu_name=props.name,
            gpu_memory_gb=round(props.total_memory / 2**30, 1),
            cuda_version=torch.version.cuda,
            cudnn_version=torch.backends.cudnn.version(),
        )
    info["used"] = "cuda" if torch.cuda.is_available() and preference != "cpu" else "cpu"
    return info


class TorchSession:
    def __init__(self, model_name: str, settings: dict[str, Any]):
        import torch
        from torch import nn

        from probes.reference import torch_reference as ref

        self.torch, self.ref = torch, ref
        self.batch_size = settings["batch_size"]
        self.device = torch.device(device_info(settings["device"])["used"])
        torch.manual_seed(settings["seed"])
        start = time.perf_counter()
        self.model = ref.build_model(model_name).to(self.device)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=1e-3)
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
        self._sync()
        start = time.perf_counter()
        self.ref.train_epoch(self.model, batches, self.optimizer, self.loss_fn, self.device)
        self._sync()
        return time.perf_counter() - start

    def first_step(self) -> float:
        return self.steps(1)

    def infer(self, rows: int) -> float:
        self.model.eval()
        batch = self.inputs[:rows].to(self.device)
        self._sync()
        start = time.perf_counter()
        with self.torch.no_grad():
            self.model(batch)
        self._sync()
        return time.perf_counter() - start


def measure(model_name: str, case: str, settings: dict[str, Any]) -> dict[str, Any]:
    session = TorchSession(model_name, settings)
    measured = measure_training(session, settings)
    measured["samples"]["build_s"] = [session.build_s]
    measured["facts"].update(params=session.params, device=session.device.type)
    return measured
