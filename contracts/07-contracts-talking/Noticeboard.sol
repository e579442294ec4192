// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Ownership in one place, for any contract to inherit.
abstract contract Ownable {
    // YOUR CODE HERE: owner(), onlyOwner, OwnershipTransferred, transferOwnership,
    // renounceOwnership (virtual).
}

/// @title A notice only its owner may post.
contract Noticeboard is Ownable {
    // YOUR CODE HERE: notice() and an owner-only post(string).
}

/// @title A piggy bank anyone can fill and only its owner can smash.
contract PiggyBank is Ownable {
    // YOUR CODE HERE: receive(), an owner-only smash(), a renounceOwnership that refuses.
}
