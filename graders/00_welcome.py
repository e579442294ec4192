"""Checks for lesson 00, welcome to the lab: three warm-ups (a value, a Python function, a
contract)."""

from typing import Any

from hypothesis import strategies as st

from sollab.grading import exercise

WEI_PER_ETHER = 10**18

# --- 1. facts about the lab's chain (a value) -------------------------------------------------

facts = exercise(
    "00-welcome/chain-facts",
    "Three facts about the lab's chain",
    submits="value",
    name="facts",
    hints=[
        "Everything you need was shown in section 1: see what `lab.accounts` can do, and how "
        "balances were turned from wei into ether.",
        "`len(lab.accounts)` counts the funded accounts; `lab.accounts.bob` is bob's account, "
        "and an account is its address (a string).",
        "An ether is a billion billion wei: a power of ten. Write it with `**` so it stays a "
        "whole number (`1e18` would be a float).",
    ],
)


def _entry(t, key: str) -> Any:
    """The answer's ``key``, or a learner-facing failure saying what is missing."""
    answer = t.submission
    t.expect(
        isinstance(answer, dict),
        "`facts` to be a dict",
        f"a {type(answer).__name__}",
        'write facts = {"accounts": ..., "bob": ..., "wei_per_ether": ...}',
    )
    t.expect(key in answer, f"a key {key!r} in `facts`", f"keys {sorted(map(str, answer))}")
    return answer[key]


def _is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@facts.check("facts['accounts'] is how many funded accounts the chain has", points=1)
def _(t):
    got = _entry(t, "accounts")
    t.expect(
        _is_whole(got) and got == len(t.chain.accounts),
        "the number of funded accounts, as a whole number",
        repr(got),
        "count the entries of lab.accounts",
    )


@facts.check("facts['bob'] is bob's address", points=1)
def _(t):
    got = _entry(t, "bob")
    t.expect(isinstance(got, str), "an address string (0x followed by 40 hex digits)", repr(got))
    t.expect(
        got.lower() == t.bob.lower(),
        "bob's address",
        str(got),
        "lab.accounts.bob is bob; alice is lab.accounts.alice, another account",
    )


@facts.check("facts['wei_per_ether'] is how many wei make one ether", points=1)
def _(t):
    got = _entry(t, "wei_per_ether")
    t.expect(
        _is_whole(got),
        "a whole number (an int): wei are never split",
        f"{got!r} ({type(got).__name__})",
        "10 ** 6 is an int; 1e6 is a float",
    )
    t.expect(
        got == WEI_PER_ETHER,
        "the number of wei in one ether",
        f"{got:,}",
        "it is a power of ten; the exponent is in the lesson",
    )


# --- 2. sharing wei fairly (a Python function) ------------------------------------------------

split = exercise(
    "00-welcome/split",
    "Share wei fairly",
    submits="function",
    name="split",
    hints=[
        "`divmod(total, n)` gives the equal share every person gets and the wei left over.",
        "The leftover is smaller than `n`: give one extra wei to that many people.",
        "Use whole-number arithmetic only (`//`, `%`): `/` makes a float, and a float cannot "
        "hold 10**21 exactly.",
    ],
)

# Amounts up to a thousand ether (in wei), shared among up to 50 people.
AMOUNTS = st.tuples(st.integers(0, 1000 * WEI_PER_ETHER), st.integers(1, 50))


def _shares(t, total: int, n: int) -> list:
    """The learner's ``split(total, n)``; their exception becomes a message, not a crash."""
    got = t.call(total, n)
    t.expect(
        isinstance(got, (list, tuple)),
        f"split({total}, {n}) to return a list",
        f"{got!r} ({type(got).__name__})",
        "build the shares up in a list and return it",
    )
    return list(got)


@split.property("split(total, n) returns n whole-number shares", AMOUNTS, points=1, examples=25)
def _(t, case):
    total, n = case
    got = _shares(t, total, n)
    t.expect(len(got) == n, f"{n} shares", f"{len(got)}: {got[:5]!r}", "one share per person")
    t.expect(
        all(_is_whole(s) and s >= 0 for s in got),
        "each share a whole number of wei, zero or more",
        repr(got[:5]),
        "`/` gives a float; `//` a whole number",
    )


@split.property("the shares add up to the total: no wei lost or made", AMOUNTS, points=2)
def _(t, case):
    total, n = case
    got = _shares(t, total, n)
    t.expect(
        sum(got) == total,
        f"the shares of split({total}, {n}) to add up to {total}",
        f"they add up to {sum(got)}",
        "the wei left over after equal shares must go to someone",
    )


@split.property("the shares are fair: no two differ by more than 1 wei", AMOUNTS, points=1)
def _(t, case):
    total, n = case
    got = _shares(t, total, n)
    if got:
        t.expect(
            max(got) - min(got) <= 1,
            f"the shares of split({total}, {n}) to differ by at most 1 wei",
            f"the largest is {max(got)} and the smallest {min(got)}",
            "spread the leftover one wei at a time",
        )


@split.check("nothing to share, one person, fewer wei than people", points=1, hidden=True)
def _(t):
    for total, n in [(0, 3), (7, 1), (2, 5)]:
        got = _shares(t, total, n)
        # The one fair split, up to order: total % n people get one wei more than the rest.
        fair = sorted(total // n + (i < total % n) for i in range(n))
        ok = all(_is_whole(s) for s in got) and sorted(got) == fair
        t.expect(ok, f"a fair split of {total} wei among {n}", repr(got))


# --- 3. a first contract ----------------------------------------------------------------------

hello = exercise(
    "00-welcome/hello",
    "Hello, world! in Solidity",
    contract="Hello",
    hints=[
        "A function that returns text says so: `function greet() ... returns (string memory)`.",
        "A function that only reads (or computes) and changes nothing is `view` (or `pure`): "
        "calling it costs no transaction.",
        "Mind the exact text: capital H, a comma, a space, an exclamation mark.",
    ],
)

GREETING = "Hello, world!"


@hello.check("greet() returns some text (a string)", points=1)
def _(t):
    got = t.deploy().greet.call()
    t.expect(
        isinstance(got, str),
        "greet() to return a string",
        f"{got!r} ({type(got).__name__})",
        "declare what it returns: returns (string memory)",
    )


@hello.check(f"greet() returns {GREETING!r}", points=2)
def _(t):
    got = t.deploy().greet.call()
    t.expect(
        got == GREETING,
        f"greet() to return {GREETING!r}",
        repr(got),
        "compare letter by letter, punctuation too",
    )


@hello.check("greet() is a view or pure function: calling it costs no transaction", points=1)
def _(t):
    greet = t.deploy().greet
    t.expect(
        greet.is_view,
        "greet() to be marked view or pure",
        "it is a state-changing function, so calling it from Python sends a transaction",
        "the compiler's warning under your cell says which keyword fits",
    )


@hello.check("greet() says the same to every caller, block after block", points=1, hidden=True)
def _(t):
    c = t.deploy()
    first = c.greet.call()
    for who in (t.bob, t.carol):
        t.chain.mine(3)
        got = c.greet.call(sender=who)
        t.expect(got == first, f"the same greeting for {who.name}", repr(got))
