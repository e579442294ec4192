// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title A two-token pool whose depositors own it through LP shares (an ERC-20 of its own).
contract Pool is ERC20 {
    /// @notice Shares locked for good by the first deposit, so the pool can never be emptied.
    uint256 public constant MINIMUM_LIQUIDITY = 1000;
    /// @notice Where the locked shares go: an address nobody holds the key of.
    address public constant LOCKED = 0x000000000000000000000000000000000000dEaD;

    IERC20 public immutable token0;
    IERC20 public immutable token1;
    uint256 public reserve0;
    uint256 public reserve1;

    constructor(IERC20 token0_, IERC20 token1_) ERC20("Lesson 13 pool share", "LP") {
        token0 = token0_;
        token1 = token1_;
    }

    // YOUR CODE HERE
}
