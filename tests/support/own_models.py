"""Small user models the tests write into a folder of their own: no download, each a few kilobytes.

- `keras_with_custom_layer`: a Keras functional model with a registered custom layer (its .py file
  beside the .keras file, as a user keeps it), saved by a child process on the TensorFlow backend;
- `keras_with_lambda`: the same shape with a Lambda layer, which safe mode refuses;
- `torch_with_dynamic_branch`: an nn.Module whose forward branches on the data (Python control flow
  on a tensor's value), which trains eagerly but which torch.export cannot trace;
- `torch_module_file`: any module source written as FILE.py with a `build` function;
- `torch_convolutional`: a module starting with a convolution, whose input shape --model-input must give;
- broken files: a .keras that is not a zip, a .py that raises on import or imports a missing package.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from probes.children import probe_env

CUSTOM_LAYER = '''
import keras


@keras.saving.register_keras_serializable(package="mine")
class Scale(keras.layers.Layer):
    """Multiplies each feature by a learned factor: a layer Keras does not ship."""

    def build(self, shape):
        self.factor = self.add_weight(shape=(shape[-1],), initializer="ones", name="factor")

    def call(self, x):
        return x * self.factor
'''

SAVE_CUSTOM = """
import sys
import keras
sys.path.insert(0, sys.argv[2])
from my_layers import Scale

inputs = keras.Input((12,))
hidden = keras.layers.Dense(16, activation="relu")(Scale()(inputs))
outputs = keras.layers.Dense(4)(hidden)
keras.Model(inputs, outputs).save(sys.argv[1])
"""

SAVE_LAMBDA = """
import sys
import keras

inputs = keras.Input((12,))
doubled = keras.layers.Lambda(lambda t: t * 2.0)(inputs)
keras.Model(inputs, keras.layers.Dense(4)(doubled)).save(sys.argv[1])
"""

DYNAMIC_BRANCH = '''
import torch
from torch import nn


class Gated(nn.Module):
    """Takes a second layer only when the batch's mean activation is positive: data-dependent control flow."""

    def __init__(self):
        super().__init__()
        self.first = nn.Linear(10, 16)
        self.second = nn.Linear(16, 16)
        self.head = nn.Linear(16, 3)

    def forward(self, x):
        h = torch.relu(self.first(x))
        if h.mean() > 0:
            h = torch.relu(self.second(h))
        return self.head(h)


def build():
    return Gated()
'''


def _save(script: str, target: Path, *args: str) -> Path:
    """Run a saving script in a child on Keras's TensorFlow backend (the test process imports no framework)."""
    env = probe_env(1, {"KERAS_BACKEND": "tensorflow", "CUDA_VISIBLE_DEVICES": ""})
    done = subprocess.run(
        [sys.executable, "-c", script, str(target), *args], env=env, capture_output=True, text=True, timeout=300
    )
    if done.returncode != 0:
        raise AssertionError(f"could not save {target.name}:\n{done.stderr[-2000:]}")
    return target


def keras_with_custom_layer(folder: Path) -> tuple[Path, Path]:
    """(model.keras, my_layers.py): the model and the file that registers its custom layer."""
    layers = folder / "my_layers.py"
    layers.write_text(CUSTOM_LAYER)
    return _save(SAVE_CUSTOM, folder / "custom.keras", str(folder)), layers


def keras_with_lambda(folder: Path) -> Path:
    return _save(SAVE_LAMBDA, folder / "lambda.keras")


def torch_module_file(folder: Path, source: str, name: str = "net.py") -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(source))
    return path


def torch_with_dynamic_branch(folder: Path) -> Path:
    return torch_module_file(folder, DYNAMIC_BRANCH, "gated.py")


CONVOLUTIONAL = """
from torch import nn


def build():
    return nn.Sequential(nn.Conv2d(3, 8, 3), nn.Flatten(), nn.LazyLinear(4))
"""


def torch_convolutional(folder: Path) -> Path:
    """A module whose first layer is a convolution (and whose last is lazy): its input shape cannot be read."""
    return torch_module_file(folder, CONVOLUTIONAL, "conv.py")


def broken_keras_file(folder: Path) -> Path:
    path = folder / "broken.keras"
    path.write_text("not a zip archive")
    return path


def raises_on_import(folder: Path) -> Path:
    return torch_module_file(folder, "raise RuntimeError('the config server is down')\n", "raises.py")


def needs_missing_package(folder: Path) -> Path:
    return torch_module_file(folder, "import surely_not_installed_anywhere\n", "needs.py")
