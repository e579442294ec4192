"""Failed calls explained: revert reasons, custom errors, panics, and the Solidity line that failed.

Also the source-map plumbing (``sollab.sourcemap``) that turns a program counter into that line.
"""

from __future__ import annotations

import pytest
from eth_abi import encode
from eth_tester.exceptions import TransactionFailed

import sollab as lab
from sollab import failures, sourcemap
from sollab.backends import Execution
from sollab.errors import (
    ArithmeticOverflow,
    AssertionFailed,
    CustomError,
    DivisionByZero,
    IndexOutOfBounds,
    InvalidOpcode,
    LabError,
    OutOfGas,
    Panic,
    RevertError,
    TransactionReverted,
)

SOURCE = """\
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

contract Callee {
    error TooBig(uint256 given, uint256 limit);

    function check(uint256 x) external pure returns (uint256) {
        if (x > 10) revert TooBig(x, 10);
        return x;
    }
}

contract Reverter {
    error Unauthorized(address caller, string why);

    uint256[] public arr;
    uint256 public stored;

    function needPositive(uint256 x) external {
        require(x > 0, "x must be positive");
        stored = x;
    }

    function custom() external view {
        revert Unauthorized(msg.sender, "nope");
    }

    function customTx() external {
        stored = 1;
        revert Unauthorized(msg.sender, "not in a transaction either");
    }

    function overflow(uint8 a) external pure returns (uint8) {
        return a + 200;
    }

    function divide(uint256 a, uint256 b) external pure returns (uint256) {
        return a / b;
    }

    function index(uint256 i) external view returns (uint256) {
        return arr[i];
    }

    function check(uint256 x) external pure {
        assert(x != 13);
    }

    function bare() external pure {
        revert();
    }

    function callCallee(Callee c, uint256 x) external returns (uint256) {
        stored = c.check(x);
        return stored;
    }
}

contract BadCtor {
    uint256 public x;

    constructor(uint256 x_) {
        require(x_ != 0, "x must not be zero");
        x = x_;
    }
}
"""

FILE = "Reverts.sol"


def line_of(snippet: str) -> int:
    """1-based line number of the (unique) source line containing ``snippet``."""
    (number,) = [i for i, text in enumerate(SOURCE.splitlines(), 1) if snippet in text]
    return number


@pytest.fixture(scope="module")
def compiled():
    return lab.compile_source(SOURCE, FILE)


@pytest.fixture
def reverter(chain, compiled):
    return chain.deploy(compiled["Reverter"])


@pytest.fixture
def callee(chain, compiled):
    return chain.deploy(compiled["Callee"])


# --- require and revert strings ----------------------------------------------------------------


def test_require_with_reason(reverter):
    """Does a failed require("...") raise RevertError with .reason set to the string?"""
    with pytest.raises(RevertError) as info:
        reverter.needPositive(0)
    exc = info.value
    assert exc.reason == "x must be positive"
    assert "Reverter.needPositive(uint256 x) reverted: 'x must be positive'" in str(exc)
    assert reverter.stored() == 0


def test_require_location_and_caret(reverter):
    """Does the RevertError text give the Solidity file:line and a caret line under require?"""
    with pytest.raises(RevertError) as info:
        reverter.needPositive(0)
    exc = info.value
    line = line_of('require(x > 0, "x must be positive")')
    assert exc.location.file == FILE
    assert exc.location.line == line
    text = str(exc)
    assert f"{FILE}:{line}:" in text
    lines = text.splitlines()
    (code_index,) = [i for i, t in enumerate(lines) if 'require(x > 0, "x must be positive")' in t]
    code, caret = lines[code_index], lines[code_index + 1]
    assert set(caret.split("|", 1)[1].strip()) == {"^"}
    start = caret.index("^")
    assert code[start:].startswith("require(")
    assert caret.count("^") == len('require(x > 0, "x must be positive")')


def test_require_reverts_the_same_way_in_a_call(reverter):
    """Does .call() of a reverting function raise the same RevertError, without a receipt?"""
    with pytest.raises(RevertError) as info:
        reverter.needPositive.call(0)
    assert info.value.reason == "x must be positive"
    assert info.value.receipt is None
    assert info.value.location.line == line_of("require(x > 0")


