// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title The bounty, fixed with commit-reveal: commit to (you, answer) first, reveal later.
contract FixedBounty {
    bytes32 public immutable answerHash;
    address public winner;
    /// @notice Each solver's commitment: keccak256(abi.encodePacked(solver, answer)).
    mapping(address => bytes32) public commitments;

    event Committed(address indexed solver);
    event Solved(address indexed winner, uint256 prize);

    error AlreadySolved(address winner);
    error NotCommitted(address solver);
    error WrongAnswer();
    error PaymentFailed(address to, uint256 amount);

    constructor(bytes32 hash) {
        answerHash = hash;
    }

    receive() external payable {}

    /// @notice Step 1: commit to your answer without showing it.
    function commit(bytes32 commitment) external {
        commitments[msg.sender] = commitment;
        emit Committed(msg.sender);
    }

    /// @notice Step 2: reveal the answer you committed to; a copied reveal matches no commitment.
    function reveal(string calldata answer) external {
        if (winner != address(0)) revert AlreadySolved(winner);
        if (commitments[msg.sender] != keccak256(abi.encodePacked(msg.sender, answer))) {
            revert NotCommitted(msg.sender);
        }
        if (keccak256(bytes(answer)) != answerHash) revert WrongAnswer();
        winner = msg.sender;
        uint256 prize = address(this).balance;
        (bool ok, ) = msg.sender.call{value: prize}("");
        if (!ok) revert PaymentFailed(msg.sender, prize);
        emit Solved(msg.sender, prize);
    }
}
