// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title What the usurper needs to know about the throne.
interface IKing {
    // YOUR CODE HERE (see the lesson, 11-security.ipynb)
}

/// @title Takes the crown and refuses every payment, so nobody can take it back.
contract Usurper {
    // YOUR CODE HERE (see the lesson, 11-security.ipynb)
}