def test_bare_revert(reverter):
    """Is a bare revert() a RevertError with reason None, located at the revert?"""
    with pytest.raises(RevertError) as info:
        reverter.bare()
    assert info.value.reason is None
    assert info.value.data == b""
    assert "without a reason" in str(info.value)
    assert info.value.location.line == line_of("revert();")


# --- custom errors -----------------------------------------------------------------------------


def test_custom_error_with_arguments(chain, reverter):
    """Is `revert Unauthorized(msg.sender, "nope")` a CustomError with its name and args?"""
    with pytest.raises(CustomError) as info:
        reverter.custom(sender=chain.bob)
    exc = info.value
    assert exc.name == "Unauthorized"
    assert exc.args_by_name == {"caller": chain.bob, "why": "nope"}
    assert "Unauthorized(caller=" in str(exc)
    assert exc.location.line == line_of('revert Unauthorized(msg.sender, "nope")')


def test_custom_error_in_a_transaction(chain, reverter):
    """Does a custom error in a transaction undo its writes and carry a failed receipt?"""
    with pytest.raises(CustomError) as info:
        reverter.customTx()
    exc = info.value
    assert exc.args_by_name["why"] == "not in a transaction either"
    assert exc.receipt.status == 0
    assert reverter.stored() == 0


def test_revert_bubbling_up_from_a_callee(chain, reverter, callee):
    """When A calls B and B reverts with a custom error, is it decoded and located in B?"""
    with pytest.raises(CustomError) as info:
        reverter.callCallee(callee, 11)
    exc = info.value
    assert exc.name == "TooBig"
    assert exc.args_by_name == {"given": 11, "limit": 10}
    assert "Reverter.callCallee" in str(exc)  # what the learner called
    assert exc.location.file == FILE
    assert exc.location.line == line_of("revert TooBig(x, 10)")  # where it failed: in Callee
    assert reverter.callCallee(callee, 3).return_value == 3


def test_revert_bubbling_up_in_a_call(reverter, callee):
    """Is a callee's revert also decoded and located for a simulated .call()?"""
    with pytest.raises(CustomError) as info:
        reverter.callCallee.call(callee, 12)
    assert info.value.args_by_name["given"] == 12
    assert info.value.location.line == line_of("revert TooBig(x, 10)")


# --- panics ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("function", "args", "lab_class", "builtin", "code"),
    [
        ("overflow", (100,), ArithmeticOverflow, OverflowError, 0x11),
        ("divide", (1, 0), DivisionByZero, ZeroDivisionError, 0x12),
        ("index", (3,), IndexOutOfBounds, IndexError, 0x32),
        ("check", (13,), AssertionFailed, AssertionError, 0x01),
    ],
)
def test_panics(reverter, function, args, lab_class, builtin, code):
    """Is each Solidity panic its own Panic subclass, also catchable as the built-in?"""
    with pytest.raises(lab_class) as info:
        getattr(reverter, function)(*args)
    exc = info.value
    assert isinstance(exc, builtin)
    assert isinstance(exc, Panic)
    assert exc.code == code
    assert f"(Panic 0x{code:02x})" in str(exc)
    with pytest.raises(builtin):
        getattr(reverter, function)(*args)


@pytest.mark.parametrize(
    ("function", "args", "expression"),
    [
        ("overflow", (100,), "a + 200"),
        ("divide", (1, 0), "a / b"),
        ("index", (3,), "arr[i]"),
        ("check", (13,), "assert(x != 13)"),
    ],
)
def test_panics_point_at_the_expression(reverter, function, args, expression):
    """A panic reverts inside compiler-generated code: is it still located at the learner's
    expression (found by replaying the call), with a caret under it?"""
    with pytest.raises(Panic) as info:
        getattr(reverter, function)(*args)
    location = info.value.location
    assert location is not None
    assert location.line == line_of(expression)
    start = location.column - 1
    assert location.line_text[start:].startswith(expression)
    assert f"{FILE}:{location.line}:" in str(info.value)


def test_panic_in_a_transaction_is_located_on_the_state_it_ran_on(chain, reverter):
    """For a mined (failed) transaction, is the replay done on the state before it?"""
    with pytest.raises(ArithmeticOverflow) as info:
        reverter.overflow.transact(100)
    assert info.value.receipt.status == 0
    assert info.value.location.line == line_of("a + 200")


