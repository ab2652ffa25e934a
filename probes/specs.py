"""Reference models, specified once, and the data they train on.

Two sets of models, for two regimes. The overhead probes (the MLP, the small CNN, the LSTM of width
64, the transformer of width 32) are so small that their steps are mostly framework overhead:
start-up, dispatch, the optimiser's loop over parameters. The realistic workloads (a ResNet-style CNN,
a BERT-tiny-sized encoder, an LSTM of width 256) have the shapes users train, sized so one training
step takes tens to a few hundred milliseconds on a 2-core CPU: their time goes to the vendor kernels
(oneDNN, cuDNN) that every framework calls, so they show what remains of a framework's difference
once the model is the user's size.

Each framework's reference code implements these specs in its own idiom; the data is generated
here with numpy from a fixed seed, so every framework trains on the same numbers. Nothing is
downloaded: generated data, or scikit-learn's bundled digits for the accuracy check.

FLOPs are counted here, analytically, once per model (tests cross-check every model but the LSTMs
against torch.utils.flop_counter, which has no formula for the fused LSTM, and the LSTMs against
their parameter count), so every framework's throughput converts to FLOP/s the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

N_CLASSES = 10
SEQUENCE_LENGTH = 64  # token models read 64 tokens: a digit's 64 pixels, row by row
ENCODER_SEQUENCE_LENGTH = 128  # BERT's usual fine-tuning length: a digit's pixels, each read twice
VOCABULARY = 17  # grey levels 0..16 of scikit-learn's digits
LEARNING_RATE = 3e-3  # Adam, every model and framework but where a model says otherwise (the references spell it out)


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
    realistic: bool = False  # a realistic workload (kernel time), not an overhead probe (framework time)
    learning_rate: float = LEARNING_RATE  # Adam's, in the accuracy check and the timed steps

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
        # The realistic workloads. The encoder keeps the digits' 17-token vocabulary, so its time is the
        # encoder stack's: BERT's 30,522-token embedding would add a memory-bound update of 3.9 M rows
        # that no vendor kernel speeds up, and a labelling table too large to generate here.
        ModelSpec(
            "resnet",
            "ResNet-style CNN",
            (32, 32, 3),
            "32x32x3 -> Conv 32 3x3, batch norm, ReLU -> three residual blocks (two Conv 3x3 with batch norm;"
            " widths 32, 64, 128, the last two at stride 2 with a 1x1 projection shortcut) -> global average"
            " pool -> Dense 10",
            digits_epochs=3,
            learned_accuracy=0.7,
            data_kinds=("images",),
            realistic=True,
        ),
        ModelSpec(
            "encoder",
            "BERT-tiny-sized encoder",
            (ENCODER_SEQUENCE_LENGTH,),
            "128 tokens (vocabulary 17) -> Embedding 128 + learned positions -> 2 encoder layers (self-attention,"
            " 2 heads of 64, residual, LayerNorm -> feed-forward 512 GELU -> 128, residual, LayerNorm; BERT-tiny's"
            " shape, no dropout) -> mean over tokens -> Dense 10",
            vocabulary=VOCABULARY,
            digits_epochs=4,
            learned_accuracy=0.35,
            data_kinds=("text", "sequences"),
            realistic=True,
            # A post-LayerNorm encoder of this width diverges at 3e-3 without warm-up (BERT trains at 1e-4
            # with one): at 5e-4 it learns digits in four epochs in every framework.
            learning_rate=5e-4,
        ),
        ModelSpec(
            "lstm256",
            "LSTM of width 256",
            (SEQUENCE_LENGTH,),
            "64 tokens (vocabulary 17) -> Embedding 64 -> LSTM 256, last state -> Dense 10",
            vocabulary=VOCABULARY,
            digits_epochs=4,
            learned_accuracy=0.35,
            data_kinds=("sequences", "text"),
            realistic=True,
        ),
    )
}
OVERHEAD_MODELS = tuple(name for name, spec in MODELS.items() if not spec.realistic)
REALISTIC_MODELS = tuple(name for name, spec in MODELS.items() if spec.realistic)


def workloads_like(data_kind: str | None, realistic: bool = True) -> tuple[str, ...]:
    """The realistic workloads (or overhead probes) that stand for `data_kind` (the questionnaire's), the
    closest first: the ResNet-style CNN for images, the encoder (then the LSTM) for text, the LSTM (then
    the encoder) for sequences, every one for mixed data; no realistic workload for tables."""
    names = REALISTIC_MODELS if realistic else OVERHEAD_MODELS
    if data_kind == "mixed":
        return names
    matching = [name for name in names if data_kind in MODELS[name].data_kinds]
    return tuple(sorted(matching, key=lambda name: MODELS[name].data_kinds.index(data_kind)))


# --- FLOPs: a multiply-add counts 2, only matrix products and convolutions count (the convention
# torch.utils.flop_counter follows); embeddings, activations, pooling and norms count 0.


@dataclass(frozen=True)
class Layer:
    forward_flops: int  # per sample
    input_needs_grad: bool = True  # False for a layer fed the data itself: no input gradient


def _conv(size: int, c_in: int, c_out: int, out_side: int, reads_data: bool = False) -> Layer:
    """A convolution's multiply-adds over its output grid (a `size`x`size` kernel, square outputs)."""
    return Layer(2 * out_side * out_side * c_out * size * size * c_in, not reads_data)


def _lstm(t: int, d: int, hidden: int) -> list[Layer]:
    """An LSTM's input and recurrent projections of the four gates, at every one of `t` steps."""
    return [Layer(2 * t * 4 * hidden * d), Layer(2 * t * 4 * hidden * hidden)]


def _encoder_layer(t: int, d: int, heads: int, ff: int) -> list[Layer]:
    head = d // heads
    return [
        Layer(2 * t * d * 3 * d),  # query, key and value projections
        Layer(2 * heads * t * t * head),  # scores
        Layer(2 * heads * t * t * head),  # weighted values
        Layer(2 * t * d * d),  # output projection
        Layer(2 * t * d * ff + 2 * t * ff * d),  # feed-forward
    ]


def _resnet(widths: tuple[int, ...] = (32, 64, 128), side: int = 32) -> list[Layer]:
    layers = [_conv(3, 3, widths[0], side, reads_data=True)]
    c_in = widths[0]
    for i, width in enumerate(widths):
        side //= 1 if i == 0 else 2
        layers += [_conv(3, c_in, width, side), _conv(3, width, width, side)]
        if width != c_in:
            layers.append(_conv(1, c_in, width, side))  # the projection shortcut
        c_in = width
    return [*layers, Layer(2 * c_in * 10)]


def _layers(model: str) -> list[Layer]:
    t, d, heads, ff, hidden = SEQUENCE_LENGTH, 32, 2, 64, 64
    if model == "resnet":
        return _resnet()
    if model == "encoder":
        return [*_encoder_layer(ENCODER_SEQUENCE_LENGTH, 128, 2, 512) * 2, Layer(2 * 128 * 10)]
    if model == "lstm256":
        return [*_lstm(t, 64, 256), Layer(2 * 256 * 10)]
    if model == "mlp":
        return [Layer(2 * 64 * 128, False), Layer(2 * 128 * 64), Layer(2 * 64 * 10)]
    if model == "cnn":
        return [_conv(3, 3, 32, 30, reads_data=True), _conv(3, 32, 16, 13), Layer(2 * 6 * 6 * 16 * 10)]
    if model == "rnn":
        return [*_lstm(t, d, hidden), Layer(2 * hidden * 10)]
    if model == "transformer":
        return [*_encoder_layer(t, d, heads, ff), Layer(2 * d * 10)]
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

    The MLP takes the 64 pixels as features; the CNNs take each image enlarged to 32x32 with the
    grey level repeated on three channels, the input shape of the seed article's CNN; the token models
    read the 64 grey levels (integers 0..16) as tokens, row by row, the encoder each one twice (128).
    """
    from sklearn.datasets import load_digits

    spec = MODELS[model]
    digits = load_digits()
    y = digits.target.astype(np.int64)
    if spec.tokens:
        x = digits.data.astype(np.int64)
    else:
        x = (digits.data / 16.0).astype(np.float32)
    if spec.tokens and spec.input_shape[0] > x.shape[1]:
        x = np.repeat(x, spec.input_shape[0] // x.shape[1], axis=1)
    if spec.input_shape == (32, 32, 3):
        images = x.reshape(-1, 8, 8)
        images = np.kron(images, np.ones((4, 4), dtype=np.float32))
        x = np.repeat(images[..., None], 3, axis=-1)
    order = np.random.default_rng(seed).permutation(len(x))
    n_test = int(len(x) * test_fraction)
    test, train = order[:n_test], order[n_test:]
    return x[train], y[train], x[test], y[test]
