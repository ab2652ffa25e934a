"""The HTML report: view models built from the saved records, then rendered with Jinja2.

Templates hold no logic beyond `if` and `for`; the view models here put the records in words and
tables: the profile, the evidence, the verdicts and the scorecard with its findings (advisor/records/).
What takes working out (intervals, credits, plausible flips, the claims behind a score) the scoring
stage did and stored; the report imports records only (tests/project/test_report_only_renders.py),
so a report can be re-made on any machine.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from markupsafe import Markup

from advisor.records.profile import Profile, load_criteria
from advisor.records.scorecard import ANCHORED, Scorecard
from advisor.records.verdicts import Verdicts
from advisor.report.claims import build_claims_view
from advisor.report.debugging import build_debugging_view
from advisor.report.decision import build_decision_view, build_madr_view, count_not_measured, probes_not_measured
from advisor.report.deployment import build_deployment_view
from advisor.report.ease import build_ease_view
from advisor.report.facts import build_facts_view
from advisor.report.findings import status_words
from advisor.report.markdown import DecisionRecord, ScoreTable, render_markdown
from advisor.report.scale import build_scale_view
from advisor.report.speed import build_speed_view
from probes.evidence import METRIC_CASES, Evidence
from probes.variants import label as variant_label

DECISION_FILE = "decision.md"  # beside report.html: the decision record in Markdown
SOURCE_LABELS = {"measured": "measured here", "answers": "your answers", "literature": "articles"}


@dataclass
class CriterionRow:
    key: str
    label: str
    description: str
    weight_pct: float
    because: list[str]
    cells: list[dict[str, Any]]


@dataclass
class ReportView:
    title: str
    person: str
    created_at: str
    leader: str
    runner_up: str | None
    margin: float
    near_tie: bool
    kept_pct: float
    candidates: list[str]
    totals: list[dict[str, Any]]
    criteria: list[CriterionRow]
    fired_rules: list[dict[str, str]]
    problems: list[dict[str, str]]
    evidence_complete: bool
    evidence_notes: list[str]
    environment: list[tuple[str, str]]
    settings: list[tuple[str, str]]
    reproduce: str
    command_line: str
    answers: list[tuple[str, str, str]]
    criteria_line: str = ""  # the criteria section's finding, shown above its fold
    environment_line: str = ""  # the environment section's finding, shown above its fold
    data_json: Markup = field(default=Markup(""))
    # Sections built by their own modules (advisor/report/decision.py, advisor/report/claims.py).
    decision: Any = None
    claims: Any = None
    madr: Any = None
    speed: Any = None  # advisor/report/speed.py
    ease: Any = None  # advisor/report/ease.py
    debugging: Any = None  # advisor/report/debugging.py
    deployment: Any = None  # advisor/report/deployment.py
    facts: Any = None  # advisor/report/facts.py
    scale: Any = None  # advisor/report/scale.py


def build_view(
    profile: Profile, evidence: Evidence | None, verdicts: Verdicts, scorecard: Scorecard, run_dir: str = "RUN_DIR"
) -> ReportView:
    """The page's view model, from the four records alone."""
    criteria = load_criteria()
    leader = scorecard.leader
    runner_up = scorecard.ranking[1] if len(scorecard.ranking) > 1 else None

    rows = []
    for key, criterion in criteria.items():
        cells = []
        for candidate in scorecard.candidates:
            s = scorecard.scores[key][candidate]
            cells.append(
                {
                    "score": s.score,
                    "source": SOURCE_LABELS[s.source],
                    "basis": s.short_basis,
                    "measured": s.source == "measured",
                    "anchored": s.placement in ANCHORED,
                }
            )
        rows.append(
            CriterionRow(
                key, criterion.label, criterion.description, 100 * scorecard.weights[key], profile.raised_by(key), cells
            )
        )
    rows.sort(key=lambda row: -row.weight_pct)

    env = evidence.environment if evidence else {}
    answers, found = profile.answers, scorecard.findings
    title = answers.project_name or "Framework advice"
    decision = build_decision_view(profile, evidence, scorecard)
    view = ReportView(
        title=title,
        person=answers.name,
        created_at=evidence.created_at if evidence else "",
        leader=variant_label(leader),
        runner_up=variant_label(runner_up) if runner_up else None,
        margin=scorecard.margin,
        near_tie=scorecard.near_tie,
        kept_pct=100 * scorecard.kept_under_perturbation,
        candidates=[variant_label(c) for c in scorecard.candidates],
        totals=[{"label": variant_label(c), "total": scorecard.totals[c]} for c in scorecard.ranking],
        criteria=rows,
        fired_rules=[
            {
                "id": r.rule_id,
                "reason": r.reason,
                "changes": ", ".join(
                    f"{criteria[k].label.lower()} {'+' if v >= 0 else '−'}{abs(v):g}" for k, v in r.adjust.items()
                ),
            }
            for r in profile.fired_rules
        ],
        problems=_problems(evidence) if evidence else [],
        evidence_complete=evidence.complete if evidence else False,
        evidence_notes=list(evidence.notes) if evidence else ["No evidence.json: nothing was measured."],
        environment=_environment_rows(env),
        settings=[(k, _plain(v)) for k, v in (evidence.settings.items() if evidence else [])],
        reproduce=f"advisor advise --answers {run_dir}/answers.yaml --budget "
        f"{evidence.settings.get('budget', 'quick') if evidence else 'quick'} --out NEW_FOLDER",
        command_line=str(env.get("command_line", "")),
        answers=[(k, _plain(v), answers.origins[k]) for k, v in answers.values.items()],
        criteria_line=_criteria_line(rows, scorecard),
        environment_line=_environment_line(env),
        decision=decision,
        claims=build_claims_view(verdicts.verdicts),
        facts=build_facts_view(answers, scorecard),
        speed=build_speed_view(evidence, found.speed),
        scale=build_scale_view(evidence, found.scale, run_dir),
        ease=build_ease_view(evidence, found.ease, run_dir, answers.data_kind),
        debugging=build_debugging_view(evidence, found.planted, run_dir),
        deployment=build_deployment_view(evidence, found.deployment, answers.origins.get("deployment_target"), run_dir),
        madr=build_madr_view(
            profile, evidence, scorecard, decision, count_not_measured(verdicts), probes_not_measured(verdicts)
        ),
    )
    return view


def _criteria_line(rows: list[CriterionRow], scorecard: Scorecard) -> str:
    """The heaviest three criteria and how many scores this run measured: the section's one line."""
    heaviest = ", ".join(f"{row.label.lower()} {row.weight_pct:.0f}%" for row in rows[:3])
    cells = [cell for row in rows for cell in row.cells]
    measured = sum(1 for cell in cells if cell["measured"])
    return (
        f"Your heaviest criteria: {heaviest}. {measured} of the {len(cells)} scores ({len(rows)} criteria × "
        f"{len(scorecard.candidates)} frameworks) were measured here; the rest come from your answers and the articles."
    )


def _environment_line(env: dict[str, Any]) -> str:
    """The machine in one sentence: CPU, cores, memory, GPU and the framework versions measured."""
    if not env:
        return "No evidence.json: no machine to describe."
    gpus = ", ".join(g["name"] for g in env.get("gpus") or []) or "no GPU"
    versions = ", ".join(f"{k} {v}" for k, v in (env.get("versions") or {}).items() if v) or "no framework"
    return (
        f"{env.get('cpu_model') or 'An unknown CPU'}, {env.get('cores_logical')} logical cores, "
        f"{env.get('memory_gb')} GB, {gpus}; {env.get('os') or 'unknown OS'}, Python {env.get('python')}; {versions}."
    )


def _problems(evidence: Evidence) -> list[dict[str, str]]:
    """What was not measured, one line per variant, kind and reason (not one per model it covers)."""
    grouped: dict[tuple[str, str, str, str], list[str]] = {}
    for result in evidence.results:
        subject = result.case or result.model
        if not result.ok:
            key = (result.variant, result.kind, result.status, result.reason or "")
            grouped.setdefault(key, []).append(subject)
        for failed in result.failed_rounds:
            grouped.setdefault((result.variant, result.kind, "round failed", failed), []).append(subject)
    return [
        {
            "variant": variant_label(variant),
            "model": f"{kind}: {', '.join(dict.fromkeys(subjects))}",
            "status": status_words(status),
            "reason": reason,
        }
        for (variant, kind, status, reason), subjects in grouped.items()
    ]


