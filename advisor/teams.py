"""A team folder, a joiner's onboarding page and a machines page, as advisor/runs.py is a person's run folder.

The team's decision is scored in advisor/scoring/team.py and shown by advisor/report/team.py, machines
are compared in advisor/scoring/compare.py and shown by advisor/report/compare.py; here everything is
made in memory first, then written atomically. A team folder holds team.html,
team.json, each member's answers (members/*.yaml) and each machine's evidence (machines/*.json), so
the decision can be re-made and a later member can be onboarded from it
(`advisor advise --team-decision FOLDER`).
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from advisor.errors import OutputError, RecordError
from advisor.fileio import (
    check_output_dir,
    prepare_output_dir,
    read_json,
    read_record,
    write_text_atomic,
    writing_into,
    written_by_this_tool,
)
from advisor.questionnaire.questions import answers_file_text
from advisor.records.answers import Answers
from advisor.records.compare import COMPARE_FORMAT, Comparison
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
from probes import readback
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
MEMBER_FILE, MACHINE_FILE = r"members/[a-z0-9-]+\.yaml", r"machines/[a-z0-9-]+\.json"  # what a team.json lists


def _earlier_inputs(folder: Path) -> list[Path]:
    """The members/ and machines/ files an earlier team decision in `folder` listed (replaced with --force)."""
    try:
        files = read_json(folder / "team.json", "team decision").get("files") or {}
    except RecordError:
        return []
    listed = [str(entry.get("file", "")) for group in ("members", "machines") for entry in files.get(group) or []]
    return [folder / f for f in listed if re.fullmatch(MEMBER_FILE, f) or re.fullmatch(MACHINE_FILE, f)]


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
    files = {member_files[m.name]: answers_file_text(m.answers) for m in decision.members}
    files |= {machine_files[m.label]: _json_text(m.evidence.to_json()) for m in decision.machines}
    files |= {"team.json": _json_text(record), "decision.md": markdown, "team.html": html}  # team.json marks it
    out = Path(out)
    made = not out.exists()
    check_output_dir(out, force=force, records=TEAM_RECORDS, kind="team decision")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{out}: cannot create the output folder ({exc.strerror or exc})") from exc
    try:
        with writing_into(out):  # two team decisions written at once never mix their files
            _write_team_files(out, files, force=force)
    except BaseException:
        if made and out.is_dir() and not any(out.iterdir()):
            out.rmdir()
        raise
    return TeamFolder(out, decision, paths)


def _json_text(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _write_team_files(out: Path, files: dict[str, str], *, force: bool) -> None:
    """Clear an earlier team's files (--force) and write these; interrupted or failed, none of them stays."""
    earlier = _earlier_inputs(out) if force else []
    folder = prepare_output_dir(out, force=force, records=TEAM_RECORDS, kind="team decision")
    for stale in earlier:  # an earlier team's member and machine files, so none is mistaken for this one's
        stale.unlink(missing_ok=True)
    try:
        for sub in ("members", "machines"):
            (folder / sub).mkdir(exist_ok=True)
        _write_together({folder / name: text for name, text in files.items()})
    except BaseException:  # no half-made team decision is left to be mistaken for one
        for sub in ("members", "machines"):
            if (folder / sub).is_dir() and not any((folder / sub).iterdir()):
                (folder / sub).rmdir()
        raise


def _write_together(files: dict[Path, str]) -> None:
    """Write each file atomically, in order; interrupted (Ctrl-C) or failed (a full disk), remove the ones
    written, so that a record never stands without the page it belongs with."""
    written: list[Path] = []
    try:
        for path, text in files.items():
            write_text_atomic(path, text)
            written.append(path)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise


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
    try:
        _check_decision(data)
    except readback.OutOfRange as exc:
        raise RecordError(f"{file}: {exc}") from None
    machines = []
    for entry in (data.get("files") or {}).get("machines") or []:
        name = str(entry.get("file") if isinstance(entry, dict) else entry)
        if not re.fullmatch(MACHINE_FILE, name):  # never a path out of the team folder (../, /etc/...)
            raise RecordError(f"{file}: 'files.machines' must name files machines/NAME.json. Received: {name!r:.80}")
        path = team_dir / name
        evidence = read_record(path, "evidence", Evidence.from_json)
        machines.append(Machine(f"{entry.get('label')} (team)", str(path), evidence))
    return TeamRecord(team_dir, data, tuple(machines))


def _check_decision(data: dict[str, Any]) -> None:
    """The fields of a team decision the onboarding page shows, of the type and range the team command writes,
    so that a hand-edited team.json is refused before anything is measured, not after."""
    decision = data["decision"]
    readback.text("decision.label", decision.get("label"))
    readback.text("decision.machine", decision.get("machine"), optional=True)
    readback.flag("decision.near_tie", decision.get("near_tie"))
    for field, high in (("margin", 10.0), ("kept_first", 1.0)):
        value = decision.get(field)
        if not (readback.is_number(value) and 0 <= value <= high):
            raise readback.OutOfRange(f"decision.{field}", f"a number from 0 to {high:g}", value)
    readback.text("title", data.get("title"), optional=True)
    readback.text("created_at", data.get("created_at", ""))
    members = data.get("members", [])
    named = isinstance(members, list) and all(isinstance(m, dict) and isinstance(m.get("name"), str) for m in members)
    if not named:
        raise readback.OutOfRange("members", "a list of members, each with a name", members)


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
    _write_together({Path(folder) / "onboarding.json": _json_text(record), Path(folder) / "onboarding.html": html})
    return Path(folder) / "onboarding.html"


def write_compare_page(comparison: Comparison, out: Path, *, force: bool = False) -> Path:
    """compare.html (self-contained) at `out`, and the same data as JSON beside it (out with .json)."""
    out = Path(out)
    if out.suffix.lower() not in (".html", ".htm"):
        raise OutputError(f"option --out must name an .html file. Received: {str(out)!r}")
    data_path = out.with_suffix(".json")
    inputs = {Path(machine.source).resolve() for machine in comparison.machines}
    for path in (out, data_path):
        if path.resolve() in inputs:
            raise OutputError(f"{path}: is one of the evidence files compared; choose another --out")
        if path.exists() and not force:
            raise OutputError(f"{path}: exists already; choose another --out or add --force to overwrite")
        if path.exists() and not written_by_this_tool(path, COMPARE_FORMAT.partition("/")[0]):
            raise OutputError(
                f"{path}: not a comparison this tool wrote; --force replaces only an earlier comparison's page "
                "and data. Choose another --out"
            )
    if not out.parent.is_dir():
        raise OutputError(f"{out.parent}: no such folder for --out")
    html, data = compare_page(comparison)
    _write_together({data_path: _json_text(data), out: html})
    return out
