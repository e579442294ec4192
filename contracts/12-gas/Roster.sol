// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title A club's member list (lesson 12's starter: it works, but it wastes gas).
contract Roster {
    struct Member {
        bool active;
        uint256 joinedAt;
        address referrer;
        uint256 level;
    }

    mapping(address => Member) private _members;
    uint256 public memberCount;

    /// @notice `member` joined, brought in by `referrer` (address(0): nobody), at `level`.
    event Joined(address indexed member, address indexed referrer, uint8 level);
    /// @notice `member` went up to `level`.
    event Promoted(address indexed member, uint8 level);

    /// @notice Join the club at `level`, naming who brought you in.
    function join(address referrer, uint8 level) external {
        require(!_members[msg.sender].active, "Roster: you are already a member of this club");
        _members[msg.sender] = Member(true, block.timestamp, referrer, level);
        memberCount = memberCount + 1;
        emit Joined(msg.sender, referrer, level);
    }

    /// @notice Go up one level (members only, up to level 255).
    function promote() external {
        require(_members[msg.sender].active, "Roster: only members of the club can be promoted");
        require(_members[msg.sender].level < 255, "Roster: you are already at the highest level");
        _members[msg.sender].level = _members[msg.sender].level + 1;
        emit Promoted(msg.sender, uint8(_members[msg.sender].level));
    }

    /// @notice Everything the club knows about `who` (all zero for a non-member).
    function member(address who)
        external
        view
        returns (bool active, uint256 joinedAt, address referrer, uint8 level)
    {
        Member memory m = _members[who];
        return (m.active, m.joinedAt, m.referrer, uint8(m.level));
    }
}
