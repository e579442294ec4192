"""Contract handles: Solidity functions as Python methods, values in and out, receipts, events."""

from __future__ import annotations

import re

import pytest
from eth_utils import is_checksum_address, keccak

import sollab as lab
from sollab.contracts import Contract, ContractFunction, Event, RawLog, Receipt
from sollab.errors import ArgumentError

SOURCE = """\
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

contract Emitter {
    event Ping(address indexed from, uint256 amount);

    function ping(uint256 amount) external {
        emit Ping(msg.sender, amount);
    }
}

contract Types {
    struct Point {
        uint256 x;
        int256 y;
    }

    event Stored(address indexed who, uint256 indexed oldValue, uint256 newValue, string note);

    uint256 public number = 42;
    address public owner;
    bool public flag = true;
    string public label = "hello";
    bytes32 public tag = keccak256("tag");
    uint256[] public items;

    constructor() {
        owner = msg.sender;
        items.push(1);
        items.push(2);
        items.push(3);
    }

    function getItems() external view returns (uint256[] memory) {
        return items;
    }

    function getPoint() external pure returns (Point memory) {
        return Point(1, -2);
    }

    function getPoints() external pure returns (Point[] memory points) {
        points = new Point[](2);
        points[0] = Point(1, 2);
        points[1] = Point(3, -4);
    }

    function pair() external view returns (uint256, address, bool) {
        return (number, owner, flag);
    }

    function whoCalls() external view returns (address) {
        return msg.sender;
    }

    function echoAddress(address a) external pure returns (address) {
        return a;
    }

    function echoBytes32(bytes32 b) external pure returns (bytes32) {
        return b;
    }

    function echoBytes(bytes calldata b) external pure returns (bytes memory) {
        return b;
    }

    function sumPoint(Point calldata p) external pure returns (int256) {
        return int256(p.x) + p.y;
    }

    function sumAll(uint256[] calldata xs) external pure returns (uint256 total) {
        for (uint256 i = 0; i < xs.length; i++) {
            total += xs[i];
        }
    }

    function small(uint8 x) external pure returns (uint8) {
        return x;
    }

    function setNumber(uint256 n) external returns (uint256 old) {
        old = number;
        number = n;
        emit Stored(msg.sender, old, n, "set");
    }

    function bump() external {
        number += 1;
    }

    function describe(uint256) external pure returns (string memory) {
        return "uint";
    }

    function describe(string calldata) external pure returns (string memory) {
        return "string";
    }

    function describe(uint256, uint256) external pure returns (string memory) {
        return "two";
    }

    function deposit() external payable returns (uint256) {
        return msg.value;
    }

    function callEmitter(Emitter e, uint256 amount) external {
        e.ping(amount);
        number = amount;
    }
}
"""


@pytest.fixture(scope="module")
def compiled():
    return lab.compile_source(SOURCE, "Types.sol")


@pytest.fixture
def types(chain, compiled):
    return chain.deploy(compiled["Types"])


@pytest.fixture
def emitter(chain, compiled):
    return chain.deploy(compiled["Emitter"])


# --- views return plain Python values ---------------------------------------------------------


def test_uint_is_int(types):
    """Does a uint256 view return a Python int?"""
    value = types.number()
    assert value == 42
    assert type(value) is int


def test_address_is_checksummed_str(chain, types):
    """Does an address view return a checksummed str?"""
    owner = types.owner()
    assert type(owner) is str
    assert is_checksum_address(owner)
    assert owner == chain.alice


def test_bool_string_bytes32(types):
    """Do bool, string and bytes32 views return bool, str and bytes?"""
    assert types.flag() is True
    assert types.label() == "hello"
    tag = types.tag()
    assert isinstance(tag, bytes)
    assert tag == keccak(text="tag")


def test_array_is_list(types):
    """Does a uint256[] view return a list, and an array getter take an index?"""
    assert types.getItems() == [1, 2, 3]
    assert isinstance(types.getItems(), list)
    assert types.items(1) == 2


def test_struct_is_tuple(types):
    """Does a struct come back as a tuple, and a struct array as a list of tuples?"""
    assert types.getPoint() == (1, -2)
    assert isinstance(types.getPoint(), tuple)
    assert types.getPoints() == [(1, 2), (3, -4)]


def test_multiple_returns_are_a_tuple(chain, types):
    """Do several return values come back as a tuple?"""
    assert types.pair() == (42, chain.alice, True)


