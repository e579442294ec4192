"""Lesson 00's warm-ups: does the reference answer earn full marks, does a differently written
right answer too, does each typical mistake lose exactly its own checks' points, and does the
released stub (or a wrong kind of answer) score 0 without raising?"""

from __future__ import annotations

from pathlib import Path

import pytest

from sollab import compile_source
from sollab.grading import grade

REPO = Path(__file__).resolve().parents[2]
FACTS, SPLIT, HELLO = "00-welcome/chain-facts", "00-welcome/split", "00-welcome/hello"


_graded: dict[tuple[str, int], tuple[object, object]] = {}
_chains: list = []


def _chain():
    """One chain for the module's grades (each check runs in its own snapshot of it), so the
    tests do not pay for a fresh chain per grade."""
    if not _chains:
        from sollab.chain import Chain

        _chains.append(Chain())
    return _chains[0]


def report(exercise_id: str, answer):
    """The grade of ``answer`` (graded once: checks are deterministic, fuzzing derandomized)."""
    key = (exercise_id, id(answer))
    if key not in _graded:
        _graded[key] = (answer, grade(exercise_id, answer, quiet=True, chain=_chain()))
    return _graded[key][1]


def score(exercise_id: str, answer) -> float:
    return float(report(exercise_id, answer))


def failed(exercise_id: str, answer) -> list[str]:
    return [r.title for r in report(exercise_id, answer).results if not r.passed]


# --- chain-facts (a value) ---------------------------------------------------------------------

BOB = "0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF"


def test_facts_reference_and_another_spelling_earn_full_marks():
    import sollab as lab

    assert score(FACTS, {"accounts": 10, "bob": BOB, "wei_per_ether": 10**18}) == 3
    # Looked up in the lab, bob in lower case, extra keys: still right.
    found = {
        "accounts": len(lab.accounts),
        "bob": lab.accounts.bob.lower(),
        "wei_per_ether": int("1" + "0" * 18),
        "note": "extra keys are fine",
    }
    assert score(FACTS, found) == 3


@pytest.mark.parametrize(
    "answer, lost",
    [
        ({"accounts": 10, "bob": BOB, "wei_per_ether": 1e18}, ["wei_per_ether"]),  # a float
        ({"accounts": 10, "bob": BOB, "wei_per_ether": 10**9}, ["wei_per_ether"]),  # gwei
        ({"accounts": "10", "bob": BOB, "wei_per_ether": 10**18}, ["accounts"]),
        ({"accounts": 10, "bob": "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf",
          "wei_per_ether": 10**18}, ["bob"]),  # alice's address
        ({"accounts": 10, "wei_per_ether": 10**18}, ["bob"]),  # a key left out
    ],
)  # fmt: skip
def test_facts_mistakes_lose_their_own_point(answer, lost):
    assert score(FACTS, answer) == 3 - len(lost)
    assert [t.split("'")[1] for t in failed(FACTS, answer)] == lost


def test_facts_stub_and_wrong_type_score_zero():
    assert score(FACTS, {}) == 0  # what the released cell binds
    assert score(FACTS, [10, BOB, 10**18]) == 0


# --- split (a Python function) -----------------------------------------------------------------


def split_reference(total, n):
    q, r = divmod(total, n)
    return [q + 1] * r + [q] * (n - r)


