"""`advisor advise`: ask, measure, score and write the report; each question is also an option.

The question options are made from knowledge/questions.yaml when the command is built, as one
option group (advisor/cli/groups.py), so a question added to the file is an option with no code.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from advisor.cli.app import app, handle_errors, interrupted_exit_code
from advisor.cli.groups import GroupedCommand, OptionGroup
from advisor.cli.measuring import interruption_reported, progress_shown, stderr_console
from advisor.cli.options import MEASURING, MODEL, RUN_PANEL, OpenOpt
from advisor.cli.outcome import exit_if_nothing_measured, print_outcome
from advisor.errors import AdvisorError

if TYPE_CHECKING:  # for annotations only: these load when the command runs, never at startup
    from advisor.records.answers import Answers, Question
    from probes.runner import ProbePlan

ANSWERS_PANEL = "Answers (each also a key of an --answers file, with underscores)"


def _question_option(question: Question) -> inspect.Parameter:
    default = question.default if question.kind != "multi" else ",".join(question.default)
    metavar = {"choice": "[{}]", "multi": "[{}],..."}.get(question.kind, "TEXT").format("|".join(question.choices))
    option = typer.Option(
        None,
        question.flag,
        metavar=metavar,
        help=f"{question.text}  [default: {default or 'none'}]",
        rich_help_panel=ANSWERS_PANEL,
    )
    return inspect.Parameter(question.key, inspect.Parameter.KEYWORD_ONLY, default=option, annotation=str | None)


@cache
def answer_flags() -> Callable[..., dict[str, str | None]]:
    """A function taking one option per question, in the file's order, that returns them by key (None: not given).

    Typer reads a command's options from a signature; the questions are data, so this signature is made from them.
    """
    from advisor.records.answers import load_questions

    def given(**flags: str | None) -> dict[str, str | None]:
        return flags

    given.__signature__ = inspect.Signature([_question_option(q) for q in load_questions()])  # type: ignore[attr-defined]
    return given


ANSWERS = OptionGroup("answers", answer_flags)


class AdviseCommand(GroupedCommand):
    groups = (MEASURING, MODEL, ANSWERS)


@app.command("advise", cls=AdviseCommand)
@handle_errors
def advise(
    ctx: typer.Context,
    answers: Annotated[
        Path | None,
        typer.Option(
            "--answers",
            metavar="FILE",
            help="Answers file, YAML or JSON (keys: the Answers options below, with underscores).",
            rich_help_panel=RUN_PANEL,
        ),
    ] = None,
    no_input: Annotated[
        bool,
        typer.Option(
            "--no-input", help="Never prompt; take defaults for anything not answered.", rich_help_panel=RUN_PANEL
        ),
    ] = False,
    open_report: OpenOpt = False,
    team_decision: Annotated[
        Path | None,
        typer.Option(
            "--team-decision",
            metavar="FOLDER",
            help="A folder written by advisor team: also write onboarding.html, your path into the framework "
            "the team chose, with this machine's evidence beside the team's.",
            rich_help_panel=RUN_PANEL,
        ),
    ] = None,
) -> None:
    """Ask, measure, score and write the report.

    Example: advisor advise --no-input --goal research --deployment-target server

    Joining a team later: advisor advise --answers me.yaml --team-decision advisor-teams/2026-11-23T10-15-02
    """
    from advisor.cli.team import onboard_after_advise, team_for_advise
    from advisor.fileio import check_output_dir, default_run_dir
    from advisor.questionnaire.questions import read_answers_file
    from advisor.runs import advise as run_advise

    measuring = MEASURING.of(ctx)
    plan = measuring.plan(MODEL.of(ctx).user_model())
    team = None
    if team_decision is not None:
        team, plan = team_for_advise(team_decision, plan, variants_given=bool(measuring.variants))
    file_values = read_answers_file(answers) if answers else None
    folder = measuring.out or default_run_dir()
    check_output_dir(folder, force=measuring.force)  # before any question: never ask, then refuse the folder
    collected = _collect(ANSWERS.of(ctx), file_values, str(answers), no_input, plan)
    with interruption_reported(folder, advise=True), _answers_kept_on_error(collected, folder):
        with progress_shown(plan) as progress:
            run = run_advise(collected, folder, plan, force=measuring.force, progress=progress)
    try:
        print_outcome(run, open_report=open_report)
        if team is not None:
            typer.echo(f"Onboarding: {onboard_after_advise(run, team)}")
    except KeyboardInterrupt as interrupt:  # the run is complete: say so, not "nothing was written"
        missing = "; the onboarding page was not written" if team is not None else ""
        typer.echo(f"\nInterrupted. {folder} holds the complete run and its report{missing}.", err=True)
        typer.echo(f"Show it again with: advisor report {folder}", err=True)
        raise typer.Exit(interrupted_exit_code(interrupt)) from None
    exit_if_nothing_measured(run)


def _collect(
    flags: dict[str, str | None], file_values: dict[str, Any] | None, file_origin: str, no_input: bool, plan: ProbePlan
) -> Answers:
    """The answers from flags, the answers file, the prompt (at a terminal, unless --no-input) and defaults."""
    from advisor.questionnaire.interview import Interviewer, can_prompt
    from advisor.questionnaire.questions import collect_answers, load_questions

    interviewer = None if no_input or not can_prompt() else Interviewer(stderr_console())
    if interviewer is not None:
        unanswered = [q for q in load_questions() if flags.get(q.key) is None and q.key not in (file_values or {})]
        interviewer.intro(len(unanswered), _measuring_sentence(plan))
    collected = collect_answers(
        flag_values=flags,
        file_values=file_values,
        file_origin=file_origin,
        use_defaults=interviewer is None,
        ask=interviewer,
    )
    return interviewer.review(collected) if interviewer is not None else collected


def _measuring_sentence(plan: ProbePlan) -> str:
    typical = plan.budget.typical_s
    about = f"about {typical / 60:.0f} minutes" if typical and typical >= 90 else f"about {typical:.0f} s"
    where = "a slow 2-core VM; the progress bar then estimates this machine's"  # probes/eta.py on_slower_vm_s
    return f"measuring takes {about} on {where} ({plan.budget.name} budget)" if typical else "measuring"


@contextmanager
def _answers_kept_on_error(answers: Answers, folder: Path) -> Iterator[None]:
    """An AdvisorError during the run also says where the typed answers are kept (with_answers_kept)."""
    try:
        yield
    except AdvisorError as error:
        raise with_answers_kept(error, answers, folder) from None


def with_answers_kept(error: AdvisorError, answers: Answers, folder: Path) -> AdvisorError:
    """The error, plus where the user's typed answers are kept, so that a failed run never loses them."""
    if "prompt" not in answers.origins.values():
        return error
    import tempfile
    from datetime import datetime

    from advisor.fileio import write_text_atomic
    from advisor.questionnaire.questions import answers_file_text

    kept = folder / "answers.yaml"
    if not kept.exists():
        stamp = datetime.now().strftime("%Y-%m-%dT%H-%M-%S")
        for place in (Path.cwd(), Path(tempfile.gettempdir())):
            kept = place / f"advisor-answers-{stamp}.yaml"
            try:
                write_text_atomic(kept, answers_file_text(answers))
                break
            except AdvisorError:
                continue
        else:
            return error
    wrapped = type(error)(
        f"{error}\nYour answers are kept in {kept}; replay them with: advisor advise --answers {kept}"
    )
    wrapped.exit_code = error.exit_code
    return wrapped
