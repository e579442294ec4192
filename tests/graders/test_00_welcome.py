"""Lesson 00's warm-ups: does the reference answer earn full marks, does a differently written
right answer too, does each typical mistake lose exactly its own checks' points, and does the
released stub (or a wrong kind of answer) score 0 without raising?"""

from __future__ import annotations

import pytest
from lessonkit import contract, from_file, no_crash, outcome, score, stub

FACTS, SPLIT, HELLO = "00-welcome/chain-facts", "00-welcome/split", "00-welcome/hello"


# --- chain-facts (a value) ---------------------------------------------------------------------

BOB = "0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF"


def test_facts_reference_and_another_spelling_earn_full_marks(module_chain):
    import sollab as lab

    assert score(FACTS, {"accounts": 10, "bob": BOB, "wei_per_ether": 10**18}, module_chain) == 3
    # Looked up in the lab, bob in lower case, extra keys: still right.
    found = {
        "accounts": len(lab.accounts),
        "bob": lab.accounts.bob.lower(),
        "wei_per_ether": int("1" + "0" * 18),
        "note": "extra keys are fine",
    }
    assert score(FACTS, found, module_chain) == 3


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
def test_facts_mistakes_lose_their_own_point(answer, lost, module_chain):
    points, titles = outcome(FACTS, answer, module_chain)
    assert points == 3 - len(lost)
    assert [t.split("'")[1] for t in titles] == lost


def test_facts_stub_and_wrong_type_score_zero(module_chain):
    assert score(FACTS, {}, module_chain) == 0  # what the released cell binds
    assert score(FACTS, [10, BOB, 10**18], module_chain) == 0


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


def test_split_right_answers_earn_full_marks(module_chain):
    assert score(SPLIT, split_reference, module_chain) == 5
    assert score(SPLIT, split_one_at_a_time, module_chain) == 5


def test_split_dropping_the_leftover_loses_the_sum_and_the_edge_cases(module_chain):
    def floor_only(total, n):
        return [total // n] * n

    assert outcome(SPLIT, floor_only, module_chain) == (
        2,
        [
            "the shares add up to the total: no wei lost or made",
            "nothing to share, one person, fewer wei than people",
        ],
    )


def test_split_leftover_to_one_person_loses_only_fairness(module_chain):
    def last_takes_all(total, n):
        q, r = divmod(total, n)
        return [q] * (n - 1) + [q + r]

    assert outcome(SPLIT, last_takes_all, module_chain) == (
        3,
        [
            "the shares are fair: no two differ by more than 1 wei",
            "nothing to share, one person, fewer wei than people",
        ],
    )


def test_split_with_float_division_loses_whole_numbers_and_exactness(module_chain):
    def with_floats(total, n):
        return [total / n] * n

    points, lost = outcome(SPLIT, with_floats, module_chain)
    assert "split(total, n) returns n whole-number shares" in lost
    assert "the shares add up to the total: no wei lost or made" in lost
    assert points == 1  # fair (all equal), nothing else


def test_split_stub_and_wrong_type_score_zero_without_raising(module_chain):
    stubbed = no_crash(SPLIT, stub, module_chain)
    assert all("not done yet" in r.message for r in stubbed.results)
    no_crash(SPLIT, lambda total, n: None, module_chain)
    no_crash(SPLIT, "divmod", module_chain)  # not a function at all


# --- hello (a contract) ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hellos():
    def greet(mutability, returns, value='"Hello, world!"'):
        return contract(
            "Hello",
            f"function greet() external {mutability} returns ({returns}) {{ return {value}; }}",
        )

    changing = '(msg.sender == tx.origin && block.number < 3) ? "Hello, world!" : "Bye"'
    return {
        "reference": from_file("solutions", "00-welcome", "Hello"),
        "state": contract(
            "Hello",
            'string public greeting = "Hello, world!";\n'
            "function greet() external view returns (string memory) { return greeting; }",
        ),
        "getter": contract("Hello", 'string public constant greet = "Hello, world!";'),
        "no-view": greet("", "string memory"),
        "wrong-text": greet("pure", "string memory", '"Hello World"'),
        "bytes": greet("pure", "bytes32"),
        "changing": greet("view", "string memory", changing),
        "starter": from_file("contracts", "00-welcome", "Hello"),
    }


def test_hello_right_answers_earn_full_marks(hellos, module_chain):
    assert score(HELLO, hellos["reference"], module_chain) == 5
    assert score(HELLO, hellos["state"], module_chain) == 5
    # a public constant's getter is a view too
    assert score(HELLO, hellos["getter"], module_chain) == 5


def test_hello_forgetting_view_loses_only_its_point(hellos, module_chain):
    assert outcome(HELLO, hellos["no-view"], module_chain) == (
        4,
        ["greet() is a view or pure function: calling it costs no transaction"],
    )


def test_hello_wrong_text_loses_the_text_check(hellos, module_chain):
    assert outcome(HELLO, hellos["wrong-text"], module_chain) == (
        3,
        ["greet() returns 'Hello, world!'"],
    )


def test_hello_bytes32_is_not_text(hellos, module_chain):
    # a view that says the same to all: 1 + 1
    assert score(HELLO, hellos["bytes"], module_chain) == 2


def test_hello_that_changes_with_caller_or_block_loses_the_hidden_check(hellos, module_chain):
    assert outcome(HELLO, hellos["changing"], module_chain)[1] == [
        "greet() says the same to every caller, block after block"
    ]


def test_hello_starter_stub_and_wrong_type_score_zero(hellos, module_chain):
    assert score(HELLO, hellos["starter"], module_chain) == 0
    assert score(HELLO, "contract Hello {", module_chain) == 0  # source that does not compile
    assert score(HELLO, 42, module_chain) == 0
