"""Layer 7, grading: what commands ask of any exercise (list, key, template, validate), and
batches of answers files with a class summary.
"""
