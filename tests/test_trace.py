"""lab.trace and lab.diff: every step of an execution, mapped to Solidity, and what it changed."""

from __future__ import annotations

import pytest

import sollab as lab
from sollab import opcodes
from sollab.trace import Trace, TraceError

SOURCE = """\
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

contract Bank {
    mapping(address => uint256) public balanceOf;
    uint256 public total;

    error Insufficient(uint256 have, uint256 want);

    function deposit() external payable {
        balanceOf[msg.sender] += msg.value;
        total += msg.value;
    }

    function withdraw(uint256 amount) external {
        uint256 have = balanceOf[msg.sender];
        if (have < amount) revert Insufficient(have, amount);
        balanceOf[msg.sender] = have - amount;
        total -= amount;
        payable(msg.sender).transfer(amount);
    }

    function spin() external {
        while (true) {
            total += 1;
        }
    }
}

contract Caller {
    function depositFor(Bank bank) external payable {
        bank.deposit{value: msg.value}();
    }
}
"""


@pytest.fixture(scope="module")
def compiled():
    return lab.compile_source(SOURCE, "Bank.sol")


@pytest.fixture
def bank(chain, compiled):
    return chain.deploy(compiled["Bank"])


def standard_intrinsic(data: bytes) -> int:
    zeros = data.count(0)
    return 21_000 + 4 * zeros + 16 * (len(data) - zeros)


def test_trace_of_a_receipt_replays_it_step_by_step(chain, bank):
    """Does a receipt's trace have its steps, each with pc, instruction, gas, stack, memory
    and a Solidity location, and the receipt's own gas figure?"""
    receipt = bank.deposit(value=1_000)
    t = lab.trace(receipt)
    assert isinstance(t, Trace) and t.succeeded and len(t) > 50
    assert t.gas_used == receipt.gas_used
    first = t[0]
    assert (first.index, first.pc, first.op, first.depth) == (0, 0, "PUSH1", 0)
    assert first.stack == () and first.memory == b""
    assert t[2].op == "MSTORE" and t[3].memory[0x40:0x60] == (0x80).to_bytes(32, "big")
    lines = {s.location.line_text.strip() for s in t if s.location}
    assert "balanceOf[msg.sender] += msg.value;" in lines
    assert t[-1].op == "STOP"


def test_per_step_gas_sums_to_the_execution_gas(chain, bank):
    """Acceptance: does the top frame's per-step gas add up to the transaction's execution gas
    (its gas used, less the intrinsic cost, plus the refund)?"""
    bank.deposit(value=5_000)
    for receipt in (bank.deposit(value=1_000), bank.withdraw(6_000)):
        t = lab.trace(receipt)
        data = receipt.tx["data"]
        assert t.execution_gas == receipt.gas_used - standard_intrinsic(data) + t.refund
    assert t.refund > 0  # withdrawing everything cleared a slot


def test_gas_of_a_call_includes_its_callee_and_own_costs_do_not(chain, compiled, bank):
    """For a contract calling another: is the CALL step's cost the callee's gas plus its own,
    and does own_costs() leave only the overhead, so per-line gas is not counted twice?"""
    caller = chain.deploy(compiled["Caller"])
    t = lab.trace(caller.depositFor(bank.address, value=10))
    (call,) = [s for s in t if s.op == "CALL"]
    inner = [s for s in t if s.depth == 1]
    assert inner and all(s.address == bank.address for s in inner)
    assert call.cost >= sum(s.cost for s in inner)
    own = t.own_costs()[call.index]
    assert own == call.cost - sum(s.cost for s in inner)
    assert sum(t.own_costs()) == sum(s.cost for s in t) - sum(s.cost for s in inner)
    lines = {(f, text) for f, _, text, _ in t.gas_by_line()}
    assert ("Bank.sol", "balanceOf[msg.sender] += msg.value;") in lines


def test_trace_of_a_call_does_not_change_the_chain(chain, bank):
    block, total = chain.block_number, bank.total()
    t = lab.trace(bank.deposit, value=77)
    assert t.succeeded
    assert [s.storage[0] for s in t if s.storage].count("write") == 2
    assert (chain.block_number, bank.total()) == (block, total)


