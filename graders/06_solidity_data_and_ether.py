"""Checks for lesson 06, Solidity data and Ether: a vault, a to-do list, an allowlist."""

from __future__ import annotations

import contextlib
import functools

from hypothesis import strategies as st

import sollab
from sollab.grading import CheckContext, exercise

LESSON = "06-solidity-data-and-ether"
ETHER = 10**18

# Helper contracts the vault checks deploy: accounts that are contracts, not people.
HELPERS = """\
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

interface IVault {
    function deposit() external payable;
    function withdraw(uint256 amount) external;
}

/// A smart-contract wallet: its receive() records each payment (more than 2,300 gas of work).
contract Wallet {
    uint256 public received;
    uint256 public payments;

    function save(IVault vault) external payable { vault.deposit{value: msg.value}(); }
    function take(IVault vault, uint256 amount) external { vault.withdraw(amount); }
    receive() external payable { received += msg.value; payments += 1; }
}

/// A contract that cannot receive Ether: it has no receive() and no payable fallback.
contract Refuser {
    function save(IVault vault) external payable { vault.deposit{value: msg.value}(); }
    function take(IVault vault, uint256 amount) external { vault.withdraw(amount); }
}

/// Deposits, withdraws, and from its receive() tries to withdraw the same amount once more.
contract Reenterer {
    IVault public vault;
    uint256 public amount;
    bool private _entered;

    function attack(IVault target) external payable {
        vault = target;
        amount = msg.value;
        target.deposit{value: msg.value}();
        target.withdraw(msg.value);
    }

    receive() external payable {
        if (!_entered) {
            _entered = true;
            (bool ok, ) = address(vault).call(abi.encodeCall(IVault.withdraw, (amount)));
            ok; // a refused second withdrawal is fine: the attack just gets nothing extra
        }
    }
}
"""


@functools.cache
def helpers():
    """The helper contracts, compiled once (on first use, so loading graders stays fast)."""
    return sollab.compile_source(HELPERS, "VaultHelpers.sol")


def _helper(t: CheckContext, name: str, *args, **kwargs):
    return t.chain.deploy(helpers()[name], *args, **kwargs)


def _line(exc: Exception) -> str:
    return str(exc).splitlines()[0]


# --- the vault --------------------------------------------------------------------------------

vault = exercise(
    f"{LESSON}/vault",
    "A vault with per-user deposits and safe withdrawals",
    contract="Vault",
    hints=[
        "Keep the books in `mapping(address => uint256) public balanceOf;` and add `msg.value` "
        "to `balanceOf[msg.sender]` in a `payable` `deposit()`.",
        "Plain Ether transfers (no function named) arrive at `receive() external payable`: "
        "treat them exactly like a deposit.",
        "In `withdraw(amount)`: first check the balance (checks), then lower it (effects), "
        "and only then send the Ether with `(bool ok, ) = payable(msg.sender).call{value: "
        'amount}("");` and revert unless `ok` (interactions).',
    ],
)


@vault.check("deposit() credits the sender", points=1)
def _(t):
    v = t.deploy()
    v.deposit(value=ETHER, sender=t.bob)
    t.expect(
        v.balanceOf(t.bob) == ETHER,
        "balanceOf(bob) to be 10**18 after bob deposits 1 ether",
        f"{v.balanceOf(t.bob)}",
        "add msg.value to the sender's entry in the mapping",
    )


@vault.property(
    "deposits from several people are kept apart, and the vault holds them all",
    st.lists(st.tuples(st.integers(0, 2), st.integers(1, 5 * ETHER)), min_size=1, max_size=5),
    points=2,
    examples=8,
)
def _(t, deposits):
    v = t.deploy()
    people = [t.bob, t.carol, t.dave]
    expected = dict.fromkeys(people, 0)
    for who, amount in deposits:
        v.deposit(value=amount, sender=people[who])
        expected[people[who]] += amount
    for person in people:
        t.expect(
            v.balanceOf(person) == expected[person],
            f"balanceOf({person.name}) to be {expected[person]} (the sum of their deposits)",
            f"{v.balanceOf(person)}",
            "add each deposit to what the depositor already has",
        )
    held = t.chain.balance(v)
    t.expect(
        held == sum(expected.values()),
        f"the vault's Ether balance to be {sum(expected.values())} wei",
        f"{held} wei",
    )


