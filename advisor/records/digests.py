"""What each saved record was made from, so a stale record is never shown beside newer inputs.

A record's digest is the SHA-256 of its JSON form (keys sorted); knowledge digests cover the
knowledge/ files a stage reads. Verdicts carry the digests of the evidence and the ledger they
were checked against, the scorecard those of the profile, evidence, verdicts and rules it was
scored from, and of the reference scripts installed (whether each is the one the ease probe counted
is one of its findings); `advisor report` re-runs a stage whose record no longer matches its inputs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from importlib import resources
from typing import Any

DIGEST_CHARS = 16


def digest(data: Mapping[str, Any]) -> str:
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:DIGEST_CHARS]


def evidence_digest(evidence: Any) -> str | None:
    """The evidence's digest; None for no evidence (a run that measured nothing)."""
    return None if evidence is None else digest(evidence.to_json())


def knowledge_digest(*names: str) -> str:
    """The digest of knowledge/<name>.yaml files, as installed."""
    sha = hashlib.sha256()
    for name in names:
        sha.update(name.encode())
        sha.update(resources.files("knowledge").joinpath(f"{name}.yaml").read_bytes())
    return sha.hexdigest()[:DIGEST_CHARS]


def scripts_digest() -> str:
    """The digest of the reference scripts (probes/<framework>/reference.py), as installed."""
    sha = hashlib.sha256()
    for folder in sorted(resources.files("probes").iterdir(), key=lambda entry: entry.name):
        script = folder.joinpath("reference.py")
        if folder.is_dir() and script.is_file():
            sha.update(folder.name.encode())
            sha.update(script.read_bytes())
    return sha.hexdigest()[:DIGEST_CHARS]
