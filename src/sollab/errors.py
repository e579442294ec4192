"""One exception family for everything that can go wrong in the lab.

``LabError`` is the root. A user's mistake is always one of these, with a message that says
what was wrong and how to fix it; the CLI prints ``Error: <message>`` and never a traceback.
Where a built-in exception means the same thing, the leaf inherits it too, so ``except
ZeroDivisionError`` works on a Solidity division by zero.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .diagnostics import Diagnostic


class LabError(Exception):
    """Root of every error sollab raises on purpose."""

    def _render_traceback_(self) -> list[str]:
        """What IPython shows for this error: the message and the learner's own line, not a
        traceback through sollab, web3 or py-evm."""
        lines = [f"\x1b[0;31m{type(self).__name__}\x1b[0m: {self}"]
        frame = _learner_frame(self.__traceback__)
        if frame is not None:
            lines.append(f"  (raised by line {frame[1]} of {frame[0]}: {frame[2]})")
        return lines

    def _repr_html_(self) -> str:
        from .display import error_html

        return error_html(self)


_WEB3_FLAVOURS: dict[tuple[type, str], type] = {}


def web3_flavour(exc: LabError, base: str = "ContractLogicError") -> LabError:
    """The same exception, also a ``web3.exceptions.<base>`` (for code written against web3):
    ``ContractLogicError`` for a call that failed, ``Web3RPCError`` for a transaction the chain
    refused, as a node's error answer would be."""
    import web3.exceptions

    cls = type(exc)
    flavour = _WEB3_FLAVOURS.get((cls, base))
    if flavour is None:
        bases = (cls, getattr(web3.exceptions, base))
        flavour = type(cls.__name__, bases, {"__module__": cls.__module__})
        _WEB3_FLAVOURS[cls, base] = flavour
    twin = flavour.__new__(flavour, *exc.args)
    # web3's own attributes, which its __init__ would have set.
    twin.__dict__.update(message=str(exc), user_message=None, rpc_response=None, data=None)
    twin.__dict__.update(exc.__dict__)
    return twin


def _learner_frame(tb: Any) -> tuple[str, int, str] | None:
    """The innermost traceback frame in the learner's own code: not sollab's, not the standard
    library's, not an installed package's."""
    import linecache
    import os
    import sysconfig

    ours = (os.path.dirname(__file__), sysconfig.get_paths()["stdlib"])
    found = None
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if not name.startswith(ours) and "site-packages" not in name:
            line = linecache.getline(name, tb.tb_lineno).strip()
            shown = "your cell" if name.startswith("<") or "ipykernel_" in name else name
            found = (shown, tb.tb_lineno, line)
        tb = tb.tb_next
    return found


# --- set-up ---------------------------------------------------------------------------------


class NodeNotFound(LabError):
    """No usable Node.js to run solc-js with."""


# --- compiling ------------------------------------------------------------------------------


class SourceError(LabError, ValueError):
    """A source the compiler cannot take: empty, not UTF-8, too large or unreadable."""


class CompilerNotFound(LabError):
    """No installed compiler satisfies the requested version or pragma."""


class CompilerCrashed(LabError):
    """The compiler process died or answered nonsense; the next compile starts a fresh one."""


