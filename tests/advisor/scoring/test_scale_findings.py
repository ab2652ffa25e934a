"""The scale probe's results become the big-data claim's verdict, the "Large datasets" score, a report section."""

from __future__ import annotations

import pytest

import tests.support.synthetic as s
from advisor.claims.rules import check_claims
from advisor.questionnaire.profile import build_profile
from advisor.questionnaire.questions import collect_answers
from advisor.records.ledger import load_ledger
from advisor.report.scale import build_scale_view, knee_sentence
from advisor.scoring.scale import scale_findings, score_dataset_scale
from probes.evidence import ProbeResult

CLAIM = "large-data-pytorch-tensorflow-not-keras"


def profile(**answers):
    return build_profile(collect_answers(file_values=answers, use_defaults=True))


def stream(variant: str, model: str, rate: float, spread: float = 0.02) -> ProbeResult:
    """Streamed training from three processes (rounds 0-2) within ±spread of `rate`."""
    rates = [rate * (1 - spread), rate, rate * (1 + spread)]
    samples = {"stream_samples_per_s": rates, "pipeline_samples_per_s": [4 * r for r in rates]}
    facts = {"pipeline": f"{variant}'s pipeline", "bottleneck": "model", "batch_size": 64}
    return ProbeResult(variant, model, "scale", "ok", None, samples, facts, "stream", 3, (), (0, 1, 2))


def batch(variant: str, model: str, size: int, rate: float) -> ProbeResult:
    samples = {"train_samples_per_s": [rate * 0.98, rate, rate * 1.02]}
    return ProbeResult(variant, model, "scale", "ok", None, samples, {"batch_size": size}, f"batch-{size}", 3)


def parallel(variant: str, model: str, efficiency: float | None) -> ProbeResult:
    if efficiency is None:
        reason = "2 processes: rank 0 failed: ValueError: Attempt to convert a value (PerReplica …"
        return ProbeResult(variant, model, "scale", "failed", reason, {}, {"world_failed": 2}, "data-parallel")
    samples = {
        "dp1_samples_per_s": [1000.0, 1010.0],
        "dp2_samples_per_s": [2000 * efficiency, 2020 * efficiency],
        "scaling_efficiency": [efficiency, efficiency],
        "dp_first_step_s": [2.0, 2.1],
    }
    facts = {"engine": "an engine", "changed_lines": 9}
    return ProbeResult(variant, model, "scale", "ok", None, samples, facts, "data-parallel", 2, (), (0, 1))


def verdict(*results: ProbeResult):
    claim = next(c for c in load_ledger().claims if c.id == CLAIM)
    return check_claims(s.evidence(*results), [claim])[0]


def streams(torch: float, keras: float, tensorflow: float) -> list[ProbeResult]:
    return [stream(v, m, r) for m in ("mlp", "cnn") for v, r in (("torch", torch), ("keras-tensorflow", keras),
                                                                ("tensorflow", tensorflow))]  # fmt: skip


def test_the_big_data_claim_is_confirmed_when_keras_trains_slower_from_disk_than_both():
    assert verdict(*streams(torch=2000, keras=1000, tensorflow=1800)).verdict == "confirmed"


def test_the_big_data_claim_is_contradicted_when_keras_streams_faster_than_both():
    assert verdict(*streams(torch=900, keras=1500, tensorflow=1000)).verdict == "contradicted"


def test_the_big_data_claim_stays_partly_measured_without_tensorflow():
    results = [r for r in streams(torch=2000, keras=1000, tensorflow=1800) if r.variant != "tensorflow"]
    assert verdict(*results).verdict == "partly_measured"


def test_the_big_data_claim_is_not_measured_without_the_scale_probe():
    assert verdict(s.speed("torch", "mlp", 1000), s.speed("keras-tensorflow", "mlp", 900)).verdict == "not_measured"


def test_large_datasets_is_scored_from_the_stream_and_what_two_processes_gave():
    run = s.evidence(*streams(torch=2000, keras=2000, tensorflow=1000), parallel("torch", "cnn", 0.8),
                     parallel("keras-tensorflow", "cnn", None))  # fmt: skip
    scores = score_dataset_scale(run, ["torch", "keras-tensorflow", "tensorflow"], profile())
    assert scores["torch"][0] == pytest.approx(10.0)
    assert scores["keras-tensorflow"][0] == pytest.approx(7.0)  # the stream's share alone: its engine failed
    assert "its engine failed on cnn" in scores["keras-tensorflow"][1]
    assert scores["tensorflow"][0] == pytest.approx(5.0)  # half the stream, its engine not tried: stream alone
    assert "not tried here" in scores["tensorflow"][1]


def test_large_datasets_falls_back_to_the_articles_when_the_scale_probe_did_not_run():
    assert score_dataset_scale(s.evidence(s.speed("torch", "mlp", 1000)), ["torch"], profile()) == {}


def test_the_batch_curve_says_where_the_fixed_cost_per_step_stops_dominating():
    curve = [batch("torch", "mlp", 16, 1000), batch("torch", "mlp", 64, 3500),
             batch("torch", "mlp", 256, 4000), batch("torch", "mlp", 512, 4200)]  # fmt: skip
    (knee,) = scale_findings(s.evidence(*curve)).knees
    sentence = knee_sentence(knee)
    assert (
        sentence == "PyTorch: 4.2× from batch 16 to its best (batch 512, 4,200 samples/s); 80% of that from batch 64 on"
    )


