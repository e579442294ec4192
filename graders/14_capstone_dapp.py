"""Checks for lesson 14, the capstone dApp: a crowdfunding campaign paid in an ERC-20 token, the
learner's own test suite for it (graded by mutation, as lesson 08 grades), and the front end's
transactions built as plain data.

The campaign's rules, as the notebook states them: ``Crowdfund(token, goal, duration,
milestones)``; ``pledge(amount)`` pulls the tokens with transferFrom while ``block.timestamp <
deadline`` (``deadline = deployment time + duration``); from the deadline on, if
``totalPledged >= goal`` the creator (the deployer) claims milestone after milestone
(``totalPledged / milestones`` each, the last one the rest), otherwise each backer's
``refund()`` pays back exactly their ``pledgeOf``. Events ``Pledged(backer, amount)``,
``Claimed(milestone, amount)`` (milestones numbered from 1) and ``Refunded(backer, amount)``
are matched by position and type, not parameter names. A refused call may revert any way.

The tokens are lesson 09's: OpenZeppelin's (``contracts/examples/MyToken.sol``, it reverts when
it says no), ``QuietToken`` (it returns false) and, hidden, a token that calls the campaign
back from inside ``transfer`` (kept here, never shown).
"""

from __future__ import annotations

import contextlib
import functools
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

import sollab
from sollab.contracts import ContractFactory, Event
from sollab.grading import CheckContext, exercise
from sollab.mutation import Mutant, Mutation
from sollab.paths import lab_root

LESSON = "14-capstone-dapp"
DAY = 24 * 3600
SUPPLY = 10_000
HELD = 1000  # what bob, carol and dave each hold at the start of a check
PLEDGED = "Pledged(address,uint256)"
CLAIMED = "Claimed(uint256,uint256)"
REFUNDED = "Refunded(address,uint256)"
REFERENCE = Path("solutions") / LESSON / "Crowdfund.sol"


def _line(exc: Exception) -> str:
    return str(exc).splitlines()[0]


def _same(a: Any, b: Any) -> bool:
    return str(a).lower() == str(b).lower()


def _events(receipt: Any, contract: Any, signature: str) -> list[tuple]:
    """The ``signature`` events ``contract`` emitted in ``receipt``, as tuples of their
    arguments in order (addresses in lower case)."""
    return [
        tuple(str(v).lower() if isinstance(v, str) else v for v in e.args.values())
        for e in receipt.events
        if isinstance(e, Event) and e.signature == signature and _same(e.address, contract.address)
    ]


def _who(account: Any) -> str:
    return str(account).lower()


# --- the tokens -------------------------------------------------------------------------------

# Lesson 09's hidden token: it joins a campaign, then calls refund() again from inside the
# transfer that pays its refund.
HOSTILE = Path("graders") / "contracts" / "CallbackToken.sol"


@functools.cache
def given_tokens() -> dict[str, Any]:
    """The tokens a campaign is graded with, compiled once (on first use)."""
    root = lab_root() / "contracts"
    return {
        "reverting": sollab.compile_file(root / "examples" / "MyToken.sol")["MyToken"],
        "quiet": sollab.compile_file(root / "09-erc20" / "QuietToken.sol")["QuietToken"],
        "hostile": sollab.compile_file(lab_root() / HOSTILE)["CallbackToken"],
    }


def _campaign(
    t: CheckContext,
    goal: int = 1000,
    milestones: int = 3,
    kind: str = "reverting",
    sender=None,
    reference: bool = False,
):
    """A token of ``kind`` (bob, carol and dave hold 1000 each) and a campaign for it that eve
    started (unless ``sender``), open for a day: the submission, or the ``reference``."""
    tok = t.chain.deploy(given_tokens()[kind], "Lab Coin", "LAB", SUPPLY, sender=t.alice)
    for who in (t.bob, t.carol, t.dave):
        tok.transfer(who, HELD, sender=t.alice)
    try:
        args = (tok.address, goal, DAY, milestones)
        if reference:
            c = t.chain.deploy(CROWDFUND.artifact("correct"), *args, sender=sender or t.eve)
        else:
            c = t.deploy(*args, sender=sender or t.eve)
    except (sollab.ArgumentError, sollab.TransactionReverted) as exc:
        t.expect(
            False,
            "the constructor (address token, uint256 goal, uint256 duration, uint256 "
            "milestones) to deploy",
            _line(exc),
        )
    return tok, c


