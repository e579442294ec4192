"""The local node (``sollab.devnode``, ``sollab node``, ``chain.serve()``) driven by real clients:
web3.py's HTTPProvider, raw HTTP for bad input, and ethers.js and viem from npm."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

import sollab
from sollab.chain import Chain
from sollab.errors import LabError

SOURCE = """// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

contract Box {
    event Stored(address indexed by, uint256 indexed value);
    uint256 public value;

    constructor(uint256 initial) payable { value = initial; }

    /// @notice Store `v` (under 100).
    function store(uint256 v) external {
        require(v < 100, "too big");
        value = v;
        emit Stored(msg.sender, v);
    }

    function now_() external view returns (uint256) { return block.timestamp; }
}
"""
CHAIN_ID = 131277322940537
ERROR_TOO_BIG = (
    "0x08c379a0"
    + "0000000000000000000000000000000000000000000000000000000000000020"
    + "0000000000000000000000000000000000000000000000000000000000000007"
    + "746f6f2062696700000000000000000000000000000000000000000000000000"
)


@pytest.fixture(scope="module")
def box():
    return sollab.compile_source(SOURCE)["Box"]


@pytest.fixture(scope="module")
def served():
    chain = Chain()
    server = chain.serve(port=0)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def w3(served):
    from web3 import HTTPProvider, Web3

    return Web3(HTTPProvider(served.url))


def rpc(url: str, method: str, *params):
    """One JSON-RPC request; the whole response object."""
    body = json.dumps({"jsonrpc": "2.0", "id": 7, "method": method, "params": list(params)})
    return post(url, body.encode())


def post(url: str, body: bytes, headers: dict | None = None):
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return {"http_status": exc.code, **json.loads(exc.read())}


def result(url: str, method: str, *params):
    answer = rpc(url, method, *params)
    assert "error" not in answer, answer
    return answer["result"]


def deploy_box(w3, box, initial=1):
    contract = w3.eth.contract(abi=box.abi, bytecode=box.bytecode)
    tx_hash = contract.constructor(initial).transact({"from": w3.eth.accounts[0]})
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash)
    return w3.eth.contract(address=receipt.contractAddress, abi=box.abi), receipt


# -- what web3.py sees ----------------------------------------------------------------------


def test_chain_id_accounts_and_balances_are_the_lab_chains(served, w3):
    """Does the node answer as a dev node: chain id, ten unlocked funded accounts?"""
    assert w3.eth.chain_id == CHAIN_ID
    assert result(served.url, "net_version") == str(CHAIN_ID)
    assert result(served.url, "web3_clientVersion").startswith("sollab/")
    assert w3.eth.accounts == [a.address for a in served.chain.accounts]
    assert w3.eth.get_balance(served.chain.bob) == served.chain.balance(served.chain.bob) > 0
    assert result(served.url, "eth_blockNumber") == hex(served.chain.block_number)


def test_sending_ether_moves_it_and_gives_a_receipt(w3):
    alice, bob = w3.eth.accounts[:2]
    before = w3.eth.get_balance(bob)
    tx_hash = w3.eth.send_transaction({"from": alice, "to": bob, "value": 12345})
    receipt = w3.eth.get_transaction_receipt(tx_hash)
    assert receipt.status == 1 and receipt.gasUsed == 21000
    assert w3.eth.get_balance(bob) - before == 12345
    tx = w3.eth.get_transaction(tx_hash)
    assert (tx["from"], tx["to"], tx["value"]) == (alice, bob, 12345)
    assert tx["blockNumber"] == receipt.blockNumber


def test_deploy_call_and_logs_by_topic(w3, box):
    """A contract deployed through eth_sendTransaction works, and eth_getLogs filters by topic."""
    contract, receipt = deploy_box(w3, box, 5)
    assert receipt.status == 1 and receipt.contractAddress
    assert w3.eth.get_code(contract.address) == bytes.fromhex(box.deployed_bytecode[2:])
    assert contract.functions.value().call() == 5
    assert int.from_bytes(w3.eth.get_storage_at(contract.address, 0), "big") == 5
    estimate = contract.functions.store(42).estimate_gas({"from": w3.eth.accounts[1]})
    tx_hash = contract.functions.store(42).transact({"from": w3.eth.accounts[1], "gas": estimate})
    stored = w3.eth.get_transaction_receipt(tx_hash)
    assert stored.status == 1 and stored.gasUsed <= estimate
    contract.functions.store(43).transact({"from": w3.eth.accounts[2]})
    assert contract.functions.value().call() == 43

    event = contract.events.Stored()
    topic = event.topic
    all_logs = w3.eth.get_logs({"fromBlock": 0, "address": contract.address})
    assert len(all_logs) == 2
    value_42 = "0x" + (42).to_bytes(32, "big").hex()
    only_42 = w3.eth.get_logs({"fromBlock": 0, "topics": [topic, None, value_42]})
    assert [event.process_log(log).args.value for log in only_42] == [42]
    by_bob = "0x" + bytes.fromhex(w3.eth.accounts[1][2:].lower()).rjust(32, b"\0").hex()
    assert len(w3.eth.get_logs({"fromBlock": 0, "topics": [topic, by_bob]})) == 1
    assert (
        w3.eth.get_logs(
            {"fromBlock": stored.blockNumber + 1, "toBlock": "latest", "topics": [topic, by_bob]}
        )
        == []
    )
    assert w3.eth.get_logs({"blockHash": stored.blockHash})[0]["transactionHash"] == tx_hash
    assert stored.logsBloom != b"\0" * 256


def test_raw_transaction_signed_by_a_new_funded_key(w3, box):
    """eth_sendRawTransaction takes a type-2 transaction signed with eth-account by any funded
    key (here one the node does not know)."""
    from eth_account import Account

    key = Account.create()
    w3.eth.send_transaction({"from": w3.eth.accounts[0], "to": key.address, "value": 10**18})
    contract = w3.eth.contract(abi=box.abi, bytecode=box.bytecode)
    tx = contract.constructor(9).build_transaction(
        {"from": key.address, "nonce": w3.eth.get_transaction_count(key.address)}
    )
    signed = key.sign_transaction(tx)
    tx_hash = w3.eth.send_raw_transaction(signed.raw_transaction)
    receipt = w3.eth.get_transaction_receipt(tx_hash)
    assert receipt.status == 1 and receipt["from"] == key.address
    assert (
        w3.eth.contract(address=receipt.contractAddress, abi=box.abi).functions.value().call() == 9
    )
    assert w3.eth.get_transaction_count(key.address) == 1


def test_a_revert_is_error_3_with_its_data(served, w3, box):
    """eth_call and eth_estimateGas answer a revert with code 3 and the revert data; a send
    without gas fails the same way, one with gas is mined with status 0 (as Anvil does)."""
    contract, _ = deploy_box(w3, box)
    alice = w3.eth.accounts[0]
    call = {"from": alice, "to": contract.address, "data": contract.encode_abi("store", [500])}
    for method in ("eth_call", "eth_estimateGas", "eth_sendTransaction"):
        answer = rpc(served.url, method, call)
        assert answer["error"] == {
            "code": 3,
            "message": "execution reverted: too big",
            "data": ERROR_TOO_BIG,
        }, method
    from web3.exceptions import ContractLogicError

    with pytest.raises(ContractLogicError, match="too big"):
        contract.functions.store(500).call()
    tx_hash = result(served.url, "eth_sendTransaction", dict(call, gas=hex(100_000)))
    assert w3.eth.get_transaction_receipt(tx_hash).status == 0


def test_a_panic_is_named(served, w3, box):
    source = SOURCE.replace("value = v;", "value = 10 / (v - v);")
    bad = sollab.compile_source(source)["Box"]
    contract, _ = deploy_box(w3, bad)
    answer = rpc(
        served.url, "eth_call", {"to": contract.address, "data": contract.encode_abi("store", [1])}
    )
    assert answer["error"]["code"] == 3
    assert "division or modulo by zero (0x12)" in answer["error"]["message"]
    assert answer["error"]["data"].startswith("0x4e487b71")


def test_snapshot_and_revert(served, w3):
    alice, carol = w3.eth.accounts[0], w3.eth.accounts[2]
    before, block = w3.eth.get_balance(carol), w3.eth.block_number
    snapshot = result(served.url, "evm_snapshot")
    w3.eth.send_transaction({"from": alice, "to": carol, "value": 777})
    assert w3.eth.get_balance(carol) == before + 777
    assert result(served.url, "evm_revert", snapshot) is True
    assert w3.eth.get_balance(carol) == before
    assert w3.eth.block_number <= block + 1  # (a snapshot may mine one empty block first)
    assert result(served.url, "evm_revert", snapshot) is False  # used up, as on Anvil
    assert result(served.url, "anvil_revert", "0x999") is False


def test_increase_time_and_mine(served, w3, box):
    contract, _ = deploy_box(w3, box)
    before = w3.eth.get_block("latest").timestamp
    assert result(served.url, "evm_increaseTime", hex(3600)) == hex(3600)
    assert result(served.url, "evm_mine") == "0x0"
    assert w3.eth.get_block("latest").timestamp >= before + 3600
    assert contract.functions.now_().call() >= before + 3600
    number = w3.eth.block_number
    result(served.url, "anvil_mine", "0x3")
    assert w3.eth.block_number == number + 3
    result(served.url, "anvil_setBalance", w3.eth.accounts[9], hex(5))
    assert w3.eth.get_balance(w3.eth.accounts[9]) == 5


def test_blocks_with_and_without_transactions_and_fee_fields(served, w3):
    tx_hash = w3.eth.send_transaction(
        {"from": w3.eth.accounts[0], "to": w3.eth.accounts[3], "value": 1}
    )
    number = w3.eth.get_transaction(tx_hash).blockNumber
    hashes = result(served.url, "eth_getBlockByNumber", hex(number), False)
    full = result(served.url, "eth_getBlockByNumber", hex(number), True)
    assert hashes["transactions"] == [tx_hash.to_0x_hex()]
    assert full["transactions"][0]["hash"] == tx_hash.to_0x_hex()
    assert full["transactions"][0]["value"] == "0x1"
    assert result(served.url, "eth_getBlockByHash", full["hash"], False) == hashes
    assert re.fullmatch(r"0x[0-9a-f]{512}", hashes["logsBloom"])
    for key in ("number", "gasLimit", "gasUsed", "timestamp", "baseFeePerGas"):
        assert re.fullmatch(r"0x(0|[1-9a-f][0-9a-f]*)", hashes[key]), key
    assert result(served.url, "eth_getBlockByNumber", hex(10**6), False) is None
    assert result(served.url, "eth_getTransactionByHash", "0x" + "ab" * 32) is None
    assert result(served.url, "eth_getTransactionReceipt", "0x" + "ab" * 32) is None
    history = w3.eth.fee_history(3, "latest", [25, 75])
    assert len(history.baseFeePerGas) == len(history.gasUsedRatio) + 1 == 4
    assert len(history.reward) == 3 and len(history.reward[0]) == 2
    assert w3.eth.gas_price > w3.eth.max_priority_fee > 0


def test_the_notebook_and_the_node_share_the_chain(served, w3, box):
    """What Python does on the chain is seen over RPC and the other way round, also while both
    run at once (the chain's lock keeps py-evm to one thread at a time)."""
    chain = served.chain
    contract = chain.deploy(box, 11)
    remote = w3.eth.contract(address=contract.address, abi=box.abi)
    assert remote.functions.value().call() == 11
    remote.functions.store(12).transact({"from": w3.eth.accounts[4]})
    assert contract.value() == 12

    errors: list[BaseException] = []

    def hammer() -> None:
        try:
            for i in range(15):
                remote.functions.store(i).transact({"from": w3.eth.accounts[7]})
        except BaseException as exc:  # reported below
            errors.append(exc)

    thread = threading.Thread(target=hammer)
    thread.start()
    for i in range(15):
        contract.store(50 + i, sender=chain.frank)
        chain.send(chain.grace, 1)
    thread.join()
    assert errors == []
    assert w3.eth.get_transaction_count(w3.eth.accounts[7]) == 15  # heidi, over RPC
    assert w3.eth.get_transaction_count(chain.frank) == 15  # frank, from Python
    assert len(w3.eth.get_logs({"fromBlock": 0, "address": contract.address})) == 31


# -- bad input -------------------------------------------------------------------------------


def _request(method: str, params) -> bytes:
    return json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).encode()


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"{not json", -32700),
        (b"\xff\xfe", -32700),
        (b"[]", -32600),
        (b'"eth_chainId"', -32600),
        (b'{"jsonrpc": "2.0", "id": 1}', -32600),
        (_request("eth_nope", []), -32601),
        (_request("eth_getBalance", ["0x12"]), -32602),
        (_request("eth_getBalance", []), -32602),
        (_request("eth_getBalance", {"a": 1}), -32602),
        (_request("eth_getBlockByNumber", ["x"]), -32602),
        (_request("eth_getBlockByNumber", [hex(10**9), False]), None),  # null, not an error
        (_request("eth_call", [{"data": "0xabc"}]), -32602),
        (_request("eth_call", [5]), -32602),
        (_request("eth_call", [{"to": "0x" + "11" * 20}, "earliest"]), -32602),  # an old block
        (_request("eth_getLogs", [{"topics": "x"}]), -32602),
        (_request("eth_sendRawTransaction", ["0x01"]), -32000),
        (_request("evm_increaseTime", ["-5"]), -32602),
        (_request("evm_revert", []), -32602),
    ],
)
def test_bad_requests_get_json_rpc_errors_and_the_node_keeps_serving(served, body, code):
    answer = post(served.url, body)
    if code is None:
        assert answer["result"] is None
        return
    assert answer["error"]["code"] == code, answer
    assert "\n" not in answer["error"]["message"] and "Traceback" not in answer["error"]["message"]
    assert result(served.url, "eth_chainId") == hex(CHAIN_ID)


