"""decision.md: the decision record (MADR) in Markdown, to paste into a repository or a wiki.

It is made from the same view models as the HTML report (advisor/report/decision.py), so the two
never disagree; every text is escaped for Markdown, so a project name cannot become a link, a
heading or HTML where the file is pasted.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from advisor.report.decision import DecisionView, MadrView

MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]{}<>#|!~])")


def md(text: object) -> str:
    """Plain text made inert in Markdown: one line, its special characters backslash-escaped, except
    that paired backticks stay code spans (a command to run), which Markdown shows literally anyway."""
    parts = " ".join(str(text).split()).split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: no code span, every one escaped
        return "\\`".join(MARKDOWN_SPECIALS.sub(r"\\\1", p) for p in parts)
    return "".join(f"`{p}`" if i % 2 else MARKDOWN_SPECIALS.sub(r"\\\1", p) for i, p in enumerate(parts))


@dataclass
class ScoreTable:
    """The criteria with their weights and each option's score: the figures that carry the decision."""

    options: list[str]
    rows: list[tuple[str, float, list[str]]]  # criterion, weight %, one "8.5 (measured)" per option


@dataclass
class DecisionRecord:
    """What decision.md says: a title, the MADR parts, and the figures behind them."""

    title: str
    date: str
    madr: MadrView
    decision: DecisionView | None = None
    scores: ScoreTable | None = None
    made_from: str = "the records beside this file: profile.json, evidence.json, verdicts.json, scorecard.json"
    extra: list[tuple[str, list[str]]] = field(default_factory=list)  # more sections: heading, lines


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[bool]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---:" if n else "---" for n in numeric) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def render_markdown(record: DecisionRecord) -> str:
    """The record as Markdown: MADR's sections in MADR's order, with tables a wiki renders."""
    m, d = record.madr, record.decision
    out = [f"# {md(record.title)}", ""]
    out += [f"- Status: {md(m.status)}", f"- Date: {md(record.date or 'not recorded')}"]
    out += [f"- Made by Framework Advisor from {md(record.made_from)}", ""]
    out += ["## Context and problem statement", "", "Which deep-learning framework should this project use?", ""]
    out += [f"- {md(line)}" for line in m.context] + [""]
    out += ["## Decision drivers", ""] + [f"{i}. {md(line)}" for i, line in enumerate(m.drivers, 1)] + [""]
    out += ["## Considered options", ""]
    out += _table(
        ["Option", "Total (of 10)", "Good, because", "Bad, because"],
        [
            [
                f"**{md(o.name)}** (chosen)" if o.chosen else md(o.name),
                f"{o.total:.2f}",
                "; ".join(md(p) for p in o.pros),
                "; ".join(md(c) for c in o.cons),
            ]
            for o in m.options
        ],
        [False, True, False, False],
    )
    out += ["", "## Decision outcome", "", md(m.decision), ""]
    if d is not None:
        out += [f"- **Caveat:** {md(c)}" for c in d.caveats]
        for r in d.reasons:
            out.append(
                f"- {md(r.criterion)} ({r.weight_pct:.0f}% of the weight): {md(d.leader)} {r.leader_score:.1f}, "
                f"{md(d.runner_up)} {r.rival_score:.1f} ({md(r.source)}; {md(r.basis)})"
            )
        out += [f"- What would change it: {md(d.change_line)}", ""]
    if record.scores is not None:
        out += ["### The scores behind it (0 to 10, with where each comes from)", ""]
        out += _table(
            ["Criterion", "Weight", *(md(o) for o in record.scores.options)],
            [[md(c), f"{w:.0f}%", *(md(cell) for cell in cells)] for c, w, cells in record.scores.rows],
            [False, True, *([True] * len(record.scores.options))],
        )
        out.append("")
    for heading, lines in record.extra:
        out += [f"## {md(heading)}", ""] + [f"- {md(line)}" for line in lines] + [""]
    out += ["## How to confirm it", ""] + [f"{i}. {md(line)}" for i, line in enumerate(m.confirm, 1)] + [""]
    return "\n".join(out)
