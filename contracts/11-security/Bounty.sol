// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title A bounty: the first to send the answer to a puzzle wins everything it holds.
/// @notice Level 11-security/front-running. Only the answer's hash is stored on the chain.
contract Bounty {
    /// @notice keccak256 of the answer.
    bytes32 public immutable answerHash;
    /// @notice Who solved it (address(0) while nobody has).
    address public winner;

    event Solved(address indexed winner, uint256 prize);

    error AlreadySolved(address winner);
    error WrongAnswer();
    error PaymentFailed(address to, uint256 amount);

    constructor(bytes32 hash) {
        answerHash = hash;
    }

    /// @notice Anyone may add to the prize.
    receive() external payable {}

    /// @notice Send the answer: if it is right and you are first, the whole prize is yours.
    function solve(string calldata answer) external {
        if (winner != address(0)) revert AlreadySolved(winner);
        if (keccak256(bytes(answer)) != answerHash) revert WrongAnswer();
        winner = msg.sender;
        uint256 prize = address(this).balance;
        (bool ok, ) = msg.sender.call{value: prize}("");
        if (!ok) revert PaymentFailed(msg.sender, prize);
        emit Solved(msg.sender, prize);
    }
}
