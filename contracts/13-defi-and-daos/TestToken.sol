// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title A test ERC-20 for lesson 13's pools: anyone may mint, so every account can trade.
/// @dev A faucet for a test chain, never for real money: `mint` has no access control.
contract TestToken is ERC20 {
    constructor(string memory name_, string memory symbol_) ERC20(name_, symbol_) {}

    /// @notice Create `amount` new tokens for `to` (test chains only).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}