def test_function_without_outputs_called_returns_none(types):
    """Does .call() of a function with no outputs return None?"""
    assert types.bump.call() is None


# --- transactions return receipts --------------------------------------------------------------


def test_transaction_returns_a_receipt(chain, types):
    """Does a state-changing function return a Receipt with status 1, gas used and the
    function's return value?"""
    receipt = types.setNumber(7)
    assert isinstance(receipt, Receipt)
    assert receipt.status == 1
    assert receipt.succeeded
    assert receipt.gas_used > 0
    assert receipt.return_value == 42
    assert receipt.sender == chain.alice
    assert receipt.to == types.address
    assert receipt.tx_hash.startswith("0x") and len(receipt.tx_hash) == 66
    assert receipt.block_number == chain.block_number
    assert "setNumber" in receipt.function
    assert types.number() == 7


def test_receipt_without_return_value(types):
    """Is return_value None for a function that returns nothing?"""
    receipt = types.bump()
    assert receipt.return_value is None
    assert receipt.events == []


def test_receipt_events_decoded(chain, types):
    """Are events decoded with names and args, indexed and not, addresses checksummed?"""
    receipt = types.setNumber(9, sender=chain.bob)
    assert len(receipt.events) == 1
    event = receipt.events[0]
    assert isinstance(event, Event)
    assert event.name == "Stored"
    assert event.args == {"who": chain.bob, "oldValue": 42, "newValue": 9, "note": "set"}
    assert is_checksum_address(event.args["who"])
    assert event.address == types.address
    assert event["newValue"] == 9
    assert event.newValue == 9
    assert event.signature == "Stored(address,uint256,uint256,string)"
    assert receipt.events_named("Stored") == [event]
    assert receipt.events_named("Other") == []
    assert "Stored(" in repr(receipt)


def test_event_from_a_called_contract(chain, types, emitter):
    """Is an event emitted by another lab-deployed contract (called by this one) decoded?"""
    receipt = types.callEmitter(emitter, 3)
    (event,) = receipt.events
    assert isinstance(event, Event)
    assert event.name == "Ping"
    assert event.address == emitter.address
    assert event.args == {"from": types.address, "amount": 3}


def test_event_the_lab_has_never_seen_stays_a_raw_log(chain):
    """Is a log whose event no contract the lab knows declares kept as a RawLog?"""
    source = (
        "pragma solidity ^0.8.24;\n"
        "contract Other { event Secret(uint256 indexed x, uint256 y);"
        " function fire() external { emit Secret(1, 4); } }\n"
    )
    other = lab.compile_source(source, "Other.sol")["Other"]
    w3 = chain.w3  # deployed behind the lab's back: the lab never registers its ABI
    tx = w3.eth.send_transaction({"from": chain.alice, "data": other.bytecode, "gas": 1_000_000})
    address = w3.eth.wait_for_transaction_receipt(tx).contractAddress
    receipt = chain.send(address, 0, data=keccak(text="fire()")[:4])
    (log,) = receipt.events
    assert isinstance(log, RawLog)
    assert log.address == address
    assert len(log.topics) == 2
    assert int.from_bytes(log.data, "big") == 4


def test_call_on_a_non_view_does_not_change_state(types):
    """Does .call() simulate a state-changing function: return value, no change?"""
    assert types.setNumber.call(5) == 42
    assert types.number() == 42


def test_transact_on_a_view_sends_a_transaction(chain, types):
    """Does .transact() on a view send a real transaction and return its Receipt?"""
    block = chain.block_number
    nonce = chain.nonce(chain.alice)
    receipt = types.number.transact()
    assert isinstance(receipt, Receipt)
    assert receipt.status == 1
    assert receipt.return_value == 42
    assert chain.block_number == block + 1
    assert chain.nonce(chain.alice) == nonce + 1


def test_view_call_sender(chain, types):
    """Does sender= set msg.sender for a view call?"""
    assert types.whoCalls() == chain.alice
    assert types.whoCalls(sender=chain.bob) == chain.bob
    with chain.sender(chain.carol):
        assert types.whoCalls() == chain.carol


def test_payable_function_value(chain, types):
    """Does value= reach a payable function, in a transaction and in a call?"""
    receipt = types.deposit(value=5)
    assert receipt.return_value == 5
    assert chain.balance(types) == 5
    assert types.deposit.call(value=3) == 3
    assert chain.balance(types) == 5


