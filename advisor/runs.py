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

import math
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from advisor.claims import Verdicts, check
from advisor.errors import AdvisorError, OutputError, RecordError
from advisor.fileio import (
    check_free_space,
    check_output_dir,
    prepare_output_dir,
    probe_write,
    read_record,
    write_json_atomic,
    write_text_atomic,
    writing_into,
)
from advisor.questionnaire.profile import build_profile, profile_from_json
from advisor.questionnaire.questions import answers_file_text, collect_answers, read_answers_file
from advisor.records.answers import Answers
from advisor.records.digests import digest, evidence_digest
from advisor.records.ledger import ledger_digest, load_ledger
from advisor.records.profile import Profile
from advisor.report.page import DECISION_FILE, render_both
from advisor.scoring import Scorecard, score
from advisor.scoring.caveats import evidence_caveats
from advisor.scoring.score import candidates_for, scored_from
from probes.evidence import Evidence, lost_by_replacing, merged_runs, same_machine

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
    folder = RunFolder(prepare_output_dir(out, force=force, records=tuple(RUN_RECORDS.values()), kind="run"))
    check_free_space(folder.path, RUN_NEEDS_BYTES)
    return folder


@contextmanager
def new_run_folder(out: Path, *, force: bool) -> Iterator[RunFolder]:
    """prepare_run_folder's folder, held (fileio.writing_into) from before its earlier records are cleared
    until the caller has written its own, so that two runs into one folder never mix their records.

    With `force`, the earlier run's records are set aside, not removed, until the caller is done: a caller
    that leaves no record of its own (Ctrl-C before the first probe) gets them back, so that an interrupted
    --force never loses the earlier run. Interrupted before it wrote anything, the caller leaves no folder
    it made behind.
    """
    out = Path(out)
    made = not out.exists()
    check_output_dir(out, force=force, records=tuple(RUN_RECORDS.values()), kind="run")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{out}: cannot create the output folder ({exc.strerror or exc})") from exc
    try:
        with writing_into(out):
            earlier = _set_aside(out) if force else None
            try:
                yield prepare_run_folder(out, force=force)
            finally:
                if earlier is not None:
                    _settle(out, earlier)
    except KeyboardInterrupt:
        if made and out.is_dir() and not any(out.iterdir()):
            out.rmdir()
        raise


def _set_aside(out: Path) -> Path | None:
    """Move the folder's run records into a hidden folder beside them (one rename each); None when it has none."""
    import tempfile

    present = [name for name in RUN_RECORDS.values() if (out / name).exists()]
    if not present:
        return None
    try:
        aside = Path(tempfile.mkdtemp(prefix=".advisor-earlier-", dir=out))
        for name in present:
            os.replace(out / name, aside / name)
    except OSError as exc:
        raise OutputError(f"{out}: cannot replace the earlier run's records ({exc.strerror or exc})") from exc
    return aside


def _settle(out: Path, aside: Path) -> None:
    """The earlier records back where the new run left none of its own, else removed for good."""
    import shutil

    if not any((out / name).exists() for name in RUN_RECORDS.values()):
        for kept in aside.iterdir():
            os.replace(kept, out / kept.name)
    shutil.rmtree(aside, ignore_errors=True)


class RunInterrupted(Exception):
    """Ctrl-C or SIGTERM once the run folder holds measurements: `evidence` is what its evidence.json holds,
    `interrupt` the KeyboardInterrupt or SystemExit that stopped it, `kept` what the folder holds now, in a
    sentence, for the message that ends the command."""

    def __init__(self, evidence: Evidence, interrupt: BaseException, kept: str):
        super().__init__(kept)
        self.evidence, self.interrupt, self.kept = evidence, interrupt, kept


