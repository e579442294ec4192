// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title What Player needs to know about a scoreboard.
interface IScoreboard {
    // YOUR CODE HERE: record(uint256) and scoreOf(address).
}

/// @title A player that keeps its score on a scoreboard contract.
contract Player {
    // YOUR CODE HERE: a constructor taking the scoreboard, play, score, lastPlayer.
}
