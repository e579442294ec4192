// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title An EIP-20 token written from scratch: the whole supply goes to the deployer.
/// Check it with `sollab check 09-erc20/token --source Token.sol`.
contract Token {
    // YOUR CODE HERE: name, symbol, decimals (18), totalSupply, balanceOf, allowance,
    // transfer, approve, transferFrom, the Transfer and Approval events, and
    // constructor(string memory name_, string memory symbol_, uint256 initialSupply).
}
