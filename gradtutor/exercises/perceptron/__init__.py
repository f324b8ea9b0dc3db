"""Perceptron exercises: exact numbers, step units, the learning rule, separability, two-layer
networks, the key.
"""
