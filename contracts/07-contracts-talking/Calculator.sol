// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Integer math that never overflows where it need not.
library MathLib {
    // YOUR CODE HERE: average, sqrt, percentOf (internal pure).
}

/// @title The library's functions, callable from outside.
contract Calculator {
    // YOUR CODE HERE: average, sqrt and percentOf, using MathLib.
}
