"""What the evidence cannot carry: the reasons a scorecard's pick is provisional, or a score a guess.

A headline must not claim more than the run measured. An interrupted run, a smoke test (the tiny
budget) or a run that measured nothing still gets a scorecard, but its confidence is
"provisional" and the first screen and the terminal say why; a candidate that was not measured at
all (its framework not installed, say) is named, since its scores then come from the articles.
"""

from __future__ import annotations

from collections.abc import Sequence

from advisor.records.scorecard import Caveat
from probes.evidence import Evidence

SMOKE_TEST_BUDGETS = ("tiny",)  # probes/budgets.py: a smoke test, noisy by design


def evidence_caveats(evidence: Evidence | None, candidates: Sequence[str]) -> tuple[Caveat, ...]:
    """The caveats of a run's evidence, most serious first."""
    from probes.variants import label

    probes = evidence.probes() if evidence is not None else []
    measured = [r for r in probes if r.ok]
    if not measured:
        return (
            Caveat(
                "nothing_measured",
                True,
                "Nothing was measured on this machine: every score comes from the articles and your answers.",
            ),
        )
    assert evidence is not None
    caveats = []
    if not evidence.complete:
        caveats.append(
            Caveat(
                "interrupted",
                True,
                f"The run was interrupted: {len(measured)} of {len(probes)} probes measured; "
                "what was not is scored from the articles.",
            )
        )
    if evidence.settings.get("budget") in SMOKE_TEST_BUDGETS:
        caveats.append(
            Caveat(
                "smoke_test",
                True,
                "A smoke test (the tiny budget): one process and very short windows, so the figures are noisy "
                "by design. It shows the tool works, not which framework is faster; measure with --budget quick "
                "or more before deciding.",
            )
        )
    for candidate in candidates:
        mine = [r for r in probes if r.variant == candidate]
        if mine and not any(r.ok for r in mine):
            reasons = "; ".join(dict.fromkeys(r.reason or r.status for r in mine))
            caveats.append(
                Caveat(
                    f"not_measured:{candidate}",
                    False,
                    f"{label(candidate)} was not measured ({reasons}); its scores come from the articles.",
                )
            )
    return tuple(caveats)
