"""Low-level TensorFlow reference: variables, tf.nn operations and a GradientTape loop in tf.function.

The MLP and the CNN use no Keras layers: this is what TensorFlow asks of a user who writes the model
by hand. The LSTMs, the transformers and the ResNet are built from tf.keras layers, as TensorFlow's
own tutorials build them (an LSTM cell or a batch norm written by hand is no one's idiom); what makes
this variant low-level for every model is the training loop: a GradientTape step compiled with
tf.function that applies a tf.keras optimizer, as TensorFlow's "custom training" guides write it,
with no compile() and no fit().
"""

import tensorflow as tf


def dense(n_in, n_out):
    init = tf.initializers.GlorotUniform()
    return tf.Variable(init([n_in, n_out])), tf.Variable(tf.zeros([n_out]))


def conv(size, c_in, c_out):
    init = tf.initializers.GlorotUniform()
    return tf.Variable(init([size, size, c_in, c_out])), tf.Variable(tf.zeros([c_out]))


class MLP(tf.Module):
    def __init__(self):
        super().__init__()
        self.w1, self.b1 = dense(64, 128)
        self.w2, self.b2 = dense(128, 64)
        self.w3, self.b3 = dense(64, 10)

    def __call__(self, x, training=False):
        x = tf.nn.relu(x @ self.w1 + self.b1)
        x = tf.nn.relu(x @ self.w2 + self.b2)
        return x @ self.w3 + self.b3


class CNN(tf.Module):
    def __init__(self):
        super().__init__()
        self.k1, self.c1 = conv(3, 3, 32)
        self.k2, self.c2 = conv(3, 32, 16)
        self.w, self.b = dense(16 * 6 * 6, 10)

    def __call__(self, x, training=False):
        x = tf.nn.relu(tf.nn.conv2d(x, self.k1, 1, "VALID") + self.c1)
        x = tf.nn.max_pool2d(x, 2, 2, "VALID")
        x = tf.nn.relu(tf.nn.conv2d(x, self.k2, 1, "VALID") + self.c2)
        x = tf.nn.max_pool2d(x, 2, 2, "VALID")
        x = tf.reshape(x, [-1, 16 * 6 * 6])
        return x @ self.w + self.b


class RNN(tf.keras.Model):
    def __init__(self, vocab_size=17, embed_dim=32, hidden_size=64):
        super().__init__()
        self.embedding = tf.keras.layers.Embedding(vocab_size, embed_dim)
        self.lstm = tf.keras.layers.LSTM(hidden_size)
        self.dense = tf.keras.layers.Dense(10)

    def call(self, tokens):
        return self.dense(self.lstm(self.embedding(tokens)))


class EncoderBlock(tf.keras.layers.Layer):
    def __init__(self, embed_dim, num_heads, ff_dim, activation="relu"):
        super().__init__()
        self.attention = tf.keras.layers.MultiHeadAttention(num_heads, embed_dim // num_heads)
        self.ffn = tf.keras.Sequential([
            tf.keras.layers.Dense(ff_dim, activation=activation),
            tf.keras.layers.Dense(embed_dim),
        ])
        self.norm1 = tf.keras.layers.LayerNormalization(epsilon=1e-5)
        self.norm2 = tf.keras.layers.LayerNormalization(epsilon=1e-5)

    def call(self, x):
        x = self.norm1(x + self.attention(x, x))
        return self.norm2(x + self.ffn(x))


class Transformer(tf.keras.Model):
    def __init__(
        self, vocab_size=17, max_len=64, embed_dim=32, num_heads=2, ff_dim=64, num_layers=1, activation="relu"
    ):
        super().__init__()
        self.token_emb = tf.keras.layers.Embedding(vocab_size, embed_dim)
        self.pos_emb = tf.keras.layers.Embedding(max_len, embed_dim)
        self.blocks = [EncoderBlock(embed_dim, num_heads, ff_dim, activation) for _ in range(num_layers)]
        self.dense = tf.keras.layers.Dense(10)

    def call(self, tokens):
        x = self.token_emb(tokens) + self.pos_emb(tf.range(tf.shape(tokens)[1]))
        for block in self.blocks:
            x = block(x)
        return self.dense(tf.reduce_mean(x, axis=1))


def batch_norm():
    """Keras's batch norm at PyTorch's momentum and epsilon, so every framework trains the same model."""
    return tf.keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-5)


