"""The chain's backends: choosing one, and the revm backend giving py-evm's results.

The differential tests run the same transactions on both backends and compare everything the
lab shows: receipts (gas, status, block, events, contract addresses), return values, errors
(with their Solidity location), balances, nonces, storage, history, timestamps and traces.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sollab as lab
from sollab.backends import make_backend
from sollab.chain import ETHER, Chain
from sollab.errors import ChainError, LabError

pytest.importorskip("pyrevm", reason="SOLLAB_BACKEND=revm needs pyrevm")

SOURCE = """\
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

contract Child {
    uint256 public made;
    constructor(uint256 made_) payable { made = made_; }
}

contract Playground {
    mapping(address => uint256) public credit;
    uint256[] public pile;
    uint256 public total;
    uint256 public stamped;
    uint256 public lastGas;
    address public lastChild;

    event Credited(address indexed who, uint256 amount, uint256 total);
    error TooMuch(uint256 asked, uint256 limit);

    receive() external payable { credit[msg.sender] += msg.value; }

    function add(uint256 amount) external returns (uint256) {
        credit[msg.sender] += amount;
        total += amount;  // overflows (a panic) for a huge amount
        emit Credited(msg.sender, amount, total);
        return total;
    }

    function clear() external { delete credit[msg.sender]; }  // a refund

    function push(uint256 n) external {
        for (uint256 i = 0; i < n; i++) pile.push(i * n);
    }

    function limited(uint256 asked) external pure returns (uint256) {
        if (asked > 100) revert TooMuch(asked, 100);
        require(asked != 7, "seven is not allowed");
        return 100 / (asked - 3);  // divides by zero at 3
    }

    function withdraw(uint256 wei_) external {
        credit[msg.sender] -= wei_;
        (bool ok, ) = msg.sender.call{value: wei_}("");
        require(ok, "send failed");
    }

    function stamp() external {
        stamped = block.timestamp * 1_000_000 + block.number;
        lastGas = gasleft();
    }

    function spawn(uint256 made) external payable returns (address) {
        lastChild = address(new Child{value: msg.value}(made));
        return lastChild;
    }

    function hashes(bytes calldata data) external pure returns (bytes32, bytes32, address) {
        bytes32 h = keccak256(data);
        return (sha256(data), h, ecrecover(h, 27, h, h));
    }

    function senderBalance() external view returns (uint256) { return msg.sender.balance; }
}
"""


@pytest.fixture(scope="module")
def playground():
    return lab.compile_source(SOURCE, "Playground.sol")["Playground"]


def test_the_default_backend_is_pyevm(monkeypatch):
    monkeypatch.delenv("SOLLAB_BACKEND", raising=False)
    assert make_backend().name == "pyevm"
    monkeypatch.setenv("SOLLAB_BACKEND", "")
    assert make_backend().name == "pyevm"


def test_sollab_backend_picks_the_backend_and_an_explicit_name_wins(monkeypatch):
    monkeypatch.setenv("SOLLAB_BACKEND", " REVM ")
    assert Chain().backend_name == "revm"
    monkeypatch.setenv("SOLLAB_BACKEND", "nonsense")
    assert Chain(backend="pyevm").backend_name == "pyevm"


def test_an_unknown_backend_is_named_with_the_fix(monkeypatch):
    monkeypatch.setenv("SOLLAB_BACKEND", "geth")
    with pytest.raises(ChainError, match=r"unknown chain backend 'geth'.*pyevm or revm"):
        Chain()


def test_web3_sees_a_revm_chain_and_its_history_without_leaving_revm(playground):
    """chain.w3 drives eth-tester: on revm that is eth-tester over the revm state itself
    (backends/revm_tester.py), which sees the history the lab's API made, and stays on revm."""
    chains = {b: Chain(backend=b) for b in ("pyevm", "revm")}
    seen = {}
    for backend, chain in chains.items():
        pg = chain.deploy(playground)
        pg.add(5)
        snap = chain.snapshot()
        pg.add(6)
        chain.time_travel(to=FAR)
        chain.set_balance(chain.accounts[2], 7)
        w3 = chain.w3
        block = w3.eth.get_block("latest")
        before_revert = (w3.eth.get_balance(chain.accounts[0]), block["number"], pg.total())
        chain.revert(snap)  # a snapshot taken before web3 came still works after it
        pg.add(1)
        seen[backend] = (
            before_revert,
            block["timestamp"],
            w3.eth.get_storage_at(pg.address, 2),
            w3.eth.get_block(chain.block_number)["gasUsed"],
            chain.balance(chain.accounts[0]),
            pg.total(),
        )
    assert seen["revm"] == seen["pyevm"]
    from sollab.backends.revm_tester import RevmTesterBackend

    assert isinstance(chains["revm"].w3.provider.ethereum_tester.backend, RevmTesterBackend)


