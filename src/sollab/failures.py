"""Why a call failed, in plain words: revert strings, custom errors, panics, gas, bad opcodes.

Selectors named here: ``Error(string)`` 0x08c379a0 and ``Panic(uint256)`` 0x4e487b71; a custom
error is decoded against every ABI the chain knows, with its arguments.
"""

from __future__ import annotations

from typing import Any

from eth_abi import decode

from . import abi
from .backends import Execution
from .errors import (
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

ERROR_STRING_SELECTOR = bytes.fromhex("08c379a0")  # Error(string)
PANIC_SELECTOR = bytes.fromhex("4e487b71")  # Panic(uint256)
MAX_SHOWN = 200  # characters of a revert string shown in a message (`.reason` has them all)

PANIC_CODES = {
    0x00: "a generic compiler-inserted panic",
    0x01: "an assert(...) was false",
    0x11: "arithmetic overflow or underflow (outside an unchecked block)",
    0x12: "division or modulo by zero",
    0x21: "a value too big or negative converted to an enum",
    0x22: "a storage byte array that is incorrectly encoded",
    0x31: ".pop() on an empty array",
    0x32: "an array index out of bounds",
    0x41: "too much memory allocated, or an array that is too large",
    0x51: "a call to a zero-initialised variable of internal function type",
}
PANIC_CLASSES: dict[int, type[Panic]] = {
    0x01: AssertionFailed,
    0x11: ArithmeticOverflow,
    0x12: DivisionByZero,
    0x32: IndexOutOfBounds,
}


def exception_for(
    execution: Execution,
    what: str,
    errors_by_selector: dict[bytes, dict[str, Any]],
    location: Any = None,
    receipt: Any = None,
) -> LabError:
    """The exception that explains a failed ``execution``; ``what`` names the call."""
    data = execution.output
    common = {"data": data, "location": location, "receipt": receipt}
    if execution.error == "out_of_gas":
        return OutOfGas(
            f"{what} ran out of gas: it used all {execution.gas_limit:,} gas it was given "
            "(an endless or very long loop?); pass gas=... to allow more"
        )
    if execution.error == "invalid_opcode":
        return InvalidOpcode(
            f"{what} hit an invalid instruction (a failed assert before Solidity 0.8, "
            "or code that is not a contract)",
            **common,
        )
    if execution.error != "revert":
        return TransactionReverted(
            f"{what} failed: {execution.error_message or execution.error}", **common
        )
    if not data:
        return RevertError(
            f"{what} reverted without a reason (a bare `revert()`, a `require` without a "
            "message, or a failed call to a contract that gave none)",
            **common,
        )
    head, body = data[:4], data[4:]
    if head == ERROR_STRING_SELECTOR:
        try:
            (reason,) = decode(["string"], body)
        except Exception:
            reason = None
        if reason is not None:
            shown = repr(reason)
            if len(shown) > MAX_SHOWN:
                shown = f"{shown[:MAX_SHOWN]}... ({len(reason):,} characters in all)"
            return RevertError(f"{what} reverted: {shown}", reason=reason, **common)
    if head == PANIC_SELECTOR:
        try:
            (code,) = decode(["uint256"], body)
        except Exception:
            code = None
        if code is not None:
            meaning = PANIC_CODES.get(code, "an unknown panic")
            cls = PANIC_CLASSES.get(code, Panic)
            return cls(f"{what} panicked: {meaning} (Panic 0x{code:02x})", code=code, **common)
    item = errors_by_selector.get(head)
    if item is not None:
        try:
            values = abi.decode_values(item.get("inputs", []), body)
        except Exception:
            values = None
        if values is not None:
            names = [p.get("name") or f"arg{i}" for i, p in enumerate(item.get("inputs", []))]
            args = dict(zip(names, values, strict=True))
            shown = ", ".join(f"{k}={v!r}" for k, v in args.items())
            return CustomError(
                f"{what} reverted with {item['name']}({shown})",
                name=item["name"],
                args=args,
                **common,
            )
    return TransactionReverted(f"{what} reverted with unrecognised data 0x{data.hex()}", **common)
