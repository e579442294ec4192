// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title King of the hill, fixed: dethroned kings withdraw their money (pull, not push).
contract FixedKing {
    // YOUR CODE HERE (see the lesson, 11-security.ipynb)
}
