"""Diagnostics: byte offsets to line/column, the caret snippet, hints for beginner mistakes."""

from __future__ import annotations

import re

import pytest

from sollab import CompileError, compile_source
from sollab.diagnostics import HINTS, Diagnostic, SourceLocation, from_solc

H8 = "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.0;\n"
H7 = "// SPDX-License-Identifier: MIT\npragma solidity ^0.7.0;\n"


def byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def caret_column(snippet: str) -> tuple[int, int]:
    """(index of the first caret, number of carets) relative to the source text's start."""
    source_line, caret_line = snippet.splitlines()
    text_start = source_line.index("| ") + 2
    first = caret_line.index("^")
    return first - text_start, caret_line.count("^")


# --- SourceLocation -----------------------------------------------------------------------------


def test_from_offsets_counts_characters_not_bytes_after_multibyte_text():
    """With multi-byte UTF-8 earlier on the line, do solc's byte offsets give the right column?"""
    text = 'contract A {\n    string s = "héllo wörld ✓"; uint x = y;\n}'
    index = text.index("y;")
    loc = SourceLocation.from_offsets(
        "A.sol", text, byte_offset(text, index), byte_offset(text, index + 1)
    )
    line_start = text.rindex("\n", 0, index) + 1
    assert (loc.line, loc.column) == (2, index - line_start + 1)
    assert (loc.end_line, loc.end_column) == (2, index - line_start + 2)
    assert loc.line_text == '    string s = "héllo wörld ✓"; uint x = y;'
    assert str(loc) == f"A.sol:2:{loc.column}"


def test_snippet_caret_under_the_right_column_after_multibyte_text():
    """Is the caret drawn exactly under the offending character, after é/ö/✓ on the line?"""
    text = 'string s = "ééé ✓✓"; uint x = y;'
    index = text.index("y")
    loc = SourceLocation.from_offsets(
        "A.sol", text, byte_offset(text, index), byte_offset(text, index + 1)
    )
    position, width = caret_column(loc.snippet())
    assert (position, width) == (index, 1)
    assert loc.snippet().splitlines()[0].startswith("    1 | ")


def test_snippet_caret_spans_the_range_and_expands_tabs():
    """Does the caret cover the whole span, and line up when the line starts with tabs?"""
    text = "contract A {\n\t\tuint x = undefinedName;\n}"
    index = text.index("undefinedName")
    loc = SourceLocation.from_offsets(
        "A.sol", text, byte_offset(text, index), byte_offset(text, index + 13)
    )
    source_line = loc.snippet().splitlines()[0]
    position, width = caret_column(loc.snippet())
    assert width == 13
    assert source_line[source_line.index("| ") + 2 + position :].startswith("undefinedName")


def test_span_over_several_lines_underlines_to_end_of_first_line():
    """Does a span that goes on past its line underline to the end of that line?"""
    text = "contract A {\n  function f() {\n  }\n}"
    start = text.index("function")
    loc = SourceLocation.from_offsets("A.sol", text, start, len(text) - 2)
    position, width = caret_column(loc.snippet())
    assert (loc.line, loc.end_line) == (2, 3)
    assert (position, width) == (2, len("function f() {"))


def test_from_offsets_clamps_out_of_range_offsets():
    """Are offsets past the end (or negative) clamped instead of failing?"""
    text = "contract A {}\n"
    loc = SourceLocation.from_offsets("A.sol", text, 999, 1000)
    assert loc.line == 2 and loc.column == 1
    loc = SourceLocation.from_offsets("A.sol", text, -5, 3)
    assert (loc.line, loc.column) == (1, 1)


@pytest.mark.parametrize("odd", ["\f", "\u2028", "\x1c", "\r"], ids=repr)
def test_line_text_matches_line_number_with_odd_line_breaks(odd):
    """Does the shown line match solc's \\n-counted line number even if a comment holds a
    character Python also treats as a line break?"""
    text = f"// a{odd}b\ncontract A {{ uint x = y; }}\n"
    index = text.index("y;")
    loc = SourceLocation.from_offsets("A.sol", text, index, index + 1)
    assert loc.line == 2
    assert loc.line_text == "contract A { uint x = y; }"


def test_crlf_source_line_text_has_no_carriage_return():
    """Does a CRLF source show its line without the trailing \\r?"""
    text = "pragma solidity ^0.8.0;\r\ncontract A { uint x = y; }\r\n"
    index = text.index("y;")
    loc = SourceLocation.from_offsets("A.sol", text, index, index + 1)
    assert loc.line_text == "contract A { uint x = y; }"


