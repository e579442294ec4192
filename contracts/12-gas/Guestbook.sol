// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title A guestbook anyone can sign (lesson 12's starter: it works, but it wastes gas).
/// @notice Apps show the entries from the Signed events; no contract reads them.
contract Guestbook {
    struct Entry {
        address author;
        string text;
        uint256 time;
    }

    uint256 public constant MAX_LENGTH = 140;

    Entry[] private _entries;
    mapping(address => uint256) public signatures;

    /// @notice `author` signed with `text`; `number` counts every entry so far, from 1.
    event Signed(address indexed author, uint256 indexed number, string text);

    /// @notice Sign the guestbook with a message of 1 to MAX_LENGTH bytes.
    function sign(string memory text) public {
        require(bytes(text).length > 0, "Guestbook: an empty message cannot be signed, write something");
        require(
            bytes(text).length <= MAX_LENGTH,
            "Guestbook: the message is too long, it may be at most 140 bytes of UTF-8"
        );
        _entries.push(Entry(msg.sender, text, block.timestamp));
        signatures[msg.sender] = signatures[msg.sender] + 1;
        emit Signed(msg.sender, _entries.length, text);
    }

    /// @notice How many entries the guestbook has.
    function entries() public view returns (uint256) {
        return _entries.length;
    }
}
