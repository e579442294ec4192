"""The grading sandbox's environment."""

from __future__ import annotations

from sollab.sandbox import Sandbox


def test_the_sandbox_passes_on_the_chain_backend_and_nothing_else_of_the_graders(
    tmp_path, monkeypatch
):
    sandbox = Sandbox(tmp_path, "05-solidity-basics", isolate=False)
    monkeypatch.setenv("SOLLAB_BACKEND", "revm")
    monkeypatch.setenv("SOME_SECRET", "x")
    env = sandbox.environment(tmp_path / "home")
    assert env["SOLLAB_BACKEND"] == "revm"
    assert "SOME_SECRET" not in env
    monkeypatch.delenv("SOLLAB_BACKEND")
    assert "SOLLAB_BACKEND" not in sandbox.environment(tmp_path / "home")
