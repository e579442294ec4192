"""Lesson 07's checks: the reference answers and differently written ones earn full marks, each
typical mistake loses exactly the points of its own checks, and stubs score 0 without raising."""

from __future__ import annotations

import pytest
from lessonkit import compiled, failed, from_file, graded, no_crash, outcome, variant

LESSON = "07-contracts-talking"
OWNABLE, PLAYER, MATH = f"{LESSON}/ownable", f"{LESSON}/player", f"{LESSON}/math-library"


# --- Ownable ----------------------------------------------------------------------------------

OWNABLE_OZ = """\
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// Written another way: OpenZeppelin's Ownable as the base.
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

contract Noticeboard is Ownable {
    string private _notice;
    constructor() Ownable(msg.sender) {}
    function notice() external view returns (string memory) { return _notice; }
    function post(string memory text) public onlyOwner { _notice = text; }
}

contract PiggyBank is Ownable {
    constructor() Ownable(msg.sender) {}
    receive() external payable {}
    function smash() external onlyOwner { payable(owner()).transfer(address(this).balance); }
    function renounceOwnership() public pure override { revert("a piggy bank needs an owner"); }
}
"""


@pytest.fixture(scope="module")
def boards():
    return {
        "reference": from_file("solutions", LESSON, "Noticeboard"),
        "openzeppelin": compiled(OWNABLE_OZ, "Noticeboard"),
        "zero-owner": variant(
            LESSON, "Noticeboard", "if (newOwner == address(0)) revert ZeroAddressOwner();", ""
        ),
        "renounceable-piggy": variant(
            LESSON,
            "Noticeboard",
            "    function renounceOwnership() public view override onlyOwner {\n"
            "        revert CannotRenounce();\n    }\n",
            "",
        ),
        "silent": variant(
            LESSON, "Noticeboard", "emit OwnershipTransferred(_owner, newOwner);", ""
        ),
        "open-post": variant(
            LESSON,
            "Noticeboard",
            "function post(string calldata text) external onlyOwner {",
            "function post(string calldata text) external {",
        ),
        "no-piggy": variant(LESSON, "Noticeboard", "contract PiggyBank is", "contract Piggy is"),
    }


def test_ownable_reference_and_openzeppelins_base_earn_full_marks(boards):
    assert outcome(OWNABLE, boards["reference"]) == (11, [])
    assert outcome(OWNABLE, boards["openzeppelin"]) == (11, [])


@pytest.mark.parametrize(
    ("mistake", "points", "lost"),
    [
        ("zero-owner", 10, ["transferOwnership() is refused to others and to the zero address"]),
        ("renounceable-piggy", 10, ["a PiggyBank cannot be renounced"]),
        (
            "silent",
            8,
            [
                "transferOwnership() hands over and emits OwnershipTransferred",
                "renounceOwnership() leaves the Noticeboard with no owner",
            ],
        ),
        (
            "open-post",
            9,
            [
                "only the owner can post() a notice",
                "after a handover the old owner has no powers left",
            ],
        ),
    ],
)
def test_each_ownable_mistake_loses_only_its_checks(boards, mistake, points, lost):
    assert outcome(OWNABLE, boards[mistake]) == (points, lost)


def test_a_missing_piggybank_loses_its_checks_and_is_named_in_the_message(boards):
    result = graded(OWNABLE, boards["no-piggy"])
    assert float(result) == 6
    assert failed(result) == [
        "PiggyBank reuses Ownable: its deployer owns it and can hand it over",
        "anyone can pay into a PiggyBank; only its owner can smash() it",
        "a PiggyBank cannot be renounced",
        "after a handover the old owner has no powers left",
    ]
    message = next(r.message for r in result.results if r.title.startswith("PiggyBank reuses"))
    assert "a contract named PiggyBank in the same cell as Noticeboard" in message
    assert "did you mean 'Piggy'?" in message


# --- Player -----------------------------------------------------------------------------------

PLAYER_OTHER = """\
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// Written another way: the scoreboard kept as an address, calls made through the interface type.
interface IBoard {
    function record(uint256) external;
    function scoreOf(address) external view returns (uint256);
}

contract Player {
    address private _board;
    address private _last;
    constructor(address board) { _board = board; }
    function lastPlayer() external view returns (address) { return _last; }
    function play(uint256 points) public {
        IBoard(_board).record(points);
        _last = msg.sender;
    }
    function score() public view returns (uint256) { return IBoard(_board).scoreOf(address(this)); }
}
"""


