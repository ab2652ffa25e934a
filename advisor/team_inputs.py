"""Members and machines: read every input first, report every invalid one at once, keep none half-read.

A member is an answers file (YAML or JSON) or a run folder written by `advisor advise` (its
answers.yaml, or its profile.json, and its evidence.json). A machine is an evidence file (or a
run folder holding one), labelled by the hostname it recorded unless a label is given. Both are
records (advisor/records/team.py) that team scoring and the machine comparison take.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from advisor.errors import AdvisorError, AnswersError, RecordError
from advisor.fileio import read_json, read_record
from advisor.questionnaire.profile import build_profile, profile_from_json
from advisor.questionnaire.questions import collect_answers, read_answers_file
from advisor.records.answers import Answers
from advisor.records.team import Machine, Member
from probes.evidence import Evidence


class TeamInputError(AdvisorError):
    """One or more member or evidence files are invalid; the message names each file and field."""


def load_member(path: Path) -> tuple[Answers, str, str | None]:
    """(answers, the file they came from, the folder's evidence.json or None); raises AdvisorError."""
    path = Path(path)
    if path.is_dir():
        answers_yaml, profile_json, evidence_json = path / "answers.yaml", path / "profile.json", path / "evidence.json"
        evidence = str(evidence_json) if evidence_json.exists() else None
        if answers_yaml.exists():
            values = read_answers_file(answers_yaml)
            return (
                collect_answers(file_values=values, file_origin=str(answers_yaml), use_defaults=True),
                str(answers_yaml),
                evidence,
            )
        if profile_json.exists():
            profile = profile_from_json(read_json(profile_json, "profile"), str(profile_json))
            return profile.answers, str(profile_json), evidence
        raise AnswersError(
            f"{path}: no answers.yaml or profile.json here. Expected an answers file or a run folder written by "
            "advisor advise"
        )
    values = read_answers_file(path)
    return collect_answers(file_values=values, file_origin=str(path), use_defaults=True), str(path), None


def _member_name(answers: Answers, path: Path) -> str:
    if answers.name:
        return answers.name
    if path.is_dir() or path.stem in ("answers", "profile"):
        return (path if path.is_dir() else path.parent).resolve().name or str(path)
    return path.stem


def load_team(
    member_paths: Sequence[Path], evidence_paths: Sequence[Path] = (), labels: Sequence[str] = ()
) -> tuple[list[Member], list[Machine]]:
    """Every member and machine, or one TeamInputError listing every invalid file with its field.

    Returns (members, machines): machines given with --evidence first (in order, the first is the
    primary), then those found in members' run folders.
    """
    problems: list[str] = []
    members: list[Member] = []
    seen: dict[Path, str] = {}
    for path in member_paths:
        path = Path(path)
        key = path.resolve()
        if key in seen:
            problems.append(f"{path}: given twice as a member")
            continue
        seen[key] = str(path)
        try:
            answers, answers_file, evidence_file = load_member(path)
        except AdvisorError as error:
            problems.append(str(error))
            continue
        members.append(
            Member(_member_name(answers, path), str(path), answers_file, build_profile(answers), evidence_file)
        )
    if len(labels) > len(evidence_paths):
        problems.append(
            f"option --label: one label per --evidence file. Received: {len(labels)} labels for "
            f"{len(evidence_paths)} files"
        )
    sources: list[tuple[Path, str | None, str | None]] = [
        (Path(p), labels[i] if i < len(labels) else None, None) for i, p in enumerate(evidence_paths)
    ]
    sources += [(Path(m.evidence_file), None, m.name) for m in members if m.evidence_file]
    machines = _load_machines(sources, problems)
    if problems:
        raise TeamInputError(_problem_message(problems, len(member_paths) + len(evidence_paths)))
    if len(members) < 2:
        raise TeamInputError(
            f"a team decision needs at least two members. Received: {len(members)} (for one person, use advisor advise)"
        )
    return _unique_names(members), machines


def load_machines(paths: Sequence[Path], labels: Sequence[str] = ()) -> list[Machine]:
    """Machines from evidence files or run folders, every invalid one reported at once."""
    problems: list[str] = []
    if len(labels) > len(paths):
        problems.append(
            f"option --label: one label per evidence file. Received: {len(labels)} labels for {len(paths)} files"
        )
    sources = [(Path(p), labels[i] if i < len(labels) else None, None) for i, p in enumerate(paths)]
    machines = _load_machines(sources, problems)
    if problems:
        raise TeamInputError(_problem_message(problems, len(paths)))
    return machines


def _load_machines(sources: Sequence[tuple[Path, str | None, str | None]], problems: list[str]) -> list[Machine]:
    loaded: list[tuple[str | None, str, Evidence, str | None]] = []
    seen: set[Path] = set()
    for path, label, member in sources:
        file = path / "evidence.json" if path.is_dir() else path
        if file.resolve() in seen:
            continue
        seen.add(file.resolve())
        try:
            evidence = read_record(file, "evidence", Evidence.from_json)
        except RecordError as error:
            problems.append(str(error))
            continue
        if label is not None and not label.strip():
            problems.append(f"option --label: a label must not be empty. Received: {label!r}")
            continue
        loaded.append((label, str(file), evidence, member))
    bases = [
        label or str(ev.environment.get("hostname") or "") or f"machine {i + 1}"
        for i, (label, _, ev, _) in enumerate(loaded)
    ]
    machines = []
    for i, (_, file, evidence, member) in enumerate(loaded):
        base = bases[i]
        if bases.count(base) > 1:
            base = f"{base} ({member})" if member else f"{base} #{bases[: i + 1].count(base)}"
        machines.append(Machine(base, file, evidence, member))
    return machines


def _unique_names(members: list[Member]) -> list[Member]:
    from dataclasses import replace

    names = [m.name for m in members]
    unique = []
    for i, member in enumerate(members):
        if names.count(member.name) > 1:
            member = replace(member, name=f"{member.name} ({names[: i + 1].count(member.name)})")
        unique.append(member)
    return unique


def _problem_message(problems: list[str], given: int) -> str:
    if len(problems) == 1:
        valid = given - 1
        rest = f"the other {valid} {'file is' if valid == 1 else 'files are'} valid and " if valid > 0 else ""
        return f"{problems[0]}. Fix this and run again; {rest}nothing was written."
    lines = "\n".join(f"  {problem}" for problem in problems)
    return f"{len(problems)} inputs are invalid; nothing was written. Fix each and run again:\n{lines}"
