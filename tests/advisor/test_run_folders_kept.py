"""A run folder is never emptied, mixed or overwritten by a command that reads it (issue 28).

Each test failed before its fix. The measuring is done by the fake worker (tests/support/fake_worker.py),
so a whole quick run takes about a second.
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

from advisor.cli import app
from advisor.errors import OutputError, RecordError
from advisor.fileio import prepare_output_dir
from advisor.runs import RUN_RECORDS, RunInterrupted, probe, probe_into
from probes.budgets import get_budget
from probes.plan import make_plan
from probes.runner import ProbesInterrupted

runner = CliRunner()


@pytest.fixture
def fake_installed(fake_worker, monkeypatch):
    import probes.runner

    monkeypatch.setattr(probes.runner, "missing_requirement", lambda v: None)
    return fake_worker


def plan(budget: str, **options):
    return make_plan(get_budget(budget), **options)


@pytest.fixture
def quick_run(fake_installed, tmp_path) -> Path:
    """A folder holding a quick run's evidence, measured here by the fake worker."""
    folder = tmp_path / "Q"
    probe(folder, plan("quick"))
    fake_installed.unlink()  # the log then shows what later commands measure
    return folder


@contextmanager
def no_raw_interrupt():
    """Fail, instead of stopping the test session, where a KeyboardInterrupt escapes the library."""
    try:
        yield
    except KeyboardInterrupt:
        pytest.fail("a bare KeyboardInterrupt escaped: the caller cannot say what the folder holds")


def speed_rounds(folder: Path) -> dict[tuple[str, str, str], tuple[str, int]]:
    evidence = json.loads((folder / "evidence.json").read_text())
    return {
        (r["variant"], r["model"], r["case"]): (r["status"], r["rounds_ok"])
        for r in evidence["results"]
        if r["kind"] == "speed"
    }


# 1. report --answers --out pointing at the run itself


def test_rescoring_into_the_run_folder_itself_is_refused_and_keeps_every_record(saved_run, write_answers):
    before = {p.name: p.read_bytes() for p in saved_run.iterdir()}
    result = runner.invoke(
        app, ["report", str(saved_run), "--answers", str(write_answers("goal: research\n")), "--out", str(saved_run)]
    )
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "--out" in result.output
    assert {p.name: p.read_bytes() for p in saved_run.iterdir()} == before


def test_rescoring_with_force_into_the_run_folder_itself_keeps_every_record(saved_run, write_answers):
    before = {p.name: p.read_bytes() for p in saved_run.iterdir()}
    answers = str(write_answers("goal: research\n"))
    result = runner.invoke(app, ["report", str(saved_run), "--answers", answers, "--out", str(saved_run), "--force"])
    assert result.exit_code == 2, result.output
    assert {p.name: p.read_bytes() for p in saved_run.iterdir()} == before


# 2. and 3. --add-to: an interrupted or smaller run keeps the larger run's results


def test_an_interrupted_add_to_keeps_the_folders_results(quick_run):
    before = (quick_run / "evidence.json").read_bytes()

    def ctrl_c_after_the_first_child(event):
        if event.event == "finish":
            raise KeyboardInterrupt

    with no_raw_interrupt(), pytest.raises(RunInterrupted):
        probe_into(quick_run, plan("quick"), progress=ctrl_c_after_the_first_child)
    assert (quick_run / "evidence.json").read_bytes() == before


def test_an_interrupted_add_to_still_adds_a_kind_the_folder_did_not_have(quick_run):
    def ctrl_c_after_the_first_child(event):
        if event.event == "finish":
            raise KeyboardInterrupt

    with no_raw_interrupt(), pytest.raises(RunInterrupted):
        probe_into(quick_run, plan("scale"), progress=ctrl_c_after_the_first_child)
    evidence = json.loads((quick_run / "evidence.json").read_text())
    assert {r["kind"] for r in evidence["results"]} >= {"speed", "scale"}
    assert evidence["complete"] is False  # the scale results it holds are partial


