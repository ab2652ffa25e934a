"""Which device each speed result ran on, and which results can be compared like for like.

A speed probe records facts.device: "cpu", "cuda" (PyTorch) or "gpu" (TensorFlow, Keras). On a
machine with a GPU that one framework cannot use, a GPU result beside a CPU result measures the
devices as much as the frameworks; the report names the devices, the verdicts set such pairs aside
and the scores rank only results from one device. A result that recorded no device (evidence from
before devices were recorded) is taken to be alike with any other, as it was then.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from probes.evidence import ProbeResult
from probes.variants import label

GPU = "gpu"
CPU = "cpu"
DEVICE_WORDS = {GPU: "the GPU", CPU: "the CPU"}


def device_of(result: ProbeResult) -> str | None:
    """ "gpu", "cpu", or None when the result did not record its device."""
    device = result.facts.device
    if device is None:
        return None
    return GPU if str(device).lower() in ("cuda", "gpu") or str(device).lower().startswith("cuda:") else CPU


def same_device(a: ProbeResult, b: ProbeResult) -> bool:
    """False only when both results recorded their devices and these differ."""
    da, db = device_of(a), device_of(b)
    return da is None or db is None or da == db


def where(result: ProbeResult) -> str:
    """'PyTorch on the GPU'."""
    return f"{label(result.variant)} on {DEVICE_WORDS.get(device_of(result) or '', 'an unrecorded device')}"


def mixed(results: Iterable[ProbeResult]) -> bool:
    """Whether these results ran on more than one device."""
    return len({d for r in results if (d := device_of(r)) is not None}) > 1


def primary_device(devices: Mapping[str, str | None]) -> str | None:
    """The device most of these results ran on (the GPU on a tie), or None when none recorded one."""
    counts = Counter(d for d in devices.values() if d is not None)
    if not counts:
        return None
    return max(counts, key=lambda d: (counts[d], d == GPU))
