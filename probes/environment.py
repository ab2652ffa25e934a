"""The environment fingerprint: small, cheap collectors, none of which imports a framework.

Framework versions come from package metadata; the GPU from nvidia-smi when it is on PATH (and,
after the probes ran, from what the PyTorch child saw through torch.cuda).
"""

from __future__ import annotations

import os
import platform
import shlex
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

DISTRIBUTIONS = (
    "torch",
    "tensorflow",
    "keras",
    "jax",
    "jaxlib",
    "numpy",
    "scikit-learn",
    "pandas",
    "onnx",
    "onnxruntime",
    "tf2onnx",
    "ai-edge-litert",
    "tensorflowjs",
)
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "TF_NUM_INTRAOP_THREADS")


def collect_os() -> dict[str, Any]:
    libc = " ".join(platform.libc_ver()).strip()
    return {
        "os": platform.platform(),
        "machine": platform.machine(),
        "libc": libc or None,
        "hostname": socket.gethostname(),
    }


def _cpuinfo() -> list[dict[str, str]]:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return []
    blocks = []
    for block in text.strip().split("\n\n"):
        entry = {}
        for line in block.splitlines():
            key, _, value = line.partition(":")
            entry[key.strip()] = value.strip()
        blocks.append(entry)
    return blocks


def collect_cpu() -> dict[str, Any]:
    blocks = _cpuinfo()
    model = next((b.get("model name") for b in blocks if b.get("model name")), None)
    if model is None and sys.platform == "darwin":
        model = _run(["sysctl", "-n", "machdep.cpu.brand_string"])
    physical = {(b.get("physical id"), b.get("core id")) for b in blocks if "core id" in b}
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    mhz = [float(b["cpu MHz"]) for b in blocks if "cpu MHz" in b]
    return {
        "cpu_model": model or platform.processor() or None,
        "cores_logical": os.cpu_count(),
        "cores_physical": len(physical) or None,
        "cores_usable": usable,
        "cpu_mhz": round(max(mhz)) if mhz else None,
    }


def collect_memory() -> dict[str, Any]:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return {"memory_gb": round(int(line.split()[1]) / 2**20, 1)}
    except OSError:
        pass
    try:
        return {"memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)}
    except (ValueError, OSError, AttributeError):
        return {"memory_gb": None}


def collect_gpu() -> dict[str, Any]:
    """NVIDIA GPUs as nvidia-smi lists them; an empty list when there is none (or no driver)."""
    if shutil.which("nvidia-smi") is None:
        return {"gpus": [], "gpu_note": "nvidia-smi not found: no NVIDIA driver on this machine"}
    out = _run(["nvidia-smi", "--query-gpu=name,memory.total,driver_version", "--format=csv,noheader"])
    if not out:
        return {"gpus": [], "gpu_note": "nvidia-smi found no GPU"}
    gpus = []
    for line in out.splitlines():
        parts = [p.strip() for p in line.split(",")]
        if len(parts) == 3:
            gpus.append({"name": parts[0], "memory": parts[1], "driver": parts[2]})
    return {"gpus": gpus, "driver_cuda": driver_cuda_version()}


def driver_cuda_version() -> str | None:
    """The newest CUDA runtime the NVIDIA driver supports ("12.4"), from nvidia-smi's banner; None without one."""
    import re

    if shutil.which("nvidia-smi") is None:
        return None
    found = re.search(r"CUDA Version:\s*([0-9]+\.[0-9]+)", _run(["nvidia-smi"]) or "")
    return found.group(1) if found else None


def built_cuda_versions(site: Path | None = None) -> dict[str, str | None]:
    """The CUDA runtime each installed framework was built for, read from its files without importing it.

    torch/version.py says `cuda = '12.8'` (None: a CPU build); TensorFlow's build_info names its
    cuda_version, and the pip wheel is a CUDA build on Linux whether or not its CUDA libraries are there.
    """
    import importlib.util
    import re

    found: dict[str, str | None] = {}
    for package, relative, pattern in (
        ("torch", "version.py", r"^cuda\b[^=]*=\s*'([0-9.]+)'"),
        ("tensorflow", "python/platform/build_info.py", r"'cuda_version',\s*'([0-9.]+)'"),
    ):
        if site is not None:
            folder = site / package
        else:
            spec = importlib.util.find_spec(package)
            if spec is None or not spec.submodule_search_locations:
                continue
            folder = Path(next(iter(spec.submodule_search_locations)))
        try:
            text = (folder / relative).read_text(encoding="utf-8")
        except OSError:
            continue
        match = re.search(pattern, text, re.MULTILINE)
        found[package] = match.group(1) if match else None
    return found


def _major_minor(version: str) -> tuple[int, int]:
    parts = (version.split(".") + ["0"])[:2]
    return int(parts[0]), int(parts[1])


def cuda_readiness(site: Path | None = None) -> list[str]:
    """What stops the GPU being used, said before measuring: a CPU build of torch on an NVIDIA machine,
    or a driver older than the CUDA runtime a framework was built for. Empty when all is well or no GPU."""
    driver = driver_cuda_version()
    if driver is None:
        return []
    problems = []
    for package, built in built_cuda_versions(site).items():
        if built is None and package == "torch":
            problems.append(
                "PyTorch is a CPU build on a machine with an NVIDIA GPU: it will train on the CPU. "
                "Run scripts/setup.sh again to install its CUDA build."
            )
        elif built is not None and _major_minor(built) > _major_minor(driver):
            problems.append(
                f"The NVIDIA driver supports CUDA up to {driver}, but {package} was built for CUDA {built}: "
                f"{package} will not use the GPU. Update the driver (or install a {package} built for CUDA {driver})."
            )
    return problems


def collect_python() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "python_executable": sys.executable,
    }


def collect_versions() -> dict[str, Any]:
    versions: dict[str, str | None] = {}
    for name in DISTRIBUTIONS:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {"versions": versions}


def collect_threads() -> dict[str, Any]:
    return {"thread_env": {name: os.environ.get(name) for name in THREAD_VARIABLES}}


def collect_tool() -> dict[str, Any]:
    """The tool's installed version (package metadata, as for the frameworks) and git commit."""
    try:
        version = metadata.version("framework-advisor")
    except metadata.PackageNotFoundError:
        version = None
    root = Path(__file__).resolve().parent.parent
    commit = _run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"]) if (root / ".git").exists() else None
    return {"tool_version": version, "tool_commit": commit, "command_line": shlex.join(["advisor", *sys.argv[1:]])}


COLLECTORS: tuple[Callable[[], dict[str, Any]], ...] = (
    collect_os,
    collect_cpu,
    collect_memory,
    collect_gpu,
    collect_python,
    collect_versions,
    collect_threads,
    collect_tool,
)


def collect_environment() -> dict[str, Any]:
    """Run every collector; one that fails leaves a note instead of stopping the run."""
    environment: dict[str, Any] = {}
    for collector in COLLECTORS:
        try:
            environment.update(collector())
        except Exception as exc:  # noqa: BLE001 - a fingerprint detail is never worth a crash
            environment.setdefault("collector_errors", []).append(f"{collector.__name__}: {exc}")
    return environment


def _run(command: list[str], timeout_s: float = 5.0) -> str | None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None
