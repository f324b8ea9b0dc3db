"""gradtutor: a gradient tutor and exercise checker for people learning backpropagation.

    import gradtutor as gt
    gt.solve("(x+y)*z", x=-2, y=5, z=-4).gradients

The API (gradtutor/api.py) and the errors are loaded on first use, so that `import gradtutor`
stays light: no numpy, sympy or rich until a function is called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .base.version import __version__

if TYPE_CHECKING:
    from .api import (
        AnswerKey,
        CheckResult,
        CheckResults,
        Explanation,
        PracticeSession,
        Solution,
        check,
        check_files,
        clear_progress,
        explain,
        load_answers,
        load_exercise,
        practice,
        progress,
        record_practice,
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
    "practice", "PracticeSession", "record_practice", "progress", "clear_progress",
    "variants", "Variants",
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
