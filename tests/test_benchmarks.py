"""The benchmarks still run and print every figure they promise (tiny sizes: the figures here
mean nothing; speed is judged by running them in full, never by a timed assertion)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def run(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, *args], cwd=REPO, capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.mark.slow
def test_the_chain_benchmark_prints_each_target_beside_the_stock_path():
    out = run("benchmarks/chain.py", "--reps", "1", "--batch-seconds", "0.02")
    for backend in ("pyevm", "revm"):
        for what in ("tx/s", "calls/s"):
            line = next(x for x in out.splitlines() if x.split()[:2] == [backend, what])
            assert "stock" in line and "ratio" in line and ">= 50x:" in line, line
        loops = [x.split() for x in out.splitlines() if "endless loop at the default gas cap" in x]
        assert any(words[0] == backend and "(<=" in words for words in loops), out
    assert "w3 on revm tx/s" in out and "w3 on revm calls/s" in out


@pytest.mark.slow
def test_the_revm_memory_benchmark_counts_what_it_keeps():
    out = run("benchmarks/revm_memory.py", "--txs", "300")
    assert out.count("bytes a transaction") == 2, out
    assert "transactions kept with their results" in out, out
