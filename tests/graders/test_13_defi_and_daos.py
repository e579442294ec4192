"""Lesson 13's checks: the reference answers and differently written ones earn full marks, each
typical mistake (a fee in the wrong place, rounding in the trader's favour, no min-out, no
locked first shares, a vote counted twice, live balances, no timelock, ...) loses exactly the
points of its own checks, and the starters and wrong types score 0 without raising."""

from __future__ import annotations

import pytest
from lessonkit import compiled, from_file, no_crash, outcome, variant

LESSON = "13-defi-and-daos"
SWAP, LIQUIDITY, DAO = f"{LESSON}/amm-swap", f"{LESSON}/amm-liquidity", f"{LESSON}/dao"


# --- swapping ---------------------------------------------------------------------------------

SWAP_OTHER = """\
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

/// Written another way: SafeERC20, the fee rounded up in the pool's favour, and the output
/// found from k (what must stay in the pool) rather than from the textbook formula.
contract SwapPool {
    using SafeERC20 for IERC20;

    IERC20 public immutable token0;
    IERC20 public immutable token1;
    uint256 public reserve0;
    uint256 public reserve1;

    constructor(IERC20 a, IERC20 b) { token0 = a; token1 = b; }

    function seed(uint256 amount0, uint256 amount1) external {
        token0.safeTransferFrom(msg.sender, address(this), amount0);
        token1.safeTransferFrom(msg.sender, address(this), amount1);
        reserve0 += amount0;
        reserve1 += amount1;
    }

    function getAmountOut(uint256 amountIn, uint256 reserveIn, uint256 reserveOut)
        public pure returns (uint256)
    {
        require(amountIn > 0 && reserveIn > 0 && reserveOut > 0, "nothing to trade");
        uint256 fee = (amountIn * 3 + 999) / 1000;          // rounded up: the pool keeps it
        uint256 newIn = reserveIn + (amountIn - fee);
        uint256 mustStay = (reserveIn * reserveOut + newIn - 1) / newIn;   // ceil(k / newIn)
        return reserveOut - mustStay;
    }

    function swap(address tokenIn, uint256 amountIn, uint256 minAmountOut)
        external returns (uint256 out)
    {
        if (tokenIn == address(token0)) {
            out = getAmountOut(amountIn, reserve0, reserve1);
            require(out >= minAmountOut, "slippage");
            (reserve0, reserve1) = (reserve0 + amountIn, reserve1 - out);
            token0.safeTransferFrom(msg.sender, address(this), amountIn);
            token1.safeTransfer(msg.sender, out);
        } else if (tokenIn == address(token1)) {
            out = getAmountOut(amountIn, reserve1, reserve0);
            require(out >= minAmountOut, "slippage");
            (reserve1, reserve0) = (reserve1 + amountIn, reserve0 - out);
            token1.safeTransferFrom(msg.sender, address(this), amountIn);
            token0.safeTransfer(msg.sender, out);
        } else {
            revert("not this pool's token");
        }
    }
}
"""

QUOTE = "return (amountInWithFee * reserveOut) / (reserveIn * 1000 + amountInWithFee);"


@pytest.fixture(scope="module")
def swaps():
    return {
        "reference": from_file("solutions", LESSON, "SwapPool"),
        "other": compiled(SWAP_OTHER, "SwapPool"),
        "no-fee": variant(LESSON, "SwapPool", "amountIn * 997;", "amountIn * 1000;"),
        "fee-on-output": variant(
            LESSON,
            "SwapPool",
            QUOTE,
            "return ((amountIn * reserveOut) / (reserveIn + amountIn)) * 997 / 1000;",
        ),
        "rounds-up": variant(
            LESSON,
            "SwapPool",
            QUOTE,
            "uint256 d = reserveIn * 1000 + amountInWithFee;\n"
            "        return (amountInWithFee * reserveOut + d - 1) / d;",
        ),
        "no-min-out": variant(
            LESSON,
            "SwapPool",
            "if (amountOut < minAmountOut) revert Slippage(amountOut, minAmountOut);",
            "",
        ),
        "any-token": variant(  # anything but token0 is taken to be token1
            LESSON,
            "SwapPool",
            "if (!zeroForOne && tokenIn != address(token1)) revert UnknownToken(tokenIn);",
            "",
            "zeroForOne ? (token0, token1) : (token1, token0);",
            "zeroForOne ? (token0, token1) : (IERC20(tokenIn), token0);",
        ),
    }


