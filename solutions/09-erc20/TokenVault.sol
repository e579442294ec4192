// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title The part of EIP-20 the vault uses.
interface IERC20 {
    function transfer(address to, uint256 value) external returns (bool);
    function transferFrom(address from, address to, uint256 value) external returns (bool);
    function balanceOf(address account) external view returns (uint256);
}

/// @title Keeps anyone's tokens of one kind until they take them back.
contract TokenVault {
    /// @notice The token this vault holds.
    IERC20 public immutable token;
    /// @notice How many tokens each account has in the vault.
    mapping(address => uint256) public depositOf;

    event Deposited(address indexed account, uint256 amount);
    event Withdrawn(address indexed account, uint256 amount);

    /// @notice The token refused to move `amount`.
    error TransferFailed(uint256 amount);

    constructor(IERC20 token_) {
        token = token_;
    }

    /// @notice Pull `amount` of your tokens into the vault (approve the vault for it first).
    function deposit(uint256 amount) external {
        // Interaction first is right here: nothing is credited unless the tokens arrived.
        if (!token.transferFrom(msg.sender, address(this), amount)) revert TransferFailed(amount);
        depositOf[msg.sender] += amount;
        emit Deposited(msg.sender, amount);
    }

    /// @notice Take back everything you deposited.
    function withdraw() external {
        uint256 amount = depositOf[msg.sender]; // checks
        depositOf[msg.sender] = 0; // effects
        emit Withdrawn(msg.sender, amount);
        if (!token.transfer(msg.sender, amount)) revert TransferFailed(amount); // interactions
    }
}
