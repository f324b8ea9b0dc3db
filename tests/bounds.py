"""The bound a test puts on time: a guard against hangs, generous so that CI never flakes.

Speed itself is measured by benchmarks/bench.py, which prints figures; no test times it.
"""

HANG_SECONDS = 10.0
