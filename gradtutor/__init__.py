"""gradtutor: a gradient tutor and exercise checker for people learning backpropagation."""

from .base.version import __version__

__all__ = ["__version__"]
