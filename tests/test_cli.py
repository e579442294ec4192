"""The `sollab` command: compile, compilers, doctor, and one-line errors for mistakes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sollab.cli import main

EXAMPLES = Path(__file__).resolve().parent.parent / "contracts" / "examples"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = 0
    try:
        main(list(argv))
    except SystemExit as exc:
        code = exc.code or 0
    out, err = capsys.readouterr()
    return code, out, err


def test_compile_prints_a_summary_of_each_contract(capsys):
    code, out, _ = run(capsys, "compile", str(EXAMPLES / "Counter.sol"))
    assert code == 0
    assert "contracts/examples/Counter.sol:Counter: 5 functions" in out
    assert "solc 0.8.37" in out


def test_compile_json_of_an_openzeppelin_erc20_has_abi_and_bytecode(capsys):
    """Does the acceptance compile (an OpenZeppelin ERC-20) give the documented JSON shape?"""
    code, out, _ = run(capsys, "compile", str(EXAMPLES / "MyToken.sol"), "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["solc"] == "0.8.37"
    token = doc["contracts"]["contracts/examples/MyToken.sol:MyToken"]
    assert {"abi", "bytecode", "deployedBytecode"} <= set(token)
    names = {item.get("name") for item in token["abi"]}
    assert {"transfer", "approve", "transferFrom", "balanceOf", "Transfer"} <= names
    assert token["bytecode"].startswith("0x60")
    assert doc["errors"] == []


def test_compile_error_exits_1_with_diagnostics_and_caret(tmp_path, capsys):
    bad = tmp_path / "Bad.sol"
    bad.write_text("pragma solidity ^0.8.0;\ncontract Bad {\n  function f() public { y = 1; }\n}\n")
    code, _, err = run(capsys, "compile", str(bad))
    assert code == 1
    assert "Bad.sol:3:25: DeclarationError: Undeclared identifier." in err  # file:line:col
    assert "^" in err
    assert "Error: 1 compile error; nothing was compiled" in err
    assert "Traceback" not in err


def test_compile_error_as_json_lists_structured_errors(tmp_path, capsys):
    bad = tmp_path / "Bad.sol"
    bad.write_text("pragma solidity ^0.8.0;\ncontract Bad { function f() public { y = 1; } }\n")
    code, out, _ = run(capsys, "compile", str(bad), "--json")
    assert code == 1
    doc = json.loads(out)
    assert doc["contracts"] == {}
    (error,) = [e for e in doc["errors"] if e["severity"] == "error"]
    assert (error["severity"], error["line"], error["type"]) == ("error", 2, "DeclarationError")


def test_compile_with_solc_override_and_optimizer(capsys):
    code, out, _ = run(
        capsys, "compile", str(EXAMPLES / "Counter.sol"), "--optimize", "--solc", "0.8.37"
    )
    assert code == 0 and "solc 0.8.37" in out


def test_missing_file_is_one_line_error(capsys):
    code, _, err = run(capsys, "compile", "does/not/exist.sol")
    assert code == 1
    assert err.strip().splitlines() == ["Error: does/not/exist.sol does not exist: check the path"]


def test_uninstalled_exact_version_names_the_install_command(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SOLLAB_HOME", str(tmp_path / "home"))  # no compilers installed by others
    old = tmp_path / "Old.sol"
    old.write_text("pragma solidity =0.4.26;\ncontract Old {}\n")
    code, _, err = run(capsys, "compile", str(old))
    assert code == 1
    assert "sollab compilers install 0.4.26" in err
    assert len(err.strip().splitlines()) == 1


def test_compilers_list_shows_the_set_up_versions(capsys):
    code, out, _ = run(capsys, "compilers", "list", "--json")
    assert code == 0
    versions = {c["version"] for c in json.loads(out)["compilers"]}
    assert {"0.8.37", "0.7.6"} <= versions


def test_a_typo_in_a_command_suggests_the_right_one(capsys):
    code, _, err = run(capsys, "compil", "x.sol")
    assert code == 2
    assert "Did you mean 'compile'?" in err


def test_a_typo_in_a_grade_subcommand_is_not_taken_for_a_lesson(capsys):
    code, _, err = run(capsys, "grade", "mrege", "05-solidity-basics", "submitted")
    assert (code, err.strip()) == (2, "Error: No such command 'mrege'. Did you mean 'merge'?")


def test_installed_entry_point_runs(repo):
    """Is `.venv/bin/sollab` (the console script) wired to the CLI?"""
    exe = Path(sys.executable).parent / "sollab"
    if not exe.exists():
        pytest.skip("sollab console script not installed in this environment")
    out = subprocess.run([str(exe), "--help"], capture_output=True, text=True, check=True)
    assert "compile" in out.stdout and "doctor" in out.stdout
