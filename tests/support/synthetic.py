"""Synthetic evidence in the shape the probes record (common.md's contract), for verdict and scoring tests."""

from __future__ import annotations

from probes.evidence import Evidence, ProbeResult

PLANTED_BUGS = ("wrong_input_size", "wrong_flatten", "dtype_mismatch", "nan_custom_op")


def speed(
    variant: str,
    model: str,
    throughput: float,
    rss_mb: float = 500.0,
    spread: float = 0.02,
    device: str | None = None,
    accuracy: float | None = None,
    learned: float | None = None,
) -> ProbeResult:
    """Eight throughput windows within ±spread of `throughput`, and two peak-memory rounds; the device
    ("cpu", "cuda", "gpu"), test accuracy and "learned" threshold are recorded only when given."""
    offsets = (-1.0, -0.6, -0.3, 0.0, 0.1, 0.4, 0.7, 1.0)
    samples = {
        "train_samples_per_s": [throughput * (1 + spread * o) for o in offsets],
        "peak_rss_mb": [rss_mb, rss_mb * 1.01],
        "import_s": [1.0, 1.1],
        "build_s": [0.1, 0.1],
        "first_step_s": [0.2, 0.2],
        "short_run_s": [1.3 + 99 * 64 / throughput, 1.4 + 99 * 64 / throughput],
    }
    facts = {"device": device, "learned_accuracy": learned}
    if accuracy is not None:
        samples["test_accuracy"] = [accuracy]
    return ProbeResult(variant, model, "speed", "ok", None, samples, {k: v for k, v in facts.items() if v is not None})


def memory(variant: str, model: str, mb: float, spread: float = 0.01, processes: int = 3) -> ProbeResult:
    """Training memory above the library's footprint, from `processes` processes where the model ran first."""
    offsets = (-1.0, 0.0, 1.0, 0.5, -0.5)[:processes]
    samples = {"train_memory_mb": [mb * (1 + spread * o) for o in offsets]}
    return ProbeResult(
        variant, model, "speed", "ok", None, samples, case="memory", process_rounds=tuple(range(processes))
    )


def ease(variant: str, model: str, **facts: int) -> ProbeResult:
    return ProbeResult(variant, model, "ease", "ok", None, {}, facts)


def debugging(variant: str, case: str, model: str = "cnn", **facts) -> ProbeResult:
    return ProbeResult(variant, model, "debugging", "ok", None, {}, facts, case)


def export(variant: str, case: str, status: str = "ok", **facts) -> ProbeResult:
    reason = None if status == "ok" else facts.get("error", status)
    return ProbeResult(variant, "cnn", "export", status, reason, {}, facts, case)


def evidence(*results: ProbeResult, models=("mlp", "cnn")) -> Evidence:
    return Evidence("2026-11-23T00:00:00+00:00", {}, {"models": list(models), "budget": "test"}, tuple(results))


