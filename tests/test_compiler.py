"""The compiler: artifacts, contract lookup, compiler choice, the cache and the solc-js worker."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest
from eth_utils import keccak

from sollab import (
    CompileError,
    CompilerCrashed,
    NodeNotFound,
    compile_files,
    compile_source,
    compile_sources,
    sources,
)
from sollab.compiler import Compiler, default_compiler
from sollab.node import find_node
from sollab.versions import Version

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "contracts" / "examples"
HEADER = "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.0;\n"
SIMPLE = (
    HEADER + "contract Simple { uint256 public x; function set(uint256 v) external { x = v; } }"
)

_unique = iter(range(1_000_000))


def fresh_source(name: str = "Fresh") -> str:
    """A contract no earlier compile has seen, so no cache can answer it."""
    n = next(_unique)
    stamp = f"{time.time_ns()}{n}"
    return HEADER + f"contract {name} {{ uint256 public constant STAMP = {stamp}; }}"


def source_set(text: str, name: str = "Contract.sol") -> sources.SourceSet:
    return sources.resolve_imports({name: (text, REPO)}, base=REPO)


def wait_until_dead(worker) -> None:
    """Wait (bounded) until the worker's process has exited and been reaped."""
    deadline = time.monotonic() + 10
    while worker.pid is not None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert worker.pid is None, "the killed worker process did not exit"


@pytest.fixture(scope="module")
def counter():
    return compile_files(EXAMPLES / "Counter.sol")


@pytest.fixture(scope="module")
def my_token():
    return compile_files(EXAMPLES / "MyToken.sol")


@pytest.fixture
def cache_env(monkeypatch):
    monkeypatch.delenv("SOLLAB_NO_DISK_CACHE", raising=False)


# --- compiling strings and files ---------------------------------------------------------------


def test_compile_source_string_gives_artifact_named_after_unit():
    """Does a Solidity string compile into an artifact under the unit name given?"""
    result = compile_source(SIMPLE, name="Simple")
    artifact = result["Simple"]
    assert artifact.fqn == "Simple.sol:Simple"
    assert result.roots == ["Simple.sol"]
    assert artifact.is_deployable
    assert {e.get("name") for e in artifact.abi} >= {"x", "set"}


def test_compile_file_names_unit_relative_to_lab_root(counter):
    """Is a file inside the lab compiled under a path relative to the lab root?"""
    assert counter.roots == ["contracts/examples/Counter.sol"]
    assert counter["Counter"].fqn == "contracts/examples/Counter.sol:Counter"


def test_compile_several_files_at_once(tmp_path):
    """Do several files compile together, each a root with its contracts?"""
    (tmp_path / "A.sol").write_text(HEADER + "contract A {}")
    (tmp_path / "B.sol").write_text(HEADER + "contract B {} contract C {}")
    result = compile_files([tmp_path / "A.sol", tmp_path / "B.sol"])
    assert len(result.roots) == 2
    assert sorted(a.name for a in result.root_contracts) == ["A", "B", "C"]


def test_compile_sources_dict_of_in_memory_files():
    """Do several in-memory sources importing each other compile?"""
    result = compile_sources(
        {
            "Base.sol": HEADER + "contract Base { function one() public pure returns (uint) "
            "{ return 1; } }",
            "Child.sol": HEADER + 'import "./Base.sol";\ncontract Child is Base {}',
        }
    )
    assert set(result.sources) == {"Base.sol", "Child.sol"}
    assert "one()" in result["Child"].method_identifiers


# --- what an artifact carries -----------------------------------------------------------------


def test_artifact_has_creation_and_runtime_bytecode(counter):
    """Does the artifact carry 0x-prefixed creation and runtime bytecode, creation longer?"""
    a = counter["Counter"]
    assert a.bytecode.startswith("0x") and a.deployed_bytecode.startswith("0x")
    bytes.fromhex(a.bytecode[2:])
    bytes.fromhex(a.deployed_bytecode[2:])
    assert len(a.bytecode) > len(a.deployed_bytecode) > 2


def test_artifact_abi_lists_functions_events_errors_constructor(counter):
    """Does the ABI list the functions, event, custom error and constructor?"""
    abi = counter["Counter"].abi
    by_type = {(e["type"], e.get("name")) for e in abi}
    assert {
        ("function", "increment"),
        ("function", "add"),
        ("function", "reset"),
        ("function", "count"),
        ("function", "owner"),
        ("event", "CountChanged"),
        ("error", "NotOwner"),
        ("constructor", None),
    } <= by_type


