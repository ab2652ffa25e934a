"""A run folder, and the three things done to one: advise (answers to report), probe, re-render.

The flow is one way, each stage a function from records to a record, each record written into
the folder as soon as it is made (atomically, so an interrupted run keeps every complete record
and never a partial one):

    answers -> Profile -> Evidence -> Verdicts -> Scorecard -> report.html
               questionnaire  probes   claims     scoring      report

`rerender` loads the saved records and renders them; a record that is missing, from another
format, or made from other inputs than the ones beside it (advisor/records/digests.py) is made again by
its stage, and the message says so. These are the library functions the CLI commands call; a
Python user can call them too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from advisor.claims import Verdicts, check
from advisor.errors import OutputError, RecordError
from advisor.fileio import check_free_space, prepare_output_dir, read_record, write_json_atomic, write_text_atomic
from advisor.questionnaire.profile import build_profile, profile_from_json
from advisor.questionnaire.questions import answers_file_text, collect_answers
from advisor.records.answers import Answers
from advisor.records.digests import evidence_digest
from advisor.records.ledger import ledger_digest
from advisor.records.profile import Profile
from advisor.report.page import DECISION_FILE, render_both
from advisor.scoring import Scorecard, score
from advisor.scoring.score import scored_from
from probes.evidence import Evidence, added_to, same_machine

if TYPE_CHECKING:  # the probes' runner loads when something is measured: re-rendering a report needs none of it
    from probes.runner import ProbePlan, ProgressEvent

    Progress = Callable[[ProgressEvent], None]

# Every file a run writes into its folder, in flow order: the one list that writing, --force and
# the tests use. With --force, these are removed before a new run starts, so a new run never
# leaves an earlier run's records beside its own.
RUN_RECORDS = {
    "answers": "answers.yaml",
    "profile": "profile.json",
    "evidence": "evidence.json",
    "verdicts": "verdicts.json",
    "scorecard": "scorecard.json",
    "report": "report.html",
    "decision": "decision.md",  # the decision record in Markdown, written with the report
    "onboarding_record": "onboarding.json",  # advise --team-decision
    "onboarding": "onboarding.html",
}
T = TypeVar("T")
# What a run may write, with room to spare: evidence is ~0.1 MB, a report ~0.2 MB, the records less.
RUN_NEEDS_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class RunFolder:
    path: Path

    def file(self, record: str) -> Path:
        return self.path / RUN_RECORDS[record]

    @property
    def answers(self) -> Path:
        return self.file("answers")

    @property
    def profile(self) -> Path:
        return self.file("profile")

    @property
    def evidence(self) -> Path:
        return self.file("evidence")

    @property
    def verdicts(self) -> Path:
        return self.file("verdicts")

    @property
    def scorecard(self) -> Path:
        return self.file("scorecard")

    @property
    def report(self) -> Path:
        return self.file("report")


@dataclass(frozen=True)
class AdviceRun:
    folder: RunFolder
    profile: Profile
    evidence: Evidence | None
    verdicts: Verdicts
    scorecard: Scorecard
    remade: tuple[str, ...] = field(default=())  # records rerender made again, with why


def run_probes(plan: ProbePlan, progress: Progress | None = None, **options: Any) -> Evidence:
    """probes.runner.run_probes, imported when something is measured."""
    from probes.runner import run_probes as run

    return run(plan, progress, **options)


def collect_environment() -> dict[str, Any]:
    """probes.environment.collect_environment, imported when a run is added to (probe --add-to)."""
    from probes.environment import collect_environment as collect

    return collect()


def prepare_run_folder(out: Path, *, force: bool) -> RunFolder:
    """The output folder, checked writable, with room, and cleared of an earlier run's records (--force)."""
    folder = RunFolder(prepare_output_dir(out, force=force, records=tuple(RUN_RECORDS.values())))
    check_free_space(folder.path, RUN_NEEDS_BYTES)
    return folder


class EvidenceSaver:
    """Writes evidence.json after every probe that lands, so a full disk or a crash loses one probe at most.

    Each write is atomic: the file on disk is always the last complete checkpoint. When one fails,
    the error says what the folder still holds and how to go on from it.
    """

    def __init__(self, folder: RunFolder):
        self.folder, self.saved = folder, 0

    def __call__(self, evidence: Evidence) -> None:
        try:
            write_json_atomic(self.folder.evidence, evidence.to_json())
        except OutputError as error:
            raise OutputError(f"{error}. {self.recovery()}") from None
        self.saved = sum(1 for r in evidence.probes() if r.ok)

    def recovery(self) -> str:
        if not self.saved:
            return "Nothing was measured yet; free some space and run again"
        return (
            f"{self.folder.evidence} keeps the {self.saved} probe(s) measured before (marked incomplete); "
            f"free some space, then render them with: advisor report {self.folder.path}"
        )


