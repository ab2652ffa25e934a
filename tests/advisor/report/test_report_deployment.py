"""The report's deployment section: every export path against every variant that exported, and why not."""

from __future__ import annotations

import dataclasses
import json

import pytest

from advisor.questionnaire.questions import collect_answers
from advisor.report.deployment import build_deployment_view
from advisor.runs import load_evidence, rerender
from advisor.scoring.measured import deployment_findings
from probes.evidence import ProbeResult
from tests.support import synthetic as s

OK = {"reload_ok": True, "max_abs_diff": 2e-6, "size_bytes": 47_632, "export_s": 0.4, "needs_python_class": False}
TORCH_XLA = "torch_xla has no release for torch 2.13"


def deployment_view(evidence, target, origin=None, run_dir="RUN_DIR"):
    """The section as the report builds it, from the scorecard's deployment findings for `target`."""
    return build_deployment_view(evidence, deployment_findings(evidence, target), origin, run_dir)


def exported():
    return s.evidence(
        s.export("torch", "torch_export", **OK),
        s.export("tensorflow", "tflite", **OK),
        s.export("tensorflow", "onnx", "failed", error="ValueError: opset 99 is not supported\ntraceback"),
        s.export("keras-torch", "keras_native", **OK),
        s.export("keras-torch", "saved_model", "not_installed", install_hint="pip install torch_xla", note=TORCH_XLA),
    )


def test_no_export_results_means_a_section_that_says_so_and_how_to_measure_it():
    view = deployment_view(s.evidence(s.speed("torch", "cnn", 100)), "server", run_dir="runs/a")
    assert view.rows == ()
    assert view.not_run.why == "The export probe did not run in this run (test budget)."
    assert view.not_run.command == "advisor advise --budget standard --answers runs/a/answers.yaml"


def test_a_variant_whose_export_probe_could_not_start_gets_no_column_but_a_line_with_its_reason():
    jax_missing = ProbeResult("keras-jax", "cnn", "export", "not_installed", "jax is not installed")
    view = deployment_view(s.evidence(*exported().results, jax_missing), "server")
    assert "Keras 3 on JAX" not in view.variants
    assert [(g.variant, g.status, g.reason) for g in view.gaps] == [
        ("Keras 3 on JAX", "not installed", "jax is not installed")
    ]


def test_each_variant_that_exported_gets_a_column_and_paths_come_heaviest_first_for_the_target():
    view = deployment_view(exported(), "mobile")
    assert view.variants == ("PyTorch", "TensorFlow (low-level)", "Keras 3 on PyTorch")
    assert [row.path for row in view.rows[:2]] == ["executorch", "tflite"] and view.rows[0].weight == 3
    weights = [row.weight for row in view.rows]
    assert weights == sorted(weights, reverse=True)


def test_the_paths_that_matter_for_the_target_are_marked_and_the_sentence_says_which_target_and_why():
    view = deployment_view(exported(), "mobile", origin="file")
    assert [row.path for row in view.rows if row.matters] == ["executorch", "tflite", "onnx"]
    assert view.target_words == "mobile"
    assert view.why_order.startswith("You answered “Where must the trained model run?” with “phones (Android, iOS)”")
    assert "(ExecuTorch (.pte, XNNPACK), TF Lite / LiteRT (.tflite), ONNX, run in onnxruntime) come first" in (
        view.why_order
    )


def test_a_default_target_is_named_as_the_default():
    view = deployment_view(exported(), "none", origin="default")
    assert view.why_order.startswith("You did not say where the model must run")
    assert view.target_words == "your own machine"


def test_a_cell_says_works_failed_not_installed_not_offered_or_not_probed():
    rows = {row.path: row for row in deployment_view(exported(), "mobile").rows}
    torch, tensorflow, keras_torch = range(3)
    works = rows["tflite"].cells[tensorflow]
    assert (works.status, works.mark) == ("works", "✓ works")
    assert works.lines == ("47 KB · 0.40 s · max |Δ| 2.0e-06",)  # works: reloaded in a fresh process, no class
    failed = rows["onnx"].cells[tensorflow]
    assert (failed.mark, failed.lines) == ("✗ failed", ("ValueError: opset 99 is not supported",))
    blocked = rows["saved_model"].cells[keras_torch]
    assert (blocked.status, blocked.lines) == ("not installed", ("install: pip install torch_xla",))
    assert rows["state_dict"].cells[keras_torch].status == "not offered"
    assert not rows["state_dict"].cells[keras_torch].offered
    assert (
        rows["tfjs"].cells[tensorflow].status == "not probed"
        and "JavaScript" in rows["tfjs"].cells[tensorflow].lines[0]
    )
    assert rows["onnx"].cells[torch].status == "not in this run"