def test_artifact_source_maps_are_solc_format(counter):
    """Are both source maps non-empty `s:l:f:j` lists?"""
    a = counter["Counter"]
    for source_map in (a.source_map, a.deployed_source_map):
        assert source_map
        first = source_map.split(";")[0].split(":")
        assert all(part.lstrip("-").isdigit() for part in first[:3])


def test_artifact_storage_layout_names_state_variables(counter):
    """Does the storage layout place `count` in slot 0 and `owner` in slot 1?"""
    storage = {s["label"]: s for s in counter["Counter"].storage_layout["storage"]}
    assert storage["count"]["slot"] == "0"
    assert storage["owner"]["slot"] == "1"


def test_artifact_method_identifiers_are_keccak_selectors(counter):
    """Are the method identifiers the first 4 bytes of keccak(signature)?"""
    ids = counter["Counter"].method_identifiers
    assert set(ids) == {"add(uint256)", "count()", "increment()", "owner()", "reset()"}
    for signature, selector in ids.items():
        assert selector == keccak(text=signature)[:4].hex()


def test_artifact_gas_estimates_cover_creation_and_functions(counter):
    """Are there gas estimates for creation and each external function?"""
    gas = counter["Counter"].gas_estimates
    assert "creation" in gas and "external" in gas
    assert "increment()" in gas["external"]


def test_artifact_metadata_names_compiler_and_target(counter):
    """Is the metadata solc's JSON, naming the compiler version and the compiled contract?"""
    a = counter["Counter"]
    meta = json.loads(a.metadata)
    assert a.solc_version.startswith(meta["compiler"]["version"])
    assert meta["settings"]["compilationTarget"] == {"contracts/examples/Counter.sol": "Counter"}


def test_artifact_natspec_docs(counter):
    """Do the NatSpec comments reach userdoc and devdoc?"""
    a = counter["Counter"]
    assert a.userdoc["methods"]["increment()"]["notice"] == "Add one to the count."
    assert "title" in a.devdoc


def test_artifact_keeps_exact_standard_json_input(counter):
    """Does the artifact keep the standard-JSON input: every source verbatim and the settings?"""
    a = counter["Counter"]
    stdin = a.standard_json_input
    assert stdin["language"] == "Solidity"
    assert stdin["sources"] == {
        "contracts/examples/Counter.sol": {"content": (EXAMPLES / "Counter.sol").read_text()}
    }
    assert stdin["settings"]["evmVersion"] == "prague"
    assert stdin["settings"]["optimizer"] == {"enabled": False, "runs": 200}


def test_recompiling_standard_json_input_gives_same_bytecode(my_token):
    """Does the kept input, sent to solc alone (no import callback), rebuild the same bytecode?"""
    a = my_token["MyToken"]
    output_json, _ = default_compiler().worker.compile(
        a.compilation.compiler, json.dumps(a.standard_json_input)
    )
    output = json.loads(output_json)
    assert not [e for e in output.get("errors", []) if e["severity"] == "error"]
    evm = output["contracts"][a.source][a.name]["evm"]
    assert "0x" + evm["bytecode"]["object"] == a.bytecode
    assert "0x" + evm["deployedBytecode"]["object"] == a.deployed_bytecode


def test_to_dict_is_json_serialisable(counter):
    """Can an artifact be written out as JSON (hardhat-like keys)?"""
    d = counter["Counter"].to_dict()
    assert json.loads(json.dumps(d))["contractName"] == "Counter"
    assert d["bytecode"] == counter["Counter"].bytecode


# --- looking contracts up -------------------------------------------------------------------------


def test_contract_lookup_by_name_and_fully_qualified_name(counter):
    """Do `Name` and `File.sol:Name` find the same artifact?"""
    assert counter.contract("Counter") is counter["contracts/examples/Counter.sol:Counter"]


def test_contract_lookup_unknown_name_lists_known(counter):
    """Does an unknown name raise KeyError listing the compiled contracts?"""
    with pytest.raises(KeyError, match=r"no contract named 'Nope' \(compiled: Counter\)"):
        counter["Nope"]


