// SPDX-License-Identifier: MIT
pragma solidity 0.7.6;

/// @title The token, fixed in 0.7.6: check the balance before subtracting from it.
contract FixedToken {
    // YOUR CODE HERE (see the lesson, 11-security.ipynb)
}
