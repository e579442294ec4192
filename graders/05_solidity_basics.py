"""Checks for lesson 05, Solidity basics."""

from hypothesis import strategies as st

from sollab.grading import exercise

counter = exercise(
    "05-solidity-basics/counter",
    "A counter with an owner-only reset",
    contract="Counter",
    hints=[
        "Keep the count in a `uint256 public count;` state variable: Solidity writes the "
        "`count()` getter for you.",
        "Remember who deployed the contract: set an `owner` state variable to `msg.sender` in "
        "the constructor.",
        'In `reset()`, `require(msg.sender == owner, "not the owner");` (or revert with a '
        "custom error) before setting the count back to 0.",
    ],
)


@counter.check("a new counter starts at zero", points=1)
def _(t):
    c = t.deploy()
    t.expect(c.count() == 0, "count() to be 0 right after deployment", f"{c.count()}")


@counter.property("increment() adds one each time", st.integers(1, 12), points=2, examples=8)
def _(t, times):
    c = t.deploy()
    for _ in range(times):
        c.increment()
    t.expect(
        c.count() == times,
        f"count() to be {times} after {times} increment() calls",
        f"{c.count()}",
        "each increment() adds exactly 1 to the stored count",
    )


@counter.check("the owner can reset the count to zero", points=1)
def _(t):
    c = t.deploy(sender=t.alice)
    c.increment(sender=t.bob)
    c.reset(sender=t.alice)
    t.expect(c.count() == 0, "count() to be 0 after the owner's reset()", f"{c.count()}")


@counter.check("anyone else's reset() reverts and changes nothing", points=2, hidden=True)
def _(t):
    c = t.deploy(sender=t.alice)
    c.increment()
    try:
        with t.reverts():
            c.reset(sender=t.bob)
    except AssertionError:
        t.expect(
            False,
            "reset() from an account that is not the owner to revert",
            "it went through",
            "check msg.sender against the owner recorded in the constructor",
        )
    t.expect(c.count() == 1, "the count to be unchanged after a refused reset()", f"{c.count()}")
