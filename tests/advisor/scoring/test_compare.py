"""Machines side by side: missing is missing (never zero), versions that differ are shown, ratios per machine."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import pytest

from advisor.errors import OutputError
from advisor.report.compare import Cell, view_rows
from advisor.scoring.compare import compare
from advisor.team_inputs import load_machines
from advisor.teams import write_compare_page
from tests.conftest import FIXTURES

A = FIXTURES / "run_quick" / "evidence.json"
B = FIXTURES / "machine_b" / "evidence.json"
THROUGHPUT = ("speed", "mlp", "", "train_samples_per_s")


@pytest.fixture(scope="module")
def two():
    return compare(load_machines([A, B]))


def test_machines_are_labelled_by_their_hostname_or_the_label_given():
    assert [m.label for m in load_machines([A, B])] == ["vm", "ci-runner-7"]
    assert [m.label for m in load_machines([A, B], ["laptop"])] == ["laptop", "ci-runner-7"]


def test_a_framework_missing_on_one_machine_is_missing_not_zero(two):
    value = two.figures.loc[(*THROUGHPUT, "keras-tensorflow"), "ci-runner-7"]
    assert math.isnan(value)
    assert two.why_missing((*THROUGHPUT, "keras-tensorflow"), "ci-runner-7") == (
        "not installed: tensorflow is not installed"
    )
    assert two.why_missing((*THROUGHPUT, "keras-torch"), "vm") == "not run on this machine"


def test_missing_figures_show_as_missing_with_the_reason(two):
    row = next(
        r
        for r in view_rows(two).figures
        if (r.where, r.metric, r.framework) == ("mlp", "train_samples_per_s", "Keras 3 on TensorFlow")
    )
    vm, ci = row.cells
    assert not vm.missing and vm.text.endswith("samples/s")
    assert ci == Cell("missing", missing=True, reason="not installed: tensorflow is not installed")


def test_a_figure_one_machine_did_not_record_is_missing_there_only():
    machines = load_machines([A, B])
    evidence = machines[1].evidence
    trimmed = tuple(
        replace(r, samples={k: v for k, v in r.samples.items() if k != "infer_batch_ms"})
        if r.variant == "torch" and r.model == "cnn"
        else r
        for r in evidence.results
    )
    machines[1] = replace(machines[1], evidence=replace(evidence, results=trimmed))
    comparison = compare(machines)
    key = ("speed", "cnn", "", "infer_batch_ms", "torch")
    assert comparison.figures.loc[key, "vm"] > 0
    assert math.isnan(comparison.figures.loc[key, "ci-runner-7"])
    assert comparison.why_missing(key, "ci-runner-7") == "not recorded by this machine's probe"


def test_framework_versions_that_differ_between_machines_are_listed(two):
    differences = dict(two.version_differences())
    assert differences["torch"] == {"vm": "2.13.0+cpu", "ci-runner-7": "2.14.0+cpu"}
    assert differences["tensorflow"] == {"vm": "2.21.0", "ci-runner-7": "not installed"}
    assert "keras" in differences and "scikit-learn" not in differences


def test_ratios_are_taken_within_each_machine(two):
    key = (*THROUGHPUT, "keras-tensorflow")
    expected = two.figures.loc[key, "vm"] / two.figures.loc[(*THROUGHPUT, "torch"), "vm"]
    assert two.ratios.loc[key, "vm"] == pytest.approx(expected)
    assert math.isnan(two.ratios.loc[key, "ci-runner-7"])
    assert (*THROUGHPUT, "torch") not in two.ratios.index  # the baseline is 1 by definition


def test_the_json_record_has_null_for_a_missing_figure_and_says_why(two):
    record = json.loads(json.dumps(two.to_json(), allow_nan=False))
    figure = next(
        f
        for f in record["figures"]
        if (f["model"], f["metric"], f["variant"]) == ("mlp", "train_samples_per_s", "keras-tensorflow")
    )
    assert figure["values"]["ci-runner-7"] is None
    assert figure["missing"] == {"ci-runner-7": "not installed: tensorflow is not installed"}


def test_the_page_is_self_contained_and_written_with_its_json(two, tmp_path):
    page = write_compare_page(two, tmp_path / "machines.html")
    html = page.read_text()
    assert "default-src 'none'" in html and "http://" not in html and "https://" not in html
    assert "versions differ" in html and "2.14.0+cpu" in html
    assert "Synthetic fixture" in html  # the second machine's note travels with it
    assert json.loads((tmp_path / "machines.json").read_text())["format"] == "advisor-compare/1"
    with pytest.raises(OutputError, match="exists already"):
        write_compare_page(two, page)


def test_a_ratio_between_a_gpu_and_a_cpu_result_on_one_machine_says_it_is_not_like_for_like():
    machines = load_machines([A, B])
    evidence = machines[0].evidence
    device = {"torch": "cuda", "keras-tensorflow": "cpu"}  # TensorFlow without its CUDA libraries
    on_gpu = tuple(
        replace(r, facts=replace(r.facts, device=device[r.variant])) if r.kind == "speed" and r.variant in device else r
        for r in evidence.results
    )
    machines[0] = replace(machines[0], evidence=replace(evidence, results=on_gpu))
    comparison = compare(machines)
    key = (*THROUGHPUT, "keras-tensorflow")
    assert comparison.mixed_devices(key, "vm") == "the CPU against the GPU"
    row = next(r for r in view_rows(comparison).ratios if r.metric == THROUGHPUT[3] and r.where == "mlp")
    assert row.cells[0].text.endswith("(the CPU against the GPU: not like for like)")
    record = next(r for r in comparison.to_json()["ratios_to_baseline"] if r["variant"] == "keras-tensorflow")
    assert record["not_like_for_like"] == {"vm": "the CPU against the GPU"}


def test_ratios_between_results_on_one_device_carry_no_device_note(two):
    assert all(not cell.text.endswith("not like for like)") for r in view_rows(two).ratios for cell in r.cells)