def _pledge(t: CheckContext, tok, c, who, name: str, amount: int):
    tok.approve(c, amount, sender=who)
    try:
        return c.pledge(amount, sender=who)
    except sollab.TransactionReverted as exc:
        t.expect(
            False,
            f"pledge({amount}) from {name}, who approved the campaign for {amount}, to succeed",
            _line(exc),
            "pledge calls token.transferFrom(msg.sender, address(this), amount)",
        )


def _end(t: CheckContext, c) -> None:
    """Travel to the campaign's deadline (the first moment pledges are closed)."""
    t.chain.time_travel(to=c.deadline())


# --- exercise 1: the campaign -----------------------------------------------------------------

crowdfund = exercise(
    f"{LESSON}/crowdfund",
    "Crowdfund: pledges in a token, milestones or refunds",
    contract="Crowdfund",
    hints=[
        "State first: the token, the creator (msg.sender in the constructor), the goal, the "
        "deadline (block.timestamp + duration), the number of milestones, totalPledged and "
        "`mapping(address => uint256) public pledgeOf`.",
        "pledge() is lesson 09's vault deposit: check the time and the amount, then "
        "`if (!token.transferFrom(msg.sender, address(this), amount)) revert ...;`, record it "
        "and emit Pledged.",
        "claim() and refund() both wait for the deadline (block.timestamp >= deadline); then "
        "totalPledged >= goal decides which one may run. Count the milestones claimed: the last "
        "one pays totalPledged minus what was released before.",
        "In refund(), set pledgeOf[msg.sender] = 0 *before* token.transfer: a token is code, and "
        "it may call refund() again before transfer returns.",
    ],
)


@crowdfund.check("pledge() pulls the tokens, records them and emits Pledged", points=2)
def _(t):
    tok, c = _campaign(t)
    _pledge(t, tok, c, t.bob, "bob", 300)
    _pledge(t, tok, c, t.carol, "carol", 200)
    receipt = _pledge(t, tok, c, t.bob, "bob", 100)
    got = (tok.balanceOf(t.bob), tok.balanceOf(c), c.pledgeOf(t.bob), c.pledgeOf(t.carol))
    t.expect(
        got == (600, 600, 400, 200),
        "(bob's tokens, the campaign's tokens, pledgeOf(bob), pledgeOf(carol)) = (600, 600, "
        "400, 200) after bob pledges 300, carol 200 and bob 100 more",
        f"{got}",
        "pull with transferFrom and add each pledge to the backer's",
    )
    t.expect(c.totalPledged() == 600, "totalPledged() to be 600", f"{c.totalPledged()}")
    events = _events(receipt, c, PLEDGED)
    t.expect(
        events == [(_who(t.bob), 100)],
        "bob's second pledge, pledge(100), to emit Pledged(bob, 100)",
        f"{events}",
        "event Pledged(address indexed backer, uint256 amount)",
    )


@crowdfund.check("a pledge without an approval fails and records nothing", points=1)
def _(t):
    tok, c = _campaign(t)
    t.expect_revert(
        lambda: c.pledge(100, sender=t.bob),
        "pledge(100) from bob, who approved nothing, to revert",
        "let the token's refusal stand: do not catch it",
    )
    got = (c.pledgeOf(t.bob), c.totalPledged(), tok.balanceOf(c))
    t.expect(got == (0, 0, 0), "(pledgeOf(bob), totalPledged(), the campaign's tokens) = (0, 0, 0)")


@crowdfund.check("no pledges once the deadline has passed", points=1)
def _(t):
    before = t.chain.timestamp
    tok, c = _campaign(t)
    after = t.chain.timestamp
    t.expect(
        before + DAY - 1 <= c.deadline() <= after + DAY,
        f"deadline() to be the deployment's block.timestamp + duration (one day): between "
        f"{before + DAY - 1} and {after + DAY}",
        f"{c.deadline()}",
        "deadline = block.timestamp + duration, in the constructor",
    )
    t.chain.time_travel(to=c.deadline() + 3600)
    tok.approve(c, 100, sender=t.bob)
    t.expect_revert(
        lambda: c.pledge(100, sender=t.bob),
        "pledge(100) an hour after the deadline to revert",
        "compare block.timestamp with the deadline",
    )