def test_swap_reference_and_another_correct_pool_earn_full_marks(swaps, module_chain):
    assert outcome(SWAP, swaps["reference"], module_chain) == (11, [])
    assert outcome(SWAP, swaps["other"], module_chain) == (11, [])


FEE = "getAmountOut() keeps the 0.3 % fee from the input"
EXACT = "getAmountOut() never pays more than the exact math (it rounds in the pool's favour)"
K = "k = reserve0 · reserve1 never decreases after a swap"


@pytest.mark.parametrize(
    ("mistake", "points", "lost"),
    [
        ("no-fee", 7, [FEE, EXACT]),
        ("fee-on-output", 9, [FEE]),
        ("rounds-up", 7, [EXACT, K]),
        ("no-min-out", 9, ["swap() reverts when it would pay less than minAmountOut"]),
        ("any-token", 10, ["swap() refuses a token that is not in the pool"]),
    ],
)
def test_each_swap_mistake_loses_only_its_checks(swaps, module_chain, mistake, points, lost):
    assert outcome(SWAP, swaps[mistake], module_chain) == (points, lost)


# --- liquidity --------------------------------------------------------------------------------

POOL_OTHER = """\
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

interface IToken {
    function transfer(address to, uint256 amount) external returns (bool);
    function transferFrom(address from, address to, uint256 amount) external returns (bool);
}

/// Written another way: shares in a plain mapping (not an ERC-20), a Babylonian square root,
/// the locked shares counted in the supply but owned by nobody.
contract Pool {
    uint256 public constant MINIMUM_LIQUIDITY = 1000;
    IToken public immutable token0;
    IToken public immutable token1;
    uint256 public reserve0;
    uint256 public reserve1;
    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;

    constructor(IToken a, IToken b) { token0 = a; token1 = b; }

    function _sqrt(uint256 x) private pure returns (uint256 z) {
        if (x == 0) return 0;
        z = x;
        uint256 y = x / 2 + 1;
        while (y < z) { z = y; y = (x / y + y) / 2; }
    }

    function addLiquidity(uint256 amount0, uint256 amount1) external returns (uint256 shares) {
        if (totalSupply == 0) {
            uint256 root = _sqrt(amount0 * amount1);
            require(root > MINIMUM_LIQUIDITY, "first deposit too small");
            totalSupply = MINIMUM_LIQUIDITY;      // locked: nobody's balance
            shares = root - MINIMUM_LIQUIDITY;
        } else {
            uint256 s0 = amount0 * totalSupply / reserve0;
            uint256 s1 = amount1 * totalSupply / reserve1;
            shares = s0 < s1 ? s0 : s1;
            require(shares > 0, "worth no shares");
        }
        require(token0.transferFrom(msg.sender, address(this), amount0));
        require(token1.transferFrom(msg.sender, address(this), amount1));
        reserve0 += amount0;
        reserve1 += amount1;
        totalSupply += shares;
        balanceOf[msg.sender] += shares;
    }

    function removeLiquidity(uint256 shares) external returns (uint256 out0, uint256 out1) {
        require(shares > 0 && shares <= balanceOf[msg.sender], "not your shares");
        out0 = shares * reserve0 / totalSupply;
        out1 = shares * reserve1 / totalSupply;
        balanceOf[msg.sender] -= shares;
        totalSupply -= shares;
        reserve0 -= out0;
        reserve1 -= out1;
        require(token0.transfer(msg.sender, out0));
        require(token1.transfer(msg.sender, out1));
    }
}
"""


