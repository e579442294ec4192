"""Checks for lesson 13, DeFi and DAOs: a constant-product pool's swap (fee, rounding, min-out),
its liquidity shares, and a token-weighted DAO with a snapshot and a timelock."""

from __future__ import annotations

import contextlib
import functools
import math
from fractions import Fraction

from hypothesis import strategies as st

import sollab
from sollab.grading import CheckContext, exercise

LESSON = "13-defi-and-daos"
E = 10**18  # one whole token (18 decimals)
MAX = 2**256 - 1
DAY = 24 * 3600
VOTING_PERIOD, TIMELOCK_DELAY = 3 * DAY, 2 * DAY


def _line(exc: Exception) -> str:
    return str(exc).splitlines()[0]


def _same(a, b) -> bool:
    return str(a).lower() == str(b).lower()


def _tok(n: int) -> str:
    """An amount as the learner reads it: whole tokens when it is a round number of them."""
    return f"{n // E} tokens" if n and n % E == 0 else f"{n} wei"


# --- the lesson's given contracts, compiled once (on first use) --------------------------------

BOX = """\
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// What the DAO's proposals call in the checks: it remembers each call and who made it.
contract Box {
    uint256 public value;
    uint256 public calls;
    address public lastCaller;

    function store(uint256 newValue) external {
        value = newValue;
        calls += 1;
        lastCaller = msg.sender;
    }

    function fail() external pure {
        revert("Box refuses");
    }
}
"""


@functools.cache
def given(name: str):
    """TestToken or GovToken from contracts/13-defi-and-daos/, or the checks' Box."""
    if name == "Box":
        return sollab.compile_source(BOX, "Box.sol")["Box"]
    return sollab.compile_files(sollab.CONTRACTS / LESSON / f"{name}.sol")[name]


def _token(t: CheckContext, symbol: str):
    return t.chain.deploy(given("TestToken"), f"Token {symbol}", symbol, sender=t.alice)


def _fund(t: CheckContext, token, who, amount: int, spender) -> None:
    """Give ``who`` ``amount`` of ``token`` and let ``spender`` (the pool) take all of it."""
    token.mint(who, amount, sender=who)
    token.approve(spender, MAX, sender=who)


def _deploy(t: CheckContext, *args):
    try:
        return t.deploy(*args, sender=t.alice)
    except sollab.ArgumentError as exc:
        t.expect(
            False,
            f"{t.exercise.contract}'s constructor to take the arguments the lesson names",
            _line(exc),
        )


def _try(t: CheckContext, what: str, action):
    """``action()``, or a failed check saying that ``what`` did not work."""
    try:
        return action()
    except sollab.TransactionReverted as exc:
        t.expect(False, f"{what} to work", _line(exc))


# --- exercise 1: swapping ---------------------------------------------------------------------

swap = exercise(
    f"{LESSON}/amm-swap",
    "A constant-product swap with a 0.3 % fee and a minimum output",
    contract="SwapPool",
    hints=[
        "The fee stays in the pool: only 997/1000 of amountIn trades. With "
        "`amountInWithFee = amountIn * 997`, x·y = k gives "
        "`amountOut = amountInWithFee * reserveOut / (reserveIn * 1000 + amountInWithFee)`.",
        "Multiply everything first and divide once, at the end: Solidity's `/` rounds down, "
        "which is in the pool's favour. Rounding up (or dividing early) pays the trader wei the "
        "pool does not have, and k shrinks.",
        "In swap(): work out which token comes in (token0 or token1, anything else reverts), "
        "quote with getAmountOut from the reserves, revert if the quote is below minAmountOut, "
        "then update both reserves and move the tokens (transferFrom in, transfer out).",
    ],
)


def exact_out(amount_in: int, reserve_in: int, reserve_out: int) -> Fraction:
    """What x·y = k pays after the 0.3 % fee, as an exact fraction (no rounding at all)."""
    with_fee = Fraction(997, 1000) * amount_in
    return with_fee * reserve_out / (reserve_in + with_fee)


def _quote(t: CheckContext, pool, a: int, ri: int, ro: int) -> int:
    try:
        return pool.getAmountOut(a, ri, ro)
    except sollab.LabError as exc:
        t.expect(False, f"getAmountOut({a}, {ri}, {ro}) to return a number", _line(exc))


