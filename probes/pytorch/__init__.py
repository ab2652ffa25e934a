"""PyTorch, measured the way PyTorch users write it: an nn.Module per model and the classic loop.

reference.py is the user's code; speed.py times its train_epoch (eagerly, PyTorch's default, or
under torch.compile when the variant asks for it); debugging.py plants the standard bugs in it;
export.py saves and exports the trained CNN by each of PyTorch's paths; scale.py streams records
through a DataLoader and trains with DDP. PyTorch's runtime (threads, devices, torch.export and
ExecuTorch) is shared with Keras 3 on PyTorch in probes/common/torch_runtime.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from probes.common import torch_runtime
from probes.contract import FrameworkFolder


class PyTorch(FrameworkFolder):
    name = "pytorch"
    kinds = ("speed", "ease", "debugging", "export", "scale")
    api_packages = frozenset({"torch"})
    device_apis = ("torch.device", "torch.cuda.")

    def import_framework(self, variant: Mapping[str, Any] | None = None) -> dict[str, str]:
        import torch

        return {"torch": torch.__version__}

    def configure_threads(self, n: int) -> dict[str, Any]:
        return torch_runtime.configure_threads(n)

    def device_info(self, preference: str) -> dict[str, Any]:
        return torch_runtime.device_info(preference)

    def precision(self, used: str) -> str:
        return torch_runtime.precision(used)


PROBE = PyTorch()
