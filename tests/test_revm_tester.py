"""eth-tester over revm (``sollab.backends.revm_tester``): web3 and the node on the fast chain.

The same web3 script runs on both backends and must see the same chain: receipts, logs,
transactions, balances, nonces, storage, return data, errors, estimates; the lab's API and web3
interleaved see one chain; and the chain never leaves revm.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import sollab as lab
from sollab.chain import ETHER, Chain
from sollab.errors import LabError
from test_backends import FUZZ

pytest.importorskip("pyrevm", reason="SOLLAB_BACKEND=revm needs pyrevm")

REPO = Path(__file__).resolve().parent.parent
GWEI = 10**9
FAR = 4_000_000_000  # a timestamp after any wall clock these tests meet: deterministic
KEY = "0x" + "42" * 32  # an eth-account key the chain does not know (fixed: same hashes)

SOURCE = """\
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

contract Ledger {
    mapping(address => uint256) public credit;
    uint256 public total;
    uint256 public stamped;

    event Credited(address indexed who, uint256 amount, uint256 total);
    error TooMuch(uint256 asked, uint256 limit);

    constructor(uint256 start) payable { total = start; }

    function add(uint256 amount) external returns (uint256) {
        if (amount > 1000) revert TooMuch(amount, 1000);
        credit[msg.sender] += amount;
        total += amount;
        emit Credited(msg.sender, amount, total);
        return total;
    }

    function stamp() external { stamped = block.timestamp; }

    function check(uint256 amount) external pure returns (uint256) {
        if (amount > 1000) revert TooMuch(amount, 1000);
        return amount * 2;
    }
}
"""


@pytest.fixture(scope="module")
def ledger():
    return lab.compile_source(SOURCE, "Ledger.sol")["Ledger"]


def _receipt(receipt) -> dict:
    """A receipt's fields that both backends must agree on (block hashes are stand-ins)."""
    keep = ("status", "gasUsed", "cumulativeGasUsed", "contractAddress", "blockNumber", "type")
    out = {k: receipt[k] for k in keep}
    out.update(hash=receipt["transactionHash"].hex(), price=receipt["effectiveGasPrice"])
    out.update(sender=receipt["from"], to=receipt["to"])
    out["logs"] = [
        (log["address"], [t.hex() for t in log["topics"]], log["data"].hex(), log["logIndex"])
        for log in receipt["logs"]
    ]
    return out


def _transaction(tx) -> dict:
    keep = ("hash", "nonce", "from", "to", "value", "gas", "gasPrice", "input", "type", "v", "r")
    keep += ("s", "blockNumber", "transactionIndex", "maxFeePerGas", "maxPriorityFeePerGas")
    return {k: tx.get(k) for k in keep}


def _error(fn) -> tuple:
    """``fn()``'s error (its classes and first line), or ("ok", what it returned)."""
    try:
        result = fn()
    except Exception as exc:  # what web3 users catch: the class names and the one line
        kinds = sorted(c.__name__ for c in type(exc).__mro__ if c.__module__ != "builtins")
        return kinds, str(exc).splitlines()[0]
    return "ok", result


