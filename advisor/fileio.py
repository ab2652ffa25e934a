"""Atomic writes and output folders: a file is either complete or absent, never half-written."""

from __future__ import annotations

import errno
import json
import math
import os
import re
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from advisor.errors import AdvisorError, OutputError, RecordError

# Records larger than this are refused when read back: no record we write comes close.
MAX_RECORD_BYTES = 64 * 1024 * 1024
T = TypeVar("T")

# C0 controls but tab and newline, DEL, and C1 controls (ESC, CSI, OSC...): what a file could use to
# drive a terminal (colours, the window title, hyperlinks) if printed raw.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def without_controls(data: Any) -> Any:
    """`data` (parsed JSON or YAML) with control characters removed from every string, keys included.

    Everything read from a file a user or a teammate supplies passes through here, so a hostname
    carrying an escape sequence prints as text and never retitles or recolours the terminal.
    """
    if isinstance(data, str):
        return CONTROL_CHARACTERS.sub("", data)
    if isinstance(data, dict):
        return {without_controls(k): without_controls(v) for k, v in data.items()}
    if isinstance(data, list):
        return [without_controls(item) for item in data]
    return data


def refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object's pairs as a dict, refusing a key given twice (json's default keeps the last)."""
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise DuplicateKey(key)
        seen[key] = value
    return seen


class DuplicateKey(ValueError):
    """A key given twice in one mapping of a file: which value was meant is unknowable."""

    def __init__(self, key: Any, line: int | None = None):
        super().__init__(key)
        self.key, self.line = key, line

    def describe(self) -> str:
        where = f" (line {self.line})" if self.line else ""
        return f"key {str(self.key)!r} is given twice{where}; keep one"


def write_text_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file and a rename, so readers never see a part."""
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(f"{path.parent}: cannot write here ({exc.strerror or exc})") from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the file the usual mode
        os.replace(tmp, path)
    except OSError as exc:
        _remove_quietly(Path(tmp))
        reason = "disk full" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
        raise OutputError(f"{path}: could not write ({reason})") from exc
    except BaseException:
        _remove_quietly(Path(tmp))
        raise


def write_json_atomic(path: Path, data: Any) -> None:
    """Write `data` as indented UTF-8 JSON, atomically."""
    write_text_atomic(path, json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n")


def read_text_bounded(
    path: Path, what: str, *, max_bytes: int, too_big: str, missing: str, error: type[AdvisorError]
) -> str:
    """Read a file the user pointed us at as UTF-8 text, turning every way it can fail into one line.

    `what` names the file in messages ("evidence", "answers file"); `missing` and `too_big` finish
    the sentences for an absent file and one over `max_bytes`; `error` is the AdvisorError raised.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise error(f"{path}: {missing}") from None
    except OSError as exc:
        raise error(f"{path}: cannot read {what} ({exc.strerror or exc})") from exc
    if not path.is_file():
        raise error(f"{path}: is a folder or device; expected the {what} itself")
    if size > max_bytes:
        raise error(f"{path}: {what} is {size} bytes, {too_big}")
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise error(f"{path}: {what} is not UTF-8 text") from None
    except OSError as exc:
        raise error(f"{path}: cannot read {what} ({exc.strerror or exc})") from exc


def read_json(path: Path, what: str) -> dict[str, Any]:
    """Read a JSON record, turning every way it can be unreadable into one RecordError line."""
    text = read_text_bounded(
        path, what, max_bytes=MAX_RECORD_BYTES, too_big="more than any record we write",
        missing=f"no {what} here", error=RecordError,
    )  # fmt: skip
    try:
        data = json.loads(text, object_pairs_hook=refuse_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise RecordError(f"{path}: {what} is not valid JSON ({exc.msg}, line {exc.lineno})") from None
    except DuplicateKey as exc:
        raise RecordError(f"{path}: {what} is ambiguous: {exc.describe()}") from None
    except RecursionError:
        raise RecordError(f"{path}: {what} is nested too deeply") from None
    if not isinstance(data, dict):
        raise RecordError(f"{path}: {what} must be a JSON object, found {type(data).__name__}")
    field = non_finite_field(data)
    if field is not None:
        raise RecordError(
            f"{path}: {what} field '{field}' must be a finite number. Received: NaN or Infinity "
            "(no record this tool writes holds one)"
        )
    return without_controls(data)


def non_finite_field(data: Any) -> str | None:
    """Where parsed JSON holds NaN or an infinity (`results[3].samples.wall_s`), or None.

    Python's json reads NaN and Infinity, which JSON itself does not allow and no record of ours
    holds; refused on reading, they can never reach a digest, a score or a chart.
    """
    stack: list[tuple[Any, str]] = [(data, "")]
    while stack:
        value, where = stack.pop()
        if isinstance(value, float) and not math.isfinite(value):
            return where
        if isinstance(value, dict):
            stack.extend((v, f"{where}.{k}" if where else str(k)) for k, v in reversed(list(value.items())))
        elif isinstance(value, list):
            stack.extend((v, f"{where}[{i}]") for i, v in reversed(list(enumerate(value))))
    return None


def read_record(path: Path, what: str, parse: Callable[[dict[str, Any], str], T]) -> T:
    """Read a saved record and rebuild it with `parse(data, origin)` (a record's from_json).

    Every way a record can be unusable (missing, not JSON, another format version, malformed) ends
    as one RecordError line naming the file; a stage's own ValueError says what is wrong inside.
    """
    data = read_json(path, what)
    try:
        return parse(data, str(path))
    except AdvisorError:
        raise
    except (ValueError, KeyError, TypeError) as exc:
        message = str(exc) if isinstance(exc, ValueError) else f"{what} is malformed ({type(exc).__name__}: {exc})"
        raise RecordError(message if message.startswith(str(path)) else f"{path}: {message}") from None


def default_run_dir(root: Path = Path("advisor-runs")) -> Path:
    """A new folder name per run, sortable by time: advisor-runs/2026-11-23T10-15-02."""
    stamp = datetime.now().strftime("%Y-%m-%dT%H-%M-%S")
    candidate = root / stamp
    suffix = 1
    while candidate.exists():
        suffix += 1
        candidate = root / f"{stamp}-{suffix}"
    return candidate


def prepare_output_dir(path: Path, *, force: bool, records: tuple[str, ...]) -> Path:
    """Create the output folder, refusing to mix two runs in one folder unless `force` is given.

    `records` are the files the caller's kind of run writes (advisor/runs.py RUN_RECORDS for a run):
    with `force` they are removed first, so no earlier run's record is left beside the new ones.
    """
    path = check_output_dir(path, force=force)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{path}: cannot create the output folder ({exc.strerror or exc})") from exc
    probe_write(path)
    for name in records:
        try:
            (path / name).unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise OutputError(f"{path / name}: cannot replace the earlier run's file ({exc.strerror or exc})") from exc
    return path


def check_output_dir(path: Path, *, force: bool) -> Path:
    """Refuse an output folder that cannot be used, without creating anything.

    Called before the first question is asked, so that a user never answers every question only
    to learn that the folder exists or cannot be written (and called again when the run starts).
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise OutputError(f"{path}: exists and is not a folder")
    if path.is_dir():
        if any(path.iterdir()) and not force:
            raise OutputError(
                f"{path}: folder exists and is not empty; choose another --out or add --force to overwrite"
            )
        probe_write(path)
        return path
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise OutputError(f"{path}: cannot create the output folder ({parent} is not a folder)")
    probe_write(parent)
    return path


def check_free_space(folder: Path, needed_bytes: int) -> None:
    """Refuse to start measuring when the disk could not hold what the run writes."""
    import shutil

    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return  # cannot tell: the atomic writes still fail cleanly
    if free < needed_bytes:
        raise OutputError(
            f"{folder}: only {free / 1e6:.1f} MB free on this disk and a run writes up to "
            f"{needed_bytes / 1e6:.0f} MB; free some space or choose another --out"
        )


def probe_write(folder: Path) -> None:
    """Fail early, before anything is measured, if nothing can be written into `folder`.

    A real write, not os.access: root passes access checks on read-only mounts and folders.
    """
    try:
        fd, tmp = tempfile.mkstemp(prefix=".advisor-write-test.", dir=folder)
        os.close(fd)
        os.unlink(tmp)
    except OSError as exc:
        raise OutputError(f"{folder}: cannot write into the output folder ({exc.strerror or exc})") from exc


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _remove_quietly(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass
