"""Compiler versions: pragma ranges, choosing an installed compiler, installing more."""

from __future__ import annotations

import pytest

from sollab import CompilerNotFound, LabError, SourceError, compile_source
from sollab.compiler import evm_version_for
from sollab.versions import (
    Version,
    VersionRange,
    install_solcjs,
    installed_compilers,
    pragmas_in,
    select_compiler,
)


def allowed(expr: str, *versions: str) -> list[bool]:
    r = VersionRange.parse(expr)
    return [r.allows(Version.parse(v)) for v in versions]


# --- Version ------------------------------------------------------------------------------------


def test_version_parse_and_order():
    """Does Version parse `v0.8.37+commit...` and order numerically, not as text?"""
    assert Version.parse("v0.8.37+commit.f401782d") == Version(0, 8, 37)
    assert Version.parse("0.8.9") < Version.parse("0.8.10")
    assert str(Version(0, 7, 6)) == "0.7.6"
    with pytest.raises(ValueError):
        Version.parse("latest")


# --- VersionRange -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expr", "yes", "no"),
    [
        ("^0.8.0", ["0.8.0", "0.8.37"], ["0.7.6", "0.9.0"]),
        ("^0.8.24", ["0.8.24", "0.8.30"], ["0.8.23", "0.9.0"]),
        ("^0.0.3", ["0.0.3"], ["0.0.4", "0.0.2"]),
        ("^1.2.3", ["1.2.3", "1.9.0"], ["2.0.0"]),
        ("~0.8.1", ["0.8.1", "0.8.37"], ["0.8.0", "0.9.0"]),
        ("~0.8", ["0.8.0", "0.8.37"], ["0.9.0"]),
        ("=0.8.20", ["0.8.20"], ["0.8.21", "0.8.19"]),
        ("0.8.20", ["0.8.20"], ["0.8.21"]),
        ("0.8", ["0.8.0", "0.8.37"], ["0.7.6", "0.9.0"]),
        ("^0.8", ["0.8.0", "0.8.37"], ["0.9.0", "0.7.6"]),
        ("^0", ["0.5.0", "0.8.37"], ["1.0.0"]),
        (">=0.7.0 <0.9.0", ["0.7.0", "0.8.37"], ["0.6.12", "0.9.0"]),
        (">=0.8", ["0.8.0", "1.0.0"], ["0.7.6"]),
        (">0.8", ["0.9.0"], ["0.8.37"]),
        ("<=0.7", ["0.7.6"], ["0.8.0"]),
        (">0.7.5 <=0.8.1", ["0.7.6", "0.8.1"], ["0.7.5", "0.8.2"]),
        ("0.5.0 - 0.6.0", ["0.5.0", "0.6.0"], ["0.4.26", "0.6.1"]),
        ("0.5 - 0.6", ["0.5.0", "0.6.12"], ["0.7.0"]),
        ("^0.7.0 || ^0.8.0", ["0.7.6", "0.8.37"], ["0.6.12", "0.9.0"]),
        ("=0.5.16 || >=0.8.20", ["0.5.16", "0.8.37"], ["0.5.17", "0.8.19"]),
        ("^ 0.8.0", ["0.8.1"], ["0.9.0"]),
        ("*", ["0.4.0", "0.8.37"], []),
        ("0.8.x", ["0.8.5"], ["0.9.0"]),
    ],
)
def test_range_allows(expr, yes, no):
    """Does each pragma form allow exactly the versions npm-style semver says it does?"""
    assert allowed(expr, *yes) == [True] * len(yes)
    assert allowed(expr, *no) == [False] * len(no)


@pytest.mark.parametrize("expr", ["", "banana", "^", ">=0.8.0 <", "0.8.0.1", "||", "0.8.0 -"])
def test_range_parse_rejects_nonsense(expr):
    """Is text that is not a version range rejected with ValueError?"""
    with pytest.raises(ValueError):
        VersionRange.parse(expr)


@pytest.mark.parametrize(
    ("expr", "exact"),
    [
        ("=0.5.16", Version(0, 5, 16)),
        ("0.5.16", Version(0, 5, 16)),
        ("^0.5.16", None),
        ("=0.5", None),
        (">=0.5.16", None),
        ("0.5.16 || 0.5.17", None),
    ],
)
def test_range_exact(expr, exact):
    """Does `exact` name the version only for a pragma that allows exactly one?"""
    assert VersionRange.parse(expr).exact == exact


