"""The HTML report: view models built from the saved records, then rendered with Jinja2.

Templates hold no logic beyond `if` and `for`; everything they show is computed here, from the
profile, the evidence and the scorecard alone, so a report can be re-made on any machine.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from markupsafe import Markup

from advisor.claims.verdicts import Verdicts
from advisor.fileio import write_text_atomic
from advisor.questionnaire.profile import Profile, load_criteria
from advisor.report.claims import build_claims_view
from advisor.report.debugging import build_debugging_view
from advisor.report.decision import (
    build_decision_view,
    build_madr_view,
    count_not_measured,
    probes_not_measured,
    raised_by,
)
from advisor.report.deployment import build_deployment_view
from advisor.report.ease import build_ease_view
from advisor.report.facts import build_facts_view
from advisor.report.findings import status_words
from advisor.report.scale import build_scale_view
from advisor.report.speed import build_speed_view
from advisor.scoring.scorecard import Scorecard
from probes.evidence import Evidence
from probes.variants import label as variant_label

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

    def because(criterion: str) -> list[str]:
        return raised_by(profile, criterion)

    rows = []
    for key, criterion in criteria.items():
        cells = []
        for candidate in scorecard.candidates:
            s = scorecard.scores[key][candidate]
            cells.append(
                {
                    "score": s.score,
                    "source": SOURCE_LABELS[s.source],
                    "basis": s.basis,
                    "measured": s.source == "measured",
                    "anchored": s.source == "literature" and "anchor" in s.figures or "peer" in s.figures,
                }
            )
        rows.append(
            CriterionRow(key, criterion.label, criterion.description, 100 * scorecard.weights[key], because(key), cells)
        )
    rows.sort(key=lambda row: -row.weight_pct)

    env = evidence.environment if evidence else {}
    values = profile.answers.values
    title = values.get("project_name") or "Framework advice"
    decision = build_decision_view(profile, evidence, scorecard)
    view = ReportView(
        title=title,
        person=values.get("name") or "",
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
        answers=[(k, _plain(v), profile.answers.origins[k]) for k, v in values.items()],
        decision=decision,
        claims=build_claims_view(verdicts.verdicts),
        facts=build_facts_view(values, scorecard),
        speed=build_speed_view(evidence),
        scale=build_scale_view(evidence, run_dir),
        ease=build_ease_view(evidence, run_dir),
        debugging=build_debugging_view(evidence, run_dir),
        deployment=build_deployment_view(
            evidence, values.get("deployment_target"), profile.answers.origins.get("deployment_target"), run_dir
        ),
        madr=build_madr_view(
            profile, evidence, scorecard, decision, count_not_measured(verdicts), probes_not_measured(verdicts)
        ),
    )
    return view


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
    text = json.dumps(data, ensure_ascii=False, allow_nan=False)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def render_html(view: ReportView) -> str:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    templates = resources.files("reports")
    env = Environment(
        loader=FileSystemLoader(str(templates)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    template = env.get_template("report.html")
    css = Markup(templates.joinpath("report.css").read_text(encoding="utf-8"))
    return template.render(view=view, css=css)


def render(profile: Profile, evidence: Evidence | None, verdicts: Verdicts, scorecard: Scorecard, run_dir: str) -> str:
    """The report stage: the four records to one self-contained HTML page (the records embedded as JSON)."""
    view = build_view(profile, evidence, verdicts, scorecard, run_dir=run_dir)
    view.data_json = _embedded_json(
        {
            "profile": profile.to_json(),
            "scorecard": scorecard.to_json(),
            "verdicts": verdicts.to_json(),
            "evidence": evidence.to_json() if evidence else None,
        }
    )
    return render_html(view)


def write_report(
    path: Path, profile: Profile, evidence: Evidence | None, verdicts: Verdicts, scorecard: Scorecard
) -> Path:
    """Render the report to `path` atomically: a failed render leaves no file behind."""
    write_text_atomic(path, render(profile, evidence, verdicts, scorecard, run_dir=str(path.parent)))
    return path


# --- other pages (team report, machine comparison, onboarding) share this Jinja setup and CSS


def render_page(template_name: str, **context: Any) -> str:
    """Render a page of reports/ with the report's Jinja setup (autoescape on), its CSS inlined as `css`."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    templates = resources.files("reports")
    env = Environment(
        loader=FileSystemLoader(str(templates)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    css = Markup(templates.joinpath("report.css").read_text(encoding="utf-8"))
    return env.get_template(template_name).render(css=css, **context)


def embedded_json(data: dict[str, Any]) -> Markup:
    """Data for a page's <script type="application/json"> block, safe inside it."""
    return _embedded_json(data)