@crowdfund.check("the deadline itself is too late; a second before is not", points=1, hidden=True)
def _(t):
    tok, c = _campaign(t)
    tok.approve(c, 100, sender=t.bob)
    tok.approve(c, 100, sender=t.carol)
    t.chain.time_travel(to=c.deadline() - 1)
    try:
        c.pledge(100, sender=t.bob)
    except sollab.TransactionReverted as exc:
        t.expect(False, "pledge(100) one second before the deadline to succeed", _line(exc))
    t.chain.time_travel(to=c.deadline())
    t.expect_revert(
        lambda: c.pledge(100, sender=t.carol),
        "pledge(100) at exactly block.timestamp == deadline to revert",
        "pledges are open while block.timestamp < deadline",
    )


@crowdfund.check(
    "claim(): only the creator, only after the deadline, only if the goal was met", points=2
)
def _(t):
    tok, c = _campaign(t, goal=500)
    _pledge(t, tok, c, t.bob, "bob", 300)
    _pledge(t, tok, c, t.carol, "carol", 300)
    t.expect_revert(
        lambda: c.claim(sender=t.eve),
        "claim() from the creator before the deadline to revert",
        "backers may still pledge: wait for the deadline",
    )
    _end(t, c)
    t.expect_revert(
        lambda: c.claim(sender=t.bob),
        "claim() from bob, a backer, to revert",
        "only the creator (the deployer) claims",
    )
    try:
        c.claim(sender=t.eve)
    except sollab.TransactionReverted as exc:
        t.expect(
            False, "claim() from the creator after the deadline, goal met, to succeed", _line(exc)
        )
    # a campaign that missed its goal pays the creator nothing
    tok2, c2 = _campaign(t, goal=5000)
    _pledge(t, tok2, c2, t.bob, "bob", 300)
    _end(t, c2)
    t.expect_revert(
        lambda: c2.claim(sender=t.eve),
        "claim() to revert when only 300 of a goal of 5000 was pledged",
        "check totalPledged >= goal",
    )


@crowdfund.check("milestones pay totalPledged / milestones, the last one the rest", points=2)
def _(t):
    tok, c = _campaign(t, goal=1000, milestones=3)
    _pledge(t, tok, c, t.bob, "bob", 700)
    _pledge(t, tok, c, t.carol, "carol", 301)
    _end(t, c)
    paid = []
    for milestone in (1, 2, 3):
        try:
            receipt = c.claim(sender=t.eve)
        except sollab.TransactionReverted as exc:
            t.expect(False, f"claim() number {milestone} of 3 to succeed", _line(exc))
        paid.append(tok.balanceOf(t.eve))
        events = _events(receipt, c, CLAIMED)
        want = 333 if milestone < 3 else 335
        t.expect(
            events == [(milestone, want)],
            f"claim() number {milestone} to emit Claimed({milestone}, {want})",
            f"{events}",
            "event Claimed(uint256 indexed milestone, uint256 amount), milestones counted from 1",
        )
    t.expect(
        paid == [333, 666, 1001],
        "the creator to hold 333, 666, then 1001 after each of 3 claims of 1001 pledged",
        f"{paid}",
        "totalPledged / milestones each; the last one takes what integer division left over",
    )
    t.expect_revert(lambda: c.claim(sender=t.eve), "a fourth claim() to revert")
    t.expect(tok.balanceOf(c) == 0, "the campaign to hold nothing after the last milestone")


