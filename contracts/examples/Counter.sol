// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title A counter with an owner-only reset: the lab's first contract.
contract Counter {
    /// @notice The current count.
    uint256 public count;
    /// @notice Who deployed the counter and may reset it.
    address public owner;

    /// @notice Emitted after every change of the count.
    event CountChanged(address indexed by, uint256 newCount);

    /// @notice Only the owner may do this; `caller` tried.
    error NotOwner(address caller);

    constructor(uint256 start) {
        count = start;
        owner = msg.sender;
    }

    /// @notice Add one to the count.
    function increment() external {
        count += 1;
        emit CountChanged(msg.sender, count);
    }

    /// @notice Add `amount` to the count.
    function add(uint256 amount) external returns (uint256) {
        count += amount;
        emit CountChanged(msg.sender, count);
        return count;
    }

    /// @notice Set the count back to zero (owner only).
    function reset() external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        count = 0;
        emit CountChanged(msg.sender, 0);
    }
}