def test_an_export_that_reloads_with_different_outputs_is_a_failure_that_says_by_how_much():
    drifted = s.export("torch", "torchscript", **{**OK, "max_abs_diff": 0.5})
    row = next(r for r in deployment_view(s.evidence(drifted), "server").rows if r.path == "torchscript")
    assert (row.cells[0].mark, row.cells[0].lines) == ("✗ failed", ("outputs differ by 5.0e-01 after the reload",))


def test_a_path_no_shown_variant_offers_gets_no_row():
    view = deployment_view(s.evidence(s.export("torch", "torch_export", **OK)), "server")
    assert "keras_native" not in [row.path for row in view.rows]


def test_the_knowledge_files_note_on_why_a_path_cannot_run_is_listed_under_the_table():
    view = deployment_view(exported(), "server")
    assert any(
        note.startswith("Keras 3 on PyTorch, TensorFlow SavedModel") and TORCH_XLA in note for note in view.notes
    )


def test_the_rendered_report_shows_the_export_table(saved_run):
    evidence = json.loads(saved_run.joinpath("evidence.json").read_text())
    evidence["results"] += [r.to_json() for r in exported().results]
    saved_run.joinpath("evidence.json").write_text(json.dumps(evidence))
    answers = collect_answers(file_values={"deployment_target": "mobile"}, use_defaults=True)
    html = rerender(saved_run, answers).folder.report.read_text()
    section = html[html.index('id="deployment"') : html.index('id="decision-record"')]
    assert "Weight for mobile" in section and "matters for mobile</span>" in section
    assert "TensorFlow (low-level)</th>" in section and "Keras 3 on PyTorch</th>" in section
    assert TORCH_XLA in section
    assert html.index('id="evidence"') < html.index('id="deployment"') < html.index('id="decision-record"')


def test_a_run_without_export_says_so_in_the_report_with_the_command(saved_run):
    html = rerender(saved_run).folder.report.read_text()
    section = html[html.index('id="deployment"') : html.index('id="decision-record"')]
    assert "not measured in this run" in section
    assert "This run used the quick budget, which does not run the export probe." in section
    assert "advisor advise --budget standard --answers" in section
    assert "<table" not in section


@pytest.mark.browser
def test_the_deployment_table_has_no_accessibility_violations_in_light_dark_and_phone_layouts(saved_run):
    from tests.advisor.report.test_browser import AXE, PHONE
    from tests.support.browser import Chromium, find_chromium

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


def test_the_real_standard_run_shows_the_installed_paths_working_and_the_missing_ones_with_what_to_install():
    from tests.conftest import FIXTURES

    view = deployment_view(load_evidence(FIXTURES / "run_standard" / "evidence.json"), "mobile", "file")
    assert view.variants == ("PyTorch", "Keras 3 on TensorFlow", "TensorFlow (low-level)", "Keras 3 on PyTorch")
    assert [g.variant for g in view.gaps] == ["Keras 3 on JAX"]
    rows = {row.path: row for row in view.rows}
    assert rows["torch_export"].cells[0].mark == "✓ works"
    assert not rows["torch_export"].matters  # an intermediate format: no phone runs a .pt2
    assert rows["executorch"].matters and rows["executorch"].cells[0].status == "works"  # what a phone runs
    tflite = rows["tflite"].cells[3]  # Keras on PyTorch converts with litert-torch, not installed here
    assert tflite.status == "not installed" and tflite.lines[0].startswith("install: pip install litert-torch")
    ran = {(r.route, r.variant): r.ran for r in view.runtime_rows}
    assert (
        ran[("ExecuTorch → ExecuTorch runtime", "PyTorch")]
        and ran[("TF Lite / LiteRT → LiteRT interpreter", "TensorFlow (low-level)")]
    )
    assert rows["state_dict"].cells[0].lines[-1].endswith("needs its Python class")


def test_export_errors_and_install_hints_from_the_evidence_are_escaped(saved_run):
    hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    evidence = json.loads(saved_run.joinpath("evidence.json").read_text())
    evidence["results"] += [
        s.export("torch", "onnx", "failed", error=hostile).to_json(),
        s.export("torch", "torch_export", "not_installed", install_hint=hostile, note=hostile).to_json(),
    ]
    saved_run.joinpath("evidence.json").write_text(json.dumps(evidence))
    html = rerender(saved_run).folder.report.read_text()
    section = html[html.index('id="deployment"') : html.index('id="decision-record"')]
    assert "<script>alert" not in html and "<img src=x" not in html
    assert section.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 3  # error, install hint, note


# --- the routes to a browser, mobile or edge target, run in the target's runtime