@crowdfund.check(
    "refunds: when the goal was missed, each backer gets back exactly their pledge", points=2
)
def _(t):
    tok, c = _campaign(t, goal=5000)
    _pledge(t, tok, c, t.bob, "bob", 300)
    _pledge(t, tok, c, t.carol, "carol", 120)
    _pledge(t, tok, c, t.bob, "bob", 80)
    t.expect_revert(lambda: c.refund(sender=t.bob), "refund() before the deadline to revert")
    _end(t, c)
    try:
        receipt = c.refund(sender=t.bob)
    except sollab.TransactionReverted as exc:
        t.expect(False, "refund() from bob after a missed goal to succeed", _line(exc))
    got = (tok.balanceOf(t.bob), c.pledgeOf(t.bob), tok.balanceOf(c))
    t.expect(
        got == (HELD, 0, 120),
        "(bob's tokens, pledgeOf(bob), the campaign's tokens) = (1000, 0, 120) after bob, who "
        "pledged 300 + 80, is refunded",
        f"{got}",
    )
    events = _events(receipt, c, REFUNDED)
    t.expect(
        events == [(_who(t.bob), 380)],
        "refund() from bob to emit Refunded(bob, 380)",
        f"{events}",
        "event Refunded(address indexed backer, uint256 amount)",
    )
    with contextlib.suppress(sollab.TransactionReverted):  # refusing is the usual answer
        c.refund(sender=t.bob)
    t.expect(
        tok.balanceOf(t.bob) == HELD and tok.balanceOf(c) == 120,
        "a second refund() from bob to pay nothing more",
        f"bob holds {tok.balanceOf(t.bob)}, the campaign {tok.balanceOf(c)}",
    )
    c.refund(sender=t.carol)
    t.expect(tok.balanceOf(t.carol) == HELD, "carol to get her 120 back too")
    # and no refunds when the goal was met
    tok2, c2 = _campaign(t, goal=100)
    _pledge(t, tok2, c2, t.bob, "bob", 300)
    _end(t, c2)
    t.expect_revert(
        lambda: c2.refund(sender=t.bob),
        "refund() to revert when the goal was met (the creator is owed the funds)",
    )


@crowdfund.property(
    "the campaign holds exactly the sum of the pledges",
    st.lists(st.tuples(st.sampled_from([0, 1, 2]), st.integers(1, 400)), min_size=1, max_size=3),
    points=2,
    examples=4,
)
def _(t, pledges):
    tok, c = _campaign(t)
    backers = [("bob", t.bob), ("carol", t.carol), ("dave", t.dave)]
    for index, amount in pledges:
        name, who = backers[index]
        _pledge(t, tok, c, who, name, amount)
    total = sum(a for _, a in pledges)
    got = (tok.balanceOf(c), c.totalPledged(), sum(c.pledgeOf(w) for _, w in backers))
    t.expect(
        got == (total, total, total),
        f"(the campaign's tokens, totalPledged(), the sum of pledgeOf) all = {total}",
        f"{got}",
    )


@crowdfund.check(
    "a token that says no with false: the pledge is not recorded", points=1, hidden=True
)
def _(t):
    tok, c = _campaign(t, kind="quiet")
    with contextlib.suppress(sollab.TransactionReverted):  # no approval: false comes back
        c.pledge(100, sender=t.bob)
    got = (c.pledgeOf(t.bob), c.totalPledged(), tok.balanceOf(c))
    t.expect(
        got == (0, 0, 0),
        "(pledgeOf(bob), totalPledged(), the campaign's tokens) to stay (0, 0, 0) when the "
        "token's transferFrom returns false",
        f"{got}: the campaign recorded tokens it never received",
        "check the bool transferFrom returns",
    )


@crowdfund.check("a token that calls refund() back cannot be refunded twice", points=2, hidden=True)
def _(t):
    tok = t.chain.deploy(given_tokens()["hostile"], SUPPLY, sender=t.alice)
    try:
        c = t.deploy(tok.address, 5000, DAY, 2, sender=t.eve)
    except (sollab.ArgumentError, sollab.TransactionReverted) as exc:
        t.expect(False, "Crowdfund's constructor to take the token's address first", _line(exc))
    tok.transfer(t.bob, HELD, sender=t.alice)
    _pledge(t, tok, c, t.bob, "bob", 900)
    tok.join(c, "pledge(uint256)", 500, sender=t.alice)
    _end(t, c)
    with contextlib.suppress(sollab.TransactionReverted):  # refusing it all is safe too
        tok.attack("refund()", sender=t.alice)
    got = (tok.balanceOf(c), c.pledgeOf(t.bob))
    t.expect(
        got == (900, 900),
        "(the campaign's tokens, pledgeOf(bob)) to stay (900, 900) after another backer is "
        "refunded and its token calls refund() again before transfer returns",
        f"{got}: the campaign paid the same pledge twice",
        "checks-effects-interactions: zero the pledge before you call the token",
    )


