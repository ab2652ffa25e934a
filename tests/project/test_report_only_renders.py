"""The report is a pure function of the records: advisor/report/ imports record types, data and rendering
libraries, never a computation of the scoring or claims stage or of the probes.

Whatever the report shows that takes working out (a comparison's interval, a route's credit, a plausible
weight flip, the claims behind a score) is a typed finding the scoring stage stored in the scorecard
(advisor/records/findings.py). Each module of advisor/report/ is parsed, every import in it (at module
level or inside a function) is checked against what a renderer may use, and anything else fails here,
with the module and the name. Rendering libraries are Jinja2 and MarkupSafe for the pages and Rich for
the terminal's tables (`advisor compare`): a table printed is a page drawn in characters. Writing files
is the edge's (advisor/runs.py, advisor/teams.py), never the report's.
"""

from __future__ import annotations

import ast
import sys

from tests.conftest import ROOT

RENDERING = ("jinja2", "markupsafe", "rich")  # templates, safe markup, terminal tables
DATA = ("knowledge",)  # the knowledge files, read as data
RECORDS = ("advisor.records",)  # the records the stages hand each other: any module of it
OWN = ("advisor.report",)
# From probes/, only what names and holds: the evidence record's classes, the tables of variants and models,
# and constants. status_words and label are the lookups of two such tables (STATUS_WORDS, VARIANTS), and
# first_line how a recorded message is cut to the line a table cell shows.
PROBES = {
    "probes.evidence": {"Evidence", "ProbeResult", "METRIC_CASES", "status_words", "first_line"},
    "probes.variants": {"VARIANTS", "label"},
    "probes.specs": {"MODELS"},
    "probes.stats": {"NOISY_IQR_RATIO", "MIN_EFFECT"},
    "probes.devices": {"DEVICE_WORDS"},
}


def _within(module: str, packages: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def refused(source: str) -> list[str]:
    """Every import of `source` a renderer may not make, as 'module' or 'module.name'."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported = [(alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            imported = [(node.module, alias.name) for alias in node.names]
        else:
            continue
        for module, name in imported:
            top = module.split(".")[0]
            if module == "__future__" or top in sys.stdlib_module_names or _within(module, RENDERING + DATA):
                continue
            if _within(module, RECORDS + OWN):
                continue
            if module in PROBES and name in PROBES[module]:
                continue
            found.append(f"{module}.{name}" if name else module)
    return found


def test_the_report_imports_only_records_data_and_rendering_libraries():
    modules = sorted((ROOT / "advisor" / "report").rglob("*.py"))
    offenders = [
        f"{path.relative_to(ROOT)}: {name}" for path in modules for name in refused(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
    assert {"page.py", "speed.py", "deployment.py", "decision.py"} <= {path.name for path in modules}


def test_the_check_refuses_a_stage_computation_and_a_probe_helper():
    source = "\n".join(
        [
            "from advisor.scoring.measured import path_credits",
            "from advisor.claims.rules import METRIC_WORDS",
            "from advisor.questionnaire.profile import build_profile",
            "from probes.evidence import Evidence, process_interval",
            "from probes.kinds.debugging import BUG_TITLES",
            "import probes.devices",
            "from advisor.fileio import write_text_atomic",
            "def later():\n    from advisor.scoring.whatif import answer_flips",
        ]
    )
    assert refused(source) == [
        "advisor.scoring.measured.path_credits",
        "advisor.claims.rules.METRIC_WORDS",
        "advisor.questionnaire.profile.build_profile",
        "probes.evidence.process_interval",
        "probes.kinds.debugging.BUG_TITLES",
        "probes.devices",
        "advisor.fileio.write_text_atomic",
        "advisor.scoring.whatif.answer_flips",
    ]


def test_the_check_lets_records_data_and_rendering_through():
    source = "\n".join(
        [
            "import re",
            "from markupsafe import Markup",
            "import knowledge",
            "from advisor.records.scorecard import Scorecard",
            "from advisor.report.charts import bar_chart",
            "from rich.table import Table",
            "from probes.evidence import Evidence, ProbeResult",
        ]
    )
    assert refused(source) == []
