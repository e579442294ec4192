"""Every lesson on the revm backend (``SOLLAB_BACKEND=revm``): the instructor notebook earns
full marks and the released notebook earns nothing, without errors, as on py-evm
(tests/test_lessons.py runs the same on the default backend).

The notebooks run in the lab's kernel, which inherits SOLLAB_BACKEND from this process.
Lessons that use ``chain.w3`` (web3.py itself) or ``chain.serve()`` (a JSON-RPC node) drive
eth-tester over the same revm state (``revm_tester.RevmTesterBackend``): nothing moves to py-evm
(tests/test_revm_tester.py checks that for lesson 03).
"""

from __future__ import annotations

import pytest

from test_lessons import LESSONS, assert_release_earns_nothing, assert_solutions_earn_full_marks

pytest.importorskip("pyrevm", reason="SOLLAB_BACKEND=revm needs pyrevm")


@pytest.fixture
def on_revm(monkeypatch):
    monkeypatch.setenv("SOLLAB_BACKEND", "revm")


@pytest.mark.slow
@pytest.mark.parametrize("lesson", LESSONS)
def test_the_solutions_notebook_earns_full_marks_on_revm(lesson, on_revm):
    assert_solutions_earn_full_marks(lesson)


@pytest.mark.slow
@pytest.mark.parametrize("lesson", LESSONS)
def test_the_released_notebook_runs_and_earns_nothing_on_revm(lesson, on_revm):
    assert_release_earns_nothing(lesson)


@pytest.mark.slow
def test_the_lab_kernel_runs_the_chain_on_revm(on_revm, tmp_path):
    """Does SOLLAB_BACKEND reach the kernel the checks above run in (else they prove nothing)?"""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("print(lab.chain.backend_name)")]
    )
    NotebookClient(
        nb, timeout=120, kernel_name="sollab", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    assert nb.cells[0].outputs[0]["text"].strip() == "revm"
