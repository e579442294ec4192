// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title A crowdfunding campaign in an ERC-20 token.
/// @notice Backers pledge tokens until the deadline; if the goal is met the creator claims the
/// funds in milestones, otherwise each backer takes back exactly what they pledged.
contract Crowdfund {
    // --- state ---------------------------------------------------------------------------------
    /// @notice The token pledges are made in.
    IERC20 public immutable token;
    /// @notice Who started the campaign and receives the milestones.
    address public immutable creator;
    /// @notice How many tokens the campaign must raise.
    uint256 public immutable goal;
    /// @notice From this timestamp on no more pledges; claims or refunds begin.
    uint256 public immutable deadline;
    /// @notice How many payments the funds are released in.
    uint256 public immutable milestones;

    /// @notice Everything pledged (refunds do not lower it).
    uint256 public totalPledged;
    /// @notice How many milestones the creator has claimed.
    uint256 public claimed;
    /// @notice How many tokens the creator has received.
    uint256 public released;
    /// @notice What each backer pledged and has not taken back.
    mapping(address => uint256) public pledgeOf;

    // --- events and errors ---------------------------------------------------------------------
    event Pledged(address indexed backer, uint256 amount);
    event Claimed(uint256 indexed milestone, uint256 amount);
    event Refunded(address indexed backer, uint256 amount);

    error NoMilestones();
    error ZeroAmount();
    error TooLate(uint256 deadline);
    error TooEarly(uint256 deadline);
    error NotCreator(address caller);
    error GoalNotMet(uint256 pledged, uint256 goal);
    error GoalMet(uint256 pledged, uint256 goal);
    error AllClaimed();
    error NothingToRefund(address backer);
    error TransferFailed(address to, uint256 amount);

    /// @notice A campaign for `goal_` tokens of `token_`, open for `duration` seconds, paid out
    /// in `milestones_` parts.
    constructor(IERC20 token_, uint256 goal_, uint256 duration, uint256 milestones_) {
        if (milestones_ == 0) revert NoMilestones();
        token = token_;
        creator = msg.sender;
        goal = goal_;
        deadline = block.timestamp + duration;
        milestones = milestones_;
    }

    /// @notice Pledge `amount` of your tokens (approve this contract for them first).
    function pledge(uint256 amount) external {
        if (block.timestamp >= deadline) revert TooLate(deadline);
        if (amount == 0) revert ZeroAmount();
        pledgeOf[msg.sender] += amount;
        totalPledged += amount;
        // A revert inside the token undoes the two lines above; a `false` must too.
        if (!token.transferFrom(msg.sender, address(this), amount)) {
            revert TransferFailed(address(this), amount);
        }
        emit Pledged(msg.sender, amount);
    }

    /// @notice The creator takes the next milestone: totalPledged / milestones each, the last
    /// one whatever is left.
    function claim() external {
        if (msg.sender != creator) revert NotCreator(msg.sender);
        if (block.timestamp < deadline) revert TooEarly(deadline);
        if (totalPledged < goal) revert GoalNotMet(totalPledged, goal);
        if (claimed == milestones) revert AllClaimed();
        claimed += 1;
        uint256 amount = claimed == milestones
            ? totalPledged - released
            : totalPledged / milestones;
        released += amount;
        _pay(creator, amount);
        emit Claimed(claimed, amount);
    }

    /// @notice When the goal was missed, take back everything you pledged.
    function refund() external {
        if (block.timestamp < deadline) revert TooEarly(deadline);
        if (totalPledged >= goal) revert GoalMet(totalPledged, goal);
        uint256 amount = pledgeOf[msg.sender];
        if (amount == 0) revert NothingToRefund(msg.sender);
        pledgeOf[msg.sender] = 0; // effects before the interaction: a second call finds 0
        _pay(msg.sender, amount);
        emit Refunded(msg.sender, amount);
    }

    function _pay(address to, uint256 amount) private {
        if (!token.transfer(to, amount)) revert TransferFailed(to, amount);
    }
}
