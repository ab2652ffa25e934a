"""Literature scores: derived from the claims, citing them, weighed by verdict, and anchored to measurements."""

from __future__ import annotations

import pytest

from advisor.claims.rules import check_claims
from advisor.questionnaire.profile import build_profile
from advisor.questionnaire.questions import collect_answers
from advisor.records.ledger import load_ledger
from advisor.records.verdicts import Verdict
from advisor.scoring.literature import LiteratureScore, literature_score, place
from tests.support import synthetic as s
from tests.support.synthetic import scored


def profile(**answers):
    return build_profile(collect_answers(file_values=answers, use_defaults=True))


def test_every_article_based_score_away_from_neutral_cites_its_claims():
    card = scored(profile(), None)
    for per in card.scores.values():
        for score in per.values():
            if score.source == "literature" and score.score != 5.0:
                assert score.claims and all(c in score.basis for c in score.claims)


def test_claims_the_run_contradicted_or_a_release_outdated_count_for_nothing():
    claims = [load_ledger().claim("pytorch-faster-than-keras")]
    for verdict, expected in (("contradicted", None), ("outdated", None), ("confirmed", 5 + 4 * 1 / 2)):
        got = literature_score("training_speed", "torch", claims, {claims[0].id: Verdict(claims[0].id, verdict)})
        assert got.score == (pytest.approx(expected) if expected else None)


def test_an_untestable_claim_weighs_less_than_a_confirmed_one():
    claim = load_ledger().claim("pytorch-closer-to-the-maths")
    weak = literature_score("flexibility", "torch", [claim], {claim.id: Verdict(claim.id, "literature_only")})
    strong = literature_score("flexibility", "torch", [claim], {claim.id: Verdict(claim.id, "confirmed")})
    assert 5 < weak.score < strong.score


def test_an_unmeasured_framework_the_articles_put_on_a_par_takes_its_peers_measured_score():
    evidence = s.evidence(s.speed("torch", "mlp", 2000), s.speed("keras-tensorflow", "mlp", 1000))
    card = scored(profile(), evidence)
    speed = card.scores["training_speed"]
    assert speed["tensorflow"].source == "literature"
    assert speed["tensorflow"].score == pytest.approx(speed["torch"].score)
    assert "pytorch-and-tensorflow-equally-fast" in speed["tensorflow"].claims


def test_without_a_parity_claim_an_unmeasured_framework_keeps_the_articles_offset_on_the_measured_scale():
    claims = load_ledger().claims
    by_id = {v.claim_id: v for v in check_claims(None)}
    by_id["pytorch-and-tensorflow-equally-fast"] = Verdict("pytorch-and-tensorflow-equally-fast", "contradicted")
    literature = {
        c: literature_score("training_speed", c, claims, by_id) for c in ("torch", "keras-tensorflow", "tensorflow")
    }
    measured = {"torch": 10.0, "keras-tensorflow": 5.0}
    placed = place(literature, measured, "tensorflow", "TensorFlow")
    offset = literature["tensorflow"].score - (literature["torch"].score + literature["keras-tensorflow"].score) / 2
    assert placed.score == pytest.approx(7.5 + offset)
    assert "average 7.5 on this run's scale" in placed.basis


def _articles(**scores: float) -> dict[str, LiteratureScore]:
    return {c: LiteratureScore("debugging", c, v, (("a-claim", 1.0),)) for c, v in scores.items()}


@pytest.mark.parametrize(
    ("articles", "measured", "expected"),
    [
        # The articles put TensorFlow just below Keras; measured, PyTorch 10 and Keras 2: anchoring alone
        # would give TensorFlow 6 + (4.5 - 5.5) = 5, far above Keras. It is held at Keras's 2.
        ({"torch": 6.0, "keras-tensorflow": 5.0, "tensorflow": 4.5}, {"torch": 10.0, "keras-tensorflow": 2.0}, 2.0),
        # The articles put TensorFlow between the two: anchored at 9.5 + (4 - 5) = 8.5, below Keras's 9.
        ({"torch": 8.0, "keras-tensorflow": 2.0, "tensorflow": 4.0}, {"torch": 10.0, "keras-tensorflow": 9.0}, 9.0),
    ],
)
def test_an_anchored_framework_stays_where_the_articles_put_it_against_each_measured_one(articles, measured, expected):
    placed = place(_articles(**articles), measured, "tensorflow", "TensorFlow")
    assert placed.score == pytest.approx(expected)
    assert "stays where the articles put it" in placed.basis


def test_when_the_measurements_reverse_the_articles_order_the_anchored_score_is_left_alone():
    # The articles rate PyTorch above Keras, the run measured the opposite: no order to keep.
    articles = _articles(torch=8.0, **{"keras-tensorflow": 2.0}, tensorflow=5.0)
    placed = place(articles, {"torch": 4.0, "keras-tensorflow": 10.0}, "tensorflow", "TensorFlow")
    assert placed.score == pytest.approx(7.0 + (5.0 - 5.0))
    assert "order_kept" not in placed.figures


def test_a_framework_no_claim_speaks_of_gains_nothing_from_being_untested():
    evidence = s.evidence(
        s.speed("torch", "mlp", 2000, rss_mb=300), s.speed("keras-tensorflow", "mlp", 1000, rss_mb=700)
    )
    card = scored(profile(), evidence)
    for criterion in ("startup_time", "memory"):
        scores = card.scores[criterion]
        assert scores["tensorflow"].score == pytest.approx(min(scores["torch"].score, scores["keras-tensorflow"].score))
        assert "no claim or fact speaks to it" in scores["tensorflow"].basis


def test_keras_on_pytorch_inherits_keras_claims_about_the_api_but_not_about_the_engine():
    evidence = s.evidence(s.speed("keras-torch", "mlp", 1000), s.speed("torch", "mlp", 1000))
    card = scored(profile(), evidence)
    assert card.scores["ease_of_use"]["keras-torch"].score == pytest.approx(
        card.scores["ease_of_use"]["keras-tensorflow"].score
    )
    assert not card.scores["dataset_scale"]["keras-torch"].claims


def test_claims_about_another_deployment_target_do_not_count():
    mobile = scored(profile(deployment_target="mobile"), None).scores["deployment"]["tensorflow"]
    server = scored(profile(deployment_target="server"), None).scores["deployment"]["tensorflow"]
    assert "keras-mobile-routes" in mobile.claims and "keras-mobile-routes" not in server.claims
    assert "keras-serving-and-savedmodel" in server.claims and "keras-serving-and-savedmodel" not in mobile.claims
