"""`advisor claims`: the ledger with this run's verdicts, as a terminal table or as JSON for scripts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from advisor.records.facts import Fact, load_facts
from advisor.records.ledger import audience_text, favours_text, load_ledger
from advisor.records.verdicts import VERDICT_LABELS, Verdicts

if TYPE_CHECKING:  # rich loads only when the table is printed, never for --json
    from rich.console import Console

CLAIMS_FORMAT = "advisor-claims/2"  # 2: with the dated facts
VERDICT_STYLES = {
    "confirmed": "green",
    "contradicted": "red",
    "within_noise": "yellow",
    "mixed": "yellow",
    "partly_measured": "cyan",
    "not_measured": "dim",
    "literature_only": "dim",
    "outdated": "magenta",
}


def ledger_json(verdicts: Verdicts, origin: str | None) -> dict[str, Any]:
    """Every claim, its sources, what changed since, and its verdict with the figures behind it."""
    ledger = load_ledger()
    by_id = {v.claim_id: v for v in verdicts}
    claims = []
    for claim in ledger.claims:
        verdict = by_id[claim.id]
        claims.append(
            {
                "id": claim.id,
                "claim": claim.text,
                "sources": [
                    {
                        "id": s,
                        "file": ledger.sources[s].file,
                        "title": ledger.sources[s].title,
                        "date": ledger.sources[s].date,
                    }
                    for s in claim.sources
                ],
                "criterion": claim.criterion,
                "favours": list(claim.favours),
                "against": list(claim.against),
                "alike": list(claim.alike),
                "audience": list(claim.audience),
                "targets": list(claim.targets),
                "as_of": claim.as_of,
                "changed_since": [
                    {
                        "id": r,
                        "version": ledger.releases[r].version,
                        "date": ledger.releases[r].date,
                        "change": ledger.releases[r].change,
                    }
                    for r in claim.changed_since
                ],
                "superseded": claim.superseded,
                "now": claim.now,
                "disagrees_with": list(claim.disagrees_with),
                "test": claim.test.to_json() if claim.test else None,
                "verdict": verdict.verdict,
                "verdict_label": verdict.label,
                "evidence_outcome": verdict.evidence_outcome,
                "findings": [f.to_json() for f in verdict.findings],
            }
        )
    counts = {key: sum(1 for v in verdicts if v.verdict == key) for key in VERDICT_LABELS}
    return {
        "format": CLAIMS_FORMAT,
        "evidence": origin,
        "counts": {k: n for k, n in counts.items() if n},
        "per_source": ledger.per_source(),
        "claims": claims,
        "facts": [fact_json(f) for f in load_facts()],
    }


def fact_json(fact: Fact) -> dict[str, Any]:
    """A dated fact since the articles, with its sources, as knowledge/facts.yaml states it."""
    return {
        "id": fact.id,
        "date": fact.date,
        "fact": fact.text,
        "criterion": fact.criterion,
        "frameworks": list(fact.frameworks),
        "stance": dict(fact.stance),
        "bears_on": {k: list(v) for k, v in fact.bears_on.items()},
        "sources": [{"url": s.url, "title": s.title, "checked": s.checked} for s in fact.sources],
    }


def print_ledger(console: Console, verdicts: Verdicts, origin: str | None) -> None:
    """A Rich table: one row per claim, the verdict in words (colour only repeats it)."""
    from rich.table import Table
    from rich.text import Text

    ledger = load_ledger()
    by_id = {v.claim_id: v for v in verdicts}
    title = f"{len(ledger.claims)} claims from {len(ledger.sources)} articles, checked against " + (
        origin or "no evidence (every measurable claim: not measured)"
    )
    table = Table(title=title, show_lines=True, expand=True)
    table.add_column("Claim", ratio=4)
    table.add_column("Sources", ratio=1)
    table.add_column("Criterion", ratio=1)
    table.add_column("Favours", ratio=1)
    table.add_column("Verdict and figures", ratio=4)
    for claim in ledger.claims:
        verdict = by_id[claim.id]
        text = Text(claim.id, style="bold")
        text.append("\n" + claim.text)
        figures = Text(verdict.label, style=VERDICT_STYLES[verdict.verdict] + " bold")
        if verdict.evidence_outcome:
            figures.append(f" (evidence: {VERDICT_LABELS[verdict.evidence_outcome]})")
        for finding in verdict.findings[:4]:
            figures.append("\n" + finding.figure)
        if claim.now:
            figures.append("\nnow: " + claim.now)
        table.add_row(
            text,
            ", ".join(claim.sources),
            claim.criterion.replace("_", " "),
            f"{favours_text(claim)}\nfor {audience_text(claim)}",
            figures,
        )
    console.print(table)
    counts = ", ".join(
        f"{VERDICT_LABELS[k]}: {n}" for k in VERDICT_LABELS if (n := sum(1 for v in verdicts if v.verdict == k))
    )
    per_source = ", ".join(f"{k}: {n}" for k, n in ledger.per_source().items())
    console.print(f"Verdicts: {counts}.", markup=False, highlight=False)
    console.print(f"Claims per source: {per_source}.", markup=False, highlight=False)
    facts = load_facts()
    console.print(
        f"And {len(facts)} dated facts since the articles ({facts[0].date[:4]} to {facts[-1].date[:4]}, "
        "knowledge/facts.yaml): in every report's 'What changed since the articles' and in --json.",
        markup=False,
        highlight=False,
    )
