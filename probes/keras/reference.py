"""Keras 3 reference: the overhead probes (an MLP, a small CNN, an LSTM and a transformer encoder) and the
realistic workloads (a ResNet-style CNN, a BERT-tiny-sized encoder, an LSTM of width 256), compiled, fitted,
evaluated.

The same code runs on every Keras backend (TensorFlow, PyTorch, JAX): KERAS_BACKEND picks one.
The transformer blocks follow keras.io's "Text classification with Transformer" example; the ResNet
is written with the functional API, as keras.io's ResNet examples write residual connections.
"""

import keras
from keras import layers, ops


# Registered, with the arguments get_config() returns, so that a saved .keras file can rebuild them:
# Keras's serialization guide asks both of every custom layer.
@keras.saving.register_keras_serializable(package="reference")
class TokenAndPositionEmbedding(layers.Layer):
    def __init__(self, max_len, vocab_size, embed_dim, **kwargs):
        super().__init__(**kwargs)
        self.config = {"max_len": max_len, "vocab_size": vocab_size, "embed_dim": embed_dim}
        self.token_emb = layers.Embedding(input_dim=vocab_size, output_dim=embed_dim)
        self.pos_emb = layers.Embedding(input_dim=max_len, output_dim=embed_dim)

    def call(self, x):
        positions = ops.arange(0, ops.shape(x)[-1], 1)
        return self.token_emb(x) + self.pos_emb(positions)

    def get_config(self):
        return {**super().get_config(), **self.config}


@keras.saving.register_keras_serializable(package="reference")
class TransformerBlock(layers.Layer):
    def __init__(self, embed_dim, num_heads, ff_dim, activation="relu", **kwargs):
        super().__init__(**kwargs)
        self.config = {"embed_dim": embed_dim, "num_heads": num_heads, "ff_dim": ff_dim, "activation": activation}
        self.att = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim // num_heads)
        self.ffn = keras.Sequential([layers.Dense(ff_dim, activation=activation), layers.Dense(embed_dim)])
        self.layernorm1 = layers.LayerNormalization(epsilon=1e-5)
        self.layernorm2 = layers.LayerNormalization(epsilon=1e-5)

    def call(self, inputs):
        out1 = self.layernorm1(inputs + self.att(inputs, inputs))
        return self.layernorm2(out1 + self.ffn(out1))

    def get_config(self):
        return {**super().get_config(), **self.config}


def conv_bn(x, width, size=3, stride=1):
    """A convolution and its batch norm, at PyTorch's momentum and epsilon so every framework trains one model."""
    x = layers.Conv2D(width, size, strides=stride, padding="same", use_bias=False)(x)
    return layers.BatchNormalization(momentum=0.9, epsilon=1e-5)(x)


def residual_block(x, width, stride):
    """ResNet's basic block: two 3x3 convolutions with batch norm, and a 1x1 projection where the shape changes."""
    shortcut = x
    x = layers.Activation("relu")(conv_bn(x, width, stride=stride))
    x = conv_bn(x, width)
    if stride != 1 or shortcut.shape[-1] != width:
        shortcut = conv_bn(shortcut, width, size=1, stride=stride)
    return layers.Activation("relu")(layers.add([x, shortcut]))


def resnet(widths=(32, 64, 128)):
    inputs = keras.Input(shape=(32, 32, 3))
    x = layers.Activation("relu")(conv_bn(inputs, widths[0]))
    for i, width in enumerate(widths):
        x = residual_block(x, width, stride=1 if i == 0 else 2)
    x = layers.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, layers.Dense(10)(x))


def build_model(name):
    if name == "mlp":
        return keras.Sequential([
            keras.Input(shape=(64,)),
            layers.Dense(128, activation="relu"),
            layers.Dense(64, activation="relu"),
            layers.Dense(10),
        ])
    if name == "rnn":
        return keras.Sequential([
            keras.Input(shape=(64,), dtype="int32"),
            layers.Embedding(17, 32),
            layers.LSTM(64),
            layers.Dense(10),
        ])
    if name == "transformer":
        return keras.Sequential([
            keras.Input(shape=(64,), dtype="int32"),
            TokenAndPositionEmbedding(64, 17, 32),
            TransformerBlock(32, 2, 64),
            layers.GlobalAveragePooling1D(),
            layers.Dense(10),
        ])
    if name == "resnet":
        return resnet()
    if name == "encoder":
        return keras.Sequential([
            keras.Input(shape=(128,), dtype="int32"),
            TokenAndPositionEmbedding(128, 17, 128),
            TransformerBlock(128, 2, 512, activation="gelu"),
            TransformerBlock(128, 2, 512, activation="gelu"),
            layers.GlobalAveragePooling1D(),
            layers.Dense(10),
        ])
    if name == "lstm256":
        return keras.Sequential([
            keras.Input(shape=(64,), dtype="int32"),
            layers.Embedding(17, 64),
            layers.LSTM(256),
            layers.Dense(10),
        ])
    return keras.Sequential([
        keras.Input(shape=(32, 32, 3)),
        layers.Conv2D(32, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(16, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(10),
    ])


def compile_model(model, learning_rate=3e-3):
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )


def main(name="cnn", epochs=5, batch_size=64, seed=0, learning_rate=3e-3):
    from probes.specs import digits_split

    keras.utils.set_random_seed(seed)
    x_train, y_train, x_test, y_test = digits_split(name)
    model = build_model(name)
    compile_model(model, learning_rate)
    model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, verbose=0)
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"test accuracy: {accuracy:.3f}")
    return accuracy


if __name__ == "__main__":
    main()
