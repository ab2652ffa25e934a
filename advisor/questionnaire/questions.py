"""Answers collected: from flags, an answers file, the prompt and the questions' defaults (advisor/records/answers.py).

Answers come from four places, in this order of precedence: command-line flags, an answers file
(YAML or JSON), the interactive prompt, and the question's default. Every value is checked against
its question the same way whatever its origin, and an error names the field and the allowed values.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from advisor.errors import AnswersError
from advisor.fileio import DuplicateKey, read_text_bounded, refuse_duplicate_keys, without_controls
from advisor.records.answers import Answers, load_questions, refuse_unknown_keys, shown

MAX_ANSWERS_FILE_BYTES = 1024 * 1024


def read_answers_file(path: Path) -> dict[str, Any]:
    """Parse an answers file (YAML or JSON) into a mapping, or fail with one line naming the file."""
    path = Path(path)
    text = read_text_bounded(
        path, "answers file", max_bytes=MAX_ANSWERS_FILE_BYTES, too_big="and an answers file is at most 1 MB",
        missing="answers file not found", error=AnswersError,
    )  # fmt: skip
    if "\x00" in text:
        raise AnswersError(f"{path}: answers file is binary, not YAML or JSON text")
    if not text.strip():
        raise AnswersError(f"{path}: answers file is empty; give at least one answer, or use --no-input")
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(text, object_pairs_hook=refuse_duplicate_keys)
        else:
            data = _load_yaml_strict(text)
    except DuplicateKey as exc:
        raise AnswersError(f"{path}: {exc.describe()}") from None
    except json.JSONDecodeError as exc:
        raise AnswersError(f"{path}: not valid JSON ({exc.msg}, line {exc.lineno})") from None
    except RecursionError:
        raise AnswersError(f"{path}: nested too deeply to be an answers file") from None
    except Exception as exc:  # yaml.YAMLError and its subclasses carry a position
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise AnswersError(f"{path}: not valid YAML ({problem}{where})") from None
    if not isinstance(data, dict):
        raise AnswersError(
            f"{path}: an answers file must be a mapping of question keys to answers, found {shown(data)}"
        )
    return without_controls(data)


def _load_yaml_strict(text: str) -> Any:
    """YAML as yaml.safe_load reads it, except that a key given twice is refused, not last-wins."""
    import yaml

    data = yaml.safe_load(text)
    _refuse_repeated_keys(yaml.compose(text, Loader=yaml.SafeLoader))  # nodes only: nothing is constructed
    return data


def _refuse_repeated_keys(node: Any) -> None:
    import yaml

    stack = [node]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    key = (key_node.tag, key_node.value)
                    if key in seen:
                        raise DuplicateKey(key_node.value, key_node.start_mark.line + 1)
                    seen.add(key)
                stack.append(value_node)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


def collect_answers(
    *,
    flag_values: Mapping[str, Any] | None = None,
    file_values: Mapping[str, Any] | None = None,
    file_origin: str = "answers file",
    use_defaults: bool,
    ask: Any = None,
) -> Answers:
    """Merge flags > file > prompt > default, validating every value against its question.

    `ask(question)` is called for a question no flag or file answered, when given; with
    `use_defaults` the default is taken instead (--no-input, or no terminal).
    """
    questions = load_questions()
    refuse_unknown_keys(file_values or {}, file_origin)
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for question in questions:
        if flag_values and flag_values.get(question.key) is not None:
            values[question.key] = question.validate(flag_values[question.key], f"option {question.flag}")
            origins[question.key] = "flag"
        elif file_values and question.key in file_values:
            values[question.key] = question.validate(file_values[question.key], file_origin)
            origins[question.key] = "file"
        elif ask is not None and not use_defaults:
            values[question.key] = question.validate(ask(question), "prompt")
            origins[question.key] = "prompt"
        else:
            values[question.key] = question.validate(question.default, "knowledge/questions.yaml")
            origins[question.key] = "default"
    return Answers.of(values, origins)


def answers_file_text(answers: Answers) -> str:
    """The answers as an answers file, so `--answers` replays this run exactly."""
    import yaml

    header = "# Answers of a Framework Advisor run; replay with: advisor advise --answers answers.yaml\n"
    return header + yaml.safe_dump(dict(answers.values), sort_keys=False, allow_unicode=True)
