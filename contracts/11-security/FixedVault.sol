// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title The vault, fixed: checks, then effects, then interactions.
contract FixedVault {
    // YOUR CODE HERE (see the lesson, 11-security.ipynb)
}
