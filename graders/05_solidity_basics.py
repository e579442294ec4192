"""Checks for lesson 05, Solidity basics."""

from hypothesis import strategies as st

from sollab.grading import exercise
from sollab.testing import describe


def _named(t, value):
    """A value as a learner reads it: the chain's accounts by name, strings quoted."""
    for account in t.chain.accounts:
        if isinstance(value, str) and value.lower() == account.lower():
            return account.name
    return repr(value)


def _shown(t, what) -> str:
    """An event or a custom error with its arguments, accounts by name."""
    name = getattr(what, "name", type(what).__name__)
    args = getattr(what, "args_by_name", None)
    if args is None:
        args = getattr(what, "args", None)
    if not isinstance(args, dict):  # a reason string, a panic, ...
        return describe(what)
    return f"{name}(" + ", ".join(f"{k}={_named(t, v)}" for k, v in args.items()) + ")"


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
    t.expect_revert(
        lambda: c.reset(sender=t.bob),
        "reset() from an account that is not the owner to revert",
        "check msg.sender against the owner recorded in the constructor",
    )
    t.expect(c.count() == 1, "the count to be unchanged after a refused reset()", f"{c.count()}")


# --- a greeter with events ----------------------------------------------------------------------

greeter = exercise(
    "05-solidity-basics/greeter",
    "A greeter that announces every change with an event",
    contract="Greeter",
    hints=[
        "Store the greeting in a `string` state variable; the constructor takes the first one "
        "(`string memory initialGreeting`) and `greet()` is a `view` that returns it.",
        "Declare the event at contract level, `event GreetingChanged(address by, string "
        "oldGreeting, string newGreeting);`, and `emit` it in `setGreeting`.",
        "Emit while you still know the old greeting: read it before you overwrite it.",
        "`bytes(newGreeting).length == 0` tells you the new greeting is empty.",
    ],
)

# Greetings: any printable text (no lone surrogates: Solidity strings are UTF-8).
GREETINGS = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40)


@greeter.property(
    "greet() returns the greeting given to the constructor", GREETINGS, points=1, examples=5
)
def _(t, text):
    got = t.deploy(text).greet()
    t.expect(got == text, f"greet() to return {text!r}", repr(got))


@greeter.property("setGreeting(...) changes what greet() returns", GREETINGS, points=2, examples=5)
def _(t, text):
    g = t.deploy("Hello")
    g.setGreeting(text, sender=t.bob)
    t.expect(
        g.greet() == text,
        f"greet() to return {text!r} after setGreeting({text!r})",
        repr(g.greet()),
        "store the new greeting in the state variable greet() reads",
    )


@greeter.check("setGreeting(...) emits GreetingChanged(by, oldGreeting, newGreeting)", points=2)
def _(t):
    g = t.deploy("Hello")
    first = g.setGreeting("Hi", sender=t.bob)
    second = g.setGreeting("Hey", sender=t.carol)
    for receipt, who, old, new in [(first, t.bob, "Hello", "Hi"), (second, t.carol, "Hi", "Hey")]:
        try:
            t.emitted(receipt, "GreetingChanged", by=who, oldGreeting=old, newGreeting=new)
        except AssertionError:
            seen = [e for e in receipt.events if getattr(e, "name", None) == "GreetingChanged"]
            got = "; ".join(_shown(t, e) for e in seen) or "no GreetingChanged event"
            t.expect(
                False,
                f"GreetingChanged(by={who.name}, oldGreeting={old!r}, newGreeting={new!r})",
                got,
                "emit the caller (msg.sender), the greeting before the change and the new one",
            )


@greeter.check("an empty greeting is refused and the old one stays", points=2, hidden=True)
def _(t):
    g = t.deploy("Hello")
    t.expect_revert(lambda: g.setGreeting("", sender=t.bob), 'setGreeting("") to revert')
    t.expect(g.greet() == "Hello", "the greeting to stay 'Hello'", repr(g.greet()))


# --- custom errors with arguments ---------------------------------------------------------------

booth = exercise(
    "05-solidity-basics/tickets",
    "A ticket booth whose errors say what went wrong",
    contract="TicketBooth",
    hints=[
        "Keep two pieces of state: how many tickets are left (a `uint256`) and how many each "
        "address holds (a `mapping(address => uint256)`).",
        "Declare the errors at contract level with named parameters, e.g. `error SoldOut("
        "uint256 requested, uint256 available);`, and `revert SoldOut(count, ...)` before "
        "changing anything.",
        "Asking for exactly what is left (or giving back exactly what you hold) is allowed: "
        "compare with `>`, not `>=`.",
    ],
)


