"""Benchmarks of the tool itself: scripts that print figures (see README.md)."""
