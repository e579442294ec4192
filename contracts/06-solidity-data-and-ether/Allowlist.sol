// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title An allowlist the owner manages.
contract Allowlist {
    // YOUR CODE HERE: owner, isAllowed(address), count(), add, remove, addMany (owner only).
}
