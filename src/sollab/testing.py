"""Helpers for checking contracts, shared by lessons, graders and learners' own tests.

with lab.reverts():                      # any revert
with lab.reverts("not the owner"):       # a require/revert string ...
with lab.reverts("NotOwner"):            # ... or a custom error by name
with lab.reverts("Closed", who=alice):   # a custom error with (some of) its arguments
with lab.reverts(panic=0x11):            # a panic code
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from eth_utils import is_address, to_checksum_address

from .errors import (
    CustomError,
    EventExpectationFailed,
    LabError,
    OutOfGas,
    Panic,
    RevertError,
    RevertExpectationFailed,
    TransactionReverted,
)
from .failures import PANIC_CODES


@dataclass
class Caught:
    """What ``with lab.reverts(...) as caught:`` caught (``caught.error``)."""

    error: LabError | None = None


def _same(expected: Any, actual: Any) -> bool:
    """Equal, with addresses compared whatever their case (or given as an account/contract)."""
    expected = getattr(expected, "address", expected)
    if all(isinstance(v, str) and is_address(v) for v in (expected, actual)):
        return to_checksum_address(expected) == to_checksum_address(actual)
    return expected == actual


def describe(exc: LabError) -> str:
    """How a failure reads in an expectation message."""
    if isinstance(exc, CustomError):
        args = ", ".join(f"{k}={v!r}" for k, v in exc.args_by_name.items())
        return f"custom error {exc.name}({args})"
    if isinstance(exc, Panic):
        return f"panic 0x{exc.code:02x} ({PANIC_CODES.get(exc.code, 'unknown')})"
    if isinstance(exc, RevertError):
        return f"reason {exc.reason!r}" if exc.reason is not None else "no reason"
    if isinstance(exc, OutOfGas):
        return "out of gas"
    return type(exc).__name__


def _wanted(reason: str | None, panic: int | None, args: dict[str, Any]) -> str:
    if panic is not None:
        return f"panic 0x{panic:02x} ({PANIC_CODES.get(panic, 'unknown')})"
    if args:
        shown = ", ".join(f"{k}={v!r}" for k, v in args.items())
        return f"custom error {reason}({shown})"
    return f"{reason!r}"


def _matches(exc: LabError, reason: str | None, panic: int | None, args: dict[str, Any]) -> bool:
    if panic is not None:
        return isinstance(exc, Panic) and exc.code == panic
    if reason is None:
        return True
    if isinstance(exc, CustomError) and exc.name == reason:
        return all(
            name in exc.args_by_name and _same(value, exc.args_by_name[name])
            for name, value in args.items()
        )
    return not args and isinstance(exc, RevertError) and exc.reason == reason


@contextlib.contextmanager
def reverts(
    reason: str | None = None, *, panic: int | None = None, **error_args: Any
) -> Iterator[Caught]:
    """Expect the block to revert (as described); fails with "did not revert" or
    "reverted with X, not Y". The caught exception is ``caught.error``."""
    if error_args and reason is None:
        raise TypeError("lab.reverts(NAME, arg=...): name the custom error the arguments are for")
    if panic is not None and (reason is not None or error_args):
        raise TypeError("lab.reverts(panic=...) takes no reason or error arguments")
    caught = Caught()
    try:
        yield caught
    except (TransactionReverted, OutOfGas) as exc:
        caught.error = exc
        if not _matches(exc, reason, panic, error_args):
            raise RevertExpectationFailed(
                f"reverted with {describe(exc)}, not {_wanted(reason, panic, error_args)}"
            ) from None
    else:
        expected = (
            ""
            if reason is None and panic is None
            else f" (expected {_wanted(reason, panic, error_args)})"
        )
        raise RevertExpectationFailed(f"did not revert{expected}")


def emitted(receipt: Any, name: str, **args: Any) -> Any:
    """The event ``name`` that ``receipt``'s transaction emitted with (at least) these
    arguments; fails with what was emitted instead. Python keywords take a trailing underscore
    (``from_=alice`` for an argument named ``from``); addresses match whatever their case."""
    events = getattr(receipt, "events", None)
    if events is None:
        raise TypeError("lab.emitted(receipt, name, ...) takes the receipt of a transaction")
    wanted = {key[:-1] if key.endswith("_") else key: value for key, value in args.items()}
    named = [e for e in events if getattr(e, "name", None) == name]
    for event in named:
        if all(k in event.args and _same(v, event.args[k]) for k, v in wanted.items()):
            return event
    shown = ", ".join(f"{k}={v!r}" for k, v in wanted.items())
    expected = f"{name}({shown})" if shown else name
    if named:
        got = "; ".join(repr(e) for e in named)
        raise EventExpectationFailed(f"expected {expected}, but {name} was emitted as {got}")
    others = ", ".join(repr(e) for e in events) or "no events at all"
    raise EventExpectationFailed(f"expected {expected}, but the transaction emitted {others}")