@pytest.fixture(scope="module")
def players():
    return {
        "reference": from_file("solutions", LESSON, "Player"),
        "other": compiled(PLAYER_OTHER, "Player"),
        "score-of-caller": variant(
            LESSON, "Player", "scoreboard.scoreOf(address(this))", "scoreboard.scoreOf(msg.sender)"
        ),
        "swallowed": variant(
            LESSON,
            "Player",
            "        scoreboard.record(points);",
            "        (bool ok, ) = address(scoreboard).call(\n"
            "            abi.encodeCall(IScoreboard.record, (points)));\n        ok;",
        ),
        "keeps-own-score": variant(
            LESSON,
            "Player",
            "        scoreboard.record(points);",
            "        _own += points;",
            "    address public lastPlayer;",
            "    address public lastPlayer;\n    uint256 private _own;",
        ),
    }


def test_player_reference_and_another_correct_player_earn_full_marks(players):
    assert outcome(PLAYER, players["reference"]) == (6, [])
    assert outcome(PLAYER, players["other"]) == (6, [])


@pytest.mark.parametrize(
    ("mistake", "points", "lost"),
    [
        ("score-of-caller", 5, ["score() asks the scoreboard it was given"]),
        ("swallowed", 5, ["when the scoreboard refuses, play() reverts too"]),
        (
            "keeps-own-score",
            2,
            [
                "play(points) records the points on the scoreboard, under the Player's address",
                "when the scoreboard refuses, play() reverts too",
                "each Player talks to the scoreboard given to its constructor",
            ],
        ),
    ],
)
def test_each_player_mistake_loses_only_its_checks(players, mistake, points, lost):
    assert outcome(PLAYER, players[mistake]) == (points, lost)


# --- the math library -------------------------------------------------------------------------

MATH_OTHER = """\
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// Written another way: bit tricks, a bit-by-bit square root, library calls without `using`.
library Fancy {
    function mid(uint256 a, uint256 b) internal pure returns (uint256) {
        return (a & b) + ((a ^ b) >> 1);
    }

    function root(uint256 x) internal pure returns (uint256 r) {
        uint256 bit = 1 << 254;
        while (bit > x) bit >>= 2;
        while (bit != 0) {
            if (x >= r + bit) { x -= r + bit; r = (r >> 1) + bit; } else { r >>= 1; }
            bit >>= 2;
        }
    }
}

contract Calculator {
    function average(uint256 a, uint256 b) external pure returns (uint256) {
        return Fancy.mid(a, b);
    }
    function sqrt(uint256 x) external pure returns (uint256) { return Fancy.root(x); }
    function percentOf(uint256 amount, uint256 bps) external pure returns (uint256) {
        return amount * bps / 10000;
    }
}
"""


@pytest.fixture(scope="module")
def calculators():
    return {
        "reference": from_file("solutions", LESSON, "Calculator"),
        "other": compiled(MATH_OTHER, "Calculator"),
        "naive-average": variant(
            LESSON, "Calculator", "return (a / 2) + (b / 2) + (a & b & 1);", "return (a + b) / 2;"
        ),
        "overflowing-guess": variant(
            LESSON, "Calculator", "uint256 y = x / 2 + 1;", "uint256 y = (x + 1) / 2;"
        ),
        "divide-first": variant(
            LESSON,
            "Calculator",
            "return (amount * basisPoints) / 10_000;",
            "return (amount / 10_000) * basisPoints;",
        ),
    }


def test_math_reference_and_another_correct_library_earn_full_marks(calculators):
    assert outcome(MATH, calculators["reference"]) == (8, [])
    assert outcome(MATH, calculators["other"]) == (8, [])


def test_an_overflowing_average_loses_two_checks_and_reports_readable_inputs(calculators):
    result = graded(MATH, calculators["naive-average"])
    failing = [r for r in result.results if not r.passed]
    assert float(result) == 5
    assert [r.title for r in failing] == [
        "average(a, b) is (a + b) / 2 rounded down for every pair of uint256",
        "the largest uint256 does not break average() or sqrt()",
    ]
    assert "average(1, 2**256 - 1) to return a number" in failing[0].message
    assert "average(2**256 - 1, 2**256 - 1) to return a number" in failing[1].message
    assert all("overflow" in r.message for r in failing)


@pytest.mark.parametrize(
    ("mistake", "points", "lost"),
    [
        ("overflowing-guess", 7, ["the largest uint256 does not break average() or sqrt()"]),
        (
            "divide-first",
            7,
            ["percentOf(amount, basisPoints) is amount * basisPoints / 10000, rounded down"],
        ),
    ],
)
def test_each_math_mistake_loses_only_its_checks(calculators, mistake, points, lost):
    assert outcome(MATH, calculators[mistake]) == (points, lost)


# --- stubs and wrong answers ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("exercise_id", "name"),
    [(OWNABLE, "Noticeboard"), (PLAYER, "Player"), (MATH, "Calculator")],
)
def test_the_starter_and_a_wrong_type_score_zero_without_raising(exercise_id, name):
    for answer in (from_file("contracts", LESSON, name), 42, None):
        no_crash(exercise_id, answer)
