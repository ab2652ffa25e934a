"""A team folder, a joiner's onboarding page and a machines page, as advisor/runs.py is a person's run folder.

The team's decision is scored in advisor/scoring/team.py and shown by advisor/report/team.py, machines
are compared in advisor/scoring/compare.py and shown by advisor/report/compare.py; here everything is
made in memory first, then written atomically. A team folder holds team.html,
team.json, each member's answers (members/*.yaml) and each machine's evidence (machines/*.json), so
the decision can be re-made and a later member can be onboarded from it
(`advisor advise --team-decision FOLDER`).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from advisor.errors import OutputError, RecordError
from advisor.fileio import prepare_output_dir, read_json, read_record, write_json_atomic, write_text_atomic
from advisor.questionnaire.questions import answers_file_text
from advisor.records.answers import Answers
from advisor.records.compare import Comparison
from advisor.records.onboarding import OnboardingPath
from advisor.records.scorecard import Scorecard
from advisor.records.team import TEAM_FORMAT, Machine, TeamDecision
from advisor.report.compare import compare_page
from advisor.report.markdown import render_markdown
from advisor.report.onboarding import onboarding_view, path_data
from advisor.report.page import embedded_json, render_page
from advisor.report.team import team_view
from advisor.report.team_record import team_decision_record
from advisor.scoring.compare import compare
from advisor.scoring.onboarding import plan_onboarding
from probes.evidence import Evidence
from probes.variants import VARIANTS


@dataclass(frozen=True)
class TeamFolder:
    path: Path
    decision: TeamDecision
    paths: tuple[OnboardingPath, ...]

    @property
    def report(self) -> Path:
        return self.path / "team.html"


def _slug(text: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "item"
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    taken.add(slug)
    return slug


TEAM_RECORDS = ("team.json", "team.html", "decision.md")


def _earlier_inputs(folder: Path) -> list[Path]:
    """The members/ and machines/ files an earlier team decision in `folder` listed (replaced with --force)."""
    try:
        files = read_json(folder / "team.json", "team decision").get("files") or {}
    except RecordError:
        return []
    listed = [str(entry.get("file", "")) for group in ("members", "machines") for entry in files.get(group) or []]
    return [folder / f for f in listed if re.fullmatch(r"(members|machines)/[a-z0-9-]+\.(yaml|json)", f)]


def write_team_folder(decision: TeamDecision, out: Path, *, force: bool = False) -> TeamFolder:
    """Render everything, then create `out` and write it; a bad input never leaves a partial folder."""
    created_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    paths = tuple(plan_onboarding(m.name, m.answers, decision.leader, decision.machines) for m in decision.members)
    taken: set[str] = set()
    member_files = {m.name: f"members/{_slug(m.name, taken)}.yaml" for m in decision.members}
    taken = set()
    machine_files = {m.label: f"machines/{_slug(m.label, taken)}.json" for m in decision.machines}
    command = ["advisor", "team", *member_files.values()]
    for machine in decision.machines:
        command += ["--evidence", machine_files[machine.label], "--label", machine.label]
    command += ["--out", "NEW_FOLDER"]
    record = {
        **decision.to_json(),
        "created_at": created_at,
        "onboarding": [path_data(p) for p in paths],
        "files": {
            "members": [{"name": n, "file": f} for n, f in member_files.items()],
            "machines": [{"label": label, "file": f} for label, f in machine_files.items()],
        },
        "reproduce": shlex.join(command),
    }
    comparison = compare(decision.machines) if decision.machines else None
    view = team_view(decision, paths, comparison, created_at, shlex.join(command))
    html = render_page("team.html", view=view, data_json=embedded_json(record))
    markdown = render_markdown(team_decision_record(decision, created_at))
    earlier = _earlier_inputs(Path(out)) if force else []
    folder = prepare_output_dir(out, force=force, records=TEAM_RECORDS)
    for stale in earlier:  # an earlier team's member and machine files, so none is mistaken for this one's
        stale.unlink(missing_ok=True)
    for sub in ("members", "machines"):
        (folder / sub).mkdir(exist_ok=True)
    for member in decision.members:
        write_text_atomic(folder / member_files[member.name], answers_file_text(member.answers))
    for machine in decision.machines:
        write_json_atomic(folder / machine_files[machine.label], machine.evidence.to_json())
    write_json_atomic(folder / "team.json", record)
    write_text_atomic(folder / "decision.md", markdown)
    write_text_atomic(folder / "team.html", html)
    return TeamFolder(folder, decision, paths)


@dataclass(frozen=True)
class TeamRecord:
    """A saved team decision, as a member who joins later needs it."""

    path: Path
    data: dict[str, Any]
    machines: tuple[Machine, ...]

    @property
    def variant(self) -> str:
        return self.data["decision"]["variant"]


def load_team_record(team_dir: Path) -> TeamRecord:
    """Read TEAM_DIR/team.json (and the machines' evidence it lists), or fail naming the file and field."""
    team_dir = Path(team_dir)
    if not team_dir.is_dir():
        raise RecordError(f"{team_dir}: no such team folder (expected a folder written by advisor team)")
    file = team_dir / "team.json"
    data = read_json(file, "team decision")
    if data.get("format") != TEAM_FORMAT:
        raise RecordError(f"{file}: 'format' must be {TEAM_FORMAT}. Received: {data.get('format')!r}")
    decision = data.get("decision")
    variant = decision.get("variant") if isinstance(decision, dict) else None
    if variant not in VARIANTS:
        raise RecordError(f"{file}: 'decision.variant' must be one of {', '.join(VARIANTS)}. Received: {variant!r}")
    machines = []
    for entry in (data.get("files") or {}).get("machines") or []:
        path = team_dir / str(entry.get("file"))
        evidence = read_record(path, "evidence", Evidence.from_json)
        machines.append(Machine(f"{entry.get('label')} (team)", str(path), evidence))
    return TeamRecord(team_dir, data, tuple(machines))


def write_onboarding(
    folder: Path, team: TeamRecord, answers: Answers, evidence: Evidence, own: Scorecard, label: str | None = None
) -> Path:
    """onboarding.html and onboarding.json in a run folder: the team's framework, this member's path."""
    created_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    here = Machine(
        label or str(evidence.environment.get("hostname") or "this machine"), str(folder / "evidence.json"), evidence
    )
    name = answers.name or "you"
    path = plan_onboarding(name, answers, team.variant, [here, *team.machines])
    machines: Sequence[Machine] = [here, *team.machines]
    view = onboarding_view(team.data, str(team.path), path, own, machines, compare(machines), created_at)
    record = {
        "format": "advisor-onboarding/1",
        "created_at": created_at,
        "team_folder": str(team.path),
        "team_decision": team.data["decision"],
        "own_pick": own.leader,
        "onboarding": path_data(path),
    }
    html = render_page("onboarding.html", view=view, data_json=embedded_json(record))
    write_json_atomic(Path(folder) / "onboarding.json", record)
    write_text_atomic(Path(folder) / "onboarding.html", html)
    return Path(folder) / "onboarding.html"


def write_compare_page(comparison: Comparison, out: Path, *, force: bool = False) -> Path:
    """compare.html (self-contained) at `out`, and the same data as JSON beside it (out with .json)."""
    out = Path(out)
    data_path = out.with_suffix(".json")
    if out.suffix.lower() not in (".html", ".htm"):
        raise OutputError(f"option --out must name an .html file. Received: {str(out)!r}")
    for path in (out, data_path):
        if path.exists() and not force:
            raise OutputError(f"{path}: exists already; choose another --out or add --force to overwrite")
    if not out.parent.is_dir():
        raise OutputError(f"{out.parent}: no such folder for --out")
    html, data = compare_page(comparison)
    write_json_atomic(data_path, data)
    write_text_atomic(out, html)
    return out