def test_value_to_a_non_payable_function(types):
    """Is value= to a non-payable function an ArgumentError naming the function?"""
    with pytest.raises(ArgumentError, match=r"Types\.setNumber\(uint256 n\) is not payable"):
        types.setNumber(1, value=1)
    with pytest.raises(ArgumentError, match="not payable"):
        types.number(value=1)
    assert types.number() == 42


# --- overloads ---------------------------------------------------------------------------------


def test_overload_by_argument_count(types):
    """Is the overload picked by the number of arguments?"""
    assert types.describe(1) == "uint"
    assert types.describe(1, 2) == "two"


def test_overload_by_argument_type(types):
    """Is the overload picked by the type of the argument when counts tie?"""
    assert types.describe("x") == "string"
    assert types.describe(5) == "uint"


def test_overloads_listed(types):
    """Does a function handle list all its overloads' signatures?"""
    assert isinstance(types.describe, ContractFunction)
    assert sorted(types.describe.signatures) == [
        "describe(string)",
        "describe(uint256)",
        "describe(uint256,uint256)",
    ]
    assert "Types.describe(string)" in repr(types.describe)


def test_no_overload_takes_that_many_arguments(types):
    """Is a call matching no overload's count an ArgumentError listing the overloads?"""
    with pytest.raises(ArgumentError, match=r"no overload of Types\.describe takes 3 arguments"):
        types.describe(1, 2, 3)


def test_no_overload_accepts_those_types(types):
    """Is a call matching no overload's types an ArgumentError explaining each?"""
    with pytest.raises(ArgumentError) as info:
        types.describe(1.5)
    message = str(info.value)
    assert "no overload of Types.describe accepts these arguments" in message
    assert "must be a str" in message
    assert "must be an int" in message


# --- arguments ---------------------------------------------------------------------------------


def test_wrong_argument_count(types):
    """Is a wrong number of arguments an ArgumentError naming the function?"""
    with pytest.raises(ArgumentError, match=r"Types\.small\(uint8 x\) takes 1 argument, got 0"):
        types.small()
    with pytest.raises(ArgumentError, match="takes 1 argument, got 2"):
        types.setNumber(1, 2)


@pytest.mark.parametrize(
    ("function", "value", "expected"),
    [
        ("small", "1", "must be an int, got '1' (str)"),
        ("small", -1, "must be between 0 and 255, got -1"),
        ("small", 256, "must be between 0 and 255, got 256"),
        ("small", True, "must be an int, got True (bool)"),
        ("small", [1], "must be an int, got [1] (list)"),
        ("small", 1.0, "must be an int"),
        ("setNumber", -5, "must be between 0 and"),
        ("echoAddress", "0x123", "must be an address"),
        ("echoAddress", 12345, "must be an address"),
        ("echoBytes32", "zz", "must be bytes or a 0x hex string"),
        ("echoBytes32", b"x" * 33, "at most 32 bytes"),
        ("sumAll", 5, "must be a list"),
        ("sumAll", "123", "must be a list"),
        ("sumPoint", {"x": 1}, "a dict with exactly the fields x, y"),
        ("sumPoint", (1, 2, 3), "a tuple of 2 fields"),
        ("sumPoint", 7, "a tuple of 2 fields"),
    ],
)
def test_wrong_argument_type(types, function, value, expected):
    """Is a wrongly typed argument an ArgumentError naming the function and the argument?"""
    with pytest.raises(ArgumentError) as info:
        getattr(types, function)(value)
    message = str(info.value)
    assert f"Types.{function}(" in message
    assert "argument 1" in message
    assert expected in message
    assert "\n" not in message


def test_argument_error_is_a_type_error(types):
    """Can a learner catch a bad argument with `except TypeError`?"""
    with pytest.raises(TypeError):
        types.small("x")


def test_address_arguments(chain, types, emitter):
    """Are an Account, a Contract handle and a lower-case hex string accepted as addresses?"""
    assert types.echoAddress(chain.bob) == chain.bob
    assert types.echoAddress(emitter) == emitter.address
    assert types.echoAddress(chain.bob.lower()) == chain.bob
    assert types.echoAddress(bytes.fromhex(chain.bob[2:])) == chain.bob


