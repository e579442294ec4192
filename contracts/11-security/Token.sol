// SPDX-License-Identifier: MIT
pragma solidity 0.7.6;

/// @title A minimal token, compiled with solc 0.7.6 (before checked arithmetic).
/// @notice Level 11-security/overflow. The deployer holds the whole supply at first.
contract Token {
    /// @notice How many tokens each address holds.
    mapping(address => uint256) public balanceOf;
    /// @notice How many tokens exist.
    uint256 public totalSupply;

    event Transfer(address indexed from, address indexed to, uint256 value);

    constructor(uint256 supply) {
        balanceOf[msg.sender] = supply;
        totalSupply = supply;
        emit Transfer(address(0), msg.sender, supply);
    }

    /// @notice Move `value` of your tokens to `to`.
    function transfer(address to, uint256 value) external returns (bool) {
        require(balanceOf[msg.sender] - value >= 0, "not enough tokens");
        balanceOf[msg.sender] -= value;
        balanceOf[to] += value;
        emit Transfer(msg.sender, to, value);
        return true;
    }
}
