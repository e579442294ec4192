"""`lab.reverts()`: expecting a revert, by kind, and saying what happened instead."""

from __future__ import annotations

import pytest

import sollab as lab
from sollab.errors import (
    ArithmeticOverflow,
    CustomError,
    LabError,
    OutOfGas,
    RevertError,
    RevertExpectationFailed,
)

SOURCE = """\
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

contract Gate {
    address public owner = msg.sender;
    uint256 public opened;

    error NotOwner(address caller);
    error Closed(address who, uint256 when);

    function ownerOnly() external view {
        require(msg.sender == owner, "not the owner");
    }

    function guarded() external view {
        if (msg.sender != owner) revert NotOwner(msg.sender);
    }

    function closed(address who) external view {
        revert Closed(who, 42);
    }

    function bare() external pure {
        revert();
    }

    function overflow(uint8 x) external pure returns (uint8) {
        return x + 255;
    }

    function divide(uint256 a, uint256 b) external pure returns (uint256) {
        return a / b;
    }

    function open() external {
        opened += 1;
    }

    function spin() external {
        while (true) {
            opened += 1;
        }
    }
}
"""


@pytest.fixture(scope="module")
def gate(module_chain):
    artifact = lab.compile_source(SOURCE, "Gate.sol")["Gate"]
    return module_chain.deploy(artifact)


@pytest.fixture
def bob(module_chain):
    return module_chain.bob


# --- passing ----------------------------------------------------------------------------------


def test_bare_form_passes_on_any_revert(gate, bob):
    """Does `lab.reverts()` pass for a require string, a custom error, a panic and a bare
    revert alike?"""
    with lab.reverts():
        gate.ownerOnly(sender=bob)
    with lab.reverts():
        gate.guarded(sender=bob)
    with lab.reverts():
        gate.overflow(1)
    with lab.reverts():
        gate.bare()


def test_caught_error_holds_the_exception(gate, bob):
    """Is the revert that was caught available as `caught.error`?"""
    with lab.reverts("not the owner") as caught:
        gate.ownerOnly(sender=bob)
    assert isinstance(caught.error, RevertError)
    assert caught.error.reason == "not the owner"


def test_require_string(gate, bob):
    """Does `lab.reverts("not the owner")` pass for that require string?"""
    with lab.reverts("not the owner"):
        gate.ownerOnly(sender=bob)


def test_custom_error_by_name(gate, bob):
    """Does `lab.reverts("NotOwner")` pass for the custom error of that name, whatever its
    arguments?"""
    with lab.reverts("NotOwner") as caught:
        gate.guarded(sender=bob)
    assert isinstance(caught.error, CustomError)


def test_custom_error_with_arguments(gate, bob):
    """Does `lab.reverts("Closed", who=..., when=...)` pass when the arguments match, with the
    address given checksummed, lower-case, upper-case hex, or as an Account?"""
    address = bob.address
    for who in (bob, address, address.lower(), "0x" + address[2:].upper()):
        with lab.reverts("Closed", who=who):
            gate.closed(bob)
    with lab.reverts("Closed", who=bob, when=42):
        gate.closed(bob)
    with lab.reverts("Closed", when=42):  # some of the arguments are enough
        gate.closed(bob)


def test_custom_error_argument_may_be_a_contract_handle(gate):
    """Can an address argument be given as a contract handle?"""
    with lab.reverts("Closed", who=gate):
        gate.closed(gate.address)
    with lab.reverts("NotOwner", caller=gate.chain.carol):
        gate.guarded(sender=gate.chain.carol)


def test_panic_code(gate):
    """Does `lab.reverts(panic=0x11)` pass for an overflow and `panic=0x12` for a division by
    zero, with `caught.error` the panic?"""
    with lab.reverts(panic=0x11) as caught:
        gate.overflow(1)
    assert isinstance(caught.error, ArithmeticOverflow)
    assert caught.error.code == 0x11
    with lab.reverts(panic=0x12):
        gate.divide(1, 0)