def _quoter(t: CheckContext):
    """A pool for asking getAmountOut (a pure function: the token addresses do not matter)."""
    return _deploy(t, t.alice, t.bob)


def _swap_pool(t: CheckContext, r0: int, r1: int):
    """Tokens A and B, the learner's pool on them, seeded by alice with r0 A and r1 B (alice
    keeps plenty more of both to trade with)."""
    a, b = _token(t, "A"), _token(t, "B")
    pool = _deploy(t, a, b)
    _fund(t, a, t.alice, 10**30, pool)
    _fund(t, b, t.alice, 10**30, pool)
    if r0 or r1:
        _try(t, f"seed({r0}, {r1})", lambda: pool.seed(r0, r1, sender=t.alice))
    return a, b, pool


@swap.check("getAmountOut() keeps the 0.3 % fee from the input", points=2)
def _(t):
    pool = _quoter(t)
    for a, ri, ro in (
        (10**18, 10**21, 10**21),
        (1000 * E, 1000 * E, 4000 * E),
        (3 * 10**20, 5 * 10**21, 2 * 10**21),
        (10**6, 10**9, 10**9),
    ):
        got, want = _quote(t, pool, a, ri, ro), math.floor(exact_out(a, ri, ro))
        t.expect(
            abs(got - want) <= 1,
            f"getAmountOut({a}, {ri}, {ro}) to be {want}",
            f"{got}",
            "the fee comes off amountIn before the x·y = k formula: 997/1000 of it trades",
        )


# Inputs are drawn from lists of telling values (tiny, round, odd, huge) rather than whole ranges:
# as strong a search for these formulas, and a failure shrinks in a few steps, not hundreds of
# transactions.
AMOUNTS = st.sampled_from(
    [
        1,
        2,
        3,
        7,
        10,
        99,
        1000,
        1001,
        12345,
        10**6 + 3,
        10**9 + 7,
        10**18,
        10**18 + 1,
        3 * 10**21 + 7,
        10**24,
    ]
)
RESERVES = st.sampled_from([1000, 1001, 10**4 + 3, 10**6, 10**9 + 7, 10**18, 10**21 + 1, 10**24])


@swap.property(
    "getAmountOut() never pays more than the exact math (it rounds in the pool's favour)",
    st.tuples(AMOUNTS, AMOUNTS, AMOUNTS),
    points=2,
    examples=10,
    setup=_quoter,
)
def _(t, case):
    pool = t.setup
    a, ri, ro = case
    got, exact = _quote(t, pool, a, ri, ro), exact_out(a, ri, ro)
    t.expect(
        got <= exact,
        f"getAmountOut({a}, {ri}, {ro}) to be at most {float(exact):.6g} (the exact amount)",
        f"{got}",
        "divide once, at the end, and let `/` round down",
    )


@swap.check("swap() pays what getAmountOut() quotes, both ways, and updates the reserves", points=2)
def _(t):
    r0, r1 = 1000 * E, 2000 * E
    a, b, pool = _swap_pool(t, r0, r1)
    _fund(t, a, t.bob, 100 * E, pool)
    _fund(t, b, t.bob, 100 * E, pool)
    for token_in, token_out, amount, name in ((a, b, 10 * E, "A"), (b, a, 50 * E, "B")):
        res_in, res_out = (pool.reserve0(), pool.reserve1())[:: 1 if name == "A" else -1]
        quote = _quote(t, pool, amount, res_in, res_out)
        before_in, before_out = token_in.balanceOf(t.bob), token_out.balanceOf(t.bob)
        _try(
            t,
            f"swap(token {name}, {_tok(amount)}, 0)",
            lambda token_in=token_in, amount=amount: pool.swap(token_in, amount, 0, sender=t.bob),
        )
        paid, got = before_in - token_in.balanceOf(t.bob), token_out.balanceOf(t.bob) - before_out
        t.expect(
            (paid, got) == (amount, quote),
            f"selling {_tok(amount)} of {name} to take exactly that from bob and pay him "
            f"getAmountOut's {quote} wei",
            f"bob paid {paid} wei and received {got} wei",
        )
        after = (pool.reserve0(), pool.reserve1())[:: 1 if name == "A" else -1]
        t.expect(
            after == (res_in + amount, res_out - quote),
            f"the reserves (in, out) to be {(res_in + amount, res_out - quote)} after the swap",
            f"{after}",
            "add what came in to one reserve and take what went out from the other",
        )


