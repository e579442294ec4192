"""Shared fixtures. Every test session (each pytest-xdist worker too) writes to its own
SOLLAB_HOME (cache, extra compilers)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "contracts" / "examples"

_home = tempfile.mkdtemp(prefix="sollab-test-home-")


def pytest_configure(config: pytest.Config) -> None:
    os.environ["SOLLAB_HOME"] = _home
    os.environ["SOLLAB_PROGRESS"] = os.path.join(_home, "progress.json")  # not the tester's own


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(_home, ignore_errors=True)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist (`make test`), hand out the slow tests first: a minute-long test taken
    last keeps one worker busy while the other has nothing left to do. The order is otherwise
    the collected one, and the same on every worker (xdist checks that)."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def counter_artifact():
    """The example Counter, compiled once per session."""
    from sollab import compile_files

    return compile_files(EXAMPLES / "Counter.sol")["Counter"]


@pytest.fixture
def chain():
    """A fresh chain for one test."""
    from sollab.chain import Chain

    return Chain()


@pytest.fixture(scope="module")
def module_chain():
    """One chain shared by a test module's read-only tests (deploy once, look many times)."""
    from sollab.chain import Chain

    return Chain()
