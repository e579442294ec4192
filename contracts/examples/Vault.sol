// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title A vault that keeps each user's Ether apart, with an owner who can pause it.
/// @notice Lesson-sized: mappings, events, custom errors, modifiers, checks-effects-interactions.
contract Vault {
    /// @notice Who may pause and unpause the vault.
    address public owner;
    /// @notice Whether deposits and withdrawals are stopped.
    bool public paused;
    /// @notice Total Ether held for all users.
    uint256 public totalDeposits;
    /// @notice Each user's balance in wei.
    mapping(address => uint256) public balanceOf;

    /// @notice Emitted when `user` deposits `amount` wei.
    event Deposited(address indexed user, uint256 amount);
    /// @notice Emitted when `user` withdraws `amount` wei.
    event Withdrawn(address indexed user, uint256 amount);
    /// @notice Emitted when the owner pauses or unpauses the vault.
    event PauseChanged(bool paused);

    error NotOwner(address caller);
    error Paused();
    error ZeroAmount();
    error InsufficientBalance(address account, uint256 balance, uint256 needed);
    error TransferFailed(address to, uint256 amount);

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _;
    }

    modifier whenNotPaused() {
        if (paused) revert Paused();
        _;
    }

    constructor() {
        owner = msg.sender;
    }

    /// @notice Deposit the Ether sent with the call.
    function deposit() external payable whenNotPaused {
        if (msg.value == 0) revert ZeroAmount();
        balanceOf[msg.sender] += msg.value;
        totalDeposits += msg.value;
        emit Deposited(msg.sender, msg.value);
    }

    /// @notice Withdraw `amount` wei of your own balance.
    function withdraw(uint256 amount) external whenNotPaused {
        uint256 balance = balanceOf[msg.sender];
        if (amount == 0) revert ZeroAmount();
        if (balance < amount) revert InsufficientBalance(msg.sender, balance, amount);
        balanceOf[msg.sender] = balance - amount;
        totalDeposits -= amount;
        emit Withdrawn(msg.sender, amount);
        (bool ok, ) = payable(msg.sender).call{value: amount}("");
        if (!ok) revert TransferFailed(msg.sender, amount);
    }

    /// @notice Stop or restart deposits and withdrawals (owner only).
    function setPaused(bool value) external onlyOwner {
        paused = value;
        emit PauseChanged(value);
    }
}
