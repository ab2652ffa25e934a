"""PyTorch's scale probe: batch curves by the speed session, a DataLoader over record shards, and DDP ranks.

The streamed pipeline is what PyTorch's data tutorial teaches: a map-style Dataset whose __getitem__
reads one record (here from a numpy memmap of its shard, opened in each worker process) and a DataLoader
that batches it, in the training loop (`stream-workers-0`) or in worker processes (`stream`, one per
thread the run gives every framework, as PyTorch's docs advise for data that comes from disk).
"""

from __future__ import annotations

import bisect
import itertools
import os
from pathlib import Path
from typing import Any

from probes.kinds.scale import (
    DATA_PARALLEL_CASE,
    DATA_PARALLEL_STEPS,
    STREAM_CASE,
    Shards,
    case_batch_size,
    changed_lines,
    measure_data_parallel,
    measure_stream,
    scale_cases,
    stream_folder,
    time_rank,
    write_shards,
)
from probes.kinds.speed import timed
from probes.specs import LEARNING_RATE, make_data

IN_LOOP = "stream-workers-0"


def cases(models: list[str], variant: dict[str, Any] | Any) -> list[tuple[str, str]]:
    return scale_cases(models, (STREAM_CASE, IN_LOOP), data_parallel=True)


class RecordDataset:
    """One record per index, read from the shard that holds it (a torch.utils.data.Dataset by its methods)."""

    def __init__(self, shards: Shards):
        self.paths, self.dtype = shards.paths, shards.record_dtype()
        self.sizes = [os.path.getsize(p) // self.dtype.itemsize for p in shards.paths]
        self.starts = list(itertools.accumulate(self.sizes, initial=0))
        self.files = None  # memmaps, opened in the process that reads (each DataLoader worker has its own)

    def __len__(self) -> int:
        return self.starts[-1]

    def __getitem__(self, index: int) -> tuple[Any, int]:
        import numpy as np
        import torch

        if self.files is None:
            self.files = [np.memmap(p, dtype=self.dtype, mode="r") for p in self.paths]
        shard = bisect.bisect_right(self.starts, index) - 1
        record = self.files[shard][index - self.starts[shard]]
        x = torch.from_numpy(np.array(record["x"]))
        if x.ndim == 3:
            x = x.permute(2, 0, 1)  # channels first, as PyTorch convolutions expect
        return x, int(record["label"])


class TorchStream:
    """reference.py's model and train_epoch, fed batch by batch by a DataLoader over the shards."""

    def __init__(self, model_name: str, shards: Shards, settings: dict[str, Any], workers: int):
        import torch
        from torch import nn
        from torch.utils.data import DataLoader

        from probes.pytorch import PROBE
        from probes.pytorch import reference as ref

        self.torch, self.ref = torch, ref
        self.batch_size, self.workers = settings["batch_size"], workers
        self.device = torch.device(PROBE.device_info(settings["device"])["used"])
        torch.manual_seed(settings["seed"])
        self.model = ref.build_model(model_name).to(self.device)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=LEARNING_RATE)
        self.loss_fn = nn.CrossEntropyLoss()
        self.loader = DataLoader(
            RecordDataset(shards),
            batch_size=self.batch_size,
            num_workers=workers,
            persistent_workers=workers > 0,
            pin_memory=self.device.type == "cuda",
        )
        self.pipeline = f"DataLoader over a map-style Dataset of memmapped records, num_workers={workers}"
        self.batches = self._forever()

    def _forever(self) -> Any:
        while True:
            yield from self.loader

    def _sync(self) -> None:
        if self.device.type == "cuda":
            self.torch.cuda.synchronize()

    def steps(self, n: int) -> float:
        batches = itertools.islice(self.batches, n)
        return timed(
            lambda: self.ref.train_epoch(self.model, batches, self.optimizer, self.loss_fn, self.device), self._sync
        )

    def first_step(self) -> float:
        return self.steps(1)

    def read(self, n: int) -> float:
        return timed(lambda: [batch for batch in itertools.islice(self.batches, n)], self._sync)

    def close(self) -> None:
        self.batches.close()  # drops the DataLoader's iterator, which stops its workers


# --- data-parallel ranks: reference_distributed.py's own functions, one process each


def rank_env(rank: int, world: int, ports: list[int]) -> dict[str, str]:
    """What torchrun gives each process: its rank, the world, and where rank 0 listens."""
    return {
        "RANK": str(rank),
        "LOCAL_RANK": str(rank),
        "WORLD_SIZE": str(world),
        "MASTER_ADDR": "127.0.0.1",
        "MASTER_PORT": str(ports[0]),
    }


def rank_main(request: dict[str, Any]) -> dict[str, Any]:
    """One rank: set up the process group, wrap the model in DDP, time its steps on its share of generated data."""
    import torch
    import torch.distributed as dist
    from torch import nn

    from probes.pytorch import reference as ref
    from probes.pytorch import reference_distributed as ddp

    torch.set_num_threads(1)
    torch.manual_seed(request["seed"])
    device = ddp.setup()
    x, y = make_data(request["model"], 4096, request["seed"])
    loader, _ = ddp.make_loader(x, y, request["batch_size"], shuffle=False)
    model = ddp.distribute(ref.build_model(request["model"]), device)
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    loss_fn = nn.CrossEntropyLoss()
    batches = itertools.cycle(list(loader))

    def step() -> None:
        ref.train_epoch(model, [next(batches)], optimizer, loss_fn, device)

    def finish() -> None:
        if device.type == "cuda":
            torch.cuda.synchronize()

    warmup, steps = request["steps"]
    timing = time_rank(step, finish, warmup, steps)
    dist.destroy_process_group()
    return {**timing, "steps": steps, "samples": steps * request["batch_size"]}


def measure(model_name: str, case: str, settings: dict[str, Any], variant: dict[str, Any]) -> dict[str, Any]:
    from probes.pytorch import speed

    batch = case_batch_size(case)
    if batch is not None:
        return speed.measure(model_name, "", {**settings, "batch_size": batch, "infer_repeats": 0}, variant)
    if case == DATA_PARALLEL_CASE:
        here = Path(__file__).resolve().parent
        changed = changed_lines((here / "reference.py").read_text(), (here / "reference_distributed.py").read_text())
        request = {
            "model": model_name,
            "seed": settings["seed"],
            "batch_size": settings["batch_size"],
            "steps": DATA_PARALLEL_STEPS[model_name],
        }
        engine = "torch.distributed DistributedDataParallel (gloo on CPUs, NCCL on GPUs)"
        return measure_data_parallel(__name__, request, rank_env, engine, changed)
    workers = settings["threads"] if case == STREAM_CASE else 0
    with stream_folder() as folder:
        shards = write_shards(model_name, Path(folder), settings["seed"])
        return measure_stream(TorchStream(model_name, shards, settings, workers), shards, settings)
