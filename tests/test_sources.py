"""Sources: refusing bad input with a clear one-line error, resolving imports, comments."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sollab import (
    CompileError,
    LabError,
    SourceError,
    compile_files,
    compile_source,
    compile_sources,
)
from sollab.sources import (
    MAX_SOURCE_BYTES,
    imports_in,
    parse_remappings,
    resolve_imports,
    strip_comments,
)

REPO = Path(__file__).resolve().parent.parent
HEADER = "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.0;\n"


def one_line(exc: pytest.ExceptionInfo[BaseException]) -> str:
    message = str(exc.value)
    assert "\n" not in message, message
    assert isinstance(exc.value, LabError)
    return message


# --- bad input --------------------------------------------------------------------------------


def test_invalid_solidity_is_compile_error_with_location_and_caret():
    """Does a syntax error give CompileError with file:line:col, the line and a caret under it?"""
    with pytest.raises(CompileError) as exc:
        compile_source(HEADER + "contract A {\n    function f() public { uint x = ; }\n}")
    (error,) = exc.value.errors
    assert str(error.location) == "Contract.sol:4:36"
    assert "\n" not in error.headline()
    text = str(exc.value)
    assert "Contract.sol:4:36: ParserError" in text
    source_line, caret_line = text.splitlines()[2:4]
    assert source_line.endswith("function f() public { uint x = ; }")
    assert caret_line.index("^") == source_line.index(";")


@pytest.mark.parametrize(
    "text",
    ["", "   \n\t\n", "// just a comment\n/* and\n another */\n"],
    ids=["empty", "whitespace", "comments-only"],
)
def test_empty_source_is_refused(text):
    """Is an empty, blank or comment-only source refused with an example of what to write?"""
    with pytest.raises(SourceError) as exc:
        compile_source(text)
    message = one_line(exc)
    assert "Contract.sol is empty" in message and "contract Counter" in message


def test_source_without_contract_is_refused():
    """Is a source with only a pragma refused, saying to declare a contract?"""
    with pytest.raises(SourceError) as exc:
        compile_source(HEADER)
    message = one_line(exc)
    assert "has no contract, interface or library" in message
    assert "declare one" in message


def test_non_utf8_file_is_refused(tmp_path):
    """Is a file that is not UTF-8 refused, naming the byte and asking for UTF-8?"""
    path = tmp_path / "Latin1.sol"
    path.write_bytes(HEADER.encode() + b'contract A { string s = "caf\xe9"; }')
    with pytest.raises(SourceError) as exc:
        compile_files(path)
    message = one_line(exc)
    assert str(path) in message
    assert "not UTF-8" in message and "0xe9" in message and "save it as UTF-8" in message


def test_five_megabyte_string_source_is_refused():
    """Is a 5 MB source string refused by size, suggesting to split it?"""
    text = HEADER + "contract A {}\n" + "// " + "x" * 5_000_000
    with pytest.raises(SourceError) as exc:
        compile_source(text)
    message = one_line(exc)
    assert "5.0 MB" in message and "split it" in message


def test_five_megabyte_file_is_refused(tmp_path):
    """Is a 5 MB file refused by size too?"""
    path = tmp_path / "Huge.sol"
    path.write_text(HEADER + "contract A {}\n" + "// " + "x" * 5_000_000)
    with pytest.raises(SourceError) as exc:
        compile_files(path)
    assert "MB" in one_line(exc)


def test_source_just_under_the_limit_is_accepted():
    """Is a source of exactly the size limit still compiled?"""
    body = HEADER + "contract A {}\n// "
    text = body + "x" * (MAX_SOURCE_BYTES - len(body.encode()))
    assert len(text.encode()) == MAX_SOURCE_BYTES
    assert compile_source(text)["A"]


def test_missing_file_is_refused(tmp_path):
    """Does a path that does not exist say so and to check it?"""
    with pytest.raises(SourceError) as exc:
        compile_files(tmp_path / "Nope.sol")
    message = one_line(exc)
    assert "Nope.sol does not exist" in message and "check the path" in message


def test_directory_path_is_refused(tmp_path):
    """Does a folder given as a file say to give a .sol file?"""
    with pytest.raises(SourceError) as exc:
        compile_files(tmp_path)
    assert "is a folder: give a .sol file" in one_line(exc)


def test_no_files_is_refused():
    """Does an empty file list say to name at least one file?"""
    with pytest.raises(SourceError) as exc:
        compile_files([])
    assert "at least one .sol file" in one_line(exc)


def test_missing_package_import_points_at_import_line_with_npm_hint():
    """Does a missing package import point at the import line and hint `npm install <pkg>`?"""
    text = HEADER + 'import {Thing} from "@acme/widgets/Thing.sol";\ncontract A {}'
    with pytest.raises(CompileError) as exc:
        compile_source(text)
    (error,) = exc.value.errors
    assert error.type == "ImportError"
    assert (error.location.line, error.location.column) == (3, 1)
    assert error.location.line_text.startswith("import {Thing}")
    assert "@acme/widgets/Thing.sol" in error.message
    assert "npm install @acme/widgets" in error.hint
    assert "\n" not in error.headline()


def test_missing_bare_package_import_names_first_segment():
    """Does an unscoped package path hint `npm install` of its first segment?"""
    with pytest.raises(CompileError) as exc:
        compile_source(HEADER + 'import "forge-std/Test.sol";\ncontract A {}')
    assert "npm install forge-std" in exc.value.errors[0].hint


def test_missing_relative_import_hints_relative_paths(tmp_path):
    """Does a missing relative import hint about the importing file's folder, not npm?"""
    with pytest.raises(CompileError) as exc:
        compile_source(HEADER + 'import "./Nope.sol";\ncontract A {}', base=tmp_path)
    (error,) = exc.value.errors
    assert "npm" not in error.hint and "relative" in error.hint
    assert str(tmp_path / "Nope.sol") in error.message