def test_contract_lookup_ambiguous_name_lists_fqns():
    """Does a name declared in two roots raise KeyError naming both `File.sol:Name`?"""
    result = compile_sources(
        {"a.sol": HEADER + "contract Same {}", "b.sol": HEADER + "contract Same { uint x; }"}
    )
    with pytest.raises(KeyError, match="ambiguous") as exc:
        result["Same"]
    assert "a.sol:Same" in str(exc.value) and "b.sol:Same" in str(exc.value)
    assert result["b.sol:Same"].source == "b.sol"


def test_contract_lookup_prefers_root_over_imported(tmp_path):
    """Does a bare name prefer the contract in the sources given over one pulled in by import?"""
    (tmp_path / "Lib.sol").write_text(HEADER + "contract Thing {} contract Helper {}")
    result = compile_sources(
        {"Main.sol": HEADER + 'import {Helper} from "./Lib.sol";\ncontract Thing is Helper {}'},
        base=tmp_path,
    )
    assert result["Thing"].source == "Main.sol"
    assert [a.name for a in result.root_contracts] == ["Thing"]


def test_openzeppelin_import_compiles(my_token):
    """Does MyToken, importing OpenZeppelin's ERC20 from node_modules, compile?"""
    token = my_token["MyToken"]
    assert token.is_deployable
    assert "transfer(address,uint256)" in token.method_identifiers
    assert "@openzeppelin/contracts/token/ERC20/ERC20.sol" in my_token.sources
    assert [a.name for a in my_token.root_contracts] == ["MyToken"]
    # interfaces come along but have no bytecode
    assert not my_token["IERC20"].is_deployable


# --- choosing the compiler --------------------------------------------------------------------


def test_pragma_caret_07_picks_076():
    """Does `pragma solidity ^0.7.0` compile with 0.7.6 (and an EVM version 0.7.6 knows)?"""
    result = compile_source(
        "// SPDX-License-Identifier: MIT\npragma solidity ^0.7.0;\ncontract Old {}"
    )
    assert result.compiler.version == Version(0, 7, 6)
    assert result.solc_version.startswith("0.7.6")
    assert result.input["settings"]["evmVersion"] == "istanbul"


def test_pragma_caret_08_picks_0837():
    """Does `pragma solidity ^0.8.0` compile with the newest installed 0.8, 0.8.37?"""
    result = compile_source(HEADER + "contract New {}")
    assert result.compiler.version == Version(0, 8, 37)
    assert result.solc_version.startswith("0.8.37")


def test_solc_override_picks_requested_version():
    """Does `solc="0.7.6"` win over the newest compiler the pragma allows?"""
    text = "// SPDX-License-Identifier: MIT\npragma solidity >=0.7.0;\ncontract Any {}"
    assert compile_source(text).compiler.version == Version(0, 8, 37)
    assert compile_source(text, solc="0.7.6").compiler.version == Version(0, 7, 6)


def test_solc_override_against_pragma_is_a_compile_error_with_hint():
    """Does forcing 0.7.6 on a `^0.8.0` source give solc's version error with a hint?"""
    with pytest.raises(CompileError) as exc:
        compile_source(HEADER + "contract New {}", solc="0.7.6")
    (error,) = exc.value.errors
    assert "requires different compiler version" in error.message
    assert error.hint and "--solc" in error.hint


def test_optimize_flag_changes_settings_and_bytecode():
    """Does `optimize=True, runs=N` reach the settings and change the bytecode?"""
    text = HEADER + (
        "contract Opt { uint256[] xs; function sum() external view returns (uint256 s) "
        "{ for (uint256 i = 0; i < xs.length; i++) s += xs[i] * 3 + 1; } }"
    )
    plain = compile_source(text)
    optimized = compile_source(text, optimize=True, runs=1000)
    assert plain.input["settings"]["optimizer"] == {"enabled": False, "runs": 200}
    assert optimized.input["settings"]["optimizer"] == {"enabled": True, "runs": 1000}
    assert plain["Opt"].deployed_bytecode != optimized["Opt"].deployed_bytecode


def test_via_ir_and_evm_version_reach_settings():
    """Do `via_ir` and an explicit `evm_version` reach the standard-JSON settings?"""
    result = compile_source(HEADER + "contract Ir {}", via_ir=True, evm_version="cancun")
    assert result.input["settings"]["viaIR"] is True
    assert result.input["settings"]["evmVersion"] == "cancun"