class ResidualBlock(tf.keras.layers.Layer):
    """ResNet's basic block, as TensorFlow's "Custom layers" guide writes one: Keras layers, training passed on."""

    def __init__(self, width, stride=1, project=False):
        super().__init__()
        self.conv1 = tf.keras.layers.Conv2D(width, 3, stride, padding="same", use_bias=False)
        self.bn1 = batch_norm()
        self.conv2 = tf.keras.layers.Conv2D(width, 3, padding="same", use_bias=False)
        self.bn2 = batch_norm()
        self.shortcut = None
        if project:
            self.shortcut = tf.keras.Sequential([
                tf.keras.layers.Conv2D(width, 1, stride, use_bias=False),
                batch_norm(),
            ])

    def call(self, x, training=False):
        out = tf.nn.relu(self.bn1(self.conv1(x), training=training))
        out = self.bn2(self.conv2(out), training=training)
        shortcut = x if self.shortcut is None else self.shortcut(x, training=training)
        return tf.nn.relu(out + shortcut)


class ResNet(tf.keras.Model):
    def __init__(self, widths=(32, 64, 128)):
        super().__init__()
        self.stem = tf.keras.layers.Conv2D(widths[0], 3, padding="same", use_bias=False)
        self.bn = batch_norm()
        self.blocks = [ResidualBlock(widths[0])] + [ResidualBlock(w, 2, project=True) for w in widths[1:]]
        self.dense = tf.keras.layers.Dense(10)

    def call(self, images, training=False):
        x = tf.nn.relu(self.bn(self.stem(images), training=training))
        for block in self.blocks:
            x = block(x, training=training)
        return self.dense(tf.reduce_mean(x, axis=[1, 2]))


def build_model(name):
    if name == "resnet":
        model = ResNet()
        model(tf.zeros([1, 32, 32, 3]))  # a Keras model makes its variables on its first call
        return model
    if name == "encoder":
        model = Transformer(max_len=128, embed_dim=128, num_heads=2, ff_dim=512, num_layers=2, activation="gelu")
        model(tf.zeros([1, 128], tf.int32))
        return model
    if name == "lstm256":
        model = RNN(embed_dim=64, hidden_size=256)
        model(tf.zeros([1, 64], tf.int32))
        return model
    model = {"mlp": MLP, "cnn": CNN, "rnn": RNN, "transformer": Transformer}[name]()
    if isinstance(model, tf.keras.Model):
        model(tf.zeros([1, 64], tf.int32))  # a Keras model makes its variables on its first call
    return model


def make_train_step(model, optimizer, jit_compile=False):
    @tf.function(jit_compile=jit_compile)
    def train_step(inputs, labels):
        with tf.GradientTape() as tape:
            logits = model(inputs, training=True)
            loss = tf.reduce_mean(
                tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
            )
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    return train_step


def make_dataset(x, y, batch_size, shuffle=True):
    dataset = tf.data.Dataset.from_tensor_slices((x, y))
    if shuffle:
        dataset = dataset.shuffle(len(x))
    return dataset.batch(batch_size)


def evaluate(model, dataset):
    correct, total = 0, 0
    for inputs, labels in dataset:
        predicted = tf.argmax(model(inputs), axis=1, output_type=labels.dtype)
        correct += int(tf.reduce_sum(tf.cast(predicted == labels, tf.int32)))
        total += int(labels.shape[0])
    return correct / total


def main(name="cnn", epochs=5, batch_size=64, seed=0, learning_rate=3e-3):
    from probes.specs import digits_split

    tf.random.set_seed(seed)
    x_train, y_train, x_test, y_test = digits_split(name)
    model = build_model(name)
    optimizer = tf.keras.optimizers.Adam(learning_rate=learning_rate)
    train_step = make_train_step(model, optimizer)
    for _ in range(epochs):
        for inputs, labels in make_dataset(x_train, y_train, batch_size):
            train_step(inputs, labels)
    accuracy = evaluate(model, make_dataset(x_test, y_test, batch_size, False))
    print(f"test accuracy: {accuracy:.3f}")
    return accuracy


if __name__ == "__main__":
    main()