def test_an_interrupted_run_finished_by_an_add_to_is_complete(fake_installed, tmp_path):
    from advisor.runs import load_evidence

    def ctrl_c_after_the_first_child(event):
        if event.event == "finish":
            raise KeyboardInterrupt

    folder = tmp_path / "cut short"
    with no_raw_interrupt(), pytest.raises(RunInterrupted):
        probe(folder, plan("quick"), progress=ctrl_c_after_the_first_child)
    assert load_evidence(folder / "evidence.json").complete is False
    probe_into(folder, plan("quick"))
    merged = load_evidence(folder / "evidence.json")
    assert merged.complete is True and not [r for r in merged.results if r.status == "interrupted"]


def test_a_smaller_budget_added_to_a_run_is_refused_before_measuring(quick_run, fake_installed):
    before = speed_rounds(quick_run)
    smaller = r"speed results come from 2 processes per variant \(the quick budget\); the tiny budget measures 1"
    with pytest.raises(RecordError, match=smaller):
        probe_into(quick_run, plan("tiny"))
    assert not fake_installed.exists()  # nothing was measured
    assert speed_rounds(quick_run) == before


def test_an_add_to_that_leaves_out_a_measured_variant_is_refused_before_measuring(quick_run, fake_installed):
    with pytest.raises(RecordError, match="Keras 3 on TensorFlow"):
        probe_into(quick_run, plan("quick", variants=["torch"]))
    assert not fake_installed.exists()


def test_a_larger_budget_added_to_a_run_replaces_its_results(quick_run):
    probe_into(quick_run, plan("standard", variants=["torch", "keras-tensorflow"], models=["mlp", "cnn", "rnn"]))
    rounds = speed_rounds(quick_run)
    assert rounds[("torch", "mlp", "")] == ("ok", 4)
    assert ("torch", "rnn", "") in rounds


def test_the_smoke_test_caveat_follows_the_results_not_the_folders_first_budget(fake_installed, tmp_path):
    from advisor.runs import load_evidence
    from advisor.scoring.caveats import evidence_caveats

    folder = tmp_path / "scale first"
    probe(folder, plan("scale", variants=["torch", "keras-tensorflow"]))
    probe_into(folder, plan("tiny"))  # the speed results are a smoke test's
    evidence = load_evidence(folder / "evidence.json")
    assert evidence.settings["budget"] == "scale"
    assert "smoke_test" in [c.id for c in evidence_caveats(evidence, ["torch", "keras-tensorflow"])]


def test_a_smoke_test_replaced_by_a_quick_run_loses_its_caveat(fake_installed, tmp_path):
    from advisor.runs import load_evidence
    from advisor.scoring.caveats import evidence_caveats

    folder = tmp_path / "tiny first"
    probe(folder, plan("tiny"))
    probe_into(folder, plan("quick"))
    evidence = load_evidence(folder / "evidence.json")
    assert evidence.budget_of("speed") == "quick"
    assert "smoke_test" not in [c.id for c in evidence_caveats(evidence, ["torch", "keras-tensorflow"])]


def test_a_merged_run_scores_the_models_of_both_runs(quick_run):
    from advisor.runs import load_evidence

    probe_into(quick_run, plan("standard", variants=["torch", "keras-tensorflow"], models=["mlp", "cnn", "resnet"]))
    assert load_evidence(quick_run / "evidence.json").settings["models"] == ["mlp", "cnn", "resnet"]


# 7. a folder --add-to cannot write into is refused before measuring


def test_add_to_a_read_only_folder_is_refused_before_measuring(quick_run, fake_installed, monkeypatch):
    import advisor.fileio

    def read_only(*args, **kwargs):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(advisor.fileio.tempfile, "mkstemp", read_only)
    with pytest.raises(OutputError, match="cannot write"):
        probe_into(quick_run, plan("scale"))
    assert not fake_installed.exists()


# 4. --force removes only the tool's own records


@pytest.mark.parametrize("name", ["decision.md", "answers.yaml", "report.html", "onboarding.json", "evidence.json"])
def test_force_refuses_a_file_of_the_users_that_has_a_records_name(tmp_path, name):
    out = tmp_path / "mine"
    out.mkdir()
    (out / name).write_text("my own notes, not a record of the tool\n")
    with pytest.raises(OutputError, match=f"{name}: not a record this tool wrote"):
        prepare_output_dir(out, force=True, records=tuple(RUN_RECORDS.values()))
    assert (out / name).read_text() == "my own notes, not a record of the tool\n"


