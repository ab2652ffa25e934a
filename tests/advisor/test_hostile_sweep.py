"""What a second hostile sweep found after issue 28's list (odd options, odd terminals, records edited by hand).

Each test failed before its fix.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from advisor.cli import app
from advisor.errors import RecordError
from advisor.runs import load_evidence
from probes.budgets import get_budget
from probes.evidence import Evidence, ProbeResult, added_to
from probes.plan import make_plan
from tests.conftest import FIXTURES, ROOT, run_here_env

runner = CliRunner()
FAKE_CLI = ROOT / "tests" / "support" / "cli_with_fake_worker.py"


def test_an_output_folder_name_too_long_for_the_disk_is_one_line(tmp_path):
    result = runner.invoke(app, ["advise", "--no-input", "--budget", "tiny", "--out", str(tmp_path / ("x" * 300))])
    assert result.exit_code == 2, result.output
    assert "cannot create the output folder" in result.output and "Traceback" not in result.output


def test_a_variant_named_twice_is_measured_once():
    plan = make_plan(get_budget("tiny"), variants=["torch", "torch", "keras-tensorflow"])
    assert plan.variants == ("torch", "keras-tensorflow")


def test_a_thread_count_far_beyond_the_machine_is_refused():
    with pytest.raises(ValueError, match="option --threads must be at most"):
        make_plan(get_budget("tiny"), threads=100_000)


def test_a_merged_run_lists_the_variants_of_both_runs():
    quick = Evidence.from_json(json.loads((FIXTURES / "run_quick" / "evidence.json").read_text()))
    more = Evidence(
        quick.created_at,
        quick.environment,
        {**quick.settings, "variants": ["tensorflow"], "kinds": ["export"]},
        (ProbeResult("tensorflow", "mlp", "export", "failed", "no exporter", case="saved_model"),),
    )
    assert added_to(quick, more).settings["variants"] == [*quick.settings["variants"], "tensorflow"]


def test_another_record_given_as_evidence_is_named_for_what_it_is(saved_run):
    from advisor.records.verdicts import VERDICTS_FORMAT

    assert runner.invoke(app, ["report", str(saved_run)]).exit_code == 0
    result = runner.invoke(app, ["claims", str(saved_run / "verdicts.json")])
    assert result.exit_code == 2
    assert f"a verdicts record ({VERDICTS_FORMAT}), not evidence" in result.output


def test_a_scorecard_edited_to_drop_the_smoke_test_caveat_is_scored_again(saved_run):
    data = json.loads((saved_run / "evidence.json").read_text())
    data["settings"]["budget"] = "tiny"
    (saved_run / "evidence.json").write_text(json.dumps(data))
    assert runner.invoke(app, ["report", str(saved_run)]).exit_code == 0
    card = json.loads((saved_run / "scorecard.json").read_text())
    assert "smoke_test" in [c["id"] for c in card["caveats"]]
    card["caveats"] = [c for c in card["caveats"] if c["id"] != "smoke_test"]
    (saved_run / "scorecard.json").write_text(json.dumps(card))
    result = runner.invoke(app, ["report", str(saved_run)])
    assert "scored again" in result.output and "Provisional" in result.output


def test_a_scorecard_whose_totals_are_not_its_weighted_scores_is_scored_again(saved_run):
    assert runner.invoke(app, ["report", str(saved_run)]).exit_code == 0
    card = json.loads((saved_run / "scorecard.json").read_text())
    last = card["ranking"][-1]
    for per in card["scores"].values():
        per[last]["score"] = min(10.0, per[last]["score"] + 0.5)  # in range, but the totals no longer follow
    (saved_run / "scorecard.json").write_text(json.dumps(card))
    result = runner.invoke(app, ["report", str(saved_run)])
    assert result.exit_code == 0 and f"totals.{last}" in result.output


def test_a_profile_saved_as_evidence_json_is_named_for_what_it_is(saved_run):
    (saved_run / "evidence.json").write_text((saved_run / "profile.json").read_text())
    with pytest.raises(RecordError, match="a profile record"):
        load_evidence(saved_run / "evidence.json")


def test_a_terminal_that_cannot_show_unicode_gets_the_summary_not_a_traceback(tmp_path):
    out = tmp_path / "run"
    completed = subprocess.run(
        [sys.executable, str(FAKE_CLI), "advise", "--no-input", "--budget", "tiny", "--out", str(out)],
        capture_output=True,
        env={**run_here_env(), "PYTHONIOENCODING": "latin-1"},
        cwd=ROOT,
        timeout=120,
    )
    assert b"Traceback" not in completed.stderr and b"UnicodeEncodeError" not in completed.stderr
    assert completed.returncode in (0, 3)


def test_closing_the_terminal_ends_the_run_as_sigterm_does(tmp_path):
    from tests.probes.test_runner import alive

    out, grandchild, log = tmp_path / "run", tmp_path / "grandchild.pid", tmp_path / "fake.log"
    env = {**run_here_env(), "FAKE_KERAS_TENSORFLOW": "hang", "FAKE_GRANDCHILD_PID": str(grandchild)}
    env["FAKE_LOG"] = str(log)
    process = subprocess.Popen(
        [sys.executable, str(FAKE_CLI), "advise", "--no-input", "--budget", "tiny", "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 60
    while not (grandchild.exists() and grandchild.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGHUP)
    _, stderr = process.communicate(timeout=60)
    time.sleep(0.2)
    hanging = [int(line.split()[1]) for line in log.read_text().splitlines() if line.startswith("keras-tensorflow")]
    survivors = [pid for pid in [int(grandchild.read_text()), *hanging] if alive(pid)]
    for pid in survivors:
        os.kill(pid, signal.SIGKILL)  # this test's own fake child and grandchild, by their ids
    assert not survivors, "a probe's child outlived the run"
    assert f"advisor report {out}" in stderr
    assert json.loads(Path(out / "evidence.json").read_text())["complete"] is False


def test_a_team_decision_is_never_written_into_a_run_folder(saved_run):
    before = {p.name: p.read_bytes() for p in saved_run.iterdir()}
    members = [str(p) for p in sorted((ROOT / "tests" / "teams").glob("*.yaml"))[:2]]
    result = runner.invoke(app, ["team", *members, "--out", str(saved_run), "--force"])
    assert result.exit_code == 2 and "holds a run (evidence.json)" in result.output
    assert {p.name: p.read_bytes() for p in saved_run.iterdir()} == before


def test_a_run_is_never_written_into_a_team_decisions_folder(fake_worker, tmp_path):
    members = [str(p) for p in sorted((ROOT / "tests" / "teams").glob("*.yaml"))[:2]]
    team = tmp_path / "team"
    assert runner.invoke(app, ["team", *members, "--out", str(team)]).exit_code == 0
    result = runner.invoke(app, ["probe", "--budget", "tiny", "--out", str(team), "--force"])
    assert result.exit_code == 2 and "holds a team decision (team.json)" in result.output
    assert (team / "decision.md").exists()


def test_an_impossible_date_in_an_answers_file_says_what_is_wrong(write_answers):
    from advisor.errors import AnswersError
    from advisor.questionnaire.questions import read_answers_file

    with pytest.raises(AnswersError, match=r"month must be in 1\.\.12"):
        read_answers_file(write_answers("goal: 2026-13-45\n"))


def _set(path: str, value):
    """An edit of the evidence's JSON: `path` is dotted (results.0.variant), the value put there."""

    def edit(data):
        *parents, last = path.split(".")
        for part in parents:
            data = data[int(part)] if part.isdigit() else data[part]
        data[int(last) if last.isdigit() else last] = value

    return edit


