"""Every citation in the ledger is backed by the cited article's own words.

knowledge/claim_evidence.yaml holds, for each claim and each source it cites, one or two short
phrases copied verbatim from that article. These tests check that the entries match the ledger's
citations exactly and, where the articles are on this machine, that each phrase is in the text of
the article it is filed under, so a claim cannot cite an article that does not make it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

import knowledge
from advisor.records.ledger import load_ledger
from tests.conftest import ROOT

MAX_WORDS = 11  # a phrase is a pointer, under 12 words, not a copied sentence
MAX_PHRASES = 2


def evidence() -> dict[str, dict[str, list[str]]]:
    return knowledge.load("claim_evidence")["claims"]


def seeds_folder() -> Path | None:
    """shared/seeds beside the repository's folder, else $ADVISOR_SEEDS; None when neither exists."""
    beside = ROOT.parent / "shared" / "seeds"
    if beside.is_dir():
        return beside
    named = os.environ.get("ADVISOR_SEEDS")
    if named and Path(named).is_dir():
        return Path(named)
    return None


def normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def test_every_cited_source_has_evidence_and_every_entry_is_a_citation():
    ledger = load_ledger()
    entries = evidence()
    assert set(entries) == {claim.id for claim in ledger.claims}, "claim ids differ between the two files"
    for claim in ledger.claims:
        filed, cited = set(entries[claim.id]), set(claim.sources)
        assert filed <= cited, f"{claim.id}: evidence filed under sources it does not cite: {sorted(filed - cited)}"
        assert cited <= filed, f"{claim.id}: no evidence for the cited sources {sorted(cited - filed)}"


def test_the_phrases_are_short_and_few():
    for claim_id, per_source in evidence().items():
        for source, phrases in per_source.items():
            assert isinstance(phrases, list) and 1 <= len(phrases) <= MAX_PHRASES, (claim_id, source)
            for phrase in phrases:
                assert isinstance(phrase, str) and phrase.strip(), (claim_id, source)
                assert len(phrase.split()) <= MAX_WORDS, (claim_id, source, phrase)


def test_each_phrase_is_in_the_text_of_the_article_it_is_filed_under():
    folder = seeds_folder()
    if folder is None:
        pytest.skip(
            "the source articles are not on this machine: neither ../shared/seeds beside the repository "
            "nor $ADVISOR_SEEDS names a folder"
        )
    sources = load_ledger().sources
    texts = {key: normalised((folder / source.file).read_text(encoding="utf-8")) for key, source in sources.items()}
    missing = [
        (claim_id, source, phrase)
        for claim_id, per_source in evidence().items()
        for source, phrases in per_source.items()
        for phrase in phrases
        if normalised(phrase) not in texts[source]
    ]
    assert not missing, missing
