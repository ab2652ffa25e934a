"""Re-rendering a run folder (advisor.runs.rerender): a folder whose records agree is rendered from them, not
scored again, and every answer keeps where it came from; a record from an earlier format is made again."""

from __future__ import annotations

import json

import pytest

from advisor import runs
from advisor.questionnaire.profile import build_profile, profile_from_json
from advisor.questionnaire.questions import collect_answers
from advisor.records.scorecard import SCORECARD_FORMAT


def _no_scoring(*args, **kwargs):
    raise AssertionError("scored again")


def test_rerendering_an_untouched_run_renders_its_saved_records_without_scoring_again(saved_run, monkeypatch):
    runs.rerender(saved_run)  # the folder as `advisor advise` leaves it: every record, the scorecard included
    saved = (saved_run / "scorecard.json").read_bytes()
    monkeypatch.setattr(runs, "score", _no_scoring)
    monkeypatch.setattr(runs, "check", _no_scoring)
    again = runs.rerender(saved_run)
    assert again.remade == ()
    assert (saved_run / "scorecard.json").read_bytes() == saved
    assert "From default" in (saved_run / "report.html").read_text(encoding="utf-8")


def test_a_saved_profile_read_back_keeps_where_each_answer_came_from():
    answers = collect_answers(
        flag_values={"goal": "research"}, file_values={"hardware": "nvidia_gpu"}, use_defaults=True
    )
    again = profile_from_json(json.loads(json.dumps(build_profile(answers).to_json())), "profile.json")
    assert again.answers == answers
    assert (again.answers.origins["goal"], again.answers.origins["hardware"]) == ("flag", "file")
    assert again.answers.origins["priority"] == "default"


def test_a_saved_profile_with_an_unknown_origin_is_refused_naming_the_answer():
    from advisor.errors import AnswersError

    data = build_profile(collect_answers(use_defaults=True)).to_json()
    data["answers"]["origins"]["goal"] = "rumour"
    with pytest.raises(AnswersError, match=r"'answers\.origins\.goal' must be one of flag, file, prompt, default"):
        profile_from_json(data, "profile.json")


def test_a_scorecard_of_an_earlier_format_is_scored_again_and_the_message_says_so(saved_run):
    runs.rerender(saved_run)
    scorecard = json.loads((saved_run / "scorecard.json").read_text(encoding="utf-8"))
    scorecard["format"] = "advisor-scorecard/3"
    (saved_run / "scorecard.json").write_text(json.dumps(scorecard), encoding="utf-8")
    again = runs.rerender(saved_run)
    assert any(note.startswith("scorecard.json: could not be used") for note in again.remade)
    assert json.loads((saved_run / "scorecard.json").read_text(encoding="utf-8"))["format"] == SCORECARD_FORMAT


def test_a_scorecard_scored_with_other_reference_scripts_installed_is_scored_again(saved_run):
    """Whether each counted script is still the one installed is a finding: a new installation re-scores."""
    runs.rerender(saved_run)
    scorecard = json.loads((saved_run / "scorecard.json").read_text(encoding="utf-8"))
    current = scorecard["inputs"]["scripts"]
    scorecard["inputs"]["scripts"] = "0" * len(current)
    (saved_run / "scorecard.json").write_text(json.dumps(scorecard), encoding="utf-8")
    again = runs.rerender(saved_run)
    assert "scorecard.json: made from other records or rules; scored again" in again.remade
    assert json.loads((saved_run / "scorecard.json").read_text(encoding="utf-8"))["inputs"]["scripts"] == current
