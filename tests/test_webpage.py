"""The exported web/ page (sollab.webpage) in a real browser: headless Debian Chromium driven by
playwright-core opens it from disk against a separate `sollab node`, by RPC URL and through an
injected wallet (window.ethereum), stores a number through the form generated from the ABI,
and the page and the chain both show the new state."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from nodekit import DEV_KEY, NODE_CHAIN_ID, rpc, sollab_node
from test_deployment import BOX, run_cli

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


@pytest.mark.slow
def test_the_page_calls_a_function_through_its_form(tmp_path, capsys, monkeypatch, repo):
    from sollab.node import find_node

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (`make setup` as root)")
    if not (repo / "node_modules" / "playwright-core").is_dir():
        pytest.fail("playwright-core is not installed: run `make setup` (npm ci)")
    source = tmp_path / "Box.sol"
    source.write_text(BOX)
    records = tmp_path / "records.json"
    monkeypatch.setenv("SOLLAB_DEPLOY_KEY", DEV_KEY)
    with sollab_node() as node:
        code, _, err = run_cli(capsys, "deploy", str(source), "7", "--rpc", node, "--chain-id",
                               str(NODE_CHAIN_ID), "--key-env", "SOLLAB_DEPLOY_KEY", "--yes",
                               "--record", str(records))  # fmt: skip
        assert code == 0, err
        address = json.loads(records.read_text())[-1]["address"]
        out = tmp_path / "portfolio"
        code, _, err = run_cli(capsys, "export", str(records), str(out))
        assert code == 0, err
        page = (out / "web" / "index.html").as_uri() + f"?rpc={node}"
        shot = tmp_path / "page.png"
        run = subprocess.run(
            [find_node().executable, str(repo / "tests" / "js" / "dapp.mjs"), page,
             str(tmp_path / "profile"), str(shot)],
            capture_output=True, text=True, timeout=180, cwd=repo,
            env={**os.environ, "NODE_NO_WARNINGS": "1", "CHROMIUM": CHROMIUM},
        )  # fmt: skip
        seen = json.loads(run.stdout.strip().splitlines()[-1]) if run.stdout.strip() else {}
        assert run.returncode == 0 and "error" not in seen, (seen, run.stderr)
        on_chain = rpc(node, "eth_call", {"to": address, "data": "0x3fa4f245"}, "latest")
        first_account, second_account = rpc(node, "eth_accounts")[:2]
        logs = rpc(node, "eth_getLogs", {"address": address, "fromBlock": "0x0"})
    assert seen["status"] == f"Connected to Box at {address}."
    assert seen["chain"] == f"{NODE_CHAIN_ID} (sollab-node)"
    assert seen["account"].lower() == first_account
    assert seen["forms"] == ["store(uint256)", "value() (view)"]
    assert (seen["before"], seen["after"]) == ("7", "42")
    assert seen["result"].startswith("mined in block ") and "status 1" in seen["result"]
    block = int(logs[0]["blockNumber"], 16)  # the RPC page's own store(42)
    assert [e.lower() for e in seen["events"]] == [f"stored({first_account}, 42) in block {block}"]
    assert "too big" in seen["revert"] and seen["afterRevert"] == "42"
    assert seen["viewCall"] == "42"
    assert seen["wallet"]["status"] == f"Connected to Box at {address}."
    assert seen["wallet"]["account"].lower() == second_account
    assert (seen["wallet"]["before"], seen["wallet"]["after"]) == ("42", "43")
    assert "eth_requestAccounts" in seen["wallet"]["requests"]
    assert "eth_sendTransaction" in seen["wallet"]["requests"]  # the wallet sent it
    assert int(on_chain, 16) == 43  # the pages' transactions are on chain
    assert [log["topics"][1][-40:] for log in logs] == [first_account[2:], second_account[2:]]
    # Everything came from the folder or the node: no CDN, no other host.
    assert seen["requests"] and all(u.startswith((out.as_uri(), node)) for u in seen["requests"]), (
        seen["requests"]
    )
    assert seen["console"] == []
    assert shot.stat().st_size > 10_000