def full_run() -> Evidence:
    """Every kind of probe for the three core variants: PyTorch fastest and easiest to debug,
    Keras shortest, every framework exporting to its servers and phones (the phone routes run in
    their runtimes), none run in a browser."""
    results = []
    for model, scale in (("mlp", 100_000), ("cnn", 5_000), ("rnn", 2_000), ("transformer", 1_000)):
        results += [
            speed("torch", model, 2.0 * scale, 300),
            speed("keras-tensorflow", model, 1.0 * scale, 700),
            speed("tensorflow", model, 1.9 * scale, 650),
            memory("torch", model, 60),
            memory("keras-tensorflow", model, 120),
            memory("tensorflow", model, 110),
        ]
    for model in ("mlp", "cnn"):
        results += [
            ease(
                "torch",
                model,
                model_lines=12,
                train_lines=14,
                total_lines=40,
                api_calls=22,
                train_api_calls=12,
                device_statements=3,
            ),
            ease(
                "keras-tensorflow",
                model,
                model_lines=6,
                train_lines=2,
                total_lines=18,
                api_calls=9,
                train_api_calls=4,
                device_statements=0,
            ),
            ease(
                "tensorflow",
                model,
                model_lines=10,
                train_lines=16,
                total_lines=45,
                api_calls=25,
                train_api_calls=14,
                device_statements=0,
            ),
        ]
    for bug in PLANTED_BUGS:
        results += [
            debugging(
                "torch",
                bug,
                points_at_planted_line=True,
                points_at_planted_statement=True,
                names_shapes=True,
                surfaced_at="first_step",
            ),
            debugging(
                "keras-tensorflow",
                bug + "_traced",
                points_at_planted_line=False,
                points_at_planted_statement=False,
                names_shapes=True,
                surfaced_at="build",
            ),
            debugging(
                "tensorflow",
                bug,
                points_at_planted_line=False,
                points_at_planted_statement=False,
                names_shapes=False,
                surfaced_at="first_step",
            ),
        ]
    results += [
        debugging("torch", "print_in_forward", print_count=20, steps=20),
        debugging("keras-tensorflow", "print_in_forward_traced", print_count=1, steps=20),
        debugging("keras-tensorflow", "print_in_forward_eager", print_count=20, steps=20),
    ]
    ok = {"reload_ok": True, "max_abs_diff": 1e-7, "size_bytes": 50_000, "export_s": 0.5}
    results += [
        export("torch", "state_dict", needs_python_class=True, **ok),
        export("torch", "torch_save_full", needs_python_class=True, **ok),
        export("torch", "torchscript", needs_python_class=False, **ok),
        export("torch", "torch_export", needs_python_class=False, **ok),
        export("torch", "onnx", needs_python_class=False, runtime="onnxruntime", **ok),
        export("torch", "executorch", needs_python_class=False, runtime="executorch", **ok),
        export("keras-tensorflow", "keras_native", needs_python_class=False, **ok),
        export("keras-tensorflow", "saved_model", needs_python_class=False, **ok),
        export("keras-tensorflow", "tflite", needs_python_class=False, runtime="litert", **ok),
        export("tensorflow", "saved_model", needs_python_class=False, **ok),
        export("tensorflow", "tflite", needs_python_class=False, runtime="litert", **ok),
        export("tensorflow", "onnx", needs_python_class=False, runtime="onnxruntime", **ok),
        export(
            "keras-tensorflow",
            "tfjs",
            "not_installed",
            install_hint="pip install tensorflowjs",
            error="tensorflowjs is not installed",
        ),
    ]
    for model, rate in (("mlp", 50_000), ("cnn", 4_000)):  # the scale probe: training fed from disk
        for variant, share in (("torch", 1.0), ("keras-tensorflow", 0.8), ("tensorflow", 0.95)):
            rates = [rate * share * f for f in (0.98, 1.0, 1.02)]
            samples = {"stream_samples_per_s": rates, "pipeline_samples_per_s": [3 * r for r in rates]}
            facts = {"pipeline": "its recommended pipeline", "bottleneck": "model", "batch_size": 64}
            results.append(ProbeResult(variant, model, "scale", "ok", None, samples, facts, "stream", 3, (), (0, 1, 2)))
    return evidence(*results, models=("mlp", "cnn", "rnn", "transformer"))


def scored(profile, evidence: Evidence | None = None, **options):
    """The claims and scoring stages on their records: the claims checked against the evidence, then scored."""
    from advisor.claims import check
    from advisor.scoring import score

    return score(profile, evidence, check(evidence), **options)


# --- the user's own model (probes/kinds/own_model.py)


def own_model(
    variant: str,
    case: str,
    throughput: float,
    memory_mb: float = 100.0,
    utilisation: float = 0.05,
    processes: int = 3,
    spread: float = 0.02,
) -> ProbeResult:
    """One way of training the user's model, `processes` fresh processes within ±spread of `throughput`."""
    offsets = (-1.0, 0.0, 1.0, 0.5, -0.5)[:processes]
    samples = {
        "train_samples_per_s": [throughput * (1 + spread * o) for o in offsets],
        "first_step_s": [0.5] * processes,
        "infer_single_ms": [0.2] * processes,
        "infer_batch_ms": [1.5] * processes,
        "train_memory_mb": [memory_mb] * processes,
        "utilisation": [utilisation] * processes,
    }
    facts = {
        "device": "cpu",
        "loss": "classification",
        "loss_reason": "classification: cross-entropy on integer labels; the output is one score per class, (N, 4)",
        "input_shape": [12],
        "input_dtype": "float32",
        "input_from": "the model's input layer",
        "batch_size": 32,
    }
    return ProbeResult(
        variant, "own", "own_model", "ok", None, samples, facts, case, processes, (), tuple(range(processes))
    )


def own_failure(variant: str, case: str, reason: str, status: str = "failed", kind: str = "own_model") -> ProbeResult:
    return ProbeResult(variant, "own", kind, status, reason, {}, {}, case)


def own_route(variant: str, case: str, status: str = "ok", **facts) -> ProbeResult:
    """One route of the user's model: works in `runtime` by default (parity 0, 0.5 ms a call, 2 KB)."""
    recorded = {"reload_ok": True, "max_abs_diff": 0.0, "size_bytes": 2048, "call_ms": 0.5, **facts}
    if status != "ok":
        recorded = facts
    reason = None if status == "ok" else facts.get("error", status)
    return ProbeResult(variant, "own", "own_export", status, reason, {}, recorded, case)


def with_own_model(found: Evidence, source: str = "net.keras", kind: str = "keras") -> Evidence:
    """The evidence of a run that measured the user's model (its settings name it, as the plan's do)."""
    settings = {**found.settings, "own_model": {"source": source, "kind": kind, "path": f"/work/{source}"}}
    return Evidence(found.created_at, found.environment, settings, found.results, found.complete)
