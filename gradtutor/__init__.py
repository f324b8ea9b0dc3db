"""gradtutor: a gradient tutor and exercise checker for people learning backpropagation.

    import gradtutor as gt
    gt.solve("(x+y)*z", x=-2, y=5, z=-4).gradients

The API (gradtutor/api.py) and the errors are loaded on first use, so that `import gradtutor`
stays light: no numpy, sympy or rich until a function is called.
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING, Any

from .base.version import __version__

if TYPE_CHECKING:
    from .api import (
        AnswerKey,
        CheckResult,
        CheckResults,
        Explanation,
        Solution,
        check,
        check_files,
        explain,
        load_answers,
        load_exercise,
        solve,
        template,
    )
    from .base.errors import (
        AnswersError,
        ExerciseError,
        ExpressionError,
        GradtutorError,
        LimitError,
        ParseError,
        ShapeError,
        TimeLimitError,
    )

__all__ = [
    "__version__",
    # the API (gradtutor/api.py)
    "solve", "check", "check_files", "explain", "template", "load_exercise", "load_answers",
    "Solution", "AnswerKey", "CheckResult", "CheckResults", "Explanation",
    # the errors it raises (gradtutor/base/errors.py)
    "GradtutorError", "ParseError", "LimitError", "ExpressionError", "ShapeError",
    "ExerciseError", "AnswersError", "TimeLimitError",
]
_ERRORS = frozenset(name for name in __all__ if name.endswith("Error"))
_API = frozenset(__all__) - _ERRORS - {"__version__"}


def __getattr__(name: str) -> Any:
    if name in _API:
        from . import api

        return getattr(api, name)
    if name in _ERRORS:
        from .base import errors

        return getattr(errors, name)
    raise AttributeError(f"module 'gradtutor' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)


class _Package(types.ModuleType):
    """The package, whose `explain` stays the API's function: importing the subpackage
    gradtutor/explain/ would otherwise put the module in its place (the subpackage is still
    imported by its full name, e.g. `from gradtutor.explain.walkthrough import explain`)."""

    def __setattr__(self, name: str, value: object) -> None:
        if name in _API and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
