"""Lesson 08's mutation-graded exercises: do good test suites earn full marks, does each gap in a
suite cost exactly the mutants it misses, and do broken or missing answers score 0 quietly?

The suites below are what learners write: functions that take the compiled Savings, deploy it on
the kernel's chain (``lab.chain``) and raise when it misbehaves."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lessonkit import failed, graded, no_crash, stub

import sollab as lab
from sollab.grading import load_graders

BASICS = "08-testing-contracts/basics"
TIME_LOCK = "08-testing-contracts/time-lock"
PROPERTY = "08-testing-contracts/property"
ETHER = 10**18
CORRECT = None  # the correct Savings as a kernel-chain factory, for a suite that ignores its own


@pytest.fixture(scope="module")
def savings():
    """The grader's Savings and its mutants (a sollab.mutation.Mutation), compiled once."""
    return load_graders()[BASICS].checks[0].run.mutation


# --- deposits and withdrawals -----------------------------------------------------------------


def basics_reference(Savings):
    alice, bob = lab.chain.alice, lab.chain.bob
    s = Savings.deploy(0)
    receipt = s.deposit(value=5 * ETHER, sender=alice)
    assert s.balanceOf(alice) == 5 * ETHER
    assert lab.chain.balance(s) == 5 * ETHER
    lab.emitted(receipt, "Deposited", saver=alice, amount=5 * ETHER)
    with lab.reverts("ZeroAmount"):
        s.deposit(value=0, sender=bob)
    receipt = s.withdraw(2 * ETHER, sender=alice)
    assert s.balanceOf(alice) == 3 * ETHER
    assert lab.chain.balance(s) == 3 * ETHER
    lab.emitted(receipt, "Withdrawn", saver=alice, amount=2 * ETHER)
    with lab.reverts("InsufficientBalance", balance=3 * ETHER, needed=4 * ETHER):
        s.withdraw(4 * ETHER, sender=alice)


def basics_other_style(Savings):
    """Small named tests, each on its own contract, run in snapshots; events read by hand."""

    def deposit_of_nothing_is_refused():
        s = Savings.deploy(0)
        with lab.reverts("ZeroAmount"):
            s.deposit()

    def withdrawal_moves_ether_and_says_so():
        s = Savings.deploy(0)
        s.deposit(value=1000, sender=lab.accounts.carol)
        before = s.balanceOf(lab.accounts.carol)
        receipt = s.withdraw(1000, sender=lab.accounts.carol)
        (event,) = receipt.events_named("Withdrawn")
        assert event["amount"] == 1000 and event["saver"] == lab.accounts.carol
        assert before - s.balanceOf(lab.accounts.carol) == 1000
        assert lab.chain.balance(s) == 0

    def overdraft_is_insufficient_balance():
        s = Savings.deploy(0)
        s.deposit(value=1, sender=lab.accounts.dave)
        with lab.reverts("InsufficientBalance"):
            s.withdraw(2, sender=lab.accounts.dave)

    for test in [
        deposit_of_nothing_is_refused,
        withdrawal_moves_ether_and_says_so,
        overdraft_is_insufficient_balance,
    ]:
        with lab.chain.anchor():
            test()


def basics_without_events(Savings):
    s = Savings.deploy(0)
    s.deposit(value=50)
    with lab.reverts("ZeroAmount"):
        s.deposit(value=0)
    s.withdraw(20)
    assert s.balanceOf(lab.chain.alice) == 30
    assert lab.chain.balance(s) == 30
    with lab.reverts("InsufficientBalance"):
        s.withdraw(31)


def basics_any_revert(Savings):
    """Checks state, Ether and events, but expects only *a* revert on an overdraft."""
    s = Savings.deploy(0)
    with lab.reverts():
        s.deposit(value=0)
    s.deposit(value=50)
    lab.emitted(s.withdraw(50), "Withdrawn", amount=50)
    assert s.balanceOf(lab.chain.alice) == 0 and lab.chain.balance(s) == 0
    with lab.reverts():
        s.withdraw(1)


