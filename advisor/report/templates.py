"""The Jinja environment of every page, with its compiled templates kept between runs.

Compiling the report's templates took longer than rendering them, on every run. Compiled templates
are kept in the advisor's cache folder (knowledge.cache_dir): one file per template, a header line
naming the format, Jinja's version, Python's bytecode magic number and the template source's
checksum, then the code, marshalled the way Python keeps .pyc files. Jinja's own
FileSystemBytecodeCache is not used because it pickles the checksum; nothing here unpickles. A file
whose header does not match is ignored and rewritten, and a cache folder that cannot be read or
written costs only the speed.
"""

from __future__ import annotations

import marshal
import os
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
        try:
            bucket.code = marshal.loads(data[len(header) :])
        except (EOFError, ValueError, TypeError):
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
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


@cache
def environment() -> Environment:
    """The pages' Jinja setup (autoescape on, strict about undefined names), made once per process."""
    folder = knowledge.cache_dir()
    return Environment(
        loader=FileSystemLoader(str(resources.files("reports"))),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=TemplateCodeCache(folder / "templates") if folder else None,
    )
