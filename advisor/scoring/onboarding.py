"""An onboarding path: what one member learns first for the framework the team chose, and why.

The material is data (knowledge/onboarding.yaml); this module only picks from it by the member's
answers, orders it by prerequisites, and adds the debugging and export results of the chosen
framework from the evidence of the first machine that has any (advisor/records/onboarding.py); the
pages put them in the report's words (advisor/report/onboarding.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import knowledge
from advisor.questionnaire.profile import rule_matches
from advisor.records.answers import Answers, questions_by_key
from advisor.records.onboarding import Findings, OnboardingPath, Step
from advisor.records.team import Machine
from probes.variants import VARIANTS

FAMILY_LABELS = {"pytorch": "PyTorch", "keras": "Keras", "tensorflow": "TensorFlow", "jax": "JAX"}


def plan_onboarding(member: str, answers: Answers, variant: str, machines: Sequence[Machine]) -> OnboardingPath:
    """The member's path to the chosen variant, and its debugging and export findings from `machines`."""
    data = knowledge.load("onboarding")
    family = VARIANTS[variant].family
    if family not in data["families"]:
        raise ValueError(f"knowledge/onboarding.yaml: no entry for the {family} family of {variant}")
    known = list(answers.known_frameworks)
    values = {
        **answers.values,
        "knows_chosen": family in known,
        "knows_other": bool([k for k in known if k != family]),
        "chosen": family,
    }
    steps = [_step(c, values, family, known, data) for c in _ordered(data["concepts"])]
    roles = [role for role in data["roles"] if any(rule_matches(w, values) for w in role["when_any"])]
    cases = [case for role in roles for case in role["debugging_cases"]]
    wants_export = any(role["export"] for role in roles)
    paths = data["export_paths"].get(answers.deployment_target, [])
    return OnboardingPath(
        member=member,
        variant=variant,
        family=family,
        knows_chosen=family in known,
        roles=tuple(role["label"] for role in roles),
        steps=tuple(s for s in steps if s is not None),
        start=data["families"][family]["start"],
        reference_file=data["families"][family]["reference"],
        debugging=_findings("debugging", variant, machines, bool(cases), list(dict.fromkeys(cases))),
        export=_findings("export", variant, machines, wants_export, paths),
    )


def _ordered(concepts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The file's order, moved only where a concept must follow its prerequisites."""
    by_id = {c["id"]: c for c in concepts}
    done: list[str] = []

    def visit(concept_id: str, trail: tuple[str, ...] = ()) -> None:
        if concept_id in done or concept_id in trail:
            return
        for prerequisite in by_id[concept_id].get("prerequisites") or []:
            visit(prerequisite, trail + (concept_id,))
        done.append(concept_id)

    for concept in concepts:
        visit(concept["id"])
    return [by_id[i] for i in done]


def _step(
    concept: dict[str, Any], values: Mapping[str, Any], family: str, known: list[str], data: Mapping[str, Any]
) -> Step | None:
    matched = [when for when in concept["needed_when"] if rule_matches(when, values)]
    if not matched:
        return None
    because = tuple(dict.fromkeys(_said(key, values[key], family, known) for when in matched for key in when))
    if concept["id"] == "coming_from":
        how, refs = [], []
        for other in known:
            lines = (data["translations"].get(other) or {}).get(family) or []
            how += [f"From {FAMILY_LABELS.get(other, other)}: {line}" for line in lines]
        if not how:
            return None
    else:
        how = [text for key in ("all", family) if (text := (concept.get("how") or {}).get(key))]
        refs = [ref for key in ("all", family) for ref in (concept.get("references") or {}).get(key) or []]
    return Step(concept["id"], concept["label"], concept["why"], because, tuple(how), tuple(refs))


def _said(key: str, value: Any, family: str, known: list[str]) -> str:
    if key == "knows_chosen":
        return f"you do not know {FAMILY_LABELS[family]} yet" if not value else f"you know {FAMILY_LABELS[family]}"
    if key == "knows_other":
        return "you know " + ", ".join(FAMILY_LABELS.get(k, k) for k in known if k != family)
    question = questions_by_key().get(key)
    shown = ", ".join(value) if isinstance(value, list) else value
    return f"you said {key}: {shown}" if question else f"{key}: {shown}"


def _findings(kind: str, variant: str, machines: Sequence[Machine], relevant: bool, cases: list[str]) -> Findings:
    """This kind's results for the variant from the first machine that has any, filtered to `cases`."""
    searched = tuple(m.label for m in machines)
    for machine in machines:
        results = [r for r in machine.evidence.of_kind(kind) if r.variant == variant]
        if not results:
            continue
        chosen = [r for r in results if any(r.case == c or r.case.startswith(c + "_") for c in cases)]
        chosen.sort(key=lambda r: next(i for i, c in enumerate(cases) if r.case == c or r.case.startswith(c + "_")))
        return Findings(kind, relevant, machine.label, tuple(chosen or results), len(results), searched)
    return Findings(kind, relevant, None, (), 0, searched)