def web3_script(backend: str, ledger) -> list:
    """Everything a web3 user does, recorded; the chain is driven through ``chain.w3`` only."""
    from eth_account import Account

    chain = Chain(backend=backend)
    w3 = chain.w3
    alice, bob = w3.eth.accounts[:2]
    out: list = []
    factory = w3.eth.contract(abi=ledger.abi, bytecode=ledger.bytecode)

    # deploy (gas estimated by web3), transact, call
    deployed = w3.eth.wait_for_transaction_receipt(
        factory.constructor(7).transact({"from": alice, "value": 3})
    )
    out.append(("deploy", _receipt(deployed)))
    token = w3.eth.contract(address=deployed.contractAddress, abi=ledger.abi)
    for who, amount in ((alice, 5), (bob, 11), (alice, 2)):
        tx_hash = token.functions.add(amount).transact({"from": who})
        out.append(("add", _receipt(w3.eth.get_transaction_receipt(tx_hash))))
        out.append(("tx", _transaction(w3.eth.get_transaction(tx_hash))))
    out.append(("total", token.functions.total().call(), token.functions.check(21).call()))
    out.append(("estimate", token.functions.add(1).estimate_gas({"from": bob})))
    out.append(("estimate transfer", w3.eth.estimate_gas({"from": alice, "to": bob, "value": 1})))

    # a revert with custom error data: in a call, in an estimate, and mined (explicit gas)
    out.append(("call reverts", _error(lambda: token.functions.check(5000).call())))
    out.append(("estimate reverts", _error(lambda: token.functions.add(5000).estimate_gas())))
    failed = token.functions.add(5000).transact({"from": bob, "gas": 60_000})
    out.append(("mined revert", _receipt(w3.eth.get_transaction_receipt(failed))))

    # events: receipts, get_logs with filters
    event = token.events.Credited()
    logs = event.get_logs(from_block=0)
    out.append(("events", [(e.args.who, e.args.amount, e.args.total, e.blockNumber) for e in logs]))
    by_bob = "0x" + bytes.fromhex(bob[2:]).rjust(32, b"\0").hex()
    picked = w3.eth.get_logs({"fromBlock": 0, "topics": [event.topic, by_bob]})
    out.append(("bob's logs", [(log["blockNumber"], log["data"].hex()) for log in picked]))

    # snapshots (evm_snapshot / evm_revert) and time travel
    snapshot = w3.provider.make_request("evm_snapshot", [])["result"]
    token.functions.add(100).transact({"from": alice})
    out.append(("in snapshot", token.functions.total().call(), w3.eth.block_number))
    w3.provider.make_request("evm_revert", [snapshot])
    out.append(("reverted", token.functions.total().call(), w3.eth.block_number))
    w3.provider.make_request("testing_timeTravel", [FAR])
    token.functions.stamp().transact({"from": alice})
    out.append(("stamped", token.functions.stamped().call(), w3.eth.get_block("latest").timestamp))

    # an eth-account key the chain does not know: EIP-1559 and legacy raw transactions
    outsider = Account.from_key(KEY)
    w3.eth.send_transaction({"from": alice, "to": outsider.address, "value": ETHER})
    fees = {"maxFeePerGas": 3 * GWEI, "maxPriorityFeePerGas": 2 * GWEI, "type": 2}
    signed = outsider.sign_transaction(
        {"to": bob, "value": 12345, "gas": 21_000, "nonce": 0, "chainId": w3.eth.chain_id, **fees}
    )
    sent = w3.eth.send_raw_transaction(signed.raw_transaction)
    out.append(("raw 1559", sent == signed.hash, _receipt(w3.eth.get_transaction_receipt(sent))))
    out.append(("raw tx", _transaction(w3.eth.get_transaction(sent))))
    call = token.functions.add(9).build_transaction(
        {"from": outsider.address, "nonce": 1, "gas": 100_000, "gasPrice": 2 * GWEI}
    )
    sent = w3.eth.send_raw_transaction(outsider.sign_transaction(call).raw_transaction)
    out.append(("raw legacy", _receipt(w3.eth.get_transaction_receipt(sent))))
    reused = outsider.sign_transaction(
        {"to": bob, "value": 1, "gas": 21_000, "nonce": 0, "chainId": w3.eth.chain_id, **fees}
    )
    out.append(
        ("nonce reused", _error(lambda: w3.eth.send_raw_transaction(reused.raw_transaction)))
    )
    capped = {"maxFeePerGas": GWEI, "maxPriorityFeePerGas": GWEI}
    tx_hash = w3.eth.send_transaction(
        {"from": bob, "to": alice, "value": 1, "gas": 21_000, **capped}
    )
    out.append(("capped fee", _receipt(w3.eth.get_transaction_receipt(tx_hash))))

    # state, now and at a block
    people = [alice, bob, outsider.address, "0x" + "00" * 20, token.address]
    out.append(("balances", [w3.eth.get_balance(p) for p in people]))
    out.append(("balances at 2", [w3.eth.get_balance(p, block_identifier=2) for p in people]))
    out.append(("nonces", [w3.eth.get_transaction_count(p) for p in people]))
    out.append(("nonces at 3", [w3.eth.get_transaction_count(p, 3) for p in people]))
    out.append(("storage", [w3.eth.get_storage_at(token.address, s).hex() for s in range(4)]))
    out.append(("code", w3.eth.get_code(token.address).hex()))
    out.append(("call at 2", token.functions.total().call(block_identifier=2)))
    blocks = [w3.eth.get_block(n) for n in range(w3.eth.block_number + 1)]
    keep = ("number", "gasUsed", "gasLimit", "baseFeePerGas", "transactions")
    out.append(("blocks", [{k: b[k] for k in keep} for b in blocks]))
    out.append(("parents", all(b.parentHash == a.hash for a, b in itertools.pairwise(blocks))))
    by_hash = w3.eth.get_block(blocks[2].hash)
    out.append(("by hash", by_hash.number, [t.hex() for t in by_hash.transactions]))
    out.append(("pending base fee", w3.eth.get_block("pending").baseFeePerGas))
    out.append(("fee history", dict(w3.eth.fee_history(3, "latest"))))
    # the lab's API sees what web3 did
    out.append(("lab", chain.block_number, chain.balance(bob), chain.nonce(outsider.address)))
    return out


