// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Hello, world!
/// @notice A contract whose `greet()` returns "Hello, world!" without costing a transaction.
contract Hello {
    // YOUR CODE HERE: a `greet()` function that returns the greeting.
}
