// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title A ticket booth whose errors say what went wrong.
/// @notice `buy(count)` reverts with `SoldOut(uint256 requested, uint256 available)`;
/// `giveBack(count)` with `NotEnoughTickets(address holder, uint256 held, uint256 requested)`.
contract TicketBooth {
    // YOUR CODE HERE: `remaining()`, `ticketsOf(address)`, the two errors, a constructor,
    // `buy(uint256)` and `giveBack(uint256)`.
}