# --- from_solc ----------------------------------------------------------------------------------


def test_from_solc_file_level_warning_points_at_file_start():
    """Does a whole-file message (start -1, like the SPDX warning) still get file:1:1?"""
    error = {
        "severity": "warning",
        "type": "Warning",
        "errorCode": "1878",
        "message": "SPDX license identifier not provided in source file.",
        "sourceLocation": {"file": "A.sol", "start": -1, "end": -1},
    }
    d = from_solc(error, {"A.sol": "pragma solidity ^0.8.0;\ncontract A {}"})
    assert str(d.location) == "A.sol:1:1"
    assert d.hint and not d.is_error


def test_from_solc_unknown_file_has_no_location_but_keeps_message():
    """Is a message about a file we did not send kept, without a location?"""
    error = {"severity": "error", "type": "TypeError", "message": " Oops. ", "errorCode": "1"}
    d = from_solc(error, {})
    assert d.location is None and d.message == "Oops." and d.is_error
    assert d.headline() == "TypeError: Oops."


def test_from_solc_secondary_locations_render_in_verbose():
    """Are secondary locations (e.g. 'The shadowed declaration is here') shown when verbose?"""
    text = "contract A { uint x; function f() public { uint x; } }"
    first, second = text.index("uint x"), text.rindex("uint x")
    error = {
        "severity": "warning",
        "type": "Warning",
        "errorCode": "2519",
        "message": "This declaration shadows an existing declaration.",
        "sourceLocation": {"file": "A.sol", "start": second, "end": second + 6},
        "secondarySourceLocations": [
            {"file": "A.sol", "start": first, "end": first + 6, "message": "Shadowed here"}
        ],
    }
    d = from_solc(error, {"A.sol": text})
    assert "Shadowed here" in d.render(verbose=True) and "2519" in d.render(verbose=True)
    assert "Shadowed here" not in d.render()
    assert d.to_dict()["line"] == 1 and d.to_dict()["hint"] == d.hint


def test_every_hint_template_formats():
    """Does every hint format with its pattern's groups (no stray `{...}` placeholders)?"""
    for pattern, hint in HINTS:
        hint.format(*(["x"] * pattern.groups))


# --- hints for beginner mistakes, from the real compiler ------------------------------------


CASES = {
    # name: (source, message pattern, text on the located line)
    "missing SPDX": ("pragma solidity ^0.8.0;\ncontract A {}", "SPDX license", "pragma"),
    "missing pragma": (
        "// SPDX-License-Identifier: MIT\ncontract A {}",
        "does not specify required compiler version",
        "SPDX",
    ),
    "undeclared identifier": (
        H8 + "contract A { function f() public pure returns (uint) { return y; } }",
        "Undeclared identifier",
        "return y",
    ),
    "missing data location": (
        H8 + "contract A { function f(string s) public pure {} }",
        "Data location must be",
        "string s",
    ),
    "type mismatch": (
        H8 + "contract A { function f() public pure { uint8 a = 1; int b = a; b; } }",
        "is not implicitly convertible",
        "int b = a",
    ),
    "missing visibility (0.7)": (
        H7 + "contract A { function f() pure {} }",
        "No visibility specified",
        "function f()",
    ),
    "missing visibility (0.8)": (
        H8 + "contract A { function f() pure {} }",
        "No visibility specified",
        "function f()",
    ),
    "constructor visibility": (
        H7 + "contract A { constructor() public {} }",
        "Visibility for constructor is ignored",
        "constructor()",
    ),
    "msg.value in non-payable": (
        H8 + "contract A { uint x; function f() public { x = msg.value; } }",
        "msg.value",
        "msg.value",
    ),
    "transfer on non-payable address": (
        H8 + "contract A { function f(address a) public { a.transfer(1); } }",
        'only available for objects of type "address payable"',
        "a.transfer",
    ),
    "missing semicolon": (
        H8 + "contract A { function f() public pure { uint a = 1\n uint b = 2; a; b; } }",
        "Expected ';'",
        "uint b = 2",
    ),
    "view could be pure": (
        H8 + "contract A { function f() public view returns (uint) { return 1; } }",
        "can be restricted to pure",
        "function f()",
    ),
    "unused variable": (
        H8 + "contract A { function f() public pure { uint a; } }",
        "Unused local variable",
        "uint a",
    ),
    "member not found": (
        H8 + "contract A { function f() public view returns (uint) { return msg.foo; } }",
        'Member "foo" not found',
        "msg.foo",
    ),
    "wrong argument count": (
        H8 + "contract A { function g(uint a) internal pure returns (uint) { return a; }\n"
        "function f() public pure returns (uint) { return g(1, 2); } }",
        "Wrong argument count",
        "g(1, 2)",
    ),
    "wrong return count": (
        H8 + "contract A { function f() public pure returns (uint) { return (1, 2); } }",
        "Different number of arguments in return statement",
        "return (1, 2)",
    ),
    "identifier already declared": (
        H8 + "contract A { uint x;\nuint x; }",
        "Identifier already declared",
        "uint x;",
    ),
    "missing implementation": (
        H8 + "interface I { function f() external; }\ncontract A is I {}",
        "should be marked as abstract",
        "contract A is I",
    ),
    "shadowing": (
        H8 + "contract A { uint x;\nfunction f() public pure { uint x = 1; x; } }",
        "shadows an existing declaration",
        "uint x = 1",
    ),
}


