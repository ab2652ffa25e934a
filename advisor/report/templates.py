"""The Jinja environment of every page, with its compiled templates kept between runs.

Compiling the report's templates took longer than rendering them, on every run. Their compiled code
is kept beside them, in reports/__pycache__/templates, as Python keeps a package's own compiled
modules in its __pycache__: trusted exactly as much as the package's .py and .pyc files, and never
in a folder a user or another person chooses. Each file is one header line (the format, Jinja's
version, Python's bytecode magic number, the template source's checksum) and the code, marshalled
as in a .pyc. Jinja's own FileSystemBytecodeCache is not used because it pickles the checksum;
nothing here unpickles. A file whose header does not match is ignored and rewritten; a folder that
cannot be read or written costs only the speed, and nothing is written under PYTHONDONTWRITEBYTECODE
or with caching off (ADVISOR_CACHE_DIR="").
"""

from __future__ import annotations

import marshal
import os
import sys
import tempfile
from functools import cache
from importlib import resources
from importlib.util import MAGIC_NUMBER
from pathlib import Path

from jinja2 import BytecodeCache, Environment, FileSystemLoader, StrictUndefined, __version__
from jinja2.bccache import Bucket

import knowledge

CODE_CACHE_FORMAT = "advisor-template-code/1"


class TemplateCodeCache(BytecodeCache):
    """Compiled templates as files of one header line and the marshalled code (no pickle)."""

    def __init__(self, folder: Path):
        self.folder = folder

    def _file(self, bucket: Bucket) -> Path:
        return self.folder / f"{bucket.key}.code"

    @staticmethod
    def _header(bucket: Bucket) -> bytes:
        return f"{CODE_CACHE_FORMAT} jinja {__version__} {MAGIC_NUMBER.hex()} {bucket.checksum}\n".encode()

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            data = self._file(bucket).read_bytes()
        except OSError:
            return
        header = self._header(bucket)
        if not data.startswith(header):
            return
        try:  # code compiled from the package's own templates, kept inside the package as .pyc files are
            bucket.code = marshal.loads(data[len(header) :])  # noqa: untrusted-ok
        except (EOFError, ValueError, TypeError):
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        if sys.dont_write_bytecode:
            return
        written = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            with tempfile.NamedTemporaryFile("wb", dir=self.folder, suffix=".tmp", delete=False) as out:
                written = Path(out.name)
                out.write(self._header(bucket) + marshal.dumps(bucket.code))
            os.replace(written, self._file(bucket))
        except OSError:
            pass
        finally:
            if written is not None:
                written.unlink(missing_ok=True)


def code_folder() -> Path | None:
    """Where the templates' compiled code is kept: beside them, in the package's __pycache__ (None: caching off)."""
    if knowledge.cache_dir() is None:
        return None
    return Path(str(resources.files("reports"))) / "__pycache__" / "templates"


@cache
def environment() -> Environment:
    """The pages' Jinja setup (autoescape on, strict about undefined names), made once per process."""
    folder = code_folder()
    return Environment(
        loader=FileSystemLoader(str(resources.files("reports"))),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=TemplateCodeCache(folder) if folder else None,
    )
