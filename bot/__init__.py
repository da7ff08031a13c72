"""镇街权责助手: knowledge base, verdict engine and matching for town/street powers.

Nothing in this package imports Rasa except the modules that plug into it.
"""

import os

# numpy's OpenBLAS starts a worker thread per core when it is loaded, and after each product a
# worker spins for a while waiting for the next one. The matcher's one matrix-vector product per
# question is far too small to share, yet the spinning took a third of a core while the servers
# answered, on a 2-core machine where Rasa needs that core. Every entry point (the servers, the
# CLI, the benchmarks) imports this package before numpy; OPENBLAS_NUM_THREADS set by the
# operator still wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

__version__ = "0.1.0"
