"""Checks for lesson 07, contracts talking: an Ownable base reused by two contracts, a Player
that calls a Scoreboard through an interface, and a math library used by a Calculator."""

from __future__ import annotations

import functools
import math

from hypothesis import strategies as st

import sollab
from sollab.grading import CheckContext, exercise

LESSON = "07-contracts-talking"
ETHER = 10**18
ZERO = "0x0000000000000000000000000000000000000000"
MAX = 2**256 - 1


def _line(exc: Exception) -> str:
    return str(exc).splitlines()[0]


def _same(a, b) -> bool:
    return str(a).lower() == str(b).lower()


# --- the Ownable base -------------------------------------------------------------------------

ownable = exercise(
    f"{LESSON}/ownable",
    "An Ownable base reused by a Noticeboard and a PiggyBank",
    contract="Noticeboard",
    hints=[
        "Put everything about ownership in `abstract contract Ownable`: the `owner` variable "
        "set to `msg.sender` in its constructor, the `onlyOwner` modifier, the "
        "`OwnershipTransferred` event and the two functions. Then `contract Noticeboard is "
        "Ownable { ... }` and `contract PiggyBank is Ownable { ... }` get all of it.",
        "`transferOwnership` and `renounceOwnership` both end by setting the owner and emitting "
        "`OwnershipTransferred(previousOwner, newOwner)`; a shared internal function avoids "
        "writing that twice.",
        "Mark `renounceOwnership` `virtual` in Ownable; in PiggyBank, write "
        "`function renounceOwnership() public override onlyOwner { revert ...; }`.",
    ],
)


def _sibling(t: CheckContext, name: str):
    """Another contract from the learner's cell (the same compilation as the submission)."""
    try:
        return t.submission.compilation.contract(name)
    except sollab.LabError as exc:
        t.expect(
            False,
            f"a contract named {name} in the same cell as {t.exercise.contract}",
            _line(exc),
        )


def _piggy(t: CheckContext, sender):
    artifact = _sibling(t, "PiggyBank")
    return t.chain.deploy(artifact, sender=sender)


@ownable.check("the deployer owns a new Noticeboard", points=1)
def _(t):
    board = t.deploy(sender=t.bob)
    t.expect(
        _same(board.owner(), t.bob),
        "owner() to be bob, who deployed it",
        f"{board.owner()}",
        "set the owner to msg.sender in Ownable's constructor",
    )


@ownable.check("only the owner can post() a notice", points=1)
def _(t):
    board = t.deploy(sender=t.bob)
    board.post("Meeting at noon", sender=t.bob)
    t.expect(
        board.notice() == "Meeting at noon",
        "notice() to be 'Meeting at noon' after the owner posts it",
        f"{board.notice()!r}",
    )
    t.expect_revert(
        lambda: board.post("Free pizza!", sender=t.carol),
        "post() from carol, who is not the owner, to revert",
        "guard post() with the onlyOwner modifier",
    )
    t.expect(board.notice() == "Meeting at noon", "the notice to be unchanged", board.notice())


@ownable.check("transferOwnership() hands over and emits OwnershipTransferred", points=2)
def _(t):
    board = t.deploy(sender=t.bob)
    receipt = board.transferOwnership(t.carol, sender=t.bob)
    t.expect(_same(board.owner(), t.carol), "owner() to be carol", f"{board.owner()}")
    try:
        t.emitted(receipt, "OwnershipTransferred", previousOwner=t.bob, newOwner=t.carol)
    except AssertionError as exc:
        t.expect(False, "OwnershipTransferred(previousOwner=bob, newOwner=carol)", str(exc))
    board.post("carol's notice", sender=t.carol)
    t.expect(board.notice() == "carol's notice", "the new owner to be able to post()")


@ownable.check("transferOwnership() is refused to others and to the zero address", points=1)
def _(t):
    board = t.deploy(sender=t.bob)
    t.expect_revert(
        lambda: board.transferOwnership(t.carol, sender=t.carol),
        "transferOwnership(carol) sent by carol (not the owner) to revert",
    )
    t.expect_revert(
        lambda: board.transferOwnership(ZERO, sender=t.bob),
        "transferOwnership(address(0)) to revert",
        "nobody holds the key of the zero address: use renounceOwnership() for that",
    )
    t.expect(_same(board.owner(), t.bob), "bob to still be the owner", f"{board.owner()}")


