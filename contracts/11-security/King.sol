// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title King of the hill: pay more than the prize to take the crown; the old king is paid.
/// @notice Level 11-security/denial-of-service.
contract King {
    /// @notice Who wears the crown.
    address public king;
    /// @notice What the king paid for it; the next king must pay more.
    uint256 public prize;

    event Crowned(address indexed king, uint256 prize);

    error TooLittle(uint256 sent, uint256 prize);
    error PaymentFailed(address to, uint256 amount);

    constructor() payable {
        king = msg.sender;
        prize = msg.value;
    }

    /// @notice Pay more than the prize to become king; the old king receives your payment.
    function claim() external payable {
        if (msg.value <= prize) revert TooLittle(msg.value, prize);
        address previous = king;
        king = msg.sender;
        prize = msg.value;
        (bool ok, ) = previous.call{value: msg.value}("");
        if (!ok) revert PaymentFailed(previous, msg.value);
        emit Crowned(msg.sender, msg.value);
    }
}
