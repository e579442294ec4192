// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title A ticket booth whose errors say what went wrong (lesson 05, instructor's solution).
contract TicketBooth {
    /// @notice Tickets still for sale.
    uint256 public remaining;
    /// @notice Tickets each address holds.
    mapping(address => uint256) public ticketsOf;

    /// @notice Asked for `requested` tickets when only `available` were left.
    error SoldOut(uint256 requested, uint256 available);
    /// @notice `holder` tried to give back `requested` tickets but holds only `held`.
    error NotEnoughTickets(address holder, uint256 held, uint256 requested);

    constructor(uint256 capacity) {
        remaining = capacity;
    }

    /// @notice Buy `count` tickets.
    function buy(uint256 count) external {
        if (count > remaining) revert SoldOut(count, remaining);
        remaining -= count;
        ticketsOf[msg.sender] += count;
    }

    /// @notice Give `count` of your tickets back; they are for sale again.
    function giveBack(uint256 count) external {
        uint256 held = ticketsOf[msg.sender];
        if (count > held) revert NotEnoughTickets(msg.sender, held, count);
        ticketsOf[msg.sender] = held - count;
        remaining += count;
    }
}