@vault.check("plain Ether sent to the vault counts as a deposit", points=1)
def _(t):
    v = t.deploy()
    try:
        t.chain.send(v, 2 * ETHER, sender=t.carol)
    except sollab.LabError:
        t.expect(
            False,
            "the vault to accept 2 ether sent to its address with no function named",
            "the transfer was refused",
            "a contract takes plain Ether only if it has a receive() (or payable fallback)",
        )
    t.expect(
        v.balanceOf(t.carol) == 2 * ETHER,
        "balanceOf(carol) to be 2 ether after carol sends 2 ether to the vault's address",
        f"{v.balanceOf(t.carol)}",
        "plain transfers run the contract's receive() function",
    )


@vault.check("withdraw(amount) pays the amount back and lowers the balance", points=2)
def _(t):
    v = t.deploy()
    v.deposit(value=3 * ETHER, sender=t.bob)
    before = t.chain.balance(t.bob)
    receipt = v.withdraw(ETHER, sender=t.bob)
    t.expect(
        v.balanceOf(t.bob) == 2 * ETHER,
        "balanceOf(bob) to be 2 ether after depositing 3 and withdrawing 1",
        f"{v.balanceOf(t.bob)}",
    )
    t.expect(
        t.chain.balance(v) == 2 * ETHER,
        "the vault to hold 2 ether after paying 1 back",
        f"{t.chain.balance(v)} wei",
        "send the Ether to msg.sender",
    )
    gained = t.chain.balance(t.bob) - before
    fee_bound = receipt.gas_used * 10**11  # bob also paid for gas: far less than this
    t.expect(
        ETHER - fee_bound < gained <= ETHER,
        "bob's account to receive 1 ether (less the gas fee of his transaction)",
        f"a change of {gained} wei",
    )


@vault.check("withdrawing more than your balance reverts and changes nothing", points=1)
def _(t):
    v = t.deploy()
    v.deposit(value=ETHER, sender=t.bob)
    v.deposit(value=ETHER, sender=t.carol)
    t.expect_revert(
        lambda: v.withdraw(ETHER + 1, sender=t.bob),
        "withdraw() of more than bob's balance to revert",
        "check the sender's balance before anything else",
    )
    t.expect(
        v.balanceOf(t.bob) == ETHER and t.chain.balance(v) == 2 * ETHER,
        "bob's balance and the vault's Ether to be unchanged after the refused withdrawal",
        f"balanceOf(bob) = {v.balanceOf(t.bob)}, vault holds {t.chain.balance(v)} wei",
    )


@vault.check("a smart-contract wallet can deposit and withdraw", points=1)
def _(t):
    v = t.deploy()
    wallet = _helper(t, "Wallet")
    try:
        wallet.save(v, value=ETHER)
    except sollab.LabError as exc:
        t.expect(False, "a wallet contract to deposit() 1 ether", f"it failed: {_line(exc)}")
    try:
        wallet.take(v, ETHER)
    except sollab.LabError as exc:
        t.expect(
            False,
            "withdraw() to pay a wallet contract whose receive() records the payment",
            f"it failed: {_line(exc)}",
            "transfer() and send() forward only 2,300 gas: too little for a contract's receive()",
        )
    t.expect(
        wallet.received() == ETHER and v.balanceOf(wallet) == 0,
        "the wallet to receive its 1 ether and its balance in the vault to be 0",
        f"wallet received {wallet.received()} wei, balanceOf(wallet) = {v.balanceOf(wallet)}",
    )


@vault.check(
    "if the payment fails, withdraw() reverts and the balance is kept", points=1, hidden=True
)
def _(t):
    v = t.deploy()
    refuser = _helper(t, "Refuser")
    refuser.save(v, value=ETHER)
    t.expect_revert(
        lambda: refuser.take(v, ETHER),
        "withdraw() to revert when the Ether cannot be delivered",
        "a low-level call returns false instead of reverting: check what it returns",
    )
    t.expect(
        v.balanceOf(refuser) == ETHER,
        "the undelivered Ether to stay on the depositor's balance",
        f"{v.balanceOf(refuser)}",
    )


@vault.check(
    "a contract that re-enters withdraw() gets no more than it deposited", points=2, hidden=True
)
def _(t):
    v = t.deploy()
    v.deposit(value=5 * ETHER, sender=t.bob)
    attacker = _helper(t, "Reenterer")
    with contextlib.suppress(sollab.LabError):  # refusing the whole attack is safe too
        attacker.attack(v, value=ETHER)
    t.expect(
        t.chain.balance(attacker) <= ETHER and t.chain.balance(v) == 5 * ETHER,
        "the attacker to end with at most the 1 ether it deposited, and bob's 5 ether to stay",
        f"the attacker holds {t.chain.balance(attacker)} wei and the vault "
        f"{t.chain.balance(v)} wei",
        "update the balance before you send the Ether (checks-effects-interactions)",
    )
    t.expect(
        v.balanceOf(t.bob) == 5 * ETHER,
        "bob's balance to stay 5 ether",
        f"{v.balanceOf(t.bob)}",
    )
    v.withdraw(5 * ETHER, sender=t.bob)  # and the vault still pays out what it owes
    t.expect(t.chain.balance(v) == 0, "bob to withdraw all 5 ether", f"{t.chain.balance(v)} left")


