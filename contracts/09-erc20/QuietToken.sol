// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title An EIP-20 token that says no with `false` instead of a revert.
/// EIP-20 says a transfer you cannot afford "SHOULD throw": SHOULD, not MUST. Tokens deployed
/// before reverting became the habit (and some since) return `false` and change nothing, so a
/// contract that moves tokens must look at the returned bool (or use OpenZeppelin's SafeERC20).
contract QuietToken {
    string public name;
    string public symbol;
    uint8 public constant decimals = 18;
    uint256 public totalSupply;

    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;

    // The parameter names EIP-20 itself uses (names are not part of an event's signature:
    // `Transfer(address,address,uint256)` is the same event under any names).
    event Transfer(address indexed _from, address indexed _to, uint256 _value);
    event Approval(address indexed _owner, address indexed _spender, uint256 _value);

    constructor(string memory name_, string memory symbol_, uint256 initialSupply) {
        name = name_;
        symbol = symbol_;
        totalSupply = initialSupply;
        balanceOf[msg.sender] = initialSupply;
        emit Transfer(address(0), msg.sender, initialSupply);
    }

    /// @notice Send `value` of your tokens to `to`; `false` (and nothing moves) if you cannot.
    function transfer(address to, uint256 value) external returns (bool) {
        return _move(msg.sender, to, value);
    }

    /// @notice Let `spender` move up to `value` of your tokens.
    function approve(address spender, uint256 value) external returns (bool) {
        allowance[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    /// @notice Move `value` of `from`'s tokens to `to`; `false` (and nothing moves) if the
    /// allowance or the balance is too small.
    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed < value || balanceOf[from] < value) return false;
        allowance[from][msg.sender] = allowed - value;
        return _move(from, to, value);
    }

    function _move(address from, address to, uint256 value) private returns (bool) {
        if (balanceOf[from] < value) return false;
        balanceOf[from] -= value;
        balanceOf[to] += value;
        emit Transfer(from, to, value);
        return true;
    }
}