def test_the_same_web3_script_sees_the_same_chain_on_both_backends(ledger):
    ours, theirs = web3_script("pyevm", ledger), web3_script("revm", ledger)
    assert len(ours) == len(theirs)
    for expected, got in zip(ours, theirs, strict=True):
        assert got == expected, f"expected (py-evm) {expected}; got (revm) {got}"


def _on_revm(chain: Chain) -> bool:
    """Whether ``chain`` still runs on revm: web3's eth-tester is the revm one, on its state."""
    from sollab.backends.revm import RevmBackend
    from sollab.backends.revm_tester import RevmTesterBackend

    revm = chain._backend._inner
    tester = chain.w3.provider.ethereum_tester.backend
    return isinstance(revm, RevmBackend) and isinstance(tester, RevmTesterBackend)


def test_the_lab_api_and_web3_interleaved_see_one_chain(ledger):
    chain = Chain(backend="revm")
    w3 = chain.w3
    contract = chain.deploy(ledger, 1)  # through the lab
    token = w3.eth.contract(address=contract.address, abi=ledger.abi)
    assert token.functions.total().call() == 1
    receipt = contract.add(4)
    web3_receipt = w3.eth.get_transaction_receipt(receipt.tx_hash)  # the lab's stand-in hash
    assert web3_receipt.status == 1 and web3_receipt.gasUsed == receipt.gas_used
    topic = bytes.fromhex(token.events.Credited().topic[2:])
    assert bytes(web3_receipt.logs[0]["topics"][0]) == topic
    nonce = chain.nonce(chain.alice)
    tx_hash = token.functions.add(5).transact({"from": chain.alice})  # through web3
    assert contract.total() == 10 and chain.nonce(chain.alice) == nonce + 1
    assert w3.eth.get_transaction(tx_hash).nonce == nonce
    assert chain.block_number == w3.eth.block_number
    assert [e.args.amount for e in token.events.Credited().get_logs(from_block=0)] == [4, 5]
    # snapshots taken on either side undo the other side's work
    with chain.anchor():
        token.functions.add(50).transact({"from": chain.bob})
        assert contract.total() == 60
    assert token.functions.total().call() == 10
    snapshot = w3.provider.make_request("evm_snapshot", [])["result"]
    contract.add(7)
    w3.provider.make_request("evm_revert", [snapshot])
    assert contract.total() == 10 and chain.block_number == w3.eth.block_number
    # a revert through web3 is the lab's error, located in the Solidity source
    with pytest.raises(LabError) as raised:
        token.functions.check(5000).call()
    assert "TooMuch" in str(raised.value)
    assert _on_revm(chain)


def test_a_snapshot_whose_block_a_revert_removed_is_one_line(ledger):
    chain = Chain(backend="revm")
    w3 = chain.w3
    first = w3.provider.make_request("evm_snapshot", [])["result"]
    w3.eth.send_transaction({"from": chain.alice, "to": chain.bob, "value": 1})
    second = w3.provider.make_request("evm_snapshot", [])["result"]
    w3.provider.make_request("evm_revert", [first])
    w3.eth.send_transaction({"from": chain.alice, "to": chain.bob, "value": 2})
    with pytest.raises(Exception, match=r"snapshot of block 1 is gone.*SOLLAB_BACKEND=pyevm"):
        w3.provider.ethereum_tester.revert_to_snapshot(second)