@ownable.check("renounceOwnership() leaves the Noticeboard with no owner", points=1)
def _(t):
    board = t.deploy(sender=t.bob)
    t.expect_revert(
        lambda: board.renounceOwnership(sender=t.carol),
        "renounceOwnership() sent by carol (not the owner) to revert",
    )
    receipt = board.renounceOwnership(sender=t.bob)
    t.expect(_same(board.owner(), ZERO), "owner() to be address(0)", f"{board.owner()}")
    try:
        t.emitted(receipt, "OwnershipTransferred", previousOwner=t.bob, newOwner=ZERO)
    except AssertionError as exc:
        t.expect(False, "OwnershipTransferred(previousOwner=bob, newOwner=address(0))", str(exc))
    t.expect_revert(
        lambda: board.transferOwnership(t.bob, sender=t.bob),
        "transferOwnership() from the former owner to revert once nobody owns the board",
    )


@ownable.check("PiggyBank reuses Ownable: its deployer owns it and can hand it over", points=1)
def _(t):
    _sibling(t, "Ownable")
    piggy = _piggy(t, t.dave)
    t.expect(_same(piggy.owner(), t.dave), "PiggyBank's owner() to be its deployer, dave")
    piggy.transferOwnership(t.eve, sender=t.dave)
    t.expect(_same(piggy.owner(), t.eve), "PiggyBank's owner() to be eve after the handover")


@ownable.check("anyone can pay into a PiggyBank; only its owner can smash() it", points=2)
def _(t):
    piggy = _piggy(t, t.dave)
    try:
        t.chain.send(piggy, ETHER, sender=t.bob)
        t.chain.send(piggy, 2 * ETHER, sender=t.carol)
    except sollab.LabError:
        t.expect(
            False,
            "the PiggyBank to accept Ether sent to its address with no function named",
            "the payment was refused",
            "a contract accepts plain Ether only with a receive() function",
        )
    t.expect(
        t.chain.balance(piggy) == 3 * ETHER,
        "the PiggyBank to hold 3 ether after two plain payments",
        f"{t.chain.balance(piggy)} wei",
        "a contract accepts plain Ether only with a receive() function",
    )
    t.expect_revert(lambda: piggy.smash(sender=t.bob), "smash() from bob (not the owner) to revert")
    before = t.chain.balance(t.dave)
    receipt = piggy.smash(sender=t.dave)
    gained = t.chain.balance(t.dave) - before
    t.expect(
        t.chain.balance(piggy) == 0 and 3 * ETHER - receipt.gas_used * 10**11 < gained,
        "smash() to send all 3 ether to the owner, dave",
        f"the piggy bank kept {t.chain.balance(piggy)} wei; dave's balance changed by {gained}",
    )


@ownable.check("a PiggyBank cannot be renounced", points=1, hidden=True)
def _(t):
    piggy = _piggy(t, t.dave)
    t.expect_revert(
        lambda: piggy.renounceOwnership(sender=t.dave),
        "PiggyBank's renounceOwnership() to revert, even for its owner",
        "override renounceOwnership in PiggyBank",
    )
    t.expect(_same(piggy.owner(), t.dave), "dave to still own the PiggyBank", f"{piggy.owner()}")


@ownable.check("after a handover the old owner has no powers left", points=1, hidden=True)
def _(t):
    board = t.deploy(sender=t.bob)
    board.transferOwnership(t.carol, sender=t.bob)
    t.expect_revert(lambda: board.post("mine", sender=t.bob), "post() by the old owner to revert")
    piggy = _piggy(t, t.bob)
    piggy.transferOwnership(t.carol, sender=t.bob)
    t.chain.send(piggy, ETHER, sender=t.dave)
    t.expect_revert(lambda: piggy.smash(sender=t.bob), "smash() by the old owner to revert")
    t.expect_revert(
        lambda: piggy.transferOwnership(t.bob, sender=t.bob),
        "transferOwnership() by the old owner to revert",
    )


# --- a Player that talks to a Scoreboard ------------------------------------------------------

SCOREBOARDS = """\
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// The scoreboard lesson 07 gives (contracts/07-contracts-talking/Scoreboard.sol).
contract Scoreboard {
    uint256 public constant LIMIT = 100;
    mapping(address => uint256) public scoreOf;

    event Scored(address indexed player, uint256 points, uint256 total);
    error TooManyPoints(uint256 points, uint256 limit);

    function record(uint256 points) external {
        if (points > LIMIT) revert TooManyPoints(points, LIMIT);
        scoreOf[msg.sender] += points;
        emit Scored(msg.sender, points, scoreOf[msg.sender]);
    }
}

/// Another scoreboard with the same interface: a contract asking for its own score reads 42
/// (anything else 0), and records are only counted.
contract FixedScoreboard {
    uint256 public records;
    function record(uint256) external { records += 1; }
    function scoreOf(address who) external view returns (uint256) {
        return who == msg.sender ? 42 : 0;
    }
}
"""