def test_force_over_a_users_file_removes_nothing_at_all(saved_run):
    (saved_run / "decision.md").write_text("# Our decision, by hand\n")
    before = sorted(p.name for p in saved_run.iterdir())
    with pytest.raises(OutputError):
        prepare_output_dir(saved_run, force=True, records=tuple(RUN_RECORDS.values()))
    assert sorted(p.name for p in saved_run.iterdir()) == before


def test_force_through_the_cli_keeps_the_users_decision_md(fake_installed, tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "decision.md").write_text("# Ours\n")
    result = runner.invoke(app, ["probe", "--budget", "tiny", "--out", str(out), "--force"])
    assert result.exit_code == 2 and "not a record this tool wrote" in result.output
    assert (out / "decision.md").read_text() == "# Ours\n"


# 6. compare --out never overwrites one of its inputs


def test_compare_refuses_an_out_whose_json_would_overwrite_an_input(saved_run, tmp_path):
    from tests.conftest import FIXTURES

    before = (saved_run / "evidence.json").read_bytes()
    result = runner.invoke(
        app,
        ["compare", str(saved_run), str(FIXTURES / "machine_b"), "--out", str(saved_run / "evidence.html"), "--force"],
    )
    assert result.exit_code == 2, result.output
    assert "evidence.json" in result.output
    assert (saved_run / "evidence.json").read_bytes() == before
    assert not (saved_run / "evidence.html").exists()


def test_compare_with_force_replaces_its_own_earlier_page(saved_run, tmp_path):
    from tests.conftest import FIXTURES

    args = ["compare", str(saved_run), str(FIXTURES / "machine_b"), "--out", str(tmp_path / "machines.html")]
    assert runner.invoke(app, args).exit_code == 0
    result = runner.invoke(app, [*args, "--force"])
    assert result.exit_code == 0, result.output


# 14. the exit message matches what is on disk


def advise(out: Path, *extra: str):
    return runner.invoke(app, ["advise", "--no-input", "--budget", "tiny", "--out", str(out), *extra])


def interrupt(*args, **kwargs):
    raise KeyboardInterrupt


@pytest.mark.parametrize("stage", ["score", "write_report", "check"])
def test_ctrl_c_after_the_probes_keeps_the_evidence_and_gives_the_report_command(
    fake_installed, tmp_path, monkeypatch, stage
):
    import advisor.runs

    monkeypatch.setattr(advisor.runs, stage, interrupt)
    out = tmp_path / "run"
    result = advise(out)
    assert result.exit_code == 130
    assert "nothing was written" not in result.output
    assert f"advisor report {out}" in result.output
    assert json.loads((out / "evidence.json").read_text())["complete"] is True


def test_ctrl_c_before_the_first_probe_leaves_nothing_behind(fake_installed, tmp_path, monkeypatch):
    import advisor.runs

    monkeypatch.setattr(advisor.runs, "run_probes", interrupt)
    out = tmp_path / "run"
    result = advise(out)
    assert result.exit_code == 130
    assert "nothing was written" in result.output
    assert not out.exists() or list(out.iterdir()) == []


def test_ctrl_c_before_the_first_probe_of_a_forced_run_keeps_the_earlier_run(fake_installed, saved_run, monkeypatch):
    import advisor.runs

    before = {p.name: p.read_bytes() for p in saved_run.iterdir()}
    monkeypatch.setattr(advisor.runs, "run_probes", interrupt)
    result = advise(saved_run, "--force")
    assert result.exit_code == 130
    assert "nothing was written" in result.output
    assert {p.name: p.read_bytes() for p in saved_run.iterdir()} == before


def test_a_forced_run_replaces_the_earlier_run_once_it_has_measured(fake_installed, saved_run):
    earlier = (saved_run / "evidence.json").read_bytes()
    assert advise(saved_run, "--force").exit_code == 0
    assert (saved_run / "evidence.json").read_bytes() != earlier
    assert not any(p.name.startswith(".") for p in saved_run.iterdir())