def basics_without_ether(Savings):
    """Never looks at the contract's Ether: misses a withdrawal that pays out too little."""
    s = Savings.deploy(0)
    with lab.reverts("ZeroAmount"):
        s.deposit(value=0)
    s.deposit(value=50)
    lab.emitted(s.withdraw(50), "Withdrawn", amount=50)
    assert s.balanceOf(lab.chain.alice) == 0
    with lab.reverts("InsufficientBalance"):
        s.withdraw(1)


def basics_expects_zero_deposits(Savings):
    """Believes a deposit of 0 is fine: wrong about the correct contract."""
    s = Savings.deploy(0)
    s.deposit(value=0)


def basics_global_contract(Savings):
    """Tests a contract of its own, not the one it is given: catches nothing."""
    basics_reference(CORRECT)


def test_basics_reference_earns_full_marks(module_chain):
    assert graded(BASICS, basics_reference, module_chain) == 5


def test_basics_a_differently_written_suite_earns_full_marks(module_chain):
    result = graded(BASICS, basics_other_style, module_chain)
    assert result == 5, result.report()


@pytest.mark.parametrize(
    "suite, missed",
    [
        (basics_without_events, "catches a bug in the events"),
        (basics_any_revert, "catches a withdrawal that fails the wrong way"),
        (basics_without_ether, "catches a bug in how withdrawals pay out"),
    ],
)
def test_basics_each_gap_loses_its_mutant(module_chain, suite, missed):
    result = graded(BASICS, suite, module_chain)
    assert result == 4, result.report()
    assert failed(result) == [missed]


def test_basics_a_suite_that_fails_on_the_correct_contract_earns_nothing(module_chain):
    result = graded(BASICS, basics_expects_zero_deposits, module_chain)
    assert result == 0
    message = result.results[0].message
    assert "your tests to pass on a correct Savings" in message
    assert "ZeroAmount" in message and "s.deposit(value=0)" in message  # their line


def test_basics_a_suite_on_its_own_contract_catches_nothing(module_chain, savings):
    global CORRECT
    CORRECT = lab.ContractFactory(savings.artifact("correct"), lab.get_chain)
    result = graded(BASICS, basics_global_contract, module_chain)
    assert result == 0
    assert all("they all passed" in r.message for r in result.results)


@pytest.mark.parametrize("answer", [stub, 42, None, "def test(S): pass"])
def test_stubs_and_wrong_types_score_zero_without_raising(module_chain, answer):
    for exercise_id in (BASICS, TIME_LOCK, PROPERTY):
        result = no_crash(exercise_id, answer, module_chain)
        if answer is stub:
            assert "not written yet" in result.results[0].message


# --- the time lock ----------------------------------------------------------------------------


