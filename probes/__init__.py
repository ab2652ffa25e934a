"""Probes: measure frameworks in child processes and record what was measured as Evidence.

The runner (this process) only orchestrates; `python -m probes.worker` measures, one framework
variant per child, so that a crash, a hang or a framework's threads and memory stay in the child.
Nothing in this package imports torch, tensorflow, keras or jax at module level.
"""
