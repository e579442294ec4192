// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title The wallet, fixed: it asks who called (msg.sender), not who signed (tx.origin).
contract FixedWallet {
    address public owner;

    event Sent(address indexed to, uint256 amount);

    error NotOwner(address caller);
    error PaymentFailed(address to, uint256 amount);

    constructor() payable {
        owner = msg.sender;
    }

    receive() external payable {}

    function transfer(address payable to, uint256 amount) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        (bool ok, ) = to.call{value: amount}("");
        if (!ok) revert PaymentFailed(to, amount);
        emit Sent(to, amount);
    }
}
