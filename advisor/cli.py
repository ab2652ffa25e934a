"""The `advisor` command line: thin commands over advisor.runs, errors as one line and exit code 2.

This module imports no framework and nothing heavy at import time, so `advisor --help` is instant;
each command imports what it needs when it runs.
"""

from __future__ import annotations

import functools
import inspect
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from advisor.errors import AdvisorError
from advisor.questionnaire.questions import load_questions
from advisor.team.commands import onboard_after_advise, team_for_advise
from advisor.team.commands import register as register_team_commands

if TYPE_CHECKING:  # for annotations only: the CLI imports these when a command runs, never at startup
    from rich.console import Console

    from advisor.runs import AdviceRun
    from probes.runner import ProbePlan, ProgressEvent

app = typer.Typer(
    name="advisor",
    help="Which deep-learning framework to pick (PyTorch, Keras, TensorFlow), with evidence measured on this machine.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
)

EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled like Ctrl-C but ending with exit code 143."""


def _on_sigterm(signum: int, frame: Any) -> None:
    raise Terminated()


def _stderr() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def handle_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn user-fixable errors into one line and exit 2, and Ctrl-C into exit 130, no traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except AdvisorError as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(error.exit_code) from None
        except KeyboardInterrupt as interrupt:
            code = EXIT_TERMINATED if isinstance(interrupt, Terminated) else EXIT_INTERRUPTED
            typer.echo("\nCancelled; nothing was written.", err=True)
            raise typer.Exit(code) from None

    return wrapper


# --- options shared by the commands that measure

BudgetOpt = Annotated[str, typer.Option("--budget", help="How long to measure: tiny, quick, standard or thorough.")]
OutOpt = Annotated[
    Path | None,
    typer.Option("--out", help="Folder for the records and report (default: a new folder in ./advisor-runs)."),
]
ForceOpt = Annotated[bool, typer.Option("--force", help="Write into --out even if it holds files already.")]
VariantOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--variant",
        help="Measure only this variant (repeatable): torch, keras-tensorflow, tensorflow, keras-torch, keras-jax.",
    ),
]
ThreadsOpt = Annotated[
    int | None,
    typer.Option("--threads", min=1, help="CPU threads for every framework (default: the cores this process may use)."),
]
DeviceOpt = Annotated[str, typer.Option("--device", help="auto (a GPU when one is found) or cpu.")]
TimeoutOpt = Annotated[
    float | None,
    typer.Option("--child-timeout", min=1, help="Seconds before a probe child is killed (default: the budget's)."),
]


def _plan(
    budget: str, variant: list[str] | None, threads: int | None, device: str, child_timeout: float | None
) -> ProbePlan:
    from dataclasses import replace

    from probes.budgets import get_budget
    from probes.runner import make_plan

    if device not in ("auto", "cpu"):
        raise AdvisorError(f"option --device must be one of auto, cpu. Received: {device!r}")
    try:
        chosen = get_budget(budget)
        if child_timeout is not None:
            chosen = replace(chosen, child_timeout_s=child_timeout)
        return make_plan(chosen, variants=variant or None, threads=threads, device=device)
    except ValueError as error:  # probes/ says what is wrong; the edge makes it one line and exit 2
        raise AdvisorError(str(error)) from None


class ProgressPrinter:
    """Shows which probe runs (a spinner on a terminal) and one line per finished child, on stderr."""

    def __init__(self):
        self.console = _stderr()
        self.status = None

    def __call__(self, event: ProgressEvent) -> None:
        from probes.variants import label

        name = label(event.variant)
        what = name if event.kind == "speed" else f"{name} ({event.kind})"
        if event.event == "skip":
            self.console.print(f"  skipped {name}: {event.detail}", markup=False)
        elif event.event == "start":
            text = f"Round {event.round}/{event.rounds}: measuring {what}…"
            if self.console.is_terminal:
                self.status = self.console.status(text)
                self.status.start()
            else:
                self.console.print(text, markup=False)
        elif event.event == "finish":
            if self.status is not None:
                self.status.stop()
                self.status = None
            self.console.print(f"  round {event.round}/{event.rounds} {what}: {event.detail}", markup=False)

    def close(self) -> None:
        if self.status is not None:
            self.status.stop()
            self.status = None


def _interrupted(folder: Path, interrupt: BaseException, *, advise: bool) -> typer.Exit:
    code = EXIT_TERMINATED if isinstance(interrupt, Terminated) else EXIT_INTERRUPTED
    lines = [f"\nInterrupted. What was measured so far is kept in {folder} (evidence.json, marked incomplete)."]
    if advise:
        lines.append(f"Re-render with: advisor report {folder}")
        lines.append(f"Measure again: advisor advise --answers {folder / 'answers.yaml'} --out NEW_FOLDER")
    else:
        lines.append("Measure again: advisor probe --out NEW_FOLDER")
    typer.echo("\n".join(lines), err=True)
    return typer.Exit(code)


# --- advise: its question options are generated from knowledge/questions.yaml


def _question_parameters() -> list[inspect.Parameter]:
    params = []
    for question in load_questions():
        default = question.default if question.kind != "multi" else ",".join(question.default)
        help_text = f"{question.text} [{question.allowed()}] (default: {default or 'none'})"
        params.append(
            inspect.Parameter(
                question.key,
                inspect.Parameter.KEYWORD_ONLY,
                default=typer.Option(
                    None, question.flag, help=help_text, rich_help_panel="Answers", show_default=False
                ),
                annotation=Optional[str],
            )
        )
    return params


def advise(
    answers: Annotated[
        Path | None,
        typer.Option("--answers", help="Answers file, YAML or JSON (keys: the --flags below, with underscores)."),
    ] = None,
    no_input: Annotated[
        bool, typer.Option("--no-input", help="Never prompt; take defaults for anything not answered.")
    ] = False,
    out: OutOpt = None,
    force: ForceOpt = False,
    budget: BudgetOpt = "quick",
    variant: VariantOpt = None,
    threads: ThreadsOpt = None,
    device: DeviceOpt = "auto",
    child_timeout: TimeoutOpt = None,
    team_decision: Annotated[
        Path | None,
        typer.Option(
            "--team-decision",
            help="A folder written by advisor team: also write onboarding.html, your path into the framework "
            "the team chose, with this machine's evidence beside the team's.",
        ),
    ] = None,
    **question_values: str | None,
) -> None:
    """Ask, measure, score and write the report.

    Example: advisor advise --no-input --goal research --deployment-target server

    Joining a team later: advisor advise --answers me.yaml --team-decision advisor-teams/2026-11-23T10-15-02
    """
    from advisor.fileio import default_run_dir
    from advisor.questionnaire.interview import Interviewer, can_prompt
    from advisor.questionnaire.questions import collect_answers, read_answers_file
    from advisor.runs import advise as run_advise
    from probes.runner import ProbesInterrupted

    plan = _plan(budget, variant, threads, device, child_timeout)
    team = None
    if team_decision is not None:
        team, plan = team_for_advise(team_decision, plan, variants_given=bool(variant))
    file_values = read_answers_file(answers) if answers else None
    use_defaults = no_input or not can_prompt()
    ask = None if use_defaults else Interviewer(_stderr())
    collected = collect_answers(
        flag_values=question_values,
        file_values=file_values,
        file_origin=str(answers),
        use_defaults=use_defaults,
        ask=ask,
    )
    folder = out or default_run_dir()
    progress = ProgressPrinter()
    try:
        run = run_advise(collected, folder, plan, force=force, progress=progress)
    except ProbesInterrupted as interrupted:
        progress.close()
        raise _interrupted(folder, interrupted.interrupt, advise=True) from None
    finally:
        progress.close()
    _print_outcome(run)
    if team is not None:
        typer.echo(f"Onboarding: {onboard_after_advise(run, team)}")


def _print_outcome(run: AdviceRun) -> None:
    from probes.variants import label

    card = run.scorecard
    runner_up = label(card.ranking[1])
    if card.near_tie:
        headline = f"Near tie: {label(card.leader)} and {runner_up} ({card.margin:.2f} points apart of 10)"
    else:
        headline = (
            f"Recommendation: {label(card.leader)}, {card.margin:.2f} points ahead of {runner_up}; "
            f"first in {card.kept_under_perturbation:.0%} of ±30% weightings"
        )
    missing = [r for r in run.evidence.probes() if not r.ok]
    typer.echo(headline)
    if missing:
        typer.echo(f"Not measured: {len(missing)} probe(s); the report says which and why.")
    typer.echo(f"Report: {run.folder.report}")


_advise_signature = inspect.signature(advise, eval_str=True)
advise.__signature__ = _advise_signature.replace(  # type: ignore[attr-defined]
    parameters=[p for p in _advise_signature.parameters.values() if p.kind != p.VAR_KEYWORD] + _question_parameters()
)
app.command("advise")(handle_errors(advise))


@app.command("probe")
@handle_errors
def probe(
    out: OutOpt = None,
    force: ForceOpt = False,
    budget: BudgetOpt = "quick",
    variant: VariantOpt = None,
    threads: ThreadsOpt = None,
    device: DeviceOpt = "auto",
    child_timeout: TimeoutOpt = None,
) -> None:
    """Only measure: run the probes and write evidence.json.

    Example: advisor probe --budget standard --out runs/laptop
    """
    from advisor.fileio import default_run_dir
    from advisor.runs import probe as run_probe
    from probes.runner import ProbesInterrupted

    plan = _plan(budget, variant, threads, device, child_timeout)
    folder = out or default_run_dir()
    progress = ProgressPrinter()
    try:
        evidence = run_probe(folder, plan, force=force, progress=progress)
    except ProbesInterrupted as interrupted:
        progress.close()
        raise _interrupted(folder, interrupted.interrupt, advise=False) from None
    finally:
        progress.close()
    probes = evidence.probes()
    failed = sum(1 for r in probes if not r.ok)
    typer.echo(f"Measured {len(probes) - failed} of {len(probes)} probes in {evidence.wall_s:.1f} s.")
    typer.echo(f"Evidence: {folder / 'evidence.json'}")


@app.command("report")
@handle_errors
def report(
    folder: Annotated[Path, typer.Argument(help="A run folder written by advise or probe.")],
    answers: Annotated[
        Path | None, typer.Option("--answers", help="Score with these answers instead of the folder's own.")
    ] = None,
) -> None:
    """Re-render report.html (and scorecard.json) from a run folder's records; measures nothing.

    Example: advisor report advisor-runs/2026-11-23T10-15-02
    """
    from advisor.questionnaire.questions import collect_answers, read_answers_file
    from advisor.runs import rerender

    replaced = None
    if answers is not None:
        replaced = collect_answers(file_values=read_answers_file(answers), file_origin=str(answers), use_defaults=True)
    run = rerender(folder, replaced)
    for note in run.remade:
        typer.echo(f"note: {note}", err=True)
    _print_outcome(run)


@app.command("claims")
@handle_errors
def claims(
    folder: Annotated[
        Optional[Path],
        typer.Argument(help="A run folder (or its evidence.json); without it, no evidence: nothing is measured."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of a table.")] = False,
) -> None:
    """List every claim from the source articles with its verdict from a run's evidence.

    Example: advisor claims advisor-runs/2026-11-23T10-15-02
    """
    import json

    from advisor.claims.listing import ledger_json, print_ledger
    from advisor.runs import checked_claims

    verdicts, origin = checked_claims(folder)
    if as_json:
        typer.echo(json.dumps(ledger_json(verdicts, origin), indent=2, ensure_ascii=False))
        return
    from rich.console import Console

    print_ledger(Console(highlight=False), verdicts, origin)


register_team_commands(app, handle_errors)


def version_callback(value: bool) -> None:
    if value:
        from advisor import __version__

        typer.echo(f"framework-advisor {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool, typer.Option("--version", callback=version_callback, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Which deep-learning framework to pick, with evidence measured on this machine."""


def main() -> None:
    """Console-script entry: SIGTERM ends a run the way Ctrl-C does (records kept, exit 143)."""
    signal.signal(signal.SIGTERM, _on_sigterm)
    app()


if __name__ == "__main__":
    sys.exit(main())