@pytest.mark.slow
def test_the_chain_tests_pass_on_revm(repo):
    """tests/test_chain.py, every behaviour of the lab's chain, again on the revm backend (all
    but the repr test, which names the default backend)."""
    args = ["-q", "-p", "no:cacheprovider", "tests/test_chain.py"]
    args += ["--deselect", "tests/test_chain.py::test_chain_repr"]
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


# --- differential: the same story on both backends ---

FAR = 4_000_000_000  # a timestamp after any wall clock these tests meet: deterministic


def _record(chain: Chain, what: str, fn, out: list) -> object:
    """Run ``fn``; record its result (a receipt's fields, a value, or the error) in ``out``."""
    try:
        result = fn()
    except LabError as exc:
        out.append((what, "error", type(exc).__name__, str(exc)))
        return None
    if isinstance(result, lab.Receipt):
        events = [(e.name, dict(e.args)) if hasattr(e, "args") else repr(e) for e in result.events]
        out.append(
            (
                what,
                result.status,
                result.gas_used,
                result.block_number,
                events,
                result.contract_address,
            )
        )
    elif isinstance(result, lab.Contract):
        out.append((what, result.address, result.deploy_receipt.gas_used))
    else:
        out.append((what, result))
    return result


def _state(chain: Chain, contracts, out: list) -> None:
    people = [*chain.accounts[:3], "0x" + "00" * 20]  # the coinbase gets the priority fees
    out.append(("balances", [chain.balance(p) for p in people]))
    out.append(("nonces", [chain.nonce(p) for p in people]))
    out.append(("block", chain.block_number))
    for contract in contracts:
        out.append(("storage", [chain.storage_at(contract, slot) for slot in range(6)]))
        out.append(("contract balance", chain.balance(contract), len(chain.code(contract))))


