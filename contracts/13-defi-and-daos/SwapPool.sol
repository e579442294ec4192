// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title A constant-product pool of two tokens: swaps (liquidity with shares is exercise 2).
contract SwapPool {
    /// @notice The pool's two tokens.
    IERC20 public immutable token0;
    IERC20 public immutable token1;
    /// @notice How much of each token the pool holds for trading.
    uint256 public reserve0;
    uint256 public reserve1;

    constructor(IERC20 token0_, IERC20 token1_) {
        token0 = token0_;
        token1 = token1_;
    }

    /// @notice Put tokens into the pool (approve them first). No shares: that is exercise 2.
    function seed(uint256 amount0, uint256 amount1) external {
        token0.transferFrom(msg.sender, address(this), amount0);
        token1.transferFrom(msg.sender, address(this), amount1);
        reserve0 += amount0;
        reserve1 += amount1;
    }

    // YOUR CODE HERE
}