@swap.check("swap() reverts when it would pay less than minAmountOut", points=2)
def _(t):
    a, b, pool = _swap_pool(t, 1000 * E, 1000 * E)
    _fund(t, a, t.bob, 100 * E, pool)
    quote = _quote(t, pool, 10 * E, 1000 * E, 1000 * E)
    t.expect_revert(
        lambda: pool.swap(a, 10 * E, quote + 1, sender=t.bob),
        f"swap(A, 10 tokens, minAmountOut={quote + 1}) to revert: it would pay only {quote}",
        "compare the amount out with minAmountOut and revert before any token moves",
    )
    t.expect(
        b.balanceOf(t.bob) == 0 and a.balanceOf(t.bob) == 100 * E,
        "a refused swap to move no tokens",
        f"bob holds {a.balanceOf(t.bob)} A and {b.balanceOf(t.bob)} B",
    )
    _try(
        t,
        f"swap(A, 10 tokens, minAmountOut={quote})",
        lambda: pool.swap(a, 10 * E, quote, sender=t.bob),
    )
    t.expect(
        b.balanceOf(t.bob) == quote, f"bob to receive {quote} wei of B", f"{b.balanceOf(t.bob)}"
    )


@swap.property(
    "k = reserve0 · reserve1 never decreases after a swap",
    st.tuples(
        RESERVES,
        RESERVES,
        st.lists(st.tuples(st.booleans(), AMOUNTS), min_size=1, max_size=3),
    ),
    points=2,
    examples=6,
    setup=lambda t: _swap_pool(t, 0, 0),
)
def _(t, case):
    r0, r1, trades = case
    a, b, pool = t.setup
    _try(t, f"seed({r0}, {r1})", lambda: pool.seed(r0, r1, sender=t.alice))
    k = pool.reserve0() * pool.reserve1()
    for zero_for_one, amount in trades:
        try:
            pool.swap(a if zero_for_one else b, amount, 0, sender=t.alice)
        except sollab.TransactionReverted:  # a swap the pool refuses leaves k alone
            continue
        after = pool.reserve0() * pool.reserve1()
        t.expect(
            after >= k,
            f"k to stay at least {k} after selling {amount} wei of {'A' if zero_for_one else 'B'}",
            f"k went down to {after} (reserves {pool.reserve0()} and {pool.reserve1()})",
            "the pool must never pay out a wei more than x·y = k allows: round down",
        )
        k = after


@swap.check("swap() refuses a token that is not in the pool", points=1, hidden=True)
def _(t):
    a, b, pool = _swap_pool(t, 1000 * E, 1000 * E)
    other = _token(t, "C")
    _fund(t, other, t.bob, 100 * E, pool)
    t.expect_revert(
        lambda: pool.swap(other, 100 * E, 0, sender=t.bob),
        "swap() with a third token to revert",
        "tokenIn must be token0 or token1",
    )
    t.expect(
        a.balanceOf(t.bob) == 0 and b.balanceOf(t.bob) == 0,
        "nobody to get A or B for a token the pool does not trade",
    )


# --- exercise 2: liquidity and shares ---------------------------------------------------------

liquidity = exercise(
    f"{LESSON}/amm-liquidity",
    "Liquidity in, liquidity out: LP shares that round in the pool's favour",
    contract="Pool",
    hints=[
        "First deposit: `shares = Math.sqrt(amount0 * amount1)` (OpenZeppelin's "
        "`@openzeppelin/contracts/utils/math/Math.sol`); mint MINIMUM_LIQUIDITY of them to "
        "LOCKED and the rest to the depositor; revert if nothing would be left.",
        "Later deposits: `Math.min(amount0 * totalSupply() / reserve0, amount1 * totalSupply() "
        "/ reserve1)`. Take the smaller one: a share must never be worth less afterwards. "
        "Revert if it comes out 0.",
        "removeLiquidity(shares): `amount0 = shares * reserve0 / totalSupply()` (the same for "
        "token1), computed before you burn the shares; rounding down keeps the remainder in the "
        "pool for the other holders.",
    ],
)


def _liquidity_pool(t: CheckContext, *providers):
    a, b = _token(t, "A"), _token(t, "B")
    pool = _deploy(t, a, b)
    for who in providers:
        _fund(t, a, who, 10**30, pool)
        _fund(t, b, who, 10**30, pool)
    return a, b, pool


