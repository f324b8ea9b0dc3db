"""The command line: a thin layer that parses options, calls the library and turns its
named exceptions into messages and exit statuses."""

from .app import app, main

__all__ = ["app", "main"]