# --- the to-do list ----------------------------------------------------------------------------

TODO, DOING, DONE = 0, 1, 2
STATUS_NAMES = ["Todo", "Doing", "Done"]


def _named(status: int) -> str:
    return STATUS_NAMES[status] if 0 <= status < len(STATUS_NAMES) else str(status)


todo = exercise(
    f"{LESSON}/todo-list",
    "A to-do list of structs, one list per person",
    contract="TodoList",
    hints=[
        "Declare `enum Status { Todo, Doing, Done }` and `struct Task { string text; "
        "Status status; }`, then keep `mapping(address => Task[]) private _tasks;`.",
        "`addTask` pushes a new Task onto `_tasks[msg.sender]`; `taskCount(user)` is that "
        "array's `.length`.",
        "In `setStatus`, take a `storage` reference to the sender's task so the change is "
        "written to the chain; a `memory` copy would be thrown away.",
    ],
)


def _task(c, user, index):
    """(text, status) of a task, whether getTask returns two values or one struct."""
    value = c.getTask(user, index)
    if isinstance(value, tuple) and len(value) == 1:
        value = value[0]
    return tuple(value)


@todo.check("a new list is empty", points=1)
def _(t):
    c = t.deploy()
    t.expect(c.taskCount(t.alice) == 0, "taskCount(alice) to be 0", f"{c.taskCount(t.alice)}")


@todo.property(
    "addTask() appends tasks in order, each starting as Todo",
    st.lists(st.text(max_size=40), min_size=1, max_size=5),
    points=2,
    examples=8,
)
def _(t, texts):
    c = t.deploy()
    for text in texts:
        c.addTask(text, sender=t.bob)
    t.expect(
        c.taskCount(t.bob) == len(texts),
        f"taskCount(bob) to be {len(texts)} after {len(texts)} addTask() calls",
        f"{c.taskCount(t.bob)}",
    )
    for i, text in enumerate(texts):
        got = _task(c, t.bob, i)
        t.expect(
            got == (text, TODO),
            f"getTask(bob, {i}) to be ({text!r}, Todo)",
            f"({got[0]!r}, {_named(got[1])})",
            "push the new task at the end of the sender's array",
        )


@todo.check("each person has their own list", points=1)
def _(t):
    c = t.deploy()
    c.addTask("buy milk", sender=t.bob)
    c.addTask("walk the dog", sender=t.carol)
    c.addTask("read a book", sender=t.carol)
    counts = (c.taskCount(t.bob), c.taskCount(t.carol), c.taskCount(t.dave))
    t.expect(
        counts == (1, 2, 0),
        "taskCount of bob, carol and dave to be 1, 2 and 0",
        f"{counts}",
        "key the mapping by msg.sender",
    )
    t.expect(
        _task(c, t.carol, 1)[0] == "read a book",
        "getTask(carol, 1) to be carol's second task",
        f"{_task(c, t.carol, 1)!r}",
    )


@todo.check("setStatus() changes that one task of the sender's", points=1)
def _(t):
    c = t.deploy()
    for text in ("a", "b", "c"):
        c.addTask(text, sender=t.bob)
    c.addTask("carol's", sender=t.carol)
    c.setStatus(1, DONE, sender=t.bob)
    c.setStatus(2, DOING, sender=t.bob)
    got = [_task(c, t.bob, i)[1] for i in range(3)]
    t.expect(
        got == [TODO, DONE, DOING],
        "bob's statuses to be [Todo, Done, Doing]",
        f"[{', '.join(map(_named, got))}]",
        "change the task in storage, not a memory copy",
    )
    t.expect(
        _task(c, t.carol, 0)[1] == TODO,
        "carol's task to stay Todo when bob changes his own",
        _named(_task(c, t.carol, 0)[1]),
    )


@todo.check("setStatus() on a task that does not exist reverts", points=1)
def _(t):
    c = t.deploy()
    c.addTask("only one", sender=t.bob)
    for sender, index in ((t.bob, 1), (t.carol, 0)):
        t.expect_revert(
            lambda: c.setStatus(index, DONE, sender=sender),  # noqa: B023 (called at once)
            f"setStatus({index}, Done) from {sender.name} to revert: "
            f"{sender.name} has no task {index}",
        )


