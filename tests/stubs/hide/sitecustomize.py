"""Makes the modules named in ADVISOR_TEST_HIDE (comma-separated) look uninstalled, in every
process started with this folder on PYTHONPATH: a finder placed first on sys.meta_path answers
for them as an absent module does (ModuleNotFoundError on import, nothing for find_spec)."""

import os
import sys

_HIDDEN = {name.strip() for name in os.environ.get("ADVISOR_TEST_HIDE", "").split(",") if name.strip()}


class _HideFinder:
    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name.split(".")[0] in _HIDDEN:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


if _HIDDEN:
    sys.meta_path.insert(0, _HideFinder)