HAND_EDITS = {
    "an unknown variant": (_set("results.0.variant", "mxnet"), "results[0].variant"),
    "an unknown model": (_set("results.0.model", "alexnet"), "results[0].model"),
    "an unknown kind": (_set("results.0.kind", "speedy"), "results[0].kind"),
    "complete as text": (_set("complete", "no"), "complete"),
    "negative rounds": (_set("results.0.rounds_ok", -3), "results[0].rounds_ok"),
    "a negative process round": (_set("results.0.process_rounds", [-1]), "results[0].process_rounds[0]"),
    "a reason that is not text": (_set("results.0.reason", {"a": 1}), "results[0].reason"),
    "a figure beyond any measurement": (
        _set("results.0.samples.train_samples_per_s", [1e308]),
        "results[0].samples.train_samples_per_s[0]",
    ),
    "a figure that is a boolean": (
        _set("results.0.samples.train_samples_per_s", [True]),
        "results[0].samples.train_samples_per_s[0]",
    ),
    "created_at not text": (_set("created_at", {"x": 1}), "created_at"),
    "the models as one string": (_set("settings.models", "mlp"), "settings.models"),
    "the budget as a list": (_set("settings.budget", ["tiny"]), "settings.budget"),
    "the notes as one string": (_set("notes", "abc"), "notes"),
    "the GPUs as one string": (_set("environment.gpus", "lots"), "environment.gpus"),
    "a GPU without a name": (_set("environment.gpus", [{"memory": "8 GB"}]), "environment.gpus[0].name"),
    "the versions as a list": (_set("environment.versions", ["torch"]), "environment.versions"),
    "a negative matmul peak": (_set("environment.matmul_peak", {"gflops": -1}), "environment.matmul_peak.gflops"),
    "a share of others' CPU as text": (
        _set("environment.competition", {"others_share": "lots"}),
        "environment.competition.others_share",
    ),
    "a probe child that is text": (_set("environment.probe_children", {"torch": ["x"]}), "environment.probe_children"),
    "negative cores": (_set("environment.cores_usable", -2), "environment.cores_usable"),
    "a hostname that is not text": (_set("environment.hostname", {"a": 1}), "environment.hostname"),
}


