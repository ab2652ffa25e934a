"""View model of the claims section: every claim, its sources, its verdict and what changed since."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from advisor.records.ledger import Claim, Ledger, audience_text, favours_text, load_ledger, source_label
from advisor.records.profile import load_criteria
from advisor.records.verdicts import METRIC_WORDS, VERDICT_LABELS, Finding, Verdict
from advisor.report.speed import model_name
from probes.variants import label as variant_label

# A symbol beside each verdict's words, so neither colour nor the symbol alone carries the meaning.
VERDICT_SYMBOLS = {
    "confirmed": "✓",
    "contradicted": "✗",
    "within_noise": "≈",
    "mixed": "±",
    "partly_measured": "◐",
    "not_measured": "○",
    "literature_only": "¶",
    "outdated": "†",
}
VERDICT_ORDER = tuple(VERDICT_LABELS)


@dataclass
class ClaimRow:
    id: str
    text: str
    criterion: str
    sources: list[str]
    favours: str
    audience: str
    verdict: str
    verdict_label: str
    symbol: str
    figures: list[str]
    test: str
    changes: list[dict[str, str]]  # the releases since the claim that changed it: id and version ("Keras 3.0")
    now: str | None
    disagrees_with: list[str]
    as_of: str | None
    linked: bool = False  # another part of the page links to it, so it carries its id (#claim-<id>)


@dataclass
class ClaimGroup:
    """The claims about one criterion: folded in the report, with a count per verdict in its summary."""

    key: str  # the criterion's key: the group is #claims-<key>
    criterion: str
    rows: list[ClaimRow]
    counts: list[dict[str, Any]]

    @property
    def by_verdict(self) -> list[tuple[str, str, list[ClaimRow]]]:
        """The rows under their verdict's words (verdict, words, rows), in the ledger's order of verdicts."""
        found: dict[str, tuple[str, str, list[ClaimRow]]] = {}
        for r in sorted(self.rows, key=lambda r: VERDICT_ORDER.index(r.verdict)):
            found.setdefault(r.verdict_label, (r.verdict, r.verdict_label, []))[2].append(r)
        return list(found.values())


@dataclass
class ClaimsView:
    rows: list[ClaimRow]
    groups: list[ClaimGroup]
    counts: list[dict[str, Any]]
    per_source: list[dict[str, Any]]
    disagreements: list[dict[str, Any]]
    releases: list[dict[str, str]]  # each release a claim cites, told once: id, version, date, change
    measured_count: int
    total: int
    legend: list[dict[str, str]] = field(default_factory=list)


def _test_text(claim: Claim) -> str:
    if claim.test is None:
        return "no probe can test it"
    return f"{claim.test.probe} probe: {claim.test.figure.replace('_', ' ')} ({claim.test.rule.replace('_', ' ')})"


def build_claims_view(verdicts: Sequence[Verdict]) -> ClaimsView:
    ledger = load_ledger()
    labels = {key: c.label for key, c in load_criteria().items()}
    by_id = {v.claim_id: v for v in verdicts}
    order = list(labels)
    rows = []
    keys = []
    for claim in sorted(ledger.claims, key=lambda c: order.index(c.criterion)):
        keys.append(claim.criterion)
        verdict = by_id.get(claim.id) or Verdict(claim.id, "literature_only" if claim.test is None else "not_measured")
        shown = [f for f in verdict.findings if f.outcome != "not_measured"]
        if verdict.verdict == "partly_measured":  # what was found, and what was not measured
            shown += [f for f in verdict.findings if f.outcome == "not_measured"]
        if not shown and verdict.findings and verdict.verdict != "not_measured":
            shown = [verdict.findings[0]]
        figures = per_model_lines(shown)
        label = verdict.label
        if verdict.verdict == "partly_measured" and verdict.evidence_outcome:
            label = f"partly measured: {VERDICT_LABELS[verdict.evidence_outcome]} where measured"
        rows.append(
            ClaimRow(
                id=claim.id,
                text=claim.text,
                criterion=labels[claim.criterion],
                sources=list(claim.sources),
                favours=favours_text(claim),
                audience=audience_text(claim),
                verdict=verdict.verdict,
                verdict_label=label,
                symbol=VERDICT_SYMBOLS[verdict.verdict],
                figures=figures,
                test=_test_text(claim),
                changes=[{"id": r, "version": ledger.releases[r].version} for r in claim.changed_since],
                now=claim.now,
                disagrees_with=list(claim.disagrees_with),
                as_of=claim.as_of,
            )
        )
    disagreements = _disagreements(ledger)
    linked = {c["id"] for group in disagreements for c in group["claims"]}
    rows = [replace(r, linked=r.id in linked) for r in rows]
    groups = [
        ClaimGroup(key, labels[key], mine, _counts(mine))
        for key in dict.fromkeys(keys)
        if (mine := [r for r, k in zip(rows, keys, strict=True) if k == key])
    ]
    per_source = [
        {"label": source_label(ledger.sources[key]), "file": ledger.sources[key].file, "n": n}
        for key, n in ledger.per_source().items()
    ]
    return ClaimsView(
        rows=rows,
        groups=groups,
        counts=_counts(rows),
        per_source=per_source,
        disagreements=disagreements,
        releases=[
            {"id": r.id, "version": r.version, "date": r.date, "change": r.change}
            for key in dict.fromkeys(k for c in ledger.claims for k in c.changed_since)
            if (r := ledger.releases[key])
        ],
        measured_count=sum(
            1 for r in rows if r.verdict in ("confirmed", "contradicted", "within_noise", "mixed", "partly_measured")
        ),
        total=len(rows),
        legend=[{"symbol": VERDICT_SYMBOLS[k], "label": VERDICT_LABELS[k]} for k in VERDICT_ORDER],
    )


def per_model_lines(findings: Sequence[Finding]) -> list[str]:
    """The same comparison on each model as one line ("PyTorch vs Keras 3 on TensorFlow, training
    throughput: MLP 2.39× (2.29–2.49), CNN ..."), not a line a model repeating the names; the medians
    behind each ratio are in the speed section. A framework with no result on several models is one line
    ("PyTorch was not measured on mlp, cnn"). Any other finding keeps its own sentence."""
    heads: dict[tuple[str, ...], str] = {}
    items: dict[tuple[str, ...], list[str]] = {}
    lines: list[str | tuple[str, ...]] = []
    for finding in findings:
        values = finding.values or {}
        model = model_name(str(values.get("model")))
        if "ratio" in values and "a" in values and "b" in values:
            a, b, metric = str(values["a"]), str(values["b"]), str(values.get("metric"))
            counts = values.get("processes") or []
            over = f"{counts[0]} processes each" if len(set(counts)) == 1 else " and ".join(map(str, counts))
            key = ("speed", a, b, metric, over)
            words = METRIC_WORDS.get(metric, metric)
            head = f"{variant_label(a)} vs {variant_label(b)}, {words} (ratio, 95% CI over {over})"
            item = f"{model} {values['ratio']:.2f}× ({values['low']:.2f}–{values['high']:.2f})"
        elif isinstance(values.get("counts"), dict) and len(values["counts"]) == 2 and "model" in values:
            (a, count_a), (b, count_b) = values["counts"].items()
            fact = str(values.get("fact", "")).replace("_", " ")
            key = ("count", a, b, fact)
            head = f"{variant_label(a)} vs {variant_label(b)}, {fact}"
            item = f"{model} {count_a:g} vs {count_b:g}" + (
                " (about the same)" if finding.outcome == "within_noise" else ""
            )
        elif "absent" in values and "model" in values:
            key = ("absent", str(values["absent"]))
            head, item = f"{variant_label(str(values['absent']))} was not measured on", str(values["model"])
        else:
            lines.append(finding.figure)
            continue
        if key not in items:
            heads[key], items[key] = head, []
            lines.append(key)
        items[key].append(item)
    return [line if isinstance(line, str) else _joined(line, heads[line], items[line]) for line in lines]


def _joined(key: tuple[str, ...], head: str, items: list[str]) -> str:
    return f"{head} {', '.join(items)}" if key[0] == "absent" else f"{head}: {', '.join(items)}"


def _counts(rows: Sequence[ClaimRow]) -> list[dict[str, Any]]:
    """How many of these claims got each verdict, in the ledger's order of verdicts, none left at zero."""
    return [
        {"verdict": key, "label": VERDICT_LABELS[key], "symbol": VERDICT_SYMBOLS[key], "n": n}
        for key in VERDICT_ORDER
        if (n := sum(1 for r in rows if r.verdict == key))
    ]


def _disagreements(ledger: Ledger) -> list[dict[str, Any]]:
    """Groups of claims that contradict each other, each claim with its source and date."""
    seen: set[str] = set()
    groups = []
    for claim in ledger.claims:
        if not claim.disagrees_with or claim.id in seen:
            continue
        members = [claim.id, *claim.disagrees_with]
        for other in list(members):
            members += [m for m in ledger.claim(other).disagrees_with if m not in members]
        seen.update(members)
        groups.append(
            {
                "criterion": load_criteria()[claim.criterion].label,
                "claims": [
                    {
                        "id": m,
                        "text": ledger.claim(m).text,
                        "source": "; ".join(source_label(ledger.sources[s]) for s in ledger.claim(m).sources),
                        "as_of": ledger.claim(m).as_of,
                    }
                    for m in members
                ],
            }
        )
    return groups
