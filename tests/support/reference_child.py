"""One framework's reference models, in a child: their trainable weights, or their losses on one batch.

    python -m tests.support.reference_child FRAMEWORK params MODEL [MODEL ...]   {model: trainable weights}
    python -m tests.support.reference_child FRAMEWORK losses MODEL STEPS         [loss after each step]

Each framework trains with its reference's own step (PyTorch's train_epoch, TensorFlow's make_train_step,
Keras's compile_model and fit), so a model that cannot fit one batch in a few steps fails here in seconds,
long before the probe's accuracy check on the whole digits set would say it. KERAS_BACKEND picks Keras's
backend, as in a probe child.
"""

from __future__ import annotations

import importlib
import json
import math
import sys

from probes.specs import MODELS, digits_split


def losses(framework: str, model_name: str, steps: int) -> list[float]:
    x, y, _, _ = digits_split(model_name)
    x, y = x[:64], y[:64]
    rate = MODELS[model_name].learning_rate  # the model's own, as the probes train it (the encoder's is lower)
    ref = importlib.import_module(f"probes.{framework}.reference")
    if framework == "pytorch":
        import torch

        torch.manual_seed(0)
        model = ref.build_model(model_name)
        optimizer = torch.optim.Adam(model.parameters(), lr=rate)
        batch = ref.to_tensors(x, y)
        return [ref.train_epoch(model, [batch], optimizer, torch.nn.CrossEntropyLoss(), "cpu") for _ in range(steps)]
    if framework == "tensorflow":
        import tensorflow as tf

        tf.random.set_seed(0)
        model = ref.build_model(model_name)
        step = ref.make_train_step(model, tf.keras.optimizers.Adam(learning_rate=rate))
        return [float(step(tf.constant(x), tf.constant(y))) for _ in range(steps)]
    import keras

    keras.utils.set_random_seed(0)
    model = ref.build_model(model_name)
    ref.compile_model(model, rate)
    return list(model.fit(x, y, batch_size=len(x), epochs=steps, verbose=0).history["loss"])


def trainable_weights(framework: str, model_name: str) -> int:
    ref = importlib.import_module(f"probes.{framework}.reference")
    model = ref.build_model(model_name)
    if framework == "pytorch":
        return sum(p.numel() for p in model.parameters() if p.requires_grad)
    return int(sum(math.prod(v.shape) for v in model.trainable_variables))


if __name__ == "__main__":
    framework, command, *args = sys.argv[1:]
    if command == "params":
        print(json.dumps({model: trainable_weights(framework, model) for model in args}))
    else:
        print(json.dumps(losses(framework, args[0], int(args[1]))))
