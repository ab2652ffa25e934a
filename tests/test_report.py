"""The report: self-contained, escaped, and in the order a reader needs it."""

from __future__ import annotations

import re

from advisor.answers import collect_answers
from advisor.runs import rerender

HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>{{ 7*7 }}'


def test_report_is_self_contained(saved_run):
    html = (rerender(saved_run).folder.report).read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "<link" not in html and "@import" not in html and "url(" not in html
    assert "default-src 'none'" in html  # the page itself forbids any load


def test_sections_come_in_reading_order(saved_run):
    html = rerender(saved_run).folder.report.read_text()
    positions = [
        html.index(f'id="{section}"')
        for section in ("decision", "what-would-change", "criteria", "evidence", "environment")
    ]
    assert positions == sorted(positions)


def test_report_shows_measured_figures_and_the_reproduce_command(saved_run):
    html = rerender(saved_run).folder.report.read_text()
    assert "samples/s" in html and "Peak RSS" in html
    assert "advisor advise --answers" in html
    assert "<svg" in html


def test_hostile_strings_appear_literally_never_as_markup(saved_run):
    answers = collect_answers(file_values={"project_name": HOSTILE[:120], "name": "<b>x</b>"}, use_defaults=True)
    html = rerender(saved_run, answers).folder.report.read_text()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "49" not in re.findall(r"<h1>(.*?)</h1>", html)[0]
    assert "{{ 7*7 }}" in html


def test_embedded_data_cannot_close_its_script_tag(saved_run):
    answers = collect_answers(file_values={"project_name": "</script><script>alert(1)//"}, use_defaults=True)
    html = rerender(saved_run, answers).folder.report.read_text()
    data = html.split('id="advisor-data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in data


def test_failed_probes_are_named_in_the_report(saved_run):
    import json

    evidence = json.loads((saved_run / "evidence.json").read_text())
    for result in evidence["results"]:
        if result["variant"] == "keras-tensorflow":
            result.update(
                status="timeout",
                reason="no result within the 120 s timeout; the child was killed",
                samples={},
                summary={},
            )
    (saved_run / "evidence.json").write_text(json.dumps(evidence))
    html = rerender(saved_run).folder.report.read_text()
    assert "What was not measured" in html
    assert "no result within the 120 s timeout" in html
