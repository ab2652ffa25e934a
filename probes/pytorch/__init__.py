"""PyTorch, measured the way PyTorch users write it: an nn.Module per model and the classic loop.

reference.py is the user's code; speed.py times its train_epoch (eagerly, PyTorch's default, or
under torch.compile when the variant asks for it); debugging.py plants the standard bugs in it;
export.py saves and exports the trained CNN by each of PyTorch's paths.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from probes.contract import FrameworkFolder


def choose_device(preference: str, cuda_available: bool) -> str:
    """cuda when a GPU is there and the user did not ask for the CPU; else cpu."""
    return "cuda" if cuda_available and preference != "cpu" else "cpu"


class PyTorch(FrameworkFolder):
    name = "pytorch"
    kinds = ("speed", "ease", "debugging", "export", "scale")
    api_packages = frozenset({"torch"})
    device_apis = ("torch.device", "torch.cuda.")

    def import_framework(self, variant: Mapping[str, Any] | None = None) -> dict[str, str]:
        import torch

        return {"torch": torch.__version__}

    def configure_threads(self, n: int) -> dict[str, Any]:
        import torch

        default = torch.get_num_threads()
        torch.set_num_threads(n)
        return {
            "default_intra_op": default,
            "intra_op": torch.get_num_threads(),
            "inter_op": torch.get_num_interop_threads(),
        }

    def device_info(self, preference: str) -> dict[str, Any]:
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

    def precision(self, used: str) -> str:
        """What float32 means on the device: PyTorch's defaults keep matmuls in full float32 and let cuDNN
        run convolutions in TF32 (Ampere and later)."""
        if used != "cuda":
            return "float32"
        import torch

        matmul = "on" if torch.backends.cuda.matmul.allow_tf32 else "off"
        conv = "on" if torch.backends.cudnn.allow_tf32 else "off"
        return f"float32 (TF32 matmuls {matmul}, cuDNN TF32 convolutions {conv}: PyTorch's defaults are off, on)"


PROBE = PyTorch()
