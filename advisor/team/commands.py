"""The `team` and `compare` commands, and what `advise --team-decision` adds: thin layers over advisor.team.

Registered on the CLI app by advisor/cli.py; like it, this module imports nothing heavy at import
time (pandas and numpy load when a command runs).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from advisor.own_model import (
    ModelBatchOpt,
    ModelCodeOpt,
    ModelInputOpt,
    ModelLossOpt,
    ModelOpt,
    UnsafeModelOpt,
    model_from_options,
    with_model_measured,
)

if TYPE_CHECKING:  # for annotations only: these load when a command runs, never at CLI startup
    from advisor.runs import AdviceRun
    from advisor.team.folders import TeamRecord
    from probes.runner import ProbePlan

TEAMS_ROOT = Path("advisor-teams")

EvidenceOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--evidence",
        help="An evidence.json (or a folder holding one) from a machine the team uses; repeatable. "
        "The first is the primary machine, where the decision is scored; the others are scored too and "
        "shown as agreeing or not.",
    ),
]
LabelOpt = Annotated[
    list[str] | None,
    typer.Option("--label", help="A name for each evidence file's machine, in order (default: its hostname)."),
]


def team(
    members: Annotated[
        list[Path],
        typer.Argument(help="Each member's answers file (YAML or JSON) or run folder written by advisor advise."),
    ],
    evidence: EvidenceOpt = None,
    label: LabelOpt = None,
    title: Annotated[
        str | None, typer.Option("--title", help="The report's title (default: the members' project name).")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Folder for the team report and its records (default: a new folder in ./advisor-teams)."
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Write into --out even if it holds files already.")] = False,
    model: ModelOpt = None,
    model_input: ModelInputOpt = None,
    model_loss: ModelLossOpt = None,
    model_batch: ModelBatchOpt = None,
    model_code: ModelCodeOpt = None,
    unsafe_model: UnsafeModelOpt = False,
) -> None:
    """One decision for a team: combined weights, each member's pick, what splits them, a path for each.

    Members' weights are combined by their geometric mean (the AHP practice for group judgments).
    Measures nothing: pass the evidence of the machines the team uses (advisor probe on each).

    Example: advisor team alice.yaml bob.yaml runs/carol --evidence runs/laptop --evidence runs/gpu-server --out team

    The team's own model, measured here beside every member's answers: advisor team a.yaml b.yaml --model net.keras
    """
    from advisor.fileio import default_run_dir
    from advisor.team.decision import decide
    from advisor.team.folders import write_team_folder
    from advisor.team.inputs import load_team
    from probes.variants import label as variant_label

    if title is not None and (len(title) > 120 or any(ord(ch) < 32 for ch in title)):
        from advisor.errors import AdvisorError

        raise AdvisorError("option --title must be one line of at most 120 characters. Received: " + repr(title[:60]))
    own = model_from_options(model, model_input, model_loss, model_batch, model_code, unsafe_model)
    team_members, machines = load_team(members, evidence or [], label or [])
    if own is not None:
        progress = _progress()
        try:
            machines = with_model_measured(own, machines, progress)
        finally:
            progress.close()
    decision = decide(team_members, machines, title)
    folder = write_team_folder(decision, out or default_run_dir(TEAMS_ROOT), force=force)
    card = decision.scorecard
    runner_up = variant_label(card.ranking[1]) if len(card.ranking) > 1 else "none"
    agree = sum(1 for i in range(len(team_members)) if decision.member_pick(i).leader == card.leader)
    if card.near_tie:
        typer.echo(f"Near tie: {variant_label(card.leader)} and {runner_up} ({card.margin:.2f} points apart of 10)")
    else:
        typer.echo(
            f"Team pick: {variant_label(card.leader)}, {card.margin:.2f} points ahead of {runner_up}; "
            f"first in {card.kept_under_perturbation:.0%} of ±30% weightings"
        )
    where = f" on {decision.primary.label}" if decision.primary.label else " (nothing measured)"
    same = sum(1 for ms in decision.per_machine if ms.scorecard.leader == card.leader)
    typer.echo(
        f"{agree} of {len(team_members)} members pick it on their own; scored{where}"
        + (f", same pick on {same} of {len(decision.per_machine)} machines" if len(machines) > 1 else "")
    )
    typer.echo(f"Team report: {folder.report}")
    typer.echo(f"Decision record (Markdown): {folder.report.parent / 'decision.md'}")


def compare(
    evidence: Annotated[
        list[Path], typer.Argument(help="evidence.json files, or run folders holding one, from different machines.")
    ],
    label: LabelOpt = None,
    baseline: Annotated[
        str, typer.Option("--baseline", help="Ratios are each framework's figure over this variant's, per machine.")
    ] = "torch",
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Also write this HTML page (self-contained), with its data as JSON beside it."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite --out (and its .json) if they exist.")] = False,
) -> None:
    """Evidence from several machines side by side: environment, every figure, ratios between frameworks.

    A figure a machine did not record is shown as missing, never as zero; versions that differ are marked.

    Example: advisor compare runs/laptop runs/gpu-server/evidence.json --label laptop --label gpu --out machines.html
    """
    from rich.console import Console

    from advisor.team.compare import compare as compare_machines
    from advisor.team.compare import print_comparison, write_compare_page
    from advisor.team.inputs import load_machines

    comparison = compare_machines(load_machines(evidence, label or []), baseline)
    page = write_compare_page(comparison, out, force=force) if out else None
    print_comparison(comparison, Console(highlight=False))
    differences = comparison.version_differences()
    if differences:
        typer.echo(
            "Versions differ: "
            + "; ".join(f"{p}: " + ", ".join(f"{ver} on {lab}" for lab, ver in v.items()) for p, v in differences)
        )
    if page:
        typer.echo(f"Page: {page}")


def _progress() -> Any:
    from rich.console import Console

    from advisor.progress import ProgressDisplay

    return ProgressDisplay(Console(stderr=True, highlight=False))


def register(app: typer.Typer, handle_errors: Callable[[Callable[..., Any]], Callable[..., Any]]) -> None:
    app.command("team")(handle_errors(team))
    app.command("compare")(handle_errors(compare))


# --- advise --team-decision


def team_for_advise(team_dir: Path, plan: ProbePlan, variants_given: bool) -> tuple[TeamRecord, ProbePlan]:
    """Read the team decision before anything is measured; make sure the team's framework is measured."""
    from advisor.team.folders import load_team_record

    record = load_team_record(team_dir)
    if not variants_given and record.variant not in plan.variants:
        plan = replace(plan, variants=(*plan.variants, record.variant))
    return record, plan


def onboard_after_advise(run: AdviceRun, record: TeamRecord) -> Path:
    from advisor.team.folders import write_onboarding

    return write_onboarding(run.folder.path, record, run.profile.answers, run.evidence, run.scorecard)