def advise(
    answers: Answers, out: Path, plan: ProbePlan, *, force: bool = False, progress: Progress | None = None
) -> AdviceRun:
    """Answers -> profile -> evidence -> verdicts -> scorecard -> report, each written into `out` as it is made.

    On an interruption the evidence measured so far is written (marked incomplete) with the
    records and report made from it, and ProbesInterrupted is raised again for the caller.
    """
    from probes.plan import with_workloads
    from probes.runner import ProbesInterrupted

    plan = with_workloads(plan, answers.data_kind, answers.model_size)  # the workload like the user's model
    profile = build_profile(answers)
    folder = prepare_run_folder(out, force=force)
    write_text_atomic(folder.answers, answers_file_text(answers))
    write_json_atomic(folder.profile, profile.to_json())
    save = EvidenceSaver(folder)
    try:
        evidence = run_probes(plan, progress, checkpoint=save)
    except ProbesInterrupted as interrupted:
        save(interrupted.evidence)
        _finish(folder, profile, interrupted.evidence)
        raise
    save(evidence)
    return _finish(folder, profile, evidence)


def probe(out: Path, plan: ProbePlan, *, force: bool = False, progress: Progress | None = None) -> Evidence:
    """Only measure: write evidence.json (also when interrupted, marked incomplete)."""
    from probes.runner import ProbesInterrupted

    folder = prepare_run_folder(out, force=force)
    save = EvidenceSaver(folder)
    try:
        evidence = run_probes(plan, progress, checkpoint=save)
    except ProbesInterrupted as interrupted:
        save(interrupted.evidence)
        raise
    save(evidence)
    return evidence


def probe_into(path: Path, plan: ProbePlan, progress: Progress | None = None) -> Evidence:
    """Measure `plan` and add it to a run folder's evidence (its kinds replaced), for `advisor report` to show.

    The folder's evidence.json is rewritten only when the new run ends (interrupted: what it measured is added,
    marked incomplete); the folder's report is re-rendered by `advisor report FOLDER`.
    """
    from probes.runner import ProbesInterrupted

    folder = RunFolder(Path(run_folder_of(path)))
    base = load_evidence(folder.evidence)
    if not same_machine(base.environment, collect_environment()):  # before minutes of measuring, not after
        raise RecordError(
            f"{folder.evidence}: measured on another machine; compare machines with advisor team --evidence"
        )
    try:
        added = run_probes(plan, progress)
    except ProbesInterrupted as interrupted:
        write_json_atomic(folder.evidence, _added(base, interrupted.evidence, folder).to_json())
        raise
    merged = _added(base, added, folder)
    write_json_atomic(folder.evidence, merged.to_json())
    return merged


def _added(base: Evidence, added: Evidence, folder: RunFolder) -> Evidence:
    try:
        return added_to(base, added)
    except ValueError as error:
        raise RecordError(f"{folder.evidence}: {error}; compare machines with advisor team --evidence") from None


def rerender(path: Path, answers: Answers | None = None) -> AdviceRun:
    """Render report.html from a folder's saved records; measures nothing.

    `answers` replaces the folder's own, answers.yaml and profile.json included: the CLI passes
    a copy of the run (rescore_into), so that nobody's answers are overwritten. Without profile.json
    and without `answers`, the questions' defaults are used.
    """
    folder = RunFolder(Path(path))
    if not folder.path.is_dir():
        raise RecordError(f"{folder.path}: no such run folder")
    evidence = load_evidence(folder.evidence)
    remade: list[str] = []
    if answers is not None:
        profile = build_profile(answers)
        write_text_atomic(folder.answers, answers_file_text(answers))
        write_json_atomic(folder.profile, profile.to_json())
    elif folder.profile.exists():
        profile = read_record(folder.profile, "profile", profile_from_json)
    else:
        profile = build_profile(collect_answers(use_defaults=True))
        remade.append("profile.json: none in the folder, so the questions' defaults were used")
    verdicts = _fresh_verdicts(folder, evidence, remade)
    if verdicts is None:
        verdicts = check(evidence)
        write_json_atomic(folder.verdicts, verdicts.to_json())
    scorecard = _saved(folder.scorecard, "scorecard", Scorecard.from_json, remade)
    if scorecard is not None and dict(scorecard.inputs) != scored_from(profile, evidence, verdicts):
        if answers is None:
            remade.append("scorecard.json: made from other records or rules; scored again")
        scorecard = None
    if scorecard is None:
        scorecard = score(profile, evidence, verdicts)
        write_json_atomic(folder.scorecard, scorecard.to_json())
    write_report(folder.report, profile, evidence, verdicts, scorecard)
    return AdviceRun(folder, profile, evidence, verdicts, scorecard, tuple(remade))


