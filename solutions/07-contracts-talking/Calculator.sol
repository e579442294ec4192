// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Integer math that never overflows where it need not (lesson 07, instructor's solution).
library MathLib {
    /// @notice (a + b) / 2 rounded down, for any two uint256.
    function average(uint256 a, uint256 b) internal pure returns (uint256) {
        return (a / 2) + (b / 2) + (a & b & 1);
    }

    /// @notice The largest r with r * r <= x (Newton's method).
    function sqrt(uint256 x) internal pure returns (uint256) {
        if (x < 2) return x;
        uint256 z = x;
        uint256 y = x / 2 + 1;
        while (y < z) {
            z = y;
            y = (x / y + y) / 2;
        }
        return z;
    }

    /// @notice `basisPoints` hundredths of a percent of `amount`, rounded down.
    function percentOf(uint256 amount, uint256 basisPoints) internal pure returns (uint256) {
        return (amount * basisPoints) / 10_000;
    }
}

/// @title The library's functions, callable from outside.
contract Calculator {
    using MathLib for uint256;

    function average(uint256 a, uint256 b) external pure returns (uint256) {
        return a.average(b);
    }

    function sqrt(uint256 x) external pure returns (uint256) {
        return x.sqrt();
    }

    function percentOf(uint256 amount, uint256 basisPoints) external pure returns (uint256) {
        return amount.percentOf(basisPoints);
    }
}
