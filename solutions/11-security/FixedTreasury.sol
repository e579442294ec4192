// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title The treasury, fixed: initialize() works once only.
contract FixedTreasury {
    address public owner;
    bool private _initialized;

    event Initialized(address indexed owner);
    event Paid(address indexed to, uint256 amount);

    error NotOwner(address caller);
    error AlreadyInitialized();
    error PaymentFailed(address to, uint256 amount);

    function initialize(address newOwner) external {
        if (_initialized) revert AlreadyInitialized();
        _initialized = true;
        owner = newOwner;
        emit Initialized(newOwner);
    }

    receive() external payable {}

    function pay(address payable to, uint256 amount) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        (bool ok, ) = to.call{value: amount}("");
        if (!ok) revert PaymentFailed(to, amount);
        emit Paid(to, amount);
    }
}
