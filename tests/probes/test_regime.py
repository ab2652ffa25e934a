"""Every speed result says its regime: how much of the machine's matmul peak it reached, in words."""

from __future__ import annotations

from dataclasses import replace

import pytest

from probes.evidence import ProbeResult
from probes.kinds.speed import with_utilisation
from probes.peak import COMPUTE_BOUND_FROM, OVERHEAD_BOUND_BELOW, regime


def _speed(gflops: list[float], device: str = "cpu", precision: str | None = None) -> ProbeResult:
    return ProbeResult(
        "torch", "resnet", "speed", "ok", None, {"achieved_gflops": gflops}, {"device": device, "precision": precision}
    )


@pytest.mark.parametrize(
    ("share", "expected"),
    [(0.03, "overhead-bound"), (OVERHEAD_BOUND_BELOW, "mixed"), (0.2, "mixed"), (COMPUTE_BOUND_FROM, "compute-bound")],
)
def test_the_regime_follows_from_the_share_of_the_matmul_peak(share, expected):
    assert regime(share) == expected


def test_a_result_given_its_utilisation_carries_its_regime_and_share_in_its_typed_facts():
    result = with_utilisation(_speed([3.0, 4.0, 5.0]), {"gflops": 100.0, "device": "cpu"})
    assert result.facts.regime == "overhead-bound"
    assert result.facts.peak_share == pytest.approx(0.04)  # the processes' median


def test_the_regime_is_said_with_its_share_and_the_device_whose_peak_it_is():
    cpu = with_utilisation(_speed([3.0]), {"gflops": 100.0, "device": "cpu"})
    gpu = with_utilisation(_speed([50_000.0], device="cuda"), {"gflops": 100_000.0, "device": "cuda"})
    assert cpu.facts.regime_words() == "overhead-bound: 3.0% of this CPU's matmul peak"
    assert gpu.facts.regime_words() == "compute-bound: 50% of this GPU's matmul peak"


def test_a_result_without_utilisation_has_no_regime():
    mixed = with_utilisation(_speed([3.0], precision="mixed: autocast bfloat16"), {"gflops": 100.0, "device": "cpu"})
    assert mixed.facts.regime is None and mixed.facts.regime_words() is None


def test_the_regime_survives_the_evidence_files_round_trip():
    result = with_utilisation(_speed([40.0]), {"gflops": 100.0, "device": "cpu"})
    again = ProbeResult.from_json(result.to_json())
    assert again.facts.regime == "compute-bound" and again.facts == result.facts


def test_a_recorded_regime_is_kept_as_recorded():
    recorded = replace(_speed([40.0]), samples={"utilisation": [0.4]}, facts={"regime": "mixed", "peak_share": 0.2})
    assert recorded.facts.regime == "mixed"


def test_the_speed_table_says_each_frameworks_regime_from_its_facts():
    from advisor.report.speed import build_speed_view
    from advisor.scoring.speed import speed_findings
    from tests.support.synthetic import evidence as evidence_of

    def measured(variant: str, gflops: list[float]) -> ProbeResult:
        result = _speed(gflops)
        samples = {**result.samples, "train_samples_per_s": [g * 10 for g in gflops]}
        return with_utilisation(replace(result, variant=variant, samples=samples), {"gflops": 100.0, "device": "cpu"})

    torch, keras = measured("torch", [40.0, 41.0]), measured("keras-tensorflow", [3.0, 4.0])
    evidence = evidence_of(torch, keras, models=["resnet"])
    table = build_speed_view(evidence, speed_findings(evidence)).tables[0]
    assert table.regime == (
        "Regime: compute-bound for PyTorch (40%); overhead-bound for Keras 3 on TensorFlow (3.5%), "
        "as shares of this CPU's matmul peak."
    )
