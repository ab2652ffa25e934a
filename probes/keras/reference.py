"""Keras 3 reference: the MLP, the small CNN, an LSTM and a transformer encoder, compiled, fitted, evaluated.

The same code runs on every Keras backend (TensorFlow, PyTorch, JAX): KERAS_BACKEND picks one.
The transformer follows keras.io's "Text classification with Transformer" example.
"""

import keras
from keras import layers, ops


class TokenAndPositionEmbedding(layers.Layer):
    def __init__(self, max_len, vocab_size, embed_dim):
        super().__init__()
        self.token_emb = layers.Embedding(input_dim=vocab_size, output_dim=embed_dim)
        self.pos_emb = layers.Embedding(input_dim=max_len, output_dim=embed_dim)

    def call(self, x):
        positions = ops.arange(0, ops.shape(x)[-1], 1)
        return self.token_emb(x) + self.pos_emb(positions)


class TransformerBlock(layers.Layer):
    def __init__(self, embed_dim, num_heads, ff_dim):
        super().__init__()
        self.att = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim // num_heads)
        self.ffn = keras.Sequential([layers.Dense(ff_dim, activation="relu"), layers.Dense(embed_dim)])
        self.layernorm1 = layers.LayerNormalization(epsilon=1e-5)
        self.layernorm2 = layers.LayerNormalization(epsilon=1e-5)

    def call(self, inputs):
        out1 = self.layernorm1(inputs + self.att(inputs, inputs))
        return self.layernorm2(out1 + self.ffn(out1))


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
    return keras.Sequential([
        keras.Input(shape=(32, 32, 3)),
        layers.Conv2D(32, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(16, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(10),
    ])


def compile_model(model):
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=3e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )


def main(name="cnn", epochs=5, batch_size=64, seed=0):
    from probes.specs import digits_split

    keras.utils.set_random_seed(seed)
    x_train, y_train, x_test, y_test = digits_split(name)
    model = build_model(name)
    compile_model(model)
    model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, verbose=0)
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"test accuracy: {accuracy:.3f}")
    return accuracy


if __name__ == "__main__":
    main()
