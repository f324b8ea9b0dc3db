"""The version gradtutor reports."""

__version__ = "0.1.0"