def _booth_reverts(t, call, name: str, hint: str, **args):
    """Expect ``call()`` to revert with the custom error ``name`` (with these ``args``)."""
    try:
        with t.reverts(name, **args) as caught:
            call()
    except AssertionError:
        got = "no revert: the call went through"
        if caught.error is not None:
            got = f"a revert with {_shown(t, caught.error)}"
        wanted = ", ".join(f"{k}={_named(t, v)}" for k, v in args.items())
        t.expect(
            False, f"a revert with {name}({wanted})" if args else f"a revert with {name}", got, hint
        )


@booth.property(
    "a new booth has `capacity` tickets for sale and nobody holds any",
    st.integers(0, 10**30),
    points=1,
    examples=5,
)
def _(t, capacity):
    b = t.deploy(capacity)
    t.expect(b.remaining() == capacity, f"remaining() to be {capacity}", f"{b.remaining()}")
    held = b.ticketsOf(t.alice)
    t.expect(held == 0, "ticketsOf(alice) to be 0 before anyone buys", f"{held}")


@booth.property(
    "buy(count) moves tickets from the booth to the buyer",
    st.lists(st.tuples(st.integers(0, 2), st.integers(0, 5)), min_size=1, max_size=6),
    points=2,
    examples=6,
)
def _(t, purchases):
    b = t.deploy(100)
    buyers = [t.alice, t.bob, t.carol]
    held = [0, 0, 0]
    for who, count in purchases:
        b.buy(count, sender=buyers[who])
        held[who] += count
    for who, count in zip(buyers, held, strict=True):
        t.expect(
            b.ticketsOf(who) == count,
            f"ticketsOf({who.name}) to be {count}",
            f"{b.ticketsOf(who)}",
            "add to the buyer's own entry, msg.sender",
        )
    t.expect(
        b.remaining() == 100 - sum(held),
        f"remaining() to be {100 - sum(held)} after {sum(held)} of 100 tickets were bought",
        f"{b.remaining()}",
    )


@booth.check("buying more tickets than are left reverts with SoldOut", points=1)
def _(t):
    b = t.deploy(5)
    b.buy(2, sender=t.bob)
    hint = "declare `error SoldOut(...)` and `revert` with it, not with require and a string"
    _booth_reverts(t, lambda: b.buy(4, sender=t.carol), "SoldOut", hint)


@booth.check("SoldOut says how many were requested and how many are available", points=1)
def _(t):
    b = t.deploy(5)
    b.buy(2, sender=t.bob)
    hint = "the parameters are named requested and available, in that order"
    _booth_reverts(t, lambda: b.buy(4, sender=t.carol), "SoldOut", hint, requested=4, available=3)


@booth.check("giveBack(count) returns tickets to the booth", points=1)
def _(t):
    b = t.deploy(10)
    b.buy(6, sender=t.bob)
    b.giveBack(4, sender=t.bob)
    held = b.ticketsOf(t.bob)
    t.expect(held == 2, "ticketsOf(bob) to be 2 after buying 6 and giving back 4", f"{held}")
    t.expect(
        b.remaining() == 8,
        "remaining() to be 8: given-back tickets are for sale again",
        f"{b.remaining()}",
    )


@booth.check("giving back more than you hold reverts with NotEnoughTickets", points=1)
def _(t):
    b = t.deploy(10)
    b.buy(3, sender=t.bob)
    hint = "declare `error NotEnoughTickets(...)` and `revert` with it"
    _booth_reverts(t, lambda: b.giveBack(4, sender=t.bob), "NotEnoughTickets", hint)


@booth.check(
    "NotEnoughTickets says who asked, how many they hold and how many they asked", points=1
)
def _(t):
    b = t.deploy(10)
    b.buy(3, sender=t.bob)
    hint = "the parameters are named holder, held and requested, in that order"
    _booth_reverts(
        t,
        lambda: b.giveBack(5, sender=t.bob),
        "NotEnoughTickets",
        hint,
        holder=t.bob,
        held=3,
        requested=5,
    )


@booth.check("the last ticket can be bought, and all you hold given back", points=1, hidden=True)
def _(t):
    b = t.deploy(4)
    b.buy(1, sender=t.alice)
    for step, call in [
        ("buy(3) with exactly 3 tickets left", lambda: b.buy(3, sender=t.bob)),
        ("giveBack(3) holding exactly 3", lambda: b.giveBack(3, sender=t.bob)),
    ]:
        try:
            call()
        except Exception as exc:
            t.expect(False, f"{step} to go through", str(exc).splitlines()[0])
    t.expect(b.remaining() == 3, "remaining() to be 3 at the end", f"{b.remaining()}")
