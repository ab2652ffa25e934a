"""The report: self-contained, escaped, and in the order a reader needs it."""

from __future__ import annotations

import re

from markupsafe import escape

from advisor.questionnaire.questions import collect_answers
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
        for section in (
            "decision",
            "what-would-change",
            "criteria",
            "claims",
            "evidence",
            "ease",
            "debugging",
            "deployment",
            "decision-record",
            "environment",
        )
    ]
    assert positions == sorted(positions)


def test_report_shows_measured_figures_and_the_reproduce_command(saved_run):
    html = rerender(saved_run).folder.report.read_text()
    assert "samples/s" in html and "Library at import (MB)" in html and "Training memory above it (MB)" in html
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


def test_every_claim_appears_with_its_sources_and_verdict(saved_run):
    from advisor.records.ledger import load_ledger

    html = rerender(saved_run).folder.report.read_text()
    claims_section = html.split('id="claims"', 1)[1].split('id="evidence"', 1)[0]
    for claim in load_ledger().claims:
        block = claims_section.split(str(escape(claim.text)), 1)[1].split("</li>", 1)[0]
        assert f"source{'s' if len(claim.sources) > 1 else ''} {', '.join(claim.sources)}" in block
    for label in ("literature only", "not measured in this run", "outdated", "mixed", "contradicted"):
        assert label in claims_section
    assert "Keras or PyTorch as your first deep learning framework (000, 5 July 2018)" in claims_section  # the key


def test_the_claims_are_folded_by_criterion_with_a_count_per_verdict(saved_run):
    html = rerender(saved_run).folder.report.read_text()
    group = html.split('<details id="claims-memory" class="claims-group">', 1)[1].split("</details>", 1)[0]
    assert '<summary><strong>Memory</strong>: 1 claim · <b class="v-contradicted">1 contradicted</b></summary>' in group


def test_each_verdict_symbol_is_drawn_by_the_stylesheet_and_hidden_from_screen_readers():
    from importlib import resources

    from advisor.report.claims import VERDICT_SYMBOLS

    css = resources.files("reports").joinpath("report.css").read_text(encoding="utf-8")
    for verdict, symbol in VERDICT_SYMBOLS.items():
        assert f'.v-{verdict}::before {{ content: "{symbol} " / ""; }}' in css


def test_the_report_says_where_the_articles_disagree(saved_run):
    html = rerender(saved_run).folder.report.read_text()
    block = html.split('id="disagreements"', 1)[1].split("</section>", 1)[0]
    assert "On <strong>popularity</strong>" in block and "On <strong>ease of use</strong>" in block
    for claim in ("arxiv-mentions-tensorflow-first", "google-trends-tensorflow-first", "keras-most-popular"):
        assert f"#claim-{claim}" in block
    assert "#claim-pytorch-user-friendly-api" in block and "#claim-keras-easier-first-framework" in block


def test_the_weights_are_explained_as_you_said_x_so_y_weighs_more(saved_run):
    html = rerender(saved_run).folder.report.read_text()
    assert "You are new to deep learning, so a concise API and plentiful tutorials weigh more." in html
    assert "ease of use +1" in html  # what the rule changed


def test_a_near_tie_is_headlined_as_a_near_tie(speed_only_run):
    saved_run = speed_only_run  # answers that pull both ways, on speed evidence alone: the two end close
    answers = collect_answers(
        file_values={
            "dl_experience": "none",
            "custom_architectures": "many",
            "python_experience": "none",
            "math_comfort": "low",
            "goal": "learn",
            "deployment_target": "mobile",
            "priority": "community",
        },
        use_defaults=True,
    )
    run = rerender(saved_run, answers)
    first_screen = run.folder.report.read_text().split('id="what-would-change"', 1)[0]
    assert run.scorecard.near_tie
    assert "Near tie:" in first_screen and "too close to call" in first_screen
    assert "Pick " not in first_screen


def test_the_page_s_decision_record_gives_the_options_and_points_to_the_whole_record_beside_it(saved_run):
    html = rerender(saved_run).folder.report.read_text()
    record = html.split('id="decision-record"', 1)[1]
    assert "Considered options, with pros and cons" in record and "Good, because" in record
    assert "<code>decision.md</code> holds the whole of it" in record


def test_the_report_suggests_measuring_keras_on_pytorch_when_the_choice_is_pytorch_or_keras(saved_run):
    html = rerender(saved_run).folder.report.read_text()
    assert "Keras 3 also runs on the PyTorch backend" in html


def test_what_was_not_measured_takes_one_line_per_variant_kind_and_reason():
    from advisor.report.page import _problems
    from probes.evidence import ProbeResult
    from tests.support.synthetic import evidence

    lacking = [ProbeResult("tensorflow", m, "export", "skipped", "no export probe yet") for m in ("mlp", "cnn", "rnn")]
    lines = _problems(evidence(*lacking))
    assert lines == [
        {
            "variant": "TensorFlow (low-level)",
            "model": "export: mlp, cnn, rnn",
            "status": "skipped",
            "reason": "no export probe yet",
        }
    ]