@functools.cache
def scoreboards():
    """The scoreboards, compiled once (on first use, so loading graders stays fast)."""
    return sollab.compile_source(SCOREBOARDS, "Scoreboard.sol")


def _board(t: CheckContext, name: str = "Scoreboard"):
    return t.chain.deploy(scoreboards()[name], sender=t.alice)


player = exercise(
    f"{LESSON}/player",
    "A Player that calls the Scoreboard through an interface",
    contract="Player",
    hints=[
        "Declare `interface IScoreboard` with the two functions Player needs: "
        "`record(uint256)` and `scoreOf(address) ... view returns (uint256)`.",
        "Keep the scoreboard in a state variable (`IScoreboard public scoreboard;`) set from "
        "the constructor's argument, then call `scoreboard.record(points)` in play().",
        "Inside Player, `msg.sender` is the account that called play(); inside the Scoreboard, "
        "`msg.sender` is the Player contract itself, so its score is "
        "`scoreOf(address(this))`.",
    ],
)


def _player(t: CheckContext, board, sender=None):
    try:
        return t.deploy(board.address, sender=sender or t.bob)
    except sollab.ArgumentError as exc:
        t.expect(False, "Player's constructor to take the scoreboard's address", _line(exc))


@player.property(
    "play(points) records the points on the scoreboard, under the Player's address",
    st.lists(st.integers(0, 100), min_size=1, max_size=4),
    points=2,
    examples=6,
)
def _(t, rounds):
    board = _board(t)
    p = _player(t, board)
    for points in rounds:
        p.play(points, sender=t.bob)
    t.expect(
        board.scoreOf(p) == sum(rounds),
        f"scoreOf(player contract) to be {sum(rounds)} after play() with {rounds}",
        f"{board.scoreOf(p)}",
        "call the scoreboard's record() from play()",
    )
    t.expect(
        board.scoreOf(t.bob) == 0,
        "bob's own address to have no score: the scoreboard sees the Player as msg.sender",
        f"{board.scoreOf(t.bob)}",
    )


@player.check("score() asks the scoreboard it was given", points=1)
def _(t):
    fixed = _board(t, "FixedScoreboard")
    p = _player(t, fixed)
    t.expect(
        p.score() == 42,
        "score() to be 42 when the Player is built on a scoreboard whose scoreOf() says 42",
        f"{p.score()}",
        "read scoreOf(address(this)) from the scoreboard in score()",
    )


@player.check("lastPlayer() is the account that called play()", points=1)
def _(t):
    board = _board(t)
    p = _player(t, board)
    p.play(3, sender=t.carol)
    t.expect(
        _same(p.lastPlayer(), t.carol),
        "lastPlayer() to be carol after carol's play()",
        f"{p.lastPlayer()}",
        "in Player, msg.sender is whoever called play()",
    )
    p.play(4, sender=t.dave)
    t.expect(_same(p.lastPlayer(), t.dave), "lastPlayer() to be dave after dave's play()")


@player.check("when the scoreboard refuses, play() reverts too", points=1)
def _(t):
    board = _board(t)
    p = _player(t, board)
    p.play(10, sender=t.bob)
    t.expect_revert(
        lambda: p.play(101, sender=t.bob),
        "play(101) to revert: the scoreboard refuses more than 100 points",
        "a failing call through an interface reverts the caller as well; "
        "do not swallow the failure",
    )
    t.expect(board.scoreOf(p) == 10, "the score to stay 10", f"{board.scoreOf(p)}")


@player.check("each Player talks to the scoreboard given to its constructor", points=1, hidden=True)
def _(t):
    first, second, fixed = _board(t), _board(t), _board(t, "FixedScoreboard")
    p1, p2, p3 = _player(t, first), _player(t, second), _player(t, fixed)
    p1.play(5, sender=t.bob)
    p2.play(7, sender=t.bob)
    p3.play(9, sender=t.bob)
    got = (first.scoreOf(p1), second.scoreOf(p2), first.scoreOf(p2), fixed.records())
    t.expect(
        got == (5, 7, 0, 1),
        "each player's points on its own scoreboard only",
        f"(first board p1, second board p2, first board p2, fixed board records) = {got}",
    )