def test_panics_do_not_fire_on_good_input(reverter):
    """Do the panicking functions return normally for good input?"""
    assert reverter.overflow(55) == 255
    assert reverter.divide(7, 2) == 3
    reverter.check(12)


# --- constructors and receipts -----------------------------------------------------------------


def test_revert_inside_a_constructor(chain, compiled):
    """Is a revert in a constructor a RevertError located in the constructor, with a failed
    receipt and no contract?"""
    with pytest.raises(RevertError) as info:
        chain.deploy(compiled["BadCtor"], 0)
    exc = info.value
    assert exc.reason == "x must not be zero"
    assert "deploying BadCtor" in str(exc)
    assert exc.location.line == line_of('require(x_ != 0, "x must not be zero")')
    assert exc.receipt.status == 0
    assert exc.receipt.contract_address is None
    assert "deploy" in repr(exc.receipt)
    assert chain.deploy(compiled["BadCtor"], 1).x() == 1


def test_reverted_transaction_has_a_failed_receipt(chain, reverter):
    """Does a reverted transaction raise with .receipt.status == 0, gas used, and is it mined?"""
    nonce = chain.nonce(chain.alice)
    block = chain.block_number
    with pytest.raises(RevertError) as info:
        reverter.needPositive(0)
    receipt = info.value.receipt
    assert receipt.status == 0
    assert not receipt.succeeded
    assert receipt.gas_used > 21_000
    assert receipt.block_number == block + 1
    assert receipt.return_value is None
    assert "needPositive" in repr(receipt)
    assert chain.nonce(chain.alice) == nonce + 1


# --- one exception family, and nothing leaks ----------------------------------------------------


def _failures(chain, compiled, reverter, callee):
    yield lambda: reverter.needPositive(0)
    yield lambda: reverter.needPositive.call(0)
    yield lambda: reverter.custom()
    yield lambda: reverter.customTx()
    yield lambda: reverter.overflow(100)
    yield lambda: reverter.divide(1, 0)
    yield lambda: reverter.index(0)
    yield lambda: reverter.check.transact(13)
    yield lambda: reverter.bare()
    yield lambda: reverter.callCallee(callee, 11)
    yield lambda: chain.deploy(compiled["BadCtor"], 0)


def test_every_revert_is_a_lab_error(chain, compiled, reverter, callee):
    """Is every kind of revert a TransactionReverted and a LabError, with eth-tester's
    TransactionFailed never leaking, not even as a cause or context?"""
    count = 0
    for fail in _failures(chain, compiled, reverter, callee):
        with pytest.raises(TransactionReverted) as info:
            fail()
        exc = info.value
        assert isinstance(exc, LabError)
        assert not isinstance(exc, TransactionFailed)
        seen = exc
        while seen is not None:
            assert not isinstance(seen, TransactionFailed)
            seen = seen.__cause__ or seen.__context__
        count += 1
    assert count == 11


def test_stock_web3_raises_transaction_failed(compiled):
    """Does stock web3 on eth-tester raise TransactionFailed on a revert (what the lab hides)?"""
    from web3 import EthereumTesterProvider, Web3

    w3 = Web3(EthereumTesterProvider())
    artifact = compiled["Reverter"]
    factory = w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
    sender = w3.eth.accounts[0]
    receipt = w3.eth.wait_for_transaction_receipt(
        factory.constructor().transact({"from": sender, "gas": 3_000_000})
    )
    handle = w3.eth.contract(address=receipt["contractAddress"], abi=artifact.abi)
    with pytest.raises(TransactionFailed):
        handle.functions.needPositive(0).call()


