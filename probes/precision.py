"""Mixed precision as a named option: which 16-bit type a device trains in, chosen alike for every framework.

A run's figures are float32 unless a variant says otherwise; a mixed-precision variant is its own
mode (shown beside its framework, never pooled with float32 figures) and its accuracy check runs in
that mode. The type follows the hardware, as each framework's guide advises: bfloat16 where the
device computes it natively (NVIDIA Ampere and later; CPUs with AVX512-BF16 or AMX), float16 with
loss scaling on older NVIDIA GPUs, and nothing on a CPU without bfloat16 instructions (it would
emulate it, slower than float32, which no user would choose).
"""

from __future__ import annotations

from pathlib import Path

BF16_CPU_FLAGS = ("avx512_bf16", "amx_bf16")


def cpu_has_bf16(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    try:
        text = cpuinfo.read_text()
    except OSError:
        return False
    flags = next((line.split(":", 1)[1].split() for line in text.splitlines() if line.startswith("flags")), [])
    return any(flag in flags for flag in BF16_CPU_FLAGS)


def mixed_dtype(device: str, capability: tuple[int, int] | None = None, cpu_bf16: bool | None = None) -> str | None:
    """ "bfloat16", "float16" or None (no mixed precision worth running on this device)."""
    if device in ("cuda", "gpu"):
        return "bfloat16" if capability is not None and tuple(capability) >= (8, 0) else "float16"
    return "bfloat16" if (cpu_has_bf16() if cpu_bf16 is None else cpu_bf16) else None


def unsupported_reason(device: str) -> str:
    return (
        f"no mixed precision on this {device.upper()}: it has none of {', '.join(BF16_CPU_FLAGS)}, "
        "so bfloat16 would be emulated, slower than float32"
    )