def test_transactions_revm_cannot_run_are_refused_in_one_line():
    """A set-code (EIP-7702) transaction and an access list name SOLLAB_BACKEND=pyevm."""
    from eth_account import Account

    chain = Chain(backend="revm")
    w3 = chain.w3
    outsider = Account.from_key(KEY)
    w3.eth.send_transaction({"from": chain.alice, "to": outsider.address, "value": ETHER})
    listed = outsider.sign_transaction(
        {
            "to": chain.bob,
            "value": 1,
            "gas": 30_000,
            "nonce": 0,
            "chainId": w3.eth.chain_id,
            "maxFeePerGas": 3 * GWEI,
            "maxPriorityFeePerGas": GWEI,
            "accessList": [{"address": chain.bob, "storageKeys": []}],
        }
    )
    with pytest.raises(Exception, match=r"access lists.*SOLLAB_BACKEND=pyevm") as raised:
        w3.eth.send_raw_transaction(listed.raw_transaction)
    assert "\n" not in str(raised.value)
    with pytest.raises(Exception, match=r"set-code.*SOLLAB_BACKEND=pyevm"):
        w3.provider.ethereum_tester.send_raw_transaction("0x04" + "c0")
    assert chain.nonce(outsider.address) == 0


OPS = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(["lab add", "w3 add"]), st.integers(0, 2), st.integers(0, 1200)),
        st.tuples(st.just("raw"), st.sampled_from(["1559", "legacy", "capped"]), st.integers(0, 9)),
        st.tuples(st.just("w3 send"), st.integers(0, 2), st.integers(0, 10**6)),
        st.tuples(
            st.sampled_from(["lab snapshot", "w3 snapshot", "revert"]), st.just(0), st.just(0)
        ),
        st.tuples(st.sampled_from(["mine", "time"]), st.just(0), st.integers(1, 3)),
        st.tuples(st.just("w3 call"), st.just(0), st.integers(990, 1010)),
    ),
    min_size=1,
    max_size=12,
)


