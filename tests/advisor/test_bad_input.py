"""Bad answers and bad files: one clear line naming the file and field, exit 2, nothing written.

The loader is fuzzed with hypothesis; every command that reads a file is handed corrupt, truncated,
empty, binary, oversized and future-version files.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from advisor.cli import app
from advisor.errors import AnswersError
from advisor.questionnaire.questions import collect_answers, read_answers_file
from advisor.records.answers import load_questions

runner = CliRunner()
KEYS = [q.key for q in load_questions()]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=300),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=20), children, max_size=5),
    max_leaves=30,
)
answer_mappings = st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=30), json_values, max_size=8)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mapping=answer_mappings)
def test_any_mapping_gives_answers_or_a_clear_error(mapping):
    try:
        answers = collect_answers(file_values=mapping, file_origin="fuzz.yaml", use_defaults=True)
    except AnswersError as error:
        message = str(error)
        assert message.startswith("fuzz.yaml: ") and "\n" not in message
    else:
        assert set(answers.values) == set(KEYS)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.binary(max_size=2000) | st.text(max_size=2000).map(str.encode))
def test_any_bytes_as_an_answers_file_give_a_mapping_or_a_clear_error(tmp_path_factory, content):
    path = tmp_path_factory.mktemp("fuzz") / "answers.yaml"
    path.write_bytes(content)
    try:
        data = read_answers_file(path)
    except AnswersError as error:
        assert str(error).startswith(f"{path}: ") and "\n" not in str(error)
    else:
        assert isinstance(data, dict)


def test_deeply_nested_values_are_refused_not_crashed_on(write_answers):
    deep = "goal: " + "[" * 5000 + "]" * 5000 + "\n"
    with pytest.raises(AnswersError):
        collect_answers(file_values=read_answers_file(write_answers(deep)), use_defaults=True)
    deep_json = '{"goal": ' + "[" * 100000 + "]" * 100000 + "}"
    with pytest.raises(AnswersError, match="nested too deeply|not valid JSON"):
        read_answers_file(write_answers(deep_json, "deep.json"))


def test_a_huge_string_is_refused_by_size(write_answers):
    with pytest.raises(AnswersError, match="at most 1 MB"):
        read_answers_file(write_answers("project_name: " + "x" * 2_000_000))


def test_a_yaml_billion_laughs_is_refused(write_answers):
    bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for level in "bcdefgh":
        previous = chr(ord(level) - 1)
        bomb += f"{level}: &{level} [*{previous},*{previous},*{previous},*{previous},*{previous},*{previous}]\n"
    bomb += "project_name: *h\n"
    with pytest.raises(AnswersError):
        collect_answers(file_values=read_answers_file(write_answers(bomb)), use_defaults=True)


# --- every command, every kind of bad file

BAD_FILES = {
    "corrupt": b'{"format": "advisor-evidence/1", "results": [',
    "truncated": b'{"format": "advisor-evidence/1", "created_at": "2026-11-23", "envir',
    "empty": b"",
    "binary": bytes(range(256)) * 4,
    "not an object": b"[1, 2, 3]",
}


def one_clear_line(result) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    return lines[0]


@pytest.mark.parametrize("kind", BAD_FILES)
def test_report_refuses_a_bad_evidence_file_and_writes_nothing(saved_run, kind):
    (saved_run / "evidence.json").write_bytes(BAD_FILES[kind])
    (saved_run / "report.html").unlink(missing_ok=True)
    line = one_clear_line(runner.invoke(app, ["report", str(saved_run)]))
    assert "evidence.json" in line
    assert not (saved_run / "report.html").exists()


@pytest.mark.parametrize("kind", BAD_FILES)
def test_report_refuses_a_bad_profile_file(saved_run, kind):
    (saved_run / "profile.json").write_bytes(BAD_FILES[kind])
    line = one_clear_line(runner.invoke(app, ["report", str(saved_run)]))
    assert "profile.json" in line


def test_an_oversized_evidence_file_is_refused_before_reading(saved_run):
    with open(saved_run / "evidence.json", "wb") as handle:
        handle.truncate(65 * 1024 * 1024)  # sparse: no real disk used
    line = one_clear_line(runner.invoke(app, ["report", str(saved_run)]))
    assert "more than any record we write" in line


def test_evidence_from_a_future_version_is_refused_by_name(saved_run):
    data = json.loads((saved_run / "evidence.json").read_text())
    data["format"] = "advisor-evidence/99"
    (saved_run / "evidence.json").write_text(json.dumps(data))
    line = one_clear_line(runner.invoke(app, ["report", str(saved_run)]))
    assert "'format' must be one of advisor-evidence/1, advisor-evidence/2" in line and "advisor-evidence/99" in line


def test_a_profile_from_a_future_version_is_refused_by_name(saved_run):
    data = json.loads((saved_run / "profile.json").read_text())
    data["format"] = "advisor-profile/7"
    (saved_run / "profile.json").write_text(json.dumps(data))
    line = one_clear_line(runner.invoke(app, ["report", str(saved_run)]))
    assert "profile.json" in line and "advisor-profile/7" in line


def test_a_profile_with_a_tampered_answer_names_the_field(saved_run):
    data = json.loads((saved_run / "profile.json").read_text())
    data["answers"]["values"]["goal"] = "<script>"
    (saved_run / "profile.json").write_text(json.dumps(data))
    line = one_clear_line(runner.invoke(app, ["report", str(saved_run)]))
    assert "'goal' must be one of" in line


@pytest.mark.parametrize(
    "content",
    [b"", b"goal: [unclosed", b"\x00\x01binary", b"- a\n- list\n", "goal: ünïcødé ✓\n".encode(), b"goal: no\n"],
)
@pytest.mark.parametrize("command", [["advise", "--no-input"], ["report", "SAVED", "--answers"]])
def test_every_command_taking_answers_refuses_a_bad_file(saved_run, tmp_path, command, content):
    answers = tmp_path / "answers.yaml"
    answers.write_bytes(content)
    out = tmp_path / "out"
    args = [str(saved_run) if part == "SAVED" else part for part in command]
    args += [str(answers)] if args[-1] == "--answers" else ["--answers", str(answers), "--out", str(out)]
    before = sorted(p.name for p in saved_run.iterdir())
    line = one_clear_line(runner.invoke(app, args))
    assert str(answers) in line
    assert not out.exists()
    assert sorted(p.name for p in saved_run.iterdir()) == before


def test_an_answers_file_that_is_a_folder_is_refused(tmp_path):
    line = one_clear_line(runner.invoke(app, ["advise", "--answers", str(tmp_path), "--out", str(tmp_path / "x")]))
    assert str(tmp_path) in line


def test_a_report_folder_with_no_evidence_says_so(tmp_path):
    folder = tmp_path / "empty run"
    folder.mkdir()
    line = one_clear_line(runner.invoke(app, ["report", str(folder)]))
    assert "no evidence here" in line


def test_the_saved_fixture_itself_is_valid(saved_run):
    assert runner.invoke(app, ["report", str(saved_run)]).exit_code == 0
    shutil.rmtree(saved_run)
    assert not Path(saved_run).exists()


def test_yaml_answers_written_by_a_run_replay_exactly(saved_run, tmp_path):
    answers = yaml.safe_load((saved_run / "answers.yaml").read_text())
    assert collect_answers(file_values=answers, use_defaults=True).values == answers
