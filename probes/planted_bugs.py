"""The standard bugs the debugging probe plants in each framework's reference script.

Each bug is a few edits of the reference's own source: the anchor is the exact text of one line
(inside a named top-level definition where it could be ambiguous), so a change to a reference
that removes an anchor fails loudly ("anchor not found") instead of planting nothing. One edit
carries the planted line: the line a user would have to find and fix. Kept as code, beside the
probes that apply it, because every entry is a piece of code in that framework's idiom.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Edit:
    anchor: str  # the stripped text of exactly one line of the reference
    action: str  # replace | insert_after | insert_before
    lines: tuple[str, ...]  # new lines, indented like the anchor (relative indentation kept)
    within: str | None = None  # the top-level def or class the anchor must be inside
    planted: int | None = None  # index in `lines` of the planted line, if this edit has it


@dataclass(frozen=True)
class PlantedBug:
    id: str
    model: str
    title: str
    expect: str  # what shows the bug: error | nan | print
    edits: tuple[Edit, ...]
    shapes: tuple[tuple[str, ...], ...] = ()  # the message names the shapes if it has one of each group
    dtypes: tuple[tuple[str, ...], ...] = ()
    note: str = ""


PRINT_BUG = "print_in_forward"  # the print-and-counter case: counted, not raised
BUG_TITLES = {
    "wrong_input_size": "Wrong input size to a dense layer",
    "wrong_flatten": "Wrong flatten size in the CNN",
    "dtype_mismatch": "A float64 layer among float32 ones",
    "nan_custom_op": "A custom operation that makes NaN (log of ReLU outputs)",
    "print_in_forward": "A print and a counter inside forward() / call()",
}
INPUT_SHAPES = (("63",), ("64",))
FLATTEN_SHAPES = (("400", "16 * 5 * 5"), ("576", "6, 6, 16", "6x6x16", "(6, 6, 16)"))
DTYPES = (("float64", "double", "Double"), ("float32", "float", "Float"))
PRINT = 'print("PROBE-PRINT", tuple(x.shape))'


def _bug(bug_id: str, model: str, expect: str, *edits: Edit, **extra) -> PlantedBug:
    return PlantedBug(bug_id, model, BUG_TITLES[bug_id], expect, edits, **extra)


TORCH = (
    _bug(
        "wrong_input_size",
        "mlp",
        "error",
        Edit("self.fc1 = nn.Linear(64, 128)", "replace", ("self.fc1 = nn.Linear(63, 128)",), "MLP", 0),
        shapes=INPUT_SHAPES,
    ),
    _bug(
        "wrong_flatten",
        "cnn",
        "error",
        Edit("self.fc1 = nn.Linear(16 * 6 * 6, 10)", "replace", ("self.fc1 = nn.Linear(16 * 5 * 5, 10)",), "CNN", 0),
        shapes=FLATTEN_SHAPES,
    ),
    _bug(
        "dtype_mismatch",
        "mlp",
        "error",
        Edit(
            "self.fc1 = nn.Linear(64, 128)",
            "replace",
            ("self.fc1 = nn.Linear(64, 128, dtype=torch.float64)",),
            "MLP",
            0,
        ),
        dtypes=DTYPES,
    ),
    _bug(
        "nan_custom_op",
        "mlp",
        "nan",
        Edit("x = F.relu(self.fc1(x))", "insert_after", ("x = torch.log(x)",), "MLP", 0),
    ),
    _bug(
        "print_in_forward",
        "mlp",
        "print",
        Edit("from torch.utils.data import DataLoader, TensorDataset", "insert_after", ("", "CALLS = []")),
        Edit("x = F.relu(self.fc1(x))", "insert_before", ("CALLS.append(1)", PRINT), "MLP", 1),
    ),
)

KERAS = (
    _bug(
        "wrong_input_size",
        "mlp",
        "error",
        Edit("keras.Input(shape=(64,)),", "replace", ("keras.Input(shape=(63,)),",), "build_model", 0),
        shapes=INPUT_SHAPES,
        note="Keras layers infer their input size; the planted bug declares the wrong one in keras.Input.",
    ),
    _bug(
        "wrong_flatten",
        "cnn",
        "error",
        Edit("layers.Flatten(),", "replace", ("layers.Reshape((16 * 5 * 5,)),",), "build_model", 0),
        shapes=FLATTEN_SHAPES,
        note="Flatten() infers its size; the planted bug is a hand-written Reshape of the wrong size.",
    ),
    _bug(
        "dtype_mismatch",
        "mlp",
        "error",
        Edit(
            'layers.Dense(128, activation="relu"),',
            "replace",
            ('layers.Dense(128, activation="relu", dtype="float64"),',),
            "build_model",
            0,
        ),
        dtypes=DTYPES,
    ),
    _bug(
        "nan_custom_op",
        "mlp",
        "nan",
        Edit(
            'layers.Dense(128, activation="relu"),',
            "insert_after",
            ("layers.Lambda(keras.ops.log),",),
            "build_model",
            0,
        ),
    ),
    _bug(
        "print_in_forward",
        "mlp",
        "print",
        Edit(
            "def build_model(name):",
            "insert_before",
            (
                "CALLS = []",
                "",
                "",
                "class Inspect(layers.Layer):",
                "    def call(self, x):",
                "        CALLS.append(1)",
                "        " + PRINT,
                "        return x",
                "",
                "",
            ),
            None,
            6,
        ),
        Edit('layers.Dense(128, activation="relu"),', "insert_after", ("Inspect(),",), "build_model"),
    ),
)

TENSORFLOW = (
    _bug(
        "wrong_input_size",
        "mlp",
        "error",
        Edit("self.w1, self.b1 = dense(64, 128)", "replace", ("self.w1, self.b1 = dense(63, 128)",), "MLP", 0),
        shapes=INPUT_SHAPES,
    ),
    _bug(
        "wrong_flatten",
        "cnn",
        "error",
        Edit(
            "self.w, self.b = dense(16 * 6 * 6, 10)", "replace", ("self.w, self.b = dense(16 * 5 * 5, 10)",), "CNN", 0
        ),
        shapes=FLATTEN_SHAPES,
    ),
    _bug(
        "dtype_mismatch",
        "mlp",
        "error",
        Edit(
            "self.w1, self.b1 = dense(64, 128)",
            "insert_after",
            ("self.w1 = tf.Variable(tf.cast(self.w1, tf.float64))",),
            "MLP",
            0,
        ),
        dtypes=DTYPES,
    ),
    _bug(
        "nan_custom_op",
        "mlp",
        "nan",
        Edit("x = tf.nn.relu(x @ self.w1 + self.b1)", "insert_after", ("x = tf.math.log(x)",), "MLP", 0),
    ),
    _bug(
        "print_in_forward",
        "mlp",
        "print",
        Edit("import tensorflow as tf", "insert_after", ("", "CALLS = []")),
        Edit("x = tf.nn.relu(x @ self.w1 + self.b1)", "insert_before", ("CALLS.append(1)", PRINT), "MLP", 1),
    ),
)

BUGS = {"torch": TORCH, "keras": KERAS, "tensorflow": TENSORFLOW}
