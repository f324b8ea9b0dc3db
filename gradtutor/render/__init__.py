"""Layer 8, render: every output format (rich, plain, Markdown, LaTeX, dot, JSON, CSV,
Gradescope, PrairieLearn).
"""
