// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title What the vendor needs to know about the token.
interface IOldToken {
    // YOUR CODE HERE (see the lesson, 11-security.ipynb)
}

/// @title The vendor, fixed: it pays only for tokens it actually received.
contract FixedVendor {
    // YOUR CODE HERE (see the lesson, 11-security.ipynb)
}
