"""Checks for lesson 08, testing contracts: the learner's tests are graded by mutation.

The learner writes a test function, ``def test_...(Savings): ...``, that deploys the compiled
contract it is given (``Savings.deploy(...)``) on the kernel's chain and raises when the contract
misbehaves. Each exercise runs it on the correct Savings (contracts/08-testing-contracts/), where
it must pass, then on buggy variants ("mutants") made here by one small edit each: a check
earns its point when the tests fail on its mutant. A suite that always fails earns nothing,
because it fails on the correct contract; the mutants' code is never shown.
"""

from __future__ import annotations

from pathlib import Path

from sollab.grading import exercise
from sollab.mutation import Mutant, Mutation

SOURCE = Path("contracts") / "08-testing-contracts" / "Savings.sol"


# --- mutants ----------------------------------------------------------------------------------

BASICS: dict[str, Mutant] = {
    "zero-deposit": (
        "catches a bug in deposits",
        "a bug in deposits",
        [("if (msg.value == 0) revert ZeroAmount();", "")],
    ),
    "balance-kept": (
        "catches a bug in the withdrawal bookkeeping",
        "a bug in what a withdrawal records",
        [("balanceOf[msg.sender] = balance - amount;", "balanceOf[msg.sender] = balance;")],
    ),
    "half-paid": (
        "catches a bug in how withdrawals pay out",
        "a bug in how withdrawals pay out",
        [("call{value: amount}", "call{value: amount / 2}")],
    ),
    "event-remaining": (
        "catches a bug in the events",
        "a bug in one of its events",
        [("emit Withdrawn(msg.sender, amount);", "emit Withdrawn(msg.sender, balance - amount);")],
    ),
    "wrong-error": (
        "catches a withdrawal that fails the wrong way",
        "a withdrawal that reverts, but not as documented",
        [("if (amount > balance) revert InsufficientBalance(balance, amount);", "")],
    ),
}

TIME_LOCK: dict[str, Mutant] = {
    "no-lock": (
        "catches withdrawals that ignore the lock",
        "a time lock that does not hold",
        [("if (block.timestamp < until) revert StillLocked(until);", "")],
    ),
    "edge": (
        "catches a bug at the very end of the lock",
        "a bug at the edge of the lock period",
        [("block.timestamp < until", "block.timestamp <= until")],
    ),
    "too-long": (
        "catches a lock of the wrong length",
        "a lock of the wrong length",
        [("block.timestamp + lockPeriod;", "block.timestamp + lockPeriod * 1 minutes;")],
    ),
    "no-restart": (
        "catches a bug in repeated deposits",
        "a bug in what a later deposit does to the lock",
        [
            (
                "unlockAt[msg.sender] = until;",
                "if (unlockAt[msg.sender] == 0) unlockAt[msg.sender] = until;",
            )
        ],
    ),
}

PROPERTY: dict[str, Mutant] = {
    "large-amounts": (
        "catches a bug with large amounts",
        "a bug that only large amounts show",
        [("balanceOf[msg.sender] += msg.value;", "balanceOf[msg.sender] += uint64(msg.value);")],
    ),
    "everything": (
        "catches a bug in withdrawing everything",
        "a bug that only one particular withdrawal shows",
        [("if (amount > balance)", "if (amount >= balance)")],
    ),
    "rounding": (
        "catches a rounding bug",
        "a rounding bug",
        [
            (
                "balanceOf[msg.sender] += msg.value;",
                "balanceOf[msg.sender] += msg.value / 1 gwei * 1 gwei;",
            )
        ],
    ),
}

MUTANTS = {**BASICS, **TIME_LOCK, **PROPERTY}
SAVINGS = Mutation("lesson 08", SOURCE, MUTANTS)
artifact = SAVINGS.artifact  # the correct Savings or a mutant, compiled alone (tests read it)


# --- the exercises ----------------------------------------------------------------------------

basics = exercise(
    "08-testing-contracts/basics",
    "Tests for deposits and withdrawals",
    submits="function",
    name="test_savings_basics",
    hints=[
        "Deploy the contract your function receives (`s = Savings.deploy(0)`), not a global: "
        "the grader hands your function a different Savings each time.",
        "Go through the documented behaviour line by line: for each sentence, do the action, "
        "then check the state (`balanceOf`), the Ether (`lab.chain.balance(s)`) and the event "
        "(`lab.emitted(receipt, ...)`).",
        'A failure is behaviour too: `with lab.reverts("ErrorName"):` checks *which* error a '
        "call reverts with, not only that it reverts.",
    ],
)
SAVINGS.checks(
    basics,
    BASICS,
    visible="zero-deposit",
    hint="check every documented rule: the state, the Ether, the events and the errors",
)

time_lock = exercise(
    "08-testing-contracts/time-lock",
    "Tests for the time lock",
    submits="function",
    name="test_time_lock",
    hints=[
        "Deploy with a lock, e.g. `s = Savings.deploy(3600)`, and deposit: the lock runs from "
        "that deposit's block timestamp (`s.unlockAt(saver)` tells you when it ends).",
        "`lab.chain.time_travel(to=t)` makes the next transaction run at timestamp `t`: try a "
        "withdrawal one second before the lock ends and exactly when it ends.",
        "Read the deposit rule again: what should a second deposit do to a lock that is still "
        "running?",
    ],
)
SAVINGS.checks(
    time_lock,
    TIME_LOCK,
    visible="no-lock",
    hint="test the lock before, at and after its end, and after more than one deposit",
)

prop = exercise(
    "08-testing-contracts/property",
    "A property test with hypothesis",
    submits="function",
    name="test_savings_property",
    hints=[
        "Inside your test, define a function decorated with `@given(...)` and call it; in it, "
        "start from a fresh Savings (`with lab.chain.anchor():` and `Savings.deploy(0)`).",
        "Keep a plain-Python model (a dict of balances) next to the contract and compare them "
        "after every step; also compare `lab.chain.balance(s)` with the sum of the model.",
        "Let the strategy reach the edges: amounts from 1 wei up to 100 ether, and withdrawals "
        "of part of the balance, of all of it, and of more than it.",
    ],
)
SAVINGS.checks(
    prop,
    PROPERTY,
    visible="large-amounts",
    hint="draw from wider strategies and check more invariants after every step",
)
