"""Verdicts: the record the claims stage gives the scoring stage and the report.

One Verdict per claim of the ledger, in ledger order, each with the findings (the comparisons
and figures) behind it; the rules that make them are in advisor/claims/rules.py.

Format history:
  advisor-verdicts/1  counts and verdicts; written beside the evidence but never read back.
  advisor-verdicts/2  adds the digests of the evidence and of the ledger the claims were checked
                      against, so a reader can tell a stale file (another run's evidence, an
                      edited ledger) from a fresh one; read back by `advisor report` and scoring.
  advisor-verdicts/3  a comparison not measured because one framework has no result on a model says
                      which, in its values ("absent", "model"), so the report groups those lines
                      without reading its figure back; an earlier file is checked again.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

VERDICTS_FORMAT = "advisor-verdicts/3"
VERDICT_LABELS = {
    "confirmed": "confirmed",
    "contradicted": "contradicted",
    "within_noise": "within noise",
    "mixed": "mixed",
    "partly_measured": "partly measured",
    "not_measured": "not measured in this run",
    "literature_only": "literature only",
    "outdated": "outdated",
}
OUTCOMES = ("confirmed", "contradicted", "within_noise", "not_measured")
# A finding's metric in words, as the verdicts' figures and the report say it.
METRIC_WORDS = {
    "train_samples_per_s": "training throughput",
    "peak_rss_mb": "peak memory",
    "train_memory_mb": "training memory above the library's footprint",
    "stream_samples_per_s": "training throughput on records streamed from disk",
    "dp2_samples_per_s": "training throughput of two data-parallel processes",
    "scaling_efficiency": "scaling efficiency from one process to two",
    "short_run_s": "time for a short run (import, build and 100 steps)",
}


@dataclass(frozen=True)
class Finding:
    """One comparison behind a verdict: what was compared, its outcome, and the figure with spread."""

    subject: str
    outcome: str  # confirmed | contradicted | within_noise | not_measured
    figure: str
    values: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"subject": self.subject, "outcome": self.outcome, "figure": self.figure, "values": dict(self.values)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Finding:
        outcome = str(data["outcome"])
        if outcome not in OUTCOMES:
            raise ValueError(f"finding outcome must be one of {', '.join(OUTCOMES)}. Received: {outcome!r}")
        return cls(str(data["subject"]), outcome, str(data["figure"]), dict(data.get("values") or {}))


@dataclass(frozen=True)
class Verdict:
    claim_id: str
    verdict: str  # a key of VERDICT_LABELS
    findings: tuple[Finding, ...] = ()
    evidence_outcome: str | None = None  # outdated: what the test of its `now` found; partly measured: what it found

    @property
    def label(self) -> str:
        return VERDICT_LABELS[self.verdict]

    @property
    def measured(self) -> bool:
        return any(f.outcome != "not_measured" for f in self.findings)

    def summary(self, limit: int = 2) -> str:
        """The figures behind the verdict, or why there are none, in one line."""
        shown = [f for f in self.findings if f.outcome != "not_measured"] or list(self.findings)
        text = "; ".join(f.figure for f in shown[:limit])
        if len(shown) > limit:
            text += f"; and {len(shown) - limit} more"
        return text

    def to_json(self) -> dict[str, Any]:
        return {
            "claim": self.claim_id,
            "verdict": self.verdict,
            "label": self.label,
            "evidence_outcome": self.evidence_outcome,
            "findings": [f.to_json() for f in self.findings],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Verdict:
        verdict = str(data["verdict"])
        if verdict not in VERDICT_LABELS:
            raise ValueError(f"verdict must be one of {', '.join(VERDICT_LABELS)}. Received: {verdict!r}")
        outcome = data.get("evidence_outcome")
        return cls(
            claim_id=str(data["claim"]),
            verdict=verdict,
            findings=tuple(Finding.from_json(f) for f in data.get("findings") or ()),
            evidence_outcome=str(outcome) if outcome is not None else None,
        )


@dataclass(frozen=True)
class Verdicts:
    """Every claim's verdict, and what they were checked against."""

    verdicts: tuple[Verdict, ...]
    evidence_digest: str | None = None  # advisor/records/digests.py; None: checked against no evidence
    ledger_digest: str | None = None

    def __iter__(self) -> Iterator[Verdict]:
        return iter(self.verdicts)

    def __len__(self) -> int:
        return len(self.verdicts)

    def by_claim(self) -> dict[str, Verdict]:
        return {v.claim_id: v for v in self.verdicts}

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for verdict in self.verdicts:
            counts[verdict.verdict] = counts.get(verdict.verdict, 0) + 1
        return counts

    def to_json(self) -> dict[str, Any]:
        return {
            "format": VERDICTS_FORMAT,
            "evidence_digest": self.evidence_digest,
            "ledger_digest": self.ledger_digest,
            "counts": self.counts(),
            "verdicts": [v.to_json() for v in self.verdicts],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any], origin: str = "verdicts") -> Verdicts:
        if data.get("format") != VERDICTS_FORMAT:
            raise ValueError(f"{origin}: 'format' must be {VERDICTS_FORMAT}. Received: {data.get('format')!r}")
        return cls(
            verdicts=tuple(Verdict.from_json(v) for v in data.get("verdicts") or ()),
            evidence_digest=data.get("evidence_digest"),
            ledger_digest=data.get("ledger_digest"),
        )
