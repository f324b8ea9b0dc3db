"""Layer 4, exercises: reading untrusted YAML, exercise and answers files, the exercise kinds'
data (graph, network, perceptron).
"""