# --- the cache --------------------------------------------------------------------------------


def test_second_identical_compile_is_a_memory_cache_hit(tmp_path, cache_env):
    """Is a second identical compile answered from memory, with equal artifacts?"""
    compiler = Compiler(cache_dir=tmp_path)
    compiler.worker = default_compiler().worker  # share the warm worker
    ss = source_set(fresh_source())
    first = compiler.compile(ss)
    second = compiler.compile(ss)
    assert (first.cached, second.cached) == (False, True)
    assert second["Fresh"].bytecode == first["Fresh"].bytecode
    assert second.warnings == first.warnings


def test_fresh_compiler_hits_disk_cache_without_starting_node(tmp_path, cache_env):
    """Does a new Compiler with the same cache dir answer from disk, never starting Node?"""
    first = Compiler(cache_dir=tmp_path)
    first.worker = default_compiler().worker
    ss = source_set(fresh_source())
    original = first.compile(ss)
    assert list(tmp_path.glob("*.json"))

    second = Compiler(cache_dir=tmp_path)
    again = second.compile(ss)
    assert again.cached
    assert again["Fresh"].bytecode == original["Fresh"].bytecode
    assert second.worker.starts == 0


def test_damaged_disk_cache_entry_is_recompiled(tmp_path, cache_env):
    """Is a corrupt cache file ignored (recompiled and rewritten) rather than an error?"""
    first = Compiler(cache_dir=tmp_path)
    first.worker = default_compiler().worker
    ss = source_set(fresh_source())
    first.compile(ss)
    (entry,) = tmp_path.glob("*.json")
    entry.write_text("{not json")
    second = Compiler(cache_dir=tmp_path)
    second.worker = default_compiler().worker
    assert second.compile(ss).cached is False
    assert json.loads(entry.read_text())["output"]


def test_disk_cache_off_writes_nothing(tmp_path):
    """Does `disk_cache=False` keep the cache folder empty?"""
    compiler = Compiler(cache_dir=tmp_path, disk_cache=False)
    compiler.worker = default_compiler().worker
    compiler.compile(source_set(fresh_source()))
    assert not list(tmp_path.glob("*"))


def test_failed_compile_is_not_cached(tmp_path, cache_env):
    """Is a compile that fails kept out of both caches (so it is recompiled every time)?"""
    compiler = Compiler(cache_dir=tmp_path)
    compiler.worker = default_compiler().worker
    ss = source_set(HEADER + "contract Broken { function f() public { undefinedThing(); } }")
    for _ in range(2):
        with pytest.raises(CompileError):
            compiler.compile(ss)
    assert not list(tmp_path.glob("*.json"))
    assert len(compiler.cache.memory) == 0


# --- the persistent solc-js worker ------------------------------------------------------------


def test_many_compiles_use_one_node_process():
    """Do many (uncached) compiles all run in the same Node process?"""
    worker = default_compiler().worker
    compile_source(fresh_source())
    pid, starts = worker.pid, worker.starts
    assert pid is not None
    for _ in range(5):
        assert not compile_source(fresh_source()).cached
        assert worker.pid == pid
    assert worker.starts == starts


def test_killed_worker_restarts_on_next_compile():
    """After the worker's Node process is killed, does the next compile start a new one?"""
    worker = default_compiler().worker
    compile_source(fresh_source())
    pid, starts = worker.pid, worker.starts
    os.kill(pid, signal.SIGKILL)
    wait_until_dead(worker)
    result = compile_source(fresh_source())
    assert not result.cached
    assert worker.pid not in (None, pid)
    assert worker.starts == starts + 1