def test_sending_from_a_locked_account_is_refused(served):
    answer = rpc(
        served.url,
        "eth_sendTransaction",
        {"from": "0x" + "12" * 20, "to": "0x" + "34" * 20, "value": "0x1"},
    )
    assert answer["error"]["code"] == -32000
    assert "not an unlocked account" in answer["error"]["message"]


def test_batches_answer_each_request_and_are_capped(served):
    from sollab.devnode import MAX_BATCH

    batch = [
        {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId"},
        {"jsonrpc": "2.0", "id": "two", "method": "eth_nope"},
        42,
        {"jsonrpc": "2.0", "id": 4, "method": "eth_blockNumber", "params": []},
    ]
    answers = post(served.url, json.dumps(batch).encode())
    assert [a["id"] for a in answers] == [1, "two", None, 4]
    assert answers[0]["result"] == hex(CHAIN_ID)
    assert [a.get("error", {}).get("code") for a in answers] == [None, -32601, -32600, None]
    huge = [{"jsonrpc": "2.0", "id": i, "method": "eth_chainId"} for i in range(MAX_BATCH + 1)]
    answer = post(served.url, json.dumps(huge).encode())
    assert answer["error"]["code"] == -32600 and "limit" in answer["error"]["message"]
    assert len(post(served.url, json.dumps(huge[:MAX_BATCH]).encode())) == MAX_BATCH


def _raw_http(port: int, head: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_an_oversized_or_unsized_body_is_refused_without_reading_it(served):
    from sollab.devnode import MAX_BODY

    answer = _raw_http(
        served.port,
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {MAX_BODY + 1}\r\n\r\n".encode(),
    )
    assert answer.startswith(b"HTTP/1.1 413") and b"-32600" in answer
    answer = _raw_http(served.port, b"POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 411") and b"-32600" in answer
    assert result(served.url, "eth_chainId") == hex(CHAIN_ID)


def test_cors_preflight_and_get(served):
    request = urllib.request.Request(served.url, method="OPTIONS")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 204
        assert response.headers["Access-Control-Allow-Origin"] == "*"
    with urllib.request.urlopen(served.url, timeout=10) as response:
        assert "POST" in json.loads(response.read())["hint"]


def test_a_port_in_use_is_one_clear_error(served):
    with pytest.raises(LabError, match=rf"^port {served.port} is in use: pass port=N$"):
        Chain().serve(port=served.port)


def test_a_host_the_node_cannot_listen_on_is_one_clear_error(capsys):
    from sollab.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["node", "--host", "192.0.2.1", "--port", "0"])  # TEST-NET: not this machine's
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("Error: cannot listen on 192.0.2.1 port 0: ") and err.count("\n") == 1


def test_serve_on_ipv6_loopback():
    try:
        socket.create_server(("::1", 0), family=socket.AF_INET6).close()
    except OSError:
        pytest.skip("this machine has no IPv6 loopback")
    server = Chain().serve(host="::1", port=0)
    try:
        assert server.url.startswith("http://[::1]:")
        assert result(server.url, "eth_chainId") == hex(CHAIN_ID)
    finally:
        server.stop()


def test_serve_binds_loopback_and_stops(box):
    """Does stop() free the port and close every open connection, a pooled one too?"""
    chain = Chain()
    server = chain.serve(port=0)
    assert server.url.startswith("http://127.0.0.1:")
    assert "serving" in repr(server)
    assert result(server.url, "eth_chainId") == hex(CHAIN_ID)
    from web3 import HTTPProvider, Web3

    w3 = Web3(HTTPProvider(server.url))  # keeps its connection open (a pooled session)
    assert w3.eth.chain_id == CHAIN_ID
    server.stop()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(server.url, timeout=5)
    with pytest.raises(Exception, match="onnection"):  # the pooled connection was closed too
        w3.eth.block_number  # noqa: B018
    again = chain.serve(port=server.port)  # the port was freed
    again.stop()


# -- `sollab node` as its own process, and JS clients ---------------------------------------


@pytest.fixture(scope="module")
def node_process():
    """`sollab node --port 0` in its own process; yields (process, url, banner)."""
    from nodekit import start_node

    process, url, banner = start_node()
    yield process, url, banner
    if process.poll() is None:
        process.kill()


def test_sollab_node_prints_accounts_and_serves(node_process):
    from web3 import HTTPProvider, Web3

    _, url, banner = node_process
    w3 = Web3(HTTPProvider(url))
    assert w3.eth.chain_id == CHAIN_ID
    assert w3.eth.accounts[0] in banner and "alice" in banner
    assert "0x" + "00" * 31 + "01" not in banner  # keys only with --keys
    tx_hash = w3.eth.send_transaction(
        {"from": w3.eth.accounts[0], "to": w3.eth.accounts[1], "value": 1}
    )
    assert w3.eth.get_transaction_receipt(tx_hash).status == 1


@pytest.mark.slow
def test_sollab_node_port_in_use_and_ctrl_c(node_process):
    _, url, _ = node_process
    port = url.rsplit(":", 1)[1]
    exe = Path(sys.executable).parent / "sollab"
    busy = subprocess.run(
        [str(exe), "node", "--port", port], capture_output=True, text=True, timeout=60
    )
    assert busy.returncode == 1
    assert busy.stderr == f"Error: port {port} is in use: pass --port N\n"

    process = subprocess.Popen(
        [str(exe), "node", "--port", "0", "--keys"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    banner = []
    for line in process.stdout:
        banner.append(line)
        if line.startswith("Listening on"):
            break
    assert "PUBLIC TEST KEYS" in "".join(banner)
    assert "0x" + "00" * 31 + "01" in "".join(banner)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert err.strip() == "Stopped."


@pytest.mark.slow
def test_ethers_and_viem_drive_the_node_unchanged(node_process, box, tmp_path, repo):
    """A Node script using ethers 6 and viem 2 (npm) reads balances, sends Ether (unlocked and
    locally signed), deploys, transacts, reads, queries logs by topic and sees a revert reason."""
    from sollab.node import find_node

    if (
        not (repo / "node_modules" / "ethers").is_dir()
        or not (repo / "node_modules" / "viem").is_dir()
    ):
        pytest.fail("ethers/viem are not installed: run `make setup` (npm ci)")
    _, url, _ = node_process
    source = """// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
contract R {
    event Set(uint256 indexed v);
    uint256 public x;
    function set(uint256 v) external { require(v < 10, "too big"); x = v; emit Set(v); }
}
"""
    artifact = sollab.compile_source(source)["R"]
    contract_file = tmp_path / "R.json"
    contract_file.write_text(json.dumps({"abi": artifact.abi, "bytecode": artifact.bytecode}))
    script = repo / "tests" / "js" / "clients.mjs"
    run = subprocess.run(
        [find_node().executable, str(script), url, str(contract_file)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=repo,
        env={**os.environ, "NODE_NO_WARNINGS": "1"},
    )
    out = json.loads(run.stdout.strip().splitlines()[-1]) if run.stdout.strip() else {}
    assert run.returncode == 0 and "error" not in out, (out.get("error"), run.stderr)

    ethers, viem = out["ethers"], out["viem"]
    assert ethers["chainId"] == viem["chainId"] == str(CHAIN_ID)
    assert ethers["received"] == str(15 * 10**17) and ethers["transferStatus"] == 1
    assert ethers["setStatus"] == 1 and ethers["x"] == "7"
    assert [(e["name"], e["v"]) for e in ethers["events"]] == [("Set", "7")]
    assert ethers["otherTopic"] == 0
    assert ethers["revert"] == {"code": "CALL_EXCEPTION", "reason": "too big"}

    assert viem["strangerBalance"] == str(25 * 10**16)
    assert viem["transferStatus"] == viem["setStatus"] == viem["unlockedStatus"] == "success"
    assert viem["x"] == "3" and viem["xAfterUnlocked"] == "4"
    assert viem["events"] == [{"name": "Set", "v": "3"}]
    assert int(viem["fees"]["maxFeePerGas"]) > int(viem["fees"]["maxPriorityFeePerGas"]) > 0
    assert viem["revert"]["reason"] == "too big"
    assert viem["contract"] != ethers["contract"]


PROXY = """// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

interface IBox { function store(uint256 v) external; }

contract Proxy {
    /// @notice Call `box.store(v)`: the call keeps back 1/64 of the gas (EIP-150).
    function forward(IBox box, uint256 v) external { box.store(v); }
}
"""


@pytest.mark.parametrize("how", ["direct", "clearing storage (refund)", "through a call"])
def test_estimate_gas_is_the_least_that_succeeds(served, w3, box, how):
    """Is eth_estimateGas's answer enough, and one gas less not (with a refund, and with a call
    that keeps back 1/64 of its gas)?"""
    contract, _ = deploy_box(w3, box, 7)
    target, data = contract.address, contract.encode_abi("store", [8])
    if how.startswith("clearing"):
        data = contract.encode_abi("store", [0])
    elif how == "through a call":
        proxy_artifact = sollab.compile_source(PROXY)["Proxy"]
        deployed = w3.eth.contract(abi=proxy_artifact.abi, bytecode=proxy_artifact.bytecode)
        receipt = w3.eth.wait_for_transaction_receipt(
            deployed.constructor().transact({"from": w3.eth.accounts[0]})
        )
        proxy = w3.eth.contract(address=receipt.contractAddress, abi=proxy_artifact.abi)
        target, data = proxy.address, proxy.encode_abi("forward", [contract.address, 8])
    call = {"from": w3.eth.accounts[6], "to": target, "data": data}
    estimate = int(result(served.url, "eth_estimateGas", call), 16)
    assert "result" in rpc(served.url, "eth_call", dict(call, gas=hex(estimate)))
    assert "error" in rpc(served.url, "eth_call", dict(call, gas=hex(estimate - 1)))
    receipt = w3.eth.get_transaction_receipt(w3.eth.send_transaction(dict(call, gas=estimate)))
    assert receipt.status == 1


def test_lab_chain_serve_shares_the_kernel_chain(box):
    """`lab.chain.serve()` serves the kernel's own chain: what `lab.deploy` made is there."""
    from web3 import HTTPProvider, Web3

    node = sollab.chain.serve(port=0)
    try:
        deployed = sollab.deploy(box, 33)
        w3 = Web3(HTTPProvider(node.url))
        remote = w3.eth.contract(address=deployed.address, abi=box.abi)
        assert remote.functions.value().call() == 33
        assert w3.eth.block_number == sollab.get_chain().block_number
    finally:
        node.stop()
