"""Onboarding paths: concepts a member is missing, in order, and the findings that matter to their role."""

from __future__ import annotations

from dataclasses import replace

import knowledge
from advisor.questionnaire.questions import collect_answers
from advisor.records.scripts import reference_code
from advisor.records.team import Machine
from advisor.report.findings import debugging_cells, export_cells
from advisor.report.onboarding import path_view
from advisor.runs import load_evidence
from advisor.scoring.onboarding import plan_onboarding
from probes.evidence import ProbeResult
from probes.variants import VARIANTS
from tests.conftest import FIXTURES, ROOT

EVIDENCE = FIXTURES / "run_quick" / "evidence.json"


def answers(**values):
    return collect_answers(file_values=values, use_defaults=True)


def machine(*extra: ProbeResult, label: str = "laptop") -> Machine:
    """A member's machine with the quick run's speed results, plus `extra`: findings come only from those."""
    evidence = load_evidence(EVIDENCE)
    speed = tuple(r for r in evidence.results if r.kind == "speed")
    return Machine(label, str(EVIDENCE), replace(evidence, results=speed + extra))


def concepts(path) -> list[str]:
    return [step.concept for step in path.steps]


def test_a_newcomer_learns_the_basics_before_the_training_loop():
    path = plan_onboarding("Ann", answers(dl_experience="none", python_experience="none"), "torch", [])
    order = concepts(path)
    assert order[0] == "python_basics"
    assert order.index("numpy_arrays") < order.index("tensors") < order.index("training_loop")
    assert order.index("gradients") < order.index("training_loop")


def test_each_step_says_which_answer_put_it_on_the_path():
    path = plan_onboarding("Ann", answers(data_size="large", known_frameworks=["pytorch"]), "torch", [])
    step = next(s for s in path.steps if s.concept == "data_pipeline")
    assert step.because == ("you said data_size: large",)
    assert any("DataLoader" in line for line in step.how)


def test_a_member_who_knows_the_chosen_framework_skips_its_basics():
    path = plan_onboarding("Bo", answers(dl_experience="expert", known_frameworks=["pytorch"]), "torch", [])
    assert path.knows_chosen
    assert not {"tensors", "model_definition", "training_loop"} & set(concepts(path))


def test_a_member_who_knows_another_framework_gets_the_translation():
    path = plan_onboarding("Cy", answers(known_frameworks=["keras"]), "torch", [])
    step = next(s for s in path.steps if s.concept == "coming_from")
    assert step.because == ("you know Keras",)
    assert any(line.startswith("From Keras:") and "nn.Linear" in line for line in step.how)


def test_the_path_is_written_for_the_chosen_framework():
    keras = plan_onboarding("Di", answers(), "keras-tensorflow", [])
    loop = next(s for s in keras.steps if s.concept == "training_loop")
    assert any("model.fit" in line for line in loop.how)
    assert keras.reference_file == "probes/keras/reference.py"
    assert "keras.Sequential" in reference_code(keras.reference_file)


def test_findings_say_not_measured_when_the_evidence_has_none():
    path = plan_onboarding("Ed", answers(goal="product", deployment_target="mobile"), "torch", [machine()])
    assert path.export.relevant
    assert path.export.rows == () and path.export.machine is None
    shown = path_view(path)
    assert shown.export.note.startswith("Not measured: no export probe result for PyTorch on laptop")
    assert shown.debugging.note.startswith("Not measured")


