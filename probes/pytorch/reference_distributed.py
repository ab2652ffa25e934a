"""PyTorch reference, data-parallel: reference.py's training on several processes with DistributedDataParallel.

Started the way torchrun starts it: each process finds its peers from RANK, WORLD_SIZE, MASTER_ADDR and
MASTER_PORT in its environment. Gloo on CPUs, NCCL on GPUs (one per process). The model, the loss and
train_epoch are reference.py's; what a user changes is the process group, the sampler that gives each
process its share of the data, and the DistributedDataParallel wrapper (the scale probe counts those lines).
"""

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data.distributed import DistributedSampler

from probes.pytorch.reference import build_model, evaluate, to_tensors, train_epoch


def setup():
    if torch.cuda.is_available():
        dist.init_process_group("nccl")
        device = torch.device("cuda", dist.get_rank() % torch.cuda.device_count())
        torch.cuda.set_device(device)
        return device
    dist.init_process_group("gloo")
    return torch.device("cpu")


def make_loader(x, y, batch_size, shuffle=True):
    dataset = TensorDataset(*to_tensors(x, y))
    sampler = DistributedSampler(dataset, shuffle=shuffle)
    return DataLoader(dataset, batch_size=batch_size, sampler=sampler), sampler


def distribute(model, device):
    model = model.to(device)
    return DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)


def main(name="cnn", epochs=5, batch_size=64, seed=0):
    from probes.specs import digits_split

    torch.manual_seed(seed)

    device = setup()
    x_train, y_train, x_test, y_test = digits_split(name)
    train_loader, sampler = make_loader(x_train, y_train, batch_size)
    test_loader, _ = make_loader(x_test, y_test, batch_size, shuffle=False)
    model = distribute(build_model(name), device)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(epochs):
        sampler.set_epoch(epoch)
        train_epoch(model, train_loader, optimizer, loss_fn, device)
    accuracy = evaluate(model.module, test_loader, device)
    if dist.get_rank() == 0:
        print(f"test accuracy: {accuracy:.3f}")
    dist.destroy_process_group()
    return accuracy


if __name__ == "__main__":
    main()
