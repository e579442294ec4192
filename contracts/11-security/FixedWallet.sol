// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title The wallet, fixed: it asks who called (msg.sender), not who signed (tx.origin).
contract FixedWallet {
    // YOUR CODE HERE (see the lesson, 11-security.ipynb)
}
