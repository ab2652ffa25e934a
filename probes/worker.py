"""Child-process entry: measure one framework variant with one probe module, write JSON.

    python -m probes.worker REQUEST.json RESULT.json

The request names the variant (its framework folder, backend and options), the probe kind, the
(model, case) pairs to measure and the settings; the framework folder's PROBE (probes/contract.py)
does the measuring. The result file is rewritten atomically after each case, so a
crash or a kill keeps every case finished before it. Nothing is printed for the parent to parse:
frameworks write freely to stdout and stderr, which the parent keeps only the tail of.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from probes import memory
from probes.contract import ACCURACY_CASE, FRAMEWORK_FREE_KINDS, MEMORY_KINDS, framework_probe


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

    variant = request["variant_info"]
    kind = request["kind"]
    start = time.perf_counter()
    try:
        probe = framework_probe(variant["framework"])
        needs_framework = kind not in FRAMEWORK_FREE_KINDS
        payload["versions"] = probe.import_framework(variant) if needs_framework else {}
    except BaseException as exc:  # noqa: BLE001 - an import can fail in any way; record it
        payload["import_error"] = describe_exception(exc)
        payload["import_traceback"] = traceback.format_exc(limit=-3)
        _write(result_path, payload)
        return 3
    payload["import_s"] = time.perf_counter() - start
    if needs_framework:
        payload["threads"] = probe.configure_threads(settings["threads"])
        payload["device"] = probe.device_info(settings["device"])
    else:
        payload["threads"], payload["device"] = {}, {"used": "none (source analysis)"}
    payload["baseline_rss_mb"] = memory.current_rss_mb()
    _write(result_path, payload)

    for position, (model, case) in enumerate(request["cases"]):
        files_memory = kind in MEMORY_KINDS and case != ACCURACY_CASE  # the accuracy check files no memory
        size_before = None
        if files_memory:
            memory.release_free_memory()
            memory.reset_peak()
            size_before = memory.current_rss_mb()  # what the process held before this case: the library, earlier ones
        entry: dict[str, Any] = {"model": model, "case": case}
        try:
            measured = probe.measure(kind, model, case, settings, variant)
            samples = measured.setdefault("samples", {})
            if files_memory:
                peak = samples.setdefault("peak_rss_mb", [memory.peak_rss_mb()])[0]
                # Training memory above the library, only for the child's first model: a later one would reuse
                # the pages and runtime caches the first left behind and look lighter than it is.
                if position == 0 and size_before is not None and "train_samples_per_s" in samples:
                    samples["train_memory_mb"] = [max(0.0, peak - size_before)]
                keep_own_gpu_peak(measured, position)
            entry.update({"status": "ok", **measured})  # a probe may say "failed" or "not_installed" itself
        except Exception as exc:  # noqa: BLE001 - a case that fails must not lose the others
            entry.update(status="failed", reason=describe_exception(exc), traceback=traceback.format_exc(limit=-3))
        payload["results"].append(entry)
        _write(result_path, payload)
    return 0


def keep_own_gpu_peak(measured: dict[str, Any], position: int) -> None:
    """Drop a GPU peak that counts from process start (JAX has no reset) for every model but the first:
    it would include the earlier models' peaks."""
    facts = measured.setdefault("facts", {})
    cumulative = facts.pop("gpu_peak_since_process_start", False)
    if cumulative and position > 0 and measured.get("samples", {}).pop("gpu_peak_mb", None) is not None:
        facts["gpu_peak_note"] = "not recorded: the backend's GPU peak counts from process start"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