def test_bytes_arguments(types):
    """Are hex strings and bytes accepted for bytes32 and bytes, short bytes32 padded?"""
    word = "0x" + "ab" * 32
    assert types.echoBytes32(word) == bytes.fromhex("ab" * 32)
    assert types.echoBytes32(b"\x01" * 32) == b"\x01" * 32
    assert types.echoBytes32("0x01") == b"\x01" + b"\x00" * 31
    assert types.echoBytes("0xdeadbeef") == bytes.fromhex("deadbeef")
    assert types.echoBytes(bytearray(b"hi")) == b"hi"


def test_struct_arguments(types):
    """Is a struct accepted as a dict by field name, or a tuple/list in order?"""
    assert types.sumPoint({"x": 5, "y": -7}) == -2
    assert types.sumPoint((5, -7)) == -2
    assert types.sumPoint([5, -7]) == -2


def test_array_arguments(types):
    """Is a list (or tuple, or range) accepted for a dynamic array?"""
    assert types.sumAll([1, 2, 3]) == 6
    assert types.sumAll((4, 5)) == 9
    assert types.sumAll(range(4)) == 6
    assert types.sumAll([]) == 0


# --- handle ------------------------------------------------------------------------------------


def test_unknown_attribute_suggests_a_case_typo(types):
    """Does a case typo get an AttributeError with "did you mean"?"""
    with pytest.raises(AttributeError, match="did you mean 'setNumber'"):
        types.setnumber  # noqa: B018


def test_unknown_attribute_lists_functions(types):
    """Does an unknown attribute's AttributeError list the contract's functions?"""
    with pytest.raises(AttributeError) as info:
        types.nope  # noqa: B018
    message = str(info.value)
    assert "did you mean" not in message
    assert "setNumber" in message
    assert "Types has no function 'nope'" in message


def test_contract_handle_basics(chain, compiled, types):
    """Do a handle's name, ABI, functions, equality and repr say which contract it is?"""
    assert isinstance(types, Contract)
    assert types.contract_name == "Types"
    assert types.abi == compiled["Types"].abi
    assert "setNumber" in types.functions
    assert types.functions["setNumber"].name == "setNumber"
    assert types.number.is_view
    assert not types.setNumber.is_view
    assert types == chain.at(compiled["Types"], types.address)
    assert types != chain.deploy(compiled["Types"])
    assert hash(types) == hash(types.address)
    assert repr(types) == f"<Types at {types.address}>"


def test_keyword_arguments_go_by_solidity_parameter_names(chain):
    """Can a function be called with keyword arguments named as in Solidity, and are unknown
    or doubled names one-line ArgumentErrors?"""
    source = (
        "pragma solidity ^0.8.24;\n"
        "contract K { function sub(uint256 a, uint256 b) external pure returns (uint256)"
        " { return a - b; } }\n"
    )
    k = chain.deploy(lab.compile_source(source, "K.sol")["K"])
    assert k.sub(b=1, a=5) == 4
    assert k.sub(9, b=2) == 7
    with pytest.raises(ArgumentError, match="has no parameter named 'c'"):
        k.sub(1, c=2)
    with pytest.raises(ArgumentError, match="given both by position and by name"):
        k.sub(1, a=2)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"gas": "x"}, "gas='x' must be a whole number"),
        ({"value": 1.5}, "value=1.5 must be a whole"),
        ({"value": -1}, "value=-1 must be a whole, non-negative"),
    ],
)
def test_bad_gas_and_value_are_argument_errors(chain, options, message):
    source = "pragma solidity ^0.8.24;\ncontract P { function f() external payable {} }\n"
    p = chain.deploy(lab.compile_source(source, "P.sol")["P"])
    with pytest.raises(ArgumentError, match=re.escape(message)):
        p.f(**options)


def test_a_handle_whose_deployment_was_undone_says_so(chain, compiled):
    """Does calling or transacting on a contract whose deployment an anchor undid raise one
    ChainError saying so, instead of eth_abi's InsufficientDataBytes or a silent no-op?"""
    from sollab.errors import ChainError

    with chain.anchor():
        types = chain.deploy(compiled["Types"])
        assert types.number() == 42
    with pytest.raises(ChainError, match=r"no contract at .* any more.*deploy it again"):
        types.number()
    with pytest.raises(ChainError, match=r"Types\.setNumber.*no contract at"):
        types.setNumber(7)
