"""Checks for lesson 12, gas: three working but wasteful contracts (contracts/12-gas/) made
cheaper without changing what they do — a Roster (storage packing), Stats (caching storage
reads, calldata, unchecked) and a Guestbook (events instead of storage, custom errors,
deployment cost).

Each exercise has behaviour checks (the same results, events and reverts as the starter, on the
workload and on fuzzed inputs) and one budget check: the gas of a fixed workload, measured on
the contract exactly as the learner compiled it (their cell's settings: ``--optimize`` is
allowed), must be at most the budget. The budgets and the reference figures below are measured
by tests/graders/test_12_gas.py, which asserts starter > budget >= reference, with and without
the optimizer; the figures are deterministic on the lab chain (solc-js 0.8 with the chain's EVM
version, a fresh snapshot per check).
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from sollab.grading import CheckContext, CheckFailed, exercise

LESSON = "12-gas"
ZERO = "0x0000000000000000000000000000000000000000"
MAX = 2**256 - 1


def _same(a: Any, b: Any) -> bool:
    return str(a).lower() == str(b).lower()


def _norm(value: Any) -> Any:
    """Addresses in lower case, so that any spelling of one compares equal."""
    return str(value).lower() if isinstance(value, str) and value[:2] == "0x" else value


def _shown(t: CheckContext, events: list[tuple[str, dict[str, Any]]]) -> str:
    names = {str(a).lower(): a.name for a in t.chain.accounts} | {ZERO: "address(0)"}

    def arg(v: Any) -> str:
        return names.get(v, repr(v)) if isinstance(v, str) else repr(v)

    return "; ".join(f"{n}({', '.join(f'{k}={arg(v)}' for k, v in a.items())})" for n, a in events)


def _expect_events(t: CheckContext, receipt, expected: list[tuple[str, dict]], what: str) -> None:
    """``receipt`` emitted exactly ``expected``: (name, arguments) pairs, in order."""
    got = [(e.name, {k: _norm(v) for k, v in e.args.items()}) for e in receipt.events]
    wanted = [(n, {k: _norm(v) for k, v in a.items()}) for n, a in expected]
    t.expect(
        got == wanted,
        f"{what} to emit exactly {_shown(t, wanted)}",
        _shown(t, got) or "no events",
        "keep the starter's events, with the same names and arguments",
    )


def _budget_hint(name: str) -> str:
    return (
        "see where the gas goes with lab.gas_report() and lab.trace(receipt).gas_by_line(); "
        f"lab.hint('{LESSON}/{name}')"
    )


# --- Roster: storage packing ------------------------------------------------------------------

#: (who joins, referrer, level) then who promotes, in order: the workload of the budget check.
ROSTER_JOINS = [
    ("bob", None, 1),
    ("carol", "bob", 3),
    ("dave", "bob", 0),
    ("eve", "carol", 7),
    ("frank", "dave", 2),
]
ROSTER_PROMOTIONS = ["bob", "carol", "carol", "eve"]
#: The reference's gas over the workload (transactions only: the deployment is not counted).
ROSTER_REFERENCE = 395_310
#: Between the reference and the starter: packing the member into one slot is needed (two slots
#: cost ~20,000 gas more per join); the starter uses 692,574 (687,343 with --optimize).
ROSTER_BUDGET = 450_000

roster = exercise(
    f"{LESSON}/roster",
    "Roster: the same club in fewer storage slots",
    contract="Roster",
    hints=[
        "Run lab.storage(...) or look at Roster.artifact.storage_layout: each Member takes four "
        "32-byte slots, and writing a fresh slot costs 22,100 gas. Which fields really need 256 "
        "bits? block.timestamp fits in a uint64; the level is a uint8 anyway.",
        "Solidity packs consecutive struct fields that fit together into one slot: an address "
        "(20 bytes), a uint64 (8), a uint8 (1) and a bool (1) make 30 bytes — one slot. Order "
        "matters: a uint256 between small fields pushes them apart.",
        "In promote(), take `Member storage m = _members[msg.sender];` once and read m.active "
        "and m.level from it; custom errors instead of long require strings make the contract "
        "smaller too. Keep the revert cases and the events exactly as they are.",
    ],
)


def _account(t: CheckContext, name: str | None) -> str:
    return ZERO if name is None else getattr(t, name)


def _member(r, who) -> tuple:
    got = r.member(who)
    try:
        active, joined, referrer, level = got
        return (bool(active), int(joined), str(referrer).lower(), int(level))
    except (TypeError, ValueError):
        raise CheckFailed(
            "member(who) to return (bool active, uint256 joinedAt, address referrer, uint8 level)",
            repr(got),
            "keep the starter's member() function as it is",
        ) from None


@roster.check("join() records the member, counts it and emits Joined", points=2)
def _(t):
    r = t.deploy()
    when = t.chain.timestamp
    receipt = r.join(t.carol, 7, sender=t.bob)
    t.expect(
        _member(r, t.bob) == (True, when, t.carol.lower(), 7),
        f"member(bob) to be (true, {when}, carol, 7) after bob joins with referrer carol, level 7",
        f"{_member(r, t.bob)}",
        "joinedAt is block.timestamp; make sure each field still reads back what was stored",
    )
    t.expect(
        _member(r, t.carol) == (False, 0, ZERO, 0),
        "member(carol), who never joined, to be all zero",
        f"{_member(r, t.carol)}",
    )
    t.expect(r.memberCount() == 1, "memberCount() to be 1", f"{r.memberCount()}")
    _expect_events(
        t, receipt, [("Joined", {"member": t.bob, "referrer": t.carol, "level": 7})], "join()"
    )


@roster.check("joining twice reverts and changes nothing", points=1)
def _(t):
    r = t.deploy()
    r.join(ZERO, 2, sender=t.bob)
    before = _member(r, t.bob)
    t.expect_revert(lambda: r.join(t.carol, 9, sender=t.bob), "a second join() by bob to revert")
    t.expect(
        _member(r, t.bob) == before and r.memberCount() == 1,
        "bob's record and memberCount() to be unchanged",
        f"{_member(r, t.bob)}, memberCount() {r.memberCount()}",
    )


@roster.check("promote() raises a member one level and emits Promoted; others revert", points=2)
def _(t):
    r = t.deploy()
    r.join(ZERO, 4, sender=t.bob)
    joined = _member(r, t.bob)
    receipt = r.promote(sender=t.bob)
    t.expect(
        _member(r, t.bob)[3] == 5,
        "bob's level to be 5 after one promote()",
        f"{_member(r, t.bob)[3]}",
    )
    _expect_events(t, receipt, [("Promoted", {"member": t.bob, "level": 5})], "promote()")
    t.expect(
        _member(r, t.bob)[:3] == joined[:3],
        "promote() to leave bob's other fields alone",
        f"{_member(r, t.bob)} (before: {joined})",
    )
    t.expect_revert(
        lambda: r.promote(sender=t.carol), "promote() by carol, not a member, to revert"
    )


@roster.check("a member at level 255 cannot be promoted", points=1, hidden=True)
def _(t):
    r = t.deploy()
    r.join(t.carol, 254, sender=t.bob)
    r.promote(sender=t.bob)
    t.expect_revert(
        lambda: r.promote(sender=t.bob),
        "promote() at level 255 to revert",
        "an unchecked increment wraps around to 0; keep the starter's limit",
    )
    t.expect(_member(r, t.bob)[3] == 255, "the level to stay 255", f"{_member(r, t.bob)[3]}")


NAMES = ["bob", "carol", "dave", "eve"]


@roster.property(
    "any members, referrers, levels and promotions read back as the starter's would",
    st.lists(
        st.tuples(
            st.sampled_from(NAMES),
            st.sampled_from([None, *NAMES]),
            st.integers(0, 250),  # (the top level is the hidden check's)
            st.integers(0, 2),
        ),
        min_size=1,
        max_size=3,
        unique_by=lambda x: x[0],
    ),
    points=2,
    examples=5,
)
def _(t, joins):
    r = t.deploy()
    expected = {}
    for who, referrer, level, promotions in joins:
        when = t.chain.timestamp
        r.join(_account(t, referrer), level, sender=getattr(t, who))
        expected[who] = [True, when, _account(t, referrer).lower(), level]
        for _ in range(promotions):
            r.promote(sender=getattr(t, who))
            expected[who][3] += 1
    for who in NAMES:
        want = tuple(expected.get(who, (False, 0, ZERO, 0)))
        got = _member(r, getattr(t, who))
        t.expect(got == want, f"member({who}) to be {want}", f"{got}")
    t.expect(
        r.memberCount() == len(joins), f"memberCount() to be {len(joins)}", f"{r.memberCount()}"
    )


def _still_works(t: CheckContext, condition: bool, what: str, got: str) -> None:
    """A budget counts only for a contract that still does the job."""
    t.expect(
        condition,
        f"the workload to end with {what}, as with the starter (a budget counts only for a "
        "contract that still works)",
        got,
    )


def roster_workload(t: CheckContext) -> int:
    """The budget's workload: the gas of its transactions (deployed first, not counted)."""
    r = t.deploy(sender=t.alice)

    def run() -> None:
        for who, referrer, level in ROSTER_JOINS:
            r.join(_account(t, referrer), level, sender=getattr(t, who))
        for who in ROSTER_PROMOTIONS:
            r.promote(sender=getattr(t, who))

    used = t.gas(run)
    levels = {who: level + ROSTER_PROMOTIONS.count(who) for who, _, level in ROSTER_JOINS}
    got = {who: _member(r, getattr(t, who))[3] for who in levels}
    _still_works(t, got == levels and r.memberCount() == 5, f"levels {levels}", f"{got}")
    return used