def test_missing_import_message_lists_each_place_once():
    """Does the not-found message name each place looked in only once?"""
    with pytest.raises(CompileError) as exc:
        compile_source(HEADER + 'import "nowhere/X.sol";\ncontract A {}', base=REPO)
    message = exc.value.errors[0].message
    places = message.split("looked in ")[1].rstrip(")").split(", ")
    places = [p for p in places if p != "..."]
    assert len(places) == len(set(places))


# --- resolving imports ------------------------------------------------------------------------


def test_relative_imports_between_files(tmp_path):
    """Do `./` and `../` imports between files in a folder resolve transitively?"""
    (tmp_path / "src").mkdir()
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "Base.sol").write_text(HEADER + "contract Base {}")
    (tmp_path / "shared" / "Mid.sol").write_text(
        HEADER + 'import "./Base.sol";\ncontract Mid is Base {}'
    )
    (tmp_path / "src" / "Top.sol").write_text(
        HEADER + 'import "../shared/Mid.sol";\ncontract Top is Mid {}'
    )
    result = compile_files(tmp_path / "src" / "Top.sol")
    assert sorted(a.name for a in result) == ["Base", "Mid", "Top"]
    assert [a.name for a in result.root_contracts] == ["Top"]


def test_relative_import_above_in_memory_root_resolves(tmp_path):
    """Does `../` from an in-memory source resolve to the unit name solc expects?"""
    (tmp_path / "lib").mkdir()
    (tmp_path / "src").mkdir()
    (tmp_path / "lib" / "L.sol").write_text(HEADER + "contract L {}")
    result = compile_sources(
        {"A.sol": HEADER + 'import "../lib/L.sol";\ncontract A is L {}'},
        base=tmp_path / "src",
    )
    assert set(result.sources) == {"A.sol", "lib/L.sol"}


