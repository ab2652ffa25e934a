"""The knowledge base: questions, criteria, weighting rules, sources and claims, kept as YAML data.

Reviewers change these files without touching Python; code reads them only through `load`.

Parsing the YAML was the slowest part of re-rendering a report, so the parsed files are also kept
as one JSON file in the user's cache folder, named by the digest of every knowledge file: a cache
made from other files is never read (this one's is written beside it), an unreadable or altered one
is parsed again and rewritten, and a cache folder that cannot be written costs only the speed. The
cache is JSON, never pickle: reading it back runs no code. YAML is parsed with libyaml's C loader
where PyYAML has it.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

CACHE_ENV = "ADVISOR_CACHE_DIR"  # where the caches go; set to "" for none
CACHE_FORMAT = "advisor-knowledge-cache/1"
STALE_AFTER_S = 7 * 24 * 3600  # a cache of other knowledge files unused this long is removed


def cache_dir() -> Path | None:
    """The advisor's cache folder: $ADVISOR_CACHE_DIR ("" turns caching off), else the user's cache folder."""
    configured = os.environ.get(CACHE_ENV)
    if configured is not None:
        return Path(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "framework-advisor"


@cache
def load(name: str) -> dict[str, Any]:
    """knowledge/<name>.yaml, parsed (cached: the files do not change during a run)."""
    parsed = _all_files()
    if name in parsed:
        return parsed[name]
    return _parse(name, resources.files(__name__).joinpath(f"{name}.yaml").read_bytes())


@cache
def _all_files() -> dict[str, dict[str, Any]]:
    """Every knowledge file, parsed: from the cache when it was made from these very files."""
    sources = {
        entry.name.removesuffix(".yaml"): entry.read_bytes()
        for entry in sorted(resources.files(__name__).iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".yaml")
    }
    digest = _digest(sources)
    folder = cache_dir()
    cached = _read_cache(folder / f"knowledge-{digest}.json", digest, set(sources)) if folder else None
    if cached is not None:
        return cached
    parsed = {name: _parse(name, text) for name, text in sources.items()}
    if folder:
        _write_cache(folder, digest, parsed)
    return parsed


def _digest(sources: dict[str, bytes]) -> str:
    sha = hashlib.sha256()
    for name, text in sources.items():
        sha.update(f"{name}\0{len(text)}\0".encode())
        sha.update(text)
    return sha.hexdigest()[:32]


def _parse(name: str, text: bytes) -> dict[str, Any]:
    import yaml

    safe_loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's where PyYAML has it: several times faster
    data = yaml.load(text.decode("utf-8"), Loader=safe_loader)  # noqa: untrusted-ok (a safe loader, C or Python)
    if not isinstance(data, dict):
        raise ValueError(f"knowledge/{name}.yaml must hold a mapping at the top level")
    return data


def _read_cache(path: Path, digest: str, names: set[str]) -> dict[str, dict[str, Any]] | None:
    """The cached files, or None when the cache is missing, unreadable, or not made from these files."""
    try:
        cached = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(cached, dict) or cached.get("format") != CACHE_FORMAT or cached.get("digest") != digest:
        return None
    files = cached.get("files")
    if not isinstance(files, dict) or set(files) != names or not all(isinstance(v, dict) for v in files.values()):
        return None
    return files


def _write_cache(folder: Path, digest: str, parsed: dict[str, dict[str, Any]]) -> None:
    """Write the cache atomically, and remove caches of other knowledge unused for a week (another checkout
    may still use one); any failure only costs the speed."""
    import tempfile
    import time

    try:
        text = json.dumps({"format": CACHE_FORMAT, "digest": digest, "files": parsed}, ensure_ascii=False)
        if json.loads(text)["files"] != parsed:  # YAML that JSON cannot keep as it is (dates, number keys)
            return
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=folder, suffix=".tmp", delete=False) as out:
            written = Path(out.name)
            out.write(text)
        try:
            os.replace(written, folder / f"knowledge-{digest}.json")
        finally:
            written.unlink(missing_ok=True)
        week_ago = time.time() - STALE_AFTER_S
        for other in folder.glob("knowledge-*.json"):
            if other.name != f"knowledge-{digest}.json" and other.stat().st_mtime < week_ago:
                other.unlink(missing_ok=True)
    except (OSError, TypeError, ValueError):
        return
