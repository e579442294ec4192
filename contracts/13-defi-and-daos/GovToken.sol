// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Votes} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Votes.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";

/// @title Lesson 13's governance token: an ERC-20 that remembers every balance it ever had.
/// @notice `getPastVotes(account, blockNumber)` is `account`'s balance at the end of block
/// `blockNumber` (a block already mined). Votes follow balances: each holder votes with its
/// own tokens, no delegation needed (OpenZeppelin's ERC20Votes, with delegation switched off).
/// @dev Anyone may mint: a test token, never for real money.
contract GovToken is ERC20, ERC20Votes {
    /// @notice Delegation is switched off in this token: your votes are your balance.
    error DelegationDisabled();

    constructor() ERC20("Lab Governance", "GOV") EIP712("Lab Governance", "1") {}

    /// @notice Create `amount` new tokens for `to` (test chains only).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Every account is its own delegate: its votes are its balance.
    function delegates(address account) public pure override returns (address) {
        return account;
    }

    function _delegate(address, address) internal pure override {
        revert DelegationDisabled();
    }

    function _update(address from, address to, uint256 value)
        internal
        override(ERC20, ERC20Votes)
    {
        super._update(from, to, value);
    }
}
