"""Every command through Typer's CliRunner: exit codes, one-line errors, nothing half-written."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from advisor.cli import app

runner = CliRunner()


@pytest.fixture
def fake_installed(fake_worker, monkeypatch):
    import probes.runner

    monkeypatch.setattr(probes.runner, "missing_requirement", lambda v: None)
    return fake_worker


def commands() -> list[str]:
    """Every command the app registers, read from the app itself: a new one cannot skip the test below."""
    import typer.main

    return sorted(typer.main.get_command(app).commands)


def test_the_commands_are_the_documented_ones():
    assert set(commands()) >= {"advise", "probe", "report", "team", "compare", "claims"}


@pytest.mark.parametrize("command", commands())
def test_every_command_has_help_with_an_example(command):
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert "Example: advisor " + command in result.output


def test_advise_help_lists_each_question_with_its_allowed_values():
    result = runner.invoke(app, ["advise", "--help"])
    assert "--deployment-target [none|server|mobile|browser|edge]" in result.output


def test_advise_help_groups_the_answers_apart_from_the_run_options_with_clean_metavars():
    text = runner.invoke(app, ["advise", "-h"]).output
    run_options, answers = text.split("Run options:")[1].split("Answers (")
    assert "--budget [tiny|quick|standard|thorough|scale]" in run_options and "--goal" not in run_options
    assert "--goal [learn|prototype|research|product]" in answers and "--budget" not in answers
    assert "<str>" not in text and "<path>" not in text and "<list" not in text
    assert "[default: quick]" in run_options and "[default: (" not in text  # one style for every default


def test_advise_no_input_writes_all_records(fake_installed, tmp_path):
    out = tmp_path / "run"
    result = runner.invoke(app, ["advise", "--no-input", "--budget", "tiny", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "answers.yaml",
        "decision.md",
        "evidence.json",
        "profile.json",
        "report.html",
        "scorecard.json",
        "verdicts.json",
    ]
    assert "Report:" in result.output


def test_flags_answer_questions(fake_installed, tmp_path):
    out = tmp_path / "run"
    result = runner.invoke(
        app,
        [
            "advise",
            "--no-input",
            "--budget",
            "tiny",
            "--out",
            str(out),
            "--goal",
            "research",
            "--known-frameworks",
            "pytorch,jax",
        ],
    )
    assert result.exit_code == 0, result.output
    profile = json.loads((out / "profile.json").read_text())
    assert profile["answers"]["values"]["goal"] == "research"
    assert profile["answers"]["values"]["known_frameworks"] == ["pytorch", "jax"]
    assert profile["answers"]["origins"]["goal"] == "flag"


def test_a_bad_answers_file_exits_2_names_the_field_and_writes_nothing(write_answers, tmp_path):
    out = tmp_path / "run"
    answers = write_answers("goal: world-domination\n")
    result = runner.invoke(app, ["advise", "--answers", str(answers), "--out", str(out)])
    assert result.exit_code == 2
    assert "'goal' must be one of learn, prototype, research, product. Received: 'world-domination'" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_a_bad_flag_value_exits_2(tmp_path):
    result = runner.invoke(app, ["advise", "--no-input", "--hardware", "abacus", "--out", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert "option --hardware" in result.output and "Received: 'abacus'" in result.output


def test_an_unknown_budget_exits_2(tmp_path):
    result = runner.invoke(app, ["probe", "--budget", "forever", "--out", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert "--budget must be one of tiny, quick, standard, thorough" in result.output


def test_an_existing_output_folder_is_refused_without_force(fake_installed, tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    result = runner.invoke(app, ["advise", "--no-input", "--budget", "tiny", "--out", str(out)])
    assert result.exit_code == 2
    assert "--force" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]


def test_probe_writes_only_evidence(fake_installed, tmp_path):
    out = tmp_path / "evidence only"
    result = runner.invoke(app, ["probe", "--budget", "tiny", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert [p.name for p in out.iterdir()] == ["evidence.json"]
    assert "Measured 4 of 4 probes" in result.output


def test_report_rerenders_from_saved_records_without_measuring(saved_run, fake_worker):
    (saved_run / "report.html").unlink(missing_ok=True)
    result = runner.invoke(app, ["report", str(saved_run)])
    assert result.exit_code == 0, result.output
    assert (saved_run / "report.html").exists() and (saved_run / "scorecard.json").exists()
    assert not fake_worker.exists()  # no probe child was started


def test_report_with_other_answers_writes_a_sibling_folder_and_keeps_the_owners_run(saved_run, write_answers):
    owners_profile = (saved_run / "profile.json").read_bytes()
    answers = write_answers("goal: research\ncustom_architectures: many\npriority: debugging\n")
    result = runner.invoke(app, ["report", str(saved_run), "--answers", str(answers)])
    assert result.exit_code == 0, result.output
    assert (saved_run / "profile.json").read_bytes() == owners_profile
    sibling = saved_run.parent / f"{saved_run.name}-{answers.stem}"
    profile = json.loads((sibling / "profile.json").read_text())
    assert profile["answers"]["values"]["goal"] == "research"
    assert (sibling / "evidence.json").read_bytes() == (saved_run / "evidence.json").read_bytes()
    assert (sibling / "report.html").exists()


def test_report_with_other_answers_into_an_existing_folder_needs_force(saved_run, write_answers, tmp_path):
    answers = write_answers("goal: research\n")
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "keep.txt").write_text("mine")
    result = runner.invoke(app, ["report", str(saved_run), "--answers", str(answers), "--out", str(taken)])
    assert result.exit_code == 2
    assert "--force" in result.output
    assert sorted(p.name for p in taken.iterdir()) == ["keep.txt"]


def test_report_out_without_answers_is_refused(saved_run, tmp_path):
    result = runner.invoke(app, ["report", str(saved_run), "--out", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert "--answers" in result.output


def test_report_on_a_missing_folder_exits_2(tmp_path):
    result = runner.invoke(app, ["report", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "no such run folder" in result.output


def test_report_on_corrupt_evidence_exits_2_naming_the_file(saved_run):
    (saved_run / "evidence.json").write_text("{ not json")
    result = runner.invoke(app, ["report", str(saved_run)])
    assert result.exit_code == 2
    assert "evidence.json: evidence is not valid JSON" in result.output


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("framework-advisor ")


def test_claims_without_a_folder_lists_the_ledger_with_nothing_measured():
    result = runner.invoke(app, ["claims"], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    assert "keras-training-in-one-call" in result.output
    assert "not measured in this run" in result.output
    assert "Claims per source: 000:" in result.output


def test_claims_json_gives_every_claim_its_sources_and_verdict(saved_run):
    result = runner.invoke(app, ["claims", str(saved_run), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["format"] == "advisor-claims/2" and data["evidence"].endswith("evidence.json")
    speed = next(c for c in data["claims"] if c["id"] == "pytorch-faster-than-keras")
    assert speed["verdict"] == "mixed" and "95% CI" in speed["findings"][0]["figure"]  # MLP one way, CNN the other
    assert speed["sources"][0]["file"] == "000_b4f3906ddb61dfa6.txt"
    assert all(c["verdict"] for c in data["claims"])


def test_claims_on_a_folder_without_evidence_exits_2_in_one_line(tmp_path):
    result = runner.invoke(app, ["claims", str(tmp_path)])
    assert result.exit_code == 2
    assert "no evidence.json in this folder" in result.output
    assert "Traceback" not in result.output


def test_after_a_run_the_terminal_shows_each_criterion_and_each_frameworks_score(saved_run):
    from advisor.records.profile import load_criteria

    result = runner.invoke(app, ["report", str(saved_run)])
    assert result.exit_code == 0, result.output
    table = result.output.split("Criterion", 1)[1].split("Report:", 1)[0]
    for criterion in load_criteria().values():
        assert criterion.label[:24] in table
    assert re.search(r"Training speed +\d+% +\d+\.\d\* ", table)  # measured here: starred
    assert "Weighted total, of 10" in table
    assert max(len(line) for line in result.output.split("Report:", 1)[0].splitlines()[2:]) <= 80
    assert result.output.index("Criterion") < result.output.index("Report:")
    assert f"Decision record (Markdown): {saved_run / 'decision.md'}" in result.output
