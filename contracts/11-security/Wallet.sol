// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title A personal wallet: its owner sends Ether out of it.
/// @notice Level 11-security/phishing.
contract Wallet {
    /// @notice The wallet's owner: whoever deployed it.
    address public owner;

    event Sent(address indexed to, uint256 amount);

    error NotOwner(address caller);
    error PaymentFailed(address to, uint256 amount);

    constructor() payable {
        owner = msg.sender;
    }

    /// @notice Anyone may pay into the wallet.
    receive() external payable {}

    /// @notice Send `amount` wei to `to`; only the owner may.
    function transfer(address payable to, uint256 amount) external {
        if (tx.origin != owner) revert NotOwner(tx.origin);
        (bool ok, ) = to.call{value: amount}("");
        if (!ok) revert PaymentFailed(to, amount);
        emit Sent(to, amount);
    }
}
