"""What the ease probe's counts say beyond the ease-of-use score: the fewest lines per model, and the scripts.

The report's ease section shows a table of counts per model with one sentence on which framework needs
the fewest logical lines and which the most, and the reference scripts themselves, every counted line
tagged by its role. Both are worked out here once: the sentence's frameworks and figures, and which
script each result counted (probes/<framework>/reference.py, advisor/records/scripts.py) with whether the
installed copy is still the one counted (its SHA-256 among those the results recorded). A script changed
since is shown untagged, since the recorded roles are rows of another file.
"""

from __future__ import annotations

from collections.abc import Sequence

import knowledge
from advisor.records.findings import CountedScript, EaseFindings, FewestLines
from advisor.records.scripts import reference_code, reference_path, source_sha256
from probes.evidence import Evidence, ProbeResult
from probes.variants import VARIANTS


def ease_findings(evidence: Evidence | None) -> EaseFindings:
    results = evidence.of_kind("ease") if evidence is not None else []
    return EaseFindings(tuple(_fewest_lines(results)), tuple(_counted_scripts(results)))


def _variant_order(result: ProbeResult) -> int:
    order = list(VARIANTS)
    return order.index(result.variant) if result.variant in order else len(order)


def _fewest_lines(results: Sequence[ProbeResult]) -> list[FewestLines]:
    """Per model that two results or more recorded a total for: the fewest and the most logical lines."""
    found = []
    for model in dict.fromkeys(r.model for r in results):
        totals = [
            (r.facts.total_lines, r.variant)
            for r in sorted(results, key=_variant_order)
            if r.model == model and r.ok and r.facts.total_lines is not None
        ]
        if len(totals) < 2:
            continue
        low, high = min(t for t, _ in totals), max(t for t, _ in totals)
        fewest = tuple(v for t, v in totals if t == low)
        most = tuple(v for t, v in totals if t == high)
        found.append(FewestLines(model, fewest, int(low), most, int(high)))
    return found


def counted_script(result: ProbeResult) -> str | None:
    """The script a result counted (probes/<framework>/reference.py); a recorded path that is not one is ignored,
    and a result that recorded none counted its framework's script (knowledge/onboarding.yaml)."""
    recorded = result.facts.reference_file
    if recorded:
        return reference_path(str(recorded))
    family = VARIANTS[result.variant].family if result.variant in VARIANTS else None
    entry = knowledge.load("onboarding")["families"].get(family) or {}
    return entry.get("reference")


def _counted_scripts(results: Sequence[ProbeResult]) -> list[CountedScript]:
    by_script: dict[str, list[ProbeResult]] = {}
    for result in results:
        path = counted_script(result) if result.ok else None
        if path:
            by_script.setdefault(path, []).append(result)
    return [
        CountedScript(path, tuple((r.variant, r.model) for r in mine), _changed(path, mine))
        for path, mine in by_script.items()
    ]


def _changed(path: str, results: Sequence[ProbeResult]) -> bool:
    """The installed script is none of the files the results counted (when they recorded which)."""
    recorded = {r.facts.source_sha256 for r in results} - {None}
    if not recorded:
        return False
    try:
        return source_sha256(reference_code(path)) not in recorded
    except (FileNotFoundError, ValueError):  # another version's script: the report cannot show it either
        return True
