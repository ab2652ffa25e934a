"""The terminal's score table: the criteria, heaviest first, and each framework's score, in 80 columns.

After a run the terminal says more than the headline: a reader who never opens the report still
sees what the pick rests on. Plain text, no colour (it must read the same when piped or in a log).
"""

from __future__ import annotations

import textwrap

from advisor.records.profile import load_criteria
from advisor.records.scorecard import Scorecard
from probes.variants import label

CRITERION_CHARS = 26  # the criteria's column; a longer name is cut with an ellipsis
SCORE_CHARS = 12  # each framework's column (four fit in 80 columns); its name wraps onto lines a space narrower


def score_table(scorecard: Scorecard) -> list[str]:
    """Lines of a table: one row per criterion (weight, then a score per framework, first place first),
    a total row, and a key; a score measured on this machine carries a '*'."""
    criteria = load_criteria()
    ranking = list(scorecard.ranking)
    heads = [textwrap.wrap(label(f), SCORE_CHARS - 1) or [""] for f in ranking]
    depth = max(len(h) for h in heads)
    lines = []
    for i in range(depth):
        cells = [(h[i - depth + len(h)] if i >= depth - len(h) else "").rjust(SCORE_CHARS) for h in heads]
        first = "Criterion".ljust(CRITERION_CHARS) + "Weight" if i == depth - 1 else " " * (CRITERION_CHARS + 6)
        lines.append(first + "".join(cells))
    lines.append("-" * len(lines[-1]))
    for c in sorted(scorecard.weights, key=lambda k: -scorecard.weights[k]):
        name = criteria[c].label if c in criteria else c
        if len(name) > CRITERION_CHARS - 1:
            name = name[: CRITERION_CHARS - 2] + "…"
        cells = []
        for f in ranking:
            s = scorecard.scores[c][f]
            cells.append((f"{s.score:.1f}" + ("*" if s.source == "measured" else " ")).rjust(SCORE_CHARS))
        lines.append(name.ljust(CRITERION_CHARS) + f"{100 * scorecard.weights[c]:.0f}%".rjust(6) + "".join(cells))
    lines.append("-" * len(lines[0]))
    totals = "".join(f"{scorecard.totals[f]:.2f} ".rjust(SCORE_CHARS) for f in ranking)
    lines.append("Weighted total, of 10".ljust(CRITERION_CHARS) + " " * 6 + totals)
    lines.append("* measured on this machine; the others from the articles or your answers")
    return [line.rstrip() for line in lines]