def test_ctrl_c_while_a_report_is_rerendered_gives_the_command_again(saved_run, monkeypatch):
    import advisor.runs

    monkeypatch.setattr(advisor.runs, "write_report", interrupt)
    result = runner.invoke(app, ["report", str(saved_run)])
    assert result.exit_code == 130
    assert "nothing was written" not in result.output
    assert f"advisor report {saved_run}" in result.output


def test_a_second_ctrl_c_while_the_interrupted_run_is_scored_keeps_the_evidence(fake_installed, tmp_path, monkeypatch):
    import advisor.runs

    def ctrl_c_after_the_first_child(event):
        if event.event == "finish":
            raise KeyboardInterrupt

    monkeypatch.setattr(advisor.runs, "score", interrupt)
    out = tmp_path / "run"
    with no_raw_interrupt(), pytest.raises(RunInterrupted):
        advisor.runs.advise(
            advisor.runs.collect_answers(use_defaults=True), out, plan("tiny"), progress=ctrl_c_after_the_first_child
        )
    assert json.loads((out / "evidence.json").read_text())["complete"] is False


def test_sigterm_while_scoring_ends_with_143_and_the_report_command(fake_installed, tmp_path, monkeypatch):
    import advisor.runs
    from advisor.cli.app import Terminated

    def terminated(*args, **kwargs):
        raise Terminated()

    monkeypatch.setattr(advisor.runs, "score", terminated)
    out = tmp_path / "run"
    result = advise(out)
    assert result.exit_code == 143
    assert f"advisor report {out}" in result.output


def test_ctrl_c_while_scoring_a_complete_run_does_not_call_its_evidence_incomplete(
    fake_installed, tmp_path, monkeypatch
):
    import advisor.runs

    monkeypatch.setattr(advisor.runs, "score", interrupt)
    out = tmp_path / "run"
    result = advise(out)
    assert f"advisor report {out}" in result.output
    assert "marked incomplete" not in result.output


def test_an_interrupted_add_to_says_the_folder_kept_its_results(quick_run, monkeypatch):
    import advisor.runs
    from probes.evidence import Evidence

    environment = advisor.runs.load_evidence(quick_run / "evidence.json").environment

    def interrupted_before_any_result(plan, progress=None, checkpoint=None):
        raise ProbesInterrupted(Evidence("now", environment, {}, (), complete=False), KeyboardInterrupt())

    monkeypatch.setattr(advisor.runs, "run_probes", interrupted_before_any_result)
    before = (quick_run / "evidence.json").read_bytes()
    result = runner.invoke(app, ["probe", "--budget", "quick", "--add-to", str(quick_run)])
    assert result.exit_code == 130, result.output
    assert (quick_run / "evidence.json").read_bytes() == before  # the library's part, already true
    assert "marked incomplete" not in result.output and "unchanged" in result.output


def test_two_runs_cannot_write_into_one_folder_at_once(fake_installed, tmp_path, monkeypatch):
    import subprocess
    import sys

    import advisor.runs
    from tests.conftest import ROOT, run_here_env

    out = tmp_path / "run"
    second: dict[str, subprocess.CompletedProcess] = {}

    def second_run_meanwhile(*args, **kwargs):
        command = [sys.executable, str(ROOT / "tests" / "support" / "cli_with_fake_worker.py"), "advise"]
        command += ["--no-input", "--budget", "tiny", "--out", str(out), "--force"]
        second["run"] = subprocess.run(command, capture_output=True, text=True, env=run_here_env(), timeout=120)
        raise KeyboardInterrupt

    monkeypatch.setattr(advisor.runs, "run_probes", second_run_meanwhile)
    advise(out)
    assert second["run"].returncode == 2, second["run"].stderr
    assert "another advisor run" in second["run"].stderr


def test_a_lock_left_by_a_killed_run_does_not_block_the_next(fake_installed, tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / ".advisor.lock").write_text("999999999\n")  # a process id no process has
    result = advise(out, "--force")
    assert result.exit_code == 0, result.output
    assert not (out / ".advisor.lock").exists()


def test_no_lock_is_left_behind_after_a_run(fake_installed, tmp_path):
    out = tmp_path / "run"
    assert advise(out).exit_code == 0
    assert not any(p.name.startswith(".") for p in out.iterdir())
    assert os.listdir(out)