def test_the_first_screen_says_what_would_change_the_pick_and_shows_the_trade_off(saved_run):
    html = rerender(saved_run).folder.report.read_text()
    first_screen = html.split('id="what-would-change"', 1)[0]
    assert "What would change it:" in first_screen
    assert re.search(r"<figcaption id=\"[^\"]+\">The trade-off: what each criterion adds", first_screen)


def test_a_weight_change_no_answers_could_make_is_no_plausible_weight_change_not_a_figure():
    import dataclasses

    from advisor.questionnaire.profile import build_profile
    from advisor.records.scorecard import WeightFlip
    from advisor.report.decision import build_decision_view
    from advisor.scoring.robustness import plausible_flips
    from tests.support.synthetic import scored

    me = build_profile(collect_answers(file_values={}, use_defaults=True))
    card = scored(me)
    flips = (WeightFlip("popularity", 185.32, card.ranking[1]),)
    card = dataclasses.replace(card, flips=flips, plausible_flips=plausible_flips(flips, card.weights))
    view = build_decision_view(me, None, card)
    assert view.weight_flips == [] and view.implausible_flips == 1
    assert view.change_line.startswith("No plausible change of one weight would put another framework first")
    assert "18532" not in view.change_line and "18,532" not in view.change_line


def test_a_decision_record_in_markdown_is_written_beside_the_report(saved_run):
    run = rerender(saved_run)
    text = (run.folder.report.parent / "decision.md").read_text()
    for heading in ("## Context and problem statement", "## Decision drivers", "## Considered options"):
        assert heading in text
    assert "## Decision outcome" in text and "## How to confirm it" in text
    assert f"{run.scorecard.margin:.2f} points ahead of" in text
    assert "| Criterion | Weight |" in text  # the scores that carry it


def test_the_decision_record_makes_typed_text_inert_in_markdown(saved_run):
    answers = collect_answers(file_values={"project_name": "[x](javascript:1) <b>#1</b>"}, use_defaults=True)
    text = (rerender(saved_run, answers).folder.report.parent / "decision.md").read_text()
    assert "\\[x\\](javascript:1) \\<b\\>\\#1\\</b\\>" in text
    assert "<b>" not in text


def test_the_quick_report_is_at_most_100_kb_and_the_standard_at_most_160_kb():
    """Embed what the page shows, not the raw samples that evidence.json beside it holds (issue 18). The standard
    page's cap went from 150 to 160 KB when issues 25-27 added shown evidence (regimes, calibrated int8 beside
    float, each file's batch and XNNPACK split, the debugging next steps, routes judged on every framework): the
    embedded data did not grow."""
    from tests.advisor.report.test_report_gold import rendered

    assert len(rendered("run_quick").encode("utf-8")) <= 100_000
    assert len(rendered("run_standard").encode("utf-8")) <= 160_000


def test_the_embedded_data_is_what_the_page_shows_not_the_records_beside_it(saved_run):
    import json

    from advisor.report.page import SHOWN_METRICS

    html = rerender(saved_run).folder.report.read_text()
    data = json.loads(html.split('id="advisor-data">', 1)[1].split("</script>", 1)[0])
    assert data["format"] == "advisor-report-data/2"
    assert "evidence.json" in data["records_beside_this_page"]
    assert '"samples":' not in json.dumps(data) and "environment" not in data  # the raw samples stay beside it
    assert data["speed"]["metrics"] == list(SHOWN_METRICS)
    row = data["speed"]["rows"]["torch/mlp"]
    assert len(row) == len(SHOWN_METRICS) and row[SHOWN_METRICS.index("train_samples_per_s")] > 0


def test_a_reason_where_nothing_speaks_to_the_leader_cites_what_speaks_against_the_runner_up():
    """Keras on PyTorch leads on large datasets with a neutral 5 (no claim names it): the reason is the
    claim against Keras on TensorFlow, and the page says that, not "no claim or fact". (A mobile answer
    no longer puts Keras on PyTorch first: its .pte is hundreds of times slower than the fastest route,
    knowledge/measured_scores.yaml's deployment.latency; a server answer weighing debugging does.)"""
    from advisor.claims import check
    from advisor.questionnaire import build_profile
    from advisor.report.decision import build_decision_view
    from advisor.runs import load_evidence
    from advisor.scoring import score
    from tests.conftest import FIXTURES

    evidence = load_evidence(FIXTURES / "run_standard" / "evidence.json")
    answers = {"deployment_target": "server", "priority": "debugging"}
    profile = build_profile(collect_answers(file_values=answers, use_defaults=True))
    card = score(profile, evidence, check(evidence))
    assert card.ranking[:2] == ("keras-torch", "keras-tensorflow")
    reasons = {r.key: r for r in build_decision_view(profile, evidence, card).reasons}
    assert card.scores["dataset_scale"]["keras-torch"].claims == ()  # neutral: nothing speaks to it
    assert reasons["dataset_scale"].basis == "Keras 3 on TensorFlow: 1 claim from the articles"
    assert reasons["dataset_scale"].claims
