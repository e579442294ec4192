// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title What Player needs to know about a scoreboard (lesson 07, instructor's solution).
interface IScoreboard {
    function record(uint256 points) external;
    function scoreOf(address player) external view returns (uint256);
}

/// @title A player that keeps its score on a scoreboard contract.
contract Player {
    /// @notice The scoreboard this player reports to.
    IScoreboard public immutable scoreboard;
    /// @notice The account that called play() last.
    address public lastPlayer;

    constructor(IScoreboard board) {
        scoreboard = board;
    }

    /// @notice Score `points` on the scoreboard (it records them for this contract).
    function play(uint256 points) external {
        lastPlayer = msg.sender;
        scoreboard.record(points);
    }

    /// @notice This player's total on the scoreboard.
    function score() external view returns (uint256) {
        return scoreboard.scoreOf(address(this));
    }
}
