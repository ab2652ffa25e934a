"""A stand-in for `python -m probes.worker` that misbehaves on request, for runner tests.

The behaviour per variant comes from the environment: FAKE_<VARIANT>=ok|crash|segfault|hang|
flood|import_error|partial|killed|finish_first_then_hang. Each start is appended to FAKE_LOG, so tests can check order.
The user's own model (kinds own_model, own_export) gets speed figures and routes that work.
FAKE_SPEED_<VARIANT> scales its throughput; FAKE_SPREAD_<VARIANT> makes its processes disagree (each
round's figure that share above or below the variant's own, alternately). A model's figures depend on
the model, never on its place in the child's cases (the runner rotates that).
"""

import json
import os
import signal
import subprocess
import sys
import time

request = json.load(open(sys.argv[1]))
result_path = sys.argv[2]
variant = request["variant"]
behaviour = os.environ.get("FAKE_" + variant.upper().replace("-", "_"), "ok")
if os.environ.get("FAKE_LOG"):
    with open(os.environ["FAKE_LOG"], "a") as log:
        log.write(f"{variant} {os.getpid()} {request['kind']}\n")


def write(payload):
    with open(result_path + ".tmp", "w") as handle:
        json.dump(payload, handle)
    os.replace(result_path + ".tmp", result_path)


MODEL_INDEX = {"mlp": 1, "cnn": 2, "rnn": 3, "transformer": 4}


def model_result(model, case, factor, first):
    if request["kind"] == "speed" and case == "accuracy":
        return {
            "status": "ok",
            "samples": {"test_accuracy": [0.9], "accuracy_check_s": [0.1]},
            "facts": {"digits_epochs": 5, "learned_accuracy": 0.8},
        }
    if request["kind"] == "own_export":  # the user's model's route: works in its runtime
        runtime = {"onnx": "onnxruntime", "tflite": "litert"}.get(case, case)
        facts = {"label": case, "reload_ok": True, "max_abs_diff": 0.0, "size_bytes": 2048, "runtime": runtime}
        return {"status": "ok", "facts": {**facts, "call_ms": 0.5}}
    index = MODEL_INDEX.get(model, 1)
    steady = 1000.0 * index * factor
    if request["kind"] == "scale":
        stream = {"stream_samples_per_s": [steady], "pipeline_samples_per_s": [2 * steady], "pipeline_share": [0.5]}
        return {"status": "ok", "samples": stream, "facts": {"batch_size": 32, "bottleneck": "model"}}
    samples = {
        "first_step_s": [0.1 * index],
        "build_s": [0.01],
        "warmup_s": [0.05],
        "reached_steady_state": [1.0],
        "train_samples_per_s": [steady],
        "window_samples_per_s": [steady * 0.98, steady, steady * 1.02],
        "window_iqr_ratio": [0.02],
        "infer_single_ms": [0.5],
        "infer_batch_ms": [2.0],
        "peak_rss_mb": [300.0 + index],
    }
    if first:
        samples["train_memory_mb"] = [50.0 + index]
    facts = {"steps_per_window": 10, "batch_size": 32}
    if request["kind"] == "own_model":  # the user's model, as the plan's settings name it
        own = request["settings"]["own_model"]
        facts.update(model_source=own["source"], loss="classification", loss_reason="classification: fake")
    return {"status": "ok", "samples": samples, "facts": facts}


payload = {
    "variant": variant,
    "kind": request["kind"],
    "results": [],
    "versions": {"fake": "1.0"},
    "import_s": 0.5,
    "threads": {"intra_op": 1},
    "device": {"used": "cpu"},
}
speed = float(os.environ.get("FAKE_SPEED_" + variant.upper().replace("-", "_"), "1"))
spread = float(os.environ.get("FAKE_SPREAD_" + variant.upper().replace("-", "_"), "0"))
round_index = int(request["settings"].get("round", 0))
factor = speed * (1 + spread * (-1) ** round_index)

if behaviour == "crash":
    print("Traceback (most recent call last):\nRuntimeError: the fake framework fell over")
    sys.exit(1)
if behaviour == "segfault":
    os.kill(os.getpid(), signal.SIGSEGV)
if behaviour == "killed":
    os.kill(os.getpid(), signal.SIGKILL)
if behaviour == "hang":
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3600)"])
    if os.environ.get("FAKE_GRANDCHILD_PID"):
        with open(os.environ["FAKE_GRANDCHILD_PID"], "w") as handle:
            handle.write(str(child.pid))
    time.sleep(3600)
if behaviour == "import_error":
    write({"variant": variant, "results": [], "import_error": "ModuleNotFoundError: No module named 'torch'"})
    sys.exit(3)
if behaviour == "flood":
    chunk = "x" * 1023 + "\n"
    for _ in range(int(os.environ.get("FAKE_FLOOD_MB", "64")) * 1024):
        sys.stdout.write(chunk)
    sys.stdout.write("the flood ends here\n")
    sys.stdout.flush()

for position, (model, case) in enumerate(request["cases"]):
    payload["results"].append({"model": model, "case": case, **model_result(model, case, factor, position == 0)})
    write(payload)
    if behaviour == "partial":
        os.kill(os.getpid(), signal.SIGKILL)
    if behaviour == "finish_first_then_hang":
        time.sleep(3600)
sys.exit(0)
