// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title King of the hill, fixed: dethroned kings withdraw their money (pull, not push).
contract FixedKing {
    address public king;
    uint256 public prize;
    /// @notice What each dethroned king may withdraw.
    mapping(address => uint256) public owed;

    event Crowned(address indexed king, uint256 prize);

    error TooLittle(uint256 sent, uint256 prize);
    error NothingOwed(address who);
    error PaymentFailed(address to, uint256 amount);

    constructor() payable {
        king = msg.sender;
        prize = msg.value;
    }

    function claim() external payable {
        if (msg.value <= prize) revert TooLittle(msg.value, prize);
        owed[king] += msg.value; // no call out: nobody can make claim() fail
        king = msg.sender;
        prize = msg.value;
        emit Crowned(msg.sender, msg.value);
    }

    /// @notice Take out what the kings after you paid for your crown.
    function withdraw() external {
        uint256 amount = owed[msg.sender];
        if (amount == 0) revert NothingOwed(msg.sender);
        owed[msg.sender] = 0;
        (bool ok, ) = msg.sender.call{value: amount}("");
        if (!ok) revert PaymentFailed(msg.sender, amount);
    }
}