class LookupFailed(LabError, KeyError):
    """Asked for something by name that is not there. Also a ``KeyError``, but its message
    reads as a sentence (``KeyError`` would show it quoted)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class ContractNotFound(LookupFailed):
    """No compiled contract by that name (or the name is ambiguous)."""


class CompileError(LabError):
    """Solidity that does not compile. ``diagnostics`` holds every error and warning."""

    def __init__(
        self, diagnostics: list[Diagnostic], *, verbose: bool = False, solc_version: str = ""
    ):
        self.diagnostics = diagnostics
        self.solc_version = solc_version  # the compiler that reported them ("" if none ran)
        self.errors = [d for d in diagnostics if d.is_error]
        self.verbose = verbose
        super().__init__(self._render())

    def _repr_html_(self) -> str:
        from .display import compile_error_html

        return compile_error_html(self)

    def _render(self) -> str:
        shown = self.errors if self.verbose else self.errors[:3]
        parts = [d.render(verbose=self.verbose) for d in shown]
        hidden = len(self.errors) - len(shown)
        if hidden:
            parts.append(f"... and {hidden} more error(s); show all with verbose=True")
        count = len(self.errors)
        head = f"{count} compile error{'s' if count != 1 else ''}"
        return head + ":\n" + "\n\n".join(parts)


# --- calling contracts ----------------------------------------------------------------------


class MissingFunction(LabError, AttributeError):
    """A contract handle asked for a function its contract does not have."""


class ArgumentError(LabError, TypeError):
    """A contract function or constructor called with the wrong number or types of arguments."""


class ChainError(LabError):
    """The chain refused an operation (unknown snapshot, travelling back in time, ...)."""


class OutOfGas(LabError):
    """A call or transaction used up its gas cap: usually an unbounded loop."""


class TransactionReverted(LabError):
    """A call or transaction reverted. Subclasses say why.

    ``data`` is the raw revert data; ``location`` (when the source map allows) is a
    ``SourceLocation`` of the Solidity that reverted; ``receipt`` is set for a mined transaction.
    The chain may give ``location`` as a function that finds it: it is called once, when the
    location is first wanted (finding it can mean running the transaction again).
    """

    def __init__(
        self, message: str, *, data: bytes = b"", location: Any = None, receipt: Any = None
    ):
        self.data = data
        self._location = location
        self.receipt = receipt
        self.message = message
        super().__init__(message)

    @property
    def location(self) -> Any:
        if callable(self._location):
            self._location = self._location()
        return self._location

    @location.setter
    def location(self, value: Any) -> None:
        self._location = value

    def __str__(self) -> str:
        text = self.message
        if self.location is not None:
            text += "\n" + self.location.render()
        return text


class RevertError(TransactionReverted):
    """``require(cond, "reason")`` / ``revert("reason")``: ``reason`` is the string (or None)."""

    def __init__(self, message: str, *, reason: str | None = None, **kwargs: Any):
        self.reason = reason
        super().__init__(message, **kwargs)


class CustomError(TransactionReverted):
    """``revert MyError(args)``: ``name`` and ``args`` (a dict by parameter name) are decoded."""

    def __init__(self, message: str, *, name: str, args: dict[str, Any], **kwargs: Any):
        self.name = name
        self.args_by_name = args
        super().__init__(message, **kwargs)


class Panic(TransactionReverted):
    """A Solidity ``Panic(uint256)``: ``code`` is the panic code (0x11 overflow, 0x12 by zero)."""

    def __init__(self, message: str, *, code: int, **kwargs: Any):
        self.code = code
        super().__init__(message, **kwargs)


class AssertionFailed(Panic, AssertionError):
    """Panic 0x01: an ``assert`` was false."""


class ArithmeticOverflow(Panic, OverflowError):
    """Panic 0x11: arithmetic overflow or underflow outside ``unchecked``."""


class DivisionByZero(Panic, ZeroDivisionError):
    """Panic 0x12: division or modulo by zero."""


class IndexOutOfBounds(Panic, IndexError):
    """Panic 0x32: an array index out of bounds."""


class RevertExpectationFailed(LabError, AssertionError):
    """``with lab.reverts(...)``: the code did not revert, or reverted some other way."""


class EventExpectationFailed(LabError, AssertionError):
    """``lab.emitted(receipt, "Name", ...)``: no such event was emitted with those arguments."""


class InvalidOpcode(TransactionReverted):
    """The EVM hit an invalid instruction (``assert`` before Solidity 0.8, or bad bytecode)."""


# --- looking inside contracts ---------------------------------------------------------------


class InspectError(LookupFailed):
    """``lab.storage`` / ``lab.disassemble`` asked for something that is not there: an unknown
    variable or member, a mapping key of the wrong type, an array index out of range, a pc
    that starts no instruction, or a contract compiled without a storage layout."""
