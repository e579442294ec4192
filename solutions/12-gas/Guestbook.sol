// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title A guestbook anyone can sign (lesson 12, instructor's solution: the events are the record).
/// @notice Apps show the entries from the Signed events; no contract reads them.
contract Guestbook {
    uint256 public constant MAX_LENGTH = 140;

    uint256 private _count;
    mapping(address => uint256) public signatures;

    /// @notice `author` signed with `text`; `number` counts every entry so far, from 1.
    event Signed(address indexed author, uint256 indexed number, string text);

    /// @notice A message must have 1 to MAX_LENGTH bytes; this one has `length`.
    error BadLength(uint256 length);

    /// @notice Sign the guestbook with a message of 1 to MAX_LENGTH bytes.
    function sign(string calldata text) external {
        uint256 length = bytes(text).length;
        if (length == 0 || length > MAX_LENGTH) revert BadLength(length);
        uint256 number = _count + 1;
        _count = number;
        signatures[msg.sender] += 1;
        emit Signed(msg.sender, number, text);
    }

    /// @notice How many entries the guestbook has.
    function entries() external view returns (uint256) {
        return _count;
    }
}
