"""Layer 2, the expression language: tokens and parser, the expression tree, value literals."""
