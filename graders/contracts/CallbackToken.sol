// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// A hidden test token for the graders (lessons 09 and 14): an EIP-20 token that joins a
/// contract that holds tokens (a vault's deposit, a campaign's pledge) and then, once armed,
/// calls that contract again from inside the transfer() that pays it out, as some real
/// tokens' hooks do. A contract that updates its books before it calls the token pays once.
contract CallbackToken {
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;
    uint256 public totalSupply;
    bool public reentered; // the nested call went through
    address private _target;
    string private _again;
    bool private _armed;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    constructor(uint256 supply) {
        balanceOf[msg.sender] = supply;
        totalSupply = supply;
    }

    function approve(address spender, uint256 value) external returns (bool) {
        allowance[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    function transfer(address to, uint256 value) external returns (bool) {
        _move(msg.sender, to, value);
        if (_armed && msg.sender == _target) {
            _armed = false;
            (bool ok,) = _target.call(abi.encodeWithSignature(_again));
            reentered = ok;
        }
        return true;
    }

    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        require(allowance[from][msg.sender] >= value, "allowance");
        allowance[from][msg.sender] -= value;
        _move(from, to, value);
        return true;
    }

    /// Take `amount` of the caller's tokens and put them in `target` as this contract, by
    /// calling `signature` (e.g. "deposit(uint256)") with the amount.
    function join(address target, string calldata signature, uint256 amount) external {
        _target = target;
        _move(msg.sender, address(this), amount);
        allowance[address(this)][target] = amount;
        _call(abi.encodeWithSignature(signature, amount));
    }

    /// Call `signature` (e.g. "withdraw()") on the target, and again from inside the transfer
    /// that pays it.
    function attack(string calldata signature) external {
        _again = signature;
        _armed = true;
        _call(abi.encodeWithSignature(signature));
    }

    function _call(bytes memory data) private {
        (bool ok, bytes memory reason) = _target.call(data);
        if (!ok) {
            assembly { revert(add(reason, 32), mload(reason)) }
        }
    }

    function _move(address from, address to, uint256 value) private {
        require(balanceOf[from] >= value, "balance");
        balanceOf[from] -= value;
        balanceOf[to] += value;
        emit Transfer(from, to, value);
    }
}
