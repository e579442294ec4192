"""Lesson 06's checks: the reference answers and differently written ones earn full marks, each
typical mistake loses exactly the points of its own checks, and stubs score 0 without raising."""

from __future__ import annotations

import pytest
from lessonkit import compiled, from_file, graded, no_crash, outcome, score, variant

LESSON = "06-solidity-data-and-ether"
VAULT, TODO, ALLOW = f"{LESSON}/vault", f"{LESSON}/todo-list", f"{LESSON}/allowlist"


# --- the vault --------------------------------------------------------------------------------

VAULT_OTHER = """\
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// Written another way: a reentrancy lock instead of strict ordering, require strings, events.
contract Vault {
    mapping(address => uint256) private _balances;
    bool private _locked;
    event Deposited(address indexed who, uint256 amount);

    modifier noReentry() {
        require(!_locked, "busy");
        _locked = true;
        _;
        _locked = false;
    }

    function balanceOf(address who) external view returns (uint256) { return _balances[who]; }

    function deposit() external payable { _credit(); }

    receive() external payable { _credit(); }

    function _credit() private {
        _balances[msg.sender] += msg.value;
        emit Deposited(msg.sender, msg.value);
    }

    function withdraw(uint256 amount) external noReentry {
        require(_balances[msg.sender] >= amount, "not enough");
        (bool sent, ) = msg.sender.call{value: amount}("");
        require(sent, "payment failed");
        _balances[msg.sender] -= amount;
    }
}
"""


@pytest.fixture(scope="module")
def vaults():
    return {
        "reference": from_file("solutions", LESSON, "Vault"),
        "other": compiled(VAULT_OTHER, "Vault"),
        "transfer": variant(
            LESSON,
            "Vault",
            '(bool ok, ) = payable(msg.sender).call{value: amount}("");\n'
            "        if (!ok) revert TransferFailed(msg.sender, amount);",
            "payable(msg.sender).transfer(amount);",
        ),
        "unchecked-call": variant(
            LESSON, "Vault", "if (!ok) revert TransferFailed(msg.sender, amount);", "ok;"
        ),
        "no-receive": variant(
            LESSON, "Vault", "receive() external payable {\n        deposit();\n    }", ""
        ),
        "interactions-first": variant(
            LESSON,
            "Vault",
            "balanceOf[msg.sender] = balance - amount;\n"
            "        // Interactions\n"
            '        (bool ok, ) = payable(msg.sender).call{value: amount}("");\n'
            "        if (!ok) revert TransferFailed(msg.sender, amount);",
            '(bool ok, ) = payable(msg.sender).call{value: amount}("");\n'
            "        if (!ok) revert TransferFailed(msg.sender, amount);\n"
            "        balanceOf[msg.sender] = balance - amount;",
        ),
    }


def test_vault_reference_and_another_correct_vault_earn_full_marks(vaults):
    assert score(VAULT, vaults["reference"]) == 11
    assert score(VAULT, vaults["other"]) == 11


@pytest.mark.parametrize(
    ("mistake", "points", "lost"),
    [
        ("transfer", 10, ["a smart-contract wallet can deposit and withdraw"]),
        (
            "unchecked-call",
            10,
            ["if the payment fails, withdraw() reverts and the balance is kept"],
        ),
        ("no-receive", 10, ["plain Ether sent to the vault counts as a deposit"]),
        (
            "interactions-first",
            9,
            ["a contract that re-enters withdraw() gets no more than it deposited"],
        ),
    ],
)
def test_each_vault_mistake_loses_only_its_check(vaults, mistake, points, lost):
    """Does each typical vault mistake cost exactly its own check's points?"""
    assert outcome(VAULT, vaults[mistake]) == (points, lost)


# --- the to-do list ---------------------------------------------------------------------------

TODO_OTHER = """\
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// Written another way: one array of all tasks with an owner each, and a struct getter.
contract TodoList {
    enum Status { Todo, Doing, Done }
    struct Task { address owner; string text; Status status; }
    struct View { string text; Status status; }

    Task[] private _all;
    mapping(address => uint256[]) private _mine;

    function addTask(string memory text) public {
        _mine[msg.sender].push(_all.length);
        _all.push(Task(msg.sender, text, Status.Todo));
    }

    function taskCount(address user) public view returns (uint256) { return _mine[user].length; }

    function getTask(address user, uint256 index) external view returns (View memory) {
        Task storage task = _all[_mine[user][index]];
        return View(task.text, task.status);
    }

    function setStatus(uint256 index, Status status) external {
        require(index < _mine[msg.sender].length, "no such task");
        _all[_mine[msg.sender][index]].status = status;
    }
}
"""