@pytest.fixture(scope="module")
def diagnostics_by_case() -> dict[str, list[Diagnostic]]:
    """Every case compiled once: its errors, or its warnings if it compiles."""
    found = {}
    for name, (source, _, _) in CASES.items():
        try:
            found[name] = compile_source(source).warnings
        except CompileError as exc:
            found[name] = exc.diagnostics
    return found


@pytest.mark.parametrize("case", list(CASES))
def test_beginner_mistake_has_hint_and_location(case, diagnostics_by_case):
    """Does the real compiler's message for this beginner mistake come with a hint and point
    at the right line?"""
    _, pattern, on_line = CASES[case]
    matching = [d for d in diagnostics_by_case[case] if re.search(pattern, d.message)]
    assert matching, [d.message for d in diagnostics_by_case[case]]
    d = matching[0]
    assert d.hint
    assert d.location is not None and d.location.file == "Contract.sol"
    assert on_line in d.location.line_text
    assert d.hint in d.render()


def test_constructor_visibility_hint_says_remove_not_add(diagnostics_by_case):
    """Does the constructor-visibility warning say to remove the visibility, not add one?"""
    (d,) = [d for d in diagnostics_by_case["constructor visibility"] if "constructor" in d.message]
    assert "remove" in d.hint


def test_hint_fills_in_names_from_the_message(diagnostics_by_case):
    """Do hints quote the member and mutability named in solc's message?"""
    (member,) = [d for d in diagnostics_by_case["member not found"] if d.is_error]
    assert "`foo`" in member.hint
    (pure,) = [d for d in diagnostics_by_case["view could be pure"] if "pure" in d.message]
    assert "`pure`" in pure.hint


# --- CompileError rendering ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def five_errors() -> str:
    return H8 + (
        "contract A { function f() public pure returns (uint) { return a1 + a2 + a3 + a4 + a5; } }"
    )


def test_compile_error_shows_three_errors_by_default(five_errors):
    """Does a CompileError with 5 errors show 3 and say how to see the rest?"""
    with pytest.raises(CompileError) as exc:
        compile_source(five_errors)
    assert len(exc.value.errors) == 5
    text = str(exc.value)
    assert text.startswith("5 compile errors:")
    assert text.count("DeclarationError: Undeclared identifier.") == 3
    assert "... and 2 more error(s); show all with verbose=True" in text


def test_compile_error_verbose_shows_all(five_errors):
    """With verbose=True, does the CompileError show all 5 errors and their codes?"""
    with pytest.raises(CompileError) as exc:
        compile_source(five_errors, verbose=True)
    text = str(exc.value)
    assert text.count("DeclarationError: Undeclared identifier.") == 5
    assert "more error(s)" not in text
    assert "solc error code 7576" in text


def test_compile_error_keeps_warnings_apart_from_errors():
    """Are warnings kept in `diagnostics` but not counted or shown as errors?"""
    with pytest.raises(CompileError) as exc:
        compile_source(
            "pragma solidity ^0.8.0;\n"  # no SPDX line: a warning from the parser
            "contract A { function g() public pure returns (uint) { return missing; } }"
        )
    assert len(exc.value.errors) == 1
    assert any(not d.is_error for d in exc.value.diagnostics)
    assert str(exc.value).startswith("1 compile error:")
    assert "SPDX" not in str(exc.value)
