"""gradtutor: a gradient tutor and exercise checker for people learning backpropagation."""

__version__ = "0.1.0"
