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

    /// @notice `provider` deposited the amounts and received `shares`.
    event LiquidityAdded(address indexed provider, uint256 amount0, uint256 amount1, uint256 shares);
    /// @notice `provider` burnt `shares` and received the amounts.
    event LiquidityRemoved(address indexed provider, uint256 amount0, uint256 amount1, uint256 shares);

    /// @notice Nothing to deposit or withdraw.
    error ZeroAmount();
    /// @notice The deposit would mint only `shares` shares: too little to be worth anything.
    error TooLittleLiquidity(uint256 shares);

    /// @notice Deposit both tokens (approved first); returns the shares minted to you.
    function addLiquidity(uint256 amount0, uint256 amount1) external returns (uint256 shares) {
        if (amount0 == 0 || amount1 == 0) revert ZeroAmount();
        uint256 supply = totalSupply();
        if (supply == 0) {
            shares = Math.sqrt(amount0 * amount1);
            if (shares <= MINIMUM_LIQUIDITY) revert TooLittleLiquidity(shares);
            _mint(LOCKED, MINIMUM_LIQUIDITY);
            shares -= MINIMUM_LIQUIDITY;
        } else {
            // Rounded down, and the smaller of the two: what you add beyond the pool's ratio is
            // a gift to the pool, never a claim on it.
            shares = Math.min((amount0 * supply) / reserve0, (amount1 * supply) / reserve1);
            if (shares == 0) revert TooLittleLiquidity(0);
        }
        reserve0 += amount0;
        reserve1 += amount1;
        _mint(msg.sender, shares);
        token0.transferFrom(msg.sender, address(this), amount0);
        token1.transferFrom(msg.sender, address(this), amount1);
        emit LiquidityAdded(msg.sender, amount0, amount1, shares);
    }

    /// @notice Burn `shares` of yours for the same fraction of each reserve, rounded down.
    function removeLiquidity(uint256 shares) external returns (uint256 amount0, uint256 amount1) {
        if (shares == 0) revert ZeroAmount();
        uint256 supply = totalSupply();
        amount0 = (shares * reserve0) / supply;
        amount1 = (shares * reserve1) / supply;
        _burn(msg.sender, shares); // reverts if you have fewer shares
        reserve0 -= amount0;
        reserve1 -= amount1;
        token0.transfer(msg.sender, amount0);
        token1.transfer(msg.sender, amount1);
        emit LiquidityRemoved(msg.sender, amount0, amount1, shares);
    }
}
