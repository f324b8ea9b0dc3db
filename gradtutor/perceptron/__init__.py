"""Perceptron exercises: truth tables, step units, the learning rule, and why XOR needs a
hidden layer.

Every number is an exact fraction, so z = 0 is decided exactly. Answers are checked by
behaviour: any weights that give the target on every row are correct. The modules, from the
bottom up (each imports only those above it):

    exact          exact numbers: read as written, printed as people write them
    units          step units: z = w.x + b, g(z), and their arithmetic as text
    learning       the perceptron learning rule and its trace
    linalg         exact linear algebra over fractions
    separability   separable or not, decided exactly: weights, or a Radon certificate
    functions      naming the function a unit computes (AND, NAND, XOR, ...)
    networks       two-layer networks for tables no single perceptron computes
    loading        the exercise dataclass and its YAML loader
    checking       checking a student's answers, with diagnoses
    solving        the answer key, and what an exercise asks (template, list)
    display        what the renderers draw for `solve`, and its JSON
    walkthrough    `explain`: the truth table row by row, the construction for XOR

This package re-exports the names the rest of gradtutor and the tests use.
"""

from .checking import check_perceptron
from .display import (
    headline,
    key_lines,
    network_lines,
    network_table,
    reason_lines,
    rule_text,
    solution_data,
    trace_table,
    weights_table,
)
from .exact import close, num, plain_number, read_number
from .functions import Named, computed_by, name_function, target_name
from .learning import (
    MAX_EPOCHS,
    LearningRule,
    TraceStep,
    apply_rule,
    first_updates,
    presentations,
    run_rule,
    trace_keys,
)
from .linalg import nullspace
from .loading import (
    ASKS,
    MAX_HIDDEN,
    MAX_ROWS,
    MAX_UPDATES,
    PERCEPTRON_KEYS,
    AskPart,
    PerceptronExercise,
    perceptron_from_yaml,
)
from .networks import Network, build_network, integral, network_keys, nice_weights, pad_network
from .separability import (
    MAX_SUBSETS,
    QUICK_EPOCHS,
    Certificate,
    Separation,
    find_certificate,
    separate,
    subsets_needed,
    vertex_weights,
)
from .solving import (
    MAX_TRACE,
    PerceptronSolution,
    asked_text,
    key_answers,
    solve_perceptron,
    template_steps,
)
from .units import (
    MAX_INPUTS,
    Row,
    Weights,
    g_text,
    net_input,
    outputs,
    row_text,
    rows_text,
    step,
    unit_text,
    weight_keys,
    weights_text,
    z_text,
)
from .walkthrough import PerceptronReveal, PerceptronWalkthrough, explain_perceptron

__all__ = [
    "ASKS", "MAX_EPOCHS", "MAX_HIDDEN", "MAX_INPUTS", "MAX_ROWS", "MAX_SUBSETS", "MAX_TRACE",
    "MAX_UPDATES", "PERCEPTRON_KEYS", "QUICK_EPOCHS", "AskPart", "Certificate", "LearningRule",
    "Named", "Network", "PerceptronExercise", "PerceptronReveal", "PerceptronSolution",
    "PerceptronWalkthrough", "Row", "Separation", "TraceStep", "Weights", "apply_rule",
    "asked_text", "build_network", "check_perceptron", "close", "computed_by",
    "explain_perceptron", "find_certificate", "first_updates", "g_text", "headline", "integral",
    "key_answers", "key_lines", "name_function", "net_input", "network_keys", "network_lines",
    "network_table", "nice_weights", "nullspace", "num", "outputs", "pad_network",
    "perceptron_from_yaml", "plain_number", "presentations", "read_number", "reason_lines",
    "row_text", "rows_text", "rule_text", "run_rule", "separate", "solution_data",
    "solve_perceptron", "step", "subsets_needed", "target_name", "template_steps", "trace_keys",
    "trace_table", "unit_text", "vertex_weights", "weight_keys", "weights_table",
    "weights_text", "z_text",
]
