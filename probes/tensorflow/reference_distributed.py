"""Low-level TensorFlow reference, data-parallel: reference.py's model and GradientTape step on several
processes with tf.distribute.MultiWorkerMirroredStrategy, as TensorFlow's custom-training-loop guide writes it.

Started the way that guide starts it: TF_CONFIG in each process's environment names every worker. The model
and optimiser are built in the strategy's scope (their variables are mirrored on every worker); each worker's
step computes its gradients on its share of the batch with the loss averaged over the global batch, and the
Keras optimizer sums them across workers as it applies them.
"""

import tensorflow as tf

from probes.tensorflow.reference import build_model, evaluate, make_dataset


def make_distributed_step(strategy, model, optimizer):
    def replica_step(inputs, labels):
        with tf.GradientTape() as tape:
            logits = model(inputs, training=True)
            per_example = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
            loss = tf.nn.compute_average_loss(per_example)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    @tf.function
    def train_step(inputs, labels):
        loss = strategy.run(replica_step, args=(inputs, labels))
        return strategy.reduce("sum", loss, axis=None)

    return train_step


def main(name="cnn", epochs=5, batch_size=64, seed=0):
    from probes.specs import digits_split

    tf.random.set_seed(seed)
    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    x_train, y_train, x_test, y_test = digits_split(name)
    global_batch = batch_size * strategy.num_replicas_in_sync
    with strategy.scope():
        model = build_model(name)
        optimizer = tf.keras.optimizers.Adam(learning_rate=3e-3)
    train_step = make_distributed_step(strategy, model, optimizer)
    for _ in range(epochs):
        dataset = strategy.experimental_distribute_dataset(make_dataset(x_train, y_train, global_batch))
        for inputs, labels in dataset:
            train_step(inputs, labels)
    accuracy = evaluate(model, make_dataset(x_test, y_test, batch_size, False))
    print(f"test accuracy: {accuracy:.3f}")
    return accuracy


if __name__ == "__main__":
    main()
