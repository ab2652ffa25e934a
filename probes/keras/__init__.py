"""Keras 3, measured the way Keras users write it: Sequential models, compile() and fit().

One reference script serves every backend (KERAS_BACKEND, set in the child's environment by the
variant, picks TensorFlow, PyTorch or JAX before keras is imported). Threads, devices and GPU memory
are the backend's own: TensorFlow's and PyTorch's are set as for those frameworks used directly, by the
runtime code they share (probes/common/), and JAX's here.

The transformers are built from the layers keras.io's "Text classification with Transformer" guide uses
(MultiHeadAttention, Dense, LayerNormalization), the same post-LayerNorm block as PyTorch's
nn.TransformerEncoderLayer. Keras Hub's TransformerEncoder is that block too, and installs beside our pins
(keras-hub 0.32, with 15 packages of its own), but importing keras_hub imports TensorFlow and
tensorflow-text on every backend (keras_hub/src/utils/tensor_utils.py): the Keras-on-PyTorch and
Keras-on-JAX children would load TensorFlow, and their start-up and memory figures would carry it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from probes.common import jax_runtime, tensorflow_runtime, torch_runtime
from probes.contract import FrameworkFolder


def backend() -> str:
    import keras

    return keras.backend.backend()


class Keras(FrameworkFolder):
    name = "keras"
    kinds = ("speed", "ease", "debugging", "export", "scale", "own_model", "own_export")
    api_packages = frozenset({"keras"})
    device_apis = ("keras.device",)

    def import_framework(self, variant: Mapping[str, Any] | None = None) -> dict[str, str]:
        import keras

        chosen = keras.backend.backend()
        versions = {"keras": keras.__version__, "keras_backend": chosen}
        if chosen == "tensorflow":
            import tensorflow as tf

            versions["tensorflow"] = tf.__version__
        elif chosen == "torch":
            import torch

            versions["torch"] = torch.__version__
        elif chosen == "jax":
            import jax

            versions["jax"] = jax.__version__
        return versions

    def configure_threads(self, n: int) -> dict[str, Any]:
        chosen = backend()
        if chosen == "tensorflow":
            return tensorflow_runtime.configure_threads(n)
        if chosen == "torch":
            return torch_runtime.configure_threads(n)
        return jax_runtime.configure_threads(n)

    def device_info(self, preference: str) -> dict[str, Any]:
        chosen = backend()
        if chosen == "tensorflow":
            info = tensorflow_runtime.device_info(preference)
        elif chosen == "torch":
            info = torch_runtime.device_info(preference)
        else:
            import jax

            info = {"used": jax.default_backend()}
            if info["used"] == "gpu":
                info["gpu_name"] = jax.devices()[0].device_kind
        return {"backend": chosen, **info}


def precision(chosen: str, used: str) -> str:
    """What float32 means for the backend on the device (its framework's TF32 defaults)."""
    if chosen == "tensorflow":
        return tensorflow_runtime.precision(used)
    if chosen == "torch":
        return torch_runtime.precision(used)
    if used != "gpu":
        return "float32"
    import jax

    setting = jax.config.jax_default_matmul_precision
    return f"float32 (JAX matmul precision {setting or 'default: TF32 on Ampere and later'})"


def reset_gpu_peak(chosen: str, used: str) -> bool:
    """Start the backend's peak accelerator memory afresh for one model; False where it cannot (JAX keeps
    `peak_bytes_in_use` from process start, so only a process's first model has a peak of its own)."""
    if chosen == "tensorflow":
        tensorflow_runtime.reset_gpu_peak(used)
        return True
    if used not in ("cuda", "gpu"):
        return True
    if chosen == "torch":
        import torch

        torch.cuda.reset_peak_memory_stats()
        return True
    return False


def gpu_peak_mb(chosen: str, used: str) -> float | None:
    """The backend's own peak accelerator memory since reset_gpu_peak(), in MB; None on the CPU."""
    if chosen == "tensorflow":
        return tensorflow_runtime.gpu_peak_mb(used)
    if used not in ("cuda", "gpu"):
        return None
    if chosen == "torch":
        import torch

        return torch.cuda.max_memory_allocated() / 2**20
    import jax

    stats = jax.devices()[0].memory_stats() or {}
    return stats["peak_bytes_in_use"] / 2**20 if "peak_bytes_in_use" in stats else None


PROBE = Keras()