def test_findings_for_the_members_role_come_from_the_machine_that_measured_them():
    bug = ProbeResult(
        "torch",
        "cnn",
        "debugging",
        "ok",
        facts={"surfaced_at": "first_step", "exception_type": "RuntimeError", "names_shapes": True},
        case="wrong_flatten",
    )
    nan = ProbeResult("torch", "cnn", "debugging", "ok", facts={"surfaced_at": "silent_nan"}, case="nan_custom_op")
    mobile = ProbeResult(
        "torch", "cnn", "export", "ok", facts={"size_bytes": 46080, "reload_ok": True}, case="torch_export"
    )
    missing = ProbeResult(
        "torch",
        "cnn",
        "export",
        "not_installed",
        "onnx is not installed",
        {},
        {"install_hint": "pip install onnx"},
        "onnx",
    )
    server_only = ProbeResult("torch", "cnn", "export", "ok", facts={"size_bytes": 1}, case="torchscript")
    learner = answers(goal="learn", dl_experience="none")
    shipper = answers(goal="product", deployment_target="mobile")
    machines = [machine(label="laptop"), machine(bug, nan, mobile, missing, server_only, label="gpu")]

    learning = plan_onboarding("Fay", learner, "torch", machines)
    assert learning.debugging.machine == "gpu"
    assert [r.case for r in learning.debugging.rows] == ["wrong_flatten"]  # a learner's bugs: shapes
    assert debugging_cells(learning.debugging.rows[0])["surfaced"] == "at the first training step"
    assert debugging_cells(learning.debugging.rows[0])["names_shapes"] == "yes"
    assert not learning.export.relevant

    shipping = plan_onboarding("Gus", shipper, "torch", machines)
    assert [r.case for r in shipping.export.rows] == ["torch_export", "onnx"]  # mobile paths, in that order
    assert export_cells(shipping.export.rows[0])["size"] == "45 KB"
    assert not shipping.export.rows[1].ok and "pip install onnx" in export_cells(shipping.export.rows[1])["outcome"]


def test_the_curated_list_is_consistent():
    data = knowledge.load("onboarding")
    ids = {c["id"] for c in data["concepts"]}
    families = {v.family for v in VARIANTS.values()} - {"jax"}
    assert families <= set(data["families"])
    for family in data["families"].values():
        assert (ROOT / family["reference"]).is_file()
    for concept in data["concepts"]:
        assert set(concept["prerequisites"]) <= ids, concept["id"]
        for text in [*concept["how"].values(), *(r for refs in concept["references"].values() for r in refs)]:
            assert "http" not in text and "://" not in text  # names to look up, never links to load


def test_the_team_report_shows_measured_findings_in_tables(tmp_path):
    from advisor.scoring.team import decide
    from advisor.team_inputs import load_team
    from advisor.teams import write_team_folder
    from tests.conftest import TESTS

    bug = ProbeResult(
        "torch",
        "cnn",
        "debugging",
        "ok",
        facts={"surfaced_at": "first_step", "exception_type": "RuntimeError", "user_frames": 2, "framework_frames": 9},
        case="wrong_input_size_eager",
    )
    crashed = ProbeResult("torch", "cnn", "debugging", "crashed", "killed by SIGSEGV", case="dtype_mismatch")
    export = ProbeResult(
        "torch", "cnn", "export", "ok", facts={"export_s": 1.5, "size_bytes": 2048, "max_abs_diff": 0.0}, case="onnx"
    )
    members, _ = load_team(sorted((TESTS / "teams").glob("*.yaml")))
    decision = decide(members, [machine(bug, crashed, export)])
    assert decision.leader == "torch"
    html = write_team_folder(decision, tmp_path / "team").report.read_text()
    assert "<code>wrong_input_size_eager</code>" in html and "2 yours, 9 framework" in html
    assert "killed by SIGSEGV" in html
    assert "<code>onnx</code>" in html and "2 KB" in html


def test_an_export_path_that_cannot_run_here_says_why_and_what_would_fix_it():
    blocked = ProbeResult(
        "keras-torch",
        "cnn",
        "export",
        "not_installed",
        "torch_xla not installed",
        facts={"install_hint": "pip install torch_xla", "note": "torch_xla has no release for torch 2.13."},
        case="saved_model",
    )
    path = plan_onboarding("Ann", answers(deployment_target="server"), "keras-torch", [machine(blocked)])
    (row,) = [r for r in path.export.rows if r.case == "saved_model"]
    assert export_cells(row)["outcome"] == (
        "not installed: pip install torch_xla (torch_xla has no release for torch 2.13.)"
    )