@pytest.fixture(scope="module")
def pools():
    return {
        "reference": from_file("solutions", LESSON, "Pool"),
        "other": compiled(POOL_OTHER, "Pool"),
        "no-lock": variant(
            LESSON,
            "Pool",
            "if (shares <= MINIMUM_LIQUIDITY) revert TooLittleLiquidity(shares);",
            "if (shares == 0) revert TooLittleLiquidity(shares);",
            "_mint(LOCKED, MINIMUM_LIQUIDITY);\n            shares -= MINIMUM_LIQUIDITY;",
            "",
        ),
        "max-shares": variant(LESSON, "Pool", "Math.min(", "Math.max("),
        "rounds-up": variant(
            LESSON,
            "Pool",
            "amount0 = (shares * reserve0) / supply;",
            "amount0 = (shares * reserve0 + supply - 1) / supply;",
            "amount1 = (shares * reserve1) / supply;",
            "amount1 = (shares * reserve1 + supply - 1) / supply;",
        ),
        "zero-shares": variant(
            LESSON, "Pool", "if (shares == 0) revert TooLittleLiquidity(0);", ""
        ),
    }


def test_liquidity_reference_and_another_correct_pool_earn_full_marks(pools, module_chain):
    assert outcome(LIQUIDITY, pools["reference"], module_chain) == (12, [])
    assert outcome(LIQUIDITY, pools["other"], module_chain) == (12, [])


BACK = "remove after add gives back no more than was deposited"
WORTH = "no deposit or withdrawal lowers what one share is worth"


@pytest.mark.parametrize(
    ("mistake", "points", "lost"),
    [
        (
            "no-lock",
            9,
            [
                "the first deposit mints √(amount0 · amount1) shares and locks 1000 of them",
                "a first deposit too small to lock MINIMUM_LIQUIDITY reverts",
            ],
        ),
        (
            "max-shares",  # the richer token's count: a deposit off the pool's ratio earns too much
            5,
            [
                "a later deposit earns shares in proportion, by the scarcer token",
                BACK,
                WORTH,
                "a deposit worth less than one share reverts",
            ],
        ),
        (
            "rounds-up",  # removals round in the remover's favour
            6,
            ["removeLiquidity() pays each reserve's share and burns the shares", BACK, WORTH],
        ),
        ("zero-shares", 11, ["a deposit worth less than one share reverts"]),
    ],
)
def test_each_liquidity_mistake_loses_only_its_checks(pools, module_chain, mistake, points, lost):
    assert outcome(LIQUIDITY, pools[mistake], module_chain) == (points, lost)


# --- the DAO ----------------------------------------------------------------------------------

DAO_OTHER = """\
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";

/// Written another way: OpenZeppelin's IVotes, a state enum, the snapshot taken at the
/// proposal's own block, separate mappings instead of a struct, Address.functionCall.
contract DAO {
    enum State { None, Voting, Queued, Done }

    uint256 public constant VOTING_PERIOD = 3 days;
    uint256 public constant TIMELOCK_DELAY = 2 days;
    IVotes public immutable token;
    uint256 public immutable quorum;

    uint256 private _count;
    mapping(uint256 => State) private _state;
    mapping(uint256 => address) private _target;
    mapping(uint256 => bytes) private _data;
    mapping(uint256 => uint256) private _block;
    mapping(uint256 => uint256) private _end;
    mapping(uint256 => uint256) private _eta;
    mapping(uint256 => uint256[2]) private _votes;   // [against, for]
    mapping(uint256 => mapping(address => bool)) private _voted;

    constructor(IVotes token_, uint256 quorum_) { token = token_; quorum = quorum_; }

    function propose(address target, bytes memory data, string memory) external returns (uint256) {
        uint256 id = ++_count;
        (_state[id], _target[id], _data[id]) = (State.Voting, target, data);
        (_block[id], _end[id]) = (block.number, block.timestamp + VOTING_PERIOD);
        return id;
    }

    function vote(uint256 id, bool support) external {
        require(_state[id] == State.Voting && block.timestamp < _end[id], "not voting");
        require(!_voted[id][msg.sender], "voted");
        _voted[id][msg.sender] = true;
        _votes[id][support ? 1 : 0] += token.getPastVotes(msg.sender, _block[id]);
    }

    function votesFor(uint256 id) external view returns (uint256) { return _votes[id][1]; }
    function votesAgainst(uint256 id) external view returns (uint256) { return _votes[id][0]; }

    function queue(uint256 id) external {
        require(_state[id] == State.Voting && block.timestamp >= _end[id], "not over");
        uint256[2] memory v = _votes[id];
        require(v[1] > v[0] && v[1] >= quorum, "defeated");
        _state[id] = State.Queued;
        _eta[id] = block.timestamp + TIMELOCK_DELAY;
    }

    function execute(uint256 id) external {
        require(_state[id] == State.Queued, "not queued");
        require(block.timestamp >= _eta[id], "timelocked");
        _state[id] = State.Done;
        Address.functionCall(_target[id], _data[id]);
    }
}
"""