@pytest.mark.parametrize("edit", HAND_EDITS)
def test_evidence_edited_by_hand_is_one_line_naming_the_field(saved_run, edit):
    change, field = HAND_EDITS[edit]
    data = json.loads((saved_run / "evidence.json").read_text())
    change(data)
    (saved_run / "evidence.json").write_text(json.dumps(data))
    result = runner.invoke(app, ["report", str(saved_run)])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and f"'{field}' must be" in lines[0], result.output


def test_a_working_result_given_twice_is_refused(saved_run):
    data = json.loads((saved_run / "evidence.json").read_text())
    assert data["results"][0]["status"] == "ok"
    data["results"].append(data["results"][0])
    (saved_run / "evidence.json").write_text(json.dumps(data))
    result = runner.invoke(app, ["report", str(saved_run)])
    assert result.exit_code == 2 and f"'results[{len(data['results']) - 1}]' must be a probe's only result" in (
        result.output
    )


def test_the_report_of_a_probe_only_folder_points_to_no_answers_file_it_lacks(tmp_path):
    folder = tmp_path / "probed"
    folder.mkdir()
    (folder / "evidence.json").write_text((FIXTURES / "run_quick" / "evidence.json").read_text())
    result = runner.invoke(app, ["report", str(folder)])
    assert result.exit_code == 0, result.output
    assert not (folder / "answers.yaml").exists()
    assert "answers.yaml" not in result.output


def test_a_team_record_never_reads_a_file_outside_its_folder(tmp_path):
    from advisor.teams import load_team_record

    members = [str(p) for p in sorted((ROOT / "tests" / "teams").glob("*.yaml"))[:2]]
    team = tmp_path / "team"
    evidence = FIXTURES / "run_quick" / "evidence.json"
    assert runner.invoke(app, ["team", *members, "--evidence", str(evidence), "--out", str(team)]).exit_code == 0
    record = json.loads((team / "team.json").read_text())
    record["files"]["machines"][0]["file"] = os.path.relpath(evidence, team)  # ../../.../run_quick/evidence.json
    (team / "team.json").write_text(json.dumps(record))
    with pytest.raises(RecordError, match="'files.machines' must name files machines/NAME.json"):
        load_team_record(team)