def _add(t: CheckContext, pool, who, x: int, y: int) -> None:
    _try(t, f"addLiquidity({x}, {y})", lambda: pool.addLiquidity(x, y, sender=who))


def _remove(t: CheckContext, pool, who, shares: int) -> None:
    _try(t, f"removeLiquidity({shares})", lambda: pool.removeLiquidity(shares, sender=who))


def _state(pool) -> tuple[int, int, int]:
    return pool.reserve0(), pool.reserve1(), pool.totalSupply()


@liquidity.check(
    "the first deposit mints √(amount0 · amount1) shares and locks 1000 of them", points=2
)
def _(t):
    a, b, pool = _liquidity_pool(t, t.alice)
    _add(t, pool, t.alice, 4000 * E, 1000 * E)
    supply, mine = pool.totalSupply(), pool.balanceOf(t.alice)
    t.expect(
        supply == 2000 * E,
        f"totalSupply() to be √(4000e18 · 1000e18) = {2000 * E}",
        f"{supply}",
        "the first deposit sets the share count to the geometric mean of the amounts",
    )
    t.expect(
        mine == 2000 * E - 1000,
        f"alice to get {2000 * E - 1000} shares: all but the 1000 locked for good",
        f"{mine}",
        "mint MINIMUM_LIQUIDITY shares to LOCKED and the rest to the depositor",
    )
    t.expect(
        _state(pool)[:2] == (4000 * E, 1000 * E)
        and (a.balanceOf(pool), b.balanceOf(pool)) == (4000 * E, 1000 * E),
        "the reserves and the pool's token balances to be the deposit (4000 A, 1000 B)",
        f"reserves {_state(pool)[:2]}, balances {(a.balanceOf(pool), b.balanceOf(pool))}",
    )


