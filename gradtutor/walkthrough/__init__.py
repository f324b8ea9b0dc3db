"""Layer 6, explain: chain-rule walkthroughs in the style of the notes, for graph and
perceptron exercises.
"""
