"""Every bound on untrusted input, in one place, so that they are easy to find and to test."""

MAX_EXPRESSION_CHARS = 200_000  # a whole program; one answer text is bounded by MAX_ANSWER_CHARS
MAX_ANSWER_CHARS = 2_000
MAX_DEPTH = 100  # nesting of parentheses, calls and operators in one expression
MAX_HEIGHT = 250  # operations in a row in one expression's tree (x + x + ... counts each +)
MAX_NODES = 50_000  # tree nodes in one program
MAX_EXPONENT = 10_000  # |constant exponent| of a power whose base is not constant
MAX_CONSTANT = 1e300  # |value| of a constant sub-expression (float64 tops out near 1.8e308)
MAX_ENTRIES = 1_000_000  # entries in one vector or matrix value
MAX_HELD_ENTRIES = 10_000_000  # entries of all the nodes' values of one graph together (80 MB)
MAX_NDIM = 2  # scalars, vectors and matrices

MAX_FILE_BYTES = 1_000_000  # one YAML file
MAX_YAML_DEPTH = 32
MAX_YAML_NODES = 200_000

MAX_WALKTHROUGH_STEPS = 300  # named steps `explain` writes out (each one takes a few ms)

SIMPLIFY_SECONDS = 2.0  # one symbolic simplification
FILE_SECONDS = 10.0  # all symbolic work for one answers file

# The worker process of base/sandbox.py, for sympy and big-number work (reused, replaced when
# it runs out): CPU seconds for one task, wall-clock seconds before it is killed, and the
# memory it may add to what it inherits.
WORKER_CPU_SECONDS = 4
WORKER_SECONDS = 5.0
WORKER_MEMORY_MB = 400

# Counts in one file, so that no loader or checker does unbounded (or quadratic) work.
MAX_ANSWER_STEPS = 1_000  # keys under `answers:` in an answers file
MAX_ASKED_STEPS = 1_000  # entries of `ask:` in an exercise
MAX_SELF_TESTS = 200  # entries of `tests:` in an exercise
# The weight of one asked step (points): with at most MAX_ASKED_STEPS steps, a file's total
# and a class's totals stay far from overflowing to inf (1e308 weights gave "score": nan).
MAX_WEIGHT = 1e6
MAX_STATEMENTS = 5_000  # nodes in an exercise's `graph:` (a program is bounded by MAX_NODES)

# External programs (Graphviz's dot drawing a picture): wall-clock and CPU seconds, and the
# memory they may use. A dot source comes from at most MAX_STATEMENTS nodes, but a layout's
# cost grows faster than its size.
PROGRAM_SECONDS = 30.0
PROGRAM_MEMORY_MB = 1024

# Drawn given values (`variants:`): the largest bound of a draw (numpy draws whole numbers as
# 64-bit integers, and floats lose whole numbers past 2**53), the values a `step:` may leave
# between the bounds, and the wall-clock seconds for drawing one student's variant (each draw
# runs the guards; a draw that fails them is drawn again, up to `tries` times).
MAX_DRAWN_MAGNITUDE = 1e15
MAX_STEP_VALUES = 10**12
VARIANT_SECONDS = 10.0
SAMPLE_SECONDS = 30.0  # the sample of draws `validate` puts through the guards
