"""The probe runner, with fake workers: faults are recorded, the run goes on, no child survives."""

from __future__ import annotations

import os
import time

import pytest

from probes.budgets import BUDGETS
from probes.contract import variant_kinds
from probes.runner import make_plan, run_probes
from probes.variants import VARIANTS, Variant


@pytest.fixture
def installed(monkeypatch):
    """Pretend every variant is installed, except those a test removes."""
    import probes.runner

    missing: dict[str, str] = {}
    monkeypatch.setattr(probes.runner, "missing_requirement", lambda v: missing.get(v.id))
    return missing


def plan(variants=("torch", "keras-tensorflow"), rounds=2, timeout=20.0):
    from dataclasses import replace

    budget = replace(BUDGETS["tiny"], processes=rounds, child_timeout_s=timeout)
    return make_plan(budget, variants=variants, threads=1)


def test_rounds_interleave_variants_in_abba_order(fake_worker, installed):
    run_probes(plan(rounds=3))
    order = [line.split()[0] for line in fake_worker.read_text().splitlines()]
    assert order == ["torch", "keras-tensorflow", "keras-tensorflow", "torch", "torch", "keras-tensorflow"]


def test_each_process_gives_one_figure_per_model_and_says_which_round_it_came_from(fake_worker, installed):
    evidence = run_probes(plan(rounds=2))
    result = evidence.result("torch", "mlp")
    assert result.ok
    assert result.samples["train_samples_per_s"] == [1000.0, 1000.0]  # one per process
    assert len(result.samples["window_samples_per_s"]) == 6  # every window kept, 3 per process
    assert result.samples["import_s"] == [0.5, 0.5] and result.process_rounds == (0, 1)


def test_the_models_order_rotates_from_one_process_to_the_next(fake_worker, installed, monkeypatch):
    import json

    import probes.runner

    requests = []
    real = probes.runner.run_child

    def spy(command, request, env, timeout_s):
        requests.append(json.loads(json.dumps(request)))
        return real(command, request, env, timeout_s)

    monkeypatch.setattr(probes.runner, "run_child", spy)
    run_probes(plan(variants=("torch",), rounds=2))
    orders = [[model for model, _ in r["cases"]] for r in requests if r["kind"] == "speed"]
    assert orders == [["mlp", "cnn"], ["cnn", "mlp"]]


def test_training_memory_comes_only_from_processes_where_the_model_ran_first(fake_worker, installed):
    evidence = run_probes(plan(variants=("torch",), rounds=3))
    mlp, cnn = (evidence.result("torch", m, "speed", "memory") for m in ("mlp", "cnn"))
    assert mlp.process_rounds == (0, 2) and cnn.process_rounds == (1,)
    assert mlp.samples["train_memory_mb"] == [51.0, 51.0]
    assert "train_memory_mb" not in evidence.result("torch", "mlp").samples


def test_the_interval_widens_when_the_processes_disagree(fake_worker, installed, monkeypatch):
    from probes.evidence import process_interval

    def width(spread: str) -> float:
        monkeypatch.setenv("FAKE_SPREAD_TORCH", spread)
        evidence = run_probes(plan(rounds=4))
        interval = process_interval(
            evidence.result("torch", "cnn"), evidence.result("keras-tensorflow", "cnn"), "train_samples_per_s"
        )
        return interval.high / interval.low

    assert width("0") == pytest.approx(1.0)  # every process agrees: no doubt left
    assert width("0.1") > 1.2 and width("0.1") < width("0.3")


def test_the_accuracy_check_runs_once_per_framework_in_its_own_process_and_joins_the_models_figures(
    fake_worker, installed
):
    from dataclasses import replace

    budget = replace(BUDGETS["tiny"], processes=2, accuracy_check=True)
    evidence = run_probes(make_plan(budget, variants=["torch"], threads=1))
    assert evidence.result("torch", "cnn").samples["test_accuracy"] == [0.9]
    assert evidence.result("torch", "cnn").rounds_ok == 2  # the check is no timing round
    children = evidence.environment["probe_children"]["torch"]
    assert [c["kind"] for c in children] == ["speed", "speed", "speed"]  # two timed processes, one check


def test_a_variant_that_is_not_installed_is_recorded_and_others_run(fake_worker, installed):
    installed["keras-tensorflow"] = "tensorflow is not installed"
    evidence = run_probes(plan())
    assert evidence.result("keras-tensorflow", "cnn").status == "not_installed"
    assert evidence.result("keras-tensorflow", "cnn").reason == "tensorflow is not installed"
    assert evidence.result("torch", "cnn").ok
    assert "keras-tensorflow" not in fake_worker.read_text()