@todo.check("a status that is not in the enum is refused", points=1, hidden=True)
def _(t):
    c = t.deploy()
    c.addTask("x", sender=t.bob)
    t.expect_revert(
        lambda: c.setStatus(0, 3, sender=t.bob),
        "setStatus(0, 3) to revert: there is no status 3",
        "a parameter of an enum type only takes the enum's values",
    )


# --- the allowlist -----------------------------------------------------------------------------

allowlist = exercise(
    f"{LESSON}/allowlist",
    "An allowlist the owner manages",
    contract="Allowlist",
    hints=[
        "`mapping(address => bool) public isAllowed;` gives you the `isAllowed(address)` "
        "getter; remember the deployer as `owner` in the constructor.",
        "Keep `count` right: only change it when an address's entry actually flips "
        "(adding someone twice counts once).",
        "`addMany(address[] calldata accounts)` loops over `accounts.length` and adds each "
        "one the same way `add` does (a shared internal function helps).",
    ],
)


@allowlist.check("nobody is allowed at first", points=1)
def _(t):
    c = t.deploy()
    t.expect(
        not c.isAllowed(t.bob) and c.count() == 0,
        "isAllowed(bob) to be false and count() 0 right after deployment",
        f"isAllowed(bob) = {c.isAllowed(t.bob)}, count() = {c.count()}",
    )


@allowlist.check("the owner can add and remove an address", points=1)
def _(t):
    c = t.deploy(sender=t.alice)
    c.add(t.bob, sender=t.alice)
    t.expect(c.isAllowed(t.bob), "isAllowed(bob) to be true after add(bob)", "false")
    t.expect(c.count() == 1, "count() to be 1 after add(bob)", f"{c.count()}")
    c.remove(t.bob, sender=t.alice)
    t.expect(not c.isAllowed(t.bob), "isAllowed(bob) to be false after remove(bob)", "true")
    t.expect(c.count() == 0, "count() to be 0 after remove(bob)", f"{c.count()}")


OPS = st.lists(st.tuples(st.sampled_from(["add", "remove"]), st.integers(1, 3)), max_size=6)


@allowlist.property(
    "any mix of add() and remove() keeps isAllowed() and count() right",
    OPS,
    points=2,
    examples=10,
)
def _(t, ops):
    c = t.deploy(sender=t.alice)
    allowed: set[str] = set()
    for op, who in ops:
        account = t.chain.accounts[who]
        getattr(c, op)(account, sender=t.alice)
        (allowed.add if op == "add" else allowed.discard)(account)
    t.expect(
        c.count() == len(allowed),
        f"count() to be {len(allowed)}",
        f"{c.count()}",
        "adding an address that is already allowed (or removing one that is not) "
        "must not change the count",
    )
    for account in t.chain.accounts[1:4]:
        t.expect(
            c.isAllowed(account) == (account in allowed),
            f"isAllowed({account.name}) to be {account in allowed}",
            f"{c.isAllowed(account)}",
        )


@allowlist.check("addMany() adds every address in the list, duplicates once", points=1)
def _(t):
    c = t.deploy(sender=t.alice)
    c.add(t.carol, sender=t.alice)
    c.addMany([t.bob, t.carol, t.dave, t.bob], sender=t.alice)
    flags = [c.isAllowed(a) for a in (t.bob, t.carol, t.dave, t.eve)]
    t.expect(
        flags == [True, True, True, False],
        "bob, carol and dave allowed and eve not, after addMany([bob, carol, dave, bob])",
        f"isAllowed: {flags}",
    )
    t.expect(c.count() == 3, "count() to be 3", f"{c.count()}")


@allowlist.check("only the owner can change the list", points=2, hidden=True)
def _(t):
    c = t.deploy(sender=t.alice)
    c.add(t.bob, sender=t.alice)
    for what, call in (
        ("add(carol)", lambda: c.add(t.carol, sender=t.bob)),
        ("remove(bob)", lambda: c.remove(t.bob, sender=t.bob)),
        ("addMany([carol])", lambda: c.addMany([t.carol], sender=t.bob)),
    ):
        t.expect_revert(call, f"{what} sent by bob (not the owner) to revert")
    t.expect(
        c.isAllowed(t.bob) and not c.isAllowed(t.carol) and c.count() == 1,
        "the list to be unchanged after the refused calls",
        f"isAllowed(bob) = {c.isAllowed(t.bob)}, isAllowed(carol) = {c.isAllowed(t.carol)}, "
        f"count() = {c.count()}",
    )
