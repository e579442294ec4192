// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Hello, world! (lesson 00's contract warm-up, instructor's solution).
contract Hello {
    /// @notice The classic first program's greeting.
    function greet() external pure returns (string memory) {
        return "Hello, world!";
    }
}
