"""Answers: every origin validated alike; errors name the field and the allowed values."""

from __future__ import annotations

import json

import pytest

from advisor.errors import AnswersError
from advisor.questionnaire.questions import collect_answers, read_answers_file
from advisor.records.answers import Answers, load_questions


def test_the_answers_record_has_a_field_for_each_question_in_the_order_asked():
    assert Answers.keys() == tuple(q.key for q in load_questions())
    multi = {q.key for q in load_questions() if q.kind == "multi"}
    assert {key for key, value in vars(collect_answers(use_defaults=True)).items() if isinstance(value, tuple)} == multi


def test_an_answer_in_words_is_the_questions_own_wording_of_it():
    answers = collect_answers(
        file_values={"deployment_target": "mobile", "known_frameworks": ["jax", "keras"]}, use_defaults=True
    )
    assert answers.words("deployment_target") == "phones (Android, iOS)"
    choices = next(q for q in load_questions() if q.key == "known_frameworks").choices
    assert answers.words("known_frameworks") == f"{choices['keras']}, {choices['jax']}"
    assert collect_answers(use_defaults=True).words("known_frameworks") == "none"
    assert collect_answers(file_values={"name": "Ada"}, use_defaults=True).words("name") == "Ada"


def test_defaults_answer_every_question():
    answers = collect_answers(use_defaults=True)
    assert set(answers.values) == {q.key for q in load_questions()}
    assert set(answers.origins.values()) == {"default"}


def test_every_question_has_text_choices_and_a_valid_default():
    for question in load_questions():
        assert question.text
        if question.kind != "text":
            assert question.choices
        question.validate(question.default, "knowledge/questions.yaml")


def test_flags_beat_the_file_and_the_file_beats_defaults():
    answers = collect_answers(
        flag_values={"goal": "research"},
        file_values={"goal": "product", "deployment_target": "mobile"},
        use_defaults=True,
    )
    assert answers.goal == "research" and answers.origins["goal"] == "flag"
    assert answers.deployment_target == "mobile" and answers.origins["deployment_target"] == "file"
    assert answers.origins["hardware"] == "default"


def test_out_of_range_value_names_field_allowed_values_and_what_was_received():
    with pytest.raises(AnswersError) as error:
        collect_answers(file_values={"dl_experience": "guru"}, file_origin="answers.yaml", use_defaults=True)
    assert str(error.value) == ("answers.yaml: 'dl_experience' must be one of none, some, expert. Received: 'guru'")


def test_unknown_key_is_refused_with_the_known_keys():
    with pytest.raises(AnswersError, match=r"unknown key 'colour'\. Expected one of: .*goal"):
        collect_answers(file_values={"colour": "blue"}, file_origin="a.yaml", use_defaults=True)


def test_wrong_type_is_refused():
    with pytest.raises(AnswersError, match=r"'goal' must be one of .* Received: 3 \(a number\)"):
        collect_answers(file_values={"goal": 3}, use_defaults=True)


def test_yaml_yes_no_booleans_get_a_hint_to_quote():
    with pytest.raises(AnswersError, match="quote the value"):
        collect_answers(file_values={"custom_architectures": False}, use_defaults=True)


def test_multi_choice_takes_a_list_or_comma_separated_text():
    listed = collect_answers(file_values={"known_frameworks": ["keras", "pytorch"]}, use_defaults=True)
    assert listed.known_frameworks == ("pytorch", "keras")
    typed = collect_answers(flag_values={"known_frameworks": "jax, keras"}, use_defaults=True)
    assert typed.known_frameworks == ("keras", "jax")


def test_multi_choice_refuses_an_unknown_framework():
    with pytest.raises(AnswersError, match=r"'known_frameworks' must be a list of pytorch, keras"):
        collect_answers(file_values={"known_frameworks": ["caffe"]}, use_defaults=True)


def test_text_longer_than_its_limit_is_refused():
    with pytest.raises(AnswersError, match="at most 120 characters"):
        collect_answers(file_values={"project_name": "x" * 500}, use_defaults=True)


def test_prompt_is_asked_only_for_unanswered_questions():
    asked = []

    def ask(question):
        asked.append(question.key)
        return question.default

    collect_answers(file_values={"goal": "learn"}, use_defaults=False, ask=ask)
    assert "goal" not in asked and "hardware" in asked


def test_yaml_and_json_files_read_the_same(write_answers):
    yaml_path = write_answers("goal: research\nknown_frameworks: [pytorch]\n")
    json_path = write_answers(json.dumps({"goal": "research", "known_frameworks": ["pytorch"]}), "a.json")
    assert read_answers_file(yaml_path) == read_answers_file(json_path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "answers file is empty"),
        ("goal: [unclosed\n", "not valid YAML"),
        ("- just\n- a list\n", "must be a mapping"),
        ("\x00\x01\x02binary", "binary"),
    ],
)
def test_unreadable_files_are_one_clear_line(write_answers, content, message):
    with pytest.raises(AnswersError, match=message):
        read_answers_file(write_answers(content))


def test_invalid_json_names_the_line(write_answers):
    with pytest.raises(AnswersError, match=r"not valid JSON .*line 2"):
        read_answers_file(write_answers('{"goal":\n  oops}', "a.json"))


def test_missing_file_is_named(tmp_path):
    with pytest.raises(AnswersError, match="answers file not found"):
        read_answers_file(tmp_path / "nope.yaml")
