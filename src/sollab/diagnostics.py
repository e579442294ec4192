"""Compiler diagnostics a beginner can act on: where, what, and a plain-language hint.

Every solc error and warning becomes a ``Diagnostic`` (severity, type, code, message,
file:line:col) that renders short by default — one line, the source line, a caret under the
column, a hint — and in full on request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SourceLocation:
    """A span of Solidity source: unit name, 1-based line/column, and the text of the line."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int
    line_text: str

    @classmethod
    def from_offsets(cls, file: str, text: str, start: int, end: int) -> SourceLocation:
        """From solc's byte offsets into the UTF-8 encoding of ``text``."""
        data = text.encode("utf-8")
        start = max(0, min(start, len(data)))
        end = max(start, min(end, len(data)))

        def line_col(offset: int) -> tuple[int, int]:
            before = data[:offset]
            line = before.count(b"\n") + 1
            line_start = before.rfind(b"\n") + 1
            return line, len(data[line_start:offset].decode("utf-8", "replace")) + 1

        line, column = line_col(start)
        end_line, end_column = line_col(end)
        lines = text.split("\n")  # as solc counts lines (splitlines also splits at \f, \u2028...)
        line_text = lines[line - 1].removesuffix("\r") if 0 < line <= len(lines) else ""
        return cls(file, line, column, end_line, end_column, line_text)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"

    def snippet(self) -> str:
        """The line and a caret under the span (to the end of the line if the span goes on)."""
        text = self.line_text.expandtabs(4)
        prefix = self.line_text[: self.column - 1].expandtabs(4)
        if self.end_line == self.line and self.end_column > self.column:
            width = len(self.line_text[self.column - 1 : self.end_column - 1].expandtabs(4))
        else:
            width = max(1, len(text.rstrip()) - len(prefix))
        gutter = f"{self.line:>5} | "
        return (
            f"{gutter}{text}\n{' ' * (len(gutter) - 2)}| {' ' * len(prefix)}{'^' * max(1, width)}"
        )

    def render(self) -> str:
        return f"  --> {self}\n{self.snippet()}"


@dataclass
class Diagnostic:
    """One compiler message."""

    severity: str  # "error", "warning" or "info"
    type: str  # solc's kind: ParserError, TypeError, DeclarationError, Warning, ...
    code: str  # solc's errorCode ("7576"), "" for sollab's own
    message: str
    location: SourceLocation | None = None
    hint: str | None = None
    formatted: str = ""  # solc's complete formattedMessage
    secondary: list[tuple[str, SourceLocation]] = field(default_factory=list)

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def headline(self) -> str:
        where = f"{self.location}: " if self.location else ""
        kind = self.type if self.type != "Warning" else "Warning"
        return f"{where}{kind}: {self.message}"

    def render(self, verbose: bool = False) -> str:
        parts = [self.headline()]
        if self.location is not None:
            parts.append(self.location.snippet())
        if verbose:
            for note, loc in self.secondary:
                parts.append(f"  note: {note} ({loc})\n{loc.snippet()}")
            if self.code:
                parts.append(f"  (solc error code {self.code})")
        if self.hint:
            parts.append(f"  hint: {self.hint}")
        return "\n".join(parts)

    def __str__(self) -> str:
        return self.render()

    def to_dict(self) -> dict[str, Any]:
        loc = self.location
        return {
            "severity": self.severity,
            "type": self.type,
            "code": self.code,
            "message": self.message,
            "file": loc.file if loc else None,
            "line": loc.line if loc else None,
            "column": loc.column if loc else None,
            "hint": self.hint,
            "rendered": self.render(),
        }


def from_solc(error: dict[str, Any], sources: dict[str, str]) -> Diagnostic:
    """A ``Diagnostic`` from one entry of solc's standard-JSON ``errors``."""

    def locate(loc: dict[str, Any] | None) -> SourceLocation | None:
        if not loc or loc.get("file") not in sources:
            return None
        if loc.get("start", -1) < 0:  # about the whole file (no SPDX line, no pragma): its start
            return SourceLocation.from_offsets(loc["file"], sources[loc["file"]], 0, 0)
        return SourceLocation.from_offsets(
            loc["file"], sources[loc["file"]], loc["start"], loc.get("end", loc["start"])
        )

    secondary = []
    for s in error.get("secondarySourceLocations") or []:
        loc = locate(s)
        if loc is not None:
            secondary.append((s.get("message", ""), loc))
    diagnostic = Diagnostic(
        severity=error.get("severity", "error"),
        type=error.get("type", "Error"),
        code=str(error.get("errorCode", "") or ""),
        message=error.get("message", "").strip(),
        location=locate(error.get("sourceLocation")),
        formatted=error.get("formattedMessage", ""),
        secondary=secondary,
    )
    diagnostic.hint = hint_for(diagnostic)
    return diagnostic


