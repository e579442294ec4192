// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title The treasury, fixed: initialize() works once only.
contract FixedTreasury {
    // YOUR CODE HERE (see the lesson, 11-security.ipynb)
}
