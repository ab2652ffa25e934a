"""The claims ledger: complete, in our own words, cited to the right articles, dated where it matters."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from advisor.records.ledger import FRAMEWORKS, _parse_claim, load_ledger
from probes.evidence import METRICS
from tests.conftest import FIXTURES

SEEDS = Path("/work/shared/seeds")
RUN_OF_WORDS = 6  # a paraphrase may share no run of this many words with an article

# Names the probes record (common.md's contract); every test figure must be one of them.
CONTRACT = {
    "speed": set(METRICS),
    "scale": {"stream_samples_per_s", "pipeline_samples_per_s", "dp2_samples_per_s", "scaling_efficiency"},
    "ease": {"model_lines", "train_lines", "total_lines", "api_calls", "train_api_calls", "device_statements"},
    "debugging": {
        "surfaced_at",
        "exception_type",
        "names_shapes",
        "user_frames",
        "framework_frames",
        "points_at_planted_line",
        "points_at_planted_statement",
        "print_count",
        "steps",
    },
    "export": {"export_s", "size_bytes", "reload_ok", "max_abs_diff", "needs_python_class", "error"},
}


FINGERPRINTS = FIXTURES / "seed_word_runs.txt"


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def fingerprints(text: str) -> set[str]:
    """Hashes of every run of RUN_OF_WORDS words, so the articles' text need not be in the repository."""
    tokens = words(text)
    runs = (" ".join(tokens[i : i + RUN_OF_WORDS]) for i in range(len(tokens) - RUN_OF_WORDS + 1))
    return {hashlib.sha256(run.encode()).hexdigest()[:12] for run in runs}


def article_fingerprints() -> set[str]:
    lines = FINGERPRINTS.read_text(encoding="utf-8").splitlines()
    return {line for line in lines if line and not line.startswith("#")}


def test_the_ledger_holds_every_article_s_claims():
    ledger = load_ledger()
    assert 70 <= len(ledger.claims) <= 90
    assert all(n >= 10 for n in ledger.per_source().values()), ledger.per_source()


def test_no_claim_copies_a_run_of_words_from_the_articles():
    article_runs = article_fingerprints()
    copied = [
        claim.id
        for claim in load_ledger().claims
        if fingerprints(claim.text) & article_runs or fingerprints(claim.now or "") & article_runs
    ]
    assert not copied


def test_the_article_fingerprints_match_the_articles_where_they_are_available():
    if not SEEDS.is_dir():
        pytest.skip(f"{SEEDS} is not on this machine; the saved fingerprints are used instead")
    current = set().union(*(fingerprints(f.read_text(encoding="utf-8")) for f in sorted(SEEDS.glob("*.txt"))))
    assert current == article_fingerprints()


def test_claims_from_the_short_upgrad_revision_also_cite_the_long_one():
    # 002 is a shorter revision of 001: every section it has, 001 has too.
    for claim in load_ledger().claims:
        if "002" in claim.sources:
            assert "001" in claim.sources, claim.id


def test_the_popularity_rankings_disagree_and_both_sides_are_kept():
    ledger = load_ledger()
    popularity = [c for c in ledger.claims if c.criterion == "popularity" and c.disagrees_with]
    favourites = {c.favours[0] for c in popularity}
    assert {"keras", "tensorflow"} <= favourites
    sources = {s for c in popularity for s in c.sources}
    assert {"000", "001", "004"} <= sources


def test_disagreement_is_mutual():
    ledger = load_ledger()
    for claim in ledger.claims:
        for other in claim.disagrees_with:
            assert claim.id in ledger.claim(other).disagrees_with, (claim.id, other)


def test_the_releases_that_changed_the_picture_are_cited():
    cited = {r for c in load_ledger().claims for r in c.changed_since}
    for release in (
        "tf2-eager",
        "keras3-multibackend",
        "keras-multibackend-ended",
        "torch26-weights-only",
        "torchscript-deprecated",
        "torch-export",
        "litert-rename",
    ):
        assert release in cited, release


def test_superseded_claims_say_what_holds_now_and_which_release_changed_it():
    superseded = [c for c in load_ledger().claims if c.superseded]
    assert len(superseded) >= 3
    for claim in superseded:
        assert claim.now and claim.changed_since


def test_every_test_reads_a_figure_the_probes_record():
    for claim in load_ledger().claims:
        if claim.test is not None:
            assert claim.test.figure in CONTRACT[claim.test.probe], (claim.id, claim.test.figure)


def test_claims_name_only_the_three_frameworks():
    for claim in load_ledger().claims:
        assert set(claim.favours + claim.against + claim.alike) <= set(FRAMEWORKS)


def test_a_malformed_claim_is_refused_with_its_id_and_the_problem():
    ledger = load_ledger()
    raw = {
        "id": "broken",
        "sources": ["000"],
        "criterion": "ease_of_use",
        "favours": ["theano"],
        "audience": ["all"],
        "claim": "A claim long enough to pass the length check.",
    }
    with pytest.raises(ValueError, match=r"claim 'broken'.*frameworks must be one of"):
        _parse_claim(raw, set(), ledger.sources, ledger.releases, {"ease_of_use"})
    raw.update(favours=["keras"], test={"probe": "speed", "figure": "x", "rule": "fastest"})
    with pytest.raises(ValueError, match="test rule must be one of"):
        _parse_claim(raw, set(), ledger.sources, ledger.releases, {"ease_of_use"})
