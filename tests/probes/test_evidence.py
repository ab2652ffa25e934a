"""The evidence record: typed facts per probe kind, a versioned JSON form, and version 1 still read."""

from __future__ import annotations

import json

import pytest

from probes.evidence import EVIDENCE_FORMAT, Evidence, EvidenceError, ProbeResult
from probes.facts import FACTS, DebuggingFacts, ExportFacts
from tests.conftest import FIXTURES


def test_a_fact_the_kind_does_not_know_is_refused_naming_it_and_the_known_ones():
    with pytest.raises(ValueError, match=r"unknown export fact 'reloaded'\. Expected one of: label, export_s"):
        ProbeResult("torch", "cnn", "export", "ok", facts={"reloaded": True}, case="onnx")


def test_a_fact_of_the_wrong_type_is_refused_naming_the_type():
    with pytest.raises(ValueError, match=r"debugging fact 'steps' must be int or null\. Received: str"):
        DebuggingFacts.from_json({"steps": "eight"})


def test_facts_not_recorded_read_as_none_and_are_left_out_of_the_json():
    result = ProbeResult("torch", "cnn", "export", "ok", facts={"reload_ok": True}, case="onnx")
    assert result.facts.max_abs_diff is None
    assert result.to_json()["facts"] == {"reload_ok": True}


def test_every_kind_has_a_record_and_every_record_names_its_kind():
    assert set(FACTS) == {"speed", "ease", "debugging", "export", "scale", "own_model", "own_export"}
    assert all(cls.KIND == kind for kind, cls in FACTS.items())


def test_evidence_round_trips_through_its_json_in_the_current_format():
    results = (
        ProbeResult(
            "torch", "mlp", "speed", "ok", samples={"train_samples_per_s": [1.0, 2.0]}, facts={"device": "cpu"}
        ),
        ProbeResult("torch", "cnn", "export", "not_installed", "onnx", facts={"missing": ["onnx"]}, case="onnx"),
    )
    evidence = Evidence("2026-12-01T00:00:00+00:00", {}, {"models": ["mlp"]}, results)
    data = json.loads(json.dumps(evidence.to_json()))
    assert data["format"] == EVIDENCE_FORMAT == "advisor-evidence/2"
    again = Evidence.from_json(data)
    assert again == evidence and again.results[1].facts.missing == ("onnx",)


def test_version_1_evidence_is_read_with_the_runners_round_counts_moved_out_of_the_facts():
    data = json.loads((FIXTURES / "evidence_v1.json").read_text())  # written by a run of 2026-11-29
    assert data["format"] == "advisor-evidence/1"
    evidence = Evidence.from_json(data)
    export = next(r for r in evidence.results if r.kind == "export" and r.ok)
    assert isinstance(export.facts, ExportFacts) and export.rounds_ok == 1
    assert export.facts.works(export.ok)


def test_a_version_2_file_with_an_unknown_fact_is_refused_as_malformed():
    data = Evidence("t", {}, {}, (ProbeResult("torch", "mlp", "ease", "ok", facts={"total_lines": 3}),)).to_json()
    data["results"][0]["facts"]["vibes"] = "good"
    with pytest.raises(EvidenceError, match="unknown ease fact 'vibes'"):
        Evidence.from_json(data, "shared.json")
