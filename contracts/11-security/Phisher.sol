// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title What the phisher needs to know about the wallet.
interface IWallet {
    // YOUR CODE HERE (see the lesson, 11-security.ipynb)
}

/// @title When the wallet's owner sends it a tip, it empties her wallet into the player's.
contract Phisher {
    // YOUR CODE HERE (see the lesson, 11-security.ipynb)
}
