"""The user's training hardware against the device this run measured (advisor/scoring/hardware.py)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from advisor.scoring.hardware import MEASURED_SHARE_ELSEWHERE, hardware_match
from tests.support import synthetic


def on(device: str):
    results = [
        replace(r, facts=replace(r.facts, device=device)) if r.kind == "speed" else r
        for r in synthetic.full_run().results
    ]
    return replace(synthetic.full_run(), results=tuple(results))


@pytest.mark.parametrize(
    ("answer", "device", "matches"),
    [
        ("cpu", "cpu", True),
        ("nvidia_gpu", "cuda", True),
        ("nvidia_gpu", "gpu", True),
        ("nvidia_gpu", "cpu", False),
        ("cpu", "cuda", False),
        ("apple_silicon", "cpu", False),
        ("tpu", "gpu", False),
        ("cloud", "cpu", None),
    ],
)
def test_the_run_matches_the_hardware_answer_only_when_it_measured_that_device(answer, device, matches):
    match = hardware_match(answer, on(device))
    assert match.matches is matches
    assert match.measured_share == (MEASURED_SHARE_ELSEWHERE if matches is False else 1.0)
    assert bool(match.sentence()) is (matches is False)


def test_without_speed_results_there_is_nothing_to_mismatch():
    assert hardware_match("nvidia_gpu", None).matches is None