def test_reverts_through_chain_w3_are_lab_errors_and_contract_logic_errors(
    chain, compiled, reverter
):
    """Through lab.chain.w3, does a revert end in the lab's family and still satisfy web3 code
    that catches ContractLogicError?"""
    from web3.exceptions import ContractLogicError

    handle = chain.w3.eth.contract(address=reverter.address, abi=compiled["Reverter"].abi)
    with pytest.raises(RevertError) as info:
        handle.functions.needPositive(0).call()
    assert isinstance(info.value, ContractLogicError)
    assert info.value.reason == "x must be positive"
    assert info.value.location is not None
    with pytest.raises(ArithmeticOverflow) as info:
        handle.functions.overflow(255).call()
    assert isinstance(info.value, ContractLogicError) and isinstance(info.value, OverflowError)
    with pytest.raises(CustomError) as info:  # transact() estimates gas first: that fails
        handle.functions.customTx().transact({"from": chain.alice})
    assert info.value.name == "Unauthorized"
    assert info.value.args_by_name == {"caller": chain.alice, "why": "not in a transaction either"}


# --- failures.exception_for on hand-made executions ----------------------------------------------


def _reverted(data: bytes, error: str = "revert") -> Execution:
    return Execution(success=False, output=data, gas_used=100, error=error, gas_limit=1000)


def test_exception_for_error_string():
    """Is Error(string) revert data a RevertError with the reason?"""
    data = failures.ERROR_STRING_SELECTOR + encode(["string"], ["nope"])
    exc = failures.exception_for(_reverted(data), "f()", {})
    assert type(exc) is RevertError
    assert exc.reason == "nope"
    assert exc.data == data
    assert exc.location is None
    assert str(exc) == "f() reverted: 'nope'"


def test_exception_for_unknown_panic_code():
    """Is a panic code without its own class a plain Panic with the code?"""
    data = failures.PANIC_SELECTOR + encode(["uint256"], [0x21])
    exc = failures.exception_for(_reverted(data), "f()", {})
    assert type(exc) is Panic
    assert exc.code == 0x21
    assert "enum" in str(exc)


def test_exception_for_unknown_custom_error():
    """Is revert data no known ABI matches a TransactionReverted showing the raw data?"""
    exc = failures.exception_for(_reverted(b"\xde\xad\xbe\xef"), "f()", {})
    assert type(exc) is TransactionReverted
    assert "0xdeadbeef" in str(exc)


def test_exception_for_known_custom_error_without_names():
    """Are unnamed custom-error parameters given names arg0, arg1, ...?"""
    item = {
        "type": "error",
        "name": "Oops",
        "inputs": [{"type": "uint256", "name": ""}, {"type": "bool", "name": ""}],
    }
    from sollab import abi

    data = abi.selector(item) + encode(["uint256", "bool"], [5, True])
    exc = failures.exception_for(_reverted(data), "f()", {abi.selector(item): item})
    assert isinstance(exc, CustomError)
    assert exc.args_by_name == {"arg0": 5, "arg1": True}


def test_exception_for_out_of_gas_and_invalid_opcode():
    """Are out_of_gas and invalid_opcode executions OutOfGas and InvalidOpcode?"""
    oog = failures.exception_for(_reverted(b"", "out_of_gas"), "f()", {})
    assert isinstance(oog, OutOfGas)
    assert "1,000 gas" in str(oog)
    bad = failures.exception_for(_reverted(b"", "invalid_opcode"), "f()", {})
    assert isinstance(bad, InvalidOpcode)
    assert isinstance(bad, TransactionReverted)


def test_exception_for_other_failures():
    """Is an unexpected failure kind a TransactionReverted quoting the EVM's message?"""
    execution = _reverted(b"", "StackDepthLimit")
    execution.error_message = "stack too deep"
    exc = failures.exception_for(execution, "f()", {})
    assert type(exc) is TransactionReverted
    assert "stack too deep" in str(exc)


# --- sourcemap -------------------------------------------------------------------------------


def test_instruction_index_skips_push_data():
    """Does instruction_index count instructions, skipping PUSH data bytes?"""
    # PUSH1 0x80, PUSH1 0x40, MSTORE, PUSH0, PUSH2 0x0102, STOP
    code = bytes([0x60, 0x80, 0x60, 0x40, 0x52, 0x5F, 0x61, 0x01, 0x02, 0x00])
    assert sourcemap.instruction_index(code, 0) == 0
    assert sourcemap.instruction_index(code, 2) == 1
    assert sourcemap.instruction_index(code, 4) == 2
    assert sourcemap.instruction_index(code, 5) == 3
    assert sourcemap.instruction_index(code, 6) == 4
    assert sourcemap.instruction_index(code, 9) == 5


