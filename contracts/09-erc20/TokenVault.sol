// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title The part of EIP-20 the vault uses.
interface IERC20 {
    function transfer(address to, uint256 value) external returns (bool);
    function transferFrom(address from, address to, uint256 value) external returns (bool);
    function balanceOf(address account) external view returns (uint256);
}

/// @title Keeps anyone's tokens of one kind until they take them back.
/// Check it with `sollab check 09-erc20/vault --source TokenVault.sol`.
contract TokenVault {
    // YOUR CODE HERE: constructor(IERC20 token_), token(), depositOf(address),
    // deposit(uint256 amount), withdraw(), the Deposited and Withdrawn events.
}
