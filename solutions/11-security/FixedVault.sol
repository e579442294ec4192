// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title The vault, fixed: checks, then effects, then interactions.
contract FixedVault {
    mapping(address => uint256) public balanceOf;

    event Deposited(address indexed who, uint256 amount);
    event Withdrawn(address indexed who, uint256 amount);

    error NothingToWithdraw(address who);
    error PaymentFailed(address to, uint256 amount);

    function deposit() external payable {
        balanceOf[msg.sender] += msg.value;
        emit Deposited(msg.sender, msg.value);
    }

    function withdraw() external {
        uint256 amount = balanceOf[msg.sender];
        if (amount == 0) revert NothingToWithdraw(msg.sender);
        balanceOf[msg.sender] = 0; // the effect, before the interaction
        emit Withdrawn(msg.sender, amount);
        (bool ok, ) = msg.sender.call{value: amount}("");
        if (!ok) revert PaymentFailed(msg.sender, amount);
    }
}
