"""Keras 3's speed session, on whichever backend KERAS_BACKEND names: the reference's own model.fit.

fit() is timed as a user runs it: the timed windows are the epochs of one fit() call, and a callback
notes only when each epoch's first batch begins and when the epoch ends, so Keras keeps its
asynchronous dispatch of per-batch callbacks on the backends that have it (a per-batch-end callback
would make every step wait for the host). The epoch's loss is
read at its end, which waits for the device. The compile mode is what compile() resolves
jit_compile="auto" to (no XLA on a CPU-only TensorFlow machine, XLA on a GPU, eager on PyTorch,
always jax.jit on JAX), or True for the variant that switches XLA on.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import numpy as np

from probes.keras import PROBE, gpu_peak_mb, precision, reset_gpu_peak
from probes.kinds.speed import ACCURACY_CASE, check_accuracy, measure_training
from probes.specs import MODELS, make_data

POOL_SAMPLES = 4096


class EpochClock:
    """A Keras callback that notes when each epoch's first batch begins and when the epoch ends.

    From the first batch, not the epoch's start: a new epoch first makes its data iterator, a fixed
    cost that an epoch of a few hundred steps would show and a user's long epoch hides. Only
    batch-begin and epoch hooks: Keras keeps dispatching its per-batch callbacks asynchronously.
    """

    def __init__(self):
        import keras

        outer = self

        class _Callback(keras.callbacks.Callback):
            def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
                outer.epoch_began.append(time.perf_counter())

            def on_train_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
                if batch == 0:
                    outer.began.append(time.perf_counter())

            def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
                float((logs or {}).get("loss", 0.0))  # a host value: the device has finished the epoch
                outer.ended.append(time.perf_counter())

        self.callback = _Callback()
        self.epoch_began: list[float] = []
        self.began: list[float] = []
        self.ended: list[float] = []

    def reset(self) -> None:
        self.epoch_began, self.began, self.ended = [], [], []

    def epoch_starts(self) -> list[float]:
        """Seconds each epoch waited between its start and its first batch."""
        return [first - start for start, first in zip(self.epoch_began, self.began, strict=False)]


def compile_words(backend: str, jit_compile: bool, switched_on: bool) -> str:
    """How fit() runs the step, in words: what jit_compile resolved to, and why."""
    if switched_on:
        return f"fit() with jit_compile=True: XLA ({backend} backend)"
    if backend == "tensorflow":
        mode = "an XLA-compiled tf.function" if jit_compile else "a tf.function graph, no XLA"
        return f"fit(): {mode} (jit_compile='auto', the default, resolved to {jit_compile})"
    if backend == "jax":
        return "fit(): jax.jit, XLA (jit_compile='auto' resolves to True on JAX)"
    return f"fit(): {'torch.compile' if jit_compile else 'eager'} (jit_compile='auto' resolved to {jit_compile})"


class MixedPrecisionUnsupported(Exception):
    pass


def mixed_policy(backend: str, used: str) -> str:
    """The Keras dtype policy for mixed precision here: mixed_bfloat16 or mixed_float16 (probes/precision.py).

    Set before the model is built, as Keras's guide does; with mixed_float16, compile() wraps the
    optimizer in a LossScaleOptimizer itself."""
    import keras

    from probes.precision import mixed_dtype, unsupported_reason

    capability = None
    if used in ("cuda", "gpu"):
        if backend == "tensorflow":
            import tensorflow as tf

            details = tf.config.experimental.get_device_details(tf.config.list_physical_devices("GPU")[0])
            capability = details.get("compute_capability")
        elif backend == "torch":
            import torch

            capability = torch.cuda.get_device_capability(0)
    dtype = mixed_dtype(used, capability)
    if dtype is None:
        raise MixedPrecisionUnsupported(unsupported_reason(used))
    policy = f"mixed_{dtype}"
    keras.mixed_precision.set_global_policy(policy)
    return policy


class FitTimedByEpochs:
    """How a Keras session is timed, whatever feeds its fit(): a subclass sets `clock` (an EpochClock) and
    `_fit(steps, epochs)`, one fit() call of `steps` batches an epoch."""

    clock: EpochClock
    epoch_start_s = 0.0  # the longest wait before an epoch's first batch in the timed windows

    def _fit(self, steps: int, epochs: int = 1) -> None:
        raise NotImplementedError

    def first_step(self) -> float:
        # From the call of fit() to the end of its first (one-batch) epoch: tracing and compilation included.
        start = time.perf_counter()
        self._fit(1)
        return self.clock.ended[-1] - start

    def steps(self, n: int) -> float:
        # From the epoch's start to its end: fit()'s per-call setup (data adapter, callbacks) excluded.
        self._fit(n)
        return self.clock.ended[-1] - self.clock.began[-1]

    def windows(self, steps: int, count: int) -> list[float]:
        # The timed windows are the epochs of one fit(), as a user's training runs: on Keras 3.15 with
        # TensorFlow 2.21 on this CPU some epochs of a multi-epoch fit run about 1.6 times slower than
        # the others (CNN 10.4 against 6.4 ms a step, async dispatch on or off); one fit() per window
        # would never show it, so the figure would flatter Keras.
        self._fit(steps, epochs=count)
        self.epoch_start_s = max(self.clock.epoch_starts(), default=0.0)
        return [end - begin for begin, end in zip(self.clock.began, self.clock.ended, strict=True)]


STEP_ONLY = "step only"  # no metric beside the loss
AS_WRITTEN = "as written"  # the reference's compile(), with its accuracy metric


class KerasSession(FitTimedByEpochs):
    """The reference's model and compile(), fitted on NumPy arrays, as a variant's options set it up.

    Options (probes/variants.py): `jit_compile` (the switch compile() takes), `mixed_precision` (a dtype
    policy), `steps_per_execution` (batches per call of the compiled train function, Keras's lever for
    models whose steps are short beside its per-batch overhead) and `as_written` (the reference's compile()
    with its accuracy metric; by default the metric is left out, so Keras times what the other frameworks'
    loops do: the step and its loss).
    """

    def __init__(self, model_name: str, settings: dict[str, Any], options: Mapping[str, Any] | None = None):
        import keras

        from probes.keras import reference as ref

        self.keras, self.options = keras, dict(options or {})
        self.backend = keras.backend.backend()
        self.used = PROBE.device_info(settings["device"])["used"]
        self.policy = mixed_policy(self.backend, self.used) if self.options.get("mixed_precision") else None
        self.peak_is_this_models = reset_gpu_peak(self.backend, self.used)
        self.batch_size = settings["batch_size"]
        keras.utils.set_random_seed(settings["seed"])
        start = time.perf_counter()
        self.model = ref.build_model(model_name)
        ref.compile_model(self.model, MODELS[model_name].learning_rate)
        self._set_switches()
        self.build_s = time.perf_counter() - start
        jit_compile = self.options.get("jit_compile")
        self.compile_mode = compile_words(self.backend, bool(self.model.jit_compile), jit_compile is not None)
        self.x, self.y = make_data(model_name, POOL_SAMPLES, settings["seed"])
        self.cursor = 0
        self.clock = EpochClock()
        self.params = int(sum(np.prod(w.shape) for w in self.model.trainable_weights))  # as the others count

    def _set_switches(self) -> None:
        """What a user changes in compile(): the metrics left out (step only), jit_compile, steps_per_execution."""
        model = self.model
        if not self.options.get("as_written"):
            model.compile(optimizer=model.optimizer, loss=model.loss)  # the reference's compile() less its metric
        if self.options.get("jit_compile") is not None:
            model.jit_compile = self.options["jit_compile"]  # the switch a user flips in compile(jit_compile=True)
        if self.options.get("steps_per_execution"):
            model.steps_per_execution = int(self.options["steps_per_execution"])  # compile(steps_per_execution=n)

    def _fit(self, steps: int, epochs: int = 1) -> None:
        rows = np.arange(self.cursor, self.cursor + steps * self.batch_size) % POOL_SAMPLES
        self.cursor += steps * self.batch_size
        self.clock.reset()
        self.model.fit(
            self.x[rows],
            self.y[rows],
            batch_size=self.batch_size,
            epochs=epochs,
            shuffle=bool(self.options.get("as_written")),  # fit()'s default, as the reference calls it
            verbose=0,
            callbacks=[self.clock.callback],
        )

    def infer(self, rows: int) -> float:
        batch = self.x[:rows]
        start = time.perf_counter()
        np.asarray(self.model.predict_on_batch(batch))  # a host copy: the device has finished
        return time.perf_counter() - start

    def device_peak_mb(self) -> float | None:
        return gpu_peak_mb(self.backend, self.used)


def measure(model_name: str, case: str, settings: dict[str, Any], variant: dict[str, Any]) -> dict[str, Any]:
    from probes.keras import reference as ref

    options = variant["options"]
    try:
        if case == ACCURACY_CASE:
            if options.get("mixed_precision"):  # the accuracy check in the same mode: the reference's main under it
                import keras

                mixed_policy(keras.backend.backend(), PROBE.device_info(settings["device"])["used"])
            return check_accuracy(ref.main, model_name, settings)
        session = KerasSession(model_name, settings, options)
    except MixedPrecisionUnsupported as why:
        return {"status": "skipped", "reason": str(why)}
    measured = measure_training(session, model_name, settings)
    measured["samples"]["build_s"] = [session.build_s]
    measured["samples"]["epoch_start_s"] = [session.epoch_start_s]
    if not session.peak_is_this_models:
        measured["facts"]["gpu_peak_since_process_start"] = True  # the worker keeps it for the first model only
    measured["facts"].update(params=session.params, device=session.used, **session_facts(session))
    return measured


def session_facts(session: KerasSession) -> dict[str, Any]:
    """How fit() ran: compile mode, precision, what it timed, and each of the experts' settings by name."""
    model, policy = session.model, session.policy
    facts: dict[str, Any] = {
        "compile_mode": session.compile_mode + (f", {policy} policy" if policy else ""),
        "jit_compile": bool(model.jit_compile),
        "precision": f"mixed: the {policy} dtype policy" if policy else precision(session.backend, session.used),
        "host_to_device": "NumPy arrays handed to fit() and predict_on_batch(), copied by Keras inside the clock",
        "optimizer": "keras.optimizers.Adam",
        "steps_per_execution": int(model.steps_per_execution),
    }
    if session.options.get("as_written"):
        facts.update(timed_work=AS_WRITTEN, input_pipeline="fit() on NumPy arrays, with the accuracy metric")
    else:
        facts.update(timed_work=STEP_ONLY, input_pipeline="fit() on NumPy arrays, no metric (Keras slices each batch)")
    if session.backend == "tensorflow":
        from probes.common.tensorflow_runtime import onednn_on

        facts["onednn"] = onednn_on()
    return facts
