// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title A small ledger whose state variables use every kind of storage slot
/// @notice Lesson 04 predicts where each variable lives and traces where the gas goes.
contract Ledger {
    // ---------------------------------------------------------------- storage
    address public owner; //     slot 0, bytes 0-19
    uint64 public openedAt; //   slot 0, bytes 20-27 (packed beside owner)
    bool public paused; //       slot 0, byte 28
    uint256 public total; //     slot 1
    mapping(address => uint256) public balances; //                       slot 2
    mapping(address => mapping(address => uint256)) public allowance; //  slot 3
    uint256[] public history; // slot 4 holds the length

    event Deposited(address indexed who, uint256 amount);

    constructor() {
        owner = msg.sender;
        openedAt = uint64(block.timestamp);
    }

    // ---------------------------------------------------------------- functions
    /// @notice Add `amount` to the caller's balance.
    function deposit(uint256 amount) external {
        _credit(msg.sender, amount);
    }

    /// @notice Add `amount` to the balance of `who`.
    function depositFor(address who, uint256 amount) external {
        _credit(who, amount);
    }

    /// @notice Let `spender` use `amount` of the caller's balance.
    function approve(address spender, uint256 amount) external {
        allowance[msg.sender][spender] = amount;
    }

    /// @notice Stop or resume deposits (owner only).
    function setPaused(bool value) external {
        require(msg.sender == owner, "not the owner");
        paused = value;
    }

    /// @notice How many deposits were made.
    function deposits() external view returns (uint256) {
        return history.length;
    }

    function _credit(address who, uint256 amount) internal {
        require(!paused, "paused");
        balances[who] += amount;
        total += amount;
        history.push(amount);
        emit Deposited(who, amount);
    }
}

/// @notice Deposits into a ledger on the caller's behalf: a call inside a call.
contract Relay {
    function relay(Ledger ledger, uint256 amount) external {
        ledger.depositFor(msg.sender, amount);
    }
}
