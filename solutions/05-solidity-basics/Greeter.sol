// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title A greeter that announces every change (lesson 05, instructor's solution).
contract Greeter {
    string private _greeting;

    /// @notice `by` replaced `oldGreeting` with `newGreeting`.
    event GreetingChanged(address indexed by, string oldGreeting, string newGreeting);

    /// @notice A greeting must have at least one character.
    error EmptyGreeting();

    constructor(string memory initialGreeting) {
        _greeting = initialGreeting;
    }

    /// @notice The current greeting.
    function greet() external view returns (string memory) {
        return _greeting;
    }

    /// @notice Replace the greeting (anyone may); an empty one is refused.
    function setGreeting(string calldata newGreeting) external {
        if (bytes(newGreeting).length == 0) revert EmptyGreeting();
        emit GreetingChanged(msg.sender, _greeting, newGreeting);
        _greeting = newGreeting;
    }
}
