"""Properties (hypothesis): more weight on a criterion never hurts the framework that leads on it,
no answers file, however strange, crashes the tool, and doing better on a measured criterion never
scores lower."""

from __future__ import annotations

import json
import tempfile
from dataclasses import replace
from pathlib import Path

import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from advisor.errors import AnswersError
from advisor.questionnaire.profile import build_profile
from advisor.questionnaire.questions import collect_answers, read_answers_file
from advisor.records.answers import load_questions
from advisor.records.scorecard import CriterionScore
from advisor.runs import load_evidence
from advisor.scoring.measured import score_debugging, score_deployment, score_ease_of_use
from advisor.scoring.robustness import totals as _totals
from advisor.scoring.tensions import find_tensions
from tests.conftest import FIXTURES
from tests.support import synthetic
from tests.support.synthetic import PLANTED_BUGS, scored

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FIXTURE_EVIDENCE = FIXTURES / "run_quick" / "evidence.json"
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
    card = scored(build_profile(collect_answers(file_values=answers, use_defaults=True)), evidence)
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


# --- measured ease, debugging and deployment (advisor/scoring/measured.py): doing better never scores lower

CANDIDATES = ("torch", "keras-tensorflow")
BUG_FACTS = st.sampled_from(
    [
        {"surfaced_at": "first_step", "exception_type": "RuntimeError", "names_shapes": True},
        {"surfaced_at": "build", "exception_type": "ValueError", "names_shapes": False},
        {"surfaced_at": "later_step", "exception_type": "ValueError", "names_dtypes": True},
        {"surfaced_at": "first_step", "exception_type": "ValueError", "points_at_planted_statement": True},
        {"surfaced_at": "silent_nan", "first_nan_step": 1},
        {"surfaced_at": "silent_wrong", "outputs_collapsed": True},
        {"surfaced_at": "none", "absorbed": True},
        {"surfaced_at": "none"},
    ]
)


@st.composite
def debugging_runs(draw):
    """Each candidate's planted bugs and print; the error bugs may or may not point at the planted line."""
    results = []
    for candidate in CANDIDATES:
        for bug in PLANTED_BUGS:
            facts = dict(draw(BUG_FACTS))
            if "exception_type" in facts:
                facts["points_at_planted_line"] = draw(st.booleans())
            results.append(synthetic.debugging(candidate, bug, **facts))
        prints = draw(st.integers(0, 8))
        results.append(synthetic.debugging(candidate, "print_in_forward", print_count=prints, steps=8))
    return results


@FAST
@given(debugging_runs(), st.sampled_from(CANDIDATES), st.data())
def test_a_framework_that_points_at_more_planted_lines_never_scores_lower_on_debugging(results, candidate, data):
    missed = [r for r in results if r.variant == candidate and r.facts.points_at_planted_line is False]
    assume(missed)
    fixed = data.draw(st.sampled_from(missed))
    better = [replace(r, facts=replace(r.facts, points_at_planted_line=True)) if r is fixed else r for r in results]
    profile = build_profile(collect_answers(use_defaults=True))
    before = score_debugging(synthetic.evidence(*results), CANDIDATES, profile)
    after = score_debugging(synthetic.evidence(*better), CANDIDATES, profile)
    assert after[candidate][0] >= before.get(candidate, (0.0,))[0] - TOLERANCE


EXPORT_STATUSES = st.sampled_from(["ok", "failed", "parity", "not_installed", "absent"])
OFFERED = {
    "torch": ("state_dict", "torch_save_full", "torchscript", "torch_export", "onnx"),
    "keras-tensorflow": ("keras_native", "weights_h5", "saved_model", "tflite", "onnx", "tfjs"),
}


def export_result(candidate: str, path: str, status: str):
    if status == "ok":
        return synthetic.export(candidate, path, reload_ok=True, max_abs_diff=0.0)
    if status == "parity":
        return synthetic.export(candidate, path, reload_ok=True, max_abs_diff=1.0)
    if status == "failed":
        return synthetic.export(candidate, path, "failed", error="export failed")
    if status == "not_installed":
        return synthetic.export(candidate, path, "not_installed", install_hint="pip install it")
    return None


@FAST
@given(
    st.fixed_dictionaries({c: st.fixed_dictionaries({p: EXPORT_STATUSES for p in OFFERED[c]}) for c in CANDIDATES}),
    st.sampled_from(CANDIDATES),
    st.sampled_from(["none", "server", "mobile", "browser", "edge"]),
    st.data(),
)
def test_a_working_export_path_never_lowers_deployment(statuses, candidate, target, data):
    path = data.draw(st.sampled_from(OFFERED[candidate]))
    better = {c: dict(paths) for c, paths in statuses.items()}
    better[candidate][path] = "ok"
    profile = build_profile(collect_answers(file_values={"deployment_target": target}, use_defaults=True))

    def score(table):
        results = [r for c, paths in table.items() for p, how in paths.items() if (r := export_result(c, p, how))]
        return score_deployment(synthetic.evidence(*results), CANDIDATES, profile)

    before, after = score(statuses), score(better)
    assume(candidate in before)  # measured before: something of it was tried
    assert after[candidate][0] >= before[candidate][0] - TOLERANCE


@FAST
@given(
    st.lists(st.tuples(st.integers(5, 200), st.integers(1, 60)), min_size=4, max_size=4),
    st.sampled_from(CANDIDATES),
    st.sampled_from(["mlp", "cnn"]),
    st.integers(1, 4),
    st.sampled_from(["tabular", "images", "text", "sequences", "mixed"]),
)
def test_fewer_lines_or_api_calls_never_lower_ease(counts, candidate, model, fewer, data_kind):
    cells = dict(zip([(c, m) for c in CANDIDATES for m in ("mlp", "cnn")], counts, strict=True))

    def score(table):
        run = synthetic.evidence(
            *(synthetic.ease(c, m, total_lines=lines, api_calls=api) for (c, m), (lines, api) in table.items())
        )
        profile = build_profile(collect_answers(file_values={"data_kind": data_kind}, use_defaults=True))
        return score_ease_of_use(run, CANDIDATES, profile)

    lines, api = cells[(candidate, model)]
    shorter = {**cells, (candidate, model): (max(1, lines - fewer), max(1, api - fewer))}
    assert score(shorter)[candidate][0] >= score(cells)[candidate][0] - TOLERANCE
