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

    /// @notice `trader` paid `amountIn` of `tokenIn` and received `amountOut` of the other.
    event Swapped(address indexed trader, address indexed tokenIn, uint256 amountIn, uint256 amountOut);

    /// @notice `token` is not one of the pool's two tokens.
    error UnknownToken(address token);
    /// @notice Nothing to swap.
    error ZeroAmount();
    /// @notice A pool with an empty reserve has no price.
    error EmptyPool();
    /// @notice The trade would pay `amountOut`, less than the `minAmountOut` asked for.
    error Slippage(uint256 amountOut, uint256 minAmountOut);

    /// @notice What `amountIn` buys from reserves `reserveIn`/`reserveOut`, after the 0.3 % fee,
    /// rounded down (in the pool's favour).
    function getAmountOut(uint256 amountIn, uint256 reserveIn, uint256 reserveOut)
        public
        pure
        returns (uint256)
    {
        if (amountIn == 0) revert ZeroAmount();
        if (reserveIn == 0 || reserveOut == 0) revert EmptyPool();
        uint256 amountInWithFee = amountIn * 997;
        return (amountInWithFee * reserveOut) / (reserveIn * 1000 + amountInWithFee);
    }

    /// @notice Sell `amountIn` of `tokenIn` (approved first) for at least `minAmountOut` of the
    /// other token.
    function swap(address tokenIn, uint256 amountIn, uint256 minAmountOut)
        external
        returns (uint256 amountOut)
    {
        bool zeroForOne = tokenIn == address(token0);
        if (!zeroForOne && tokenIn != address(token1)) revert UnknownToken(tokenIn);
        (IERC20 inToken, IERC20 outToken) = zeroForOne ? (token0, token1) : (token1, token0);
        (uint256 reserveIn, uint256 reserveOut) =
            zeroForOne ? (reserve0, reserve1) : (reserve1, reserve0);

        amountOut = getAmountOut(amountIn, reserveIn, reserveOut);
        if (amountOut < minAmountOut) revert Slippage(amountOut, minAmountOut);

        if (zeroForOne) {
            reserve0 += amountIn;
            reserve1 -= amountOut;
        } else {
            reserve1 += amountIn;
            reserve0 -= amountOut;
        }
        inToken.transferFrom(msg.sender, address(this), amountIn);
        outToken.transfer(msg.sender, amountOut);
        emit Swapped(msg.sender, tokenIn, amountIn, amountOut);
    }
}
