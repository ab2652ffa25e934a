"""Asking the questionnaire at a terminal, the way gh, cookiecutter and npm init do.

Before the first question it says how many are coming and how long measuring takes; each choice
can be answered by its number or its name (any case), Enter keeps the default and `?` explains
what the answer changes; after the last question a recap lets the user change any answer before
anything is measured. Whatever the user types is printed back as plain text, never as markup.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from advisor.errors import AnswersError
from advisor.records.answers import Answers, Question, questions_by_key


def can_prompt() -> bool:
    """Prompt only when both stdin and stdout are terminals (never in scripts or CI)."""
    import sys

    return sys.stdin.isatty() and sys.stdout.isatty()


def choice_for(question: Question, raw: str) -> str | None:
    """The choice a typed answer names: its number (1-based) or its key, in any case; None if neither."""
    typed = raw.strip().lower()
    keys = list(question.choices)
    if typed.isdigit() and 1 <= int(typed) <= len(keys):
        return keys[int(typed) - 1]
    return next((key for key in keys if key.lower() == typed), None)


class Interviewer:
    """Calls back per unanswered question; raises KeyboardInterrupt on Ctrl-C or end of input."""

    def __init__(self, console: Console):
        self.console = console
        self.section = ""

    def say(self, text: str, style: str = "") -> None:
        """Print as plain text: what a user typed may contain [brackets] that Rich would read as markup."""
        self.console.print(Text(text, style=style), highlight=False)

    def intro(self, count: int, measuring: str) -> None:
        """What is coming: how many questions, what happens after them, and how to answer."""
        if count == 0:
            return
        self.say(f"{count} question{'s' if count != 1 else ''} about you and the project; then {measuring}.", "bold")
        self.say(
            "Answer a choice with its number or its name; Enter keeps the default; ? explains the question. "
            "You can change any answer before measuring starts. Ctrl-C cancels; nothing is written until then."
        )

    def __call__(self, question: Question) -> Any:
        if question.section != self.section:
            self.section = question.section
            self.say(f"\nAbout {'you' if self.section == 'person' else 'the project'}", "bold")
        try:
            return self.ask(question)
        except EOFError:
            raise KeyboardInterrupt from None

    def ask(self, question: Question, current: Any = None) -> Any:
        """One question until it gets a valid answer; `current` (an answer to change) replaces the default."""
        default = question.default if current is None else current
        self.say("")
        self.say(question.text, "bold")
        if question.kind == "text":
            return self._text(question, default)
        self._show_choices(question, default)
        while True:
            raw = self._input(self._hint(question, default))
            if raw.strip() == "?":
                self._help(question)
                continue
            try:
                return self._parse(question, raw, default)
            except AnswersError as error:
                self.say(str(error), "red")

    def _show_choices(self, question: Question, default: Any) -> None:
        chosen = set(default) if isinstance(default, list) else {default}
        width = max(len(key) for key in question.choices)
        for number, (key, text) in enumerate(question.choices.items(), start=1):
            line = Text(f"  {number:>2}  ")
            line.append(key.ljust(width), style="cyan")
            line.append(f"  {text}")
            if key in chosen:
                line.append("  (default)", style="dim")
            self.console.print(line, highlight=False)

    def _hint(self, question: Question, default: Any) -> Text:
        count = len(question.choices)
        if question.kind == "multi":
            shown = ", ".join(default) if default else "none"
            return Text(f"Numbers or names, comma-separated; 'none' for none; ? for help [{shown}]: ")
        return Text(f"1-{count} or a name, ? for help [{default}]: ")

    def _parse(self, question: Question, raw: str, default: Any) -> Any:
        typed = raw.strip()
        if not typed:
            return default
        if question.kind == "choice":
            key = choice_for(question, typed)
            if key is None:
                raise AnswersError(
                    f"{typed!r} is not one of the choices: type 1 to {len(question.choices)} "
                    f"or one of {question.allowed()}"
                )
            return key
        if typed.lower() == "none" and "none" not in question.choices:
            return []
        picked = []
        for part in (p for p in typed.split(",") if p.strip()):
            key = choice_for(question, part)
            if key is None:
                raise AnswersError(
                    f"{part.strip()!r} is not one of the choices: numbers 1 to {len(question.choices)} "
                    f"or names from {question.allowed()}, comma-separated"
                )
            picked.append(key)
        return question.validate(picked, "your answer")

    def _text(self, question: Question, default: str) -> str:
        while True:
            shown = f"[{default}]" if default else "(Enter to leave empty)"
            raw = self._input(Text(f"At most {question.max_length} characters, ? for help {shown}: "))
            if raw.strip() == "?":
                self._help(question)
                continue
            try:
                return question.validate(raw.strip() or default, "your answer")
            except AnswersError as error:
                self.say(str(error), "red")

    def _help(self, question: Question) -> None:
        self.say(question.help or "No more to say about this question.", "italic")
        if question.kind != "text":
            self.say(f"Answers: {question.allowed()}.", "dim")

    def _input(self, prompt: Text) -> str:
        return self.console.input(prompt)

    def review(self, answers: Answers) -> Answers:
        """The recap before measuring: every answer numbered; Enter starts, a number changes that answer."""
        questions = questions_by_key()
        values, origins = dict(answers.values), dict(answers.origins)
        keys = list(values)
        try:
            while True:
                self._recap(questions, values, origins, keys)
                raw = self._input(Text(f"Enter to start measuring, or 1-{len(keys)} to change an answer: ")).strip()
                if not raw:
                    return Answers.of(values, origins)
                if raw.isdigit() and 1 <= int(raw) <= len(keys):
                    key = keys[int(raw) - 1]
                    values[key] = questions[key].validate(self.ask(questions[key], values[key]), "your answer")
                    origins[key] = "prompt"
                    continue
                self.say(f"{raw!r}: type a number from 1 to {len(keys)}, or press Enter to start.", "red")
        except EOFError:
            raise KeyboardInterrupt from None

    def _recap(
        self, questions: Mapping[str, Question], values: Mapping[str, Any], origins: Mapping[str, str], keys: list[str]
    ) -> None:
        table = Table(title="Your answers", title_justify="left", show_edge=False, pad_edge=False)
        table.add_column("#", justify="right")
        table.add_column("Question")
        table.add_column("Answer")
        table.add_column("From", style="dim")
        for number, key in enumerate(keys, start=1):
            question = questions[key]
            shown = question.words(values[key]) or "(empty)"  # only a text answer can be empty
            table.add_row(str(number), Text(question.text), Text(shown), origins[key])
        self.say("")
        self.console.print(table, highlight=False)
