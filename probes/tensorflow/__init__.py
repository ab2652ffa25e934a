"""Low-level TensorFlow, measured the way its guides write it: tf.Module, tf.nn and a GradientTape step.

reference.py is the user's code (a GradientTape step applying a tf.keras optimizer, compiled with tf.function);
speed.py times that step; debugging.py plants the standard bugs in it; export.py exports the
trained CNN as a SavedModel with a serving signature, LiteRT, ONNX and a checkpoint.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from probes.contract import FrameworkFolder


class TensorFlow(FrameworkFolder):
    name = "tensorflow"
    kinds = ("speed", "ease", "debugging", "export", "scale")
    api_packages = frozenset({"tensorflow"})
    device_apis = ("tensorflow.device",)

    def import_framework(self, variant: Mapping[str, Any] | None = None) -> dict[str, str]:
        import tensorflow as tf

        return {"tensorflow": tf.__version__}

    def configure_threads(self, n: int) -> dict[str, Any]:
        """TensorFlow's intra-op pool set to n (before any op runs); shared with Keras on TensorFlow."""
        import tensorflow as tf

        default = tf.config.threading.get_intra_op_parallelism_threads()
        tf.config.threading.set_intra_op_parallelism_threads(n)
        return {
            "default_intra_op": default or "all cores (0)",
            "intra_op": n,
            "inter_op": tf.config.threading.get_inter_op_parallelism_threads() or "all cores (0)",
        }

    def device_info(self, preference: str) -> dict[str, Any]:
        import tensorflow as tf

        gpus = tf.config.list_physical_devices("GPU")
        info: dict[str, Any] = {"gpus_visible": len(gpus), "used": "gpu" if gpus and preference != "cpu" else "cpu"}
        if info["used"] == "gpu":
            details = tf.config.experimental.get_device_details(gpus[0])
            info["gpu_name"] = details.get("device_name")
            info["synchronised"] = "a result copied to the host before every clock stop"
        return info

    def precision(self, used: str) -> str:
        """What float32 means on the device: TensorFlow runs float32 matmuls and convolutions in TF32 on
        Ampere and later GPUs unless a user turns it off."""
        if used != "gpu":
            return "float32"
        import tensorflow as tf

        tf32 = tf.config.experimental.is_tensor_float_32_execution_enabled()
        return f"float32 (TF32 execution {'on' if tf32 else 'off'}, TensorFlow's default on)"


def onednn_on() -> bool:
    """Whether TensorFlow runs its oneDNN kernels and graph rewrites in this process: on by default on x86
    Linux since TensorFlow 2.9, off with TF_ENABLE_ONEDNN_OPTS=0 (read when TensorFlow loads)."""
    from tensorflow.python.util import _pywrap_util_port

    return bool(_pywrap_util_port.IsMklEnabled())


def reset_gpu_peak(used: str) -> None:
    """Set TensorFlow's tracked GPU peak to what is in use now, so the next peak is one model's alone."""
    if used == "gpu":
        import tensorflow as tf

        tf.config.experimental.reset_memory_stats("GPU:0")


def gpu_peak_mb(used: str) -> float | None:
    """TensorFlow's peak GPU memory since the last reset_gpu_peak(), in MB; None on the CPU."""
    if used != "gpu":
        return None
    import tensorflow as tf

    return tf.config.experimental.get_memory_info("GPU:0")["peak"] / 2**20


PROBE = TensorFlow()
