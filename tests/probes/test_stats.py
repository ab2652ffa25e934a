"""Intervals from the spread between processes, and noticing a busy machine."""

from __future__ import annotations

import math

import pytest

from probes.load import BUSY_SHARE, Snapshot, competition
from probes.stats import T_975, ratio_interval, t_975


def test_the_t_table_matches_scipy():
    stats = pytest.importorskip("scipy.stats")
    for df, value in T_975.items():
        assert value == pytest.approx(stats.t.ppf(0.975, df), abs=0.001)


def test_a_fractional_degree_of_freedom_rounds_down_so_an_interval_is_never_too_narrow():
    assert t_975(4.7) == T_975[4] and t_975(0.5) == T_975[1] and t_975(10_000) == 1.960


def test_rounds_both_sides_ran_pair_up_and_a_load_that_hit_both_cancels():
    # Round 1 ran under a neighbour's load that halved both frameworks' speed: the ratio did not move.
    a, b = [200.0, 100.0, 200.0], [100.0, 50.0, 100.0]
    paired = ratio_interval(a, b, (0, 1, 2), (0, 1, 2))
    assert paired.paired and paired.ratio == pytest.approx(2.0) and paired.high / paired.low == pytest.approx(1.0)
    unpaired = ratio_interval(a, b)
    assert not unpaired.paired and unpaired.high / unpaired.low > 2  # the same figures, their pairing lost


def test_the_interval_is_a_t_interval_on_the_mean_log_ratio():
    a, b = [110.0, 100.0, 121.0], [100.0, 100.0, 100.0]
    logs = [math.log(x / 100) for x in a]
    mean = sum(logs) / 3
    sd = math.sqrt(sum((v - mean) ** 2 for v in logs) / 2)
    got = ratio_interval(a, b, (0, 1, 2), (0, 1, 2))
    assert got.low == pytest.approx(math.exp(mean - 4.303 * sd / math.sqrt(3)))
    assert got.high == pytest.approx(math.exp(mean + 4.303 * sd / math.sqrt(3)))


def test_one_process_a_side_gives_no_interval():
    assert ratio_interval([100.0], [50.0], (0,), (0,)) is None
    assert ratio_interval([100.0, 101.0], [50.0], (0, 1), (0,)) is None


def test_other_processes_cpu_time_is_what_the_machine_did_beside_ours():
    before = Snapshot(wall=0.0, busy_s=100.0, steal_s=1.0, ours_s=10.0)
    after = Snapshot(wall=10.0, busy_s=118.0, steal_s=1.5, ours_s=24.0)  # 18 CPU-s busy, 14 of them ours
    figures = competition(before, after, cores=2)
    assert figures["others_cpu_s"] == pytest.approx(4.0) and figures["others_share"] == pytest.approx(0.2)
    assert figures["busy"] is (0.2 > BUSY_SHARE) and figures["steal_s"] == pytest.approx(0.5)


def test_a_machine_without_proc_says_nothing_rather_than_a_guess():
    before, after = Snapshot(0.0, None, None, 0.0), Snapshot(1.0, None, None, 1.0)
    assert competition(before, after, cores=2)["others_share"] is None
