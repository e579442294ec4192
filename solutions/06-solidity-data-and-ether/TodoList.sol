// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title A to-do list of structs, one list per person (lesson 06, instructor's solution).
contract TodoList {
    enum Status { Todo, Doing, Done }

    struct Task {
        string text;
        Status status;
    }

    mapping(address => Task[]) private _tasks;

    /// @notice `index` is not one of your tasks (you have `count`).
    error NoSuchTask(uint256 index, uint256 count);

    /// @notice Add a task to your list; it starts as Todo.
    function addTask(string calldata text) external {
        _tasks[msg.sender].push(Task({text: text, status: Status.Todo}));
    }

    /// @notice How many tasks `user` has.
    function taskCount(address user) external view returns (uint256) {
        return _tasks[user].length;
    }

    /// @notice The text and status of `user`'s task number `index`.
    function getTask(address user, uint256 index)
        external
        view
        returns (string memory text, Status status)
    {
        Task storage task = _tasks[user][index];
        return (task.text, task.status);
    }

    /// @notice Move your task number `index` to `status`.
    function setStatus(uint256 index, Status status) external {
        Task[] storage mine = _tasks[msg.sender];
        if (index >= mine.length) revert NoSuchTask(index, mine.length);
        mine[index].status = status;
    }
}
