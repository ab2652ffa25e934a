"""The reference scripts an evidence file names, as files of this installation: which path, what text.

The ease probe counts each framework's reference script (probes/<framework>/reference.py) and records its
path and SHA-256; the debugging probe plants bugs in it; the report and the onboarding pages show it.
Scoring tells from the digest whether the script counted is the one installed (advisor/scoring/ease.py),
and the report shows the installed text. A path read from an evidence file is never opened unless it is
one of these scripts: evidence may come from anywhere.
"""

from __future__ import annotations

import hashlib
import re
from importlib import resources

REFERENCE_FILE = re.compile(r"probes/([a-z_]+)/reference\.py")  # evidence may come from elsewhere: no other path
FORMER_REFERENCES = {  # where evidence written before the framework folders recorded the scripts
    "probes/reference/torch_reference.py": "probes/pytorch/reference.py",
    "probes/reference/keras_reference.py": "probes/keras/reference.py",
    "probes/reference/tensorflow_reference.py": "probes/tensorflow/reference.py",
}


def reference_path(recorded: str) -> str | None:
    """A recorded reference script as a path of this installation (probes/<framework>/reference.py), or None."""
    path = FORMER_REFERENCES.get(recorded, recorded)
    return path if REFERENCE_FILE.fullmatch(path) else None


def reference_code(reference_file: str) -> str:
    """A reference script's source (probes/<framework>/reference.py), read as text: never imported.

    ValueError for anything but a framework folder's reference script: a path read from an evidence
    file must never open another file.
    """
    path = reference_path(reference_file)
    if path is None:
        raise ValueError(f"not a reference script: {reference_file!r}")
    return resources.files("probes").joinpath(path.removeprefix("probes/")).read_text(encoding="utf-8")


def source_sha256(source: str) -> str:
    """A script's digest as the ease probe records it (probes/kinds/ease.py `source_sha256`)."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()
