"""Atomic writes and output folders: a file is either complete or absent, never half-written."""

from __future__ import annotations

import errno
import json
import math
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from advisor.errors import AdvisorError, OutputError, RecordError

# Records larger than this are refused when read back: no record we write comes close.
MAX_RECORD_BYTES = 64 * 1024 * 1024
T = TypeVar("T")

# C0 controls but tab and newline, DEL, and C1 controls (ESC, CSI, OSC...): what a file could use to
# drive a terminal (colours, the window title, hyperlinks) if printed raw; and the bidirectional overrides
# and isolates, which make a name or a figure read in another order than it is written ("Trojan source").
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


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


# The record that marks each kind of folder this tool writes: --force replaces records of the folder's own
# kind only, so that a run never lands in a team decision's folder, nor a team decision in a run's.
FOLDER_KINDS = {"run": "evidence.json", "team decision": "team.json"}


def prepare_output_dir(path: Path, *, force: bool, records: tuple[str, ...], kind: str | None = None) -> Path:
    """Create the output folder, refusing to mix two runs in one folder unless `force` is given.

    `records` are the files the caller's kind of run writes (advisor/runs.py RUN_RECORDS for a run):
    with `force` they are removed first, so no earlier run's record is left beside the new ones; a file
    of such a name that this tool did not write is refused, before anything is removed.
    """
    path = check_output_dir(path, force=force, records=records, kind=kind)
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


def check_output_dir(path: Path, *, force: bool, records: tuple[str, ...] = (), kind: str | None = None) -> Path:
    """Refuse an output folder that cannot be used, without creating anything.

    Called before the first question is asked, so that a user never answers every question only
    to learn that the folder exists or cannot be written (and called again when the run starts).
    With `force`, a file named like one of `records` must be one this tool wrote (written_by_this_tool), and
    the folder may hold no other `kind` of folder's records (FOLDER_KINDS).
    """
    path = Path(path)
    try:
        path.stat()
    except FileNotFoundError:
        pass
    except OSError as exc:  # a name too long, a loop of links, a folder that cannot be searched
        raise OutputError(f"{path}: cannot create the output folder ({exc.strerror or exc})") from None
    if path.exists() and not path.is_dir():
        raise OutputError(f"{path}: exists and is not a folder")
    if path.is_dir():
        if any(p.name != LOCK_NAME for p in path.iterdir()) and not force:  # the lock: a run writing now
            raise OutputError(
                f"{path}: folder exists and is not empty; choose another --out or add --force to overwrite"
            )
        for other, marker in FOLDER_KINDS.items():
            if kind is not None and other != kind and written_by_this_tool(path / marker):
                raise OutputError(
                    f"{path}: holds a {other} ({marker}); --force replaces an earlier {kind}'s records only, "
                    "so the two never mix. Choose another --out"
                )
        for name in records:
            if (path / name).exists() and not written_by_this_tool(path / name):
                raise OutputError(
                    f"{path / name}: not a record this tool wrote; --force replaces only the tool's own records. "
                    "Move the file away or choose another --out"
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


# What the files this tool writes carry, by suffix, so that --force never removes a file of the user's
# that happens to share a record's name: JSON records name an advisor-* format, answers files start with
# this header (advisor/questionnaire/questions.py), decision records say who made them, pages embed their data.
ANSWERS_HEADER = "# Answers of a Framework Advisor run"
PAGE_DATA_MARK = '<script type="application/json" id="advisor-data">'
DECISION_MARK = "Made by Framework Advisor"


def written_by_this_tool(path: Path, json_format: str = "advisor-") -> bool:
    """Whether `path` is a file this tool wrote: a JSON record (or a page embedding one) whose format starts
    with `json_format`, an answers file, a decision record. Anything unreadable or unknown is the user's."""
    path = Path(path)
    try:
        if not path.is_file() or path.stat().st_size > MAX_RECORD_BYTES:
            return False
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):  # a page of ours embeds its data, whose format says which page it is
        text = text.partition(PAGE_DATA_MARK)[2].partition("</script>")[0]
    if suffix in (".json", ".html", ".htm"):
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            return False
        return isinstance(data, dict) and str(data.get("format", "")).startswith(json_format)
    if suffix == ".yaml":
        return text.startswith(ANSWERS_HEADER)
    if suffix == ".md":
        return DECISION_MARK in text[:2000]
    return False


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


LOCK_NAME = ".advisor.lock"


@contextmanager
def writing_into(folder: Path) -> Iterator[None]:
    """Hold FOLDER/.advisor.lock while a command writes into the folder, so that two runs started at once
    never mix their records. A lock whose process is gone (a killed run) is taken over; one this process
    holds already is held again (advise renders the report it measured for)."""
    lock = Path(folder) / LOCK_NAME
    taken = _take_lock(lock)
    try:
        yield
    finally:
        if taken:
            _remove_quietly(lock)


def _take_lock(lock: Path) -> bool:
    """True when taken now, False when this process held it already; OutputError when another run holds it."""
    for _ in range(3):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            holder = _lock_holder(lock)
            if holder == os.getpid():
                return False
            if holder is not None and _alive(holder):
                raise OutputError(
                    f"{lock.parent}: another advisor run (process {holder}) is writing into this folder; "
                    "wait for it to end or choose another folder"
                ) from None
            if holder is None and _age_s(lock) < 10:
                break  # being written by a run that has just taken it
            _remove_quietly(lock)  # left by a run that was killed
            continue
        except OSError as exc:
            raise OutputError(f"{lock.parent}: cannot write here ({exc.strerror or exc})") from exc
        with os.fdopen(fd, "w") as handle:
            handle.write(f"{os.getpid()}\n")
        return True
    raise OutputError(f"{lock.parent}: another advisor run is starting in this folder; choose another folder")


def _lock_holder(lock: Path) -> int | None:
    try:
        return int(lock.read_text(encoding="utf-8").strip())
    except (OSError, ValueError, UnicodeDecodeError):
        return None


def _age_s(path: Path) -> float:
    import time

    try:
        return time.time() - path.stat().st_mtime
    except OSError:
        return 0.0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except PermissionError:
        return True  # a process of another user
    except (OSError, OverflowError, ValueError):
        return False
    return True


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _remove_quietly(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass
