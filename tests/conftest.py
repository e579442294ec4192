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


@pytest.hookimpl(trylast=True)  # after pytest-xdist's own hook
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist (`make test`): keep each xdist_group on one worker, and hand out the
    slow tests first (a minute-long test taken last keeps one worker busy while the other has
    nothing left to do). The order is otherwise the collected one, the same on every worker."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return
    if getattr(config.option, "loadgroup", False):
        _name_groups(items)
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def _name_groups(items: list[pytest.Item]) -> None:
    """`--dist loadgroup` schedules by a "@group" suffix that pytest-xdist 3.8 appends to each
    grouped test's id through ``item._nodeid``, which pytest 9.2 no longer reads (its node ids
    are structured), so every group was silently spread over the workers (pytest-xdist#1386,
    open; #1388 proposes this same fix). Append it to the structured id, until a release does."""
    try:
        from _pytest.nodeid import NodeId
    except ImportError:  # pytest before 9.2 reads xdist's own suffix
        return

    for item in items:
        names = {
            str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
            for mark in item.iter_markers("xdist_group")
        }
        suffix = "@" + "_".join(sorted(names))
        if names and not item.nodeid.endswith(suffix) and hasattr(item, "_id"):
            item._id = NodeId.parse(item.nodeid + suffix)


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