class EvidenceSaver:
    """Writes evidence.json after every probe that lands, so a full disk or a crash loses one probe at most.

    Each write is atomic: the file on disk is always the last complete checkpoint. When one fails,
    the error says what the folder still holds and how to go on from it.
    """

    def __init__(self, folder: RunFolder):
        self.folder, self.saved = folder, 0
        self.last: Evidence | None = None  # what evidence.json holds, once written

    def __call__(self, evidence: Evidence) -> None:
        try:
            write_json_atomic(self.folder.evidence, evidence.to_json())
        except OutputError as error:
            raise OutputError(f"{error}. {self.recovery()}") from None
        self.saved, self.last = sum(1 for r in evidence.probes() if r.ok), evidence

    def kept(self, *, report: bool) -> str:
        """What the folder holds after an interruption, in a sentence (RunInterrupted.kept)."""
        assert self.last is not None
        made = "with the report made from them" if report else "the report was not made"
        if self.last.complete:
            return f"{self.folder.evidence} holds every probe's result (complete); {made}"
        return f"{self.folder.evidence} keeps the {self.saved} probe(s) measured (marked incomplete), {made}"

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

    On an interruption once something was measured, the evidence is kept (marked incomplete when the
    probes were cut short, with the records and report made from it) and RunInterrupted says what the
    folder holds; interrupted before, the run leaves nothing and the KeyboardInterrupt goes on.
    """
    from probes.plan import for_target, with_workloads
    from probes.runner import ProbesInterrupted

    plan = with_workloads(plan, answers.data_kind, answers.model_size)  # the workload like the user's model
    profile = build_profile(answers)
    plan = for_target(plan, answers.deployment_target)  # the user's model takes the routes to the target
    with new_run_folder(out, force=force) as folder:
        write_text_atomic(folder.answers, answers_file_text(answers))
        write_json_atomic(folder.profile, profile.to_json())
        save = EvidenceSaver(folder)
        try:
            try:
                evidence = run_probes(plan, progress, checkpoint=save)
            except ProbesInterrupted as interrupted:
                save(interrupted.evidence)
                _finish(folder, profile, interrupted.evidence)
                raise RunInterrupted(interrupted.evidence, interrupted.interrupt, save.kept(report=True)) from None
            save(evidence)
            return _finish(folder, profile, evidence)
        except KeyboardInterrupt as interrupt:
            if save.last is None:  # nothing measured: what this run wrote goes, so nothing is left half-made
                folder.answers.unlink(missing_ok=True)
                folder.profile.unlink(missing_ok=True)
                raise
            raise RunInterrupted(save.last, interrupt, save.kept(report=False)) from None


def probe(out: Path, plan: ProbePlan, *, force: bool = False, progress: Progress | None = None) -> Evidence:
    """Only measure: write evidence.json (also when interrupted, marked incomplete)."""
    from probes.runner import ProbesInterrupted

    with new_run_folder(out, force=force) as folder:
        save = EvidenceSaver(folder)
        try:
            evidence = run_probes(plan, progress, checkpoint=save)
        except ProbesInterrupted as interrupted:
            save(interrupted.evidence)
            raise RunInterrupted(interrupted.evidence, interrupted.interrupt, save.kept(report=False)) from None
        save(evidence)
        return evidence


def probe_into(path: Path, plan: ProbePlan, progress: Progress | None = None) -> Evidence:
    """Measure `plan` and add it to a run folder's evidence, for `advisor report` to show.

    Refused before measuring where the folder cannot be written, or where the plan would replace results
    of a kind with fewer (fewer processes, a variant or model left out: lost_by_replacing). The folder's
    evidence.json is rewritten only when the new run ends; interrupted, it keeps its own results and
    gains only kinds it did not have (merged_runs), and RunInterrupted says which.
    """
    from probes.runner import ProbesInterrupted

    folder = RunFolder(Path(run_folder_of(path)))
    with writing_into(folder.path):
        base = load_evidence(folder.evidence)
        if not same_machine(base.environment, collect_environment()):  # before minutes of measuring, not after
            raise RecordError(
                f"{folder.evidence}: measured on another machine; compare machines with advisor team --evidence"
            )
        probe_write(folder.path)  # a read-only folder is refused now, not after minutes of measuring
        check_free_space(folder.path, RUN_NEEDS_BYTES)
        _refuse_smaller(base, plan, folder)
        try:
            added = run_probes(plan, progress)
        except ProbesInterrupted as interrupted:
            merged, taken = _added(base, interrupted.evidence, folder)
            if taken:
                write_json_atomic(folder.evidence, merged.to_json())
                kept = f"{folder.evidence} keeps its results and gains the {', '.join(taken)} results measured"
                kept += " before the interruption (marked incomplete)"
            else:
                merged, kept = base, f"{folder.evidence} is unchanged: an interrupted run replaces none of its results"
            raise RunInterrupted(merged, interrupted.interrupt, kept) from None
        merged, _ = _added(base, added, folder)
        write_json_atomic(folder.evidence, merged.to_json())
        return merged


def _refuse_smaller(base: Evidence, plan: ProbePlan, folder: RunFolder) -> None:
    """RecordError, before anything is measured, where `plan` would replace some of the folder's results with less."""
    measures = {(variant, model) for variant in plan.variants for model in plan.models}
    for kind in plan.kinds:
        why = lost_by_replacing(base, kind, plan.settings(), measures)
        if why is not None:
            raise RecordError(
                f"{folder.evidence}: {why}. Add with a budget that measures as much, or measure into a new folder: "
                f"advisor probe --budget {plan.budget.name} --out NEW_FOLDER"
            )


def _added(base: Evidence, added: Evidence, folder: RunFolder) -> tuple[Evidence, tuple[str, ...]]:
    try:
        return merged_runs(base, added)
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
    with writing_into(folder.path):
        return _rerender(folder, answers)


