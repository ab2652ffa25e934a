"""The scale probe: batch curves, records streamed from disk, data-parallel ranks (probes/kinds/scale.py).

The protocol is tested without frameworks (shards, cases, the rank launcher with fake ranks); each framework's
pipeline is tested on real shards, reading the very records that were written.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from probes.kinds import scale
from probes.specs import make_data
from tests.conftest import ROOT


def needs(*modules: str):
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    return pytest.mark.skipif(bool(missing), reason=f"{', '.join(missing)} not installed")


# --- cases


def test_every_framework_measures_the_same_batch_sizes_and_its_streams_on_the_mlp_and_cnn():
    cases = scale.scale_cases(["mlp", "cnn", "rnn"], ("stream", "stream-workers-0"), data_parallel=True)
    assert {m for m, _ in cases} == {"mlp", "cnn"}  # token models stream no float records
    assert [c for m, c in cases if m == "cnn"] == [
        "batch-16", "batch-64", "batch-256", "batch-512", "stream", "stream-workers-0", "data-parallel",
    ]  # fmt: skip


def test_a_framework_without_a_distributed_engine_has_no_data_parallel_case():
    assert "data-parallel" not in {c for _, c in scale.scale_cases(["mlp"], ("stream",), data_parallel=False)}


def test_a_batch_case_names_its_batch_size():
    assert scale.case_batch_size("batch-256") == 256
    assert scale.case_batch_size("stream") is None
    assert scale.case_batch_size("data-parallel") is None


# --- shards


def test_shards_hold_the_generated_records_as_labels_and_float32_inputs(tmp_path):
    shards = scale.write_shards("cnn", tmp_path, seed=3, total_bytes=8 * 5 * (4 + 4 * 32 * 32 * 3))
    assert len(shards.paths) == scale.SHARDS and shards.records == 40
    first = np.fromfile(shards.paths[0], dtype=shards.record_dtype())
    x, y = make_data("cnn", 5, 3)
    np.testing.assert_array_equal(first["x"], x)
    np.testing.assert_array_equal(first["label"], y)
    assert Path(shards.paths[0]).stat().st_size == 5 * shards.record_bytes


def test_token_models_are_refused_with_the_reason(tmp_path):
    with pytest.raises(ValueError, match="reads tokens"):
        scale.write_shards("rnn", tmp_path)


@pytest.mark.skipif(not hasattr(__import__("os"), "posix_fadvise"), reason="no posix_fadvise on this OS")
def test_shards_can_be_dropped_from_the_page_cache_without_root(tmp_path):
    shards = scale.write_shards("mlp", tmp_path, total_bytes=64 * 1024)
    assert scale.evict(shards.paths) is True


# --- the lines a distributed script changes


def test_changed_lines_counts_what_the_distributed_script_adds_or_rewrites():
    reference = "import torch\n\ndef main():\n    model = build()\n    train(model)\n"
    distributed = (
        '"""A docstring is not a line."""\nimport torch\nimport torch.distributed as dist\n'
        "from probes.pytorch.reference import build, train\n\n"
        "def main():\n    dist.init_process_group('gloo')\n    model = build()\n    train(wrap(model))\n"
    )
    assert scale.changed_lines(reference, distributed) == 3  # the import, the process group, the wrapped call


def test_each_framework_distributed_script_changes_a_counted_number_of_lines():
    for folder in ("pytorch", "keras", "tensorflow"):
        here = ROOT / "probes" / folder
        count = scale.changed_lines(
            (here / "reference.py").read_text(), (here / "reference_distributed.py").read_text()
        )
        assert 0 < count < 40, folder


@needs("torch")
def test_the_pytorch_distributed_reference_learns_digits_in_one_process(monkeypatch):
    from probes.kinds.scale import free_ports
    from probes.pytorch import reference_distributed

    for name, value in {"RANK": "0", "WORLD_SIZE": "1", "MASTER_ADDR": "127.0.0.1"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("MASTER_PORT", str(free_ports(1)[0]))
    assert reference_distributed.main("mlp", epochs=5) > 0.8


@needs("tensorflow")
def test_the_tensorflow_distributed_reference_learns_digits_on_one_worker(monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    from probes.tensorflow import reference_distributed

    assert reference_distributed.main("mlp", epochs=5) > 0.8


# --- data-parallel ranks, with fake ranks


@pytest.fixture
def fake_ranks(monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.chdir(ROOT)

    def env(rank: int, world: int, ports: list[int]) -> dict[str, str]:
        assert len(set(ports)) == len(ports)
        return {"FAKE_RANK": str(rank)}

    return env


def test_data_parallel_reports_the_worlds_rate_and_its_scaling_efficiency(fake_ranks):
    measured = scale.measure_data_parallel("tests.support.fake_rank", {"batch_size": 8}, fake_ranks, "fake engine", 7)
    samples = measured["samples"]
    assert samples["dp1_samples_per_s"] == [80.0]
    assert samples["dp2_samples_per_s"] == [128.0]  # both ranks' samples over the slower rank's seconds
    assert samples["scaling_efficiency"] == [pytest.approx(0.8)]
    assert measured["facts"]["changed_lines"] == 7 and measured["facts"]["world_sizes"] == [1, 2]


def test_a_rank_that_raises_fails_the_case_with_the_engines_own_words(fake_ranks):
    measured = scale.measure_data_parallel(
        "tests.support.fake_rank", {"batch_size": 8, "behaviour": "fail"}, fake_ranks, "e", 1
    )
    assert measured["status"] == "failed"
    assert "RuntimeError: the engine refused … the last line says why" in measured["reason"]


def test_a_rank_that_hangs_is_killed_at_its_timeout_and_the_others_figures_are_kept(fake_ranks):
    request = {"batch_size": 8, "behaviour": "hang"}
    measured = scale.measure_data_parallel("tests.support.fake_rank", request, fake_ranks, "e", 1, timeout_s=3.0)
    assert measured["status"] == "failed"
    assert "1 process: 80 samples/s" in measured["reason"]  # one process worked
    assert (
        "2 processes: rank 1 gave no result within 3 s" in measured["reason"] and measured["facts"]["world_failed"] == 2
    )


# --- each framework's pipeline reads exactly the records written


def _settings() -> dict:
    return {"batch_size": 4, "seed": 0, "device": "cpu", "threads": 1}


@needs("torch")
def test_pytorch_reads_the_records_channels_first(tmp_path):
    from probes.pytorch.scale import RecordDataset

    shards = scale.write_shards("cnn", tmp_path, total_bytes=8 * 3 * (4 + 4 * 3072))
    x, label = RecordDataset(shards)[4]  # the second shard's second record
    expected_x, expected_y = make_data("cnn", 3, 1)
    np.testing.assert_array_equal(x.numpy(), expected_x[1].transpose(2, 0, 1))
    assert label == expected_y[1]
    inputs, labels = RecordDataset(shards)[[2, 3, 4]]  # a batch across two shards, as a BatchSampler asks
    np.testing.assert_array_equal(inputs[2].numpy(), x.numpy())
    assert labels.dtype.is_floating_point is False and int(labels[2]) == label


@needs("tensorflow")
def test_tensorflow_decodes_the_records_it_streams(tmp_path):
    from probes.common.tensorflow_runtime import record_dataset

    shards = scale.write_shards("mlp", tmp_path, total_bytes=8 * 4 * 260)
    inputs, labels = next(iter(record_dataset(shards, 4)))
    expected_x, expected_y = make_data("mlp", 4, 0)
    rows = {tuple(row) for row in expected_x}
    assert all(tuple(row) in rows for row in inputs.numpy())  # interleaved shards: order across files may vary
    assert set(labels.numpy()) <= set(expected_y) | set(make_data("mlp", 4, 1)[1])


@needs("keras", "tensorflow")
def test_keras_pydataset_gives_batches_of_records_in_file_order(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_BACKEND", "tensorflow")
    from probes.keras.scale import record_batches

    shards = scale.write_shards("mlp", tmp_path, total_bytes=8 * 8 * 260)
    batches = record_batches(shards, 4)
    assert len(batches) == 16
    inputs, labels = batches[1]
    expected_x, expected_y = make_data("mlp", 8, 0)
    np.testing.assert_array_equal(inputs, expected_x[4:8])
    np.testing.assert_array_equal(labels, expected_y[4:8])


def test_rank_entry_writes_the_engines_error_as_json(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT))
    monkeypatch.setenv("FAKE_RANK", "0")
    request = tmp_path / "request.json"
    request.write_text(json.dumps({"world": 1, "behaviour": "fail", "batch_size": 1}))
    assert scale.main(["tests.support.fake_rank", str(request), str(tmp_path / "out.json")]) == 1
    assert json.loads((tmp_path / "out.json").read_text())["error"].startswith("RuntimeError: the engine refused")
    assert sys.modules["tests.support.fake_rank"]


# --- the runner: scale in rounds of its own, after speed's


def test_scale_runs_in_interleaved_rounds_after_speed_with_one_figure_per_process(fake_worker, monkeypatch):
    from dataclasses import replace

    import probes.runner
    from probes.budgets import BUDGETS
    from probes.runner import make_plan, run_probes

    monkeypatch.setattr(probes.runner, "missing_requirement", lambda v: None)
    budget = replace(BUDGETS["tiny"], kinds=("speed", "scale"), processes=2, scale_processes=2, child_timeout_s=20)
    evidence = run_probes(make_plan(budget, variants=("torch", "keras-tensorflow"), threads=1))
    starts = [tuple(line.split()[::2]) for line in fake_worker.read_text().splitlines()]
    assert starts == [
        ("torch", "speed"), ("keras-tensorflow", "speed"), ("keras-tensorflow", "speed"), ("torch", "speed"),
        ("torch", "scale"), ("keras-tensorflow", "scale"), ("keras-tensorflow", "scale"), ("torch", "scale"),
    ]  # fmt: skip
    stream = evidence.result("torch", "cnn", "scale", "stream")
    assert stream.ok and stream.samples["stream_samples_per_s"] == [2000.0, 2000.0]
    assert stream.process_rounds == (0, 1) and stream.facts.bottleneck == "model"


def test_the_scale_budget_stays_apart_from_quick_and_standard_and_joins_thorough():
    from probes.budgets import BUDGETS

    assert "scale" not in BUDGETS["quick"].kinds and "scale" not in BUDGETS["standard"].kinds
    assert BUDGETS["scale"].kinds == ("scale",) and "scale" in BUDGETS["thorough"].kinds


@needs("torch")
def test_pytorch_shares_the_cores_with_its_workers_and_gives_them_back_after_the_case():
    import torch

    from probes.pytorch import scale as pytorch_scale

    torch.set_num_threads(2)
    settings = {**_settings(), "threads": 2, "window_s": 0.01, "warmup_steps": 1, "windows": 2}
    measured = pytorch_scale.measure("mlp", "stream", settings, {"options": {}})
    assert measured["facts"]["workers"] == 1 and "torch.set_num_threads(1)" in measured["facts"]["pipeline"]
    assert measured["samples"]["stream_samples_per_s"][0] > 0
    assert torch.get_num_threads() == 2


def test_a_rank_never_inherits_a_variable_its_framework_unsets(fake_ranks, monkeypatch):
    monkeypatch.setenv("TF_CONFIG", '{"cluster": "the user\'s own"}')

    def env(rank: int, world: int, ports: list[int]) -> dict[str, str | None]:
        return {**fake_ranks(rank, world, ports), "TF_CONFIG": None}

    outcomes = scale.run_ranks("tests.support.fake_rank", {"batch_size": 1, "behaviour": "env"}, 1, env, 20.0)
    assert outcomes[0].result["tf_config"] is None
