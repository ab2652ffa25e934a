"""Relative scores: 10 for the best candidate measured here, the others by their ratio to it.

Shared by every evidence scorer (advisor/scoring/speed.py for speed, start-up and memory;
advisor/scoring/measured.py for ease, debugging and deployment), so that "10" means the same everywhere:
the best framework measured on this machine, never an absolute standard.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from advisor.records.profile import Profile
from probes.specs import MODELS

MATCHING_MODEL_WEIGHT = 3.0  # a model like the user's own data counts this many times the others
# ... and one in the regime of the user's model size (probes/specs.py `realistic`) this many times more:
# a small model's steps are framework overhead, a ResNet- or BERT-sized one's are the vendor kernels.
MATCHING_SIZE_WEIGHT = 3.0

Scored = dict[str, tuple[float, str, dict[str, Any]]]  # candidate -> (score 0-10, basis, figures)


def model_weights(models: Sequence[str], profile: Profile | None) -> dict[str, float]:
    """How much each reference model counts: the ones like the user's data (probes/specs.py) weigh more, and
    the ones of the user's model size (realistic workloads for medium and large models, overhead probes for
    small ones) more again. Where only one regime was measured, the size weighs every model alike."""
    if profile is None:
        return dict.fromkeys(models, 1.0)
    data_kind, realistic = profile.answers.data_kind, profile.answers.model_size != "small"
    weights = {}
    for model in models:
        spec = MODELS.get(model)
        weight = MATCHING_MODEL_WEIGHT if spec is not None and data_kind in spec.data_kinds else 1.0
        if spec is not None and spec.realistic == realistic:
            weight *= MATCHING_SIZE_WEIGHT
        weights[model] = weight
    return weights


def relative_over_models(
    per_model: Mapping[str, Mapping[str, float]],
    candidates: Sequence[str],
    higher_is_better: bool,
    describe: Callable[[str, str, float], str],
    profile: Profile | None = None,
    figure: Callable[[str, str, float], Any] | None = None,
) -> Scored:
    """Per model, each candidate's ratio to the best value (values > 0, two candidates at least per
    model); the score is 10 times the geometric mean of its ratios, weighted towards the models like
    the user's own data. `describe(candidate, model, value)` words one model's figure for the basis."""
    usable = {m: {c: v for c, v in values.items() if v > 0} for m, values in per_model.items()}
    usable = {m: values for m, values in usable.items() if len(values) >= 2}
    weights = model_weights(list(usable), profile)
    scores: Scored = {}
    for candidate in candidates:
        ratios, figures = {}, {}
        for model, measured in usable.items():
            if candidate not in measured:
                continue
            best = max(measured.values()) if higher_is_better else min(measured.values())
            mine = measured[candidate]
            ratios[model] = mine / best if higher_is_better else best / mine
            figures[model] = figure(candidate, model, mine) if figure else round(mine, 6)
        if ratios:
            total_weight = sum(weights[m] for m in ratios)
            score = 10 * math.exp(sum(weights[m] * math.log(r) for m, r in ratios.items()) / total_weight)
            described = {m: describe(candidate, m, usable[m][candidate]) for m in ratios}
            basis = per_model_basis(described, {m: weights[m] for m in ratios})
            scores[candidate] = (score, basis, figures)
    return scores


FIGURE_ONLY = re.compile(r"^[\d.,]+( \S+)?$")  # "481", "481 MB", "2.69 s": a figure with at most a unit


def per_model_basis(described: Mapping[str, str], weights: Mapping[str, float]) -> str:
    """Each model's figure for a score's basis. When every figure ends in the same words ("481 MB
    training memory above the library's footprint"), the words come once: "training memory above the
    library's footprint: mlp 481 MB, cnn 603 MB (like your data, ×3)"."""

    def like(m: str) -> str:
        return f" (like your data, ×{weights[m]:g})" if weights[m] > 1 else ""

    texts = list(described.values())
    words = [t.split(" ") for t in texts]
    shared = 0
    while shared < min(len(w) for w in words) and len({tuple(w[len(w) - shared - 1 :]) for w in words}) == 1:
        shared += 1
    if shared > 1 and all(re.fullmatch(r"[\d.,]+", " ".join(w[: len(w) - shared])) for w in words):
        shared -= 1  # the unit stays with its figure: "2.69 s", not "s import ...: mlp 2.69"
    heads = [" ".join(w[: len(w) - shared]) for w in words]
    if shared and all(FIGURE_ONLY.match(h) for h in heads):
        tail = " ".join(words[0][len(words[0]) - shared :])
        return f"{tail}: " + ", ".join(f"{m} {h}{like(m)}" for m, h in zip(described, heads, strict=True))
    return "; ".join(f"{m}: {text}{like(m)}" for m, text in described.items())


def relative_to_best(points: Mapping[str, float]) -> dict[str, float]:
    """10 times each candidate's points over the most any candidate earned; empty when none earned any,
    or when fewer than two candidates were measured (one alone is the best of nothing)."""
    best = max(points.values(), default=0.0)
    if best <= 0 or len(points) < 2:
        return {}
    return {c: 10 * p / best for c, p in points.items()}
