"""The example notebooks run end to end in the lab's own kernel (outputs are not committed)."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((REPO / "examples").glob("*.ipynb"))


def _outputs_text(cell) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if "text" in out:
            parts.append(out["text"])
        for kind in ("text/plain", "text/html"):
            parts.append(out.get("data", {}).get(kind, ""))
        parts.extend(out.get("traceback", []))
    return "\n".join(parts)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_notebook_is_committed_without_outputs(path):
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None


@pytest.mark.slow
def test_first_contract_runs_in_the_sollab_kernel():
    """Does the demo notebook run top to bottom in the 'sollab' kernel, with the compiled view,
    the receipt, the revert pointing at its Solidity line, the anchor undoing changes, and the
    trace, diff, storage, disassembly and gas report views?"""
    path = REPO / "examples" / "01-first-contract.ipynb"
    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb, timeout=120, kernel_name="sollab", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    texts = [_outputs_text(c) for c in nb.cells if c.cell_type == "code"]
    compiled, overview, deployed, receipt, fields, reverted, failing, anchored = texts[:8]
    traced, by_line, diffed, storage, disassembled, report = texts[8:]
    assert "Compiled with solc 0.8.37" in compiled and "Counter" in compiled
    assert "increment()" in overview and "NotOwner(address caller)" in overview
    assert deployed.strip().endswith("41")
    assert "gas used" in receipt and "Incremented" in receipt
    assert fields.split()[1:] == ["Incremented", "42"]
    assert reverted.strip().endswith("42")
    assert "CustomError" in failing and "NotOwner(caller=" in failing
    assert "revert NotOwner(msg.sender)" in failing  # the Solidity line, with a caret
    assert "inside: 47" in anchored and "after: 42" in anchored
    assert "Trace of Counter.increment()" in traced and "most gas" in traced
    assert "count += 1;" in by_line
    assert "Changes made by Counter.increment()" in diffed
    assert "count" in storage and "owner" in storage
    assert "PUSH1 0x80" in disassembled
    assert "Counter.increment()" in report and "median" in report
