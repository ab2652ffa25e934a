"""Faults found when the tool was tried as a new user would (issue 14), one test or more per fault.

Each test failed before its fix. The pseudo-terminal session (numbered choices, ?, the recap, a
markup-like answer, Ctrl-C) lives in tests/advisor/test_interruption.py beside the other terminal tests.
"""

from __future__ import annotations

import io
import json
import os
import shutil
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from advisor.cli import EXIT_NOTHING_MEASURED, app
from advisor.errors import AnswersError, RecordError
from advisor.questionnaire.interview import Interviewer
from advisor.questionnaire.questions import read_answers_file
from advisor.records.answers import questions_by_key
from tests.conftest import FIXTURES

runner = CliRunner()
QUICK = FIXTURES / "run_quick"


@pytest.fixture
def fake_installed(fake_worker, monkeypatch):
    import probes.runner

    monkeypatch.setattr(probes.runner, "missing_requirement", lambda v: None)
    return fake_worker


def interview(typed: list[str]) -> tuple[Interviewer, io.StringIO]:
    """An interviewer whose user types `typed`, one line per prompt, onto a real Rich console."""
    screen = io.StringIO()
    interviewer = Interviewer(Console(file=screen, width=200, force_terminal=True))
    answers = iter(typed)
    interviewer._input = lambda prompt: next(answers)
    return interviewer, screen


# 1. A typed answer is text, never Rich markup


@pytest.mark.parametrize("typed", ["[/x]", "[bold]pytorch[/]", "[link=http://x]a[/link]"])
def test_markup_typed_at_the_frameworks_question_is_refused_as_text_and_asked_again(typed):
    interviewer, screen = interview([typed, "pytorch"])
    assert interviewer.ask(questions_by_key()["known_frameworks"]) == ["pytorch"]
    assert typed in screen.getvalue()  # the message quotes what was typed, literally


def test_markup_typed_as_the_project_name_is_kept_and_shown_literally():
    interviewer, screen = interview(["[red]x[/y]"])
    assert interviewer.ask(questions_by_key()["project_name"]) == "[red]x[/y]"


# 2. The output folder is checked before the first question; typed answers survive a failed run


def test_an_existing_out_folder_is_refused_before_any_question(tmp_path, monkeypatch):
    import advisor.questionnaire.interview as interview_module

    out = tmp_path / "taken"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    monkeypatch.setattr(interview_module, "can_prompt", lambda: True)
    asked = []
    monkeypatch.setattr(Interviewer, "ask", lambda self, q, current=None: asked.append(q.key))
    result = runner.invoke(app, ["advise", "--budget", "tiny", "--out", str(out)])
    assert result.exit_code == 2 and "--force" in result.output
    assert asked == []


def test_answers_typed_before_a_failed_run_are_saved_where_the_message_says(tmp_path, monkeypatch):
    import dataclasses

    from advisor.cli.advise import with_answers_kept as _with_answers_kept
    from advisor.errors import OutputError
    from advisor.questionnaire.questions import collect_answers

    monkeypatch.chdir(tmp_path)
    given = collect_answers(file_values={"goal": "research", "python_experience": "expert"}, use_defaults=True)
    typed = dataclasses.replace(given, origins={**given.origins, "goal": "prompt", "python_experience": "prompt"})
    error = _with_answers_kept(OutputError("disk full"), typed, tmp_path / "never made")
    kept = Path(str(error).split("kept in ")[1].split(";")[0])
    assert kept.parent == tmp_path and "advisor advise --answers" in str(error)
    assert read_answers_file(kept) == typed.values
    assert typed.values["goal"] == "research" and typed.values["python_experience"] == "expert"
    assert error.exit_code == OutputError("x").exit_code


# 3. Scoring someone else's answers never overwrites the owner's (tests/advisor/test_cli.py holds the CLI side)


def test_rescoring_into_a_new_folder_leaves_the_source_run_byte_for_byte(tmp_path):
    from advisor.questionnaire.questions import collect_answers
    from advisor.runs import rescore_into

    source = tmp_path / "owner"
    shutil.copytree(QUICK, source)
    before = {p.name: p.read_bytes() for p in source.iterdir()}
    answers = collect_answers(flag_values={"goal": "research"}, use_defaults=True)
    rescore_into(source, answers, tmp_path / "theirs")
    assert {p.name: p.read_bytes() for p in source.iterdir()} == before
    assert (tmp_path / "theirs" / "report.html").exists()