def split_one_at_a_time(total, n):
    """Another right answer: deal the wei out like cards (in bulk, then one by one)."""
    shares = [total // n for _ in range(n)]
    i = 0
    while sum(shares) < total:
        shares[i] += 1
        i += 1
    return tuple(shares)


def test_split_right_answers_earn_full_marks():
    assert score(SPLIT, split_reference) == 5
    assert score(SPLIT, split_one_at_a_time) == 5


def test_split_dropping_the_leftover_loses_the_sum_and_the_edge_cases():
    def floor_only(total, n):
        return [total // n] * n

    assert score(SPLIT, floor_only) == 2
    assert failed(SPLIT, floor_only) == [
        "the shares add up to the total: no wei lost or made",
        "nothing to share, one person, fewer wei than people",
    ]


def test_split_leftover_to_one_person_loses_only_fairness():
    def last_takes_all(total, n):
        q, r = divmod(total, n)
        return [q] * (n - 1) + [q + r]

    assert failed(SPLIT, last_takes_all) == [
        "the shares are fair: no two differ by more than 1 wei",
        "nothing to share, one person, fewer wei than people",
    ]
    assert score(SPLIT, last_takes_all) == 3


def test_split_with_float_division_loses_whole_numbers_and_exactness():
    def with_floats(total, n):
        return [total / n] * n

    lost = failed(SPLIT, with_floats)
    assert "split(total, n) returns n whole-number shares" in lost
    assert "the shares add up to the total: no wei lost or made" in lost
    assert score(SPLIT, with_floats) == 1  # fair (all equal), nothing else


def test_split_stub_and_wrong_type_score_zero_without_raising():
    def stub(total, n):
        raise NotImplementedError()

    messages = [r.message for r in report(SPLIT, stub).results]
    assert score(SPLIT, stub) == 0
    assert all("not done yet" in m and "stopped with" not in m for m in messages)
    assert score(SPLIT, lambda total, n: None) == 0
    assert score(SPLIT, "divmod") == 0  # not a function at all


# --- hello (a contract) ------------------------------------------------------------------------

HEADER = "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.24;\n"


@pytest.fixture(scope="module")
def hellos():
    def make(body):
        return compile_source(HEADER + "contract Hello {\n" + body + "\n}\n")["Hello"]

    def greet(mutability, returns, value='"Hello, world!"'):
        return make(
            f"function greet() external {mutability} returns ({returns}) {{ return {value}; }}"
        )

    def from_file(path):
        return compile_source((REPO / path).read_text())["Hello"]

    changing = '(msg.sender == tx.origin && block.number < 3) ? "Hello, world!" : "Bye"'
    return {
        "reference": from_file("solutions/00-welcome/Hello.sol"),
        "state": make(
            'string public greeting = "Hello, world!";\n'
            "function greet() external view returns (string memory) { return greeting; }"
        ),
        "getter": make('string public constant greet = "Hello, world!";'),
        "no-view": greet("", "string memory"),
        "wrong-text": greet("pure", "string memory", '"Hello World"'),
        "bytes": greet("pure", "bytes32"),
        "changing": greet("view", "string memory", changing),
        "starter": from_file("contracts/00-welcome/Hello.sol"),
    }


def test_hello_right_answers_earn_full_marks(hellos):
    assert score(HELLO, hellos["reference"]) == 5
    assert score(HELLO, hellos["state"]) == 5
    assert score(HELLO, hellos["getter"]) == 5  # a public constant's getter is a view too


def test_hello_forgetting_view_loses_only_its_point(hellos):
    assert failed(HELLO, hellos["no-view"]) == [
        "greet() is a view or pure function: calling it costs no transaction"
    ]
    assert score(HELLO, hellos["no-view"]) == 4


def test_hello_wrong_text_loses_the_text_check(hellos):
    assert failed(HELLO, hellos["wrong-text"]) == ["greet() returns 'Hello, world!'"]
    assert score(HELLO, hellos["wrong-text"]) == 3


def test_hello_bytes32_is_not_text(hellos):
    assert score(HELLO, hellos["bytes"]) == 2  # a view that says the same to all: 1 + 1


def test_hello_that_changes_with_caller_or_block_loses_the_hidden_check(hellos):
    assert failed(HELLO, hellos["changing"]) == [
        "greet() says the same to every caller, block after block"
    ]


def test_hello_starter_stub_and_wrong_type_score_zero(hellos):
    assert score(HELLO, hellos["starter"]) == 0
    assert score(HELLO, "contract Hello {") == 0  # source text that does not compile
    assert score(HELLO, 42) == 0
