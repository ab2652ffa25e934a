"""Child-process entry: measure one framework variant with one probe module, write JSON.

    python -m probes.worker REQUEST.json RESULT.json

The request names the probe module (see probes.frameworks for its contract), the (model, case)
pairs to measure and the settings. The result file is rewritten atomically after each case, so a
crash or a kill keeps every case finished before it. Nothing is printed for the parent to parse:
frameworks write freely to stdout and stderr, which the parent keeps only the tail of.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from probes import memory


def _write(path: Path, payload: dict[str, Any]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(payload, allow_nan=False))
    os.replace(tmp, path)


def describe_exception(exc: BaseException) -> str:
    """One line: the exception type and the first line of its message."""
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def main(argv: list[str]) -> int:
    request = json.loads(Path(argv[0]).read_text())
    result_path = Path(argv[1])
    settings = request["settings"]
    payload: dict[str, Any] = {
        "variant": request["variant"],
        "kind": request["kind"],
        "results": [],
        "pid": os.getpid(),
    }

    start = time.perf_counter()
    try:
        probe = importlib.import_module(request["module"])
        payload["versions"] = probe.import_framework()
    except BaseException as exc:  # noqa: BLE001 - an import can fail in any way; record it
        payload["import_error"] = describe_exception(exc)
        payload["import_traceback"] = traceback.format_exc(limit=-3)
        _write(result_path, payload)
        return 3
    payload["import_s"] = time.perf_counter() - start
    payload["threads"] = probe.configure_threads(settings["threads"])
    payload["device"] = probe.device_info(settings["device"])
    payload["baseline_rss_mb"] = memory.current_rss_mb()
    _write(result_path, payload)

    for model, case in request["cases"]:
        memory.reset_peak()
        entry: dict[str, Any] = {"model": model, "case": case}
        try:
            measured = probe.measure(model, case, settings)
            measured.setdefault("samples", {}).setdefault("peak_rss_mb", [memory.peak_rss_mb()])
            entry.update({"status": "ok", **measured})  # a probe may say "failed" or "not_installed" itself
        except Exception as exc:  # noqa: BLE001 - a case that fails must not lose the others
            entry.update(status="failed", reason=describe_exception(exc), traceback=traceback.format_exc(limit=-3))
        payload["results"].append(entry)
        _write(result_path, payload)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
