"""The questions (knowledge/questions.yaml) and one person's validated answers to them: the first record's content.

Answers is a frozen record with a field per question, so every stage reads `answers.deployment_target`,
never a string key into a dict; `words(key)` gives an answer in the question's own wording ("phones"
for `mobile`). Each answer keeps where it came from (a flag, a file, the prompt or the question's
default), also when a saved profile.json is read back, so a re-read profile is the one that was saved.
The weighting and tension rules of knowledge/ name questions by key: they match against `values`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

import knowledge
from advisor.errors import AnswersError

KINDS = ("choice", "multi", "text")
ORIGINS = ("flag", "file", "prompt", "default")  # where an answer came from, in order of precedence


@dataclass(frozen=True)
class Question:
    """One question: its key (also the answers-file key and the --flag), text, choices and default."""

    key: str
    section: str
    kind: str
    text: str
    default: Any
    choices: Mapping[str, str] = field(default_factory=dict)
    max_length: int = 200
    help: str = ""  # what the answer changes, shown for `?` at the prompt

    @property
    def flag(self) -> str:
        return "--" + self.key.replace("_", "-")

    def allowed(self) -> str:
        """The allowed values, as an error message or a prompt shows them."""
        if self.kind == "text":
            return f"text of at most {self.max_length} characters"
        return ", ".join(self.choices)

    def words(self, value: Any) -> str:
        """A value of this question in the question's own wording: 'phones' for `mobile`; several choices
        joined ('none' for none); text as it was typed."""
        if self.kind == "text":
            return str(value)
        if isinstance(value, (list, tuple)):
            return ", ".join(self.choices.get(v, v) for v in value) or "none"
        return self.choices.get(value, str(value))

    def validate(self, raw: Any, origin: str) -> Any:
        """Return the value if it fits this question, else raise AnswersError naming field and values."""
        if self.kind == "text":
            if not isinstance(raw, str):
                raise self._error(origin, raw, "must be text")
            if len(raw) > self.max_length:
                raise AnswersError(
                    f"{origin}: '{self.key}' must be {self.allowed()}. Received: text of {len(raw)} characters"
                )
            if any(ord(ch) < 32 and ch not in "\t" for ch in raw):
                raise AnswersError(f"{origin}: '{self.key}' must be one line of text, without control characters")
            return raw
        if self.kind == "choice":
            if isinstance(raw, bool) and set(self.choices) == {"yes", "no"}:
                raw = "yes" if raw else "no"  # YAML reads an unquoted yes/no (on/off, true/false) as a boolean
            if not isinstance(raw, str) or raw not in self.choices:
                raise self._error(origin, raw, f"must be one of {self.allowed()}")
            return raw
        # multi: a list of distinct choices; a comma-separated string is accepted too (flags, env).
        items = [part.strip() for part in raw.split(",") if part.strip()] if isinstance(raw, str) else raw
        if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
            raise self._error(origin, raw, f"must be a list of {self.allowed()}")
        unknown = [item for item in items if item not in self.choices]
        if unknown:
            raise self._error(origin, unknown[0], f"must be a list of {self.allowed()}")
        return sorted(set(items), key=list(self.choices).index)

    def _error(self, origin: str, raw: Any, expectation: str) -> AnswersError:
        return AnswersError(f"{origin}: '{self.key}' {expectation}. Received: {shown(raw)}")


def shown(raw: Any) -> str:
    """A short, safe rendering of a received value for an error line."""
    if isinstance(raw, str):
        text = raw if len(raw) <= 60 else raw[:57] + "..."
        return repr(text)
    if isinstance(raw, bool):
        return f"{raw} (YAML reads yes/no/on/off as true/false; quote the value)"
    if isinstance(raw, (int, float)):
        return f"{raw!r} (a number)"
    if raw is None:
        return "nothing (null)"
    if isinstance(raw, list):
        return f"a list of {len(raw)} items"
    if isinstance(raw, dict):
        return f"a mapping of {len(raw)} keys"
    return f"a value of type {type(raw).__name__}"


def load_questions() -> tuple[Question, ...]:
    """The questionnaire, in the order it is asked."""
    questions = []
    for entry in knowledge.load("questions")["questions"]:
        kind = entry["kind"]
        if kind not in KINDS:
            raise ValueError(f"knowledge/questions.yaml: '{entry['key']}' has unknown kind {kind!r}")
        questions.append(
            Question(
                key=entry["key"],
                section=entry["section"],
                kind=kind,
                text=entry["text"],
                default=entry["default"],
                choices=dict(entry.get("choices") or {}),
                max_length=int(entry.get("max_length", 200)),
                help=" ".join(str(entry.get("help") or "").split()),
            )
        )
    return tuple(questions)


def questions_by_key() -> dict[str, Question]:
    return {question.key: question for question in load_questions()}


def refuse_unknown_keys(keys: Iterable[Any], origin: str) -> None:
    """An answers file or a saved profile naming a question the questionnaire does not have is refused."""
    known = {question.key for question in load_questions()}
    for key in keys:
        if not isinstance(key, str) or key not in known:
            raise AnswersError(f"{origin}: unknown key {shown(key)}. Expected one of: {', '.join(sorted(known))}")


@dataclass(frozen=True)
class Answers:
    """Validated answers to every question (a field each, as knowledge/questions.yaml asks them), and where
    each came from: flag, file, prompt or default (ORIGINS)."""

    name: str
    python_experience: str
    dl_experience: str
    math_comfort: str
    known_frameworks: tuple[str, ...]
    project_name: str
    goal: str
    data_kind: str
    model_size: str
    data_size: str
    custom_architectures: str
    deployment_target: str
    pretrained_hub: str
    lifetime: str
    untrusted_models: str
    hardware: str
    priority: str
    origins: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def keys(cls) -> tuple[str, ...]:
        """The questions' keys, as the record's fields (tests/advisor/questionnaire holds them to the questions)."""
        return tuple(f.name for f in fields(cls) if f.name != "origins")

    @classmethod
    def of(cls, values: Mapping[str, Any], origins: Mapping[str, str]) -> Answers:
        """The record of already validated values, one per question (a multi-choice answer as a tuple)."""
        if set(values) != set(cls.keys()):
            raise ValueError(f"answers must answer exactly {', '.join(cls.keys())}. Received: {', '.join(values)}")
        typed = {key: tuple(v) if isinstance(v, (list, tuple)) else v for key, v in values.items()}
        return cls(**typed, origins=dict(origins))

    @property
    def values(self) -> dict[str, Any]:
        """Every answer by its question's key, in the order asked: for the rules of knowledge/ that name
        questions by key, and for the files (a multi-choice answer as a list)."""
        return {key: list(v) if isinstance(v := getattr(self, key), tuple) else v for key in self.keys()}

    def words(self, key: str) -> str:
        """The answer to `key` in the question's own wording: 'phones' for deployment_target `mobile`."""
        return questions_by_key()[key].words(getattr(self, key))

    def to_json(self) -> dict[str, Any]:
        return {"values": self.values, "origins": dict(self.origins)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any], origin: str) -> Answers:
        """Answers read back from a saved profile: each value re-validated, each origin kept as saved (an
        answer the file lacks takes its question's default; one saved without its origin counts as from
        a file, as profiles written before origins were kept back)."""
        values = data.get("values") if isinstance(data, Mapping) else None
        if not isinstance(values, Mapping):
            raise AnswersError(f"{origin}: 'answers.values' must be a mapping of answers")
        saved = data.get("origins") or {}
        if not isinstance(saved, Mapping):
            raise AnswersError(f"{origin}: 'answers.origins' must be a mapping of question keys to origins")
        refuse_unknown_keys(values, origin)
        checked: dict[str, Any] = {}
        origins: dict[str, str] = {}
        for question in load_questions():
            if question.key in values:
                checked[question.key] = question.validate(values[question.key], origin)
                origins[question.key] = saved.get(question.key, "file")
            else:
                checked[question.key] = question.validate(question.default, "knowledge/questions.yaml")
                origins[question.key] = "default"
            if origins[question.key] not in ORIGINS:
                raise AnswersError(
                    f"{origin}: 'answers.origins.{question.key}' must be one of {', '.join(ORIGINS)}. "
                    f"Received: {shown(origins[question.key])}"
                )
        return cls.of(checked, origins)