def _environment_rows(env: dict[str, Any]) -> list[tuple[str, str]]:
    gpus = env.get("gpus") or []
    gpu = "; ".join(f"{g['name']} ({g['memory']}, driver {g['driver']})" for g in gpus) or (
        "none found" + (f" ({env['gpu_note']})" if env.get("gpu_note") else "")
    )
    versions = env.get("versions") or {}
    rows = [
        ("Operating system", env.get("os")),
        ("CPU", env.get("cpu_model")),
        (
            "Cores",
            f"{env.get('cores_physical')} physical, {env.get('cores_logical')} logical, "
            f"{env.get('cores_usable')} usable by this run",
        ),
        ("Memory", f"{env.get('memory_gb')} GB"),
        ("GPU", gpu),
        ("Python", env.get("python")),
        ("Frameworks", ", ".join(f"{k} {v}" for k, v in versions.items() if v) or "none"),
        ("Not installed", ", ".join(k for k, v in versions.items() if not v) or "–"),
        (
            "Thread variables",
            ", ".join(f"{k}={v}" for k, v in (env.get("thread_env") or {}).items() if v) or "none set",
        ),
        ("Tool", f"framework-advisor {env.get('tool_version')} (commit {env.get('tool_commit') or 'unknown'})"),
    ]
    devices = []
    for variant, children in (env.get("probe_children") or {}).items():
        for child in children[:1]:
            if child.get("device"):
                devices.append(f"{variant_label(variant)}: {child['device'].get('used', '?')}")
            if child.get("threads"):
                t = child["threads"]
                devices.append(
                    f"{variant_label(variant)} threads: {t.get('intra_op')} (as installed: {t.get('default_intra_op')})"
                )
    if devices:
        rows.append(("Devices and threads used", "; ".join(devices)))
    return [(k, _plain(v)) for k, v in rows]


def _plain(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, (list, tuple)):
        return ", ".join(_plain(v) for v in value) or "none"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _embedded_json(data: dict[str, Any]) -> Markup:
    """JSON for a <script type="application/json"> block; '<' escaped so no tag can close it."""
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def render_html(view: ReportView) -> str:
    return render_page("report.html", view=view)


REPORT_DATA_FORMAT = "advisor-report-data/2"
RECORD_FILES = ("profile.json", "evidence.json", "verdicts.json", "scorecard.json")
SHOWN_METRICS = (  # the speed figures the evidence section shows; the other probes' figures are shown as text
    "import_s",
    "build_s",
    "first_step_s",
    "train_samples_per_s",
    "utilisation",
    "infer_single_ms",
    "infer_batch_ms",
    "baseline_rss_mb",
    "train_memory_mb",
    "gpu_peak_mb",
    "test_accuracy",
)


def _speed_rows(evidence: Evidence | None, medians: Any) -> dict[str, list[float | None]]:
    """ "variant/model" -> its medians in SHOWN_METRICS order; the training memory, measured in a case of
    its own (probes/evidence.py), joins its model's row as the page's tables show it."""
    rows: dict[str, dict[str, float]] = {}
    for r in evidence.of_kind("speed") if evidence else []:
        if r.ok:
            key = "/".join(filter(None, (r.variant, r.model, "" if r.case in METRIC_CASES.values() else r.case)))
            rows.setdefault(key, {}).update(medians(r))
    return {key: [found.get(m) for m in SHOWN_METRICS] for key, found in rows.items()}


def report_data(
    profile: Profile, evidence: Evidence | None, verdicts: Verdicts, scorecard: Scorecard
) -> dict[str, Any]:
    """What the page shows, as data: the answers, weights, scores, ranking, each claim's verdict and each
    probe's medians. The raw samples and the full records are the files beside the report (RECORD_FILES);
    embedding them would more than double the page for figures it never shows."""

    def medians(result: Any) -> dict[str, float]:
        return {
            metric: float(f"{summary.median:.4g}")
            for metric in SHOWN_METRICS
            if (summary := result.summary(metric)) is not None and math.isfinite(summary.median)
        }

    return {
        "format": REPORT_DATA_FORMAT,
        "records_beside_this_page": list(RECORD_FILES),
        "answers": dict(profile.answers.values),
        "weights": {c: round(w, 4) for c, w in scorecard.weights.items()},
        "scores": {  # criterion -> framework -> [score, where it comes from]
            c: {f: [round(s.score, 3), s.source] for f, s in per.items()} for c, per in scorecard.scores.items()
        },
        "totals": {f: round(t, 3) for f, t in scorecard.totals.items()},
        "ranking": list(scorecard.ranking),
        "confidence": scorecard.confidence,
        "margin": round(scorecard.margin, 3) if math.isfinite(scorecard.margin) else None,
        "verdicts": {  # verdict -> how many claims got it (which ones: verdicts.json beside the page)
            verdict: sum(1 for v in verdicts.verdicts if v.verdict == verdict)
            for verdict in dict.fromkeys(v.verdict for v in verdicts.verdicts)
        },
        "speed": {  # the speed figures shown, as medians over processes: a row of `metrics` per probe
            "metrics": list(SHOWN_METRICS),
            "rows": _speed_rows(evidence, medians),
        },
        "not_measured": _problems(evidence) if evidence else [],  # as the page lists them: a line a reason
    }