@liquidity.check("a later deposit earns shares in proportion, by the scarcer token", points=2)
def _(t):
    _, _, pool = _liquidity_pool(t, t.alice, t.bob, t.carol)
    _add(t, pool, t.alice, 4000 * E, 1000 * E)
    for who, name, x, y in ((t.bob, "bob", 2000 * E, 1000 * E), (t.carol, "carol", 401, 100)):
        r0, r1, supply = _state(pool)
        want = min(x * supply // r0, y * supply // r1)
        before = pool.balanceOf(who)
        _add(t, pool, who, x, y)
        got = pool.balanceOf(who) - before
        t.expect(
            got == want,
            f"{name}'s addLiquidity({x}, {y}) to mint {want} shares "
            f"(the pool holds {r0} A, {r1} B against {supply} shares)",
            f"{got}",
            "shares = the smaller of amount0 · supply / reserve0 and amount1 · supply / reserve1",
        )


@liquidity.check("removeLiquidity() pays each reserve's share and burns the shares", points=2)
def _(t):
    a, b, pool = _liquidity_pool(t, t.alice, t.bob)
    _add(t, pool, t.alice, 3000 * E, 1000 * E)
    _add(t, pool, t.bob, 3 * E + 7, E)
    shares = pool.balanceOf(t.bob)
    half = shares // 2
    r0, r1, supply = _state(pool)
    before = a.balanceOf(t.bob), b.balanceOf(t.bob)
    _remove(t, pool, t.bob, half)
    got = a.balanceOf(t.bob) - before[0], b.balanceOf(t.bob) - before[1]
    want = half * r0 // supply, half * r1 // supply
    t.expect(
        got == want,
        f"removing {half} of {supply} shares to pay {want} (A, B)",
        f"{got}",
        "amount = shares · reserve / totalSupply(), with totalSupply() from before the burn",
    )
    t.expect(
        (pool.balanceOf(t.bob), _state(pool))
        == (shares - half, (r0 - want[0], r1 - want[1], supply - half)),
        "bob's shares, the reserves and totalSupply() to drop by what was removed",
        f"bob has {pool.balanceOf(t.bob)} shares; reserves and supply are {_state(pool)}",
    )
    t.expect_revert(
        lambda: pool.removeLiquidity(shares, sender=t.bob),
        f"removing {shares} shares when bob has only {shares - half} left to revert",
    )


LIQUIDITY = st.sampled_from(
    [10**4, 10**4 + 1, 10**6 + 3, 10**9 + 7, 3 * 10**12 + 1, 10**18, 10**21 + 7, 10**24]
)
# Alice's first deposits in the pools the properties use: balanced-ish, lopsided, tiny.
OPENINGS = [(10**9 + 7, 3 * 10**9 + 1), (10**18, 10**6 + 3), (3 * 10**12 + 1, 10**4 + 1)]


def _opened_pools(t: CheckContext):
    """A property's setup: tokens A and B, alice and bob funded, and one learner's pool for each
    of OPENINGS with alice's first deposit in it (every input starts from these pools)."""
    a, b = _token(t, "A"), _token(t, "B")
    for who in (t.alice, t.bob):
        a.mint(who, 10**30, sender=who)
        b.mint(who, 10**30, sender=who)
    pools = []
    for x, y in OPENINGS:
        pool = _deploy(t, a, b)
        for who in (t.alice, t.bob):
            a.approve(pool, MAX, sender=who)
            b.approve(pool, MAX, sender=who)
        _add(t, pool, t.alice, x, y)
        pools.append(pool)
    return a, b, pools


@liquidity.property(
    "remove after add gives back no more than was deposited",
    st.tuples(
        st.sampled_from(range(len(OPENINGS))),
        st.sampled_from([1, 2, 3, 50, 1000, 10**6]),
        st.lists(st.sampled_from([1, 2, 3, 7, 1000, 4999]), max_size=3),
    ),
    points=2,
    examples=6,
    setup=_opened_pools,
)
def _(t, case):
    which, scale, chunks = case
    a, b, pools = t.setup
    pool, (x, y) = pools[which], OPENINGS[which]
    bx, by = x * scale // 7 + 1, y * scale // 5 + 1  # a deposit not quite at the pool's ratio
    r0, r1, supply = _state(pool)
    if min(bx * supply // r0, by * supply // r1) == 0:
        return
    _add(t, pool, t.bob, bx, by)
    before = a.balanceOf(t.bob), b.balanceOf(t.bob)
    for chunk in chunks:  # a few small withdrawals first, then the rest
        if chunk < pool.balanceOf(t.bob):
            _remove(t, pool, t.bob, chunk)
    _remove(t, pool, t.bob, pool.balanceOf(t.bob))
    back = a.balanceOf(t.bob) - before[0], b.balanceOf(t.bob) - before[1]
    t.expect(
        back[0] <= bx and back[1] <= by,
        f"bob to get back at most the {bx} A and {by} B he deposited",
        f"{back[0]} A and {back[1]} B",
        "round the shares you mint and the tokens you pay out down",
    )


@liquidity.property(
    "no deposit or withdrawal lowers what one share is worth",
    st.tuples(
        st.sampled_from(range(len(OPENINGS))),
        st.lists(
            st.tuples(
                st.sampled_from(["alice", "bob"]),
                st.sampled_from(["add", "remove"]),
                LIQUIDITY,
                st.sampled_from([1, 3, 999, 1000, 1001, 3000, 10**6]),
            ),
            min_size=1,
            max_size=3,
        ),
    ),
    points=2,
    examples=6,
    setup=_opened_pools,
)
def _(t, case):
    which, steps = case
    pool = t.setup[2][which]
    for name, action, amount, ratio in steps:
        who = getattr(t, name)
        r0, r1, supply = _state(pool)
        if supply == 0:  # emptied (a pool that locks no shares): no share left to lose value
            break
        if action == "add":
            x, y = amount, amount * ratio // 1000 + 1
            if min(x * supply // r0, y * supply // r1) == 0:
                continue
            _add(t, pool, who, x, y)
            what = f"{name}'s addLiquidity({x}, {y})"
        else:
            shares = min(pool.balanceOf(who), amount)
            if shares == 0:
                continue
            _remove(t, pool, who, shares)
            what = f"{name}'s removeLiquidity({shares})"
        n0, n1, new_supply = _state(pool)
        if new_supply == 0:
            break
        if n0 * supply < r0 * new_supply or n1 * supply < r1 * new_supply:
            t.expect(
                False,
                f"each share to be worth at least as much after {what}",
                f"per share: A {r0 / supply:.6g} -> {n0 / new_supply:.6g}, "
                f"B {r1 / supply:.6g} -> {n1 / new_supply:.6g}",
                "whoever adds or removes pays the rounding, never the other holders",
            )


@liquidity.check(
    "a first deposit too small to lock MINIMUM_LIQUIDITY reverts", points=1, hidden=True
)
def _(t):
    _, _, pool = _liquidity_pool(t, t.alice)
    t.expect_revert(
        lambda: pool.addLiquidity(100, 100, sender=t.alice),
        "addLiquidity(100, 100) as the first deposit to revert: √(100 · 100) = 100 < 1000",
    )


@liquidity.check("a deposit worth less than one share reverts", points=1, hidden=True)
def _(t):
    a, _, pool = _liquidity_pool(t, t.alice, t.bob)
    _add(t, pool, t.alice, 10**18, 10**6)
    before = a.balanceOf(t.bob)
    t.expect_revert(
        lambda: pool.addLiquidity(10**5, 10**5, sender=t.bob),
        "addLiquidity(10**5, 10**5) to revert when it earns 0 shares",
        "a deposit that mints nothing would hand bob's tokens to the others",
    )
    t.expect(a.balanceOf(t.bob) == before, "bob to keep his tokens")


# --- exercise 3: the DAO ----------------------------------------------------------------------

dao = exercise(
    f"{LESSON}/dao",
    "A token-weighted DAO: propose, vote at a snapshot, queue, execute after a timelock",
    contract="DAO",
    hints=[
        "Keep a struct per proposal: target, data, snapshot block, voting end, votes for and "
        "against, the time it may execute (eta) and whether it has run; and a "
        "`mapping(uint256 => mapping(address => bool))` of who has voted.",
        "In propose(), take `snapshot = block.number - 1` and in vote() weigh the vote with "
        "`token.getPastVotes(msg.sender, snapshot)`: tokens bought, borrowed or received after "
        "the proposal do not count. Mark the voter before anything else can happen.",
        "queue(): after the vote ends, only if forVotes > againstVotes and forVotes >= quorum; "
        "set `eta = block.timestamp + TIMELOCK_DELAY`. execute(): queued, `block.timestamp >= "
        "eta`, not executed yet; set executed = true, then `target.call(data)` and revert if it "
        "failed.",
    ],
)


def _calldata(signature: str, *args: int) -> bytes:
    """The calldata of a call to ``signature`` (e.g. "store(uint256)") with uint256 arguments."""
    from eth_abi import encode
    from eth_utils import keccak

    return keccak(text=signature)[:4] + encode(["uint256"] * len(args), list(args))


class _Setup:
    """A GovToken (alice 300, bob 200, carol 100 tokens), the learner's DAO and a Box."""

    def __init__(self, t: CheckContext, quorum: int = 400 * E):
        self.t = t
        self.token = t.chain.deploy(given("GovToken"), sender=t.alice)
        for who, amount in ((t.alice, 300), (t.bob, 200), (t.carol, 100)):
            self.token.mint(who, amount * E, sender=t.alice)
        self.dao = _deploy(t, self.token, quorum)
        self.box = t.chain.deploy(given("Box"), sender=t.alice)
        self.count = 0

    def propose(self, data: bytes | None = None) -> tuple[int, int]:
        """A proposal (Box.store(42) unless other calldata is given): its id and start time."""
        start = self.t.chain.timestamp
        data = _calldata("store(uint256)", 42) if data is None else data
        _try(
            self.t,
            "propose(box, store(42), ...)",
            lambda: self.dao.propose(self.box, data, "store 42", sender=self.t.alice),
        )
        self.count += 1
        return self.count, start

    def vote(self, id: int, who, name: str, support: bool) -> None:
        side = "for" if support else "against"
        _try(
            self.t,
            f"{name}'s vote {side} proposal {id}",
            lambda: self.dao.vote(id, support, sender=who),
        )

    def tally(self, id: int) -> tuple[int, int]:
        try:
            return self.dao.votesFor(id), self.dao.votesAgainst(id)
        except sollab.LabError as exc:
            self.t.expect(False, f"votesFor({id}) and votesAgainst({id}) to answer", _line(exc))

    def passed(self) -> tuple[int, int]:
        """A proposal alice and carol voted for (400 tokens), queued: its id and queue time."""
        id, start = self.propose()
        self.vote(id, self.t.alice, "alice", True)
        self.vote(id, self.t.carol, "carol", True)
        self.t.chain.time_travel(to=start + VOTING_PERIOD + 1)
        queued = self.t.chain.timestamp
        _try(
            self.t,
            f"queue({id}) once the vote has passed",
            lambda: self.dao.queue(id, sender=self.t.bob),
        )
        return id, queued


def _tokens(pair: tuple[int, int]) -> str:
    return f"{_tok(pair[0])} for, {_tok(pair[1])} against"


@dao.check("proposals are numbered from 1, each with its own tally", points=1)
def _(t):
    s = _Setup(t)
    s.propose()
    s.propose()
    s.vote(2, t.alice, "alice", True)
    s.vote(1, t.bob, "bob", False)
    got = s.tally(1), s.tally(2)
    t.expect(
        got == ((0, 200 * E), (300 * E, 0)),
        "proposal 1 to have bob's 200 tokens against and proposal 2 alice's 300 for",
        f"proposal 1: {_tokens(got[0])}; proposal 2: {_tokens(got[1])}",
        "the first proposal is 1, the next 2; keep a tally per proposal",
    )


@dao.check("a vote adds the voter's tokens to for or against", points=2)
def _(t):
    s = _Setup(t)
    id, _ = s.propose()
    s.vote(id, t.alice, "alice", True)
    s.vote(id, t.bob, "bob", False)
    s.vote(id, t.carol, "carol", True)
    got = s.tally(id)
    t.expect(
        got == (400 * E, 200 * E),
        "400 tokens for (alice 300, carol 100) and 200 against (bob)",
        _tokens(got),
        "a vote weighs as many tokens as the voter holds at the snapshot",
    )


@dao.check("voting twice on the same proposal is rejected", points=2)
def _(t):
    s = _Setup(t)
    id, _ = s.propose()
    s.vote(id, t.alice, "alice", True)
    for support in (True, False):
        t.expect_revert(
            lambda support=support: s.dao.vote(id, support, sender=t.alice),
            f"alice's second vote ({'for' if support else 'against'}) to revert",
            "remember who has voted on each proposal",
        )
    got = s.tally(id)
    t.expect(got == (300 * E, 0), "alice's 300 tokens to count once", _tokens(got))


@dao.check("votes are balances at the proposal's snapshot, not live balances", points=2)
def _(t):
    s = _Setup(t)
    id, _ = s.propose()
    s.token.transfer(t.dave, 300 * E, sender=t.alice)  # after the proposal
    s.token.mint(t.eve, 1000 * E, sender=t.eve)
    s.vote(id, t.alice, "alice", True)
    t.expect(
        s.tally(id) == (300 * E, 0),
        "alice to vote with the 300 tokens she held when the proposal was made, even though she "
        "has given them away since",
        _tokens(s.tally(id)),
        "weigh votes with token.getPastVotes(voter, snapshot), not balanceOf",
    )
    for who, name in ((t.dave, "dave"), (t.eve, "eve")):
        # refusing a vote with no weight is fine; so is counting it as 0
        with contextlib.suppress(sollab.TransactionReverted):
            s.dao.vote(id, True, sender=who)
        t.expect(
            s.tally(id) == (300 * E, 0),
            f"{name}'s tokens, received after the proposal, to carry no votes",
            f"the tally is {_tokens(s.tally(id))}",
            "a snapshot makes bought, borrowed (flash-loaned) or passed-on tokens worthless "
            "for a vote already open",
        )


@dao.check("voting closes after VOTING_PERIOD, and queue() waits for it", points=1)
def _(t):
    s = _Setup(t)
    id, start = s.propose()
    s.vote(id, t.alice, "alice", True)
    s.vote(id, t.carol, "carol", True)
    t.chain.time_travel(to=start + VOTING_PERIOD // 2)
    t.expect_revert(
        lambda: s.dao.queue(id, sender=t.bob),
        "queue() halfway through the vote to revert",
        "a vote may still turn until VOTING_PERIOD has passed",
    )
    t.chain.time_travel(to=start + VOTING_PERIOD + 1)
    t.expect_revert(
        lambda: s.dao.vote(id, False, sender=t.bob),
        "bob's vote after VOTING_PERIOD to revert",
        "remember when each proposal's vote ends",
    )
    _try(t, "queue() after the vote", lambda: s.dao.queue(id, sender=t.bob))


@dao.check("a proposal with more votes against than for cannot be queued", points=1)
def _(t):
    s = _Setup(t, quorum=100 * E)
    id, start = s.propose()
    s.vote(id, t.bob, "bob", True)
    s.vote(id, t.alice, "alice", False)
    t.chain.time_travel(to=start + VOTING_PERIOD + 1)
    t.expect_revert(
        lambda: s.dao.queue(id, sender=t.bob),
        "queue() to revert for a proposal with 200 tokens for and 300 against",
        "a proposal passes only with more votes for than against",
    )


@dao.check("a proposal with fewer votes for than the quorum cannot be queued", points=1)
def _(t):
    s = _Setup(t)  # quorum: 400 tokens
    id, start = s.propose()
    s.vote(id, t.alice, "alice", True)
    t.chain.time_travel(to=start + VOTING_PERIOD + 1)
    t.expect_revert(
        lambda: s.dao.queue(id, sender=t.bob),
        "queue() to revert with 300 tokens for, below the quorum of 400",
        "compare the votes for with quorum",
    )


@dao.check("execute() waits for the timelock", points=2)
def _(t):
    s = _Setup(t)
    id, queued = s.passed()
    t.expect_revert(
        lambda: s.dao.execute(id, sender=t.bob),
        "execute() right after queue() to revert",
        "queue() sets eta = block.timestamp + TIMELOCK_DELAY; execute() waits until then",
    )
    t.chain.time_travel(to=queued + TIMELOCK_DELAY - 60)
    t.expect_revert(
        lambda: s.dao.execute(id, sender=t.bob),
        "execute() a minute before the timelock ends to revert",
        "the timelock gives everyone TIMELOCK_DELAY to react before the change happens",
    )
    t.chain.time_travel(to=queued + TIMELOCK_DELAY)
    _try(t, "execute() once TIMELOCK_DELAY has passed", lambda: s.dao.execute(id, sender=t.bob))
    t.expect(s.box.value() == 42, "the box to hold 42 after execute()", f"{s.box.value()}")


@dao.check("a passed proposal's call runs exactly once, sent by the DAO", points=2)
def _(t):
    s = _Setup(t)
    id, queued = s.passed()
    t.chain.time_travel(to=queued + TIMELOCK_DELAY + 1)
    _try(t, "execute() after the timelock", lambda: s.dao.execute(id, sender=t.bob))
    t.expect(
        (s.box.value(), s.box.calls()) == (42, 1) and _same(s.box.lastCaller(), s.dao.address),
        "the DAO itself to have called box.store(42), once",
        f"value {s.box.value()}, {s.box.calls()} call(s), last caller {s.box.lastCaller()}",
        "call the proposal's target with its data: `(bool ok, ) = target.call(data)`",
    )
    t.expect_revert(
        lambda: s.dao.execute(id, sender=t.bob),
        "a second execute() of the same proposal to revert",
        "mark the proposal executed, before the call",
    )
    t.expect(s.box.calls() == 1, "the box to have been called once", f"{s.box.calls()} calls")


@dao.check("execute() reverts when the proposal's call fails", points=1, hidden=True)
def _(t):
    s = _Setup(t)
    id, start = s.propose(_calldata("fail()"))
    s.vote(id, t.alice, "alice", True)
    s.vote(id, t.carol, "carol", True)
    t.chain.time_travel(to=start + VOTING_PERIOD + 1)
    queued = t.chain.timestamp
    _try(t, "queue()", lambda: s.dao.queue(id, sender=t.bob))
    t.chain.time_travel(to=queued + TIMELOCK_DELAY + 1)
    t.expect_revert(
        lambda: s.dao.execute(id, sender=t.bob),
        "execute() to revert when the call it makes reverts",
        "a low-level call returns false instead of reverting: check it",
    )


@dao.check("a proposal that was never queued never executes", points=1, hidden=True)
def _(t):
    s = _Setup(t)
    passed, start = s.propose()
    s.vote(passed, t.alice, "alice", True)
    s.vote(passed, t.carol, "carol", True)
    defeated, _ = s.propose()
    s.vote(defeated, t.alice, "alice", False)
    t.chain.time_travel(to=start + VOTING_PERIOD + TIMELOCK_DELAY + DAY)
    for id, what in ((passed, "a passed proposal nobody queued"), (defeated, "a defeated one")):
        t.expect_revert(
            lambda id=id: s.dao.execute(id, sender=t.bob),
            f"execute() of {what} to revert",
            "only a queued proposal may run",
        )
    t.expect(s.box.calls() == 0, "the box never to be called", f"{s.box.calls()} calls")
