// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title The voucher bank, fixed: each voucher's nonce pays once.
contract FixedBank {
    // YOUR CODE HERE (see the lesson, 11-security.ipynb)
}