@roster.check(f"five joins and four promotions use at most {ROSTER_BUDGET:,} gas", points=3)
def _(t):
    t.expect_gas(roster_workload(t), ROSTER_BUDGET, ROSTER_REFERENCE, hint=_budget_hint("roster"))


# --- Stats: caching storage reads, calldata, unchecked ----------------------------------------

#: The budget's workload: three batches of samples, 30, 20 and 10 long.
STATS_BATCHES = [[(i * 7919 * k) % 1000 for i in range(n)] for n, k in [(30, 1), (20, 2), (10, 3)]]
#: The reference's gas over the workload (transactions only: the deployment is not counted).
STATS_REFERENCE = 185_602
#: Between the reference and the starter (243,523; 219,739 with --optimize): calldata alone or
#: caching count, sum and max alone each come to ~203,500; both, or either with --optimize, fit.
STATS_BUDGET = 200_000

stats = exercise(
    f"{LESSON}/stats",
    "Stats: the same statistics with fewer storage reads and writes",
    contract="Stats",
    hints=[
        "Trace one record() call: lab.trace(receipt).gas_by_line() shows that the lines inside "
        "the loop cost the most. Each `count = count + 1` reads and writes storage (SLOAD, "
        "SSTORE) once per sample.",
        "Copy count, sum and max into local variables before the loop, update the locals in the "
        "loop, and write each state variable once after it. Take the samples as `calldata` "
        "(the function can be `external`): memory would copy them first.",
        "`unchecked { ++i; }` is safe for the loop counter (i < samples.length), and count can "
        "grow by samples.length at once. Keep the sum checked: a sum that overflows must still "
        "revert.",
    ],
)


