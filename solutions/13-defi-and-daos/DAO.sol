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

    struct Proposal {
        address target;
        bytes data;
        uint256 snapshot; // votes are balances at the end of this block
        uint256 voteEnd; // voting is open while block.timestamp < voteEnd
        uint256 forVotes;
        uint256 againstVotes;
        uint256 eta; // 0 until queued; then the earliest time it may execute
        bool executed;
    }

    /// @notice How many proposals there are; they are numbered 1, 2, ...
    uint256 public proposalCount;
    mapping(uint256 => Proposal) private _proposals;
    /// @notice Whether `voter` has voted on proposal `id`.
    mapping(uint256 => mapping(address => bool)) public hasVoted;

    event Proposed(uint256 indexed id, address indexed proposer, address target, string description);
    event Voted(uint256 indexed id, address indexed voter, bool support, uint256 weight);
    event Queued(uint256 indexed id, uint256 eta);
    event Executed(uint256 indexed id);

    error UnknownProposal(uint256 id);
    error VotingClosed(uint256 id);
    error VotingOpen(uint256 id, uint256 voteEnd);
    error AlreadyVoted(uint256 id, address voter);
    error NoVotes(address voter);
    error NotPassed(uint256 id, uint256 forVotes, uint256 againstVotes);
    error AlreadyQueued(uint256 id);
    error NotQueued(uint256 id);
    error TooEarly(uint256 id, uint256 eta);
    error AlreadyExecuted(uint256 id);
    error CallFailed(uint256 id);

    /// @notice Propose that the DAO calls `target` with `data`; returns the proposal's id.
    function propose(address target, bytes calldata data, string calldata description)
        external
        returns (uint256 id)
    {
        id = ++proposalCount;
        Proposal storage p = _proposals[id];
        p.target = target;
        p.data = data;
        p.snapshot = block.number - 1; // the last finished block: nothing bought now counts
        p.voteEnd = block.timestamp + VOTING_PERIOD;
        emit Proposed(id, msg.sender, target, description);
    }

    /// @notice Vote on proposal `id` with your tokens at its snapshot.
    function vote(uint256 id, bool support) external {
        Proposal storage p = _get(id);
        if (block.timestamp >= p.voteEnd) revert VotingClosed(id);
        if (hasVoted[id][msg.sender]) revert AlreadyVoted(id, msg.sender);
        uint256 weight = token.getPastVotes(msg.sender, p.snapshot);
        if (weight == 0) revert NoVotes(msg.sender);
        hasVoted[id][msg.sender] = true;
        if (support) p.forVotes += weight;
        else p.againstVotes += weight;
        emit Voted(id, msg.sender, support, weight);
    }

    function votesFor(uint256 id) external view returns (uint256) {
        return _get(id).forVotes;
    }

    function votesAgainst(uint256 id) external view returns (uint256) {
        return _get(id).againstVotes;
    }

    /// @notice Once voting is over, put a passed proposal in the timelock queue.
    function queue(uint256 id) external {
        Proposal storage p = _get(id);
        if (block.timestamp < p.voteEnd) revert VotingOpen(id, p.voteEnd);
        if (p.eta != 0) revert AlreadyQueued(id);
        if (p.forVotes <= p.againstVotes || p.forVotes < quorum) {
            revert NotPassed(id, p.forVotes, p.againstVotes);
        }
        p.eta = block.timestamp + TIMELOCK_DELAY;
        emit Queued(id, p.eta);
    }

    /// @notice After the timelock, make the proposal's call, once.
    function execute(uint256 id) external {
        Proposal storage p = _get(id);
        if (p.eta == 0) revert NotQueued(id);
        if (block.timestamp < p.eta) revert TooEarly(id, p.eta);
        if (p.executed) revert AlreadyExecuted(id);
        p.executed = true; // before the call, so the call cannot run it again
        (bool ok, ) = p.target.call(p.data);
        if (!ok) revert CallFailed(id);
        emit Executed(id);
    }

    function _get(uint256 id) private view returns (Proposal storage p) {
        p = _proposals[id];
        if (id == 0 || id > proposalCount) revert UnknownProposal(id);
    }
}