def test_import_from_lab_root_path(tmp_path):
    """Does `import "contracts/examples/Counter.sol"` resolve from the lab root anywhere?"""
    text = HEADER + (
        'import "contracts/examples/Counter.sol";\n'
        "contract Mine is Counter { constructor() Counter(1) {} }"
    )
    result = compile_source(text, name="Mine.sol", base=tmp_path)
    assert "contracts/examples/Counter.sol" in result.sources
    assert result["Mine"].is_deployable


def test_nearest_node_modules_walking_up(tmp_path):
    """Is a package import found in the nearest node_modules above the importing file?"""
    project = tmp_path / "project"
    src = project / "src" / "deep"
    src.mkdir(parents=True)
    far = project / "node_modules" / "fakepkg"
    far.mkdir(parents=True)
    (far / "Lib.sol").write_text(HEADER + "contract FarLib {}")
    (far / "Other.sol").write_text(HEADER + "contract OtherLib {}")
    (src / "Main.sol").write_text(
        HEADER + 'import "fakepkg/Lib.sol";\nimport "fakepkg/Other.sol";\ncontract Main {}'
    )
    result = compile_files(src / "Main.sol")
    assert {"FarLib", "OtherLib", "Main"} <= {a.name for a in result}

    near = project / "src" / "node_modules" / "fakepkg"
    near.mkdir(parents=True)
    (near / "Lib.sol").write_text(HEADER + "contract NearLib {}")
    names = {a.name for a in compile_files(src / "Main.sol")}
    assert "NearLib" in names and "FarLib" not in names


def test_package_imports_inside_package_resolve(tmp_path):
    """Does a package file's own relative and package imports resolve from its folder?"""
    pkg = tmp_path / "node_modules" / "fakepkg"
    (pkg / "utils").mkdir(parents=True)
    (pkg / "Lib.sol").write_text(HEADER + 'import "./utils/U.sol";\ncontract Lib is U {}')
    (pkg / "utils" / "U.sol").write_text(HEADER + "contract U {}")
    (tmp_path / "Main.sol").write_text(HEADER + 'import "fakepkg/Lib.sol";\ncontract Main {}')
    result = compile_files(tmp_path / "Main.sol")
    assert "fakepkg/utils/U.sol" in result.sources


def test_remapping_prefix_to_other_folder(tmp_path):
    """Does remapping `lib/=other/` load the file from other/ and compile?"""
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "Lib.sol").write_text(
        HEADER + "library L { function one() internal pure returns (uint) { return 1; } }"
    )
    text = HEADER + (
        'import "lib/Lib.sol";\n'
        "contract A { function f() public pure returns (uint) { return L.one(); } }"
    )
    result = compile_sources({"A.sol": text}, base=tmp_path, remappings=["lib/=other/"])
    assert "other/Lib.sol" in result.sources
    assert result.input["settings"]["remappings"] == ["lib/=other/"]
    assert result["A"].is_deployable


def test_remapping_without_equals_is_refused():
    """Does a remapping without `=` say how to write one?"""
    with pytest.raises(SourceError, match="prefix=target"):
        parse_remappings(["lib/"])


def test_remappings_prefer_longest_prefix_and_keep_context():
    """Are remappings ordered longest prefix first, with a context kept apart?"""
    parsed = parse_remappings(["a/=x/", "a/b/=y/", "ctx:c/=z/"])
    assert parsed == [("ctx", "c/", "z/"), ("", "a/b/", "y/"), ("", "a/", "x/")]


def test_fake_imports_in_comments_are_ignored():
    """Are `import` lines inside // and /* */ comments ignored?"""
    text = HEADER + (
        '// import "missing/One.sol";\n'
        '/* import "missing/Two.sol";\n   import "missing/Three.sol"; */\n'
        "contract A {}"
    )
    assert compile_source(text)["A"]


def test_import_text_inside_string_literal_is_ignored():
    """Is import-like text inside a string literal not treated as an import?"""
    text = HEADER + "contract A { string s = \"import 'missing/Four.sol';\"; }"
    assert compile_source(text)["A"]


