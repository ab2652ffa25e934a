"""Low-level TensorFlow reference: variables, tf.nn operations and a GradientTape loop in tf.function.

The MLP and the CNN use no Keras: this is what TensorFlow asks of a user who writes the model and
the optimiser by hand. The LSTM and the transformer are built from tf.keras layers, as TensorFlow's
own tutorials build them (an LSTM cell written by hand is no one's idiom); what makes this variant
low-level for every model is the training loop: a GradientTape step compiled with tf.function and
a hand-written Adam, with no compile() and no fit().
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

    def __call__(self, x):
        x = tf.nn.relu(x @ self.w1 + self.b1)
        x = tf.nn.relu(x @ self.w2 + self.b2)
        return x @ self.w3 + self.b3


class CNN(tf.Module):
    def __init__(self):
        super().__init__()
        self.k1, self.c1 = conv(3, 3, 32)
        self.k2, self.c2 = conv(3, 32, 16)
        self.w, self.b = dense(16 * 6 * 6, 10)

    def __call__(self, x):
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


class Transformer(tf.keras.Model):
    def __init__(self, vocab_size=17, max_len=64, embed_dim=32, num_heads=2, ff_dim=64):
        super().__init__()
        self.token_emb = tf.keras.layers.Embedding(vocab_size, embed_dim)
        self.pos_emb = tf.keras.layers.Embedding(max_len, embed_dim)
        self.attention = tf.keras.layers.MultiHeadAttention(num_heads, embed_dim // num_heads)
        self.ffn = tf.keras.Sequential([
            tf.keras.layers.Dense(ff_dim, activation="relu"),
            tf.keras.layers.Dense(embed_dim),
        ])
        self.norm1 = tf.keras.layers.LayerNormalization(epsilon=1e-5)
        self.norm2 = tf.keras.layers.LayerNormalization(epsilon=1e-5)
        self.dense = tf.keras.layers.Dense(10)

    def call(self, tokens):
        x = self.token_emb(tokens) + self.pos_emb(tf.range(tf.shape(tokens)[1]))
        x = self.norm1(x + self.attention(x, x))
        x = self.norm2(x + self.ffn(x))
        return self.dense(tf.reduce_mean(x, axis=1))


def build_model(name):
    model = {"mlp": MLP, "cnn": CNN, "rnn": RNN, "transformer": Transformer}[name]()
    if isinstance(model, tf.keras.Model):
        model(tf.zeros([1, 64], tf.int32))  # a Keras model makes its variables on its first call
    return model


class Adam:
    def __init__(self, variables, lr=3e-3, beta1=0.9, beta2=0.999, eps=1e-7):
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.m = [tf.Variable(tf.zeros_like(v)) for v in variables]
        self.v = [tf.Variable(tf.zeros_like(v)) for v in variables]
        self.t = tf.Variable(0.0)

    def apply(self, grads, variables):
        self.t.assign_add(1.0)
        scale = self.lr * tf.sqrt(1 - self.beta2**self.t) / (1 - self.beta1**self.t)
        for g, var, m, v in zip(grads, variables, self.m, self.v):
            g = tf.convert_to_tensor(g)  # an embedding's gradient comes as sparse IndexedSlices
            m.assign(self.beta1 * m + (1 - self.beta1) * g)
            v.assign(self.beta2 * v + (1 - self.beta2) * g * g)
            var.assign_sub(scale * m / (tf.sqrt(v) + self.eps))


def make_train_step(model, optimizer, jit_compile=False):
    @tf.function(jit_compile=jit_compile)
    def train_step(inputs, labels):
        with tf.GradientTape() as tape:
            logits = model(inputs)
            loss = tf.reduce_mean(
                tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
            )
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply(grads, model.trainable_variables)
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


def main(name="cnn", epochs=5, batch_size=64, seed=0):
    from probes.specs import digits_split

    tf.random.set_seed(seed)
    x_train, y_train, x_test, y_test = digits_split(name)
    model = build_model(name)
    optimizer = Adam(model.trainable_variables)
    train_step = make_train_step(model, optimizer)
    for _ in range(epochs):
        for inputs, labels in make_dataset(x_train, y_train, batch_size):
            train_step(inputs, labels)
    accuracy = evaluate(model, make_dataset(x_test, y_test, batch_size, False))
    print(f"test accuracy: {accuracy:.3f}")
    return accuracy


if __name__ == "__main__":
    main()
