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
from rich.text import Text
from typer.core import TyperCommand

from advisor.errors import AdvisorError
from advisor.own_model import (
    ModelBatchOpt,
    ModelCodeOpt,
    ModelInputOpt,
    ModelLossOpt,
    ModelOpt,
    UnsafeModelOpt,
    model_from_options,
)
from advisor.questionnaire.questions import load_questions
from advisor.team.commands import onboard_after_advise, team_for_advise
from advisor.team.commands import register as register_team_commands

if TYPE_CHECKING:  # for annotations only: the CLI imports these when a command runs, never at startup
    from rich.console import Console

    from advisor.runs import AdviceRun
    from probes.runner import ProbePlan

app = typer.Typer(
    name="advisor",
    help="Which deep-learning framework to pick (PyTorch, Keras, TensorFlow), with evidence measured on this machine.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

EXIT_NOTHING_MEASURED = 3  # the run finished but measured nothing: its report rests on the articles alone
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143


class PanelCommand(TyperCommand):
    """A command whose --help lists its options in named groups ("Run options", "Answers"), as gh does.

    Typer draws its help panels only with Rich markup on, which would read the help texts' [brackets]
    as markup; this keeps plain help and groups the options by their `rich_help_panel`.
    """

    def format_options(self, ctx: Any, formatter: Any) -> None:
        import re

        groups: dict[str, list[tuple[str, str]]] = {}
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is not None and param.param_type_name == "argument":
                groups.setdefault("Arguments", []).append((record[0].split()[0], record[1]))
            elif record is not None:
                # one style for every default: "[default: quick]", also where the default is a sentence
                text = re.sub(r"\[default: \((.*?)\)([;\]])", r"[default: \1\2", record[1])
                groups.setdefault(getattr(param, "rich_help_panel", None) or "Options", []).append((record[0], text))
        for title, records in groups.items():
            with formatter.section(title):
                formatter.write_dl(records)


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

RUN_PANEL = "Run options"
BudgetOpt = Annotated[
    str,
    typer.Option(
        "--budget",
        metavar="[tiny|quick|standard|thorough|scale]",
        help="How long to measure: tiny is a smoke test, quick under a minute, standard a few minutes;"
        " scale measures batch sizes, data from disk and data-parallel processes.",
        rich_help_panel=RUN_PANEL,
    ),
]
OutOpt = Annotated[
    Path | None,
    typer.Option(
        "--out",
        metavar="FOLDER",
        help="Folder for the records and report.",
        show_default="a new folder in ./advisor-runs",
        rich_help_panel=RUN_PANEL,
    ),
]
ForceOpt = Annotated[
    bool, typer.Option("--force", help="Write into --out even if it holds files already.", rich_help_panel=RUN_PANEL)
]
VariantOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--variant",
        metavar="VARIANT",
        help="Measure only this variant (repeatable): torch, keras-tensorflow, tensorflow, keras-torch, keras-jax; "
        "named options: torch-compile, keras-tensorflow-xla, tensorflow-xla, and on request only the mixed-precision "
        "torch-amp, keras-tensorflow-mixed.",
        show_default="the budget's",
        rich_help_panel=RUN_PANEL,
    ),
]
ThreadsOpt = Annotated[
    int | None,
    typer.Option(
        "--threads",
        min=1,
        metavar="N",
        help="CPU threads for every framework.",
        show_default="the cores this process may use",
        rich_help_panel=RUN_PANEL,
    ),
]
DeviceOpt = Annotated[
    str,
    typer.Option("--device", metavar="[auto|cpu]", help="auto: a GPU when one is found.", rich_help_panel=RUN_PANEL),
]
TimeoutOpt = Annotated[
    float | None,
    typer.Option(
        "--child-timeout",
        min=1,
        metavar="SECONDS",
        help="Seconds before a probe child is killed.",
        show_default="the budget's",
        rich_help_panel=RUN_PANEL,
    ),
]
OpenOpt = Annotated[
    bool,
    typer.Option(
        "--open", help="Open the report in the default browser when there is a display.", rich_help_panel=RUN_PANEL
    ),
]


