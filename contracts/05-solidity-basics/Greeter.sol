// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title A greeter that announces every change with an event.
/// @notice Anyone may change the greeting; each change emits
/// `GreetingChanged(address by, string oldGreeting, string newGreeting)`; empty ones revert.
contract Greeter {
    // YOUR CODE HERE: the greeting, the event, a constructor, `greet()` and `setGreeting(...)`.
}