IN_BROWSER = {
    "runtime": "onnxruntime",
    "call_ms": 0.4,
    "browser_runtime": "onnxruntime-web",
    "browser_ok": True,
    "browser_max_abs_diff": 6e-7,
    "browser_call_ms": 2.4,
    "browser_model_bytes": 54_820,
    "browser_runtime_bytes": 14_314_474,
    "int8_method": "quantize_dynamic",
    "int8_size_bytes": 21_208,
    "int8_accuracy": 0.86,
    "float_accuracy": 0.87,
    "int8_agreement": 0.99,
}


def routes(target, *results):
    return {(row.variant, row.route): row for row in deployment_view(s.evidence(*results), target).runtime_rows}


def test_for_a_browser_each_route_says_whether_it_ran_in_the_page_with_its_figures_and_the_command():
    onnx = routes("browser", s.export("torch", "onnx", **{**OK, **IN_BROWSER}))[
        ("PyTorch", "ONNX → ONNX Runtime Web in Chromium")
    ]
    assert (onnx.ran, onnx.ran_words, onnx.max_abs_diff) == (True, "yes", "6.0e-07")
    assert onnx.latency == "2.40 ms in the page"  # a call on a batch of 16, as the table's caption says
    assert onnx.size == "54 KB model + 13,979 KB runtime"
    assert onnx.int8.startswith("21 KB (45% of float")
    assert onnx.int8_accuracy == "86.0% (float 87.0%; same digit 99.0%)"
    assert onnx.command == "advisor probe --budget standard --variant torch --out NEW_FOLDER"


def test_a_route_without_chromium_says_it_did_not_run_in_the_browser_and_why():
    facts = {
        **OK,
        "runtime": "onnxruntime",
        "browser_runtime": "onnxruntime-web",
        "browser_error": "Chromium not found",
    }
    onnx = routes("browser", s.export("torch", "onnx", **facts))[("PyTorch", "ONNX → ONNX Runtime Web in Chromium")]
    assert not onnx.ran and onnx.ran_words == "no: not run in onnxruntime-web: Chromium not found"


def test_for_a_phone_the_routes_are_executorch_litert_and_onnx_runtime_and_a_pt2_is_not_one():
    found = routes("mobile", s.export("torch", "executorch", **{**OK, "runtime": "executorch", "call_ms": 0.6}))
    assert [route for variant, route in found if variant == "PyTorch"] == [
        "ExecuTorch → ExecuTorch runtime",
        "ONNX → ONNX Runtime",
    ]
    executorch = found[("PyTorch", "ExecuTorch → ExecuTorch runtime")]
    assert executorch.ran and executorch.latency == "0.60 ms"
    assert executorch.size == "47 KB model"  # the runtime is linked into the app, as the caption says
    assert found[("PyTorch", "ONNX → ONNX Runtime")].ran_words.startswith("no: not tried")


def test_extras_a_budget_left_out_are_named_as_not_measured_with_the_runs_that_measure_them():
    left_out = {**OK, "runtime": "onnxruntime", "call_ms": 0.4, "browser_runtime": "onnxruntime-web"}
    left_out["not_run"] = ("int8", "browser")
    view = deployment_view(s.evidence(s.export("torch", "onnx", **left_out)), "browser")
    onnx = {(row.variant, row.route): row for row in view.runtime_rows}[
        ("PyTorch", "ONNX → ONNX Runtime Web in Chromium")
    ]
    assert not onnx.ran and "the run's budget left the browser runs out" in onnx.ran_words
    assert onnx.int8.startswith("not measured in this run: thorough measures them")
    assert view.extras_words.startswith("This run left the calibrated int8 files and the runs in a browser page out")
    assert deployment_view(exported(), "browser").extras_words == ""  # a run that made them, or a route without


def test_a_server_or_no_target_gets_no_runtime_table():
    assert routes("server", s.export("torch", "onnx", **{**OK, **IN_BROWSER})) == {}
    assert routes("none", s.export("torch", "onnx", **{**OK, **IN_BROWSER})) == {}


def test_the_rendered_report_shows_the_routes_table_for_a_browser_target(saved_run):
    evidence = json.loads(saved_run.joinpath("evidence.json").read_text())
    evidence["results"].append(s.export("torch", "onnx", **{**OK, **IN_BROWSER}).to_json())
    saved_run.joinpath("evidence.json").write_text(json.dumps(evidence))
    answers = collect_answers(file_values={"deployment_target": "browser"}, use_defaults=True)
    html = rerender(saved_run, answers).folder.report.read_text()
    section = html[html.index('id="deployment"') : html.index('id="decision-record"')]
    assert "run in the runtime it ships</h3>" in section
    assert '<th scope="row">ONNX → ONNX Runtime Web in Chromium</th>' in section
    assert "13,979 KB runtime" in section


