"""Properties (hypothesis): more weight on a criterion never hurts the framework that leads on it,
and no answers file, however strange, crashes the tool."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.answers import collect_answers, load_questions, read_answers_file
from advisor.errors import AnswersError
from advisor.profile import build_profile
from advisor.runs import load_evidence
from advisor.scoring import CriterionScore, _totals, build_scorecard
from advisor.tensions import find_tensions

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FIXTURE_EVIDENCE = Path(__file__).parent / "fixtures" / "run_quick" / "evidence.json"
TOLERANCE = 1e-9


def never_overtaken(candidates, weights, scores, criterion: str, factor: float) -> bool:
    """Everyone the criterion's leader was level with or ahead of stays behind or level after the raise."""
    leader = max(candidates, key=lambda c: scores[criterion][c].score)
    before = _totals(candidates, weights, scores)
    raised = dict(weights, **{criterion: weights[criterion] * factor})
    after = _totals(candidates, raised, scores)
    return all(after[leader] >= after[c] - TOLERANCE for c in candidates if before[leader] >= before[c] - TOLERANCE)


@st.composite
def score_tables(draw):
    candidates = tuple(f"c{i}" for i in range(draw(st.integers(2, 5))))
    criteria = [f"k{i}" for i in range(draw(st.integers(1, 6)))]
    score = st.floats(0, 10, allow_nan=False).map(lambda x: round(x, 2))
    scores = {k: {c: CriterionScore(k, c, draw(score), "literature", "") for c in candidates} for k in criteria}
    weights = {k: draw(st.floats(0.01, 1.0)) for k in criteria}
    return candidates, weights, scores, draw(st.sampled_from(criteria)), draw(st.floats(1.0, 10.0))


@FAST
@given(score_tables())
def test_raising_a_criterion_s_weight_never_lowers_its_leader(table):
    candidates, weights, scores, criterion, factor = table
    assert never_overtaken(candidates, weights, scores, criterion, factor)


def choice_answers():
    fields = {}
    for q in load_questions():
        if q.kind == "choice":
            fields[q.key] = st.sampled_from(list(q.choices))
        elif q.kind == "multi":
            fields[q.key] = st.lists(st.sampled_from(list(q.choices)), unique=True)
    return st.fixed_dictionaries(fields)


@FAST
@given(choice_answers(), st.data())
def test_raising_a_weight_never_lowers_its_leader_on_real_scores(answers, data):
    evidence = load_evidence(FIXTURE_EVIDENCE)
    card = build_scorecard(build_profile(collect_answers(file_values=answers, use_defaults=True)), evidence)
    criterion = data.draw(st.sampled_from(sorted(card.weights)))
    factor = data.draw(st.floats(1.0, 5.0))
    assert never_overtaken(card.candidates, card.weights, card.scores, criterion, factor)


keys = st.sampled_from([q.key for q in load_questions()]) | st.text(max_size=12)
values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=140)
    | st.sampled_from(["learn", "mobile", "pytorch", "expert", "none", "images", "yes", "no", "<script>"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
documents = st.dictionaries(keys, values, max_size=8) | values


@FAST
@given(documents, st.sampled_from(["yaml", "json", "raw"]), st.binary(max_size=64))
def test_any_answers_file_gives_valid_answers_or_a_clear_error(document, form, noise):
    with tempfile.TemporaryDirectory() as folder:
        suffix = ".json" if form == "json" else ".yaml"
        path = Path(folder) / f"answers{suffix}"
        if form == "raw":
            path.write_bytes(noise)
        elif form == "json":
            path.write_text(json.dumps(document), encoding="utf-8")
        else:
            path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
        try:
            answers = collect_answers(file_values=read_answers_file(path), file_origin=str(path), use_defaults=True)
        except AnswersError as error:
            message = str(error)
            assert str(path) in message and "\n" not in message and "Traceback" not in message
            return
    profile = build_profile(answers)
    assert abs(sum(profile.weight_vector().values()) - 1) < 1e-9
    find_tensions(answers)
