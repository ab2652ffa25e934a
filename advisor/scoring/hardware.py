"""The hardware the user trains on against the hardware this run measured.

Speed, start-up and memory depend on the device: a CNN lead that comes from graph execution of
small convolutions on a 2-core CPU says little about an NVIDIA GPU. When the answers name
training hardware the run did not measure, those three scores still use the measurement, but it
counts for MEASURED_SHARE_ELSEWHERE of the score beside the articles' placement (the rest), the
first screen says so, and the user is told how to measure on the target instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from probes.devices import CPU, GPU, device_of, primary_device
from probes.evidence import Evidence

MEASURED_SHARE_ELSEWHERE = 1 / 3  # a measurement on other hardware: one third of the score, the articles two

# The hardware answer (knowledge/questions.yaml) -> the device a run would record there; None: unknown.
TRAINS_ON: Mapping[str, str | None] = {
    "cpu": CPU,
    "nvidia_gpu": GPU,
    "apple_silicon": "apple silicon",
    "tpu": "tpu",
    "cloud": None,
}
HARDWARE_WORDS = {
    "cpu": "a CPU",
    "nvidia_gpu": "an NVIDIA GPU",
    "apple_silicon": "an Apple silicon Mac",
    "tpu": "Google TPUs",
    "cloud": "whatever the cloud gives you",
}
DEVICE_WORDS = {CPU: "this machine's CPU", GPU: "this machine's GPU"}
HOW_TO_MEASURE_THERE = (
    "To measure where you train: run `advisor probe --out target-run` on that machine, copy the folder here, "
    "then `advisor report target-run --answers <your answers.yaml>`; `advisor compare` shows both machines."
)


@dataclass(frozen=True)
class HardwareMatch:
    answered: str  # the hardware answer
    measured: str | None  # the device most speed results ran on (probes.devices), None when none ran
    matches: bool | None  # None: cannot tell (the cloud, or nothing measured)
    measured_share: float  # of a device-dependent score, the share the measurement carries

    def sentence(self) -> str:
        """What the first screen says, or "" when the run measured where the user trains."""
        if self.matches is not False:
            return ""
        assert self.measured is not None
        share = "one third" if abs(self.measured_share - 1 / 3) < 1e-9 else f"{self.measured_share:.0%}"
        return (
            f"You train on {HARDWARE_WORDS.get(self.answered, self.answered)}, but this run measured on "
            f"{DEVICE_WORDS.get(self.measured, self.measured)}: speed, start-up and memory results may not hold "
            f"there, so the measurement counts for {share} of those scores and the articles for the rest. "
            + HOW_TO_MEASURE_THERE
        )


def hardware_match(hardware: str, evidence: Evidence | None) -> HardwareMatch:
    """Whether this run's speed results ran on the hardware the user trains on (`hardware`: their answer)."""
    answered = hardware or "cpu"
    devices = {}
    if evidence is not None:
        for result in evidence.results:
            if result.ok and result.kind == "speed" and (device := device_of(result)) is not None:
                devices[f"{result.variant}/{result.model}/{result.case}"] = device
    measured = primary_device(devices)
    if measured is None and evidence is not None and any(r.ok and r.kind == "speed" for r in evidence.results):
        # Evidence from before results recorded their device: with no GPU on the machine, it was the CPU.
        measured = CPU if evidence.environment.get("gpus") == [] else None
    wanted = TRAINS_ON.get(answered)
    if measured is None or wanted is None:
        return HardwareMatch(answered, measured, None, 1.0)
    if wanted == measured:
        return HardwareMatch(answered, measured, True, 1.0)
    return HardwareMatch(answered, measured, False, MEASURED_SHARE_ELSEWHERE)
