"""A run folder and the three things done to one: advise (answers to report), probe, re-render.

These are the library functions the CLI commands call; a Python user can call them too.
Records are written in flow order, each atomically, so an interrupted run keeps every complete
record and never a partial one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from advisor.claims.verdicts import verdicts_to_json
from advisor.errors import RecordError
from advisor.fileio import prepare_output_dir, read_json, read_record, write_json_atomic, write_text_atomic
from advisor.questionnaire.profile import Profile, build_profile
from advisor.questionnaire.questions import Answers, answers_file_text, collect_answers
from advisor.report.page import write_report
from advisor.scoring.scorecard import Scorecard, build_scorecard
from probes.evidence import Evidence
from probes.runner import ProbePlan, ProbesInterrupted, ProgressEvent, run_probes


@dataclass(frozen=True)
class RunFolder:
    path: Path

    @property
    def answers(self) -> Path:
        return self.path / "answers.yaml"

    @property
    def profile(self) -> Path:
        return self.path / "profile.json"

    @property
    def evidence(self) -> Path:
        return self.path / "evidence.json"

    @property
    def scorecard(self) -> Path:
        return self.path / "scorecard.json"

    @property
    def verdicts(self) -> Path:
        return self.path / "verdicts.json"

    @property
    def report(self) -> Path:
        return self.path / "report.html"


@dataclass(frozen=True)
class AdviceRun:
    folder: RunFolder
    profile: Profile
    evidence: Evidence
    scorecard: Scorecard


Progress = Callable[[ProgressEvent], None]


def advise(
    answers: Answers, out: Path, plan: ProbePlan, *, force: bool = False, progress: Progress | None = None
) -> AdviceRun:
    """Answers -> profile -> evidence -> scorecard -> report, each written into `out` as it is made.

    On an interruption the evidence measured so far is written (marked incomplete) with a
    scorecard and report made from it, and ProbesInterrupted is raised again for the caller.
    """
    profile = build_profile(answers)
    folder = RunFolder(prepare_output_dir(out, force=force))
    write_text_atomic(folder.answers, answers_file_text(answers))
    write_json_atomic(folder.profile, profile.to_json())
    try:
        evidence = run_probes(plan, progress)
    except ProbesInterrupted as interrupted:
        _finish(folder, profile, interrupted.evidence)
        raise
    scorecard = _finish(folder, profile, evidence)
    return AdviceRun(folder, profile, evidence, scorecard)


def probe(out: Path, plan: ProbePlan, *, force: bool = False, progress: Progress | None = None) -> Evidence:
    """Only measure: write evidence.json (also when interrupted, marked incomplete)."""
    folder = RunFolder(prepare_output_dir(out, force=force))
    try:
        evidence = run_probes(plan, progress)
    except ProbesInterrupted as interrupted:
        write_json_atomic(folder.evidence, interrupted.evidence.to_json())
        raise
    write_json_atomic(folder.evidence, evidence.to_json())
    return evidence


def rerender(path: Path, answers: Answers | None = None) -> AdviceRun:
    """Re-make scorecard.json and report.html from a folder's saved records; measures nothing.

    `answers` replaces the folder's own (to see the advice for someone else on this evidence);
    without profile.json and without `answers`, the questions' defaults are used.
    """
    folder = RunFolder(Path(path))
    if not folder.path.is_dir():
        raise RecordError(f"{folder.path}: no such run folder")
    evidence = load_evidence(folder.evidence)
    if answers is not None:
        profile = build_profile(answers)
        write_text_atomic(folder.answers, answers_file_text(answers))
        write_json_atomic(folder.profile, profile.to_json())
    elif folder.profile.exists():
        profile = Profile.from_json(read_json(folder.profile, "profile"), str(folder.profile))
    else:
        profile = build_profile(collect_answers(use_defaults=True))
    scorecard = _finish(folder, profile, evidence, write_evidence=False)
    return AdviceRun(folder, profile, evidence, scorecard)


def load_evidence(path: Path) -> Evidence:
    return read_record(path, "evidence", Evidence.from_json)


def _finish(folder: RunFolder, profile: Profile, evidence: Evidence, write_evidence: bool = True) -> Scorecard:
    if write_evidence:
        write_json_atomic(folder.evidence, evidence.to_json())
    scorecard = build_scorecard(profile, evidence)
    write_json_atomic(folder.verdicts, verdicts_to_json(scorecard.verdicts))
    write_json_atomic(folder.scorecard, scorecard.to_json())
    write_report(folder.report, profile, evidence, scorecard)
    return scorecard
