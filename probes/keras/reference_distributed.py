"""Keras 3 reference, data-parallel on TensorFlow: reference.py's model built and compiled inside
tf.distribute.MultiWorkerMirroredStrategy's scope, then fit() as before, each process on its share.

Started as TensorFlow's multi-worker tutorial starts it: TF_CONFIG in each process's environment names
every worker and this one's index. The global batch is the per-process batch times the processes.
"""

import keras
import tensorflow as tf

from probes.keras.reference import build_model, compile_model


def main(name="cnn", epochs=5, batch_size=64, seed=0):
    from probes.specs import digits_split

    keras.utils.set_random_seed(seed)
    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    x_train, y_train, x_test, y_test = digits_split(name)
    global_batch = batch_size * strategy.num_replicas_in_sync
    with strategy.scope():
        model = build_model(name)
        compile_model(model)
    model.fit(x_train, y_train, batch_size=global_batch, epochs=epochs, verbose=0)
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"test accuracy: {accuracy:.3f}")
    return accuracy


if __name__ == "__main__":
    main()