# 4. Control characters from a shared file never reach the terminal


ESCAPES = "\x1b]0;owned\x07\x1b[31mred\x1b[0m\x9b2J"


def hostile_evidence(tmp_path: Path) -> Path:
    record = json.loads((QUICK / "evidence.json").read_text())
    record["environment"]["hostname"] = "box" + ESCAPES
    record["environment"]["cpu_model"] = "cpu\x07\x08"
    path = tmp_path / "evidence.json"
    path.write_text(json.dumps(record))
    return path


def test_compare_strips_escape_and_window_title_sequences_from_a_shared_evidence_file(tmp_path):
    result = runner.invoke(app, ["compare", str(QUICK / "evidence.json"), str(hostile_evidence(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output and "\x9b" not in result.output
    assert "box]0;owned" in result.output.replace("\n", "")  # the text stays, without its control bytes


def test_every_string_read_from_a_file_loses_its_control_characters_but_keeps_tabs_and_newlines(tmp_path):
    from advisor.fileio import read_json

    path = tmp_path / "r.json"
    path.write_text(json.dumps({"a": ["x\x1b[2Jy", {"k\x07": "t\tn\n"}]}))
    assert read_json(path, "record") == {"a": ["x[2Jy", {"k": "t\tn\n"}]}


def test_answers_from_a_file_lose_their_control_characters(write_answers):
    path = write_answers('project_name: "demo\\e]0;title\\a"\n')
    assert read_answers_file(path) == {"project_name": "demo]0;title"}


# 5. A full disk after measuring loses one probe at most


def test_evidence_is_written_after_every_probe_so_a_later_failure_keeps_what_was_measured(fake_installed, tmp_path):
    import advisor.runs

    out = tmp_path / "run"
    seen = []
    real = advisor.runs.write_json_atomic

    def full_after_first(path, data):
        if path.name == "evidence.json":
            seen.append(sum(1 for r in data["results"] if r["status"] == "ok"))
            if len(seen) > 1:
                raise advisor.runs.OutputError(f"{path}: cannot write (No space left on device)")
        real(path, data)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(advisor.runs, "write_json_atomic", full_after_first)
        result = runner.invoke(app, ["probe", "--budget", "tiny", "--out", str(out)])
    assert result.exit_code == 2
    assert "No space left on device" in result.output
    assert f"advisor report {out}" in result.output.replace("\n", "")
    kept = json.loads((out / "evidence.json").read_text())
    assert kept["complete"] is False and any(r["status"] == "ok" for r in kept["results"])


def test_a_disk_without_room_is_refused_before_measuring(fake_installed, tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "disk_usage", lambda path: shutil._ntuple_diskusage(10**9, 10**9 - 1000, 1000))
    result = runner.invoke(app, ["probe", "--budget", "tiny", "--out", str(tmp_path / "run")])
    assert result.exit_code == 2
    assert "MB free on this disk" in result.output
    assert not fake_installed.exists()  # no probe child started


# 6. Headlines that say when the evidence is incomplete or a smoke test; nothing measured exits non-zero


def interrupted_everywhere(tmp_path: Path) -> Path:
    folder = tmp_path / "interrupted"
    shutil.copytree(QUICK, folder)
    record = json.loads((folder / "evidence.json").read_text())
    record["complete"] = False
    for result in record["results"]:
        result["status"], result["reason"] = "interrupted", "Ctrl-C"
    (folder / "evidence.json").write_text(json.dumps(record))
    for stale in ("verdicts.json", "scorecard.json", "report.html"):
        (folder / stale).unlink(missing_ok=True)
    return folder


def test_a_run_where_every_probe_was_interrupted_does_not_recommend_and_exits_non_zero(tmp_path):
    folder = interrupted_everywhere(tmp_path)
    result = runner.invoke(app, ["report", str(folder)])
    assert result.exit_code == EXIT_NOTHING_MEASURED, result.output
    assert "Recommendation" not in result.output and "Provisional" in result.output
    assert "nothing was measured" in result.output.lower()
    page = (folder / "report.html").read_text()
    assert 'class="decision provisional"' in page and "Provisionally" in page


def test_probe_that_measured_nothing_exits_non_zero(fake_worker, tmp_path, monkeypatch):
    import probes.runner

    monkeypatch.setattr(probes.runner, "missing_requirement", lambda v: "not installed here")
    result = runner.invoke(app, ["probe", "--budget", "tiny", "--out", str(tmp_path / "run")])
    assert result.exit_code == EXIT_NOTHING_MEASURED, result.output


def test_a_tiny_run_reads_as_a_smoke_test_on_the_terminal_and_the_first_screen(fake_installed, tmp_path):
    out = tmp_path / "run"
    result = runner.invoke(app, ["advise", "--no-input", "--budget", "tiny", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "\nProvisional: " in result.output and "Recommendation" not in result.output
    assert "smoke test" in result.output
    decision = (out / "report.html").read_text().split('class="decision')[1].split("</section>")[0]
    assert "Provisionally" in decision and "smoke test" in decision


def test_a_framework_that_could_not_be_measured_is_named_on_the_first_screen(fake_worker, monkeypatch, tmp_path):
    import probes.runner

    monkeypatch.setattr(
        probes.runner, "missing_requirement", lambda v: "torch is not installed" if v.id == "torch" else None
    )
    out = tmp_path / "run"
    result = runner.invoke(app, ["advise", "--no-input", "--budget", "tiny", "--out", str(out)])
    assert result.exit_code == 0, result.output
    scorecard = json.loads((out / "scorecard.json").read_text())
    assert "not_measured:torch" in [c["id"] for c in scorecard["caveats"]]
    assert "PyTorch was not measured" in (out / "report.html").read_text()


# 7. Small ones


def test_a_folder_given_as_the_answers_file_says_so_in_plain_words(tmp_path):
    with pytest.raises(AnswersError) as raised:
        read_answers_file(tmp_path)
    assert "is a folder or device; expected the answers file itself" in str(raised.value)
    assert "file file" not in str(raised.value)


def test_report_accepts_the_evidence_file_of_a_run_folder(tmp_path):
    folder = tmp_path / "run"
    shutil.copytree(QUICK, folder)
    result = runner.invoke(app, ["report", str(folder / "evidence.json")])
    assert result.exit_code == 0, result.output
    assert (folder / "report.html").exists()


def test_no_raw_status_token_reaches_the_report_text(tmp_path):
    record = json.loads((QUICK / "evidence.json").read_text())
    record["results"][0]["status"], record["results"][0]["reason"] = "not_installed", "tensorflow is not installed"
    folder = tmp_path / "run"
    shutil.copytree(QUICK, folder)
    (folder / "evidence.json").write_text(json.dumps(record))
    runner.invoke(app, ["report", str(folder)])
    import re

    page = re.sub(r"<script.*?</script>", " ", (folder / "report.html").read_text(), flags=re.S)
    visible = re.sub(r"<[^>]+>", " ", page.split("<body")[1])
    assert not re.search(r"\b(not_installed|timed_out|not_supported)\b", visible)


@pytest.mark.parametrize(
    ("text", "name", "line"), [("goal: learn\npython: some\ngoal: research\n", "answers.yaml", "line 3")]
)
def test_a_key_given_twice_in_an_answers_file_is_refused_naming_it(write_answers, text, name, line):
    with pytest.raises(AnswersError) as raised:
        read_answers_file(write_answers(text, name))
    assert "goal" in str(raised.value) and line in str(raised.value)


def test_a_key_given_twice_in_a_json_record_is_refused_naming_it(tmp_path):
    from advisor.runs import load_evidence

    path = tmp_path / "evidence.json"
    path.write_text('{"complete": true, "results": [], "complete": false}')
    with pytest.raises(RecordError) as raised:
        load_evidence(path)
    assert "complete" in str(raised.value) and "twice" in str(raised.value)


def test_choices_take_their_number_or_their_name_in_any_case():
    from advisor.questionnaire.interview import choice_for

    python = questions_by_key()["python_experience"]
    assert [choice_for(python, typed) for typed in ("1", " 3 ", "Expert", "SOME", "4", "guru")] == [
        "none",
        "expert",
        "expert",
        "some",
        None,
        None,
    ]


def test_the_priority_question_lets_nothing_matter_most():
    assert "none" in questions_by_key()["priority"].choices


def test_open_without_a_display_says_so_and_still_succeeds(tmp_path, monkeypatch):
    folder = tmp_path / "run"
    shutil.copytree(QUICK, folder)
    for name in ("DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    result = runner.invoke(app, ["report", str(folder), "--open"])
    assert result.exit_code == 0, result.output
    assert "no display" in result.output.lower()
    assert os.environ.get("DISPLAY") is None