def _plan(
    budget: str,
    variant: list[str] | None,
    threads: int | None,
    device: str,
    child_timeout: float | None,
    model: Any = None,
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
        return make_plan(chosen, variants=variant or None, threads=threads, device=device, model=model)
    except ValueError as error:  # probes/ says what is wrong; the edge makes it one line and exit 2
        raise AdvisorError(str(error)) from None


def _progress(plan: ProbePlan) -> Any:
    """The progress display, after saying what would keep the GPU unused (before any measuring)."""
    from advisor.progress import ProgressDisplay
    from probes.environment import cuda_readiness

    console = _stderr()
    if plan.device != "cpu":
        for problem in cuda_readiness():
            console.print(Text(f"warning: {problem}", style="yellow"), highlight=False)
    return ProgressDisplay(console, plan)


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

ANSWERS_PANEL = "Answers (each also a key of an --answers file, with underscores)"


def _question_parameters() -> list[inspect.Parameter]:
    params = []
    for question in load_questions():
        default = question.default if question.kind != "multi" else ",".join(question.default)
        if question.kind == "choice":
            metavar = "[" + "|".join(question.choices) + "]"
        elif question.kind == "multi":
            metavar = "[" + "|".join(question.choices) + "],..."
        else:
            metavar = "TEXT"
        params.append(
            inspect.Parameter(
                question.key,
                inspect.Parameter.KEYWORD_ONLY,
                default=typer.Option(
                    None,
                    question.flag,
                    metavar=metavar,
                    help=question.text,
                    rich_help_panel=ANSWERS_PANEL,
                    show_default=default or "none",
                ),
                annotation=Optional[str],
            )
        )
    return params


def advise(
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
    out: OutOpt = None,
    force: ForceOpt = False,
    budget: BudgetOpt = "quick",
    variant: VariantOpt = None,
    threads: ThreadsOpt = None,
    device: DeviceOpt = "auto",
    child_timeout: TimeoutOpt = None,
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
    model: ModelOpt = None,
    model_input: ModelInputOpt = None,
    model_loss: ModelLossOpt = None,
    model_batch: ModelBatchOpt = None,
    model_code: ModelCodeOpt = None,
    unsafe_model: UnsafeModelOpt = False,
    **question_values: str | None,
) -> None:
    """Ask, measure, score and write the report.

    Example: advisor advise --no-input --goal research --deployment-target server

    Joining a team later: advisor advise --answers me.yaml --team-decision advisor-teams/2026-11-23T10-15-02
    """
    from advisor.fileio import check_output_dir, default_run_dir
    from advisor.questionnaire.interview import Interviewer, can_prompt
    from advisor.questionnaire.questions import collect_answers, read_answers_file
    from advisor.runs import advise as run_advise
    from probes.runner import ProbesInterrupted

    own = model_from_options(model, model_input, model_loss, model_batch, model_code, unsafe_model)
    plan = _plan(budget, variant, threads, device, child_timeout, own)
    team = None
    if team_decision is not None:
        team, plan = team_for_advise(team_decision, plan, variants_given=bool(variant))
    file_values = read_answers_file(answers) if answers else None
    folder = out or default_run_dir()
    check_output_dir(folder, force=force)  # before any question: never ask, then refuse the folder
    interviewer = None if no_input or not can_prompt() else Interviewer(_stderr())
    if interviewer is not None:
        unanswered = [
            q for q in load_questions() if question_values.get(q.key) is None and q.key not in (file_values or {})
        ]
        interviewer.intro(len(unanswered), _measuring_sentence(plan))
    collected = collect_answers(
        flag_values=question_values,
        file_values=file_values,
        file_origin=str(answers),
        use_defaults=interviewer is None,
        ask=interviewer,
    )
    if interviewer is not None:
        collected = interviewer.review(collected)
    progress = _progress(plan)
    try:
        run = run_advise(collected, folder, plan, force=force, progress=progress)
    except ProbesInterrupted as interrupted:
        progress.close()
        raise _interrupted(folder, interrupted.interrupt, advise=True) from None
    except AdvisorError as error:
        progress.close()
        raise _with_answers_kept(error, collected, folder) from None
    finally:
        progress.close()
    _print_outcome(run, open_report=open_report)
    if team is not None:
        typer.echo(f"Onboarding: {onboard_after_advise(run, team)}")
    if not _measured_anything(run):
        raise typer.Exit(EXIT_NOTHING_MEASURED)


def _measured_anything(run: AdviceRun) -> bool:
    """False when the report rests on the articles alone: the exit status says so to scripts (3)."""
    return bool(run.evidence) and any(r.ok for r in run.evidence.probes())


def _measuring_sentence(plan: ProbePlan) -> str:
    typical = plan.budget.typical_s
    about = f"about {typical / 60:.0f} minutes" if typical and typical >= 90 else f"about {typical:.0f} s"
    return f"measuring takes {about} on a 2-core laptop ({plan.budget.name} budget)" if typical else "measuring"


def _with_answers_kept(error: AdvisorError, answers: Any, folder: Path) -> AdvisorError:
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


def _print_outcome(run: AdviceRun, *, open_report: bool = False) -> None:
    """The terminal's summary: the headline, what the evidence cannot carry, where the report is."""
    from advisor.report.terminal import score_table
    from probes.variants import label

    card = run.scorecard
    runner_up = label(card.ranking[1]) if len(card.ranking) > 1 else "none"
    if card.confidence == "provisional":
        headline = f"Provisional: {label(card.leader)} leads {runner_up} by {card.margin:.2f} points of 10"
    elif card.near_tie:
        headline = f"Near tie: {label(card.leader)} and {runner_up} ({card.margin:.2f} points apart of 10)"
    else:
        headline = (
            f"Recommendation: {label(card.leader)}, {card.margin:.2f} points ahead of {runner_up}; "
            f"first in {card.kept_under_perturbation:.0%} of ±30% weightings"
        )
    typer.echo(headline)
    for caveat in card.caveats:
        typer.echo(f"  ! {caveat.text}")
    typer.echo("")
    for line in score_table(card):
        typer.echo(line)
    typer.echo("")
    missing = [r for r in run.evidence.probes() if not r.ok] if run.evidence else []
    if missing:
        typer.echo(f"Not measured: {len(missing)} probe(s); the report says which and why.")
    report = run.folder.report.resolve()
    typer.echo(f"Report: {report}")
    typer.echo(f"        {report.as_uri()}")
    typer.echo(f"Decision record (Markdown): {report.parent / 'decision.md'}")
    typer.echo(f"Replay these answers: advisor advise --answers {run.folder.answers.resolve()}")
    if open_report:
        typer.echo(_open_in_browser(report))


def _open_in_browser(path: Path) -> str:
    """Open the report where there is a display; otherwise say so (a server has none)."""
    import os
    import webbrowser

    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return "--open: no display here; open the file:// address above in a browser."
    try:
        opened = webbrowser.open(path.as_uri())
    except webbrowser.Error:
        opened = False
    return "Opened the report in your browser." if opened else "--open: no browser found; open the address above."


_advise_signature = inspect.signature(advise, eval_str=True)
advise.__signature__ = _advise_signature.replace(  # type: ignore[attr-defined]
    parameters=[p for p in _advise_signature.parameters.values() if p.kind != p.VAR_KEYWORD] + _question_parameters()
)
app.command("advise", cls=PanelCommand)(handle_errors(advise))


@app.command("probe", cls=PanelCommand)
@handle_errors
def probe(
    out: OutOpt = None,
    force: ForceOpt = False,
    budget: BudgetOpt = "quick",
    variant: VariantOpt = None,
    threads: ThreadsOpt = None,
    device: DeviceOpt = "auto",
    child_timeout: TimeoutOpt = None,
    add_to: Annotated[
        Path | None,
        typer.Option(
            "--add-to",
            metavar="FOLDER",
            help="Add what this budget measures to a run folder of this machine (then: advisor report FOLDER).",
            rich_help_panel=RUN_PANEL,
        ),
    ] = None,
    model: ModelOpt = None,
    model_input: ModelInputOpt = None,
    model_loss: ModelLossOpt = None,
    model_batch: ModelBatchOpt = None,
    model_code: ModelCodeOpt = None,
    unsafe_model: UnsafeModelOpt = False,
) -> None:
    """Only measure: run the probes and write evidence.json.

    Example: advisor probe --budget standard --out runs/laptop

    The scale probe beside it, in the same report: advisor probe --budget scale --add-to runs/laptop

    Your own model too: advisor probe --model model.keras   (or --model net.py:build_model)
    """
    from advisor.fileio import default_run_dir
    from advisor.runs import probe as run_probe
    from advisor.runs import probe_into
    from probes.runner import ProbesInterrupted

    if add_to is not None and out is not None:
        raise AdvisorError("options --add-to and --out: give one (--add-to adds to a folder, --out makes a new one)")
    own = model_from_options(model, model_input, model_loss, model_batch, model_code, unsafe_model)
    plan = _plan(budget, variant, threads, device, child_timeout, own)
    folder = add_to or out or default_run_dir()
    progress = _progress(plan)
    try:
        if add_to is not None:
            evidence = probe_into(add_to, plan, progress=progress)
        else:
            evidence = run_probe(folder, plan, force=force, progress=progress)
    except ProbesInterrupted as interrupted:
        progress.close()
        raise _interrupted(folder, interrupted.interrupt, advise=False) from None
    finally:
        progress.close()
    probes = evidence.probes()
    measured = sum(1 for r in probes if r.ok)
    typer.echo(f"Measured {measured} of {len(probes)} probes in {evidence.wall_s:.1f} s.")
    typer.echo(f"Evidence: {(folder / 'evidence.json').resolve()}")
    if add_to is not None:
        typer.echo(f"Render the report with both runs: advisor report {add_to}")
    if not measured:
        typer.echo("Nothing was measured: evidence.json says why for each probe.", err=True)
        raise typer.Exit(EXIT_NOTHING_MEASURED)


@app.command("report", cls=PanelCommand)
@handle_errors
def report(
    folder: Annotated[Path, typer.Argument(help="A run folder written by advise or probe (or its evidence.json).")],
    answers: Annotated[
        Path | None,
        typer.Option(
            "--answers",
            metavar="FILE",
            help="Score with these answers instead of the folder's own; written to --out, never over the folder's.",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="FOLDER",
            help="With --answers: the folder for that scoring.",
            show_default="FOLDER-<answers file name> beside the run",
        ),
    ] = None,
    force: ForceOpt = False,
    open_report: OpenOpt = False,
) -> None:
    """Re-render report.html (and scorecard.json) from a run folder's records; measures nothing.

    Example: advisor report advisor-runs/2026-11-23T10-15-02

    Someone else's advice on the same evidence: advisor report advisor-runs/2026-11-23T10-15-02 --answers carol.yaml
    """
    from advisor.questionnaire.questions import collect_answers, read_answers_file
    from advisor.runs import rerender, rescore_into, run_folder_of

    folder = run_folder_of(folder)
    if answers is not None:
        other = collect_answers(file_values=read_answers_file(answers), file_origin=str(answers), use_defaults=True)
        target = out or folder.with_name(f"{folder.name}-{answers.stem}")
        run = rescore_into(folder, other, target, force=force)
    elif out is not None:
        raise AdvisorError("option --out is for --answers: without it, the report is re-rendered in its own folder")
    else:
        run = rerender(folder)
    for note in run.remade:
        typer.echo(f"note: {note}", err=True)
    _print_outcome(run, open_report=open_report)
    if not _measured_anything(run):
        raise typer.Exit(EXIT_NOTHING_MEASURED)


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