def _stats(s) -> tuple[int, int, int, int]:
    return (s.count(), s.sum(), s.max(), s.mean())


def _expected_stats(batches: list[list[int]]) -> tuple[int, int, int, int]:
    samples = [x for batch in batches for x in batch]
    n, total = len(samples), sum(samples)
    return (n, total, max(samples, default=0), total // n if n else 0)


@stats.check("record() adds its samples to count, sum and max; mean() divides", points=2)
def _(t):
    s = t.deploy()
    t.expect(_stats(s) == (0, 0, 0, 0), "count, sum, max and mean to start at 0", f"{_stats(s)}")
    s.record([5, 20, 3], sender=t.bob)
    s.record([7], sender=t.carol)
    want = _expected_stats([[5, 20, 3], [7]])
    t.expect(
        _stats(s) == want,
        f"(count, sum, max, mean) to be {want} after record([5, 20, 3]) and record([7])",
        f"{_stats(s)}",
        "write the local copies back to storage after the loop",
    )


@stats.check("record([]) reverts and changes nothing", points=1)
def _(t):
    s = t.deploy()
    s.record([4, 2])
    t.expect_revert(lambda: s.record([]), "record([]) to revert")
    t.expect(_stats(s) == (2, 6, 4, 3), "the statistics to be unchanged", f"{_stats(s)}")


@stats.property(
    "any batches of samples give the count, sum, max and mean Python computes",
    st.lists(st.lists(st.integers(0, 2**128), min_size=1, max_size=6), min_size=1, max_size=3),
    points=2,
    examples=5,
)
def _(t, batches):
    s = t.deploy()
    for batch in batches:
        s.record(batch)
    want = _expected_stats(batches)
    t.expect(_stats(s) == want, f"(count, sum, max, mean) to be {want}", f"{_stats(s)}")


@stats.check("a sum that would overflow reverts and keeps the statistics", points=1, hidden=True)
def _(t):
    s = t.deploy()
    s.record([MAX - 10, 3])
    t.expect_revert(
        lambda: s.record([4, 5]),
        "record() to revert when the sum would pass 2**256 - 1",
        "only what cannot overflow goes in an unchecked block",
    )
    want = _expected_stats([[MAX - 10, 3]])
    t.expect(_stats(s) == want, f"the statistics to stay {want}", f"{_stats(s)}")


def stats_workload(t: CheckContext) -> int:
    """The budget's workload: the gas of three record() calls (the deployment is not counted)."""
    s = t.deploy(sender=t.alice)
    used = t.gas(lambda: [s.record(batch, sender=t.bob) for batch in STATS_BATCHES])
    want = _expected_stats(STATS_BATCHES)
    _still_works(t, _stats(s) == want, f"(count, sum, max, mean) = {want}", f"{_stats(s)}")
    return used


@stats.check(f"three record() calls use at most {STATS_BUDGET:,} gas", points=3)
def _(t):
    t.expect_gas(stats_workload(t), STATS_BUDGET, STATS_REFERENCE, hint=_budget_hint("stats"))


# --- Guestbook: events instead of storage, custom errors, deployment --------------------------

#: The budget's workload: deploy the guestbook, then these six signatures.
GUESTBOOK_SIGNATURES = [
    ("bob", "Hello from bob!"),
    ("carol", "Lovely contract, cheap to sign."),
    ("dave", "gm"),
    ("bob", "Back again: the second entry of bob, a bit longer than the first one was."),
    ("eve", "Grüße aus Berlin 🌍"),
    ("frank", "x" * 140),
]
#: The reference's gas over the workload, its deployment included (as tests/graders compile it:
#: the code ends with a hash of its source text, so another copy may differ by a few dozen gas).
GUESTBOOK_REFERENCE = 623_767
#: Between the reference and the starter (1,542,663; 1,257,190 with --optimize): the entries
#: must leave storage (the events already carry them), and the deployment must shrink.
GUESTBOOK_BUDGET = 800_000

guestbook = exercise(
    f"{LESSON}/guestbook",
    "Guestbook: the record in events, not in storage",
    contract="Guestbook",
    hints=[
        "Nothing reads _entries: it is private and no function returns an entry. The Signed "
        "events already carry every author, number and text, and apps read those. Storing each "
        "text again costs at least 22,100 gas per 32 bytes.",
        "Keep a counter for entries() and the signatures mapping; drop the array. Take the text "
        "as `string calldata`.",
        "The workload counts the deployment too: long require strings are stored in the "
        "contract's code (200 gas per byte to deploy). A custom error such as "
        "`error BadLength(uint256 length)` costs 4 bytes of selector instead.",
    ],
)


def _signed(author: str, number: int, text: str) -> tuple[str, dict[str, Any]]:
    return ("Signed", {"author": author, "number": number, "text": text})


@guestbook.check("sign() emits Signed and counts entries() and signatures()", points=2)
def _(t):
    g = t.deploy()
    t.expect(g.MAX_LENGTH() == 140, "MAX_LENGTH() to be 140", f"{g.MAX_LENGTH()}")
    first = g.sign("first!", sender=t.bob)
    _expect_events(t, first, [_signed(t.bob, 1, "first!")], "bob's sign('first!')")
    second = g.sign("me too", sender=t.carol)
    _expect_events(t, second, [_signed(t.carol, 2, "me too")], "carol's sign('me too')")
    counts = (g.entries(), g.signatures(t.bob), g.signatures(t.carol), g.signatures(t.dave))
    t.expect(
        counts == (2, 1, 1, 0),
        "(entries(), signatures(bob), signatures(carol), signatures(dave)) to be (2, 1, 1, 0)",
        f"{counts}",
    )


@guestbook.check("an empty or too long message reverts; 140 bytes is fine", points=1)
def _(t):
    g = t.deploy()
    t.expect_revert(lambda: g.sign("", sender=t.bob), "sign('') to revert")
    t.expect_revert(lambda: g.sign("y" * 141, sender=t.bob), "a 141-byte message to revert")
    t.expect_revert(
        lambda: g.sign("€" * 47, sender=t.bob),
        "a message of 47 '€' (141 bytes of UTF-8) to revert",
        "the limit is in bytes: bytes(text).length",
    )
    g.sign("€" * 46 + "yy", sender=t.bob)  # 140 bytes
    t.expect(g.entries() == 1, "entries() to be 1 after one good message", f"{g.entries()}")


@guestbook.property(
    "any message of 1 to 140 bytes comes back in its Signed event as sent",
    st.lists(
        st.tuples(
            st.sampled_from(["bob", "carol", "dave"]),
            st.text(min_size=1, max_size=40).filter(lambda s: len(s.encode()) <= 140),
        ),
        min_size=1,
        max_size=3,
    ),
    points=2,
    examples=5,
)
def _(t, messages):
    g = t.deploy()
    for number, (who, text) in enumerate(messages, start=1):
        receipt = g.sign(text, sender=getattr(t, who))
        _expect_events(t, receipt, [_signed(getattr(t, who), number, text)], f"sign({text!r})")
    t.expect(g.entries() == len(messages), f"entries() to be {len(messages)}", f"{g.entries()}")


@guestbook.check("signatures() counts each author's entries separately", points=1, hidden=True)
def _(t):
    g = t.deploy()
    for who in ["bob", "carol", "bob", "bob", "dave"]:
        g.sign(f"{who} was here", sender=getattr(t, who))
    counts = (g.signatures(t.bob), g.signatures(t.carol), g.signatures(t.dave), g.entries())
    t.expect(
        counts == (3, 1, 1, 5),
        "(signatures(bob), signatures(carol), signatures(dave), entries()) to be (3, 1, 1, 5)",
        f"{counts}",
    )


def guestbook_workload(t: CheckContext) -> int:
    """The budget's workload: deploying the guestbook and six signatures, all counted."""
    holder: list[Any] = []

    def run() -> None:
        holder.append(g := t.deploy(sender=t.alice))
        for who, text in GUESTBOOK_SIGNATURES:
            g.sign(text, sender=getattr(t, who))

    used = t.gas(run)
    g = holder[0]
    got = (g.entries(), g.signatures(t.bob))
    _still_works(t, got == (6, 2), "entries() 6 and signatures(bob) 2", f"{got}")
    return used


@guestbook.check(f"deploying and six signatures use at most {GUESTBOOK_BUDGET:,} gas", points=3)
def _(t):
    t.expect_gas(
        guestbook_workload(t), GUESTBOOK_BUDGET, GUESTBOOK_REFERENCE, hint=_budget_hint("guestbook")
    )
