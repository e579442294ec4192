// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title A counter with an owner-only reset (lesson 05's first exercise, instructor's solution).
contract Counter {
    /// @notice The current count.
    uint256 public count;
    /// @notice Who deployed the counter and may reset it.
    address public owner;

    /// @notice Only the owner may do this; `caller` tried.
    error NotOwner(address caller);

    constructor() {
        owner = msg.sender;
    }

    /// @notice Add one to the count.
    function increment() external {
        count += 1;
    }

    /// @notice Set the count back to zero (owner only).
    function reset() external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        count = 0;
    }
}
