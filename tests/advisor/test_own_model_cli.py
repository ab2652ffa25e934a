"""--model on the commands that measure: refused in one line before anything runs, measured and reported otherwise
(the probe children are tests/support/fake_worker.py; the real ones are tested in tests/probes/)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from advisor.cli import app

runner = CliRunner()


@pytest.fixture
def fake_installed(fake_worker, monkeypatch):
    import probes.runner

    monkeypatch.setattr(probes.runner, "missing_requirement", lambda v: None)
    return fake_worker


@pytest.mark.parametrize("command", ["probe", "advise"])
def test_a_pickled_model_is_refused_in_one_line_before_anything_runs(command, fake_installed, tmp_path):
    out = tmp_path / "run"
    quiet = ["--no-input"] if command == "advise" else []
    result = runner.invoke(app, [command, *quiet, "--model", "net.pt", "--out", str(out)])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "a pickle runs code from the file" in result.output
    assert not out.exists() and not fake_installed.exists()


def test_a_companion_option_without_the_model_is_refused_naming_model():
    result = runner.invoke(app, ["probe", "--model-input", "3x32x32"])
    assert (
        result.exit_code == 2
        and "option --model-input describes your model: give it with --model PATH" in result.output
    )


def test_probe_measures_the_users_model_on_every_keras_backend(fake_installed, tmp_path):
    out = tmp_path / "run"
    model = tmp_path / "net.keras"
    result = runner.invoke(app, ["probe", "--budget", "tiny", "--model", str(model), "--out", str(out)])
    assert result.exit_code == 0, result.output
    evidence = json.loads((out / "evidence.json").read_text())
    own = {(r["variant"], r["kind"], r["case"]) for r in evidence["results"] if r["model"] == "own"}
    assert {v for v, k, c in own if k == "own_model"} == {"keras-tensorflow", "keras-torch", "keras-jax"}
    assert ("keras-tensorflow", "own_export", "onnx") in own
    assert evidence["settings"]["own_model"]["source"] == str(model)


def test_advise_reports_the_users_model_first_among_the_evidence_with_the_answers_target(fake_installed, tmp_path):
    out = tmp_path / "run"
    args = ["advise", "--no-input", "--budget", "tiny", "--deployment-target", "server", "--out", str(out)]
    result = runner.invoke(app, [*args, "--model", str(tmp_path / "net.keras")])
    assert result.exit_code == 0, result.output
    html = (out / "report.html").read_text()
    assert html.index('id="your-model"') < html.index('id="evidence"')
    routes = {
        r["case"] for r in json.loads((out / "evidence.json").read_text())["results"] if r["kind"] == "own_export"
    }
    assert routes == {"onnx"}  # a server ships ONNX; LiteRT and ExecuTorch weigh less than 1 there


def test_team_measures_the_users_model_here_beside_every_members_answers(fake_installed, tmp_path):
    from tests.conftest import TESTS

    members = [str(p) for p in sorted((TESTS / "teams").glob("*.yaml"))[:2]]
    out = tmp_path / "team"
    result = runner.invoke(app, ["team", *members, "--model", str(tmp_path / "net.keras"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    (machine,) = (out / "machines").iterdir()
    evidence = json.loads(machine.read_text())
    assert {r["variant"] for r in evidence["results"] if r["kind"] == "own_model"} == {
        "keras-tensorflow",
        "keras-torch",
        "keras-jax",
    }
    assert {r["model"] for r in evidence["results"]} == {"own"}  # the model alone: no reference model measured


def test_the_team_report_shows_the_users_model_after_the_machines(fake_installed, tmp_path):
    from tests.conftest import TESTS

    members = [str(p) for p in sorted((TESTS / "teams").glob("*.yaml"))[:2]]
    out = tmp_path / "team"
    result = runner.invoke(app, ["team", *members, "--model", str(tmp_path / "net.keras"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    html = (out / "team.html").read_text()
    assert html.index('id="machines"') < html.index('id="your-model"') < html.index('id="onboarding"')
    assert f"Evidence: your model, {tmp_path / 'net.keras'}" in html


def test_team_refuses_a_model_measured_here_beside_evidence_from_another_machine(fake_installed, tmp_path):
    from tests.conftest import FIXTURES, TESTS

    members = [str(p) for p in sorted((TESTS / "teams").glob("*.yaml"))[:2]]
    other = str(FIXTURES / "machine_b" / "evidence.json")
    result = runner.invoke(app, ["team", *members, "--evidence", other, "--model", str(tmp_path / "net.keras")])
    assert result.exit_code == 2
    assert "no --evidence file is from it: run advisor probe --model PATH --add-to FOLDER" in result.output
    assert not fake_installed.exists()  # refused before anything was measured


def test_progress_names_the_users_model_in_words_not_by_its_kind():
    import io

    from rich.console import Console

    from advisor.progress import ProgressDisplay
    from probes.runner import ProgressEvent

    out = io.StringIO()
    display = ProgressDisplay(Console(file=out, width=200))
    display(ProgressEvent("plan", "", 0, 0, total=2))
    display(ProgressEvent("start", "keras-jax", 2, 3, kind="own_model", models=("own",)))
    display(ProgressEvent("finish", "torch", 1, 1, detail="2/2 cases", kind="own_export", models=("own",)))
    assert out.getvalue().splitlines() == [
        "Measuring Keras 3 on JAX your model, round 2/3…",
        "  [1/2] PyTorch (your model's deployment routes), round 1/1: 2/2 cases",
    ]
