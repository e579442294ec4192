"""Grading tests by mutation (sollab.mutation): the correct contract and each mutant compiled
alone, a learner's test run on each with everything undone, and its failure described in the
learner's own words and line."""

from __future__ import annotations

from pathlib import Path

import pytest

import sollab
from sollab.grading import GradingError
from sollab.mutation import Mutation, describe

ETHER = 10**18
SAVINGS = Mutation(
    "lesson 99",
    Path("contracts/08-testing-contracts/Savings.sol"),
    {
        "zero-deposit": (
            "catches a bug in deposits",
            "a bug in deposits",
            [("if (msg.value == 0) revert ZeroAmount();", "")],
        ),
        "not-there": ("never made", "a bug", [("no such line", "")]),
    },
)


def refuses_empty_deposits(Savings):
    s = Savings.deploy(0)
    s.deposit(value=ETHER)
    with sollab.reverts("ZeroAmount"):
        s.deposit(value=0)


def test_a_mutant_is_the_contract_with_its_edit_compiled_alone():
    correct, mutant = SAVINGS.artifact("correct"), SAVINGS.artifact("zero-deposit")
    assert correct.abi == mutant.abi and correct.bytecode != mutant.bytecode
    assert list(mutant.compilation.sources) == ["Savings.sol"]
    assert SAVINGS.artifact("correct") is correct  # compiled once


def test_an_edit_that_does_not_apply_once_is_the_graders_error():
    with pytest.raises(GradingError, match=r"lesson 99 grader: 'no such line' is not found"):
        SAVINGS.artifact("not-there")


def test_the_tests_pass_on_the_correct_contract_and_catch_the_mutant_leaving_no_trace():
    chain = sollab.get_chain()
    sender = chain.default_sender
    before = (chain.nonce(sender), chain.balance(sender))
    assert SAVINGS.run_tests(refuses_empty_deposits, "correct") is None
    caught = SAVINGS.run_tests(refuses_empty_deposits, "zero-deposit")
    assert caught is not None
    assert (chain.nonce(sender), chain.balance(sender)) == before  # both runs were undone
    text = describe(caught)
    assert text.startswith("RevertExpectationFailed: did not revert"), text
    assert "(in refuses_empty_deposits, line " in text, text  # the learner's line, not ours
    assert text.endswith(': with sollab.reverts("ZeroAmount"):)'), text


def test_a_missing_contract_says_where_to_grade():
    missing = Mutation("lesson 99", Path("contracts/nowhere/Gone.sol"), {})
    with pytest.raises(GradingError, match=r"contracts/nowhere/Gone\.sol is missing"):
        missing.artifact("correct")
