"""The report's debugging section: each planted bug as each framework showed it, and one sentence each."""

from __future__ import annotations

import json

from advisor.report.debugging import build_debugging_view
from advisor.runs import load_evidence, rerender
from advisor.scoring.measured import planted_cases
from probes.evidence import ProbeResult
from tests.conftest import FIXTURES
from tests.support import synthetic as s

STANDARD = FIXTURES / "run_standard" / "evidence.json"
HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>"


def debugging_view(evidence, run_dir="RUN_DIR"):
    """The section as the report builds it, from the evidence and the scorecard's planted cases."""
    return build_debugging_view(evidence, planted_cases(evidence), run_dir)


def standard():
    return debugging_view(load_evidence(STANDARD))


def cell(view, case: str, variant: str):
    row = next(r for r in view.rows if r.case == case)
    return next(c for c in row.cells if c.variant == variant)


def test_one_row_per_planted_bug_in_the_standard_order_and_a_column_group_per_variant():
    view = standard()
    assert [v.label for v in view.variants] == [
        "PyTorch",
        "Keras 3 on TensorFlow",
        "TensorFlow (low-level)",
        "Keras 3 on PyTorch",
    ]
    assert [r.case for r in view.rows] == [
        "wrong_input_size",
        "wrong_flatten",
        "dtype_mismatch",
        "nan_custom_op",
        "print_in_forward_eager",
        "print_in_forward_traced",
    ]
    assert [r.mode for r in view.rows][-2:] == ["eager", "traced / compiled"]
    assert all(len(r.cells) == 4 for r in view.rows)


def test_a_cell_says_where_the_bug_surfaced_and_whether_the_planted_line_was_named():
    torch = cell(standard(), "wrong_input_size", "PyTorch")
    assert (torch.surfaced, torch.exception) == ("first step", "RuntimeError")
    assert torch.message == ("names the shapes: yes", "frames: 2 yours, 6 framework")
    # The reference builds its layers in nn.Sequential, as PyTorch's tutorials do: the traceback's last frame
    # of the user's code is the training loop's call of the model, not the planted layer.
    assert (torch.points, torch.pointed, torch.innermost) == ("✗ no", False, "reference.py:72 in train_epoch")
    tensorflow = cell(standard(), "wrong_input_size", "TensorFlow (low-level)")
    assert (tensorflow.points, tensorflow.pointed) == ("✓ yes", True)  # its own forward holds the planted matmul
    keras = cell(standard(), "wrong_flatten", "Keras 3 on TensorFlow")
    assert (keras.surfaced, keras.points, keras.pointed) == ("build", "✗ no", False)
    assert keras.points_detail == "the statement that holds it"


def test_a_bug_that_raised_nothing_shows_no_frames_and_no_mark():
    nan = cell(standard(), "nan_custom_op", "PyTorch")
    assert (nan.surfaced, nan.exception, nan.message, nan.points, nan.pointed) == ("silent NaN", "", ("–",), "–", None)
    dtype = cell(standard(), "dtype_mismatch", "PyTorch")
    assert dtype.message[0] == "names the dtypes: yes"


def test_the_print_rows_give_the_print_count_over_the_steps_in_each_mode():
    assert cell(standard(), "print_in_forward_traced", "Keras 3 on TensorFlow").prints == "printed 2 times in 8 steps"
    assert cell(standard(), "print_in_forward_eager", "PyTorch").prints == "printed 8 times in 8 steps"


def test_each_variant_gets_one_summary_sentence_above_the_table():
    summaries = {v.label: v.summary for v in standard().variants}
    assert summaries["PyTorch"] == (
        "PyTorch pointed at the planted line in 0 of 4 bugs; 3 raised an error and 1 passed without one "
        "(NaN, or no effect seen); a print in forward ran 8 times in 8 steps eager and 8 times traced / compiled."
    )
    assert summaries["Keras 3 on TensorFlow"].startswith("Keras 3 on TensorFlow pointed at the planted line in 0 of 4")