# --- exercise 2: the learner's tests, graded by mutation ---------------------------------------

MUTANTS: dict[str, Mutant] = {
    "no-deadline": (
        "catches a bug in when pledges are accepted",
        "a bug in when pledges are accepted",
        [("if (block.timestamp >= deadline) revert TooLate(deadline);", "")],
    ),
    "anyone-claims": (
        "catches a bug in who may claim",
        "a bug in who may claim",
        [("if (msg.sender != creator) revert NotCreator(msg.sender);", "")],
    ),
    "claim-missed-goal": (
        "catches a bug in when claims are allowed",
        "a bug in when claims are allowed",
        [("if (totalPledged < goal) revert GoalNotMet(totalPledged, goal);", "")],
    ),
    "refund-met-goal": (
        "catches a bug in when refunds are allowed",
        "a bug in when refunds are allowed",
        [("if (totalPledged >= goal) revert GoalMet(totalPledged, goal);", "")],
    ),
    "refund-twice": (
        "catches a bug in the refund bookkeeping",
        "a bug in what a refund records",
        [("pledgeOf[msg.sender] = 0;", "")],
    ),
    "milestone-rest": (
        "catches a bug in the milestone amounts",
        "a bug in how much the milestones pay",
        [("? totalPledged - released", "? totalPledged / milestones")],
    ),
    "pledge-event": (
        "catches a bug in the events",
        "a bug in one of its events",
        [("emit Pledged(msg.sender, amount);", "emit Pledged(msg.sender, totalPledged);")],
    ),
}
VISIBLE_MUTANT = "no-deadline"


CROWDFUND = Mutation(
    "lesson 14",
    REFERENCE,
    MUTANTS,
    given=lambda: (ContractFactory(given_tokens()["reverting"], sollab.get_chain),),
    rules="the rules in the notebook",
)


tests = exercise(
    f"{LESSON}/tests",
    "Your test suite for Crowdfund",
    submits="function",
    name="test_crowdfund",
    hints=[
        "Deploy what your function receives: `tok = Token.deploy('Lab Coin', 'LAB', 10_000)`, "
        "then `c = Crowdfund.deploy(tok.address, goal, duration, milestones, sender=creator)`. "
        "The grader hands you a different Crowdfund each time.",
        "Write one small story per rule, each inside `with lab.chain.anchor():` so they do not "
        "disturb each other: a campaign that succeeds, one that fails, and the calls that must "
        "be refused (`with lab.reverts():`).",
        "Check amounts exactly: pick a total that milestones do not divide (1001 in 3) and "
        "compare token balances after every claim and refund, twice in a row too; and check "
        "each event's arguments with lab.emitted.",
    ],
)
CROWDFUND.checks(
    tests,
    MUTANTS,
    visible=VISIBLE_MUTANT,
    hint="test every rule: who may call, when, how much moves, and the events",
)


# --- exercise 3: the front end's transactions -------------------------------------------------

front_end = exercise(
    f"{LESSON}/front-end",
    "The page's transactions for 'back this campaign', as plain data",
    submits="function",
    name="pledge_calls",
    hints=[
        "Two transactions, in order: the token's approve(campaign, amount), then the "
        "campaign's pledge(amount). Each is a dict {'from': backer, 'to': contract address, "
        "'data': '0x...'}.",
        "The data is the 4-byte selector, keccak('approve(address,uint256)')[:4], followed by "
        "the ABI-encoded arguments: `eth_abi.encode(['address', 'uint256'], [campaign, "
        "amount])`.",
        "Give 'data' as a hex string with 0x in front (`'0x' + data.hex()`), as a wallet's "
        "eth_sendTransaction takes it.",
    ],
)


