"""`advisor team` and `advisor compare`, and what `advise --team-decision` adds: thin layers over the team code."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from advisor.cli.app import app, handle_errors
from advisor.cli.options import LabelOpt

if TYPE_CHECKING:  # for annotations only: these load when a command runs, never at CLI startup
    from advisor.records.team import TeamDecision
    from advisor.runs import AdviceRun
    from advisor.teams import TeamRecord
    from probes.runner import ProbePlan

TEAMS_ROOT = Path("advisor-teams")


@app.command("team")
@handle_errors
def team(
    members: Annotated[
        list[Path],
        typer.Argument(help="Each member's answers file (YAML or JSON) or run folder written by advisor advise."),
    ],
    evidence: Annotated[
        list[Path] | None,
        typer.Option(
            "--evidence",
            help="An evidence.json (or a folder holding one) from a machine the team uses; repeatable. "
            "The first is the primary machine, where the decision is scored; the others are scored too and "
            "shown as agreeing or not.",
        ),
    ] = None,
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
) -> None:
    """One decision for a team: combined weights, each member's pick, what splits them, a path for each.

    Members' weights are combined by their geometric mean (the AHP practice for group judgments).
    Measures nothing: pass the evidence of the machines the team uses (advisor probe on each).

    Example: advisor team alice.yaml bob.yaml runs/carol --evidence runs/laptop --evidence runs/gpu-server --out team
    """
    from advisor.errors import AdvisorError
    from advisor.fileio import default_run_dir
    from advisor.scoring.team import decide
    from advisor.team_inputs import load_team
    from advisor.teams import write_team_folder

    if title is not None and (len(title) > 120 or any(ord(ch) < 32 for ch in title)):
        raise AdvisorError("option --title must be one line of at most 120 characters. Received: " + repr(title[:60]))
    team_members, machines = load_team(members, evidence or [], label or [])
    decision = decide(team_members, machines, title)
    folder = write_team_folder(decision, out or default_run_dir(TEAMS_ROOT), force=force)
    for line in _team_summary(decision, len(machines)):
        typer.echo(line)
    typer.echo(f"Team report: {folder.report}")
    typer.echo(f"Decision record (Markdown): {folder.report.parent / 'decision.md'}")


def _team_summary(decision: TeamDecision, machines_given: int) -> list[str]:
    from probes.variants import label as variant_label

    card = decision.scorecard
    runner_up = variant_label(card.ranking[1]) if len(card.ranking) > 1 else "none"
    if card.near_tie:
        headline = f"Near tie: {variant_label(card.leader)} and {runner_up} ({card.margin:.2f} points apart of 10)"
    else:
        headline = (
            f"Team pick: {variant_label(card.leader)}, {card.margin:.2f} points ahead of {runner_up}; "
            f"first in {card.kept_under_perturbation:.0%} of ±30% weightings"
        )
    agree = sum(1 for i in range(len(decision.members)) if decision.member_pick(i).leader == card.leader)
    where = f" on {decision.primary.label}" if decision.primary.label else " (nothing measured)"
    same = sum(1 for ms in decision.per_machine if ms.scorecard.leader == card.leader)
    agreement = f"{agree} of {len(decision.members)} members pick it on their own; scored{where}" + (
        f", same pick on {same} of {len(decision.per_machine)} machines" if machines_given > 1 else ""
    )
    return [headline, agreement]


@app.command("compare")
@handle_errors
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

    from advisor.report.compare import print_comparison
    from advisor.scoring.compare import compare as compare_machines
    from advisor.team_inputs import load_machines
    from advisor.teams import write_compare_page

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


# --- advise --team-decision


def team_for_advise(team_dir: Path, plan: ProbePlan, variants_given: bool) -> tuple[TeamRecord, ProbePlan]:
    """Read the team decision before anything is measured; make sure the team's framework is measured."""
    from advisor.teams import load_team_record

    record = load_team_record(team_dir)
    if not variants_given and record.variant not in plan.variants:
        plan = replace(plan, variants=(*plan.variants, record.variant))
    return record, plan


def onboard_after_advise(run: AdviceRun, record: TeamRecord) -> Path:
    from advisor.teams import write_onboarding

    return write_onboarding(run.folder.path, record, run.profile.answers, run.evidence, run.scorecard)
