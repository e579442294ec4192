"""Grading tests by mutation (sollab.mutation): the correct contract and each mutant compiled
alone, a learner's test run on each with everything undone, and its failure described in the
learner's own words and line."""

from __future__ import annotations

import sys
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


def test_a_property_draws_the_same_inputs_whatever_the_process_has_loaded(tmp_path, monkeypatch):
    """hypothesis mixes in constants from the local modules a process has loaded; a learner's
    property must not catch a mutant in one grading process and miss it in another."""
    from hypothesis import given
    from hypothesis import strategies as st

    drawn: list[int] = []

    def draws(Savings):
        @given(st.lists(st.integers(0, 2**64), min_size=20, max_size=20))
        def check(numbers):
            drawn.extend(numbers)

        check()

    def inputs() -> list[int]:
        drawn.clear()
        assert SAVINGS.run_tests(draws, "correct") is None
        return list(drawn)

    before = inputs()
    constants = list(range(10**15, 10**15 + 50))  # a module of the learner's, full of them
    (tmp_path / "learners_helpers.py").write_text(f"LIMITS = {constants}\n")
    monkeypatch.syspath_prepend(tmp_path)
    monkeypatch.delitem(sys.modules, "learners_helpers", raising=False)
    __import__("learners_helpers")
    after = inputs()
    assert len(after) == 15 * 20  # the lesson's 15 examples
    assert after == before
    assert not set(after) & set(constants)


def test_a_graded_run_is_anchored_and_reproducible_and_says_so():
    """What a learner's test runs inside, in the kernel or (entered again there) in a sandbox."""
    from hypothesis import settings

    from sollab.mutation import current_run, graded_run

    chain = sollab.get_chain()
    saver = "0x" + "5b" * 20  # (entering an anchor may mine a block: watch state, not blocks)
    before = settings.default
    with graded_run(shrink=False):
        assert current_run() == {"shrink": False}
        assert settings.default.derandomize and settings.default.max_examples == 15
        chain.set_balance(saver, 7)
        assert chain.balance(saver) == 7
        print("swallowed")
    assert current_run() is None
    assert (chain.balance(saver), settings.default) == (0, before)
