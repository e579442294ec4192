"""`sollab deploy` (sollab.deployment) against a real `sollab node` in its own process: a
deployment recorded and driven from ethers.js, keys from a variable or a keystore that never
show, and one clear line for each bad input (node down, wrong chain, no funds, bad password)."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from nodekit import DEV_KEY, NODE_CHAIN_ID, rpc, sollab, sollab_node
from sollab.cli import main
from sollab.deployment import key_from_keystore, write_keystore

REPO = Path(__file__).resolve().parent.parent

BOX = """// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title A box for one number
/// @notice Stores a number under 100 and tells everyone when it changes.
contract Box {
    /// @notice `value` was stored by `by`.
    event Stored(address indexed by, uint256 indexed value);
    /// @notice The number in the box.
    uint256 public value;

    constructor(uint256 initial) payable { value = initial; }

    /// @notice Store `v` (under 100).
    function store(uint256 v) external {
        require(v < 100, "too big");
        value = v;
        emit Stored(msg.sender, v);
    }
}
"""
DEPLOYER = "0x6813Eb9362372EEF6200f3b1dbC3f819671cBA69"  # DEV_KEY's address (carol)


@pytest.fixture(scope="module")
def node():
    with sollab_node() as url:
        yield url


@pytest.fixture(scope="module")
def box_file(tmp_path_factory):
    """Box.sol outside both the lab and the working directory."""
    path = tmp_path_factory.mktemp("elsewhere") / "Box.sol"
    path.write_text(BOX)
    return path


@pytest.fixture(scope="module")
def deployed(node, box_file, tmp_path_factory):
    """`sollab deploy Box.sol 7 --key-env ... --yes --json`, run as a user would."""
    record = tmp_path_factory.mktemp("records") / "deployments.json"
    env = {"SOLLAB_DEPLOY_KEY": DEV_KEY}
    argv = [f"{box_file}:Box", "7", "--rpc", node, "--chain-id", str(NODE_CHAIN_ID)]
    run = sollab("deploy", *argv, "--key-env", "SOLLAB_DEPLOY_KEY", "--yes", "--json",
                 "--record", str(record), env=env)  # fmt: skip
    assert run.returncode == 0, run.stderr
    return run, json.loads(run.stdout), record


def run_cli(capsys, *argv: str, stdin: str = "") -> tuple[int, str, str]:
    code = 0
    old = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        main(list(argv))
    except SystemExit as exc:
        code = exc.code or 0
    finally:
        sys.stdin = old
    out, err = capsys.readouterr()
    return code, out, err


def deploy_argv(node, box_file, *extra, chain_id=NODE_CHAIN_ID):
    return ["deploy", str(box_file), "7", "--rpc", node, "--chain-id", str(chain_id), *extra]


def test_deploy_records_what_the_chain_has(deployed, node):
    """Is the contract on the node, with the code, state and transaction the record names?"""
    run, shown, record_file = deployed
    records = json.loads(record_file.read_text())
    assert len(records) == 1
    record = records[0]
    assert shown["address"] == record["address"] and shown["recordFile"] == str(record_file)
    assert record["network"] == "sollab-node" and record["chainId"] == NODE_CHAIN_ID
    assert record["contract"] == "Box" and record["deployer"] == DEPLOYER
    assert record["constructorArgs"] == [7]
    assert record["constructorArgsEncoded"] == "0x" + (7).to_bytes(32, "big").hex()
    assert rpc(node, "eth_getCode", record["address"], "latest") == record["deployedBytecode"]
    value = rpc(node, "eth_call", {"to": record["address"], "data": "0x3fa4f245"}, "latest")
    assert int(value, 16) == 7  # value()
    receipt = rpc(node, "eth_getTransactionReceipt", record["transactionHash"])
    assert receipt["status"] == "0x1" and int(receipt["blockNumber"], 16) == record["blockNumber"]
    assert receipt["from"].lower() == DEPLOYER.lower()
    assert int(receipt["gasUsed"], 16) == record["gasUsed"]
    # Compiled under its file name, not this machine's absolute path.
    assert list(record["standardJsonInput"]["sources"]) == ["Box.sol"]
    assert "Deploy Box(7) to sollab-node (chain id 131277322940537)" in run.stderr
    assert "cost      at most" in run.stderr


def test_the_key_is_never_printed_or_recorded(deployed):
    run, _, record_file = deployed
    bare = DEV_KEY[2:]
    text = run.stdout + run.stderr + record_file.read_text()
    assert bare not in text.lower() and bare.upper() not in text


@pytest.mark.slow
def test_ethers_drives_the_deployed_contract(deployed, node, tmp_path, repo):
    """The acceptance script: ethers.js (npm) reads balances, sends a transaction to the
    deployed contract, and queries its event log by topic."""
    from sollab.node import find_node

    _, _, record_file = deployed
    record = json.loads(record_file.read_text())[0]
    abi_file = tmp_path / "abi.json"
    abi_file.write_text(json.dumps(record["abi"]))
    run = subprocess.run(
        [find_node().executable, str(repo / "tests" / "js" / "deployed.mjs"), node,
         record["address"], str(abi_file), DEPLOYER],
        capture_output=True, text=True, timeout=120, cwd=repo,
        env={**os.environ, "NODE_NO_WARNINGS": "1"},
    )  # fmt: skip
    out = json.loads(run.stdout.strip().splitlines()[-1]) if run.stdout.strip() else {}
    assert run.returncode == 0 and "error" not in out, (out.get("error"), run.stderr)
    assert out["chainId"] == str(NODE_CHAIN_ID) and out["code"] is True
    assert int(out["deployerBalance"]) == int(rpc(node, "eth_getBalance", DEPLOYER, "latest"), 16)
    assert (out["before"], out["after"], out["status"]) == ("7", "42", 1)
    assert out["paid"] == out["fee"] != "0"  # the signer paid exactly the transaction's fee
    signer = rpc(node, "eth_accounts")[1]
    assert [(e["name"], e["by"].lower(), e["value"]) for e in out["events"]] == [
        ("Stored", signer, "42")
    ]
    assert out["byDeployer"] == 0


def test_keystore_with_a_password_from_a_variable_or_the_prompt(
    node, box_file, tmp_path, capsys, monkeypatch
):
    # A lighter scrypt than geth's 2**18 (same format and code path), so the test stays quick.
    keystore = write_keystore(DEV_KEY, "correct horse", tmp_path / "key.json", iterations=2**12)
    assert oct(keystore.stat().st_mode & 0o777) == "0o600"
    assert key_from_keystore(keystore, "correct horse").address == DEPLOYER
    record = tmp_path / "d.json"
    monkeypatch.setenv("KS_PASSWORD", "correct horse")
    argv = deploy_argv(node, box_file, "--keystore", str(keystore), "-y", "--record", str(record))
    code, out, err = run_cli(capsys, *argv, "--password-env", "KS_PASSWORD")
    assert code == 0, err
    assert "Deployed Box at 0x" in out
    asked = []
    monkeypatch.setattr("getpass.getpass", lambda prompt: asked.append(prompt) or "correct horse")
    code, out, err = run_cli(capsys, *argv)
    assert code == 0, err
    assert asked == [f"Password for {keystore}: "]
    assert [r["deployer"] for r in json.loads(record.read_text())] == [DEPLOYER, DEPLOYER]
    assert DEV_KEY[2:] not in (out + err + record.read_text()).lower()


def test_a_wrong_keystore_password_is_one_line(node, box_file, tmp_path, capsys, monkeypatch):
    keystore = write_keystore(DEV_KEY, "right", tmp_path / "key.json", iterations=2**12)
    monkeypatch.setattr("getpass.getpass", lambda prompt: "wrong")
    code, out, err = run_cli(capsys, *deploy_argv(node, box_file), "--keystore", str(keystore))
    assert (code, out) == (1, "")
    assert err == f"Error: wrong password for keystore {keystore}: try again\n"
    (tmp_path / "not.json").write_text("{}")
    code, _, err = run_cli(capsys, *deploy_argv(node, box_file), "--keystore",
                           str(tmp_path / "not.json"))  # fmt: skip
    assert err.startswith(f"Error: {tmp_path / 'not.json'} is not a keystore file")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_bad_deployments_are_one_line_each(node, box_file, tmp_path, capsys, monkeypatch):
    """Node down, wrong chain id, an underfunded key, a missing or malformed key variable,
    wrong arguments: one line each, exit 1, nothing recorded."""
    from eth_account import Account

    record = tmp_path / "d.json"
    keep = ["--record", str(record), "--yes"]
    monkeypatch.setenv("GOOD_KEY", DEV_KEY)
    poor = Account.create()
    monkeypatch.setenv("POOR_KEY", poor.key.hex())
    monkeypatch.setenv("BAD_KEY", "0x1234secret")
    port = free_port()
    not_records = tmp_path / "notes.json"
    not_records.write_text("my notes, not JSON")
    nonce = rpc(node, "eth_getTransactionCount", DEPLOYER, "latest")
    cases = [
        (
            ["deploy", str(box_file), "7", "--rpc", f"http://127.0.0.1:{port}", "--chain-id", "1",
             "--key-env", "GOOD_KEY", *keep],
            f"Error: cannot reach the RPC endpoint http://127.0.0.1:{port} (connection refused): "
            "start the node or check --rpc\n",
        ),
        (
            deploy_argv(node, box_file, "--key-env", "GOOD_KEY", *keep, chain_id=11155111),
            f"Error: {node} is chain {NODE_CHAIN_ID} (sollab-node), not --chain-id 11155111: "
            f"check --rpc, or pass --chain-id {NODE_CHAIN_ID} if that is the chain you mean\n",
        ),
        (
            deploy_argv(node, box_file, "--key-env", "POOR_KEY", *keep),
            f"Error: the key's account {poor.address} has 0 ETH, and the deployment may cost up "
            "to ",
        ),
        (
            deploy_argv(node, box_file, "--key-env", "UNSET_KEY_VAR", *keep),
            "Error: environment variable UNSET_KEY_VAR is not set: export UNSET_KEY_VAR=0x<your "
            "private key> (or use --keystore FILE)\n",
        ),
        (
            deploy_argv(node, box_file, "--key-env", "BAD_KEY", *keep),
            "Error: BAD_KEY does not hold a private key: it must be 64 hex digits (optionally "
            "0x-prefixed), and it has 12 characters\n",
        ),
        (
            deploy_argv(node, box_file, *keep),
            "Error: say which key signs: --key-env VAR (a variable holding the key) or "
            "--keystore FILE\n",
        ),
        (
            ["deploy", str(box_file), "--rpc", node, "--chain-id", str(NODE_CHAIN_ID),
             "--key-env", "GOOD_KEY", *keep],
            "Error: Box's constructor takes 1 argument(s) (uint256 initial), got 0: give them "
            f"after {box_file}\n",
        ),
        (
            ["deploy", str(box_file), "seven", "--rpc", node, "--chain-id",
             str(NODE_CHAIN_ID), "--key-env", "GOOD_KEY", *keep],
            "Error: constructor argument 1 `initial` (uint256) must be a number such as 42 or "
            "0x2a, got 'seven'\n",
        ),
        (
            deploy_argv(node, box_file, "--key-env", "GOOD_KEY", "--value", "5", *keep),
            None,  # Box's constructor is payable: this one succeeds (checked below)
        ),
        (
            deploy_argv(node, tmp_path / "Missing.sol", "--key-env", "GOOD_KEY", *keep),
            f"Error: {tmp_path / 'Missing.sol'} does not exist: check the path\n",
        ),
        (
            deploy_argv(node, box_file, "--key-env", "GOOD_KEY", "--network", "../up", *keep),
            "Error: --network '../up': use letters, digits, '-', '_' and '.' (it names the file "
            "the deployment is recorded in)\n",
        ),
        (  # checked before anything is sent: a paid deployment is never left unrecorded
            deploy_argv(node, box_file, "--key-env", "GOOD_KEY", "--yes", "--record",
                        str(not_records)),
            f"Error: {not_records} is not a deployments file (JSON): check the path\n",
        ),
        (
            ["deploy", str(box_file), "7", "--rpc", "http://127.0.0.1:99999/v3/0123secret",
             "--chain-id", "1", "--key-env", "GOOD_KEY", *keep],
            "Error: --rpc is not an HTTP(S) URL with a host and a valid port (it starts "
            "'http://1'): give one such as http://127.0.0.1:8545\n",
        ),
    ]  # fmt: skip
    for argv, expected in cases:
        code, out, err = run_cli(capsys, *argv)
        if expected is None:
            assert code == 0, err
            continue
        assert code == 1, (argv, err)
        assert err.startswith(expected) if not expected.endswith("\n") else err == expected, err
        assert err.count("\n") == 1 and "Traceback" not in err
        assert "1234secret" not in out + err and "0123secret" not in out + err
    assert not_records.read_text() == "my notes, not JSON"
    deployed = json.loads(record.read_text())
    assert [r["value"] for r in deployed] == ["5"]  # only the good one was recorded
    balance = rpc(node, "eth_getBalance", deployed[0]["address"], "latest")
    assert int(balance, 16) == 5
    sent = int(rpc(node, "eth_getTransactionCount", DEPLOYER, "latest"), 16) - int(nonce, 16)
    assert sent == 1  # the good one alone


def test_an_endpoint_that_answers_nonsense_is_one_line():
    """A JSON-RPC answer that is not a hex quantity ends as one DeployError naming it."""
    from sollab.deployment import DeployError, _quantity

    assert _quantity("0x1a", "x") == 26
    for nonsense in (None, "12", "0xzz", 5):
        with pytest.raises(DeployError, match="not a hex number: is it an Ethereum node"):
            _quantity(nonsense, "eth_chainId from http://127.0.0.1:8545")


def test_saying_no_at_the_prompt_deploys_nothing(node, box_file, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("GOOD_KEY", DEV_KEY)
    record = tmp_path / "d.json"
    before = rpc(node, "eth_getTransactionCount", DEPLOYER, "latest")
    argv = deploy_argv(node, box_file, "--key-env", "GOOD_KEY", "--record", str(record))
    code, _, err = run_cli(capsys, *argv, stdin="n\n")
    assert code == 130 and "Deploy?" in err and "Aborted." in err
    assert not record.exists()
    assert rpc(node, "eth_getTransactionCount", DEPLOYER, "latest") == before


@pytest.mark.slow
def test_deploy_to_ganache_an_npm_dev_node(box_file, tmp_path, capsys, monkeypatch):
    """The same deployment against another node implementation: Ganache 7 (npm), started here.
    `make test` installs it in tests/js/devnodes/ (180 MB, so not in the lab's own
    package.json; npm 11 skips its optional native add-ons and it runs on their JavaScript
    fallbacks); $SOLLAB_GANACHE names another CLI."""
    import time
    import urllib.error

    installed = REPO / "tests" / "js" / "devnodes" / "node_modules" / "ganache" / "dist" / "node"
    ganache = os.environ.get("SOLLAB_GANACHE") or str(installed / "cli.js")
    if not Path(ganache).exists():
        pytest.skip(f"no Ganache at {ganache}: `make test` installs it (tests/js/devnodes)")
    from sollab.node import find_node

    port = free_port()
    process = subprocess.Popen(
        [find_node().executable, ganache, "--port", str(port), "--chain.chainId", "1337",
         "--chain.hardfork", "shanghai", "--logging.quiet",
         "--wallet.accounts", f"{DEV_KEY},{10**20}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                rpc(url, "eth_chainId")
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline and process.poll() is None, process.stderr
                time.sleep(0.3)
        monkeypatch.setenv("GOOD_KEY", DEV_KEY)
        record = tmp_path / "d.json"
        code, _, err = run_cli(capsys, "deploy", str(box_file), "11", "--rpc", url,
                                 "--chain-id", "1337", "--key-env", "GOOD_KEY", "--yes",
                                 "--evm-version", "shanghai", "--record", str(record))  # fmt: skip
        assert code == 0, err
        deployed = json.loads(record.read_text())[0]
        assert deployed["network"] == "localhost" and deployed["chainId"] == 1337
        assert (
            rpc(url, "eth_getCode", deployed["address"], "latest") == deployed["deployedBytecode"]
        )
        value = rpc(url, "eth_call", {"to": deployed["address"], "data": "0x3fa4f245"}, "latest")
        assert int(value, 16) == 11
        assert deployed["standardJsonInput"]["settings"]["evmVersion"] == "shanghai"
    finally:
        process.kill()
        process.wait()


def test_a_compile_error_or_an_option_typo_deploys_nothing(node, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("GOOD_KEY", DEV_KEY)
    bad = tmp_path / "Bad.sol"
    bad.write_text("pragma solidity ^0.8.0;\ncontract Bad {\n  function f() public { y = 1; }\n}\n")
    record = tmp_path / "d.json"
    keep = ["--rpc", node, "--chain-id", str(NODE_CHAIN_ID), "--key-env", "GOOD_KEY", "--yes",
            "--record", str(record)]  # fmt: skip
    code, out, err = run_cli(capsys, "deploy", str(bad), *keep)
    assert (code, out) == (1, "")
    assert "Bad.sol:3:25: DeclarationError: Undeclared identifier." in err and "^" in err
    assert err.endswith("Error: 1 compile error; nothing was deployed\n")
    code, _, err = run_cli(capsys, "deploy", str(bad), "1", "--chain-i", "5", *keep)
    assert code == 2 and err.endswith(
        "Error: No such option: --chain-i. Did you mean --chain-id?\n"
    )
    assert not record.exists()


def test_an_rpc_url_is_shown_and_recorded_without_its_api_key():
    """Hosted endpoints carry an API key in the path or query: never printed nor recorded."""
    from sollab.deployment import safe_url

    assert (
        safe_url("https://user:pw@eth.example.org/v3/0123abcd?key=x") == "https://eth.example.org/…"
    )
    assert safe_url("http://127.0.0.1:8545") == "http://127.0.0.1:8545"
    assert safe_url("http://[::1]:8545/") == "http://[::1]:8545"


def test_an_unfinished_notebook_cell_is_not_deployed(node, tmp_path, capsys, monkeypatch):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("%%solidity\ncontract Todo {\n    // YOUR CODE HERE\n}\n"),
        nbformat.v4.new_code_cell("%%solidity\n" + BOX),
    ]
    path = tmp_path / "lesson.ipynb"
    nbformat.write(nb, path)
    monkeypatch.setenv("GOOD_KEY", DEV_KEY)
    keep = ["--rpc", node, "--chain-id", str(NODE_CHAIN_ID), "--key-env", "GOOD_KEY", "--yes",
            "--record", str(tmp_path / "d.json")]  # fmt: skip
    code, _, err = run_cli(capsys, "deploy", f"{path}:Todo", *keep)
    assert (code, err) == (
        1,
        f"Error: {path}: the cell of Todo still says `// YOUR CODE HERE`: finish it first\n",
    )
    code, out, err = run_cli(capsys, "deploy", str(path), "4", *keep)  # Box: the only finished one
    assert code == 0, err
    assert "Deployed Box at" in out


def test_a_notebook_cell_compiles_with_its_own_flags_as_the_magic_reads_them(tmp_path):
    """`--solc=X` and `--solc X`, `--optimize`: the magic's own parser reads the cell's line; a
    flag it does not know is one line naming the cell's flags."""
    import nbformat

    from sollab.compiler import compile_source
    from sollab.deployment import DeployError, load_contract

    version = compile_source(BOX, "Box.sol")["Box"].solc_version.split("+")[0]
    path = tmp_path / "lesson.ipynb"
    for line in (f"--solc={version} --optimize", f"--optimize --solc {version}"):
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(f"%%solidity {line}\n{BOX}")]
        nbformat.write(nb, path)
        artifact, origin = load_contract(str(path))
        assert artifact.name == "Box" and origin["kind"] == "notebook"
        assert json.loads(artifact.metadata)["settings"]["optimizer"]["enabled"] is True, line
    nb.cells = [nbformat.v4.new_code_cell(f"%%solidity --optimise\n{BOX}")]
    nbformat.write(nb, path)
    with pytest.raises(DeployError) as caught:
        load_contract(str(path))
    assert str(caught.value) == (
        f"{path}: `%%solidity --optimise`: unrecognized arguments: --optimise "
        "(the flags are --optimize, --via-ir, --solc VERSION)"
    )
    nb.cells = [nbformat.v4.new_code_cell(f'%%solidity --solc "0.8\n{BOX}')]
    nbformat.write(nb, path)
    with pytest.raises(DeployError, match="No closing quotation"):
        load_contract(str(path))