# --- hints for the commonest beginner mistakes ----------------------------------------------
# (pattern on the message, hint). The first match wins; {0}, {1} are the pattern's groups.
HINTS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"SPDX license identifier not provided"),
        "start the file with a licence line, e.g. `// SPDX-License-Identifier: MIT`",
    ),
    (
        re.compile(r"does not specify required compiler version"),
        "add a version pragma after the licence line, e.g. `pragma solidity ^0.8.24;`",
    ),
    (
        re.compile(r"requires different compiler version"),
        "the pragma rules out this compiler: change the pragma, or pick a compiler with "
        "`--solc VERSION` (see `sollab compilers list`)",
    ),
    (
        re.compile(r'Undeclared identifier\.(?: Did you mean "([^"]+)")?'),
        "this name is not declared where it is used: check the spelling and that the "
        "variable, function or import exists in this scope",
    ),
    (
        re.compile(r"Data location must be \"?(\w+)\"?(?: or \"?(\w+)\"?)?"),
        "arrays, structs, strings and bytes need a data location: add `memory` (a temporary "
        "copy), `calldata` (read-only input of an external function) or `storage`",
    ),
    (
        re.compile(r"is not implicitly convertible to expected type"),
        "the value's type does not match what is expected: convert it explicitly "
        "(e.g. `uint256(x)`, `address(x)`) or change the variable's type",
    ),
    (
        re.compile(r"No visibility specified"),
        "give the function a visibility: `public`, `external`, `internal` or `private`",
    ),
    (
        re.compile(r"Visibility for constructor is ignored"),
        "since Solidity 0.7 a constructor takes no visibility: remove `public`/`internal` "
        "(mark the contract `abstract` if it must not be deployed)",
    ),
    (
        re.compile(r"msg\.value.*can only be used in payable|callvalue\(\)"),
        "only a `payable` function can receive Ether: add `payable` after its visibility",
    ),
    (
        re.compile(
            r'"(send|transfer)" and "\w+" are only available for objects of type "address payable"'
        ),
        "to send Ether the address must be `address payable`: write `payable(addr).transfer(...)`"
        ' (better: `(bool ok, ) = payable(addr).call{{value: amount}}(""); require(ok);`)',
    ),
    (
        re.compile(r"Expected ';' but got"),
        "a statement is missing its `;` — look at the end of the line before the caret too",
    ),
    (
        re.compile(r"Expected (?:primary expression|identifier|'\(' )"),
        "the parser did not expect this here: check for a missing bracket, comma or keyword",
    ),
    (
        re.compile(r"Function state mutability can be restricted to (view|pure)"),
        "this function does not change state: mark it `{0}` so it can be called for free",
    ),
    (
        # 0.7: "declared as view, but this expression ..."; 0.8: "cannot be declared as view
        # because this expression ..."
        re.compile(r"declared as (view|pure),? but|cannot be declared as (view|pure) because"),
        "a `{0}{1}` function may not do this: remove `{0}{1}` or move the state access elsewhere",
    ),
    (
        re.compile(r"Unused (local variable|function parameter)"),
        "remove it, or leave the parameter unnamed (`function f(uint256) ...`) "
        "to keep the signature",
    ),
    (
        re.compile(r'Member "(\w+)" not found or not visible'),
        "`{0}` does not exist on this type, or is not visible from here: check the spelling "
        "and the type of the expression before the dot",
    ),
    (
        re.compile(r"Wrong argument count for function call"),
        "the function is called with a different number of arguments than it declares",
    ),
    (
        re.compile(r"Different number of arguments in return statement"),
        "return as many values as the function's `returns (...)` declares",
    ),
    (
        re.compile(r"Identifier already declared"),
        "this name is used twice in the same scope: rename one of them",
    ),
    (
        re.compile(r"should be marked as abstract|Missing implementation"),
        "implement every function the contract inherits or declares, or mark it `abstract`",
    ),
    (
        re.compile(r"Explicit type conversion not allowed"),
        "this conversion is not allowed directly: convert in steps (e.g. `uint160` then `address`)",
    ),
    (
        re.compile(r"Stack too deep"),
        "too many local variables at once: group some in a struct, split the function, or "
        "compile with the optimizer and viaIR",
    ),
    (
        re.compile(r"This declaration shadows an existing declaration"),
        "a local name hides another one (often a state variable): rename the local, e.g. `_owner`",
    ),
]


def hint_for(diagnostic: Diagnostic) -> str | None:
    for pattern, hint in HINTS:
        m = pattern.search(diagnostic.message)
        if m:
            groups = [g or "" for g in m.groups()]
            return hint.format(*groups) if groups else hint
    return None
