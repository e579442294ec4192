// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title A vault that keeps each person's Ether apart.
/// @notice Deposits with deposit() or a plain transfer; withdraw(amount) pays back safely.
contract Vault {
    // YOUR CODE HERE: balanceOf(address), a payable deposit(), receive(), withdraw(amount).
}
