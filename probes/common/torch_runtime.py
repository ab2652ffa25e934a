"""PyTorch's runtime, shared by PyTorch (probes/pytorch/) and Keras 3 on PyTorch (probes/keras/).

Threads, the device and what float32 means on it, and the deployment formats both front ends write:
a torch.export program, and the ExecuTorch .pte lowered from it. PyTorch is imported inside each
function: the parent reads the framework folders without importing any framework.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np


def choose_device(preference: str, cuda_available: bool) -> str:
    """cuda when a GPU is there and the user did not ask for the CPU; else cpu."""
    return "cuda" if cuda_available and preference != "cpu" else "cpu"


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


def precision(used: str) -> str:
    """What float32 means on the device: PyTorch's defaults keep matmuls in full float32 and let cuDNN
    run convolutions in TF32 (Ampere and later)."""
    if used != "cuda":
        return "float32"
    import torch

    matmul = "on" if torch.backends.cuda.matmul.allow_tf32 else "off"
    conv = "on" if torch.backends.cudnn.allow_tf32 else "off"
    return f"float32 (TF32 matmuls {matmul}, cuDNN TF32 convolutions {conv}: PyTorch's defaults are off, on)"


# --- the export probe: torch.export programs and ExecuTorch, whichever front end traced the model


def lower_to_executorch(program: Any, path: Path) -> None:
    """A torch.export program to an ExecuTorch .pte, its operators delegated to XNNPACK where it can."""
    from executorch.backends.xnnpack.partition.xnnpack_partitioner import XnnpackPartitioner
    from executorch.exir import to_edge_transform_and_lower

    path.write_bytes(to_edge_transform_and_lower(program, partitioner=[XnnpackPartitioner()]).to_executorch().buffer)


def load_torch_export(path: str, batch: np.ndarray) -> np.ndarray:
    import torch

    program = torch.export.load(path)
    with torch.no_grad():
        return program.module()(torch.from_numpy(batch)).numpy()


def open_executorch(path: str) -> Callable[[np.ndarray], np.ndarray]:
    """A .pte in ExecuTorch's runtime (its Python binding of the C++ runtime apps link)."""
    import torch
    from executorch.runtime import Runtime

    method = Runtime.get().load_program(path).load_method("forward")
    return lambda batch: method.execute([torch.from_numpy(batch)])[0].numpy()