def test_the_summary_counts_from_synthetic_evidence():
    view = debugging_view(s.full_run())
    assert view.variants[0].summary.startswith("PyTorch pointed at the planted line in 4 of 4 bugs")
    assert view.variants[1].summary.startswith("Keras 3 on TensorFlow pointed at the planted line in 0 of 4 bugs")


def test_a_bug_that_was_not_measured_says_so_with_its_reason():
    crashed = ProbeResult("torch", "mlp", "debugging", "crashed", "killed by SIGSEGV", case="dtype_mismatch")
    view = debugging_view(s.evidence(s.debugging("torch", "wrong_input_size", surfaced_at="first_step"), crashed))
    assert cell(view, "dtype_mismatch", "PyTorch").outcome == "not measured: crashed: killed by SIGSEGV"
    assert "1 not measured (crashed)" in view.variants[0].summary


def test_a_variant_missing_one_bug_gets_a_not_measured_cell():
    view = debugging_view(
        s.evidence(s.debugging("torch", "wrong_flatten"), s.debugging("keras-tensorflow", "dtype_mismatch"))
    )
    assert cell(view, "wrong_flatten", "Keras 3 on TensorFlow").outcome == "not measured for this framework"


def test_variants_whose_debugging_probe_did_not_run_are_lines_with_their_reason():
    assert [(g.variant, g.status, g.reason) for g in standard().gaps] == [
        ("Keras 3 on JAX", "not installed", "jax is not installed"),
    ]


def test_a_note_both_keras_backends_share_is_said_once():
    notes = standard().notes
    flatten = [n for n in notes if "Wrong flatten size" in n]
    assert flatten == [
        "Keras 3 on TensorFlow and Keras 3 on PyTorch, Wrong flatten size in the CNN: Flatten() infers its size; "
        "the planted bug is a hand-written Reshape of the wrong size."
    ]


def test_the_error_messages_are_kept_as_the_user_saw_them():
    messages = standard().messages
    assert messages[0].variant == "PyTorch" and messages[0].exception == "RuntimeError"
    assert messages[0].text == "mat1 and mat2 shapes cannot be multiplied (16x64 and 63x128)"


def test_without_debugging_results_the_section_says_so_and_gives_the_command():
    view = debugging_view(s.evidence(s.speed("torch", "mlp", 100)), run_dir="runs/a")
    assert view.rows == () and view.variants == ()
    assert view.not_run.command == "advisor advise --budget standard --answers runs/a/answers.yaml"


def test_the_section_renders_a_row_per_bug_and_a_sentence_per_framework(standard_run):
    html = rerender(standard_run).folder.report.read_text()
    section = html[html.index('id="debugging"') : html.index('id="deployment"')]
    assert section.count("<tr>") == 2 + 6  # two header rows, six bugs
    assert '<th scope="colgroup" colspan="3" class="group">Keras 3 on PyTorch</th>' in section
    assert "TensorFlow (low-level) pointed at the planted line in 3 of 4 bugs" in section
    assert '<span class="mark yes">✓ yes</span>' in section and '<span class="mark no">✗ no</span>' in section
    assert "not installed</span> Keras 3 on JAX: jax is not installed" in section
    assert '<a href="#debugging">' in html


def test_error_messages_and_notes_from_the_evidence_are_escaped(standard_run):
    evidence = json.loads((standard_run / "evidence.json").read_text())
    for result in evidence["results"]:
        if result["kind"] == "debugging" and result["facts"].get("message_excerpt"):
            result["facts"].update(message_excerpt=HOSTILE, note=HOSTILE, innermost_user_frame=HOSTILE)
    (standard_run / "evidence.json").write_text(json.dumps(evidence))
    html = rerender(standard_run).folder.report.read_text()
    assert "<script>alert" not in html and "<img src=x" not in html
    section = html[html.index('id="debugging"') : html.index('id="deployment"')]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in section


def test_the_section_of_a_run_without_debugging_says_so(speed_only_run):
    html = rerender(speed_only_run).folder.report.read_text()
    section = html[html.index('id="debugging"') : html.index('id="deployment"')]
    assert "The quick budget includes the debugging probe, but it left no result in this run." in section
    assert "advisor advise --budget standard --answers" in section and "<table" not in section