def test_worker_killed_mid_compile_raises_compiler_crashed_then_recovers(tmp_path):
    """Does a worker killed during a compile raise a one-line CompilerCrashed, and the next
    compile on the same Compiler succeed with a new process?"""
    compiler = Compiler(cache_dir=tmp_path, disk_cache=False)
    compiler.worker.start()  # the process exists before the compile begins
    pid = compiler.worker.pid
    functions = "\n".join(
        f"function f{i}(uint a, uint b) public pure returns (uint) "
        f"{{ return a * {i} + b / (a + {i + 1}) ** 2; }}"
        for i in range(400)
    )
    big = source_set(HEADER + "contract Big {\n" + functions + "\n}", "Big.sol")
    outcome: dict[str, BaseException | object] = {}

    def run() -> None:
        try:
            outcome["result"] = compiler.compile(big, optimize=True, via_ir=True)
        except BaseException as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not compiler.worker._lock.locked() and time.monotonic() < deadline:
            time.sleep(0.001)
        os.kill(pid, signal.SIGKILL)
    finally:
        thread.join(timeout=60)
    try:
        assert "result" not in outcome, "the compile finished before the kill"
        error = outcome["error"]
        assert isinstance(error, CompilerCrashed)
        assert "\n" not in str(error)
        assert "restarts on the next compile" in str(error)

        result = compiler.compile(source_set(SIMPLE))
        assert result["Simple"].is_deployable
        assert compiler.worker.pid not in (None, pid)
        assert compiler.worker.starts == 2
    finally:
        compiler.worker.close()


def test_worker_close_stops_process_and_next_request_restarts(tmp_path):
    """Does `close()` stop the Node process, and a later compile start a new one?"""
    compiler = Compiler(cache_dir=tmp_path, disk_cache=False)
    compiler.worker.start()
    assert compiler.worker.pid is not None
    compiler.worker.close()
    assert compiler.worker.pid is None
    try:
        assert compiler.compile(source_set(SIMPLE))["Simple"].is_deployable
        assert compiler.worker.starts == 2
    finally:
        compiler.worker.close()


@pytest.fixture
def clear_node_cache():
    find_node.cache_clear()
    yield
    find_node.cache_clear()


@pytest.mark.parametrize("kind", ["not executable", "missing"])
def test_unusable_sollab_node_raises_node_not_found(tmp_path, monkeypatch, clear_node_cache, kind):
    """With SOLLAB_NODE pointing at something that does not run, does compiling raise a
    one-line NodeNotFound that names the variable?"""
    fake = tmp_path / "node"
    if kind == "not executable":
        fake.write_text("#!/bin/sh\necho v20.0.0\n")
        fake.chmod(0o644)
    monkeypatch.setenv("SOLLAB_NODE", str(fake))
    compiler = Compiler(cache_dir=tmp_path / "cache", disk_cache=False)
    with pytest.raises(NodeNotFound, match="SOLLAB_NODE") as exc:
        compiler.compile(source_set(fresh_source()))
    assert "\n" not in str(exc.value)
    assert compiler.worker.pid is None


@pytest.fixture
def fake_native_solc(tmp_path, repo):
    """A stand-in for a native solc executable (none can be downloaded here): answers
    `--version` like solc and `--standard-json` by running solc-js once."""
    from sollab.node import find_node

    solc_js = repo / "node_modules" / "solc"
    script = tmp_path / "solc"
    script.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = "--version" ]; then\n'
        '  echo "solc, the solidity compiler commandline interface"\n'
        '  echo "Version: 0.8.37+commit.f401782d.Linux.g++"\n'
        "  exit 0\n"
        "fi\n"
        f'exec "{find_node().executable}" -e "$JS"\n'
    )
    js = (
        f"const s = require('{solc_js}'); let d = '';"
        " process.stdin.on('data', c => d += c)"
        ".on('end', () => process.stdout.write(s.compile(d)))"
    )
    script.write_text(script.read_text().replace('"$JS"', f'"{js}"'))
    script.chmod(0o755)
    return script


def test_a_native_solc_binary_is_preferred_for_its_version(fake_native_solc, monkeypatch):
    """With SOLC_BINARY set, is that native compiler listed first and used for its version?"""
    from sollab.versions import installed_compilers

    monkeypatch.setenv("SOLC_BINARY", str(fake_native_solc))
    first = installed_compilers()[0]
    assert (first.kind, first.origin, str(first.version)) == ("native", "SOLC_BINARY", "0.8.37")
    result = compile_source(
        "pragma solidity ^0.8.0; contract Native { uint256 public n = 7; }",
        "Native.sol",
        optimize=True,  # settings no other test uses: a real compile, not a cache hit
        runs=777,
    )
    assert result.compiler.kind == "native"
    assert result.solc_version == "0.8.37+commit.f401782d.Linux.g++"
    assert result["Native"].is_deployable
