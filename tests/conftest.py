"""Hypothesis profiles.

`ci`, the default, draws the same examples on every run, so that a commit's test result
is reproducible; `python -m pytest --hypothesis-profile=explore` draws new ones each run,
to hunt for bugs (a bug found that way gets a sample in tests/hostile/ or a pinned test).
"""

from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None)
settings.register_profile("explore")
settings.load_profile("ci")


def pytest_addoption(parser):
    parser.addoption("--regenerate-golden", action="store_true",
                     help="rewrite tests/golden/ from the current output")
    parser.addoption("--skip-slow", action="store_true", help="skip tests marked slow")


def pytest_configure(config):
    import os
    import tempfile

    # what gradtutor remembers on disk (a variant's draw) stays out of the user's cache
    os.environ.setdefault("GRADTUTOR_CACHE_DIR", tempfile.mkdtemp(prefix="gradtutor-cache-"))
    config.addinivalue_line("markers", "slow: a long test (golden files, many examples); "
                            "--skip-slow leaves them out")


def pytest_collection_modifyitems(config, items):
    import pytest

    if config.getoption("--skip-slow"):
        skip = pytest.mark.skip(reason="--skip-slow")
        for item in items:
            if "slow" in item.keywords:
                item.add_marker(skip)
