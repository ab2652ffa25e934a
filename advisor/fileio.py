"""Atomic writes and output folders: a file is either complete or absent, never half-written."""

from __future__ import annotations

import errno
import json
import os
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from advisor.errors import AdvisorError, OutputError, RecordError

# Records larger than this are refused when read back: no record we write comes close.
MAX_RECORD_BYTES = 64 * 1024 * 1024
T = TypeVar("T")


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
        raise error(f"{path}: is a folder or device, not a {what} file")
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
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecordError(f"{path}: {what} is not valid JSON ({exc.msg}, line {exc.lineno})") from None
    except RecursionError:
        raise RecordError(f"{path}: {what} is nested too deeply") from None
    if not isinstance(data, dict):
        raise RecordError(f"{path}: {what} must be a JSON object, found {type(data).__name__}")
    return data


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
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise OutputError(f"{path}: exists and is not a folder")
    if path.is_dir() and any(path.iterdir()) and not force:
        raise OutputError(f"{path}: folder exists and is not empty; choose another --out or add --force to overwrite")
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
