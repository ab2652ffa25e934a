"""The GPU path, checked with fake device modules: the suite runs without a GPU (issue 19).

Each test stands in for what a GPU machine would do: a fake `tensorflow`, `torch` or `jax` module
records the calls a probe makes, so a per-model peak reset, a TF32 setting or an environment
variable that is missing fails here before it costs a GPU user a wrong figure.
"""

from __future__ import annotations

import os
import sys
from types import SimpleNamespace

import pytest

from probes.children import child_env
from probes.plan import make_plan
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
    from probes.common.tensorflow_runtime import gpu_peak_mb, reset_gpu_peak

    reset_gpu_peak("gpu")
    assert ("reset_memory_stats", "GPU:0") in fake_tensorflow.calls
    assert gpu_peak_mb("gpu") == 256


def test_nothing_is_reset_or_read_on_the_cpu(fake_tensorflow):
    from probes.common.tensorflow_runtime import gpu_peak_mb, reset_gpu_peak

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
        facts = inspect.getsource(module.session_facts)  # the facts each measure() records
        assert '"host_to_device":' in facts and "session_facts(session)" in inspect.getsource(module.measure)
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


# --- before measuring: a driver too old for the runtime, or a CPU build on a GPU machine


def fake_nvidia_smi(tmp_path, monkeypatch, cuda: str) -> None:
    """An nvidia-smi on PATH that prints a banner with the driver's CUDA version, and one GPU."""
    script = tmp_path / "bin" / "nvidia-smi"
    script.parent.mkdir()
    script.write_text(
        "#!/bin/sh\n"
        'if [ -n "$1" ]; then echo "NVIDIA H200, 143771 MiB, 550.54"; exit 0; fi\n'
        f'echo "| NVIDIA-SMI 550.54   Driver Version: 550.54   CUDA Version: {cuda}     |"\n'
    )
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{script.parent}:{os.environ['PATH']}")


def fake_site(tmp_path, torch_cuda: str | None, tf_cuda: str = "12.5.1"):
    site = tmp_path / "site"
    (site / "torch").mkdir(parents=True)
    (site / "torch" / "version.py").write_text(f"cuda: Optional[str] = {repr(torch_cuda) if torch_cuda else 'None'}\n")
    (site / "tensorflow" / "python" / "platform").mkdir(parents=True)
    (site / "tensorflow" / "python" / "platform" / "build_info.py").write_text(
        f"build_info = collections.OrderedDict([('cuda_version', '{tf_cuda}'), ('cudnn_version', '9')])\n"
    )
    return site


def test_a_driver_older_than_a_frameworks_cuda_runtime_is_said_before_measuring(tmp_path, monkeypatch):
    from probes.environment import cuda_readiness, driver_cuda_version

    fake_nvidia_smi(tmp_path, monkeypatch, "12.2")
    assert driver_cuda_version() == "12.2"
    problems = cuda_readiness(fake_site(tmp_path, "12.8", "12.5.1"))
    assert len(problems) == 2
    assert "supports CUDA up to 12.2, but torch was built for CUDA 12.8" in problems[0]
    assert "tensorflow was built for CUDA 12.5.1" in problems[1]


def test_a_cpu_build_of_torch_on_an_nvidia_machine_is_said_before_measuring(tmp_path, monkeypatch):
    from probes.environment import cuda_readiness

    fake_nvidia_smi(tmp_path, monkeypatch, "12.8")
    (problem,) = cuda_readiness(fake_site(tmp_path, None, "12.5.1"))
    assert "PyTorch is a CPU build" in problem and "scripts/setup.sh" in problem


def test_a_matching_driver_or_no_gpu_says_nothing(tmp_path, monkeypatch):
    from probes.environment import cuda_readiness

    site = fake_site(tmp_path, None)  # a CPU build: fine where there is no NVIDIA driver
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert cuda_readiness(site) == []
    fake_nvidia_smi(tmp_path, monkeypatch, "12.8")
    assert cuda_readiness(fake_site(tmp_path / "cuda", "12.8")) == []


def test_the_warning_reaches_the_terminal_before_the_probes(tmp_path, monkeypatch, fake_worker):
    from typer.testing import CliRunner

    import probes.environment
    import probes.runner
    from advisor.cli import app

    monkeypatch.setattr(probes.runner, "missing_requirement", lambda v: None)
    monkeypatch.setattr(probes.environment, "cuda_readiness", lambda site=None: ["the driver is too old"])
    result = CliRunner().invoke(app, ["probe", "--budget", "tiny", "--out", str(tmp_path / "run")])
    assert result.exit_code == 0, result.output
    assert result.output.index("warning: the driver is too old") < result.output.index("Measured")
    result = CliRunner().invoke(app, ["probe", "--budget", "tiny", "--device", "cpu", "--out", str(tmp_path / "r2")])
    assert "driver is too old" not in result.output  # --device cpu asks for no GPU


# --- setup: every framework's GPU build on an NVIDIA machine, nothing extra elsewhere


def setup_plan(tmp_path, monkeypatch, *, gpu: bool, extras: str = "export", cpu_torch_in_venv: bool = False) -> str:
    import subprocess

    from tests.conftest import ROOT

    path = str(tmp_path / "nothing")
    if gpu:
        fake_nvidia_smi(tmp_path, monkeypatch, "12.8")
        path = os.environ["PATH"]
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    python = venv / "bin" / "python"
    python.write_text(f"#!/bin/sh\nexit {0 if cpu_torch_in_venv else 1}\n")  # 0: `torch.version.cuda is None`
    python.chmod(0o755)
    env = {"PATH": f"{path}:/usr/bin:/bin", "ADVISOR_EXTRAS": extras, "ADVISOR_VENV": str(venv), "HOME": str(tmp_path)}
    done = subprocess.run(
        ["sh", "scripts/setup.sh", "--plan"], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


def test_setup_on_an_nvidia_machine_plans_every_frameworks_gpu_build(tmp_path, monkeypatch):
    plan = setup_plan(tmp_path, monkeypatch, gpu=True, extras="export,jax", cpu_torch_in_venv=True)
    assert "build: CUDA" in plan
    assert "torch: torch>=2.13,<2.15 from PyPI" in plan
    assert "replace a CPU torch: yes" in plan  # an earlier CPU build does not satisfy a GPU machine
    assert "extras: export,jax,gpu,jax-gpu" in plan


def test_setup_on_a_cpu_machine_downloads_no_cuda(tmp_path, monkeypatch):
    plan = setup_plan(tmp_path, monkeypatch, gpu=False, extras="export,jax")
    assert "build: CPU" in plan and "download.pytorch.org/whl/cpu" in plan
    assert "extras: export,jax\n" in plan  # neither tensorflow[and-cuda] nor jax[cuda12]


def test_the_gpu_extras_name_each_frameworks_cuda_build():
    import tomllib

    from tests.conftest import ROOT

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert any(r.startswith("tensorflow[and-cuda]") for r in extras["gpu"])
    assert any(r.startswith("jax[cuda12]") for r in extras["jax-gpu"])


# --- the one-command GPU check reads its checklist from the evidence


def gpu_evidence(later_peak: float = 101.0, utilisation: float = 0.6):
    from dataclasses import replace as swap

    from tests.support import synthetic

    results = []
    for variant, device in (("torch", "cuda"), ("keras-tensorflow", "gpu"), ("torch-amp", "cuda")):
        for model in ("mlp", "cnn"):
            result = synthetic.speed(variant, model, 10_000, device=device, accuracy=0.95)
            samples = {**result.samples, "gpu_peak_mb": [100.0, later_peak], "utilisation": [utilisation]}
            facts = swap(result.facts, precision="float32 (TF32 execution on)")
            results.append(swap(result, samples=samples, facts=facts))
    return synthetic.evidence(*results)


def test_the_gpu_checklist_passes_on_a_right_gpu_run_except_what_it_did_not_run():
    from benchmarks.gpu_check import checklist

    lines = dict((line.split(":")[0].split(" (")[0], passed) for passed, line in checklist(gpu_evidence()))
    assert lines["every variant on the GPU"] and lines["TensorFlow and PyTorch both on the device"]
    assert lines["peaks per model agree across processes"] and lines["utilisation below 100%"]
    assert lines["torch-amp"] and not lines["keras-tensorflow-mixed"]  # not run: no figures


def test_the_gpu_checklist_fails_on_accumulated_peaks_and_utilisation_over_100_percent():
    from benchmarks.gpu_check import checklist

    failed = [line for passed, line in checklist(gpu_evidence(later_peak=180.0, utilisation=1.3)) if not passed]
    assert any(line.startswith("peaks per model agree") for line in failed)
    assert any(line.startswith("utilisation below 100%") for line in failed)