def test_storage_reads_and_writes_are_recorded(chain, bank):
    t = lab.trace(bank.deposit(value=3))
    accesses = t.storage_accesses()
    writes = [(slot, value) for _, _, kind, slot, value in accesses if kind == "write"]
    assert (1, 3) in writes  # `total` is slot 1
    reads = [slot for _, _, kind, slot, _ in accesses if kind == "read"]
    assert 1 in reads


def test_tracing_a_revert_stops_there_with_the_reason(chain, bank):
    """Does the trace of a reverting call end at REVERT, with the decoded error and its line?"""
    t = lab.trace(bank.withdraw, 5)
    assert not t.succeeded
    assert t[-1].op == "REVERT"
    assert isinstance(t.error, lab.CustomError) and t.error.name == "Insufficient"
    assert "revert Insufficient(have, amount)" in t.error.location.line_text
    assert "Insufficient(have=0, want=5)" in t.outcome


def test_an_endless_loop_is_capped_with_a_message(chain, bank):
    """Is a trace of an endless loop stopped at max_steps, saying so, not freezing?"""
    t = lab.trace(bank.spin, max_steps=5_000)
    assert len(t) == 5_000 and t.truncated and not t.succeeded
    assert t.gas_used is None
    assert "stopped after 5,000 steps" in t.outcome and "max_steps" in t.outcome


def test_bad_targets_are_one_line_errors(bank):
    with pytest.raises(TraceError, match="takes a receipt or a contract function"):
        lab.trace("0x1234")
    with pytest.raises(TraceError, match="max_steps"):
        lab.trace(bank.total, max_steps=0)
    with pytest.raises(lab.ArgumentError):
        lab.trace(bank.withdraw, "five")


def test_static_html_and_widget(chain, bank):
    """Is there a static table (for exported notebooks and feedback) and, with ipywidgets, a
    stepper whose buttons move through the steps and show the current Solidity line?"""
    t = lab.trace(bank.deposit(value=1))
    html = t._repr_html_()
    assert "<table>" in html and "SSTORE" in html and "most gas" in html
    bundle = t._repr_mimebundle_()
    assert "text/html" in bundle and "application/vnd.jupyter.widget-view+json" in bundle
    box = t.widget()
    _, controls, pane = box.children
    back, slider, forward = controls.children
    target = next(s.index for s in t if s.op == "SSTORE")
    slider.value = target
    assert "SSTORE" in pane.value and "background:#fff3b0" in pane.value
    forward.click()
    assert slider.value == target + 1
    back.click()
    back.click()
    assert slider.value == target - 1


def test_a_long_trace_shows_only_its_ends_in_html(chain, bank):
    t = lab.trace(bank.spin, max_steps=1_000)
    html = t._repr_html_(limit=100)
    assert "steps not shown" in html


def test_diff_lists_changed_slots_and_balances(chain, bank):
    """Does lab.diff show the slots a transaction changed (before, after) and the Ether it
    moved, with nothing for what it left unchanged?"""
    receipt = bank.deposit(value=1_000)
    d = lab.diff(receipt)
    slots = {(slot, before, after) for _, slot, before, after in d.storage}
    assert (1, 0, 1_000) in slots
    balances = {address: after - before for address, before, after in d.balances}
    assert balances[bank.address] == 1_000
    assert balances[chain.alice] < -1_000  # the deposit plus gas
    assert "balance" in repr(d) and "<table>" in d._repr_html_()
    withdraw = lab.diff(bank.withdraw(400))
    assert {(s, b, a) for _, s, b, a in withdraw.storage} >= {(1, 1_000, 600)}


def test_diff_needs_a_lab_receipt():
    with pytest.raises(TraceError, match="takes the receipt"):
        lab.diff(None)


def test_opcode_names():
    assert opcodes.name(0x60) == "PUSH1" and opcodes.name(0x7F) == "PUSH32"
    assert opcodes.name(0x5F) == "PUSH0" and opcodes.name(0xFD) == "REVERT"
    assert opcodes.name(0x0C) == "INVALID(0x0c)"
    assert opcodes.push_size(0x61) == 2 and opcodes.push_size(0x01) == 0


def test_without_ipywidgets_the_trace_is_a_static_table(chain, bank, monkeypatch):
    """Where ipywidgets cannot be imported (exported notebooks, feedback), is the display the
    static HTML table and text, with no widget?"""
    import sys

    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # makes `import ipywidgets` fail
    t = lab.trace(bank.deposit(value=1))
    bundle = t._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/html"}
    assert "<table>" in bundle["text/html"]
