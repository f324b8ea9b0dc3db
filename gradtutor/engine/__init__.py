"""Layer 3, the engine: the computational graph, its forward and backward passes, the symbolic
side, cross-checks, solving an expression.
"""
