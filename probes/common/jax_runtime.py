"""JAX's runtime as Keras 3 on JAX meets it: its CPU threads, set the way XLA honours them.

XLA's CPU client ignores OMP_NUM_THREADS: its intra-op pool is as large as the CPUs this process may run
on (tsl's MaxParallelism reads the affinity mask), and only XLA_FLAGS turns its multi-threaded Eigen
kernels off. Both are read when JAX first creates its CPU backend, which importing keras does not do,
so the worker sets them after the import and before the first array.
"""

from __future__ import annotations

import os
from typing import Any

SINGLE_THREAD_FLAGS = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"


def backend_started() -> bool:
    """Whether JAX has already created a backend (after which its thread pool is fixed)."""
    from jax._src import xla_bridge

    return bool(xla_bridge._backends)


def configure_threads(n: int) -> dict[str, Any]:
    """n CPU threads for XLA: the affinity mask narrowed to n CPUs, and Eigen single-threaded when n is 1."""
    if backend_started():
        return {"intra_op": "as JAX started (its backend existed before the run's setting)", "requested": n}
    allowed = sorted(os.sched_getaffinity(0))
    if n < len(allowed):
        os.sched_setaffinity(0, allowed[:n])
    if n == 1:
        os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} {SINGLE_THREAD_FLAGS}".strip()
    return {
        "intra_op": n,
        "how": "the process's CPU affinity (XLA sizes its pool by it)"
        + ("; XLA_FLAGS " + SINGLE_THREAD_FLAGS if n == 1 else ""),
        "xla_flags": os.environ.get("XLA_FLAGS", ""),
    }
