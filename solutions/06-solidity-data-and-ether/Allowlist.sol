// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title An allowlist the owner manages (lesson 06, instructor's solution).
contract Allowlist {
    /// @notice Who deployed the list and may change it.
    address public owner;
    /// @notice Whether an address is on the list.
    mapping(address => bool) public isAllowed;
    /// @notice How many addresses are on the list.
    uint256 public count;

    /// @notice Only the owner may change the list; `caller` tried.
    error NotOwner(address caller);

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _;
    }

    constructor() {
        owner = msg.sender;
    }

    /// @notice Put `account` on the list.
    function add(address account) external onlyOwner {
        _add(account);
    }

    /// @notice Put every address in `accounts` on the list.
    function addMany(address[] calldata accounts) external onlyOwner {
        for (uint256 i = 0; i < accounts.length; i++) {
            _add(accounts[i]);
        }
    }

    /// @notice Take `account` off the list.
    function remove(address account) external onlyOwner {
        if (isAllowed[account]) {
            isAllowed[account] = false;
            count -= 1;
        }
    }

    function _add(address account) private {
        if (!isAllowed[account]) {
            isAllowed[account] = true;
            count += 1;
        }
    }
}
