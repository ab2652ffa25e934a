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
from advisor.fileio import ANSWERS_HEADER, DuplicateKey, read_text_bounded, refuse_duplicate_keys, without_controls
from advisor.records.answers import Answers, load_questions, refuse_unknown_keys, shown

MAX_ANSWERS_FILE_BYTES = 1024 * 1024
# An answers file holds a few dozen values; YAML aliases (*name) may not repeat them past this many,
# so a few hundred bytes of nested aliases (the "billion laughs") are refused before anything walks them.
MAX_ANSWERS_VALUES = 10_000


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
    except UnboundedYaml as exc:
        raise AnswersError(f"{path}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise AnswersError(f"{path}: not valid JSON ({exc.msg}, line {exc.lineno})") from None
    except RecursionError:
        raise AnswersError(f"{path}: nested too deeply to be an answers file") from None
    except Exception as exc:  # yaml.YAMLError and its subclasses carry a position
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or f"{type(exc).__name__}: {exc}".splitlines()[0][:120]  # 2026-13-45
        raise AnswersError(f"{path}: not valid YAML ({problem}{where})") from None
    if not isinstance(data, dict):
        raise AnswersError(
            f"{path}: an answers file must be a mapping of question keys to answers, found {shown(data)}"
        )
    return without_controls(data)


class UnboundedYaml(ValueError):
    """YAML whose aliases repeat more values than any answers file holds, or contain themselves."""


def _load_yaml_strict(text: str) -> Any:
    """YAML as yaml.safe_load reads it, except that a key given twice is refused, not last-wins, and that
    aliases may not expand it past MAX_ANSWERS_VALUES values (checked on the nodes, before anything is built)."""
    import yaml

    _check_nodes(yaml.compose(text, Loader=yaml.SafeLoader))  # an alias is one shared node: composing is linear
    return yaml.safe_load(text)


def _check_nodes(root: Any) -> None:
    """Count the values the document expands to, each shared node once, and refuse repeated keys.

    A depth-first walk that remembers each node's expanded size, so nine levels of nine aliases cost
    nine nodes, not 9**9; a node reached again while its own children are walked is an alias loop.
    """
    import yaml

    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)] if root is not None else []
    while stack:
        node, finished = stack.pop()
        children = _children(node)
        if finished:
            on_path.discard(id(node))
            sizes[id(node)] = 1 + sum(sizes[id(child)] for child in children)
            if sizes[id(node)] > MAX_ANSWERS_VALUES:
                raise UnboundedYaml(
                    f"answers file expands to more than {MAX_ANSWERS_VALUES:,} values (counting what its YAML "
                    "aliases repeat); an answers file holds a few dozen"
                )
            continue
        if id(node) in sizes:
            continue
        if isinstance(node, yaml.MappingNode):
            _refuse_repeated_keys(node)
        on_path.add(id(node))
        stack.append((node, True))
        for child in children:
            if id(child) in on_path:
                raise UnboundedYaml("a YAML alias (*name) stands for a value that contains the alias itself")
            stack.append((child, False))


def _children(node: Any) -> list[Any]:
    import yaml

    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _refuse_repeated_keys(node: Any) -> None:
    import yaml

    seen = set()
    for key_node, _ in node.value:
        if isinstance(key_node, yaml.ScalarNode):
            key = (key_node.tag, key_node.value)
            if key in seen:
                raise DuplicateKey(key_node.value, key_node.start_mark.line + 1)
            seen.add(key)


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

    header = f"{ANSWERS_HEADER}; replay with: advisor advise --answers answers.yaml\n"
    return header + yaml.safe_dump(dict(answers.values), sort_keys=False, allow_unicode=True)
