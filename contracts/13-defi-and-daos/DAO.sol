// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice What the DAO needs to know about its token: votes at a past block.
interface IVotesToken {
    function getPastVotes(address account, uint256 blockNumber) external view returns (uint256);
}

/// @title A token-weighted DAO: propose a call, vote, wait out the timelock, execute it.
contract DAO {
    /// @notice How long a vote stays open after the proposal.
    uint256 public constant VOTING_PERIOD = 3 days;
    /// @notice How long a passed proposal waits in the queue before it may run.
    uint256 public constant TIMELOCK_DELAY = 2 days;

    IVotesToken public immutable token;
    /// @notice How many tokens must vote for a proposal for it to pass.
    uint256 public immutable quorum;

    constructor(IVotesToken token_, uint256 quorum_) {
        token = token_;
        quorum = quorum_;
    }

    // YOUR CODE HERE
}