def _transactions(t: CheckContext, token: Any, campaign: Any, backer: Any, amount: int) -> list:
    what = f"pledge_calls(token, campaign, {backer.name}, {amount})"
    txs = t.call(str(token.address), str(campaign.address), str(backer), amount)
    t.expect(
        isinstance(txs, list | tuple) and all(isinstance(tx, dict) for tx in txs),
        f"{what} to return a list of transaction dicts",
        f"{type(txs).__name__}: {txs!r}"[:200],
    )
    return list(txs)


def _send_all(t: CheckContext, txs: list, what: str) -> None:
    for number, tx in enumerate(txs, 1):
        missing = [k for k in ("from", "to", "data") if k not in tx]
        t.expect(
            not missing,
            f"transaction {number} of {what} to have 'from', 'to' and 'data'",
            f"it has no {', '.join(missing)}",
        )
        data = tx["data"]
        t.expect(
            isinstance(data, str) and data.startswith("0x"),
            f"transaction {number}'s 'data' to be a hex string starting with 0x",
            f"{data!r}"[:120],
            "'0x' + calldata.hex()",
        )
        try:
            payload = bytes.fromhex(data[2:])
        except ValueError:
            t.expect(False, f"transaction {number}'s 'data' to be hex digits", f"{data!r}"[:120])
        try:
            t.chain.send(tx["to"], int(tx.get("value", 0)), sender=tx["from"], data=payload)
        except sollab.TransactionReverted as exc:
            t.expect(
                False,
                f"transaction {number} of {what} to go through",
                _line(exc),
                "the approve must come before the pledge",
            )
        except (sollab.LabError, ValueError, TypeError) as exc:
            t.expect(False, f"transaction {number} of {what} to be sendable", _line(exc))


@front_end.check("returns the transactions as a list of dicts with from, to and data", points=1)
def _(t):
    tok, c = _campaign(t, goal=5000, reference=True)
    txs = _transactions(t, tok, c, t.bob, 250)
    t.expect(len(txs) == 2, "two transactions: the approve, then the pledge", f"{len(txs)}")
    for tx in txs:
        t.expect(
            _same(tx.get("from"), t.bob),
            "every transaction to be sent from the backer (bob)",
            f"'from' = {tx.get('from')!r}",
        )
    t.expect(
        _same(txs[0].get("to"), tok.address) and _same(txs[1].get("to"), c.address),
        "the first to go to the token, the second to the campaign",
        f"to = {[tx.get('to') for tx in txs]}",
    )


@front_end.check("sent in order, they pledge the amount", points=2)
def _(t):
    tok, c = _campaign(t, goal=5000, reference=True)
    txs = _transactions(t, tok, c, t.bob, 250)
    _send_all(t, txs, "pledge_calls(..., bob, 250)")
    got = (c.pledgeOf(t.bob), tok.balanceOf(c), tok.balanceOf(t.bob))
    t.expect(
        got == (250, 250, HELD - 250),
        "(pledgeOf(bob), the campaign's tokens, bob's tokens) = (250, 250, 750) after the "
        "transactions are sent",
        f"{got}",
        "approve(campaign, amount) on the token, then pledge(amount) on the campaign",
    )


@front_end.check("approves exactly the amount: nothing stays approved", points=1)
def _(t):
    tok, c = _campaign(t, goal=5000, reference=True)
    _send_all(t, _transactions(t, tok, c, t.carol, 75), "pledge_calls(..., carol, 75)")
    left = tok.allowance(t.carol, c)
    t.expect(
        left == 0,
        "allowance(carol, campaign) to be 0 after the pledge",
        f"{left}",
        "approve what the pledge will pull, not more: an allowance left over can be spent",
    )


@front_end.check(
    "another backer, another amount, and a second pledge adds up", points=1, hidden=True
)
def _(t):
    tok, c = _campaign(t, goal=5000, reference=True)
    for who, name, amount in ((t.dave, "dave", 999), (t.carol, "carol", 1), (t.dave, "dave", 1)):
        _send_all(t, _transactions(t, tok, c, who, amount), f"pledge_calls(..., {name}, {amount})")
    got = (c.pledgeOf(t.dave), c.pledgeOf(t.carol), c.totalPledged())
    t.expect(
        got == (1000, 1, 1001),
        "(pledgeOf(dave), pledgeOf(carol), totalPledged()) = (1000, 1, 1001)",
        f"{got}",
    )
