// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title A to-do list of structs, one list per person.
contract TodoList {
    // YOUR CODE HERE: enum Status, struct Task, addTask, taskCount, getTask, setStatus.
}