# --- failing ----------------------------------------------------------------------------------


def test_did_not_revert(gate):
    """Does a block that does not revert fail with RevertExpectationFailed, an AssertionError
    (and a LabError), saying "did not revert"?"""
    with (
        pytest.raises(RevertExpectationFailed, match=r"^did not revert$") as info,
        lab.reverts(),
    ):
        gate.open()
    assert isinstance(info.value, AssertionError)
    assert isinstance(info.value, LabError)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"reason": "nope"}, "'nope'"),
        ({"reason": "Closed", "who": "0x" + "12" * 20}, "custom error Closed(who="),
        ({"panic": 0x11}, "panic 0x11 (arithmetic overflow"),
    ],
)
def test_did_not_revert_says_what_was_expected(gate, kwargs, expected):
    """Does "did not revert" also say what revert was expected?"""
    with (
        pytest.raises(RevertExpectationFailed, match=r"did not revert \(expected ") as info,
        lab.reverts(**kwargs),
    ):
        gate.open()
    assert expected in str(info.value)


def test_wrong_require_string(gate, bob):
    """Does a different require string fail with "reverted with reason X, not Y"?"""
    with (
        pytest.raises(RevertExpectationFailed) as info,
        lab.reverts("not allowed") as caught,
    ):
        gate.ownerOnly(sender=bob)
    assert str(info.value) == "reverted with reason 'not the owner', not 'not allowed'"
    assert isinstance(caught.error, RevertError)


def test_wrong_custom_error_name(gate, bob):
    """Does a different custom error fail naming the actual error and its arguments?"""
    with (
        pytest.raises(RevertExpectationFailed) as info,
        lab.reverts("NotAdmin"),
    ):
        gate.guarded(sender=bob)
    assert str(info.value) == (
        f"reverted with custom error NotOwner(caller={bob.address!r}), not 'NotAdmin'"
    )


def test_wrong_custom_error_arguments(gate, bob, module_chain):
    """Do mismatched arguments fail with the actual and the expected arguments?"""
    with (
        pytest.raises(RevertExpectationFailed) as info,
        lab.reverts("Closed", when=7),
    ):
        gate.closed(bob)
    message = str(info.value)
    assert message.startswith(f"reverted with custom error Closed(who={bob.address!r}, when=42)")
    assert message.endswith("not custom error Closed(when=7)")
    with (
        pytest.raises(RevertExpectationFailed, match="not custom error Closed"),
        lab.reverts("Closed", who=module_chain.carol),
    ):
        gate.closed(bob)


def test_argument_that_the_error_does_not_have(gate, bob):
    """Does naming an argument the custom error does not have fail rather than pass?"""
    with (
        pytest.raises(RevertExpectationFailed, match="not custom error NotOwner"),
        lab.reverts("NotOwner", owner=bob),
    ):
        gate.guarded(sender=bob)


def test_require_string_expected_but_custom_error_with_arguments_given(gate, bob):
    """Does a require string fail an expectation that names arguments?"""
    with (
        pytest.raises(RevertExpectationFailed, match="reverted with reason 'not the owner'"),
        lab.reverts("not the owner", caller=bob),
    ):
        gate.ownerOnly(sender=bob)


def test_wrong_panic_code(gate):
    """Does a different panic code fail with "reverted with panic 0x11 (...), not panic
    0x12 (...)"?"""
    with (
        pytest.raises(RevertExpectationFailed) as info,
        lab.reverts(panic=0x12),
    ):
        gate.overflow(1)
    message = str(info.value)
    assert message.startswith("reverted with panic 0x11 (arithmetic overflow")
    assert "not panic 0x12 (division or modulo by zero)" in message


def test_panic_expected_but_require_string_given(gate, bob):
    """Does a require string fail a panic expectation (and a panic a reason expectation)?"""
    with (
        pytest.raises(RevertExpectationFailed, match="reason 'not the owner', not panic 0x01"),
        lab.reverts(panic=0x01),
    ):
        gate.ownerOnly(sender=bob)
    with (
        pytest.raises(RevertExpectationFailed, match=r"panic 0x12 \(.*\), not 'not the owner'"),
        lab.reverts("not the owner"),
    ):
        gate.divide(1, 0)