def test_a_name_cannot_reorder_the_text_around_it(write_answers):
    from advisor.questionnaire.questions import read_answers_file

    path = write_answers('name: "alice\\u202egnp.exe"\n')  # the right-to-left override of "Trojan source"
    assert read_answers_file(path) == {"name": "alicegnp.exe"}


@pytest.mark.parametrize(
    ("field", "value"), [("margin", "abc"), ("margin", -5), ("kept_first", "x"), ("label", None), ("near_tie", "no")]
)
def test_a_hand_edited_team_decision_is_refused_before_anything_is_measured(fake_worker, tmp_path, field, value):
    members = [str(p) for p in sorted((ROOT / "tests" / "teams").glob("*.yaml"))[:2]]
    team = tmp_path / "team"
    assert runner.invoke(app, ["team", *members, "--out", str(team)]).exit_code == 0
    record = json.loads((team / "team.json").read_text())
    record["decision"][field] = value
    (team / "team.json").write_text(json.dumps(record))
    out = tmp_path / "run"
    args = ["advise", "--no-input", "--budget", "tiny", "--team-decision", str(team), "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and f"'decision.{field}' must be" in result.output, result.output
    assert not out.exists() and not fake_worker.exists()


def _edit_verdicts(folder: Path, change) -> None:
    data = json.loads((folder / "verdicts.json").read_text())
    change(data["verdicts"])
    (folder / "verdicts.json").write_text(json.dumps(data))


def test_a_verdict_edited_after_scoring_is_checked_again_not_scored_from(saved_run):
    from advisor.runs import rerender

    checked = rerender(saved_run).verdicts.by_claim()
    literature_only = next(claim for claim, v in checked.items() if v.verdict == "literature_only")

    def confirm(verdicts):
        next(v for v in verdicts if v["claim"] == literature_only)["verdict"] = "confirmed"

    _edit_verdicts(saved_run, confirm)
    again = rerender(saved_run)
    assert again.verdicts.by_claim()[literature_only].verdict == "literature_only"
    assert any(note.startswith("verdicts.json:") for note in again.remade)


def test_verdicts_naming_a_claim_the_ledger_lacks_are_checked_again(saved_run):
    from advisor.runs import rerender

    rerender(saved_run)
    (saved_run / "scorecard.json").unlink()

    def rename(verdicts):
        verdicts[0]["claim"] = "no-such-claim"

    _edit_verdicts(saved_run, rename)
    again = rerender(saved_run)
    assert "no-such-claim" not in again.verdicts.by_claim()
    assert any(note.startswith("verdicts.json:") for note in again.remade)


def test_an_empty_compare_out_is_one_line(saved_run):
    result = runner.invoke(app, ["compare", str(saved_run), str(saved_run), "--out", ""])
    assert result.exit_code == 2, result.output
    assert "option --out must name an .html file" in result.output


def test_ctrl_c_while_a_team_decision_is_written_leaves_no_half_made_folder(tmp_path, monkeypatch):
    import advisor.teams

    written = []

    def interrupted_at_the_third_file(path, text):
        written.append(path)
        if len(written) == 3:
            raise KeyboardInterrupt
        real_write(path, text)

    real_write = advisor.teams.write_text_atomic
    monkeypatch.setattr(advisor.teams, "write_text_atomic", interrupted_at_the_third_file)
    members = [str(p) for p in sorted((ROOT / "tests" / "teams").glob("*.yaml"))[:2]]
    team = tmp_path / "team"
    result = runner.invoke(app, ["team", *members, "--out", str(team)])
    assert result.exit_code == 130 and "nothing was written" in result.output
    assert not team.exists()


def test_a_team_decision_is_not_written_into_a_folder_another_run_is_writing(tmp_path):
    from advisor.errors import OutputError
    from advisor.scoring.team import decide
    from advisor.team_inputs import load_team
    from advisor.teams import write_team_folder

    members, machines = load_team(sorted((ROOT / "tests" / "teams").glob("*.yaml"))[:2])
    team = tmp_path / "team"
    team.mkdir()
    (team / ".advisor.lock").write_text("1\n")  # held by process 1, which is alive: another run writes here
    with pytest.raises(OutputError, match="another advisor run"):
        write_team_folder(decide(members, machines), team, force=True)
    assert [p.name for p in team.iterdir()] == [".advisor.lock"]


def interrupted_at_the_second_write(monkeypatch):
    """advisor.teams writes its files one by one: Ctrl-C as the second begins (a page, after its data)."""
    import advisor.teams

    real_write, written = advisor.teams.write_text_atomic, []

    def write(path, text):
        written.append(path)
        if len(written) == 2:
            raise KeyboardInterrupt
        real_write(path, text)

    monkeypatch.setattr(advisor.teams, "write_text_atomic", write)


def test_ctrl_c_while_a_comparison_is_written_leaves_neither_file(saved_run, tmp_path, monkeypatch):
    interrupted_at_the_second_write(monkeypatch)
    out = tmp_path / "machines.html"
    result = runner.invoke(app, ["compare", str(saved_run), str(saved_run), "--out", str(out)])
    assert result.exit_code == 130 and "nothing was written" in result.output
    assert not out.exists() and not out.with_suffix(".json").exists()


@pytest.fixture
def team_folder(tmp_path) -> Path:
    members = [str(p) for p in sorted((ROOT / "tests" / "teams").glob("*.yaml"))[:2]]
    team = tmp_path / "team"
    assert runner.invoke(app, ["team", *members, "--out", str(team)]).exit_code == 0
    return team


def test_ctrl_c_while_the_onboarding_page_is_written_keeps_the_run_and_says_so(
    fake_worker, team_folder, tmp_path, monkeypatch
):
    interrupted_at_the_second_write(monkeypatch)
    out = tmp_path / "run"
    args = ["advise", "--no-input", "--budget", "tiny", "--team-decision", str(team_folder), "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 130
    assert "nothing was written" not in result.output and f"advisor report {out}" in result.output
    assert (out / "report.html").exists() and not (out / "onboarding.json").exists()


def test_an_endless_child_timeout_is_refused_before_anything_is_written(fake_worker, tmp_path):
    out = tmp_path / "run"
    result = runner.invoke(
        app, ["advise", "--no-input", "--budget", "tiny", "--child-timeout", "inf", "--out", str(out)]
    )
    assert result.exit_code == 2 and "--child-timeout" in result.output, result.output
    assert not out.exists() and not fake_worker.exists()


def test_adding_to_a_runs_evidence_file_names_the_run_folder(fake_worker, monkeypatch, tmp_path):
    import probes.runner

    monkeypatch.setattr(probes.runner, "missing_requirement", lambda v: None)
    folder = tmp_path / "run"
    assert runner.invoke(app, ["probe", "--budget", "tiny", "--out", str(folder)]).exit_code == 0
    result = runner.invoke(app, ["probe", "--budget", "tiny", "--add-to", str(folder / "evidence.json")])
    assert result.exit_code == 0, result.output
    assert f"advisor report {folder}\n" in result.output and "evidence.json/evidence.json" not in result.output


def test_an_answers_file_edited_in_the_run_folder_is_noted_not_silently_ignored(saved_run):
    from advisor.runs import rerender

    answers = saved_run / "answers.yaml"
    answers.write_text(answers.read_text().replace("goal: learn", "goal: research"))
    assert "goal: research" in answers.read_text()
    notes = rerender(saved_run).remade
    assert any(note.startswith("answers.yaml:") and "--answers" in note for note in notes), notes