@pytest.mark.parametrize(
    ("behaviour", "status", "reason"),
    [
        ("crash", "crashed", "exited with code 1: RuntimeError: the fake framework fell over"),
        ("segfault", "crashed", "killed by SIGSEGV"),
        ("killed", "crashed", "killed by SIGKILL (often the out-of-memory killer)"),
        ("import_error", "failed", "import failed: ModuleNotFoundError: No module named 'torch'"),
    ],
)
def test_a_failing_child_is_recorded_with_its_reason(fake_worker, installed, monkeypatch, behaviour, status, reason):
    monkeypatch.setenv("FAKE_TORCH", behaviour)
    evidence = run_probes(plan(rounds=1))
    result = evidence.result("torch", "mlp")
    assert result.status == status
    assert reason in result.reason
    assert evidence.result("keras-tensorflow", "mlp").ok


def test_a_hanging_child_is_killed_at_its_timeout_with_its_children(fake_worker, installed, monkeypatch, tmp_path):
    grandchild = tmp_path / "grandchild.pid"
    monkeypatch.setenv("FAKE_TORCH", "hang")
    monkeypatch.setenv("FAKE_GRANDCHILD_PID", str(grandchild))
    evidence = run_probes(plan(rounds=1, timeout=3))
    assert evidence.result("torch", "cnn").status == "timeout"
    assert "3 s timeout" in evidence.result("torch", "cnn").reason
    assert evidence.result("keras-tensorflow", "cnn").ok
    pid = int(grandchild.read_text())
    time.sleep(0.2)
    assert not alive(pid)


def alive(pid: int) -> bool:
    """True if the process runs; a zombie (killed, not yet reaped by init) counts as dead."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        state = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_child_killed_after_one_model_keeps_that_model(fake_worker, installed, monkeypatch):
    monkeypatch.setenv("FAKE_TORCH", "partial")
    evidence = run_probes(plan(rounds=1))
    assert evidence.result("torch", "mlp").ok
    assert evidence.result("torch", "cnn").status == "crashed"


def test_a_child_printing_without_end_still_gives_its_results_and_the_end_of_its_output(
    fake_worker, installed, monkeypatch
):
    monkeypatch.setenv("FAKE_TORCH", "flood")
    monkeypatch.setenv("FAKE_FLOOD_MB", "32")
    evidence = run_probes(plan(rounds=1))
    assert evidence.result("torch", "mlp").ok
    tail = evidence.environment["probe_children"]["torch"][0]["output_tail"]
    assert tail.endswith("the flood ends here\n")


def test_the_output_reader_holds_a_bounded_tail_however_much_a_child_prints():
    import io

    from probes.children import OUTPUT_TAIL_BYTES, TailReader

    class Stream(io.RawIOBase):
        """8 MB in 64 KB chunks, the last one marked."""

        def __init__(self):
            self.left = 128

        def read1(self, size=-1):
            if not self.left:
                return b""
            self.left -= 1
            return (b"x" * 65535 + b"\n") if self.left else b"y" * 65535 + b"\n"

    stream = Stream()
    reader = TailReader(stream)
    reader.join()
    assert len(reader._tail) <= 2 * OUTPUT_TAIL_BYTES  # never the 8 MB
    assert len(reader.text()) == OUTPUT_TAIL_BYTES and reader.text().endswith("y" * 100 + "\n")


def test_an_unknown_variant_is_refused_naming_the_allowed_ones():
    with pytest.raises(ValueError, match=r"--variant must be one of torch, keras-tensorflow.*Received: 'caffe'"):
        make_plan(BUDGETS["tiny"], variants=["caffe"])


def test_every_variant_lists_its_cases_without_importing_a_framework():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from probes.variants import VARIANTS\n"
        "from probes.contract import variant_kinds\n"
        "from probes.schedule import expected_cases\n"
        "for variant in VARIANTS.values():\n"
        "    for kind in variant_kinds(variant):\n"
        "        assert expected_cases(variant, kind, ['mlp', 'cnn']), (variant.id, kind)\n"
        "print(sorted(m for m in ('torch', 'tensorflow', 'keras', 'jax') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
    assert all(isinstance(v, Variant) and "speed" in variant_kinds(v) for v in VARIANTS.values())


def test_a_kind_a_variant_lacks_is_recorded_as_skipped(fake_worker, installed):
    from dataclasses import replace

    budget = replace(BUDGETS["tiny"], kinds=("speed", "telepathy"))
    evidence = run_probes(make_plan(budget, variants=["torch"], threads=1))
    skipped = [r for r in evidence.results if r.kind == "telepathy"]
    assert skipped and all(r.status == "skipped" and "no telepathy probe" in r.reason for r in skipped)
    assert evidence.result("torch", "mlp").ok
