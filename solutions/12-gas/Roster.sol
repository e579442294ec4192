// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title A club's member list (lesson 12, instructor's solution: one storage slot a member).
contract Roster {
    /// @dev 20 + 8 + 1 + 1 bytes: the whole member fits in one 32-byte slot.
    struct Member {
        address referrer;
        uint64 joinedAt;
        uint8 level;
        bool active;
    }

    mapping(address => Member) private _members;
    uint256 public memberCount;

    /// @notice `member` joined, brought in by `referrer` (address(0): nobody), at `level`.
    event Joined(address indexed member, address indexed referrer, uint8 level);
    /// @notice `member` went up to `level`.
    event Promoted(address indexed member, uint8 level);

    /// @notice `who` is a member already.
    error AlreadyMember(address who);
    /// @notice `who` is not a member.
    error NotMember(address who);
    /// @notice `who` is at the highest level already.
    error TopLevel(address who);

    /// @notice Join the club at `level`, naming who brought you in.
    function join(address referrer, uint8 level) external {
        if (_members[msg.sender].active) revert AlreadyMember(msg.sender);
        _members[msg.sender] = Member(referrer, uint64(block.timestamp), level, true);
        unchecked {
            memberCount += 1; // one a sender: never near 2**256
        }
        emit Joined(msg.sender, referrer, level);
    }

    /// @notice Go up one level (members only, up to level 255).
    function promote() external {
        Member storage m = _members[msg.sender];
        (bool active, uint8 level) = (m.active, m.level); // one SLOAD for both
        if (!active) revert NotMember(msg.sender);
        if (level == type(uint8).max) revert TopLevel(msg.sender);
        unchecked {
            level += 1; // below 255, checked just above
        }
        m.level = level;
        emit Promoted(msg.sender, level);
    }

    /// @notice Everything the club knows about `who` (all zero for a non-member).
    function member(address who)
        external
        view
        returns (bool active, uint256 joinedAt, address referrer, uint8 level)
    {
        Member memory m = _members[who];
        return (m.active, m.joinedAt, m.referrer, m.level);
    }
}