# --- a math library ---------------------------------------------------------------------------

mathlib = exercise(
    f"{LESSON}/math-library",
    "A math library, used by a Calculator",
    contract="Calculator",
    hints=[
        "`library MathLib { function average(uint256 a, uint256 b) internal pure returns "
        "(uint256) { ... } ... }`, then in Calculator `using MathLib for uint256;` and "
        "`return a.average(b);`.",
        "`(a + b) / 2` overflows when a + b does not fit in 256 bits. Halve first: "
        "`a / 2 + b / 2`, then add back the 1 that is lost when both are odd.",
        "For sqrt, Newton's method: start from a guess z ≥ √x and repeat "
        "`z = (x / z + z) / 2` while it gets smaller. Mind the first guess for x = 2**256 - 1: "
        "`(x + 1) / 2` overflows.",
    ],
)

# Any uint256, with the small ones and those just below 2**256 (where sums overflow) drawn often.
WORDS = st.one_of(
    st.integers(0, 1000), st.integers(0, 2**16).map(lambda k: MAX - k), st.integers(0, MAX)
)


def _num(n: int) -> str:
    """A number as the learner reads it: 2**256 - 1 rather than 78 digits."""
    return f"2**256 - {MAX + 1 - n}" if n > MAX - 1000 else str(n)


def _calc(t: CheckContext, fn: str, *args, calculator=None):
    """``fn(*args)`` on ``calculator`` (a fresh Calculator if not given), or a failed check."""
    c = calculator or t.deploy()
    try:
        return getattr(c, fn)(*args)
    except sollab.LabError as exc:
        shown = ", ".join(map(_num, args))
        t.expect(False, f"{fn}({shown}) to return a number", _line(exc))


@mathlib.check("average() of small numbers rounds down", points=1)
def _(t):
    c = t.deploy()
    for a, b in ((1, 3), (2, 3), (0, 0), (7, 8), (10, 0)):
        got = _calc(t, "average", a, b, calculator=c)
        t.expect(got == (a + b) // 2, f"average({a}, {b}) to be {(a + b) // 2}", f"{got}")


@mathlib.property(
    "average(a, b) is (a + b) / 2 rounded down for every pair of uint256",
    st.tuples(WORDS, WORDS),
    points=2,
    examples=10,
)
def _(t, pair):
    a, b = pair
    got = _calc(t, "average", a, b)
    t.expect(
        got == (a + b) // 2,
        f"average({a}, {b}) to be {(a + b) // 2}",
        f"{got}",
        "a + b may not fit in a uint256",
    )


@mathlib.check("sqrt() of perfect squares", points=1)
def _(t):
    c = t.deploy()
    for r in (0, 1, 2, 3, 12, 1000, 10**18):
        got = _calc(t, "sqrt", r * r, calculator=c)
        t.expect(got == r, f"sqrt({r * r}) to be {r}", f"{got}")


@mathlib.property(
    "sqrt(x) is the largest r with r * r <= x",
    st.one_of(st.integers(0, 10**6), st.integers(0, 2**128), st.integers(0, MAX)),
    points=2,
    examples=10,
)
def _(t, x):
    got = _calc(t, "sqrt", x)
    t.expect(got == math.isqrt(x), f"sqrt({x}) to be {math.isqrt(x)}", f"{got}")


@mathlib.property(
    "percentOf(amount, basisPoints) is amount * basisPoints / 10000, rounded down",
    st.tuples(st.integers(0, 2**200), st.integers(0, 10_000)),
    points=1,
    examples=10,
)
def _(t, pair):
    amount, bps = pair
    got = _calc(t, "percentOf", amount, bps)
    t.expect(
        got == amount * bps // 10_000,
        f"percentOf({amount}, {bps}) to be {amount * bps // 10_000}",
        f"{got}",
        "100 basis points are 1 percent; multiply before you divide",
    )


@mathlib.check("the largest uint256 does not break average() or sqrt()", points=1, hidden=True)
def _(t):
    c = t.deploy()
    for fn, args, want in (
        ("average", (MAX, MAX), MAX),
        ("average", (MAX, MAX - 1), MAX - 1),
        ("sqrt", (MAX,), math.isqrt(MAX)),
        ("sqrt", (MAX - 1,), math.isqrt(MAX - 1)),
    ):
        got = _calc(t, fn, *args, calculator=c)
        shown = ", ".join(map(_num, args))
        t.expect(got == want, f"{fn}({shown}) to be {_num(want)}", _num(got))
