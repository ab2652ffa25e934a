"""Asking the questionnaire at a terminal: choices and default shown, bad input asked again."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.prompt import Prompt

from advisor.errors import AnswersError
from advisor.questionnaire.questions import Question


def can_prompt() -> bool:
    """Prompt only when both stdin and stdout are terminals (never in scripts or CI)."""
    import sys

    return sys.stdin.isatty() and sys.stdout.isatty()


class Interviewer:
    """Calls back per unanswered question; raises KeyboardInterrupt on Ctrl-C or end of input."""

    def __init__(self, console: Console):
        self.console = console
        self.section = ""

    def __call__(self, question: Question) -> Any:
        if question.section != self.section:
            self.section = question.section
            self.console.print(f"\n[bold]About {'you' if self.section == 'person' else 'the project'}[/bold]")
        try:
            if question.kind == "choice":
                return self._choice(question)
            return self._free(question)
        except EOFError:
            raise KeyboardInterrupt from None

    def _choice(self, question: Question) -> str:
        for key, text in question.choices.items():
            self.console.print(f"  [cyan]{key}[/cyan]: {text}", highlight=False)
        return Prompt.ask(question.text, choices=list(question.choices), default=question.default, console=self.console)

    def _free(self, question: Question) -> Any:
        if question.kind == "multi":
            hint = f" (comma-separated from: {question.allowed()}; empty for none)"
            default = ",".join(question.default)
        else:
            hint = f" (at most {question.max_length} characters)"
            default = question.default
        while True:
            raw = Prompt.ask(question.text + hint, default=default, show_default=bool(default), console=self.console)
            try:
                return question.validate(raw, "your answer")
            except AnswersError as error:
                self.console.print(f"[red]{error}[/red]", highlight=False)