def _rerender(folder: RunFolder, answers: Answers | None) -> AdviceRun:
    evidence = load_evidence(folder.evidence)
    remade: list[str] = []
    if answers is not None:
        profile = build_profile(answers)
        write_text_atomic(folder.answers, answers_file_text(answers))
        write_json_atomic(folder.profile, profile.to_json())
    elif folder.profile.exists():
        profile = read_record(folder.profile, "profile", profile_from_json)
        remade += _answers_file_edited(folder, profile)
    else:
        profile = build_profile(collect_answers(use_defaults=True))
        remade.append("profile.json: none in the folder, so the questions' defaults were used")
    scorecard = _saved(folder.scorecard, "scorecard", Scorecard.from_json, remade)
    verdicts = _fresh_verdicts(folder, evidence, remade)
    if verdicts is not None and scorecard is not None and _edited_since_scored(verdicts, scorecard, evidence):
        remade.append("verdicts.json: not the verdicts this evidence was scored with; the claims were checked again")
        verdicts = None
    if verdicts is None:
        verdicts = check(evidence)
        write_json_atomic(folder.verdicts, verdicts.to_json())
    if scorecard is not None and dict(scorecard.inputs) != scored_from(profile, evidence, verdicts):
        if answers is None:
            remade.append("scorecard.json: made from other records or rules; scored again")
        scorecard = None
    elif scorecard is not None and not _scored_from(scorecard, profile, evidence):
        remade.append("scorecard.json: its candidates, weights or caveats are not its records'; scored again")
        scorecard = None
    if scorecard is None:
        scorecard = score(profile, evidence, verdicts)
        write_json_atomic(folder.scorecard, scorecard.to_json())
    write_report(folder.report, profile, evidence, verdicts, scorecard)
    return AdviceRun(folder, profile, evidence, verdicts, scorecard, tuple(remade))


def _answers_file_edited(folder: RunFolder, profile: Profile) -> list[str]:
    """A note where the folder's answers.yaml no longer gives the answers its profile holds (edited by hand):
    the report is made from the profile, and an edit that changes nothing shown would mislead."""
    if not folder.answers.exists():
        return []
    try:
        edited = collect_answers(file_values=read_answers_file(folder.answers), use_defaults=True).values
    except AdvisorError as error:
        edited = {"error": str(error)}
    if edited == profile.answers.values:
        return []
    return [
        f"answers.yaml: not the answers in profile.json, which this report is made from; to score the file's "
        f"answers: advisor report {folder.path} --answers {folder.answers}"
    ]


def _edited_since_scored(verdicts: Verdicts, scorecard: Scorecard, evidence: Evidence) -> bool:
    """Whether the verdicts changed after the scorecard was scored from this very evidence: a verdict edited
    by hand (a literature claim marked confirmed), which would otherwise be scored again as it stands."""
    inputs = scorecard.inputs
    return inputs.get("evidence") == evidence_digest(evidence) and inputs.get("verdicts") != digest(verdicts.to_json())


def _scored_from(scorecard: Scorecard, profile: Profile, evidence: Evidence) -> bool:
    """Whether the parts of a saved scorecard that its records decide are theirs: a scorecard edited to drop
    the smoke-test caveat, or to weigh otherwise, is scored again rather than shown more certain than it is."""
    candidates = candidates_for(evidence)
    caveats = evidence_caveats(evidence, candidates)
    weights = profile.weight_vector()
    return (
        scorecard.candidates == candidates
        and scorecard.caveats[: len(caveats)] == caveats
        and set(scorecard.weights) == set(weights)
        and all(math.isclose(scorecard.weights[k], w, abs_tol=1e-9) for k, w in weights.items())
    )


def run_folder_of(path: Path) -> Path:
    """The run folder a user pointed at: the folder itself, or the folder holding its evidence.json.

    A folder without a name of its own (`.`, `..`, `evidence.json` in the current folder) is given as its
    full path, so that a folder named after it (`RUN-carol` beside RUN) can be made.
    """
    path = Path(path)
    if path.is_file():
        if path.name == RUN_RECORDS["evidence"]:
            return _named(path.parent)
        raise RecordError(f"{path}: not a run folder; pass the folder that holds evidence.json")
    if not path.is_dir():
        raise RecordError(f"{path}: no such run folder or evidence file")
    return _named(path)


def _named(folder: Path) -> Path:
    return folder.resolve() if folder.name in ("", "..") else folder


def rescore_into(source: Path, answers: Answers, out: Path, *, force: bool = False) -> AdviceRun:
    """Someone else's advice on a run's evidence, in a folder of its own: the run's own answers stay.

    The evidence (and its verdicts, when they match it) is copied into `out`, which becomes a run
    folder like any other: `advisor report OUT` re-renders it later.
    """
    import shutil

    origin = RunFolder(run_folder_of(source))
    if Path(out).resolve() == origin.path.resolve():
        raise OutputError(
            f"option --out: {out} is the run folder itself; other answers are scored in a folder of their own, "
            "so that the run's own answers and records stay. Choose another --out"
        )
    evidence = load_evidence(origin.evidence)  # refuse an unusable source before making anything
    with new_run_folder(out, force=force) as target:
        try:
            shutil.copyfile(origin.evidence, target.evidence)
            if _fresh_verdicts(origin, evidence, []) is not None:
                shutil.copyfile(origin.verdicts, target.verdicts)
            return rerender(target.path, answers)
        except KeyboardInterrupt:  # a copy half made is no folder of records: none of it stays
            for name in RUN_RECORDS.values():
                (target.path / name).unlink(missing_ok=True)
            raise


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
    claims = [claim.id for claim in load_ledger().claims]
    if verdicts is not None and sorted(v.claim_id for v in verdicts) != sorted(claims):
        remade.append("verdicts.json: its claims are not the ledger's, each once; the claims were checked again")
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
