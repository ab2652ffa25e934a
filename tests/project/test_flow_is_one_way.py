"""The flow is one way: answers -> evidence -> verdicts -> scorecard -> report, and records import no stage.

Each stage of advisor/ (questionnaire, claims, scoring, report, in the order of the flow) may import the
records (advisor/records/), the stages before it, the probes and the knowledge, and the small modules every
part shares (advisor/errors.py, advisor/fileio.py); never a stage after it, nor the edge that runs the
stages and writes their files (advisor/cli/, runs.py, teams.py, team_inputs.py, progress.py). A record
module imports no stage at all, and from probes/ only the evidence record, its facts and the tables of
variants and models. Every import is read from the source (at module level or inside a function), so one
made late to save start-up time counts as much as any other.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

STAGES = ("advisor.questionnaire", "advisor.claims", "advisor.scoring", "advisor.report")  # in flow order
EDGE = ("advisor.cli", "advisor.runs", "advisor.teams", "advisor.team_inputs", "advisor.progress")
PROBE_RECORDS = ("probes.evidence", "probes.facts", "probes.variants", "probes.specs")


def _within(module: str, packages: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def imported_modules(source: str) -> list[str]:
    """Every module `source` imports; `from advisor import runs` counts as advisor.runs."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [alias.name for alias in node.names]
            found += [f"advisor.{name}" for name in names] if node.module == "advisor" else [node.module] * len(names)
    return found


def refused_for_stage(stage: str, source: str) -> list[str]:
    """What a module of `stage` imports from a later stage or from the edge."""
    later = STAGES[STAGES.index(stage) + 1 :]
    return [m for m in imported_modules(source) if _within(m, later + EDGE)]


def refused_for_records(source: str) -> list[str]:
    """What a record module imports from any stage, the edge, or the probes' computations."""
    return [
        m
        for m in imported_modules(source)
        if _within(m, STAGES + EDGE) or (_within(m, ("probes",)) and not _within(m, PROBE_RECORDS))
    ]


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package.replace(".", "/")).rglob("*.py"))


def test_no_stage_imports_a_later_stage_or_the_edge():
    offenders = [
        f"{path.relative_to(ROOT)}: {module}"
        for stage in STAGES
        for path in _modules(stage)
        for module in refused_for_stage(stage, path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
    assert len(_modules("advisor.scoring")) > 5  # the folders are where the test looks


def test_records_import_no_stage():
    offenders = [
        f"{path.relative_to(ROOT)}: {module}"
        for path in _modules("advisor.records")
        for module in refused_for_records(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
    assert {"scorecard.py", "team.py", "compare.py", "onboarding.py"} <= {p.name for p in _modules("advisor.records")}


def test_the_check_refuses_an_import_against_the_flow_wherever_it_stands():
    source = "\n".join(
        [
            "from advisor.report.findings import debugging_cells",
            "from advisor import runs",
            "def later():\n    import advisor.cli.app",
            "from advisor.claims import check",
            "from advisor.records.scorecard import Scorecard",
        ]
    )
    assert refused_for_stage("advisor.scoring", source) == [
        "advisor.report.findings",
        "advisor.runs",
        "advisor.cli.app",
    ]
    assert refused_for_stage("advisor.report", source) == ["advisor.runs", "advisor.cli.app"]


def test_the_check_refuses_a_record_importing_a_stage_or_a_probe_computation():
    source = "\n".join(
        [
            "from advisor.questionnaire.profile import build_profile",
            "from probes.evidence import Evidence",
            "from probes.runner import run_probes",
            "from advisor.records.answers import Answers",
        ]
    )
    assert refused_for_records(source) == ["advisor.questionnaire.profile", "probes.runner"]


# What the report may read besides records: the probes' record types and word tables, and from probes.stats two
# constants, the noise threshold the speed table's footnote names and the minimum effect size its sentences name
# (none of its computations).
REPORT_MAY_READ_FROM_PROBES = PROBE_RECORDS + ("probes.devices",)
REPORT_MAY_READ_NAMES = {"probes.stats": {"NOISY_IQR_RATIO", "MIN_EFFECT"}}


def refused_for_report(source: str) -> list[str]:
    """What a report module imports besides records, the report itself, the knowledge and the shared small modules."""
    allowed = ("advisor.records", "advisor.report", "advisor.fileio", "advisor.errors", "knowledge")
    constants = [  # one entry per name imported, as imported_modules counts them
        node.module
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom)
        and node.module in REPORT_MAY_READ_NAMES
        and {alias.name for alias in node.names} <= REPORT_MAY_READ_NAMES[node.module]
        for _ in node.names
    ]
    refused = [
        m
        for m in imported_modules(source)
        if (_within(m, ("advisor", "knowledge")) and not _within(m, allowed))
        or (_within(m, ("probes",)) and not _within(m, REPORT_MAY_READ_FROM_PROBES))
    ]
    for module in constants:
        refused.remove(module)
    return refused


def test_the_report_imports_records_only_no_scoring_claims_or_probe_computation():
    offenders = [
        f"{path.relative_to(ROOT)}: {module}"
        for path in _modules("advisor.report")
        for module in refused_for_report(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_report_check_refuses_scoring_claims_and_probe_computations():
    source = "\n".join(
        [
            "from advisor.scoring.measured import path_credits",
            "def late():\n    from advisor.claims.rules import process_interval",
            "from probes.stats import interval",
            "from probes.stats import NOISY_IQR_RATIO",
            "from advisor.records.findings import Route",
            "from probes.evidence import Evidence",
        ]
    )
    assert sorted(refused_for_report(source)) == ["advisor.claims.rules", "advisor.scoring.measured", "probes.stats"]
