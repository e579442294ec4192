// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title The bounty, fixed with commit-reveal: commit to (you, answer) first, reveal later.
contract FixedBounty {
    // YOUR CODE HERE (see the lesson, 11-security.ipynb)
}
