// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title A token of the early days: a refused transfer returns false instead of reverting.
/// @notice Some tokens still deployed behave like this (the ERC-20 standard allows it).
contract OldToken {
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    constructor(uint256 supply) {
        balanceOf[msg.sender] = supply;
        emit Transfer(address(0), msg.sender, supply);
    }

    /// @notice Let `spender` move up to `value` of your tokens.
    function approve(address spender, uint256 value) external returns (bool) {
        allowance[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    /// @notice Move `value` of your tokens to `to`; false (no revert) if you hold too few.
    function transfer(address to, uint256 value) external returns (bool) {
        if (balanceOf[msg.sender] < value) return false;
        balanceOf[msg.sender] -= value;
        balanceOf[to] += value;
        emit Transfer(msg.sender, to, value);
        return true;
    }

    /// @notice Move `value` of `from`'s tokens, within your allowance; false if it cannot.
    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        if (balanceOf[from] < value || allowance[from][msg.sender] < value) return false;
        allowance[from][msg.sender] -= value;
        balanceOf[from] -= value;
        balanceOf[to] += value;
        emit Transfer(from, to, value);
        return true;
    }
}

/// @title What the vendor needs to know about the token.
interface IOldToken {
    function transferFrom(address from, address to, uint256 value) external returns (bool);
}

/// @title Buys OldTokens for Ether: one wei for each unit of token.
/// @notice Level 11-security/unchecked-return.
contract Vendor {
    /// @notice The token the vendor buys.
    IOldToken public immutable token;

    event Bought(address indexed seller, uint256 amount);

    error PaymentFailed(address to, uint256 amount);

    constructor(IOldToken sold) {
        token = sold;
    }

    /// @notice The vendor's Ether, to pay sellers with.
    receive() external payable {}

    /// @notice Sell `amount` of your tokens (approve them to the vendor first) for `amount` wei.
    function sell(uint256 amount) external {
        token.transferFrom(msg.sender, address(this), amount);
        (bool ok, ) = msg.sender.call{value: amount}("");
        if (!ok) revert PaymentFailed(msg.sender, amount);
        emit Bought(msg.sender, amount);
    }
}
