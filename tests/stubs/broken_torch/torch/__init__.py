"""A torch that is installed but fails at import, as a mismatched CUDA build or a corrupt install does."""

raise RuntimeError("libtorch_cuda.so: cannot open shared object file (simulated broken install)")
