"""The report's ease-of-use section: counts per model, and the reference code they were counted from."""

from __future__ import annotations

from dataclasses import replace

from advisor.report.ease import build_ease_view
from advisor.runs import load_evidence, rerender
from advisor.scoring.ease import ease_findings
from probes.evidence import ProbeResult
from tests.conftest import FIXTURES
from tests.support import synthetic as s

STANDARD = FIXTURES / "run_standard" / "evidence.json"


def standard():
    return load_evidence(STANDARD)


def live():
    """Ease results counted now from the reference scripts as they are (the probe imports no framework)."""
    from probes.contract import framework_probe
    from probes.variants import VARIANTS

    results = []
    for variant in ("torch", "keras-tensorflow", "tensorflow", "keras-torch"):
        probe = framework_probe(VARIANTS[variant].framework)
        for model in ("mlp", "cnn"):
            facts = probe.measure("ease", model, "", {}, {})["facts"]
            results.append(ProbeResult(variant, model, "ease", "ok", facts=facts))
    return s.evidence(*results)


def ease_view(evidence, run_dir: str = "RUN_DIR"):
    """The section as the report builds it, from the scorecard's ease findings."""
    return build_ease_view(evidence, ease_findings(evidence), run_dir)


def tagged(view, path: str) -> dict[str, str]:
    """{stripped source line: tag} of one shown script (first occurrence of each line)."""
    shown = next(f for f in view.code if f.path == path)
    return {line.text.strip(): line.tag for line in reversed(shown.lines)}


def test_each_model_gets_a_table_with_a_row_per_variant_that_counted_it():
    view = ease_view(s.full_run())
    assert [t.model for t in view.tables] == ["mlp", "cnn"]
    assert [r.variant for r in view.tables[0].rows] == ["PyTorch", "Keras 3 on TensorFlow", "TensorFlow (low-level)"]
    torch = view.tables[0].rows[0]
    assert torch.logical == {"model": "12", "train": "14", "total": "40", "api": "22", "device": "3"}


def test_physical_lines_show_where_recorded_and_stay_blank_where_not():
    real = ease_view(standard()).tables[0].rows
    keras = next(r for r in real if r.variant == "Keras 3 on TensorFlow")
    assert (keras.logical["model"], keras.physical["model"]) == ("4", "9")  # Sequential([...]): 1 line, 9 rows
    synthetic = ease_view(s.full_run()).tables[0].rows[0]
    assert synthetic.physical == {"model": "", "train": "", "total": ""}


def test_a_sentence_names_the_frameworks_with_the_fewest_and_the_most_lines():
    table = ease_view(standard()).tables[0]
    assert table.sentence == (
        "For the MLP, Keras 3 on TensorFlow and Keras 3 on PyTorch need the fewest logical lines in total (19); "
        "TensorFlow (low-level) the most (56)."
    )


def test_a_variant_whose_ease_probe_did_not_run_is_one_line_with_its_reason_not_a_row():
    view = ease_view(standard())
    assert [(g.variant, g.status, g.reason) for g in view.gaps] == [
        ("Keras 3 on JAX", "not installed", "jax is not installed")
    ]
    assert all(r.variant != "Keras 3 on JAX" for t in view.tables for r in t.rows)


def test_a_failure_on_one_model_is_a_row_that_says_why():
    evidence = s.evidence(
        s.ease("torch", "mlp", total_lines=40),
        ProbeResult("torch", "cnn", "ease", "failed", "SyntaxError in the reference"),
    )
    cnn = ease_view(evidence).tables[1].rows[0]
    assert (cnn.status, cnn.reason) == ("failed", "SyntaxError in the reference")


def test_each_reference_script_is_shown_once_with_the_variants_that_run_it():
    view = ease_view(live())
    shown = {f.path: f.frameworks for f in view.code}
    assert shown == {
        "probes/pytorch/reference.py": "PyTorch",
        "probes/keras/reference.py": "Keras 3 on TensorFlow and Keras 3 on PyTorch",
        "probes/tensorflow/reference.py": "TensorFlow (low-level)",
    }
    torch = view.code[0]
    assert torch.total == len(torch.lines) and 0 < torch.counted < torch.total


def test_counted_lines_carry_the_role_the_probe_recorded_and_model_code_names_its_models():
    view = ease_view(live())
    tags = tagged(view, "probes/pytorch/reference.py")
    assert tags["import torch"] == "setup"
    assert tags["nn.Linear(128, 64), nn.ReLU(),"] == "MLP"  # the MLP's Sequential counts only for the MLP
    assert tags["loss.backward()"] == "train"
    docstring = view.code[0].lines[0]
    assert docstring.text.startswith('"""') and (docstring.role, docstring.tag) == ("", "")  # not counted
    keras = tagged(view, "probes/keras/reference.py")
    assert keras["layers.Flatten(),"] == "CNN"


def test_results_without_recorded_roles_show_the_script_untagged_the_report_counts_nothing():
    view = ease_view(s.full_run())  # synthetic: no reference_file, no role_runs
    assert {f.path for f in view.code} == {
        "probes/pytorch/reference.py",
        "probes/keras/reference.py",
        "probes/tensorflow/reference.py",
    }
    assert tagged(view, "probes/pytorch/reference.py")["loss.backward()"] == ""
    assert all(f.counted == 0 for f in view.code)


def test_a_script_changed_since_the_run_is_shown_untagged_and_says_so():
    evidence = standard()
    stale = tuple(
        replace(r, facts=replace(r.facts, source_sha256="0" * 64, role_runs=((1, 200, "model"),)))
        if r.kind == "ease" and r.variant == "torch"
        else r
        for r in evidence.results
    )
    view = ease_view(replace(evidence, results=stale))
    torch = next(f for f in view.code if f.path == "probes/pytorch/reference.py")
    assert "has changed since this run counted it" in torch.note
    assert torch.counted == 0 and tagged(view, "probes/pytorch/reference.py")["loss.backward()"] == ""


def test_a_recorded_script_path_that_leaves_the_package_is_never_read():
    hostile = ProbeResult("torch", "mlp", "ease", "ok", facts={"reference_file": "probes/reference/../../README.md"})
    assert ease_view(s.evidence(hostile)).code == ()


def test_without_ease_results_the_section_says_so_and_gives_the_command():
    view = ease_view(s.evidence(s.speed("torch", "mlp", 100)), run_dir="runs/a")
    assert view.tables == () and view.code == ()
    assert view.not_run.command == "advisor advise --budget standard --answers runs/a/answers.yaml"


def test_the_section_renders_its_tables_and_the_tagged_code(standard_run):
    html = rerender(standard_run).folder.report.read_text()
    section = html[html.index('id="ease"') : html.index('id="debugging"')]
    assert section.count("<table") == 1 and section.count("<tbody>") == 4  # one table, a row group a model
    assert '<th scope="row">Keras 3 on PyTorch</th>' in section
    assert '<span class="r-training"><span class="t">train</span>' in section  # a block of code: its role, its tag
    assert "not installed</span> Keras 3 on JAX: jax is not installed" in section
    assert '<a href="#ease">' in html


def test_the_section_of_a_run_without_ease_says_so(speed_only_run):
    html = rerender(speed_only_run).folder.report.read_text()
    section = html[html.index('id="ease"') : html.index('id="debugging"')]
    assert "not measured in this run" in section and "advisor advise --budget standard" in section
    assert "<table" not in section
