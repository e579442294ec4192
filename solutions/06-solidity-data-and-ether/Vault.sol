// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title A vault that keeps each person's Ether apart (lesson 06, instructor's solution).
contract Vault {
    /// @notice Each person's balance in wei.
    mapping(address => uint256) public balanceOf;

    /// @notice `account` asked for `needed` wei but has only `balance`.
    error InsufficientBalance(address account, uint256 balance, uint256 needed);
    /// @notice Sending `amount` wei to `to` failed.
    error TransferFailed(address to, uint256 amount);

    /// @notice Deposit the Ether sent with the call.
    function deposit() public payable {
        balanceOf[msg.sender] += msg.value;
    }

    /// @notice Plain Ether transfers are deposits too.
    receive() external payable {
        deposit();
    }

    /// @notice Withdraw `amount` wei of your own balance.
    function withdraw(uint256 amount) external {
        // Checks
        uint256 balance = balanceOf[msg.sender];
        if (amount > balance) revert InsufficientBalance(msg.sender, balance, amount);
        // Effects
        balanceOf[msg.sender] = balance - amount;
        // Interactions
        (bool ok, ) = payable(msg.sender).call{value: amount}("");
        if (!ok) revert TransferFailed(msg.sender, amount);
    }
}
