"""Reference implementations: one idiomatic, complete training script per framework.

They are evidence in themselves: the report shows them and counts them, and the probes time
exactly these functions. Write them the way each framework's own tutorials do.
"""