def test_the_routes_finding_names_the_routes_that_did_not_run_in_the_target_runtime():
    from tests.conftest import FIXTURES

    view = deployment_view(load_evidence(FIXTURES / "run_standard" / "evidence.json"), "mobile", "file")
    assert view.runtime_finding == (
        "8 of 9 routes to mobile ran in the target's runtime; "
        "not TF Lite / LiteRT → LiteRT interpreter (Keras 3 on PyTorch)."
    )


def test_a_working_cell_says_whether_the_batch_is_open_and_how_much_xnnpack_took():
    pte = {"runtime": "executorch", "call_ms": 70.0, "batch": "fixed at 16", "xnnpack_nodes": 25, "portable_nodes": 6}
    pte["portable_ops"] = ("aten_convolution_default x2",)
    row = next(
        r for r in deployment_view(s.evidence(s.export("keras-torch", "executorch", **OK, **pte)), "mobile").rows
    )
    assert row.cells[0].lines[1:] == (
        "batch fixed at 16",
        "XNNPACK took 25 nodes, 6 left to ExecuTorch's portable kernels (convolution x2)",
    )


def test_a_working_cell_gives_its_int8_file_against_the_float_one():
    int8 = {**IN_BROWSER, "int8_method": "static int8 (ONNX Runtime quantize_static)", "int8_call_ms": 0.2}
    rows = deployment_view(s.evidence(s.export("torch", "onnx", **OK, **int8)), "server").rows
    row = next(r for r in rows if r.path == "onnx")
    assert row.cells[0].lines[-1] == "static int8: 45% size, 86.0% right (float 87.0%), 0.20 ms (float 0.40)"


def test_a_route_many_times_slower_than_the_fastest_says_so_beside_its_latency():
    found = routes(
        "mobile",
        s.export("torch", "executorch", **OK, runtime="executorch", call_ms=0.3),
        s.export("keras-torch", "executorch", **OK, runtime="executorch", call_ms=71.6),
    )
    slow = found[("Keras 3 on PyTorch", "ExecuTorch → ExecuTorch runtime")]
    assert slow.latency == "71.60 ms, 239 times the fastest route: half credit"
    assert found[("PyTorch", "ExecuTorch → ExecuTorch runtime")].latency == "0.30 ms"


def test_another_models_exports_get_a_table_of_their_own_and_leave_the_cnns_cells_alone():
    failed = s.export("torch", "onnx", "failed", error="SymbolicValueError: Failed to export")
    lstm_failed = dataclasses.replace(failed, model="rnn")
    view = deployment_view(s.evidence(s.export("torch", "onnx", **OK), lstm_failed), "server")
    onnx = next(r for r in view.rows if r.path == "onnx")
    assert onnx.cells[0].mark == "✓ works"  # the CNN's, though the LSTM's ONNX export failed
    (lstm,) = view.other_models
    assert lstm.model == "LSTM on token sequences"
    lstm_onnx = next(r for r in lstm.rows if r.path == "onnx")
    assert (lstm_onnx.cells[0].mark, lstm_onnx.cells[0].lines) == (
        "✗ failed",
        ("SymbolicValueError: Failed to export",),
    )


def test_the_section_says_which_budget_exports_which_models():
    view = deployment_view(exported(), "server")
    assert (
        view.budget_words == "the standard budget exports cnn; the thorough budget exports mlp, cnn, rnn, transformer"
    )


def test_another_models_table_renders_its_cells_as_the_cnns_do(saved_run):
    lstm_failed = dataclasses.replace(
        s.export("torch", "onnx", "failed", error="SymbolicValueError: Failed to export"), model="rnn"
    )
    lstm_works = dataclasses.replace(s.export("torch", "torch_export", **OK), model="rnn")
    evidence = json.loads(saved_run.joinpath("evidence.json").read_text())
    evidence["results"] += [r.to_json() for r in (*exported().results, lstm_failed, lstm_works)]
    saved_run.joinpath("evidence.json").write_text(json.dumps(evidence))
    html = rerender(saved_run).folder.report.read_text()
    section = html[html.index('id="deployment"') : html.index('id="decision-record"')]
    lstm = section[section.index("LSTM on token sequences") :]
    assert '<td data-label="PyTorch"><span class="badge problem">✗ failed</span>' in lstm
    assert '<span class="basis">SymbolicValueError: Failed to export</span></td>' in lstm
    assert '<td data-label="PyTorch"><span class="badge measured">✓ works</span>' in lstm