def time_lock_reference(Savings):
    alice, bob = lab.chain.alice, lab.chain.bob
    period = 3600
    s = Savings.deploy(period)
    start = lab.chain.timestamp
    s.deposit(value=100, sender=alice)
    assert s.unlockAt(alice) == start + period
    lab.chain.time_travel(to=start + period - 1)
    with lab.reverts("StillLocked", until=start + period):
        s.withdraw(1, sender=alice)
    lab.chain.time_travel(to=start + period)
    s.withdraw(100, sender=alice)
    first = lab.chain.timestamp
    s.deposit(value=10, sender=bob)
    lab.chain.time_travel(to=first + period // 2)
    second = lab.chain.timestamp
    s.deposit(value=10, sender=bob)
    lab.chain.time_travel(to=first + period)
    with lab.reverts("StillLocked"):
        s.withdraw(20, sender=bob)
    lab.chain.time_travel(to=second + period)
    s.withdraw(20, sender=bob)


def time_lock_in_seconds_travelled(Savings):
    """Relative jumps and one contract per scenario, in anchors; no timestamps remembered."""
    day = 24 * 3600
    with lab.chain.anchor():
        s = Savings.deploy(day)
        s.deposit(value=5)
        # After the deposit the clock reads its block's time + 1 s: this is 1 s before the end.
        lab.chain.time_travel(day - 2)
        with lab.reverts("StillLocked"):
            s.withdraw(5)
        s.withdraw(5)  # that failed transaction's block took the last second: the lock is over
    with lab.chain.anchor():
        s = Savings.deploy(day)
        s.deposit(value=5)
        lab.chain.time_travel(day // 2)
        s.deposit(value=5)
        lab.chain.time_travel(day // 2 + 10)
        with lab.reverts("StillLocked"):
            s.withdraw(10)
        lab.chain.time_travel(day)
        s.withdraw(10)


def time_lock_well_after_only(Savings):
    """Never tries the last second of the lock: misses the bug at its very end."""
    s = Savings.deploy(100)
    start = lab.chain.timestamp
    s.deposit(value=1)
    assert s.unlockAt(lab.chain.alice) == start + 100
    with lab.reverts("StillLocked"):
        s.withdraw(1)
    s.deposit(value=1)
    lab.chain.time_travel(to=start + 100)
    with lab.reverts("StillLocked"):
        s.withdraw(1)
    lab.chain.time_travel(to=start + 500)
    s.withdraw(2)


def time_lock_one_deposit(Savings):
    """One deposit only, and trusts unlockAt(): misses the wrong length and the restart."""
    s = Savings.deploy(100)
    s.deposit(value=1)
    until = s.unlockAt(lab.chain.alice)
    with lab.reverts("StillLocked"):
        s.withdraw(1)
    lab.chain.time_travel(to=until)
    s.withdraw(1)


def time_lock_expects_a_lock_without_deposits(Savings):
    """Expects a saver who never deposited to be locked: wrong about the correct contract."""
    s = Savings.deploy(100)
    with lab.reverts("StillLocked"):
        s.withdraw(1, sender=lab.chain.eve)


def test_time_lock_reference_earns_full_marks(module_chain):
    assert graded(TIME_LOCK, time_lock_reference, module_chain) == 4


def test_time_lock_a_differently_written_suite_earns_full_marks(module_chain):
    result = graded(TIME_LOCK, time_lock_in_seconds_travelled, module_chain)
    assert result == 4, result.report()


@pytest.mark.parametrize(
    "suite, missed",
    [
        (time_lock_well_after_only, ["catches a bug at the very end of the lock"]),
        (
            time_lock_one_deposit,
            ["catches a lock of the wrong length", "catches a bug in repeated deposits"],
        ),
    ],
)
def test_time_lock_each_gap_loses_its_mutants(module_chain, suite, missed):
    result = graded(TIME_LOCK, suite, module_chain)
    assert result == 4 - len(missed), result.report()
    assert failed(result) == missed


def test_time_lock_a_wrong_expectation_earns_nothing(module_chain):
    result = graded(TIME_LOCK, time_lock_expects_a_lock_without_deposits, module_chain)
    assert result == 0
    assert "reverted with custom error InsufficientBalance" in result.results[0].message


def test_the_learners_chain_is_left_as_it_was(module_chain):
    """Grading travels in time and deploys on the kernel's chain, inside a snapshot."""
    kernel = lab.get_chain()
    block, clock = kernel.block_number, kernel.timestamp
    graded(TIME_LOCK, time_lock_reference, module_chain)
    assert kernel.timestamp <= clock + 2  # a snapshot may mine one empty block
    assert kernel.block_number <= block + 2


# --- the property -----------------------------------------------------------------------------


def model_test(amounts, kinds=("deposit", "withdraw", "withdraw all")):
    """A model-based property test over the given strategies (what learners write, varied)."""
    steps = st.lists(
        st.tuples(st.sampled_from(kinds), st.sampled_from(["alice", "bob"]), amounts),
        max_size=5,
    )

    def test(Savings):
        @settings(max_examples=10, deadline=None)
        @given(steps)
        def run(steps):
            with lab.chain.anchor():
                s = Savings.deploy(0)
                model = {"alice": 0, "bob": 0}
                for kind, name, amount in steps:
                    who = getattr(lab.chain, name)
                    if kind == "deposit":
                        s.deposit(value=amount, sender=who)
                        model[name] += amount
                        continue
                    if kind == "withdraw all":
                        amount = model[name]
                        if amount == 0:
                            continue
                    if amount > model[name]:
                        with lab.reverts("InsufficientBalance"):
                            s.withdraw(amount, sender=who)
                    else:
                        s.withdraw(amount, sender=who)
                        model[name] -= amount
                    for n, balance in model.items():
                        assert s.balanceOf(getattr(lab.chain, n)) == balance
                    assert lab.chain.balance(s) == sum(model.values())

        run()

    return test


WIDE = st.integers(1, 10**6) | st.integers(1, 100).map(lambda n: n * ETHER)


def property_by_shares(Savings):
    """Another shape: one saver, withdrawals as a share of the balance (100% included)."""

    @settings(max_examples=15, deadline=None)
    @given(
        st.lists(st.integers(1, 10**9) | st.integers(10, 90).map(lambda n: n * ETHER), max_size=3),
        st.sampled_from([10, 50, 100]),
    )
    def run(deposits, percent):
        with lab.chain.anchor():
            s = Savings.deploy(0)
            for amount in deposits:
                s.deposit(value=amount, sender=lab.chain.frank)
            total = sum(deposits)
            assert s.balanceOf(lab.chain.frank) == total
            amount = total * percent // 100
            if amount:
                s.withdraw(amount, sender=lab.chain.frank)
            assert lab.chain.balance(s) == total - amount == s.balanceOf(lab.chain.frank)

    run()


def test_property_reference_earns_full_marks(module_chain):
    result = graded(PROPERTY, model_test(WIDE), module_chain)
    assert result == 3, result.report()


def test_property_a_differently_written_property_earns_full_marks(module_chain):
    result = graded(PROPERTY, property_by_shares, module_chain)
    assert result == 3, result.report()


@pytest.mark.parametrize(
    "suite, missed",
    [
        (model_test(st.integers(1, 10**6)), ["catches a bug with large amounts"]),
        (
            model_test(WIDE, kinds=("deposit", "withdraw")),
            ["catches a bug in withdrawing everything"],
        ),
        (model_test(st.integers(1, 100).map(lambda n: n * ETHER)), ["catches a rounding bug"]),
    ],
    ids=["small-amounts", "no-withdraw-all", "whole-ether-only"],
)
def test_property_each_gap_loses_its_mutant(module_chain, suite, missed):
    result = graded(PROPERTY, suite, module_chain)
    assert result == 3 - len(missed), result.report()
    assert failed(result) == missed


def test_a_failing_property_names_its_falsifying_example(module_chain):
    def wrong(Savings):
        @settings(max_examples=10, deadline=None)
        @given(st.integers(1, 10**6))
        def run(amount):
            with lab.chain.anchor():
                s = Savings.deploy(0)
                s.deposit(value=amount)
                assert s.balanceOf(lab.chain.alice) == min(amount, 999)

        run()

    message = graded(PROPERTY, wrong, module_chain).results[0].message
    assert "AssertionError" in message and "assert s.balanceOf(" in message
    assert "the failing input: run(amount=1000)" in message  # shrunk on the correct contract


# --- the mutants themselves ---------------------------------------------------------------------


def test_every_mutant_is_one_real_change_and_gives_nothing_away(savings):
    """Each mutant compiles to other code than the correct Savings (no two the same), keeps its
    ABI, and travels alone: its compilation holds only its own source, named Savings.sol."""
    keys = ["correct", *savings.mutants]
    compiled = {key: savings.artifact(key) for key in keys}
    codes = {key: a.deployed_bytecode.rsplit("a264", 1)[0] for key, a in compiled.items()}
    assert len(set(codes.values())) == len(codes)
    for key, artifact in compiled.items():
        assert artifact.abi == compiled["correct"].abi, key
        assert list(artifact.compilation.sources) == ["Savings.sol"], key


def test_messages_never_show_a_mutants_code(module_chain, savings):
    result = graded(BASICS, basics_without_events, module_chain)
    text = result.report()
    for _, _, edits in savings.mutants.values():
        for _old, new in edits:
            assert not new or new not in text