def test_bare_revert_against_a_reason(gate):
    """Does a revert without a reason read as "no reason" when a reason was expected?"""
    with (
        pytest.raises(RevertExpectationFailed, match=r"^reverted with no reason, not 'why'$"),
        lab.reverts("why"),
    ):
        gate.bare()


def test_other_errors_pass_through(gate):
    """Is an error that is not a revert (a wrong argument) raised as itself, not caught?"""
    with (
        pytest.raises(lab.ArgumentError),
        lab.reverts(),
    ):
        gate.divide("one", 0)


# --- out of gas -------------------------------------------------------------------------------


def test_out_of_gas_counts_for_the_bare_form(gate):
    """Does running out of gas count as a revert for `lab.reverts()`?"""
    with lab.reverts() as caught:
        gate.spin(gas=100_000)
    assert isinstance(caught.error, OutOfGas)


@pytest.mark.parametrize("kwargs", [{"reason": "too long"}, {"panic": 0x01}])
def test_out_of_gas_does_not_count_for_a_described_revert(gate, kwargs):
    """Does running out of gas fail an expectation of a reason or a panic, saying so?"""
    with (
        pytest.raises(RevertExpectationFailed, match=r"^reverted with out of gas, not "),
        lab.reverts(**kwargs),
    ):
        gate.spin(gas=100_000)


# --- bad usage --------------------------------------------------------------------------------


def test_arguments_without_an_error_name_is_a_type_error():
    """Is `lab.reverts(who=...)` without an error name a TypeError?"""
    with (
        pytest.raises(TypeError, match="name the custom error"),
        lab.reverts(who="0x" + "12" * 20),
    ):
        pass


@pytest.mark.parametrize("kwargs", [{"reason": "x"}, {"reason": "E", "who": 1}])
def test_panic_with_a_reason_is_a_type_error(kwargs):
    """Is `lab.reverts(panic=..., ...)` with a reason or arguments a TypeError?"""
    with (
        pytest.raises(TypeError, match="takes no reason"),
        lab.reverts(panic=0x11, **kwargs),
    ):
        pass


# --- lab.emitted and lab.accounts -------------------------------------------------------------

TOKENISH = """\
pragma solidity ^0.8.24;
contract Tokenish {
    event Transfer(address indexed from, address indexed to, uint256 value);
    function send(address to, uint256 value) external { emit Transfer(msg.sender, to, value); }
}
"""


@pytest.fixture
def tokenish(chain):
    return chain.deploy(lab.compile_source(TOKENISH, "Tokenish.sol")["Tokenish"])


def test_emitted_finds_the_event_with_matching_arguments(chain, tokenish):
    """Does lab.emitted return the event, matching `from_` to `from` and addresses by value?"""
    receipt = tokenish.send(chain.bob, 5)
    event = lab.emitted(receipt, "Transfer", from_=chain.alice, to=chain.bob.lower(), value=5)
    assert event["value"] == 5
    assert lab.emitted(receipt, "Transfer") is event


def test_emitted_says_what_was_emitted_instead(chain, tokenish):
    receipt = tokenish.send(chain.bob, 5)
    with pytest.raises(lab.EventExpectationFailed, match=r"expected Transfer\(value=6\), but"):
        lab.emitted(receipt, "Transfer", value=6)
    with pytest.raises(AssertionError, match="but the transaction emitted Transfer"):
        lab.emitted(receipt, "Approval")


def test_accounts_are_the_kernel_chains(chain):
    assert lab.accounts.alice == lab.get_chain().alice
    assert lab.accounts[1] == lab.get_chain().bob and len(lab.accounts) == 10
    with pytest.raises(AttributeError, match="the accounts are alice, bob"):
        _ = lab.accounts.zed