def test_instruction_index_inside_push_data_or_past_the_end():
    """Is a pc inside PUSH data, or past the end of the code, None?"""
    code = bytes([0x7F]) + bytes(32) + bytes([0x00])  # PUSH32 <32 bytes>, STOP
    assert sourcemap.instruction_index(code, 0) == 0
    assert sourcemap.instruction_index(code, 1) is None
    assert sourcemap.instruction_index(code, 32) is None
    assert sourcemap.instruction_index(code, 33) == 1
    assert sourcemap.instruction_index(code, 34) is None
    assert sourcemap.instruction_index(b"", 0) is None


def test_decompress_repeats_missing_fields():
    """Does decompress carry empty fields over from the previous entry?"""
    entries = sourcemap.decompress("1:2:0:-;:3;5::1:i;;7:1:-1:o:2")
    assert entries == (
        (1, 2, 0, "-"),
        (1, 3, 0, "-"),
        (5, 3, 1, "i"),
        (5, 3, 1, "i"),
        (7, 1, -1, "o"),
    )


def test_decompress_empty():
    """Is an empty source map no entries?"""
    assert sourcemap.decompress("") == ()


def test_locate_maps_a_pc_to_a_source_span():
    """Does locate turn a pc into file, line and column through the source map?"""
    source = "line one\n  two here\n"
    code = bytes([0x60, 0x01, 0x00, 0x00])  # PUSH1 1, STOP, STOP
    smap = "0:4:0;11:3:0;0:0:-1"
    location = sourcemap.locate(code, smap, 2, {0: "A.sol"}, {"A.sol": source})
    assert (location.file, location.line, location.column) == ("A.sol", 2, 3)
    assert location.line_text == "  two here"
    assert "^^^" in location.snippet()
    first = sourcemap.locate(code, smap, 0, {0: "A.sol"}, {"A.sol": source})
    assert (first.line, first.column, first.end_column) == (1, 1, 5)


def test_locate_gives_none_for_generated_code_and_bad_pcs():
    """Is the location None for compiler-generated code, PUSH data and pcs beyond the map?"""
    source = "abc\n"
    code = bytes([0x60, 0x01, 0x00, 0x00, 0x00])
    smap = "0:1:0;0:0:-1;1:1:7"
    ids, sources = {0: "A.sol"}, {"A.sol": source}
    assert sourcemap.locate(code, smap, 2, ids, sources) is None  # file -1: generated
    assert sourcemap.locate(code, smap, 3, ids, sources) is None  # file 7: not a user source
    assert sourcemap.locate(code, smap, 1, ids, sources) is None  # inside PUSH data
    assert sourcemap.locate(code, smap, 4, ids, sources) is None  # past the map's entries


FACTORY = """\
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

contract Child {
    error Bad(uint256 code);
    event Made(uint256 x);

    constructor() {
        emit Made(1);
    }

    function boom() external pure {
        revert Bad(42);
    }
}

contract Factory {
    Child public child;

    constructor() {
        child = new Child();
    }

    function go() external view {
        child.boom();
    }
}
"""


def test_contracts_created_by_a_contract_are_decoded_and_located(chain):
    """A contract made with `new` inside another was never deployed by the lab: are its
    events and custom errors still decoded, and its revert located in its own source?"""
    factory = chain.deploy(lab.compile_source(FACTORY, "Factory.sol")["Factory"])
    assert [e.name for e in factory.deploy_receipt.events] == ["Made"]
    with pytest.raises(CustomError) as info:
        factory.go()
    assert info.value.name == "Bad" and info.value.args_by_name == {"code": 42}
    assert info.value.location.line_text.strip() == "revert Bad(42);"


def test_a_very_long_revert_string_is_shortened_in_the_message(chain):
    """Is a 5,000-character reason cut in the message but kept whole in .reason?"""
    source = (
        "pragma solidity ^0.8.24;\n"
        "contract Long { function f(string calldata s) external pure { revert(s); } }\n"
    )
    long = chain.deploy(lab.compile_source(source, "Long.sol")["Long"])
    with pytest.raises(RevertError) as info:
        long.f("x" * 5000)
    assert info.value.reason == "x" * 5000
    assert len(info.value.message) < 400 and "5,000 characters" in info.value.message