def story(backend: str, playground) -> list:
    chain = Chain(backend=backend)
    alice, bob = chain.accounts[:2]
    out: list = []
    pg = _record(chain, "deploy", lambda: chain.deploy(playground), out)
    _record(chain, "add", lambda: pg.add(5), out)
    _record(chain, "add again", lambda: pg.add(7), out)  # warm now? no: a new transaction
    _record(chain, "add by bob", lambda: pg.add(1, sender=bob), out)
    _record(chain, "overflow", lambda: pg.add(2**256 - 1), out)
    _record(chain, "clear (refund)", pg.clear, out)
    _record(chain, "push 30", lambda: pg.push(30), out)
    for asked in (1, 3, 7, 101):
        _record(chain, f"limited({asked})", lambda a=asked: pg.limited(a), out)
        _record(chain, f"limited({asked}) tx", lambda a=asked: pg.limited.transact(a), out)
    _record(chain, "send", lambda: chain.send(pg, ETHER), out)
    _record(chain, "withdraw", lambda: pg.withdraw(ETHER // 2), out)
    _record(chain, "withdraw too much", lambda: pg.withdraw(ETHER), out)
    _record(chain, "spawn", lambda: pg.spawn(9, value=1234), out)
    _record(chain, "hashes", lambda: pg.hashes(b"\x00\x01sollab" * 9), out)
    _record(chain, "calldata floor", lambda: chain.send(bob, 1, data=b"\x01" * 2000), out)
    _record(chain, "sender balance (call)", pg.senderBalance, out)
    _record(chain, "sender balance (tx)", pg.senderBalance.transact, out)
    _record(chain, "time travel", lambda: chain.time_travel(to=FAR), out)
    _record(chain, "stamp", pg.stamp, out)
    _record(chain, "stamped", pg.stamped, out)
    _record(chain, "gasleft", pg.lastGas, out)
    snap = chain.snapshot()
    _record(chain, "in snapshot", lambda: pg.add(100), out)
    _record(chain, "deploy in snapshot", lambda: chain.deploy(playground), out)
    chain.revert(snap)
    _record(chain, "after revert", lambda: pg.credit(alice), out)
    with chain.anchor():
        _record(chain, "set balance", lambda: chain.set_balance(bob, 5), out)
        _record(chain, "poor bob", lambda: pg.add(1, sender=bob), out)
    chain.mine(3)
    _record(chain, "endless", lambda: pg.push(10**6, gas=300_000), out)
    _state(chain, [pg, pg.lastChild()], out)
    out.append(("history", [chain._backend.balance(alice, b) for b in range(6)]))
    out.append(("storage history", [chain._backend.storage_at(pg.address, 2, b) for b in range(6)]))
    return out


def test_revm_tells_the_same_story_as_pyevm(playground):
    ours, theirs = story("pyevm", playground), story("revm", playground)
    assert len(ours) == len(theirs)
    for expected, got in zip(ours, theirs, strict=True):
        assert got == expected, f"expected (py-evm) {expected}; got (revm) {got}"


def test_revm_finds_a_failure_s_line_only_when_asked_and_only_on_its_own_state(
    playground, monkeypatch
):
    """On revm a failure's Solidity line costs a replay on py-evm, so it is found when the
    error's location is first read: no replay for a failure nobody reads (inside
    lab.reverts); the line py-evm gives, read right away or after more transactions; and no
    line at all once a revert took away the state it ran on (rather than a wrong one)."""
    expected = {}
    chain = Chain(backend="pyevm")
    pg = chain.deploy(playground)
    for what, fn in [
        ("tx", lambda: pg.withdraw(1)),
        ("call", lambda: pg.limited(7)),
    ]:
        with pytest.raises(lab.TransactionReverted) as info:
            fn()
        expected[what] = info.value.location
    assert expected["tx"].line > 0 and expected["call"].line > 0

    chain = Chain(backend="revm")
    replays = []
    backend = chain._backend._inner
    replay = backend.replay_trail
    monkeypatch.setattr(backend, "replay_trail", lambda *a: replays.append(a) or replay(*a))
    pg = chain.deploy(playground)
    with lab.reverts():
        pg.withdraw(1)
    with lab.reverts():
        pg.limited(7)
    assert replays == []
    errors = {}
    for what, fn in [
        ("tx", lambda: pg.withdraw(1)),
        ("call", lambda: pg.limited(7)),
    ]:
        with pytest.raises(lab.TransactionReverted) as info:
            fn()
        errors[what] = info.value
    pg.add(5)  # the chain moves on; each failure is still located on its own state
    assert errors["tx"].location == expected["tx"]
    assert errors["call"].location == expected["call"] and len(replays) == 2
    assert str(errors["tx"]).endswith(expected["tx"].render())

    snapshot = chain.snapshot()
    with pytest.raises(lab.TransactionReverted) as kept:
        pg.withdraw(1)
    pg.add(1)
    with pytest.raises(lab.TransactionReverted) as lost:
        pg.withdraw(1)  # runs on the state after add(1)
    chain.revert(snapshot)
    pg.add(2)  # a block of add(1)'s number, with another transaction
    # the state it ran on is still the chain's (alice has credit now: the send fails)
    assert kept.value.location.line_text.strip() == 'require(ok, "send failed");'
    assert lost.value.location is None and str(lost.value) == lost.value.message


def test_revm_traces_agree_with_pyevm(playground):
    """Traces on the revm backend re-run on py-evm: same steps, gas and end state."""
    results = []
    for backend in ("pyevm", "revm"):
        chain = Chain(backend=backend)
        pg = chain.deploy(playground)
        pg.add(3)
        receipt = pg.add(4)
        traced = lab.trace(receipt)
        failing = lab.trace(pg.limited, 3)
        diff = lab.diff(receipt)
        results.append(
            (
                len(traced.steps),
                traced.gas_used,
                receipt.gas_used,
                [(s.pc, s.op, s.gas) for s in traced.steps[-5:]],
                len(failing.steps),
                type(failing.error).__name__,
                repr(diff),
            )
        )
    assert results[1] == results[0]
    assert results[0][1] == results[0][2]  # the trace's gas is the receipt's


OPS = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.integers(0, 3), st.integers(0, 2**256 - 1)),
        st.tuples(st.just("add"), st.integers(0, 3), st.integers(0, 1000)),
        st.tuples(st.just("clear"), st.integers(0, 3), st.just(0)),
        st.tuples(st.just("push"), st.integers(0, 3), st.integers(0, 12)),
        st.tuples(st.just("send"), st.integers(0, 3), st.integers(0, 3 * ETHER)),
        st.tuples(st.just("withdraw"), st.integers(0, 3), st.integers(0, 2 * ETHER)),
        st.tuples(st.just("spawn"), st.integers(0, 3), st.integers(0, 10**6)),
        st.tuples(st.just("limited"), st.integers(0, 3), st.integers(0, 120)),
        st.tuples(st.just("snapshot"), st.just(0), st.just(0)),
        st.tuples(st.just("revert"), st.just(0), st.just(0)),
        st.tuples(st.just("mine"), st.just(0), st.integers(1, 3)),
    ),
    min_size=1,
    max_size=10,
)


