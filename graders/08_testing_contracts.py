"""Checks for lesson 08, testing contracts: the learner's tests are graded by mutation.

The learner writes a test function, ``def test_...(Savings): ...``, that deploys the compiled
contract it is given (``Savings.deploy(...)``) on the kernel's chain and raises when the contract
misbehaves. Each exercise runs it on the correct Savings (contracts/08-testing-contracts/), where
it must pass, then on buggy variants ("mutants") made here by one small edit each: a check
earns its point when the tests fail on its mutant. A suite that always fails earns nothing,
because it fails on the correct contract; the mutants' code is never shown.
"""

from __future__ import annotations

import contextlib
import io
import linecache
import re
import traceback
import weakref
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import sollab
from sollab.contracts import ContractFactory
from sollab.grading import CheckFailed, Exercise, GradingError, exercise
from sollab.paths import lab_root

SOURCE = Path("contracts") / "08-testing-contracts" / "Savings.sol"


# --- mutants ----------------------------------------------------------------------------------

# Each mutant: (check title, the bug in the learner's words, the edits that make it). A title
# names the kind of bug only vaguely; the edits stay here.
Mutant = tuple[str, str, list[tuple[str, str]]]

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


def mutate(text: str, edits: list[tuple[str, str]]) -> str:
    """``text`` with each ``old`` (found exactly once) replaced by ``new``."""
    for old, new in edits:
        if text.count(old) != 1:
            raise GradingError(f"lesson 08 grader: {old!r} is not found exactly once in Savings")
        text = text.replace(old, new)
    return text


@cache
def artifact(key: str) -> Any:
    """The correct Savings (``"correct"``) or a mutant, compiled on its own as ``Savings.sol``:
    the learner's code receives it, so it must carry no other mutant's source, nor a file name
    that gives the bug away."""
    text = (lab_root() / SOURCE).read_text()
    if key != "correct":
        text = mutate(text, MUTANTS[key][2])
    return sollab.compile_source(text, "Savings.sol")["Savings"]


# --- running the learner's tests --------------------------------------------------------------

_HERE = Path(__file__).resolve()
_NOT_THEIRS = [Path(sollab.__file__).resolve().parent, _HERE]
with contextlib.suppress(ImportError):
    import hypothesis

    _NOT_THEIRS.append(Path(hypothesis.__file__).resolve().parent)


def _theirs(filename: str) -> bool:
    if filename.startswith("<") or "site-packages" in filename or "/lib/python" in filename:
        return False
    path = Path(filename).resolve()
    return not any(path == p or p in path.parents for p in _NOT_THEIRS)


def describe(exc: BaseException) -> str:
    """How the learner's failing test reads: the exception, their line, hypothesis's input."""
    first = (str(exc).strip().splitlines() or [""])[0]
    text = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if _theirs(f.filename)]
    if frames:
        frame = frames[-1]
        line = (frame.line or linecache.getline(frame.filename, frame.lineno)).strip()
        text += f" (in {frame.name}, line {frame.lineno}: {line})" if line else ""
    for note in getattr(exc, "__notes__", []):  # hypothesis names the (smallest) failing input
        found = re.match(r"(?:Falsifying example|Failing test case): (.*)", note, re.S)
        if found:
            example = re.sub(r"\s+", " ", found[1]).replace("( ", "(").replace(", )", ")")
            text += f"; the failing input: {example[:240]}"
            break
    return text


@contextlib.contextmanager
def _hypothesis_defaults(shrink: bool) -> Iterator[None]:
    """Hypothesis defaults while the learner's tests run: the lesson's 15 examples, reproducible,
    no deadline, no example database, and no shrinking on mutants (only the correct run's
    failure is ever shown). Settings the learner's test names itself still win."""
    try:
        from hypothesis import Phase, settings
    except ImportError:
        yield
        return
    previous = getattr(settings, "_current_profile", None) or "default"
    phases = [Phase.explicit, Phase.generate] + ([Phase.shrink] if shrink else [])
    settings.register_profile(
        "sollab-grading",
        max_examples=15,  # each example sends transactions: the lesson's number
        deadline=None,
        database=None,
        derandomize=True,
        phases=phases,
    )
    settings.load_profile("sollab-grading")
    try:
        yield
    finally:
        settings.load_profile(previous)


def run_tests(test: Any, key: str) -> BaseException | None:
    """Run the learner's ``test`` on the Savings called ``key`` on the kernel's chain (which
    their code uses for time travel and accounts), undoing everything afterwards; returns what
    it raised, or None."""
    chain = sollab.get_chain()
    contract = ContractFactory(artifact(key), sollab.get_chain)
    with contextlib.ExitStack() as stack:
        stack.enter_context(chain.anchor())
        stack.enter_context(_hypothesis_defaults(shrink=key == "correct"))
        stack.enter_context(contextlib.redirect_stdout(io.StringIO()))  # one report, not nine
        try:
            test(contract)
        except Exception as exc:
            return exc
    return None


# The tests run on the correct contract once per grade (each grade has a chain of its own, the
# key here), not once per check: {chain: {id(test): (test, what it raised)}}.
_on_correct: weakref.WeakKeyDictionary[Any, dict[int, tuple[Any, BaseException | None]]]
_on_correct = weakref.WeakKeyDictionary()


def passes_on_correct(t: Any) -> None:
    runs = _on_correct.setdefault(t.chain, {})
    entry = runs.get(id(t.submission))
    if entry is None or entry[0] is not t.submission:
        entry = runs[id(t.submission)] = (t.submission, run_tests(t.submission, "correct"))
    failure = entry[1]
    if isinstance(failure, NotImplementedError):
        raise CheckFailed(
            "your tests in the function",
            "not written yet (it raises NotImplementedError)",
            "replace `raise NotImplementedError()` with your tests, then run this cell again",
        )
    if failure is not None:
        raise CheckFailed(
            "your tests to pass on the correct Savings contract",
            f"they fail with {describe(failure)}",
            "a test that fails on a correct contract tests the wrong thing: compare what it "
            "expects with the contract's documented behaviour, and run it yourself on Savings",
        )


def mutant_checks(ex: Exercise, mutants: dict[str, Mutant], visible: str, hint: str) -> None:
    """One check per mutant, one point each: the tests pass on Savings and fail on the mutant."""
    for key, (title, bug, _) in mutants.items():

        def check(t: Any, key: str = key, bug: str = bug) -> None:
            passes_on_correct(t)
            t.expect(
                run_tests(t.submission, key) is not None,
                f"your tests to fail on a Savings with {bug}",
                "they all passed on it",
                hint,
            )

        ex.check(title, points=1, hidden=key != visible)(check)


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
mutant_checks(
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
mutant_checks(
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
mutant_checks(
    prop,
    PROPERTY,
    visible="large-amounts",
    hint="draw from wider strategies and check more invariants after every step",
)
