"""The GPU path, checked with fake device modules: the suite runs without a GPU (issue 19).

Each test stands in for what a GPU machine would do: a fake `tensorflow`, `torch` or `jax` module
records the calls a probe makes, so a per-model peak reset, a TF32 setting or an environment
variable that is missing fails here before it costs a GPU user a wrong figure.
"""

from __future__ import annotations

import sys
from types import SimpleNamespace

import pytest

from probes.runner import child_env, make_plan
from probes.variants import VARIANTS


class Recorder:
    def __init__(self):
        self.calls: list[tuple] = []

    def __call__(self, name: str, result=None):
        def record(*args, **kwargs):
            self.calls.append((name, *args))
            return result

        return record


@pytest.fixture
def fake_tensorflow(monkeypatch):
    calls = Recorder()
    experimental = SimpleNamespace(
        reset_memory_stats=calls("reset_memory_stats"),
        get_memory_info=calls("get_memory_info", {"current": 0, "peak": 256 * 2**20}),
        is_tensor_float_32_execution_enabled=calls("tf32", True),
    )
    monkeypatch.setitem(sys.modules, "tensorflow", SimpleNamespace(config=SimpleNamespace(experimental=experimental)))
    return calls


@pytest.fixture
def fake_torch(monkeypatch):
    calls = Recorder()
    cuda = SimpleNamespace(reset_peak_memory_stats=calls("reset_peak"), max_memory_allocated=calls("max", 2**27))
    backends = SimpleNamespace(
        cuda=SimpleNamespace(matmul=SimpleNamespace(allow_tf32=False)), cudnn=SimpleNamespace(allow_tf32=True)
    )
    monkeypatch.setitem(sys.modules, "torch", SimpleNamespace(cuda=cuda, backends=backends))
    return calls


# --- peaks per model, not per process


def test_tensorflow_starts_each_models_gpu_peak_afresh(fake_tensorflow):
    from probes.tensorflow import gpu_peak_mb, reset_gpu_peak

    reset_gpu_peak("gpu")
    assert ("reset_memory_stats", "GPU:0") in fake_tensorflow.calls
    assert gpu_peak_mb("gpu") == 256


def test_nothing_is_reset_or_read_on_the_cpu(fake_tensorflow):
    from probes.tensorflow import gpu_peak_mb, reset_gpu_peak

    reset_gpu_peak("cpu")
    assert gpu_peak_mb("cpu") is None
    assert fake_tensorflow.calls == []


def test_keras_on_torch_resets_torchs_peak_and_on_tensorflow_tensorflows(fake_torch, fake_tensorflow):
    from probes.keras import reset_gpu_peak

    assert reset_gpu_peak("torch", "cuda") is True
    assert ("reset_peak",) in fake_torch.calls
    assert reset_gpu_peak("tensorflow", "gpu") is True
    assert ("reset_memory_stats", "GPU:0") in fake_tensorflow.calls


def test_keras_on_jax_says_its_peak_cannot_be_reset():
    from probes.keras import reset_gpu_peak

    assert reset_gpu_peak("jax", "gpu") is False


def test_a_peak_counted_from_process_start_is_kept_for_the_first_model_only():
    from probes.worker import keep_own_gpu_peak

    def measured():
        return {"samples": {"gpu_peak_mb": [300.0]}, "facts": {"gpu_peak_since_process_start": True}}

    first, later = measured(), measured()
    keep_own_gpu_peak(first, 0)
    keep_own_gpu_peak(later, 1)
    assert first == {"samples": {"gpu_peak_mb": [300.0]}, "facts": {}}
    assert "gpu_peak_mb" not in later["samples"]
    assert "process start" in later["facts"]["gpu_peak_note"]


def test_a_resettable_peak_is_kept_for_every_model():
    from probes.worker import keep_own_gpu_peak

    measured = {"samples": {"gpu_peak_mb": [300.0]}, "facts": {}}
    keep_own_gpu_peak(measured, 3)
    assert measured["samples"] == {"gpu_peak_mb": [300.0]}


# --- memory as users set it on a shared GPU


@pytest.mark.parametrize("variant", ["tensorflow", "keras-tensorflow", "keras-jax", "torch"])
def test_every_child_grows_tensorflows_gpu_memory_and_stops_jax_preallocating(variant):
    from probes.budgets import BUDGETS

    env = child_env(VARIANTS[variant], make_plan(BUDGETS["tiny"], [variant]))
    assert env["TF_FORCE_GPU_ALLOW_GROWTH"] == "true"
    assert env["XLA_PYTHON_CLIENT_PREALLOCATE"] == "false"


# --- what float32 means on the device


def test_precision_names_each_frameworks_tf32_defaults(fake_torch, fake_tensorflow):
    from probes.pytorch import PROBE as pytorch
    from probes.tensorflow import PROBE as tensorflow

    assert pytorch.precision("cpu") == tensorflow.precision("cpu") == "float32"
    assert "TF32 matmuls off, cuDNN TF32 convolutions on" in pytorch.precision("cuda")
    assert "TF32 execution on" in tensorflow.precision("gpu")


def test_the_gpu_matmul_peak_allows_tf32_where_the_gpu_has_it(monkeypatch):
    import probes.peak as peak

    class Matrix:
        def __matmul__(self, other):
            return self

    state = SimpleNamespace(allow_tf32=False)
    torch = SimpleNamespace(
        __version__="2.13.0",
        randn=lambda *a, **k: Matrix(),
        cuda=SimpleNamespace(
            synchronize=lambda: None, get_device_capability=lambda i: (9, 0), get_device_name=lambda i: "H200"
        ),
        backends=SimpleNamespace(cuda=SimpleNamespace(matmul=state)),
    )
    monkeypatch.setitem(sys.modules, "torch", torch)
    monkeypatch.setattr(peak, "best_gflops", lambda *a, **k: 400_000.0 if state.allow_tf32 else 60_000.0)
    measured = peak.cuda_peak()
    assert measured["gflops"] == 400_000.0 and measured["gflops_strict_float32"] == 60_000.0
    assert "TF32" in measured["method"]
    assert state.allow_tf32 is False  # the user's setting is left as it was


# --- host-to-device copies: inside the clock for every framework


def test_every_speed_probe_records_where_its_data_lived():
    import inspect

    import probes.keras.speed as keras_speed
    import probes.pytorch.speed as torch_speed
    import probes.tensorflow.speed as tf_speed

    for module in (keras_speed, torch_speed, tf_speed):
        assert "host_to_device=" in inspect.getsource(module.measure), module.__name__
    assert 'tf.device("/CPU:0")' in inspect.getsource(tf_speed.TensorFlowSession)
    assert "batch.to(self.device)" in inspect.getsource(torch_speed.TorchSession.infer)


# --- Keras's clock keeps fit()'s asynchronous dispatch


def test_the_keras_epoch_clock_leaves_fits_async_batch_dispatch_on():
    """Keras 3 dispatches batch callbacks asynchronously on thread-safe backends (torch, JAX) unless a
    callback overrides a batch-end hook (keras/src/callbacks/callback_list.py): the clock overrides none."""
    pytest.importorskip("keras")
    from keras.src import utils

    from probes.keras.speed import EpochClock

    clock = EpochClock().callback
    for hook in ("on_batch_end", "on_train_batch_end", "on_test_batch_end", "on_predict_batch_end"):
        assert utils.is_default(getattr(clock, hook)), hook