@pytest.fixture(scope="module")
def daos():
    return {
        "reference": from_file("solutions", LESSON, "DAO"),
        "other": compiled(DAO_OTHER, "DAO"),
        "double-vote": variant(
            LESSON, "DAO", "if (hasVoted[id][msg.sender]) revert AlreadyVoted(id, msg.sender);", ""
        ),
        "live-balance": variant(
            LESSON,
            "DAO",
            "token.getPastVotes(msg.sender, p.snapshot)",
            "token.balanceOf(msg.sender)",
            "external view returns (uint256);\n}",
            "external view returns (uint256);\n"
            "    function balanceOf(address) external view returns (uint256);\n}",
        ),
        "no-timelock": variant(
            LESSON, "DAO", "p.eta = block.timestamp + TIMELOCK_DELAY;", "p.eta = block.timestamp;"
        ),
        "no-quorum": variant(LESSON, "DAO", " || p.forVotes < quorum", ""),
        "no-majority": variant(LESSON, "DAO", "p.forVotes <= p.againstVotes || ", ""),
        "queue-early": variant(
            LESSON, "DAO", "if (block.timestamp < p.voteEnd) revert VotingOpen(id, p.voteEnd);", ""
        ),
        "runs-twice": variant(LESSON, "DAO", "if (p.executed) revert AlreadyExecuted(id);", ""),
        "ignores-failure": variant(LESSON, "DAO", "if (!ok) revert CallFailed(id);", "ok;"),
        "unqueued-runs": variant(LESSON, "DAO", "if (p.eta == 0) revert NotQueued(id);", ""),
    }


def test_dao_reference_and_another_correct_dao_earn_full_marks(daos, module_chain):
    assert outcome(DAO, daos["reference"], module_chain) == (16, [])
    assert outcome(DAO, daos["other"], module_chain) == (16, [])


@pytest.mark.parametrize(
    ("mistake", "points", "lost"),
    [
        ("double-vote", 14, ["voting twice on the same proposal is rejected"]),
        ("live-balance", 14, ["votes are balances at the proposal's snapshot, not live balances"]),
        ("no-timelock", 14, ["execute() waits for the timelock"]),
        ("no-quorum", 15, ["a proposal with fewer votes for than the quorum cannot be queued"]),
        ("no-majority", 15, ["a proposal with more votes against than for cannot be queued"]),
        ("queue-early", 15, ["voting closes after VOTING_PERIOD, and queue() waits for it"]),
        ("runs-twice", 14, ["a passed proposal's call runs exactly once, sent by the DAO"]),
        ("ignores-failure", 15, ["execute() reverts when the proposal's call fails"]),
        ("unqueued-runs", 15, ["a proposal that was never queued never executes"]),
    ],
)
def test_each_dao_mistake_loses_only_its_checks(daos, module_chain, mistake, points, lost):
    assert outcome(DAO, daos[mistake], module_chain) == (points, lost)


# --- stubs and wrong answers ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("exercise_id", "name"), [(SWAP, "SwapPool"), (LIQUIDITY, "Pool"), (DAO, "DAO")]
)
def test_the_starter_and_a_wrong_type_score_zero_without_raising(exercise_id, name, module_chain):
    for answer in (from_file("contracts", LESSON, name), 42, None):
        no_crash(exercise_id, answer, module_chain)
