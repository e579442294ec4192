"""Choosing the chain's backend: SOLLAB_BACKEND, its default, and the backends it refuses."""

from __future__ import annotations

import pytest

from sollab.backends import make_backend
from sollab.chain import Chain
from sollab.errors import ChainError


def test_the_default_backend_is_pyevm(monkeypatch):
    monkeypatch.delenv("SOLLAB_BACKEND", raising=False)
    assert make_backend().name == "pyevm"
    monkeypatch.setenv("SOLLAB_BACKEND", "")
    assert make_backend().name == "pyevm"


def test_sollab_backend_picks_the_backend_and_an_explicit_name_wins(monkeypatch):
    monkeypatch.setenv("SOLLAB_BACKEND", " PyEVM ")
    assert Chain().backend_name == "pyevm"
    monkeypatch.setenv("SOLLAB_BACKEND", "nonsense")
    assert Chain(backend="pyevm").backend_name == "pyevm"


def test_revm_is_refused_in_one_line_that_says_why_and_what_to_do(monkeypatch):
    monkeypatch.setenv("SOLLAB_BACKEND", "revm")
    with pytest.raises(ChainError) as caught:
        Chain()
    message = str(caught.value)
    assert "\n" not in message
    assert "pyrevm" in message and "warm" in message and "Prague" in message
    assert "benchmarks/REVM.md" in message
    assert "set it to pyevm" in message


def test_an_unknown_backend_is_named_with_the_fix(monkeypatch):
    monkeypatch.setenv("SOLLAB_BACKEND", "geth")
    with pytest.raises(ChainError, match=r"unknown chain backend 'geth'.*SOLLAB_BACKEND=pyevm"):
        Chain()
