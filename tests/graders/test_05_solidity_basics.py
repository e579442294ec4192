"""Lesson 05's exercises: does the reference earn full marks, does a differently written right
contract too, does each typical mistake lose exactly its own checks' points, and does the
released starter (or a wrong kind of answer) score 0 without raising?"""

from __future__ import annotations

import pytest
from lessonkit import contract, from_file, graded, outcome, score

LESSON = "05-solidity-basics"
COUNTER, GREETER, TICKETS = f"{LESSON}/counter", f"{LESSON}/greeter", f"{LESSON}/tickets"


# --- counter -----------------------------------------------------------------------------------

COUNTER_WITH_MODIFIER = """
    uint256 private _count;
    address private immutable _owner = msg.sender;
    modifier onlyOwner() { require(msg.sender == _owner, "only the owner"); _; }
    function count() external view returns (uint256) { return _count; }
    function increment() external { _count++; }
    function reset() external onlyOwner { delete _count; }
"""


@pytest.fixture(scope="module")
def counters():
    return {
        "reference": from_file("solutions", LESSON, "Counter"),
        "modifier": contract("Counter", COUNTER_WITH_MODIFIER),
        "open-reset": contract(
            "Counter",
            "uint256 public count;\n"
            "function increment() external { count += 1; }\n"
            "function reset() external { count = 0; }",
        ),
        "starter": from_file("contracts", LESSON, "Counter"),
    }


def test_counter_right_answers_earn_full_marks(counters, module_chain):
    assert score(COUNTER, counters["reference"], module_chain) == 6
    assert score(COUNTER, counters["modifier"], module_chain) == 6


def test_counter_reset_for_anyone_loses_the_hidden_owner_check(counters, module_chain):
    assert outcome(COUNTER, counters["open-reset"], module_chain) == (
        4,
        ["anyone else's reset() reverts and changes nothing"],
    )


def test_counter_starter_and_wrong_type_score_zero(counters, module_chain):
    assert score(COUNTER, counters["starter"], module_chain) == 0
    assert score(COUNTER, 42, module_chain) == 0


# --- greeter -----------------------------------------------------------------------------------

GREETER_REQUIRE = """
    string public greet;
    event GreetingChanged(address by, string oldGreeting, string newGreeting);
    constructor(string memory initialGreeting) { greet = initialGreeting; }
    function setGreeting(string memory newGreeting) public {
        require(bytes(newGreeting).length > 0, "a greeting needs at least one character");
        string memory old = greet;
        greet = newGreeting;
        emit GreetingChanged(msg.sender, old, newGreeting);
    }
"""


def greeter_variant(*, emit: str, check_empty: bool = True):
    guard = 'require(bytes(g).length > 0, "empty");' if check_empty else ""
    return contract(
        "Greeter",
        "string private _g;\n"
        "event GreetingChanged(address indexed by, string oldGreeting, string newGreeting);\n"
        "constructor(string memory g) { _g = g; }\n"
        "function greet() external view returns (string memory) { return _g; }\n"
        f"function setGreeting(string calldata g) external {{ {guard} {emit} }}",
    )


@pytest.fixture(scope="module")
def greeters():
    return {
        "reference": from_file("solutions", LESSON, "Greeter"),
        "require": contract("Greeter", GREETER_REQUIRE),
        "no-event": greeter_variant(emit="_g = g;"),
        "emits-after": greeter_variant(emit="_g = g; emit GreetingChanged(msg.sender, _g, g);"),
        "by-origin": greeter_variant(emit="emit GreetingChanged(address(this), _g, g); _g = g;"),
        "accepts-empty": greeter_variant(
            emit="emit GreetingChanged(msg.sender, _g, g); _g = g;", check_empty=False
        ),
        "starter": from_file("contracts", LESSON, "Greeter"),
    }


def test_greeter_right_answers_earn_full_marks(greeters, module_chain):
    assert score(GREETER, greeters["reference"], module_chain) == 7
    # a public getter, require, unindexed
    assert score(GREETER, greeters["require"], module_chain) == 7


EVENT_CHECK = "setGreeting(...) emits GreetingChanged(by, oldGreeting, newGreeting)"


@pytest.mark.parametrize("variant", ["no-event", "emits-after", "by-origin"])
def test_greeter_event_mistakes_lose_only_the_event_check(greeters, variant, module_chain):
    assert outcome(GREETER, greeters[variant], module_chain) == (5, [EVENT_CHECK])


def test_greeter_event_failure_says_what_was_emitted(greeters, module_chain):
    (event,) = [
        r
        for r in graded(GREETER, greeters["emits-after"], module_chain).results
        if r.title == EVENT_CHECK
    ]
    assert "oldGreeting='Hi'" in event.message and "msg.sender" in event.message


def test_greeter_accepting_empty_greetings_loses_the_hidden_check(greeters, module_chain):
    assert outcome(GREETER, greeters["accepts-empty"], module_chain) == (
        5,
        ["an empty greeting is refused and the old one stays"],
    )