def render(profile: Profile, evidence: Evidence | None, verdicts: Verdicts, scorecard: Scorecard, run_dir: str) -> str:
    """The report stage: the four records to one self-contained HTML page, with what it shows embedded as JSON."""
    return render_both(profile, evidence, verdicts, scorecard, run_dir)[0]


def render_both(
    profile: Profile, evidence: Evidence | None, verdicts: Verdicts, scorecard: Scorecard, run_dir: str
) -> tuple[str, str]:
    """report.html and decision.md, from one view model so that they never disagree."""
    view = build_view(profile, evidence, verdicts, scorecard, run_dir=run_dir)
    view.data_json = _embedded_json(report_data(profile, evidence, verdicts, scorecard))
    return render_html(view), render_markdown(decision_record(view))


def decision_record(view: ReportView) -> DecisionRecord:
    """decision.md's content: the MADR parts of the report, its first screen's reasons, and every score."""
    return DecisionRecord(
        title=f"{view.title}: {view.decision.headline}",
        date=view.created_at[:10],
        madr=view.madr,
        decision=view.decision,
        scores=ScoreTable(
            options=view.candidates,
            rows=[
                (row.label, row.weight_pct, [f"{cell['score']:.1f} ({cell['source']})" for cell in row.cells])
                for row in view.criteria
            ],
        ),
    )


# --- other pages (team report, machine comparison, onboarding) share this Jinja setup and CSS


CSS_PLACE = "<advisor-css>"  # where the stylesheet goes; typed text is escaped, so it can never spell this


def render_page(template_name: str, **context: Any) -> str:
    """Render a page of reports/ with the report's Jinja setup (autoescape on), its CSS inlined as `css`:
    only the rules whose classes the page uses, so a page without a code view carries none of its rules."""
    from advisor.report.templates import environment

    html = environment().get_template(template_name).render(css=Markup(CSS_PLACE), **context)
    head, _, body = html.partition(CSS_PLACE)
    return head + used_rules(_inline_css(), body) + body


@cache
def _inline_css() -> str:
    """report.css without its comments and indentation: the page carries the rules, the file keeps the notes."""
    text = resources.files("reports").joinpath("report.css").read_text(encoding="utf-8")
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r" ?([{};,]) ?", r"\1", text)  # no string in report.css holds these with spaces around
    return re.sub(r"([{;]-*\w[\w-]*): ", r"\1:", text).strip()  # custom properties (--bg) too


def _blocks(css: str) -> list[str]:
    """The top-level rules and at-rules of minified CSS, each with its braces."""
    blocks, depth, start = [], 0, 0
    for i, char in enumerate(css):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                blocks.append(css[start : i + 1])
                start = i + 1
    return blocks


def used_rules(css: str, html: str) -> str:
    """The rules of `css` that can match `html`: a rule goes when each of its selectors names a class
    the page never uses (the page has no script, so its classes are all in the markup)."""
    classes = {name for found in re.findall(r'class="([^"]*)"', html) for name in found.split()}

    def wanted(selectors: str) -> bool:
        return any(set(re.findall(r"\.([\w-]+)", sel)) <= classes for sel in selectors.split(","))

    kept = []
    for block in _blocks(css):
        selectors, _, rest = block.partition("{")
        if selectors.startswith("@media"):
            inner = "".join(b for b in _blocks(rest[:-1]) if wanted(b.partition("{")[0]))
            if inner:
                kept.append(f"{selectors}{{{inner}}}")
        elif selectors.startswith("@") or wanted(selectors):
            kept.append(block)
    return "".join(kept)


def embedded_json(data: dict[str, Any]) -> Markup:
    """Data for a page's <script type="application/json"> block, safe inside it."""
    return _embedded_json(data)
