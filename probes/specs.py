"""Reference models, specified once, and the data they train on.

Each framework's reference code implements these specs in its own idiom; the data is generated
here with numpy from a fixed seed, so every framework trains on the same numbers. Nothing is
downloaded: generated data, or scikit-learn's bundled digits for the accuracy check.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

N_CLASSES = 10


@dataclass(frozen=True)
class ModelSpec:
    name: str
    title: str
    input_shape: tuple[int, ...]  # one sample, channels last
    description: str


MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            "mlp",
            "MLP on tabular data",
            (64,),
            "64 features -> Dense 128 ReLU -> Dense 64 ReLU -> Dense 10",
        ),
        ModelSpec(
            "cnn",
            "Small CNN (seed 000)",
            (32, 32, 3),
            "32x32x3 -> Conv 32 3x3 ReLU -> MaxPool 2 -> Conv 16 3x3 ReLU -> MaxPool 2 -> Dense 10",
        ),
    )
}


def make_data(model: str, n_samples: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Generated inputs (float32, channels last) and integer labels a model can learn."""
    spec = MODELS[model]
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n_samples, *spec.input_shape), dtype=np.float32)
    # Labels from a fixed random linear teacher, so the task is learnable, not noise.
    teacher = np.random.default_rng(1234).standard_normal((int(np.prod(spec.input_shape)), N_CLASSES))
    y = np.argmax(x.reshape(n_samples, -1) @ teacher.astype(np.float32), axis=1).astype(np.int64)
    return x, y


def digits_split(model: str, test_fraction: float = 0.25, seed: int = 0):
    """scikit-learn's bundled digits (8x8, 1,797 images), shaped for `model`, split train/test.

    The MLP takes the 64 pixels as features; the CNN takes each image enlarged to 32x32 with the
    grey level repeated on three channels, the input shape of the seed article's CNN.
    """
    from sklearn.datasets import load_digits

    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)
    y = digits.target.astype(np.int64)
    if model == "cnn":
        images = x.reshape(-1, 8, 8)
        images = np.kron(images, np.ones((4, 4), dtype=np.float32))
        x = np.repeat(images[..., None], 3, axis=-1)
    order = np.random.default_rng(seed).permutation(len(x))
    n_test = int(len(x) * test_fraction)
    test, train = order[:n_test], order[n_test:]
    return x[train], y[train], x[test], y[test]
