"""Hypothesis profiles.

`ci`, the default, draws the same examples on every run, so that a commit's test result
is reproducible; `python -m pytest --hypothesis-profile=explore` draws new ones each run,
to hunt for bugs (a bug found that way gets a sample in tests/hostile/ or a pinned test).
"""

from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None)
settings.register_profile("explore")
settings.load_profile("ci")