def test_the_report_shows_a_chart_per_model_and_the_tables_of_streams_and_processes():
    results = [batch(v, m, b, 1000.0 * b**0.5) for v in ("torch", "keras-tensorflow") for m in ("mlp", "cnn")
               for b in (16, 64, 256, 512)]  # fmt: skip
    run = s.evidence(*results, *streams(2000, 1000, 1800), parallel("torch", "cnn", 0.8),
                     parallel("keras-tensorflow", "cnn", None))  # fmt: skip
    view = build_scale_view(run, scale_findings(run))
    assert view.measured and [m.model for m in view.models] == ["mlp", "cnn"]
    cnn = view.models[1]
    assert "<svg" in cnn.chart and "PyTorch · batch 512" in cnn.chart
    assert [row.variant for row in cnn.streams] == ["PyTorch", "Keras 3 on TensorFlow", "TensorFlow (low-level)"]
    assert cnn.streams[0].in_memory.startswith("8,000")  # the batch curve's point at the stream's batch
    worked = {row.variant: row.worked for row in cnn.parallel}
    assert worked == {"PyTorch": True, "Keras 3 on TensorFlow": False}
    assert cnn.parallel[0].efficiency.startswith("80%")


def test_a_run_without_the_scale_probe_says_how_to_get_it():
    run = s.evidence(s.speed("torch", "mlp", 1000))
    view = build_scale_view(run, scale_findings(run), "runs/laptop")
    assert not view.measured and view.how == "advisor probe --budget scale --add-to runs/laptop"


# --- a budget of its own, added to a run of the same machine


def _run(*results: ProbeResult, kinds: tuple[str, ...], host: str = "laptop") -> s.Evidence:
    from probes.evidence import Evidence

    environment = {"hostname": host, "cpu_model": "a CPU", "cores_logical": 2}
    return Evidence("2026-12-01T10:00:00+00:00", environment, {"budget": kinds[0], "kinds": list(kinds)}, results)


def test_a_scale_run_joins_a_standard_run_of_the_same_machine_and_replaces_only_its_own_kind():
    from probes.evidence import added_to

    standard = _run(s.speed("torch", "mlp", 1000), stream("torch", "mlp", 1.0), kinds=("speed", "scale"))
    scale_run = _run(stream("torch", "mlp", 2000), kinds=("scale",))
    merged = added_to(standard, scale_run)
    assert merged.result("torch", "mlp").ok  # speed kept
    assert merged.result("torch", "mlp", "scale", "stream").summary("stream_samples_per_s").median == 2000
    assert merged.settings["kinds"] == ["speed", "scale"] and merged.settings["added_runs"][0]["budget"] == "scale"


def test_runs_of_two_machines_are_never_merged_into_one_record():
    from probes.evidence import added_to

    with pytest.raises(ValueError, match="different machines"):
        added_to(_run(kinds=("speed",)), _run(kinds=("scale",), host="gpu-server"))


def test_probe_add_to_writes_the_merged_evidence_into_the_folder(tmp_path, monkeypatch):
    import json

    import advisor.runs
    from probes.budgets import BUDGETS
    from probes.runner import make_plan

    (tmp_path / "evidence.json").write_text(json.dumps(_run(s.speed("torch", "mlp", 1000), kinds=("speed",)).to_json()))
    monkeypatch.setattr(
        advisor.runs, "run_probes", lambda plan, progress=None: _run(stream("torch", "mlp", 5), kinds=("scale",))
    )
    monkeypatch.setattr(advisor.runs, "collect_environment", lambda: _run(kinds=("speed",)).environment)
    advisor.runs.probe_into(tmp_path, make_plan(BUDGETS["scale"], variants=["torch"], threads=1))
    saved = advisor.runs.load_evidence(tmp_path / "evidence.json")
    assert {r.kind for r in saved.results} == {"speed", "scale"}


def test_probe_takes_either_a_folder_to_add_to_or_a_new_one():
    from typer.testing import CliRunner

    from advisor.cli import app

    result = CliRunner().invoke(app, ["probe", "--budget", "scale", "--add-to", "a", "--out", "b"])
    assert result.exit_code == 2 and "--add-to and --out: give one" in result.output


def test_each_framework_is_judged_by_the_fastest_of_its_streamed_pipelines():
    in_loop = stream("torch", "mlp", 3000)
    in_loop = ProbeResult(**{**in_loop.__dict__, "case": "stream-workers-0"})
    results = [*streams(torch=900, keras=1000, tensorflow=1800), in_loop]
    findings = {f.subject: f for f in verdict(*results).findings}
    mlp = findings["mlp: PyTorch vs Keras 3 on TensorFlow"]
    assert mlp.outcome == "confirmed" and "(stream-workers-0 vs stream)" in mlp.figure
    assert findings["cnn: PyTorch vs Keras 3 on TensorFlow"].outcome == "contradicted"  # no faster pipeline there


def test_probe_add_to_refuses_another_machines_folder_before_measuring(tmp_path, monkeypatch):
    import json

    import advisor.runs
    from advisor.errors import RecordError
    from probes.budgets import BUDGETS
    from probes.runner import make_plan

    (tmp_path / "evidence.json").write_text(json.dumps(_run(s.speed("torch", "mlp", 1000), kinds=("speed",)).to_json()))
    monkeypatch.setattr(advisor.runs, "collect_environment", lambda: {"hostname": "gpu-server"})
    monkeypatch.setattr(advisor.runs, "run_probes", lambda plan, progress=None: pytest.fail("measured anyway"))
    with pytest.raises(RecordError, match="another machine"):
        advisor.runs.probe_into(tmp_path, make_plan(BUDGETS["scale"], variants=["torch"], threads=1))
