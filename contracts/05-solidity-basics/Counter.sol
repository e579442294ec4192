// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title A counter with an owner-only reset.
/// @notice Keep a count that anyone can increment, and that only the deployer can reset.
contract Counter {
    // YOUR CODE HERE: a public `count`, an `owner`, `increment()` and an owner-only `reset()`.
}
