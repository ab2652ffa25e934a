"""Keras 3 reference: the MLP and the small CNN as Sequential models, compiled, fitted, evaluated.

The same code runs on every Keras backend (TensorFlow, PyTorch, JAX): KERAS_BACKEND picks one.
"""

import keras
from keras import layers


def build_model(name):
    if name == "mlp":
        return keras.Sequential([
            keras.Input(shape=(64,)),
            layers.Dense(128, activation="relu"),
            layers.Dense(64, activation="relu"),
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
        optimizer=keras.optimizers.Adam(learning_rate=1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )


def main(name="cnn", epochs=5, batch_size=64):
    from probes.specs import digits_split

    x_train, y_train, x_test, y_test = digits_split(name)
    model = build_model(name)
    compile_model(model)
    model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, verbose=0)
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"test accuracy: {accuracy:.3f}")


if __name__ == "__main__":
    main()
