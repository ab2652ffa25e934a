"""PyTorch's scale probe: batch curves by the speed session, a DataLoader over record shards, and DDP ranks.

The streamed pipelines are PyTorch's data tutorial's Dataset over memmapped shards (opened in each worker
process), read the two ways its docs describe: a batch of records per fetch, with a BatchSampler and
automatic batching off, as PyTorch users read small records fast (`stream`: in worker processes;
`stream-workers-0`: in the training loop), and one record per __getitem__ batched by the DataLoader
(`stream-per-sample`, the tutorial's first version, in workers).

With workers, the run's cores are shared between them and training's intra-op threads, as PyTorch's CPU
tuning advice has it (half the cores each, at least one): on two cores, two workers beside two OpenMP threads
left training at 650-990 samples/s on the MLP against 22,000-34,000 with the cores shared (OpenMP threads
spin while they wait, and the workers wait for them), which would measure the oversubscription, not PyTorch.
"""

from __future__ import annotations

import bisect
import itertools
import os
from pathlib import Path
from typing import Any

from probes.kinds.scale import (
    STREAM_CASE,
    Shards,
    measure_shared_case,
    measure_stream,
    scale_cases,
    stream_folder,
    time_rank,
    write_shards,
)
from probes.kinds.speed import timed
from probes.specs import LEARNING_RATE, make_data
from probes.variants import Variant

IN_LOOP = "stream-workers-0"
PER_SAMPLE = "stream-per-sample"


def cases(models: list[str], variant: Variant) -> list[tuple[str, str]]:
    return scale_cases(models, (STREAM_CASE, IN_LOOP, PER_SAMPLE), data_parallel=True)


class RecordDataset:
    """Records by index, read from the shards that hold them (a torch.utils.data.Dataset by its methods).

    An int gives one record (inputs, label); a list of indices, as a BatchSampler hands them, gives the batch
    as two tensors read in one go.
    """

    def __init__(self, shards: Shards):
        self.paths, self.dtype = shards.paths, shards.record_dtype()
        self.sizes = [os.path.getsize(p) // self.dtype.itemsize for p in shards.paths]
        self.starts = list(itertools.accumulate(self.sizes, initial=0))
        self.files = None  # memmaps, opened in the process that reads (each DataLoader worker has its own)

    def __len__(self) -> int:
        return self.starts[-1]

    def __getitem__(self, index: int | list[int]) -> tuple[Any, Any]:
        import numpy as np
        import torch

        if self.files is None:
            self.files = [np.memmap(p, dtype=self.dtype, mode="r") for p in self.paths]
        if isinstance(index, int):
            shard = bisect.bisect_right(self.starts, index) - 1
            record = self.files[shard][index - self.starts[shard]]
            return self._channels_first(torch.from_numpy(np.array(record["x"]))), int(record["label"])
        rows = np.asarray(index)
        shards = np.searchsorted(self.starts, rows, side="right") - 1
        records = np.concatenate([self.files[i][rows[shards == i] - self.starts[i]] for i in np.unique(shards)])
        inputs = self._channels_first(torch.from_numpy(np.ascontiguousarray(records["x"])))
        return inputs, torch.from_numpy(records["label"].astype(np.int64))

    @staticmethod
    def _channels_first(x: Any) -> Any:
        """Images as PyTorch convolutions expect them: channels before height and width."""
        return x.movedim(-1, -3) if x.ndim >= 3 else x


class TorchStream:
    """reference.py's model and train_epoch, fed batch by batch by a DataLoader over the shards."""

    def __init__(self, model_name: str, shards: Shards, settings: dict[str, Any], workers: int, per_sample: bool):
        import torch
        from torch import nn
        from torch.utils.data import BatchSampler, DataLoader, SequentialSampler

        from probes.pytorch import PROBE
        from probes.pytorch import reference as ref

        self.torch, self.ref = torch, ref
        self.batch_size, self.workers = settings["batch_size"], workers
        self.device = torch.device(PROBE.device_info(settings["device"])["used"])
        torch.manual_seed(settings["seed"])
        self.model = ref.build_model(model_name).to(self.device)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=LEARNING_RATE)
        self.loss_fn = nn.CrossEntropyLoss()
        dataset = RecordDataset(shards)
        if per_sample:
            batching: dict[str, Any] = {"batch_size": self.batch_size}
            read = "one record per __getitem__, batched by the DataLoader"
        else:
            batching = {"batch_size": None, "sampler": BatchSampler(SequentialSampler(dataset), self.batch_size, True)}
            read = "a batch of records per __getitem__ (BatchSampler, automatic batching off)"
        self.loader = DataLoader(
            dataset,
            num_workers=workers,
            persistent_workers=workers > 0,
            pin_memory=self.device.type == "cuda",
            **batching,
        )
        threads = f", torch.set_num_threads({torch.get_num_threads()})"
        self.pipeline = f"DataLoader over a Dataset of memmapped records, {read}, num_workers={workers}{threads}"
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


def rank_env(rank: int, world: int, ports: list[int]) -> dict[str, str | None]:
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
    engine = "torch.distributed DistributedDataParallel (gloo on CPUs, NCCL on GPUs)"
    shared = measure_shared_case(model_name, case, settings, variant, framework="pytorch", engine=engine)
    if shared is not None:
        return shared
    import torch

    workers = 0 if case == IN_LOOP else max(1, settings["threads"] // 2)
    threads = torch.get_num_threads()
    torch.set_num_threads(max(1, settings["threads"] - workers))  # the cores the workers do not take
    try:
        with stream_folder() as folder:
            shards = write_shards(model_name, Path(folder), settings["seed"])
            session = TorchStream(model_name, shards, settings, workers, per_sample=case == PER_SAMPLE)
            return measure_stream(session, shards, settings)
    finally:
        torch.set_num_threads(threads)  # the next case gets the run's threads again
