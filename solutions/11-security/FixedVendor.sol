// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title What the vendor needs to know about the token.
interface IOldToken {
    function transferFrom(address from, address to, uint256 value) external returns (bool);
}

/// @title The vendor, fixed: it pays only for tokens it actually received.
contract FixedVendor {
    IOldToken public immutable token;

    event Bought(address indexed seller, uint256 amount);

    error TokensNotReceived(address seller, uint256 amount);
    error PaymentFailed(address to, uint256 amount);

    constructor(IOldToken sold) {
        token = sold;
    }

    receive() external payable {}

    function sell(uint256 amount) external {
        if (!token.transferFrom(msg.sender, address(this), amount)) {
            revert TokensNotReceived(msg.sender, amount);
        }
        (bool ok, ) = msg.sender.call{value: amount}("");
        if (!ok) revert PaymentFailed(msg.sender, amount);
        emit Bought(msg.sender, amount);
    }
}
