"""The report's structure, pinned: headings, tables, sections and the data block, as coverage.py pins its HTML.

The page is rendered from saved records (tests/fixtures), its outline extracted and scrubbed of
figures, so a change of wording, order or a section gone shows as a diff against tests/gold/,
while a measured number changing does not. After an intended change, re-make the gold files with
    ADVISOR_UPDATE_GOLD=1 .venv/bin/python -m pytest tests/advisor/report/test_report_gold.py
and read the diff before committing it.
"""

from __future__ import annotations

import json
import os
import re
from html.parser import HTMLParser

import pytest

from advisor.claims import Verdicts, check
from advisor.questionnaire import build_profile, collect_answers
from advisor.questionnaire.questions import read_answers_file
from advisor.report.page import render
from advisor.runs import load_evidence
from advisor.scoring import score
from tests.conftest import FIXTURES, TESTS

GOLD = TESTS / "gold"
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


class Outline(HTMLParser):
    """Sections, headings, figure captions, details summaries, each table's caption, column headers and
    row count, the claims listed, and the data block's format and keys."""

    KEEP = {"h1", "h2", "h3", "h4", "caption", "th", "summary", "figcaption"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._open: list[tuple[str, list[str]]] = []
        self._json: list[str] | None = None
        self._in_body = False
        self._rows = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section":
            self.lines.append(f"section {attrs.get('aria-labelledby') or attrs.get('id')}")
        if tag == "table":
            self.lines.append("table")
            self._rows = 0
        if tag == "tbody":
            self._in_body = True
        if tag == "ul" and "claims" in (attrs.get("class") or "").split():
            self._in_claims = True
        if tag == "li" and getattr(self, "_in_claims", False):
            self.lines.append("  claim")
        if tag == "tr" and self._in_body:
            self._rows += 1
        if tag == "script" and attrs.get("type") == "application/json":
            self._json = []
        if tag in self.KEEP and not (tag == "th" and self._in_body):  # row headers are content, counted below
            self._open.append((tag, []))

    def handle_endtag(self, tag):
        if tag == "ul":
            self._in_claims = False
        if tag == "tbody":
            self._in_body = False
        if tag == "table":
            self.lines.append(f"  rows: {self._rows}")
        if tag == "script" and self._json is not None:
            data = json.loads("".join(self._json))
            if isinstance(data.get("format"), str):  # one record of what the page shows: its format and keys
                self.lines.append(f"data {data['format']}: {', '.join(k for k in data if k != 'format')}")
            else:  # several records, each with its own format
                self.lines.append("data " + ", ".join(f"{k}:{(v or {}).get('format')}" for k, v in data.items()))
            self._json = None
        if self._open and self._open[-1][0] == tag:
            _, text = self._open.pop()
            words = " ".join("".join(text).split())
            self.lines.append(f"  {tag}: {NUMBER.sub('N', words)}")

    def handle_data(self, data):
        if self._json is not None:
            self._json.append(data)
        for _, text in self._open:
            text.append(data)


def outline(html: str) -> str:
    parser = Outline()
    parser.feed(html)
    return "\n".join(parser.lines) + "\n"


def rendered(fixture: str) -> str:
    folder = FIXTURES / fixture
    answers = collect_answers(file_values=read_answers_file(folder / "answers.yaml"), use_defaults=True)
    profile = build_profile(answers)
    evidence = load_evidence(folder / "evidence.json")
    verdicts: Verdicts = check(evidence)
    return render(profile, evidence, verdicts, score(profile, evidence, verdicts), run_dir="RUN_DIR")


@pytest.mark.parametrize("fixture", ["run_quick", "run_standard"])
def test_the_report_keeps_its_structure(fixture):
    got = outline(rendered(fixture))
    gold = GOLD / f"report_{fixture}.txt"
    if os.environ.get("ADVISOR_UPDATE_GOLD") == "1":
        gold.write_text(got, encoding="utf-8")
    assert gold.exists(), f"no gold file {gold}: run with ADVISOR_UPDATE_GOLD=1 once"
    assert got == gold.read_text(encoding="utf-8")


def test_the_outline_would_notice_a_section_gone():
    html = rendered("run_quick")
    without = re.sub(r'<section aria-labelledby="claims".*?</section>', "", html, count=1, flags=re.S)
    assert outline(without) != outline(html)
