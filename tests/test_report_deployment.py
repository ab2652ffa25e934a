"""The report's deployment section: every export path against every variant that exported, and why not."""

from __future__ import annotations

import json

import pytest

from advisor.answers import collect_answers
from advisor.report_deployment import build_deployment_view
from advisor.runs import rerender
from probes.evidence import ProbeResult
from tests import synthetic as s

OK = {"reload_ok": True, "max_abs_diff": 2e-6, "size_bytes": 47_632, "export_s": 0.4, "needs_python_class": False}
TORCH_XLA = "torch_xla has no release for torch 2.13"


def exported():
    return s.evidence(
        s.export("torch", "torch_export", **OK),
        s.export("tensorflow", "tflite", **OK),
        s.export("tensorflow", "onnx", "failed", error="ValueError: opset 99 is not supported\ntraceback"),
        s.export("keras-torch", "keras_native", **OK),
        s.export("keras-torch", "saved_model", "not_installed", install_hint="pip install torch_xla", note=TORCH_XLA),
    )


def test_no_export_results_means_no_deployment_section():
    assert build_deployment_view(s.evidence(s.speed("torch", "cnn", 100)), "server") is None


def test_a_variant_whose_export_probe_could_not_start_gets_no_column():
    jax_missing = ProbeResult("keras-jax", "cnn", "export", "not_installed", "jax is not installed")
    view = build_deployment_view(s.evidence(*exported().results, jax_missing), "server")
    assert "Keras 3 on JAX" not in view.variants


def test_each_variant_that_exported_gets_a_column_and_paths_come_heaviest_first_for_the_target():
    view = build_deployment_view(exported(), "mobile")
    assert view.variants == ("PyTorch", "TensorFlow (low-level)", "Keras 3 on PyTorch")
    assert view.rows[0].path == "tflite" and view.rows[0].weight == 3
    weights = [row.weight for row in view.rows]
    assert weights == sorted(weights, reverse=True)


def test_a_cell_says_works_failed_not_installed_not_offered_or_not_probed():
    rows = {row.path: row for row in build_deployment_view(exported(), "mobile").rows}
    torch, tensorflow, keras_torch = range(3)
    works = rows["tflite"].cells[tensorflow]
    assert works.status == "works" and works.lines == (
        "47 KB",
        "export 0.40 s",
        "max |Δ| 2.0e-06",
        "reloads without the class",
    )
    assert rows["onnx"].cells[tensorflow].lines == ("ValueError: opset 99 is not supported",)
    assert rows["saved_model"].cells[keras_torch].status == "not installed"
    assert rows["state_dict"].cells[keras_torch].status == "not offered"
    assert (
        rows["tfjs"].cells[tensorflow].status == "not probed"
        and "JavaScript" in rows["tfjs"].cells[tensorflow].lines[0]
    )
    assert rows["onnx"].cells[torch].status == "not in this run"


def test_the_knowledge_files_note_on_why_a_path_cannot_run_is_listed_under_the_table():
    view = build_deployment_view(exported(), "server")
    assert any(
        note.startswith("Keras 3 on PyTorch, TensorFlow SavedModel") and TORCH_XLA in note for note in view.notes
    )


def test_the_rendered_report_shows_the_export_table(saved_run):
    evidence = json.loads(saved_run.joinpath("evidence.json").read_text())
    evidence["results"] += [r.to_json() for r in exported().results]
    saved_run.joinpath("evidence.json").write_text(json.dumps(evidence))
    answers = collect_answers(file_values={"deployment_target": "mobile"}, use_defaults=True)
    html = rerender(saved_run, answers).folder.report.read_text()
    section = html[html.index('id="deployment"') :]
    assert "Weight for mobile" in section
    assert "TensorFlow (low-level)</th>" in section and "Keras 3 on PyTorch</th>" in section
    assert TORCH_XLA in section
    assert html.index('id="evidence"') < html.index('id="deployment"') < html.index('id="decision-record"')


@pytest.mark.browser
def test_the_deployment_table_has_no_accessibility_violations_in_light_dark_and_phone_layouts(saved_run):
    from tests.browser import Chromium, find_chromium
    from tests.test_browser import AXE, PHONE

    executable = find_chromium()
    if executable is None:
        pytest.skip("CHROMIUM NOT FOUND: the deployment table's accessibility check did NOT run")
    evidence = json.loads(saved_run.joinpath("evidence.json").read_text())
    evidence["results"] += [r.to_json() for r in exported().results]
    saved_run.joinpath("evidence.json").write_text(json.dumps(evidence))
    report = rerender(saved_run, collect_answers(file_values={"deployment_target": "mobile"}, use_defaults=True))
    run_axe = (
        "axe.run('section[aria-labelledby=deployment]', {resultTypes: ['violations']})"
        ".then(r => r.violations.map(v => v.id + ': ' + v.help))"
    )
    found = {}
    with Chromium(executable) as browser:
        page = browser.page()
        page.open(report.folder.report)
        page.evaluate(AXE.read_text(encoding="utf-8"))
        found["light desktop"] = page.evaluate(run_axe, awaited=True)
        page.color_scheme("dark")
        found["dark desktop"] = page.evaluate(run_axe, awaited=True)
        page.color_scheme("light")
        page.viewport(*PHONE, mobile=True)
        found["light phone"] = page.evaluate(run_axe, awaited=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
    assert not {where: violations for where, violations in found.items() if violations}
    assert overflow <= 0  # the wide table scrolls inside its own region, not the page