def mixed(backend: str, ledger, ops) -> list:
    """The lab's API and web3 (unlocked accounts, raw transactions from an outside key, both
    kinds of snapshot) interleaved on one chain; what web3 then sees of it."""
    from eth_account import Account

    chain = Chain(backend=backend)
    w3 = chain.w3
    contract = chain.deploy(ledger, 1)
    token = w3.eth.contract(address=contract.address, abi=ledger.abi)
    outsider = Account.from_key(KEY)
    chain.send(outsider.address, ETHER)  # (a set_balance block py-evm cannot re-import)
    out: list = []
    snapshots: list = []
    for step, (op, who, n) in enumerate(ops):
        sender = w3.eth.accounts[who] if isinstance(who, int) else None
        if op == "lab add":
            try:
                receipt = contract.add(n, sender=chain.accounts[who])
                out.append((step, receipt.status, receipt.gas_used, receipt.block_number))
            except LabError as exc:
                out.append((step, type(exc).__name__))
        elif op in ("w3 add", "w3 send"):
            tx = {"from": sender, "gas": 100_000}
            if op == "w3 add":
                tx_hash = token.functions.add(n).transact(tx)
            else:
                tx_hash = w3.eth.send_transaction(dict(tx, to=w3.eth.accounts[2], value=n))
            out.append((step, _receipt(w3.eth.get_transaction_receipt(tx_hash))))
        elif op == "raw":
            fees = {
                "1559": {"maxFeePerGas": 4 * GWEI, "maxPriorityFeePerGas": n * GWEI // 4},
                "legacy": {"gasPrice": GWEI + n},
                "capped": {"maxFeePerGas": GWEI + n, "maxPriorityFeePerGas": GWEI + n},
            }[who]
            tx = {"to": w3.eth.accounts[1], "value": n, "gas": 21_000, **fees}
            tx.update(nonce=w3.eth.get_transaction_count(outsider.address))
            if who != "legacy":
                tx["chainId"] = w3.eth.chain_id
            raw = outsider.sign_transaction(tx).raw_transaction
            out.append((step, _error(lambda r=raw: w3.eth.send_raw_transaction(r).hex())))
        elif op == "lab snapshot":
            snapshots.append(("lab", chain.snapshot()))
        elif op == "w3 snapshot":
            snapshots.append(("w3", w3.provider.make_request("evm_snapshot", [])["result"]))
        elif op == "revert" and snapshots:
            kind, snapshot = snapshots.pop()
            if kind == "lab":
                chain.revert(snapshot)
            else:
                w3.provider.make_request("evm_revert", [snapshot])
        elif op == "mine":
            chain.mine(n)
        elif op == "time":
            w3.provider.make_request("testing_timeTravel", [FAR + 1000 * step])
        elif op == "w3 call":
            out.append((step, _error(lambda n=n: token.functions.check(n).call())))
    people = [*w3.eth.accounts[:3], outsider.address, "0x" + "00" * 20]
    out.append(("balances", [w3.eth.get_balance(p) for p in people]))
    out.append(("nonces", [w3.eth.get_transaction_count(p) for p in people]))
    out.append(("storage", [w3.eth.get_storage_at(token.address, slot) for slot in range(3)]))
    number = w3.eth.block_number
    out.append(("blocks", number, [w3.eth.get_block(b).gasUsed for b in range(number + 1)]))
    logs = w3.eth.get_logs({"fromBlock": 0, "address": token.address})
    out.append(("logs", [(g.blockNumber, g.logIndex, g.data, g.topics) for g in logs]))
    return out


@FUZZ
@given(ops=OPS)
def test_lab_api_and_web3_interleaved_at_random_agree_on_both_backends(ledger, ops):
    assert mixed("revm", ledger, ops) == mixed("pyevm", ledger, ops)


def test_sollab_node_on_revm_answers_json_rpc(ledger):
    """The node on a revm chain (``chain.serve()``, as ``sollab node`` serves): web3.py over
    HTTP deploys, transacts, reads logs and receipts; the notebook's chain sees it all."""
    from web3 import HTTPProvider, Web3

    chain = Chain(backend="revm")
    server = chain.serve(port=0)
    try:
        w3 = Web3(HTTPProvider(server.url))
        assert w3.eth.chain_id == 131277322940537
        alice = w3.eth.accounts[0]
        factory = w3.eth.contract(abi=ledger.abi, bytecode=ledger.bytecode)
        deployed = w3.eth.get_transaction_receipt(factory.constructor(2).transact({"from": alice}))
        token = w3.eth.contract(address=deployed.contractAddress, abi=ledger.abi)
        tx_hash = token.functions.add(40).transact({"from": alice})
        receipt = w3.eth.get_transaction_receipt(tx_hash)
        assert receipt.status == 1 and w3.eth.get_transaction(tx_hash).hash == tx_hash
        logs = w3.eth.get_logs({"fromBlock": 0, "address": token.address})
        assert [token.events.Credited().process_log(log).args.total for log in logs] == [42]
        assert chain.at(ledger, token.address).total() == 42  # the notebook's view
        assert w3.eth.block_number == chain.block_number == 2
        assert _on_revm(chain)
    finally:
        server.stop()


def test_lesson_03_solutions_earn_full_marks_through_w3_on_revm():
    """Lesson 03's checks drive ``lab.chain.w3`` (send_transaction with fee fields, receipts,
    blocks): its solutions, graded on a revm chain, get full marks and the chain stays on revm."""
    import nbformat

    from sollab.grading import grade

    path = (
        REPO / "solutions" / "03-accounts-and-transactions" / "03-accounts-and-transactions.ipynb"
    )
    namespace: dict = {}
    answers = {}
    for cell in nbformat.read(path, as_version=4).cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if grade_id.endswith("-solution"):
            exec(cell.source, namespace)  # the instructor's answer: one function
            answers[grade_id.removesuffix("-solution")] = cell.source
    names = {"fee": "fee_breakdown", "batch": "batch_payments", "find": "find_transaction"}
    assert set(answers) == set(names)
    chain = Chain(backend="revm")
    for short, name in names.items():
        score = grade(
            f"03-accounts-and-transactions/{short}", namespace[name], quiet=True, chain=chain
        )
        assert float(score) == score.max > 0, (short, [r.message for r in score.results])
    assert _on_revm(chain)


@pytest.mark.slow
@pytest.mark.parametrize(
    "tests",
    [
        ["tests/test_devnode.py"],
        ["tests/test_lessons.py", "-k", "solutions_notebook and 03-accounts"],
    ],
    ids=["devnode", "lesson-03-notebook"],
)
def test_the_node_and_lesson_03_pass_on_revm(repo, tests):
    """tests/test_devnode.py (``sollab node`` and ``chain.serve()`` answering JSON-RPC to web3.py,
    ethers.js and viem) and lesson 03's solutions notebook (full marks), on SOLLAB_BACKEND=revm."""
    args = ["-q", "-p", "no:cacheprovider", *tests]
    done = subprocess.run(
        [sys.executable, "-m", "pytest", *args],
        env=dict(os.environ, SOLLAB_BACKEND="revm"),
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-4000:]
    assert " passed" in done.stdout and "failed" not in done.stdout
