"""Dated facts since the articles: checked on load, matched to the user's answers, counted only
where nothing was measured, and shown in the report with their sources as plain text."""

from __future__ import annotations

import json
import re

import pytest

import knowledge
from advisor.questionnaire.profile import build_profile
from advisor.questionnaire.questions import collect_answers
from advisor.records.facts import load_facts
from advisor.scoring.literature import facts_for
from tests.support import synthetic as s
from tests.support.synthetic import scored


def profile(**answers):
    return build_profile(collect_answers(file_values=answers, use_defaults=True))


def answers(**values):
    return collect_answers(file_values=values, use_defaults=True)


def fact(fact_id: str):
    return next(f for f in load_facts() if f.id == fact_id)


def test_every_fact_has_a_date_a_known_criterion_and_a_page_it_was_looked_up_in():
    facts = load_facts()
    assert len(facts) >= 20
    for f in facts:
        assert re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", f.date)
        assert f.sources and all(src.url.startswith("https://") and src.checked for src in f.sources)
    assert [f.date for f in facts] == sorted(f.date for f in facts)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("criterion", "speediness", "criterion must be one of"),
        ("date", "last spring", "'date' must be YYYY-MM"),
        ("bears_on", {"deployment_target": ["mars"]}, "bears_on deployment_target must be among"),
        ("bears_on", {"shoe_size": ["9"]}, "unknown question 'shoe_size'"),
        ("source", [{"url": "http://example.org", "title": "t", "checked": "2026-12-01"}], "needs a source URL"),
    ],
)
def test_a_typo_in_the_facts_file_fails_loudly_naming_the_fact_and_field(monkeypatch, field, value, message):
    real = knowledge.load
    data = real("facts")
    broken = {"facts": [dict(data["facts"][0], **{field: value})]}
    monkeypatch.setattr(knowledge, "load", lambda name: broken if name == "facts" else real(name))
    load_facts.cache_clear()
    try:
        with pytest.raises(ValueError, match=re.escape(message)) as raised:
            load_facts()
        assert data["facts"][0]["id"] in str(raised.value)
    finally:
        load_facts.cache_clear()


def test_a_fact_bears_on_a_user_only_when_every_answer_it_names_matches():
    archived = fact("torchserve-repository-archived")
    assert archived.reasons(answers(deployment_target="server")) == (("deployment_target", "server"),)
    assert archived.reasons(answers(deployment_target="mobile", goal="product")) is None
    ids = {f.id for f in facts_for(answers(untrusted_models="yes"))}
    assert {"keras-cve-2025-1550", "pytorch-cve-2025-32434"} <= ids
    assert "keras-cve-2025-1550" not in {f.id for f in facts_for(answers())}


def test_a_long_lived_project_weighs_maintenance_and_scores_it_from_the_facts():
    short, long = scored(profile(), None), scored(profile(lifetime="long"), None)
    assert long.weights["maintenance"] > short.weights["maintenance"]
    assert {s.score for s in short.scores["maintenance"].values()} == {5.0}  # no fact bears on it: neutral for all
    maintenance = long.scores["maintenance"]
    assert "fact:pytorch-foundation" in maintenance["torch"].claims
    assert "fact:tensorflow-2-21-maintenance-focus" in maintenance["tensorflow"].claims
    assert maintenance["torch"].score > maintenance["tensorflow"].score
    assert "dated facts since the articles" in maintenance["torch"].basis


def test_keras_on_tensorflow_takes_the_facts_about_its_engine_where_the_engine_matters():
    card = scored(profile(deployment_target="mobile"), None)
    deployment = card.scores["deployment"]
    assert "fact:tf-lite-leaves-tensorflow" in deployment["keras-tensorflow"].claims
    pretrained = scored(profile(pretrained_hub="yes"), None).scores["ecosystem"]
    assert "fact:transformers-drops-tensorflow-and-jax" in pretrained["tensorflow"].claims
    assert "fact:transformers-drops-tensorflow-and-jax" not in pretrained["keras-tensorflow"].claims  # API, not engine


def test_a_fact_never_overrides_what_this_run_measured():
    evidence = s.evidence(s.speed("torch", "mlp", 1000), s.speed("keras-tensorflow", "mlp", 1000))
    card = scored(profile(lifetime="long", deployment_target="server"), evidence)
    for criterion, per in card.scores.items():
        for score in per.values():
            if score.source == "measured":
                assert not any(c.startswith("fact:") for c in score.claims), criterion


def test_the_report_shows_the_users_facts_first_with_their_sources_as_text(saved_run):
    from advisor.runs import rerender

    run = rerender(saved_run, collect_answers(file_values={"deployment_target": "server"}, use_defaults=True))
    html = run.folder.report.read_text(encoding="utf-8")
    section = html[html.index('id="since"') :]
    section = section[: section.index("</section>")]
    yours, _, others = section.partition('<p class="note">')
    assert 'id="fact-torchserve-repository-archived"' in yours
    assert "fact-keras-cve-2025-1550" not in section  # another user's fact: counted, not told
    assert "more facts bear on answers other than yours (" in others
    assert "github.com/pytorch/serve/issues/3396" in yours
    assert "http" not in section  # the report links to nothing outside itself
    assert "counted in your scores" in yours


def test_claims_json_carries_the_facts_with_their_sources(saved_run):
    from typer.testing import CliRunner

    from advisor.cli import app

    result = CliRunner().invoke(app, ["claims", str(saved_run), "--json"])
    data = json.loads(result.output)
    facts = {f["id"]: f for f in data["facts"]}
    assert facts["torchserve-repository-archived"]["sources"][0]["url"].startswith("https://github.com/pytorch/serve")
    assert facts["keras-cve-2025-1550"]["bears_on"] == {"untrusted_models": ["yes"]}
