"""Deployment, measured: export the trained reference CNN by one path, reload it in a fresh process, compare.

Each framework's export module (probes/<framework>/export.py) trains the CNN once per child and
gives one export function per path, and the loaders that reload its own formats; this module runs
a path the same way for every framework: skip it as "not_installed" (with what to install) when a
module it needs is missing, time the export, size the artifact, reload it in the fresh reload
process (probes/kinds/reload.py) and compare its outputs with the original model's on the same
batch. Artifacts live in one tempfile.TemporaryDirectory per child, deleted when the child ends;
nothing else is loaded.
"""

from __future__ import annotations

import atexit
import importlib.util
import json
import select
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from probes.kinds.reload import EXPORT_FOLDER_PREFIX

RELOAD_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class ExportPath:
    id: str
    file_name: str  # artifact name in the temporary folder (a folder for SavedModel, TF.js)
    export: Callable[[Path], None]  # writes the artifact
    needs: Sequence[str] = ()  # optional modules, checked without importing them


def export_cases(models: Sequence[str], paths: Sequence[str]) -> list[tuple[str, str]]:
    return [("cnn", path) for path in paths] if "cnn" in models else []


def path_info(path_id: str, variant: str | None = None) -> dict[str, Any]:
    """The path's entry in knowledge/export_paths.yaml, with what it says for this variant resolved.

    `install` (what to install when a module is missing) and `note` (why a path fails or cannot be
    installed here, and what would fix it) may differ per variant: `install_by_variant` and `notes`.
    """
    from knowledge import load

    info = dict(load("export_paths")["paths"].get(path_id) or {})
    info["install"] = (info.get("install_by_variant") or {}).get(variant) or info.get("install")
    info["note"] = (info.get("notes") or {}).get(variant)
    return info


def missing_modules(names: Sequence[str]) -> list[str]:
    missing = []
    for name in names:
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            missing.append(name)
    return missing


def size_bytes(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    return f"{type(exc).__name__}: {line}"[:300] if line else type(exc).__name__


class Workspace:
    """The child's temporary folder, the batch both sides run, and the fresh reload process."""

    def __init__(self, framework: str, batch: np.ndarray, expected: np.ndarray):
        self.framework = framework  # whose export module holds the loaders of its own formats
        self._folder = tempfile.TemporaryDirectory(prefix=EXPORT_FOLDER_PREFIX)
        self.folder = Path(self._folder.name)
        self.batch_path = self.folder / "batch.npy"
        np.save(self.batch_path, np.ascontiguousarray(batch, dtype=np.float32))
        self.expected = np.asarray(expected, dtype=np.float32)
        self._process: subprocess.Popen | None = None
        atexit.register(self.close)

    def _reloader(self) -> subprocess.Popen:
        if self._process is None or self._process.poll() is not None:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "probes.kinds.reload"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                bufsize=1,
            )
        return self._process

    def reload(self, path_id: str, artifact: Path) -> dict[str, Any]:
        """Ask the fresh process to reload the artifact; never raises, a crash is a failed reload."""
        outputs = self.folder / f"outputs-{path_id}.npy"
        process = self._reloader()
        request = {
            "framework": self.framework,
            "path_id": path_id,
            "artifact": str(artifact),
            "batch": str(self.batch_path),
            "outputs": str(outputs),
        }
        try:
            process.stdin.write(json.dumps(request) + "\n")
            process.stdin.flush()
            ready, _, _ = select.select([process.stdout], [], [], RELOAD_TIMEOUT_S)
            line = process.stdout.readline() if ready else ""
        except (BrokenPipeError, OSError):
            line = ""
        if not line:
            if process.poll() is None:
                process.kill()
                process.wait()
                why = f"no reply within {RELOAD_TIMEOUT_S:.0f} s"
            else:
                why = f"exit code {process.returncode}"
            self._process = None
            return {"reload_ok": False, "error": f"the reload process died ({why})"}
        reply = json.loads(line)
        if reply.get("reload_ok"):
            got = np.load(outputs)
            if got.shape != self.expected.shape:
                reply.update(
                    reload_ok=False, error=f"reloaded outputs have shape {got.shape}, expected {self.expected.shape}"
                )
            else:
                reply["max_abs_diff"] = float(np.max(np.abs(got - self.expected)))
        return reply

    def close(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.stdin.close()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
        self._process = None
        self._folder.cleanup()


def run_path(workspace: Workspace, path: ExportPath, variant: str) -> dict[str, Any]:
    """One export path of `variant` end to end, as the worker's measure() result (status, reason, facts)."""
    info = path_info(path.id, variant)
    facts: dict[str, Any] = {
        "label": info.get("label", path.id),
        "export_s": None,
        "size_bytes": None,
        "reload_ok": None,
        "max_abs_diff": None,
        "needs_python_class": None,
        "error": None,
        "install_hint": None,
    }
    if info["note"]:
        facts["note"] = " ".join(info["note"].split())
    missing = missing_modules(path.needs)
    if missing:
        hint = info.get("install") or f"pip install {' '.join(missing)}"
        facts.update(install_hint=hint, missing=missing)
        return {"status": "not_installed", "reason": f"{', '.join(missing)} not installed", "facts": facts}
    artifact = workspace.folder / path.file_name
    start = time.perf_counter()
    try:
        path.export(artifact)
    except Exception as exc:  # noqa: BLE001 - a failed export is the finding
        facts.update(export_s=round(time.perf_counter() - start, 3), error=first_line(exc))
        return {"status": "failed", "reason": f"export failed: {facts['error']}", "facts": facts}
    facts.update(export_s=round(time.perf_counter() - start, 3), size_bytes=size_bytes(artifact))
    reply = workspace.reload(path.id, artifact)
    facts.update(
        reload_ok=bool(reply.get("reload_ok")),
        max_abs_diff=reply.get("max_abs_diff"),
        needs_python_class=reply.get("needs_python_class"),
        reload_s=round(reply["reload_s"], 3) if reply.get("reload_s") is not None else None,
        error=reply.get("error"),
    )
    for key in ("default_load_ok", "default_load_error", "without_class_error"):
        if key in reply:
            facts[key] = reply[key]
    if not facts["reload_ok"]:
        return {"status": "failed", "reason": f"reload failed: {facts['error']}", "facts": facts}
    return {"status": "ok", "facts": facts}
