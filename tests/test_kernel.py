"""The lab's Jupyter kernel: its kernelspec, and a real kernel running a `%%solidity` cell."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from sollab import kernel

CELL = """%%solidity
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

contract KernelCounter {
    uint256 public count;

    constructor(uint256 start) {
        count = start;
    }

    function increment() external {
        count += 1;
    }
}
"""


def test_install_writes_the_kernelspec(tmp_path):
    """Does `install(prefix)` write share/jupyter/kernels/sollab/kernel.json whose argv runs
    `ipykernel_launcher` with `--ext=sollab` on this Python?"""
    folder = kernel.install(tmp_path)
    assert folder == tmp_path / "share" / "jupyter" / "kernels" / "sollab"
    spec = json.loads((folder / "kernel.json").read_text())
    argv = spec["argv"]
    assert argv[0] == sys.executable
    assert argv[1:3] == ["-m", "ipykernel_launcher"]
    assert "{connection_file}" in argv
    assert "--ext=sollab" in argv
    assert spec["language"] == "python"
    assert spec["display_name"] == kernel.DISPLAY_NAME


def test_install_twice_gives_the_same_file(tmp_path):
    """Does installing again rewrite the same kernel.json, byte for byte?"""
    first = (kernel.install(tmp_path) / "kernel.json").read_bytes()
    second = (kernel.install(tmp_path) / "kernel.json").read_bytes()
    assert first == second
    assert sorted(p.name for p in (tmp_path / "share" / "jupyter" / "kernels").iterdir()) == [
        "sollab"
    ]


def test_installed_spec_is_readable_by_jupyter_client(tmp_path):
    """Does jupyter_client read the written spec as the `sollab` kernel?"""
    from jupyter_client.kernelspec import KernelSpecManager

    kernel.install(tmp_path)
    manager = KernelSpecManager(kernel_dirs=[str(tmp_path / "share" / "jupyter" / "kernels")])
    spec = manager.get_kernel_spec("sollab")
    assert spec.argv[-1] == "--ext=sollab"
    assert spec.display_name == kernel.DISPLAY_NAME


def _run(client, code: str) -> tuple[dict, list[dict]]:
    """Execute `code`; returns the reply's content and every output message's content+type."""
    outputs: list[dict] = []

    def keep(msg: dict) -> None:
        if msg["msg_type"] in ("execute_result", "display_data", "stream", "error"):
            outputs.append(dict(msg["content"], msg_type=msg["msg_type"]))

    reply = client.execute_interactive(code, timeout=120, output_hook=keep)
    return reply["content"], outputs


@pytest.mark.slow
def test_real_kernel_runs_a_solidity_cell_without_load_ext(tmp_path):
    """Does a kernel started from the installed `sollab` spec run a `%%solidity` cell with no
    `%load_ext`, show the compile, deploy and call the contract, have `lab` defined, and show a
    lab error as the learner's own line (ipykernel's cell file counts as "your cell")?"""
    from jupyter_client import KernelManager
    from jupyter_client.kernelspec import KernelSpecManager

    kernels = Path(sys.prefix) / "share" / "jupyter" / "kernels"
    if not (kernels / "sollab" / "kernel.json").is_file():
        pytest.fail(f"no sollab kernelspec in {kernels}: run `make setup`")
    manager = KernelManager(
        kernel_name="sollab", kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernels)])
    )
    manager.start_kernel(cwd=str(tmp_path))
    client = manager.client()
    try:
        client.start_channels()
        client.wait_for_ready(timeout=120)

        reply, outputs = _run(client, CELL)
        assert reply["status"] == "ok", reply
        shown = [o for o in outputs if o["msg_type"] == "display_data"]
        assert len(shown) == 1
        assert "KernelCounter" in shown[0]["data"]["text/plain"]
        assert "text/html" in shown[0]["data"]

        reply, outputs = _run(client, "c = KernelCounter.deploy(5)\nc.increment()\nc.count()")
        assert reply["status"] == "ok", reply
        results = [o for o in outputs if o["msg_type"] == "execute_result"]
        assert [r["data"]["text/plain"] for r in results] == ["6"]

        reply, outputs = _run(client, "lab.__name__")
        assert [o["data"]["text/plain"] for o in outputs] == ["'sollab'"]

        reply, outputs = _run(client, "x = 1\nc.increment(1)")
        assert reply["status"] == "error"
        assert reply["ename"] == "ArgumentError"
        traceback = "\n".join(reply["traceback"])
        assert "line 2 of your cell: c.increment(1)" in traceback
        assert "sollab/" not in traceback and "site-packages" not in traceback
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
