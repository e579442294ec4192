// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title A time-locked savings account for anyone.
/// @notice Each saver has their own balance and their own lock. Every deposit locks the saver's
/// savings for `lockPeriod` seconds from that moment; after that the saver may withdraw any
/// part of their balance.
/// @dev Lesson 08 gives this contract to learners to test (it is correct).
contract Savings {
    /// @notice How many seconds each deposit locks the saver's money.
    uint256 public immutable lockPeriod;
    /// @notice Each saver's balance in wei.
    mapping(address => uint256) public balanceOf;
    /// @notice When each saver may withdraw again (a Unix timestamp; 0 if never locked).
    mapping(address => uint256) public unlockAt;

    /// @notice `saver` deposited `amount` wei; their savings are locked until `until`.
    event Deposited(address indexed saver, uint256 amount, uint256 until);
    /// @notice `saver` withdrew `amount` wei.
    event Withdrawn(address indexed saver, uint256 amount);

    /// @notice A deposit or withdrawal of 0 wei.
    error ZeroAmount();
    /// @notice A withdrawal before the saver's lock ends at `until`.
    error StillLocked(uint256 until);
    /// @notice A withdrawal of more than the saver has.
    error InsufficientBalance(uint256 balance, uint256 needed);
    /// @notice Sending the Ether to the saver failed.
    error TransferFailed();

    /// @param lockPeriod_ How many seconds each deposit locks the saver's money (0: no lock).
    constructor(uint256 lockPeriod_) {
        lockPeriod = lockPeriod_;
    }

    /// @notice Save the Ether sent with the call; locks all your savings for `lockPeriod`
    /// seconds from now (a new deposit restarts the lock).
    function deposit() external payable {
        if (msg.value == 0) revert ZeroAmount();
        balanceOf[msg.sender] += msg.value;
        uint256 until = block.timestamp + lockPeriod;
        unlockAt[msg.sender] = until;
        emit Deposited(msg.sender, msg.value, until);
    }

    /// @notice Take `amount` wei of your savings back, once your lock has ended.
    function withdraw(uint256 amount) external {
        if (amount == 0) revert ZeroAmount();
        uint256 until = unlockAt[msg.sender];
        if (block.timestamp < until) revert StillLocked(until);
        uint256 balance = balanceOf[msg.sender];
        if (amount > balance) revert InsufficientBalance(balance, amount);
        balanceOf[msg.sender] = balance - amount;
        emit Withdrawn(msg.sender, amount);
        (bool ok, ) = payable(msg.sender).call{value: amount}("");
        if (!ok) revert TransferFailed();
    }
}
