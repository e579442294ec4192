// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title A shared vault: anyone deposits Ether and withdraws it later.
/// @notice Level 11-security/reentrancy. It has a bug: find it before you read the lesson on.
contract Vault {
    /// @notice How many wei each depositor may withdraw.
    mapping(address => uint256) public balanceOf;

    event Deposited(address indexed who, uint256 amount);
    event Withdrawn(address indexed who, uint256 amount);

    error NothingToWithdraw(address who);
    error PaymentFailed(address to, uint256 amount);

    /// @notice Put `msg.value` wei in the vault, in your name.
    function deposit() external payable {
        balanceOf[msg.sender] += msg.value;
        emit Deposited(msg.sender, msg.value);
    }

    /// @notice Take out everything you deposited.
    function withdraw() external {
        uint256 amount = balanceOf[msg.sender];
        if (amount == 0) revert NothingToWithdraw(msg.sender);
        (bool ok, ) = msg.sender.call{value: amount}("");
        if (!ok) revert PaymentFailed(msg.sender, amount);
        balanceOf[msg.sender] = 0;
        emit Withdrawn(msg.sender, amount);
    }
}