def test_greeter_starter_and_wrong_type_score_zero(greeters, module_chain):
    assert score(GREETER, greeters["starter"], module_chain) == 0
    assert score(GREETER, greeters["reference"].abi, module_chain) == 0


# --- tickets -----------------------------------------------------------------------------------


def booth(*, buy_check: str, give_check: str, buy_cmp: str = ">"):
    return contract(
        "TicketBooth",
        "uint256 public remaining;\n"
        "mapping(address => uint256) public ticketsOf;\n"
        "error SoldOut(uint256 requested, uint256 available);\n"
        "error NotEnoughTickets(address holder, uint256 held, uint256 requested);\n"
        "constructor(uint256 capacity) { remaining = capacity; }\n"
        "function buy(uint256 count) external {\n"
        f"    if (count {buy_cmp} remaining) {buy_check}\n"
        "    remaining -= count; ticketsOf[msg.sender] += count;\n"
        "}\n"
        "function giveBack(uint256 count) external {\n"
        f"    if (count > ticketsOf[msg.sender]) {give_check}\n"
        "    ticketsOf[msg.sender] -= count; remaining += count;\n"
        "}",
    )


RIGHT_BUY = "revert SoldOut(count, remaining);"
RIGHT_GIVE = "revert NotEnoughTickets(msg.sender, ticketsOf[msg.sender], count);"

BOOTH_STRUCTS = """
    struct Holder { uint256 tickets; }
    uint256 private _left;
    mapping(address => Holder) private _holders;
    error SoldOut(uint256 requested, uint256 available);
    error NotEnoughTickets(address holder, uint256 held, uint256 requested);
    constructor(uint256 capacity) { _left = capacity; }
    function remaining() external view returns (uint256) { return _left; }
    function ticketsOf(address who) external view returns (uint256) {
        return _holders[who].tickets;
    }
    function buy(uint256 count) external {
        require(count <= _left, SoldOut(count, _left));
        unchecked { _left -= count; }
        _holders[msg.sender].tickets += count;
    }
    function giveBack(uint256 count) external {
        Holder storage h = _holders[msg.sender];
        require(count <= h.tickets, NotEnoughTickets(msg.sender, h.tickets, count));
        h.tickets -= count;
        _left += count;
    }
"""


@pytest.fixture(scope="module")
def booths():
    return {
        "reference": from_file("solutions", LESSON, "TicketBooth"),
        "structs": contract("TicketBooth", BOOTH_STRUCTS),  # require(cond, CustomError(...))
        "strings": booth(
            buy_check='revert("sold out");', give_check='revert("not enough tickets");'
        ),
        "swapped": booth(buy_check="revert SoldOut(remaining, count);", give_check=RIGHT_GIVE),
        "give-args": booth(
            buy_check=RIGHT_BUY,
            give_check="revert NotEnoughTickets(msg.sender, count, ticketsOf[msg.sender]);",
        ),
        "off-by-one": booth(buy_check=RIGHT_BUY, give_check=RIGHT_GIVE, buy_cmp=">="),
        "panic": booth(buy_check="{}", give_check="{}"),  # no checks: 0.8 arithmetic reverts
        "starter": from_file("contracts", LESSON, "TicketBooth"),
    }


def test_tickets_right_answers_earn_full_marks(booths, module_chain):
    assert score(TICKETS, booths["reference"], module_chain) == 9
    assert score(TICKETS, booths["structs"], module_chain) == 9


def test_tickets_string_reasons_lose_the_four_error_checks(booths, module_chain):
    assert outcome(TICKETS, booths["strings"], module_chain) == (
        5,
        [
            "buying more tickets than are left reverts with SoldOut",
            "SoldOut says how many were requested and how many are available",
            "giving back more than you hold reverts with NotEnoughTickets",
            "NotEnoughTickets says who asked, how many they hold and how many they asked",
        ],
    )


def test_tickets_wrong_error_arguments_lose_only_the_argument_check(booths, module_chain):
    assert outcome(TICKETS, booths["swapped"], module_chain) == (
        8,
        ["SoldOut says how many were requested and how many are available"],
    )
    assert outcome(TICKETS, booths["give-args"], module_chain) == (
        8,
        ["NotEnoughTickets says who asked, how many they hold and how many they asked"],
    )


def test_tickets_off_by_one_loses_the_hidden_check(booths, module_chain):
    assert outcome(TICKETS, booths["off-by-one"], module_chain) == (
        8,
        ["the last ticket can be bought, and all you hold given back"],
    )


def test_tickets_relying_on_overflow_panics_loses_the_error_checks(booths, module_chain):
    result = graded(TICKETS, booths["panic"], module_chain)
    assert float(result) == 5
    assert any("panic 0x11" in r.message for r in result.results)


def test_tickets_starter_and_wrong_type_score_zero(booths, module_chain):
    assert score(TICKETS, booths["starter"], module_chain) == 0
    assert score(TICKETS, None, module_chain) == 0