@pytest.fixture(scope="module")
def todos():
    return {
        "reference": from_file("solutions", LESSON, "TodoList"),
        "other": compiled(TODO_OTHER, "TodoList"),
        "memory-copy": variant(
            LESSON,
            "TodoList",
            "        mine[index].status = status;",
            "        Task memory task = mine[index];\n        task.status = status;",
        ),
        "uint8-status": variant(
            LESSON,
            "TodoList",
            "function setStatus(uint256 index, Status status) external {",
            "function setStatus(uint256 index, uint8 raw) external {\n"
            "        Status status = Status(raw % 3);",
        ),
        "one-shared-list": variant(
            LESSON,
            "TodoList",
            "mapping(address => Task[]) private _tasks;",
            "Task[] private _list;",
            "_tasks[msg.sender]",
            "_list",
            "_tasks[user]",
            "_list",
        ),
    }


def test_todo_reference_and_another_correct_list_earn_full_marks(todos):
    assert score(TODO, todos["reference"]) == 7
    assert score(TODO, todos["other"]) == 7


def test_todo_mistakes_lose_only_their_checks(todos):
    assert outcome(TODO, todos["memory-copy"]) == (
        6,
        ["setStatus() changes that one task of the sender's"],
    )
    assert outcome(TODO, todos["uint8-status"]) == (
        6,
        ["a status that is not in the enum is refused"],
    )


def test_one_list_for_everybody_loses_the_per_person_checks(todos):
    assert outcome(TODO, todos["one-shared-list"]) == (
        5,
        ["each person has their own list", "setStatus() on a task that does not exist reverts"],
    )


# --- the allowlist ----------------------------------------------------------------------------

ALLOW_OTHER = """\
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// Written another way: members kept in an array too (swap-and-pop), require strings.
contract Allowlist {
    address private immutable _owner = msg.sender;
    address[] private _members;
    mapping(address => uint256) private _position; // index + 1; 0 means absent

    function isAllowed(address who) public view returns (bool) { return _position[who] != 0; }
    function count() external view returns (uint256) { return _members.length; }

    function add(address who) public {
        require(msg.sender == _owner, "owner only");
        if (_position[who] == 0) { _members.push(who); _position[who] = _members.length; }
    }

    function addMany(address[] memory list) external {
        for (uint256 i; i < list.length; ++i) add(list[i]);
    }

    function remove(address who) external {
        require(msg.sender == _owner, "owner only");
        uint256 at = _position[who];
        if (at == 0) return;
        address last = _members[_members.length - 1];
        _members[at - 1] = last;
        _position[last] = at;
        _members.pop();
        delete _position[who];
    }
}
"""


@pytest.fixture(scope="module")
def allowlists():
    return {
        "reference": from_file("solutions", LESSON, "Allowlist"),
        "other": compiled(ALLOW_OTHER, "Allowlist"),
        "anyone-adds": variant(
            LESSON,
            "Allowlist",
            "function addMany(address[] calldata accounts) external onlyOwner {",
            "function addMany(address[] calldata accounts) external {",
        ),
        "count-every-call": variant(
            LESSON,
            "Allowlist",
            "        if (!isAllowed[account]) {\n            isAllowed[account] = true;\n"
            "            count += 1;\n        }",
            "        isAllowed[account] = true;\n        count += 1;",
        ),
    }


def test_allowlist_reference_and_another_correct_list_earn_full_marks(allowlists):
    assert score(ALLOW, allowlists["reference"]) == 7
    assert score(ALLOW, allowlists["other"]) == 7


def test_allowlist_mistakes_lose_only_their_checks(allowlists):
    assert outcome(ALLOW, allowlists["anyone-adds"]) == (5, ["only the owner can change the list"])


def test_counting_every_add_loses_the_count_checks_and_names_the_smallest_input(allowlists):
    result = graded(ALLOW, allowlists["count-every-call"])
    failing = [r for r in result.results if not r.passed]
    assert float(result) == 4
    assert [r.title for r in failing] == [
        "any mix of add() and remove() keeps isAllowed() and count() right",
        "addMany() adds every address in the list, duplicates once",
    ]
    assert "smallest failing input: [('add', 1), ('add', 1)]" in failing[0].message
    assert "count() to be 1; got 2" in failing[0].message


# --- stubs and wrong answers ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("exercise_id", "name"), [(VAULT, "Vault"), (TODO, "TodoList"), (ALLOW, "Allowlist")]
)
def test_the_starter_and_a_wrong_type_score_zero_without_raising(exercise_id, name):
    for answer in (from_file("contracts", LESSON, name), 42, None):
        no_crash(exercise_id, answer)