def replay(backend: str, playground, ops, history: int | None = None) -> list:
    chain = Chain(backend=backend)
    if history is not None:  # revm: keep only this many blocks' own records (see _compact)
        chain._backend._inner.history = history
    out: list = []
    pg = chain.deploy(playground)
    snaps = []
    for i, (op, who, n) in enumerate(ops):
        sender = chain.accounts[who]
        what = f"{i}:{op}({who},{n})"
        if op in ("add", "push", "withdraw", "limited"):
            fn = getattr(pg, op)
            call = fn.transact if op == "limited" else fn
            _record(chain, what, lambda f=call, n=n, s=sender: f(n, sender=s), out)
        elif op == "clear":
            _record(chain, what, lambda s=sender: pg.clear(sender=s), out)
        elif op == "send":
            _record(chain, what, lambda s=sender, n=n: chain.send(pg, n, sender=s), out)
        elif op == "spawn":
            _record(chain, what, lambda s=sender, n=n: pg.spawn(n, value=n, sender=s), out)
        elif op == "snapshot":
            snaps.append(chain.snapshot())
        elif op == "revert" and snaps:
            chain.revert(snaps.pop())
        elif op == "mine":
            chain.mine(n)
    _state(chain, [pg], out)
    return out


# The random-transaction fuzz tests' settings (SOLLAB_FUZZ_EXAMPLES for a longer run); the
# transactions, not hypothesis, are the slow part. tests/test_revm_tester.py uses them too.
FUZZ = settings(
    max_examples=int(os.environ.get("SOLLAB_FUZZ_EXAMPLES", "12")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(ops=OPS)
def test_random_transactions_give_the_same_results_on_both_backends(playground, ops):
    assert replay("revm", playground, ops) == replay("pyevm", playground, ops)


@FUZZ
@given(ops=OPS)
def test_merging_old_history_on_revm_changes_no_result(playground, ops):
    """With only 2 blocks of history of their own (older records merged between snapshots),
    do reverts to any snapshot still give py-evm's results?"""
    assert replay("revm", playground, ops, history=2) == replay("pyevm", playground, ops)


def test_revm_history_is_bounded_and_older_reads_are_refused(playground):
    """Does a long revm session keep undo records for the accounts and slots it touches rather
    than for every block, keep recent and snapshot blocks readable and revertible, and refuse
    a read inside the merged past with a plain error?"""
    chains = {b: Chain(backend=b) for b in ("pyevm", "revm")}
    revm = chains["revm"]._backend._inner
    revm.history = 8
    seen = {}
    for backend, chain in chains.items():
        alice = chain.accounts[0]
        pg = chain.deploy(playground)
        for i in range(30):
            pg.add(i)
        snap = chain.snapshot()
        snap_block = chain.block_number
        for i in range(30):
            pg.add(i)
        latest = chain.block_number
        recent = [chain._backend.balance(alice, b) for b in range(latest - 8, latest + 1)]
        at_snapshot = chain._backend.storage_at(pg.address, 2, snap_block)
        chain.revert(snap)
        seen[backend] = (recent, at_snapshot, pg.total(), chain.balance(alice), chain.block_number)
    assert seen["revm"] == seen["pyevm"]
    kept = sum(len(b.undo) for b in revm._blocks if b.undo)
    assert kept < 8 * 8  # ~4 keys a block for the last 8 blocks and a few merged records
    assert sum(b.undo is None for b in revm._blocks) > 20
    with pytest.raises(ChainError, match=r"block 10 is older than the history this chain keeps"):
        revm.balance(chains["revm"].accounts[0], 10)
    with pytest.raises(ChainError, match=r"older than the history"):
        revm.storage_at(pg.address, 2, 5)  # pg: the revm chain's, deployed last