def test_range_str_is_normalised_text():
    """Does a range print as its pragma text with runs of whitespace collapsed?"""
    assert str(VersionRange.parse(">=0.7.0   <0.9.0")) == ">=0.7.0 <0.9.0"


# --- pragmas_in ---------------------------------------------------------------------------------


def test_pragmas_in_ignores_commented_pragmas():
    """Are pragmas inside // and /* */ comments ignored?"""
    text = (
        "// pragma solidity ^0.6.0;\n"
        "/* pragma solidity =0.5.16;\n*/\n"
        "pragma solidity ^0.8.0;\n"
        "pragma   solidity   >=0.8.20  <0.9.0 ;\n"
        "pragma abicoder v2;\n"
    )
    assert pragmas_in(text) == ["^0.8.0", ">=0.8.20  <0.9.0"]


def test_pragmas_in_none():
    """Does a source without a pragma give no pragmas?"""
    assert pragmas_in("contract A {}") == []


# --- select_compiler ----------------------------------------------------------------------------


@pytest.fixture
def empty_home(tmp_path, monkeypatch):
    """A SOLLAB_HOME with no extra compilers, so only the lab's node_modules count."""
    monkeypatch.setenv("SOLLAB_HOME", str(tmp_path))
    monkeypatch.delenv("SOLC_BINARY", raising=False)


def test_installed_compilers_newest_first():
    """Are the lab's solc-js 0.8.37 and 0.7.6 installed, listed newest first?"""
    versions = [c.version for c in installed_compilers()]
    assert Version(0, 8, 37) in versions and Version(0, 7, 6) in versions
    assert versions == sorted(versions, reverse=True)


@pytest.mark.parametrize(
    ("pragmas", "expected"),
    [
        ([], "0.8.37"),
        (["^0.8.0"], "0.8.37"),
        (["^0.7.0"], "0.7.6"),
        ([">=0.7.0 <0.8.0"], "0.7.6"),
        (["^0.7.0 || ^0.8.0"], "0.8.37"),
        ([">=0.7.0", "<0.8.0"], "0.7.6"),
    ],
)
def test_select_compiler_newest_satisfying(pragmas, expected, empty_home):
    """Is the newest installed compiler satisfying every pragma chosen?"""
    assert str(select_compiler(pragmas).version) == expected


def test_select_compiler_exact_uninstalled_names_install_command(empty_home):
    """Does `=0.5.16` (not installed) say to run `sollab compilers install 0.5.16`?"""
    with pytest.raises(CompilerNotFound) as exc:
        select_compiler(["=0.5.16"], where="Old.sol")
    message = str(exc.value)
    assert "sollab compilers install 0.5.16" in message
    assert "Old.sol" in message and "0.7.6" in message  # says where, and what is installed
    assert "\n" not in message


def test_select_compiler_range_uninstalled_suggests_newest_match(empty_home):
    """Does `^0.6.0` suggest installing the newest released 0.6 (0.6.12)?"""
    with pytest.raises(CompilerNotFound, match=r"sollab compilers install 0\.6\.12"):
        select_compiler(["^0.6.0"])


def test_select_compiler_no_released_version(empty_home):
    """Does `^0.9.0` say no released version matches and how to fix the pragma?"""
    with pytest.raises(CompilerNotFound) as exc:
        select_compiler(["^0.9.0"])
    message = str(exc.value)
    assert "no released Solidity version matches" in message
    assert "pragma solidity ^0.8.0;" in message


def test_select_compiler_unparsable_pragma_is_source_error():
    """Is a pragma that is not a version range a SourceError showing an example?"""
    with pytest.raises(SourceError) as exc:
        select_compiler(["banana"], where="Fruit.sol")
    message = str(exc.value)
    assert "`pragma solidity banana;` in Fruit.sol" in message
    assert "pragma solidity ^0.8.24;" in message