def test_imports_in_finds_every_form():
    """Are plain, aliased, `{...} from` and `* as` imports all found, with their spans?"""
    text = (
        'import "a.sol";\n'
        'import "b.sol" as B;\n'
        'import {X, Y as Z} from "./c.sol";\n'
        "import * as D from 'd.sol';\n"
    )
    found = imports_in(text)
    assert [f[0] for f in found] == ["a.sol", "b.sol", "./c.sol", "d.sol"]
    for _, start, end in found:
        assert text[start:end].startswith("import") and text[start:end].endswith(";")


def test_resolve_imports_keeps_roots_and_folders(tmp_path):
    """Does a SourceSet record the roots and the folder each unit came from?"""
    (tmp_path / "B.sol").write_text(HEADER + "contract B {}")
    ss = resolve_imports({"A.sol": (HEADER + 'import "./B.sol";\ncontract A {}', tmp_path)})
    assert ss.roots == ["A.sol"]
    assert ss.folders["B.sol"] == tmp_path


# --- strip_comments -----------------------------------------------------------------------------


def test_strip_comments_blanks_comments_and_keeps_offsets():
    """Are comments blanked to spaces with newlines and every other offset kept?"""
    text = "a // line\nb /* block\nmore */ c"
    out = strip_comments(text)
    assert out == "a        \nb         \n        c"
    assert len(out) == len(text)


def test_strip_comments_leaves_strings_alone():
    """Are `//` and `/*` inside string literals (with escaped quotes) left untouched?"""
    text = "s = \"http://x /* y */\"; t = 'it\\'s // fine'; // gone"
    out = strip_comments(text)
    assert out.startswith("s = \"http://x /* y */\"; t = 'it\\'s // fine'; ")
    assert "gone" not in out


def test_strip_comments_quotes_in_comments_do_not_open_strings():
    """Does an apostrophe inside a comment not swallow the code after it?"""
    text = "// don't\nimport 'x.sol'; /* it's */ uint a;"
    out = strip_comments(text)
    assert "import 'x.sol';" in out and "uint a;" in out and "don't" not in out


def test_strip_comments_unterminated_block_runs_to_end():
    """Does an unclosed /* blank everything to the end of the text?"""
    assert strip_comments("a /* open\nforever") == "a        \n       "


def test_strip_comments_strings_option_blanks_literal_contents():
    """With strings=True, are string contents blanked but their quotes kept?"""
    assert strip_comments('x = "ab // c"; // d', strings=True) == 'x = "       ";     '


@given(st.text(alphabet=st.sampled_from(list("ab /*\n\"'\\;é"))))
def test_strip_comments_preserves_length_and_newlines(text):
    """For any text, is the output as long, with newlines at the same places?"""
    for strings in (False, True):
        out = strip_comments(text, strings=strings)
        assert len(out) == len(text)
        assert [i for i, c in enumerate(out) if c == "\n"] == [
            i for i, c in enumerate(text) if c == "\n"
        ]
        assert all(o == t or o == " " for o, t in zip(out, text, strict=True))


def test_a_lab_path_is_found_from_any_working_directory(tmp_path, monkeypatch):
    """`contracts/...` means the lab's contracts/ wherever a notebook runs (lessons/, nbgrader's
    autograded/ copy); a path that exists where it is given wins; a missing one says so."""
    import sollab as lab
    from sollab.sources import locate

    monkeypatch.chdir(tmp_path)
    assert locate(Path("contracts/examples/Counter.sol")) == lab.CONTRACTS / "examples/Counter.sol"
    assert "Counter" in [a.name for a in lab.compile_file("contracts/examples/Counter.sol")]
    (tmp_path / "contracts" / "examples").mkdir(parents=True)
    own = tmp_path / "contracts" / "examples" / "Counter.sol"
    own.write_text("// SPDX-License-Identifier: MIT\npragma solidity ^0.8.0;\ncontract Mine {}\n")
    assert locate(Path("contracts/examples/Counter.sol")) == Path("contracts/examples/Counter.sol")
    with pytest.raises(SourceError, match="does not exist"):
        lab.compile_file("contracts/examples/Nope.sol")
