"""Reference models, specified once, and the data they train on.

Each framework's reference code implements these specs in its own idiom; the data is generated
here with numpy from a fixed seed, so every framework trains on the same numbers. Nothing is
downloaded: generated data, or scikit-learn's bundled digits for the accuracy check.

FLOPs are counted here, analytically, once per model (tests cross-check the MLP, CNN and transformer
against torch.utils.flop_counter, which has no formula for the fused LSTM), so every framework's
throughput converts to FLOP/s the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

N_CLASSES = 10
SEQUENCE_LENGTH = 64  # token models read 64 tokens: a digit's 64 pixels, row by row
VOCABULARY = 17  # grey levels 0..16 of scikit-learn's digits


@dataclass(frozen=True)
class ModelSpec:
    name: str
    title: str
    input_shape: tuple[int, ...]  # one sample, channels last
    description: str
    vocabulary: int = 0  # > 0: the input is integer tokens below this, not floats
    digits_epochs: int = 5  # epochs of the accuracy check on digits
    learned_accuracy: float = 0.5  # test accuracy on digits below which a model did not learn (chance: 0.1)
    data_kinds: tuple[str, ...] = ()  # the questionnaire's data kinds this model stands for

    @property
    def tokens(self) -> bool:
        return self.vocabulary > 0


MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            "mlp",
            "MLP on tabular data",
            (64,),
            "64 features -> Dense 128 ReLU -> Dense 64 ReLU -> Dense 10",
            digits_epochs=5,
            learned_accuracy=0.8,
            data_kinds=("tabular",),
        ),
        ModelSpec(
            "cnn",
            "Small CNN (seed 000)",
            (32, 32, 3),
            "32x32x3 -> Conv 32 3x3 ReLU -> MaxPool 2 -> Conv 16 3x3 ReLU -> MaxPool 2 -> Dense 10",
            digits_epochs=3,
            learned_accuracy=0.7,
            data_kinds=("images",),
        ),
        ModelSpec(
            "rnn",
            "LSTM on token sequences",
            (SEQUENCE_LENGTH,),
            "64 tokens (vocabulary 17) -> Embedding 32 -> LSTM 64, last state -> Dense 10",
            vocabulary=VOCABULARY,
            digits_epochs=6,
            learned_accuracy=0.35,
            data_kinds=("sequences", "text"),
        ),
        ModelSpec(
            "transformer",
            "Small transformer encoder",
            (SEQUENCE_LENGTH,),
            "64 tokens (vocabulary 17) -> Embedding 32 + learned positions -> self-attention, 2 heads of 16,"
            " residual, LayerNorm -> feed-forward 64 ReLU -> 32, residual, LayerNorm -> mean over tokens -> Dense 10",
            vocabulary=VOCABULARY,
            digits_epochs=6,
            learned_accuracy=0.35,
            data_kinds=("text", "sequences"),
        ),
    )
}

LEARNING_RATE = 3e-3  # Adam, every model and framework (the references spell it out)

# --- FLOPs: a multiply-add counts 2, only matrix products and convolutions count (the convention
# torch.utils.flop_counter follows); embeddings, activations, pooling and norms count 0.


@dataclass(frozen=True)
class Layer:
    forward_flops: int  # per sample
    input_needs_grad: bool = True  # False for a layer fed the data itself: no input gradient


def _layers(model: str) -> list[Layer]:
    t, d, heads, ff, hidden = SEQUENCE_LENGTH, 32, 2, 64, 64
    if model == "mlp":
        return [Layer(2 * 64 * 128, False), Layer(2 * 128 * 64), Layer(2 * 64 * 10)]
    if model == "cnn":
        return [
            Layer(2 * 30 * 30 * 32 * 3 * 3 * 3, False),
            Layer(2 * 13 * 13 * 16 * 3 * 3 * 32),
            Layer(2 * 6 * 6 * 16 * 10),
        ]
    if model == "rnn":
        # per step: input and recurrent projections of the four gates
        return [Layer(2 * t * 4 * hidden * d), Layer(2 * t * 4 * hidden * hidden), Layer(2 * hidden * 10)]
    if model == "transformer":
        head = d // heads
        return [
            Layer(2 * t * d * 3 * d),  # query, key and value projections
            Layer(2 * heads * t * t * head),  # scores
            Layer(2 * heads * t * t * head),  # weighted values
            Layer(2 * t * d * d),  # output projection
            Layer(2 * t * d * ff + 2 * t * ff * d),  # feed-forward
            Layer(2 * d * 10),
        ]
    raise KeyError(model)


def forward_flops(model: str) -> int:
    """FLOPs of one sample's forward pass."""
    return sum(layer.forward_flops for layer in _layers(model))


def train_flops(model: str) -> int:
    """FLOPs of one sample's training step: forward, plus the weight gradient and (except where the
    layer reads the data itself) the input gradient, each as costly as the forward product."""
    return sum(layer.forward_flops * (3 if layer.input_needs_grad else 2) for layer in _layers(model))


def make_data(model: str, n_samples: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Generated inputs (float32 channels last, or int64 tokens) and integer labels a model can learn."""
    spec = MODELS[model]
    rng = np.random.default_rng(seed)
    teacher_rng = np.random.default_rng(1234)
    if spec.tokens:
        x = rng.integers(0, spec.vocabulary, size=(n_samples, *spec.input_shape), dtype=np.int64)
        # Labels from a fixed random score per (position, token), summed: learnable, not noise.
        teacher = teacher_rng.standard_normal((spec.input_shape[0], spec.vocabulary, N_CLASSES))
        logits = teacher[np.arange(spec.input_shape[0]), x].sum(axis=1)
        return x, np.argmax(logits, axis=1).astype(np.int64)
    x = rng.standard_normal((n_samples, *spec.input_shape), dtype=np.float32)
    # Labels from a fixed random linear teacher, so the task is learnable, not noise.
    teacher = teacher_rng.standard_normal((int(np.prod(spec.input_shape)), N_CLASSES))
    y = np.argmax(x.reshape(n_samples, -1) @ teacher.astype(np.float32), axis=1).astype(np.int64)
    return x, y


def digits_split(
    model: str, test_fraction: float = 0.25, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """scikit-learn's bundled digits (8x8, 1,797 images), shaped for `model`, split train/test.

    The MLP takes the 64 pixels as features; the CNN takes each image enlarged to 32x32 with the
    grey level repeated on three channels, the input shape of the seed article's CNN; the RNN and
    the transformer read the 64 grey levels (integers 0..16) as tokens, row by row.
    """
    from sklearn.datasets import load_digits

    digits = load_digits()
    y = digits.target.astype(np.int64)
    if MODELS[model].tokens:
        x = digits.data.astype(np.int64)
    else:
        x = (digits.data / 16.0).astype(np.float32)
    if model == "cnn":
        images = x.reshape(-1, 8, 8)
        images = np.kron(images, np.ones((4, 4), dtype=np.float32))
        x = np.repeat(images[..., None], 3, axis=-1)
    order = np.random.default_rng(seed).permutation(len(x))
    n_test = int(len(x) * test_fraction)
    test, train = order[:n_test], order[n_test:]
    return x[train], y[train], x[test], y[test]
