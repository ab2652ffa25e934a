"""Every file is bounded before it is walked, every number range-checked, every name unique (issue 28).

Each test failed before its fix: a hand-edited or hostile file ends as one line naming the file and
the field, never a hang, a traceback or a figure that cannot be true.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

from advisor.cli import app
from advisor.errors import AdvisorError, AnswersError, RecordError
from advisor.fileio import read_json
from advisor.questionnaire.questions import collect_answers, read_answers_file
from advisor.team_inputs import load_machines, load_team
from probes.evidence import Evidence
from tests.conftest import FIXTURES, ROOT, run_here_env

runner = CliRunner()
TEAM = sorted((ROOT / "tests" / "teams").glob("*.yaml"))


@contextmanager
def deadline(seconds: int):
    """Fail, instead of hanging the suite, when the body takes longer than `seconds`."""

    def expired(signum, frame):
        raise TimeoutError(f"took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def one_clear_line(result) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    return lines[0]


# 8. YAML aliases


def alias_bomb(levels: int = 9, fan_out: int = 9) -> str:
    """The billion laughs: each level a list of `fan_out` aliases of the level before."""
    text = "a: &a [" + ",".join(['"lol"'] * fan_out) + "]\n"
    for i in range(1, levels):
        name, previous = chr(ord("a") + i), chr(ord("a") + i - 1)
        text += f"{name}: &{name} [" + ",".join([f"*{previous}"] * fan_out) + "]\n"
    return text + f"project_name: *{chr(ord('a') + levels - 1)}\n"


def test_a_yaml_alias_bomb_is_refused_in_milliseconds_naming_the_file(write_answers):
    path = write_answers(alias_bomb())
    assert len(path.read_bytes()) < 500
    started = time.perf_counter()
    with deadline(10), pytest.raises(AnswersError) as refused:
        read_answers_file(path)
    assert time.perf_counter() - started < 0.5
    message = str(refused.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    assert "alias" in message.removeprefix(f"{path}: ")


def test_a_yaml_alias_that_contains_itself_is_refused(write_answers):
    path = write_answers("a: &a [*a]\nproject_name: x\n")
    with deadline(10), pytest.raises(AnswersError) as refused:
        read_answers_file(path)
    assert "itself" in str(refused.value).removeprefix(f"{path}: ")


def test_a_few_yaml_aliases_are_still_read(write_answers):
    path = write_answers("frameworks_known: &known [pytorch]\nframeworks_required: *known\n")
    assert read_answers_file(path)["frameworks_required"] == ["pytorch"]


def test_a_team_member_file_that_is_an_alias_bomb_is_one_line(tmp_path):
    bomb = tmp_path / "mallory.yaml"
    bomb.write_text(alias_bomb())
    with deadline(10), pytest.raises(AdvisorError) as refused:
        load_team([TEAM[0], bomb])
    assert str(refused.value).startswith(f"{bomb}: answers file expands to more than")
    assert "\n" not in str(refused.value)


def test_a_yaml_file_of_too_many_values_is_refused(write_answers):
    path = write_answers("frameworks_known: [" + ",".join(["pytorch"] * 20000) + "]\n")
    with pytest.raises(AnswersError) as refused:
        read_answers_file(path)
    assert "values" in str(refused.value).removeprefix(f"{path}: ")


# 9. NaN and Infinity in records


def edit_evidence(folder: Path, change) -> None:
    data = json.loads((folder / "evidence.json").read_text())
    change(data)
    (folder / "evidence.json").write_text(json.dumps(data))  # json writes NaN and Infinity unless told not to


@pytest.mark.parametrize("command", [["report"], ["claims"]])
def test_nan_in_evidence_is_one_line_naming_the_file_and_field(saved_run, command):
    edit_evidence(saved_run, lambda data: data.update(wall_s=float("nan")))
    line = one_clear_line(runner.invoke(app, [*command, str(saved_run)]))
    assert "evidence.json" in line and "wall_s" in line


def test_infinity_in_a_sample_is_one_line_naming_the_file_and_field(saved_run):
    def change(data):
        data["results"][0]["samples"]["train_samples_per_s"][0] = float("inf")

    edit_evidence(saved_run, change)
    line = one_clear_line(runner.invoke(app, ["report", str(saved_run)]))
    assert "evidence.json" in line and "results[0].samples.train_samples_per_s" in line


def test_nan_anywhere_in_a_record_names_its_path(tmp_path):
    path = tmp_path / "verdicts.json"
    path.write_text('{"format": "x", "verdicts": [{"figures": {"ratio": NaN}}]}')
    with pytest.raises(RecordError, match=r"verdicts\.json.*verdicts\[0\]\.figures\.ratio"):
        read_json(path, "verdicts")


@pytest.mark.parametrize("value", [-5.0, 0.0])
def test_a_throughput_that_is_not_above_zero_is_refused_naming_the_field(saved_run, value):
    def change(data):
        data["results"][0]["samples"]["train_samples_per_s"] = [value, 100.0]

    edit_evidence(saved_run, change)
    line = one_clear_line(runner.invoke(app, ["report", str(saved_run)]))
    assert "evidence.json" in line and "train_samples_per_s" in line


def test_a_negative_time_is_refused_naming_the_field():
    data = json.loads((FIXTURES / "run_quick" / "evidence.json").read_text())
    data["results"][0]["samples"]["first_step_s"] = [-1.0]
    with pytest.raises(ValueError, match="first_step_s"):
        Evidence.from_json(data, "evidence.json")


# 13. a tampered scorecard


@pytest.fixture
def scored_run(saved_run) -> Path:
    assert runner.invoke(app, ["report", str(saved_run)]).exit_code == 0
    return saved_run


def edit_scorecard(folder: Path, change) -> None:
    data = json.loads((folder / "scorecard.json").read_text())
    change(data)
    (folder / "scorecard.json").write_text(json.dumps(data))


def test_a_scorecard_ranking_an_unknown_variant_is_scored_again(scored_run):
    edit_scorecard(scored_run, lambda data: data.update(ranking=["mxnet", *data["ranking"][1:]]))
    result = runner.invoke(app, ["report", str(scored_run)])
    assert result.exit_code == 0, result.output
    assert "scorecard.json" in result.output and "ranking" in result.output
    assert "mxnet" not in json.loads((scored_run / "scorecard.json").read_text())["ranking"]


def test_a_forged_negative_margin_is_scored_again_not_shown(scored_run):
    edit_scorecard(scored_run, lambda data: data.update(margin=-5.0))
    result = runner.invoke(app, ["report", str(scored_run)])
    assert result.exit_code == 0, result.output
    assert "-5.00" not in result.output and "margin" in result.output
    assert "-5.00" not in (scored_run / "report.html").read_text()


def test_a_forged_score_above_ten_is_scored_again(scored_run):
    def change(data):
        criterion = next(iter(data["scores"]))
        candidate = next(iter(data["scores"][criterion]))
        data["scores"][criterion][candidate]["score"] = 99.0

    edit_scorecard(scored_run, change)
    result = runner.invoke(app, ["report", str(scored_run)])
    assert result.exit_code == 0 and "scorecard.json" in result.output


# 16. yes and no in YAML


@pytest.mark.parametrize(("written", "read"), [("yes", "yes"), ("no", "no"), ("on", "yes"), ("true", "yes")])
def test_yaml_yes_and_no_answer_a_yes_no_question(write_answers, written, read):
    values = read_answers_file(write_answers(f"untrusted_models: {written}\n"))
    assert collect_answers(file_values=values, use_defaults=True).untrusted_models == read


def test_yaml_yes_still_does_not_answer_a_question_of_other_choices(write_answers):
    values = read_answers_file(write_answers("goal: yes\n"))
    with pytest.raises(AnswersError, match="'goal' must be one of"):
        collect_answers(file_values=values, use_defaults=True)


# 5. and 10. names and labels made unique


def test_duplicate_member_names_are_made_unique_without_colliding_with_a_real_name(tmp_path):
    files = []
    for stem, name in (("alice", "alice"), ("alice2", "alice"), ("alice3", "alice (1)")):
        files.append(tmp_path / f"{stem}.yaml")
        files[-1].write_text(f"name: {name!r}\n")
    members, _ = load_team(files)
    names = [m.name for m in members]
    assert len(set(names)) == 3 and "alice (1)" in names


def test_every_member_of_a_team_with_colliding_names_keeps_a_file(tmp_path):
    files = []
    for stem, name in (("alice", "alice"), ("alice2", "alice"), ("alice3", "alice (1)")):
        files.append(tmp_path / f"{stem}.yaml")
        files[-1].write_text(f"name: {name!r}\n")
    result = runner.invoke(app, ["team", *map(str, files), "--out", str(tmp_path / "team")])
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "team" / "members").iterdir())) == 3


def test_duplicate_labels_are_made_unique_without_colliding_with_a_given_label(tmp_path):
    paths = []
    for i in range(3):
        paths.append(tmp_path / f"m{i}.json")
        shutil.copy(FIXTURES / "machine_b" / "evidence.json", paths[-1])
    machines = load_machines(paths, ["x", "x", "x #1"])
    labels = [m.label for m in machines]
    assert len(set(labels)) == 3 and "x #1" in labels


def test_compare_with_colliding_labels_is_shown(tmp_path):
    paths = []
    for i in range(3):
        paths.append(tmp_path / f"m{i}.json")
        shutil.copy(FIXTURES / "machine_b" / "evidence.json", paths[-1])
    args = ["compare", *map(str, paths), "--label", "x", "--label", "x", "--label", "x #1"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output


# 11. the current folder as the run


def test_report_of_the_current_folder_with_other_answers_writes_beside_it(saved_run, write_answers, monkeypatch):
    answers = write_answers("goal: research\n", "carol.yaml")
    monkeypatch.chdir(saved_run)
    result = runner.invoke(app, ["report", ".", "--answers", str(answers)])
    assert result.exit_code == 0, result.output
    assert (saved_run.parent / f"{saved_run.name}-carol" / "report.html").exists()


# 12. stdin closed


def test_advise_with_stdin_closed_takes_the_defaults(tmp_path):
    out = tmp_path / "run"
    completed = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "support" / "cli_with_fake_worker.py")]
        + ["advise", "--budget", "tiny", "--out", str(out)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=run_here_env(),
        cwd=ROOT,
        timeout=120,
        preexec_fn=lambda: os.close(0),
    )
    assert "Traceback" not in completed.stderr, completed.stderr
    assert completed.returncode in (0, 3), completed.stderr
    assert (out / "report.html").exists()


# 15. (fixed on main by the typed answers: Answers.from_json keeps the saved origins)


def test_an_untouched_fresh_run_is_not_scored_again(fake_worker, monkeypatch, tmp_path):
    import probes.runner

    monkeypatch.setattr(probes.runner, "missing_requirement", lambda v: None)
    out = tmp_path / "run"
    assert runner.invoke(app, ["advise", "--no-input", "--budget", "tiny", "--out", str(out)]).exit_code == 0
    result = runner.invoke(app, ["report", str(out)])
    assert "scored again" not in result.output
