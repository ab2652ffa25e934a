"""Run the real `advisor` entry point with tests/support/fake_worker.py as the probe worker.

For fault tests that need a separate process (signals, exit codes): the CLI, its signal handling
and its file writing are the real ones; only the probe children are fakes that misbehave on request
(FAKE_<VARIANT> environment variables, see tests/support/fake_worker.py).
"""

import sys
from pathlib import Path

import probes.runner
import probes.variants

HERE = Path(__file__).resolve().parent
probes.runner.worker_command = lambda: [sys.executable, str(HERE / "fake_worker.py")]
probes.runner.matmul_peak = lambda plan, environment: {"gflops": 100.0, "device": "cpu", "method": "fake"}
probes.runner.missing_requirement = lambda variant: None if variant.id != "keras-jax" else "jax is not installed"

from advisor.cli import main  # noqa: E402

main()