def test_unparsable_pragma_in_source_stops_compile():
    """Does compiling a source with a nonsense pragma raise that SourceError before solc runs?"""
    with pytest.raises(SourceError, match="is not a version range"):
        compile_source("pragma solidity latest;\ncontract A {}")


@pytest.mark.parametrize(
    ("requested", "expected"),
    [("0.7.6", "0.7.6"), ("0.8.37", "0.8.37"), ("v0.7.6", "0.7.6")],
)
def test_select_compiler_requested_version(requested, expected):
    """Does a requested version win, whatever the pragmas say?"""
    assert str(select_compiler(["^0.8.0"], requested).version) == expected


@pytest.mark.parametrize(
    ("requested", "fragment"),
    [("0.6.0", "sollab compilers install 0.6.0"), ("newest", "give one like 0.8.37")],
)
def test_select_compiler_requested_unavailable(requested, fragment, empty_home):
    """Does an uninstalled or malformed requested version say what to do?"""
    with pytest.raises(CompilerNotFound, match=fragment):
        select_compiler([], requested)


def test_broken_solc_binary_is_reported(monkeypatch, tmp_path):
    """Does a SOLC_BINARY that is not a working solc say to fix or unset it?"""
    monkeypatch.setenv("SOLC_BINARY", str(tmp_path / "no-solc"))
    with pytest.raises(CompilerNotFound, match="unset SOLC_BINARY"):
        installed_compilers()


# --- evm_version_for ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "evm"),
    [
        ("0.8.37", "prague"),
        ("0.8.30", "prague"),
        ("0.8.29", "cancun"),
        ("0.8.24", "cancun"),
        ("0.8.23", "shanghai"),
        ("0.8.20", "shanghai"),
        ("0.8.19", "paris"),
        ("0.8.18", "paris"),
        ("0.8.7", "london"),
        ("0.8.5", "berlin"),
        ("0.8.4", "istanbul"),
        ("0.7.6", "istanbul"),
        ("0.5.14", "istanbul"),
        ("0.5.13", "petersburg"),
        ("0.5.5", "petersburg"),
        ("0.5.4", "byzantium"),
        ("0.4.26", "byzantium"),
        ("0.4.21", "byzantium"),
        ("0.4.20", None),
    ],
)
def test_evm_version_for(version, evm):
    """Is the EVM target the newest one both this compiler and the lab's chain know?"""
    assert evm_version_for(Version.parse(version)) == evm


# --- installing a compiler from npm ---------------------------------------------------------


@pytest.mark.slow
@pytest.mark.network_npm
def test_install_solcjs_then_compile_exact_old_pragma():
    """Does `install_solcjs("0.5.16")` install from npm, list it, and compile `=0.5.16`?"""
    installed = install_solcjs("0.5.16", quiet=True)
    assert installed.version == Version(0, 5, 16)
    assert installed.kind == "solcjs" and installed.origin == "sollab compilers"
    assert installed in installed_compilers()
    assert install_solcjs("0.5.16", quiet=True) == installed  # a second install is a no-op

    result = compile_source(
        "pragma solidity =0.5.16;\n"
        "contract Old { function f() public pure returns (uint) { return 1; } }"
    )
    assert result.compiler == installed
    assert result.solc_version.startswith("0.5.16")
    assert result.input["settings"]["evmVersion"] == "istanbul"
    assert result["Old"].is_deployable


@pytest.mark.slow
@pytest.mark.network_npm
def test_a_04_compiler_installs_compiles_and_deploys():
    """Old tutorials and CTF levels use 0.4.x: does `^0.4.24` work end to end (solc-js 0.4
    takes standard JSON through another entry point)?"""
    import sollab as lab

    install_solcjs("0.4.26", quiet=True)
    source = (
        "pragma solidity ^0.4.24;\n"
        "contract Old { uint public x; function set(uint v) public { x = v; } }\n"
    )
    result = compile_source(source, "Old04.sol")
    assert result.solc_version.startswith("0.4.26")
    old = lab.Chain().deploy(result["Old"])
    old.set(7)
    assert old.x() == 7


def test_installing_a_version_before_standard_json_is_refused_up_front():
    with pytest.raises(LabError, match=r"supports Solidity 0\.4\.11 and newer"):
        install_solcjs("0.3.6", quiet=True)