def run_folder_of(path: Path) -> Path:
    """The run folder a user pointed at: the folder itself, or the folder holding its evidence.json."""
    path = Path(path)
    if path.is_file():
        if path.name == RUN_RECORDS["evidence"]:
            return path.parent
        raise RecordError(f"{path}: not a run folder; pass the folder that holds evidence.json")
    if not path.is_dir():
        raise RecordError(f"{path}: no such run folder or evidence file")
    return path


def rescore_into(source: Path, answers: Answers, out: Path, *, force: bool = False) -> AdviceRun:
    """Someone else's advice on a run's evidence, in a folder of its own: the run's own answers stay.

    The evidence (and its verdicts, when they match it) is copied into `out`, which becomes a run
    folder like any other: `advisor report OUT` re-renders it later.
    """
    import shutil

    origin = RunFolder(run_folder_of(source))
    evidence = load_evidence(origin.evidence)  # refuse an unusable source before making anything
    target = prepare_run_folder(out, force=force)
    shutil.copyfile(origin.evidence, target.evidence)
    if _fresh_verdicts(origin, evidence, []) is not None:
        shutil.copyfile(origin.verdicts, target.verdicts)
    return rerender(target.path, answers)


def load_evidence(path: Path) -> Evidence:
    return read_record(path, "evidence", Evidence.from_json)


def checked_claims(path: Path | None) -> tuple[Verdicts, str | None]:
    """The verdicts of a run folder (or of an evidence file): the saved ones while they match the
    evidence and the ledger, else checked now; with no path, every claim against no evidence."""
    if path is None:
        return check(None), None
    path = Path(path)
    if not path.exists():
        raise RecordError(f"{path}: no such run folder or evidence file")
    folder = RunFolder(path if path.is_dir() else path.parent)
    evidence_file = folder.evidence if path.is_dir() else path
    if not evidence_file.exists():
        raise RecordError(f"{path}: no evidence.json in this folder. Expected a run folder written by advise or probe")
    evidence = load_evidence(evidence_file)
    saved = _fresh_verdicts(folder, evidence, []) if evidence_file == folder.evidence else None
    return saved or check(evidence), str(evidence_file)


def _fresh_verdicts(folder: RunFolder, evidence: Evidence, remade: list[str]) -> Verdicts | None:
    """The folder's saved verdicts, or None (noted in `remade`) when missing or not made from these inputs."""
    verdicts = _saved(folder.verdicts, "verdicts", Verdicts.from_json, remade)
    if verdicts is not None and (verdicts.evidence_digest, verdicts.ledger_digest) != (
        evidence_digest(evidence),
        ledger_digest(),
    ):
        remade.append("verdicts.json: made from other evidence or another ledger; the claims were checked again")
        return None
    return verdicts


def _saved(path: Path, what: str, parse: Callable[[dict[str, Any], str], T], remade: list[str]) -> T | None:
    """A saved record, or None when it is missing (a probe-only folder) or unusable (noted in `remade`)."""
    if not path.exists():
        return None
    try:
        return read_record(path, what, parse)
    except RecordError as error:
        remade.append(f"{path.name}: could not be used ({error}); made again")
        return None


def write_report(
    path: Path, profile: Profile, evidence: Evidence | None, verdicts: Verdicts, scorecard: Scorecard
) -> Path:
    """Render the report to `path` and decision.md beside it, atomically: a failed render leaves no file behind."""
    html, markdown = render_both(profile, evidence, verdicts, scorecard, run_dir=str(path.parent))
    write_text_atomic(path.parent / DECISION_FILE, markdown)
    write_text_atomic(path, html)
    return path


def _finish(folder: RunFolder, profile: Profile, evidence: Evidence) -> AdviceRun:
    """The stages after the probes, each record written as it is made."""
    verdicts = check(evidence)
    write_json_atomic(folder.verdicts, verdicts.to_json())
    scorecard = score(profile, evidence, verdicts)
    write_json_atomic(folder.scorecard, scorecard.to_json())
    write_report(folder.report, profile, evidence, verdicts, scorecard)
    return AdviceRun(folder, profile, evidence, verdicts, scorecard)
