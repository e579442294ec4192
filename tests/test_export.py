"""`sollab export` (sollab.export): a portfolio from a deployment recorded by `sollab deploy`
on a real `sollab node` process, whose verification input recompiles to the runtime bytecode on
chain (optimized and not, metadata hash included); deployments, README, the learner's tests;
the Foundry and Hardhat layouts; bad input."""

from __future__ import annotations

import json
import subprocess
import tomllib

import nbformat
import pytest

from nodekit import DEV_KEY, NODE_CHAIN_ID, rpc, sollab_node
from sollab.compiler import Compiler, default_compiler
from sollab.versions import select_compiler
from test_deployment import BOX, run_cli

TOKEN = """// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice A token for the portfolio.
contract Tok is ERC20 {
    constructor() ERC20("Tok", "TOK") { _mint(msg.sender, 1000); }
}
"""


@pytest.fixture(scope="module")
def node():
    with sollab_node() as url:
        yield url


def deploy(capsys, monkeypatch, node, target, record, *extra):
    monkeypatch.setenv("SOLLAB_DEPLOY_KEY", DEV_KEY)
    code, _, err = run_cli(capsys, "deploy", str(target), *extra, "--rpc", node, "--chain-id",
                           str(NODE_CHAIN_ID), "--key-env", "SOLLAB_DEPLOY_KEY", "--yes",
                           "--record", str(record))  # fmt: skip
    assert code == 0, err
    return json.loads(record.read_text())[-1]


def exported_files(folder):
    return {p.relative_to(folder).as_posix(): p for p in folder.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def verifier():
    """A compiler of its own (its own solc-js process, no cache), as a verifier's would be."""
    compiler = Compiler(disk_cache=False)
    yield compiler
    compiler.worker.close()


def recompile(folder, compiler=None):
    """The artifact that verification/ compiles to (with ``compiler``, else the lab's)."""
    meta = json.loads((folder / "verification" / "compiler.json").read_text())
    standard_input = json.loads((folder / "verification" / "standard-input.json").read_text())
    version = meta["compilerVersion"].removeprefix("v").split("+")[0]
    compiler = compiler or default_compiler()
    roots = list(standard_input["sources"])
    result = compiler.compile_input(select_compiler([], version), standard_input, roots)
    assert result.solc_version == meta["solcLongVersion"]
    return result.contracts[meta["contract"]], meta, standard_input


@pytest.mark.slow
@pytest.mark.parametrize("optimize", [False, True], ids=["unoptimized", "optimized"])
def test_verification_reproduces_the_deployed_runtime_bytecode(
    optimize, node, verifier, tmp_path, capsys, monkeypatch
):
    """Does recompiling verification/ give the code on chain byte for byte, metadata hash
    included, for a file outside the lab and the working directory?"""
    source = tmp_path / "src" / "Box.sol"
    source.parent.mkdir()
    source.write_text(BOX)
    record_file = tmp_path / "records.json"
    record = deploy(capsys, monkeypatch, node, source, record_file, "7",
                    *(["--optimize"] if optimize else []))  # fmt: skip
    out = tmp_path / "portfolio"
    code, stdout, err = run_cli(capsys, "export", str(record_file), str(out))
    assert code == 0, err
    assert stdout.startswith("Exported Box (sollab-node) as a plain portfolio: ")

    artifact, meta, standard_input = recompile(out, verifier)
    on_chain = rpc(node, "eth_getCode", record["address"], "latest")
    assert artifact.deployed_bytecode == on_chain
    code_bytes = bytes.fromhex(on_chain[2:])
    cbor = code_bytes[-2 - int.from_bytes(code_bytes[-2:], "big") : -2]
    assert cbor.startswith(bytes.fromhex("a264697066735822"))  # {"ipfs": <34-byte hash>, ...
    assert b"solc" in cbor
    assert json.loads(artifact.metadata)["settings"]["optimizer"]["enabled"] is optimize
    assert meta["optimizer"]["enabled"] is optimize
    assert meta["constructorArgsEncoded"] == "0x" + (7).to_bytes(32, "big").hex()
    # The sources shipped are the ones verified, under base-relative names.
    assert list(standard_input["sources"]) == ["Box.sol"]
    assert (out / "contracts" / "Box.sol").read_text() == standard_input["sources"]["Box.sol"][
        "content"
    ]
    for name, path in exported_files(out).items():
        text = path.read_text(errors="replace")
        assert str(tmp_path) not in text, f"{name} names this machine's path"
        assert DEV_KEY[2:] not in text.lower(), f"{name} holds the key"


@pytest.fixture(scope="module")
def box_portfolio(node, tmp_path_factory):
    """Box deployed twice (the latest counts), exported from the .sol file."""
    folder = tmp_path_factory.mktemp("box")
    source = folder / "Box.sol"
    source.write_text(BOX)
    (folder / "test_box.py").write_text("def test_store(): ...\n")
    record_file = folder / "records.json"
    from sollab.cli import main

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOLLAB_DEPLOY_KEY", DEV_KEY)
        for initial in ("3", "7"):
            try:
                main(["deploy", str(source), initial, "--rpc", node, "--chain-id",
                      str(NODE_CHAIN_ID), "--key-env", "SOLLAB_DEPLOY_KEY", "--yes",
                      "--record", str(record_file)])  # fmt: skip
            except SystemExit as exc:
                assert not exc.code, exc
    out = folder / "portfolio"
    from sollab.export import export

    portfolio = export(source, out, records_file=record_file)
    return portfolio, json.loads(record_file.read_text())[-1], out


def test_deployments_readme_and_tests_are_exported(box_portfolio, node):
    portfolio, record, out = box_portfolio
    files = exported_files(out)
    assert {
        "README.md", "contracts/Box.sol", "artifacts/Box.json", "verification/standard-input.json",
        "verification/compiler.json", "deployments/sollab-node.json", "tests/test_box.py",
        "web/index.html", "web/app.js", "web/contract.js", "web/ethers.umd.min.js",
    } <= set(files)  # fmt: skip
    deployment = json.loads(files["deployments/sollab-node.json"].read_text())
    assert deployment == {
        "network": "sollab-node", "chainId": NODE_CHAIN_ID, "contract": "Box",
        "address": record["address"], "transactionHash": record["transactionHash"],
        "blockNumber": record["blockNumber"], "blockHash": record["blockHash"],
        "deployer": record["deployer"], "constructorArgs": [7],
        "constructorArgsEncoded": "0x" + (7).to_bytes(32, "big").hex(), "value": "0",
        "gasUsed": record["gasUsed"], "deployedAt": record["deployedAt"],
    }  # fmt: skip
    receipt = rpc(node, "eth_getTransactionReceipt", deployment["transactionHash"])
    assert receipt["contractAddress"].lower() == deployment["address"].lower()
    artifact = json.loads(files["artifacts/Box.json"].read_text())
    assert artifact["abi"] == record["abi"] and artifact["bytecode"] == record["bytecode"]
    readme = files["README.md"].read_text()
    assert readme.startswith("# A box for one number\n\nStores a number under 100")
    assert "| `store(uint256 v)` | Store `v` (under 100). |" in readme
    assert "| `value() view returns (uint256)` | The number in the box. |" in readme
    assert "`Stored(address indexed by, uint256 indexed value)`" in readme
    assert f"| deployment on sollab-node (measured) | {record['gasUsed']:,} |" in readme
    assert "| `store(uint256)` (solc estimate) |" in readme
    assert f"`{record['address']}`" in readme
    assert "Solidity (Standard-Json-Input)" in readme and "`v0.8.37+commit." in readme
    assert (7).to_bytes(32, "big").hex() in readme  # the constructor arguments to paste
    assert "sollab deploy contracts/Box.sol:Box 7 --rpc" in readme
    assert portfolio.networks == ["sollab-node"]
    assert any("results are not recorded" in n for n in portfolio.notes)


def box_notebook(path, outputs=True):
    nb = nbformat.v4.new_notebook()
    run = nbformat.v4.new_code_cell("box = Box.deploy(3)\nbox.value()")
    if outputs:
        run.outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "3"})]
        run.execution_count = 2
    nb.cells = [
        nbformat.v4.new_markdown_cell("# My box"),
        nbformat.v4.new_code_cell("%%solidity\n" + BOX),
        run,
    ]
    nbformat.write(nb, path)
    return path


def test_a_notebook_without_a_deployment_is_one_line(tmp_path, capsys):
    notebook = box_notebook(tmp_path / "mine.ipynb")
    records = tmp_path / "none.json"
    records.write_text("[]")
    code, out, err = run_cli(capsys, "export", str(notebook), str(tmp_path / "out"),
                             "--deployments", str(records))  # fmt: skip
    assert (code, out) == (1, "")
    assert err == (
        f"Error: {notebook} has no deployed contract (none recorded in {records}): deploy one "
        f"first with `sollab deploy {notebook}:NAME --rpc URL --chain-id ID --key-env VAR`, then "
        "export again\n"
    )
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_a_deployed_notebook_exports_its_tests_and_last_results(
    node, tmp_path, capsys, monkeypatch
):
    notebook = box_notebook(tmp_path / "mine.ipynb")
    records = tmp_path / "records.json"
    record = deploy(capsys, monkeypatch, node, f"{notebook}:Box", records, "5")
    assert record["origin"] == {"kind": "notebook", "path": str(notebook)}
    out = tmp_path / "out"
    code, _, err = run_cli(capsys, "export", str(notebook), str(out), "--deployments", str(records))
    assert code == 0, err
    assert (out / "tests" / "mine.ipynb").read_bytes() == notebook.read_bytes()
    results = (out / "tests" / "RESULTS.md").read_text()
    assert "```python\nbox = Box.deploy(3)\nbox.value()\n```\n```text\n3\n```" in results
    artifact, _, _ = recompile(out)
    assert artifact.deployed_bytecode == rpc(node, "eth_getCode", record["address"], "latest")


@pytest.fixture(scope="module")
def token_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("token") / "Tok.sol"
    path.write_text(TOKEN)
    return path


def test_foundry_layout(token_file, tmp_path, capsys):
    """An OpenZeppelin token never deployed, as a Foundry project: config, src/, lib/ with a
    remapping, script/; its sources compile as laid out to the same code bar the metadata."""
    out = tmp_path / "foundry"
    code, stdout, err = run_cli(capsys, "export", str(token_file), str(out), "--format",
                                "foundry", "--optimize")  # fmt: skip
    assert code == 0, err
    assert "Exported Tok (not deployed) as a foundry portfolio" in stdout
    config = tomllib.loads((out / "foundry.toml").read_text())["profile"]["default"]
    assert config["src"] == "src" and config["test"] == "test" and config["script"] == "script"
    assert config["solc_version"] == "0.8.37" and config["optimizer"] is True
    assert config["optimizer_runs"] == 200 and config["evm_version"] == "prague"
    assert config["remappings"] == ["@openzeppelin/=lib/@openzeppelin/"]
    erc20 = out / "lib" / "@openzeppelin" / "contracts" / "token" / "ERC20" / "ERC20.sol"
    assert erc20.is_file() and (out / "src" / "Tok.sol").read_text() == TOKEN
    script = (out / "script" / "Deploy.s.sol").read_text()
    assert 'import {Tok} from "../src/Tok.sol";' in script and "new Tok();" in script
    assert "its constructor takes no arguments" in script
    assert (out / ".gitignore").read_text().startswith("out/\n")
    assert not (out / "deployments").exists()
    # Foundry's view: src/ and lib/ with the remapping, as `forge build` would compile them.
    from sollab import sources

    source_set = sources.resolve_imports(
        {"src/Tok.sol": (TOKEN, out / "src")}, list(config["remappings"]), base=out
    )
    assert all(u.startswith(("src/", "lib/")) for u in source_set.sources), source_set.sources
    built = default_compiler().compile(source_set, optimize=True)["Tok"]
    original, _, _ = recompile(out)

    def strip(code):
        raw = bytes.fromhex(code[2:])
        return raw[: -2 - int.from_bytes(raw[-2:], "big")]

    assert strip(built.deployed_bytecode) == strip(original.deployed_bytecode)
    assert built.deployed_bytecode != original.deployed_bytecode  # other source names


def test_hardhat_layout(token_file, tmp_path, capsys, repo):
    from sollab.node import find_node

    out = tmp_path / "hardhat"
    code, _, err = run_cli(capsys, "export", str(token_file), str(out), "--format", "hardhat")
    assert code == 0, err
    assert (out / "contracts" / "Tok.sol").read_text() == TOKEN
    assert not (out / "contracts" / "@openzeppelin").exists()  # npm installs it
    package = json.loads((out / "package.json").read_text())
    assert package["devDependencies"]["@openzeppelin/contracts"] == "5.7.0"
    assert {"hardhat", "@nomicfoundation/hardhat-toolbox"} <= set(package["devDependencies"])
    node = find_node().executable
    for script in ("hardhat.config.js", "scripts/deploy.js"):
        check = subprocess.run([node, "--check", str(out / script)], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
    # The config's value, with the toolbox plugin (not installed here) stubbed out.
    load = (
        "const Module = require('module'); const real = Module._load;"
        "Module._load = (r, ...a) => r === '@nomicfoundation/hardhat-toolbox' ? {} : real(r, ...a);"
        f"console.log(JSON.stringify(require({json.dumps(str(out / 'hardhat.config.js'))})))"
    )
    config = json.loads(subprocess.check_output([node, "-e", load], text=True))
    assert config["solidity"] == {
        "version": "0.8.37",
        "settings": {"optimizer": {"enabled": False, "runs": 200}, "evmVersion": "prague"},
    }
    assert (out / "artifacts-sollab" / "Tok.json").is_file()


def test_bad_exports_are_one_line_each(token_file, tmp_path, capsys):
    full = tmp_path / "full"
    full.mkdir()
    (full / "x").write_text("mine")
    not_records = tmp_path / "other.json"
    not_records.write_text('{"name": "package"}')
    cases = [
        (["export", str(token_file), str(full)],
         f"Error: {full} exists and is not empty: give a new folder, or --force\n"),
        (["export", str(tmp_path / "Nope.sol"), str(tmp_path / "o1")],
         f"Error: {tmp_path / 'Nope.sol'} does not exist: check the path\n"),
        (["export", str(full / "x"), str(tmp_path / "o2")],
         f"Error: {full / 'x'} is not a notebook, a .sol file or a deployments file: give one "
         "of those\n"),
        (["export", str(not_records), str(tmp_path / "o3")],
         f"Error: {not_records} is not a deployments file written by `sollab deploy`: check "
         "the path\n"),
        (["export", str(token_file), str(tmp_path / "o4"), "--contract", "Nope"],
         f"Error: {token_file} has no deployable contract 'Nope' (it has: Tok)\n"),
    ]  # fmt: skip
    for argv, expected in cases:
        code, out, err = run_cli(capsys, *argv)
        assert (code, out, err) == (1, "", expected)
    assert (full / "x").read_text() == "mine"


def test_a_recorded_deployment_as_foundry_keeps_its_arguments(box_portfolio, tmp_path, capsys):
    _, record, out = box_portfolio
    foundry = tmp_path / "foundry"
    code, _, err = run_cli(capsys, "export", str(out.parent / "records.json"), str(foundry),
                           "--format", "foundry")  # fmt: skip
    assert code == 0, err
    script = (foundry / "script" / "Deploy.s.sol").read_text()
    assert "deployed = new Box(7);" in script
    readme = (foundry / "README.md").read_text()
    assert "forge verify-contract ADDRESS src/Box.sol:Box --chain CHAIN" in readme
    assert "forge script script/Deploy.s.sol" in readme
    assert (
        json.loads((foundry / "deployments" / "sollab-node.json").read_text())["address"]
        == (record["address"])
    )
    assert (foundry / "test" / "test_box.py").is_file() and (foundry / "src" / "Box.sol").is_file()


def test_a_secret_in_what_would_be_published_stops_the_export_before_anything_is_written(
    token_file, tmp_path, capsys
):
    """A portfolio is public: a private key beside a contract or in a test file, a mnemonic,
    an RPC URL with its API key stop it, naming the place; hashes and the lab chain's public
    keys (1, 2, ... as 32 bytes) do not."""
    key = "0x" + "5f" * 32
    folder = tmp_path / "src"
    folder.mkdir()
    source = folder / "Tok.sol"
    cases = [
        ("Tok.sol", f"{TOKEN}// deployer private key: {key}\n", "line 10: a private key"),
        ("test_tok.py", f'PRIVATE_KEY = "{key}"\n', "line 1: a private key"),
        ("tok_test.py", f'me = Account.from_key("{key}")\n', "line 1: a private key"),
        ("test_tok.py", 'MNEMONIC = "' + "word " * 11 + 'word"\n', "line 1: a mnemonic"),
        ("tok.test.js", 'const url = "https://mainnet.infura.io/v3/0123456789abcdef0123";\n',
         "line 1: an API key in an RPC URL"),
    ]  # fmt: skip
    for name, text, where in cases:
        for p in folder.iterdir():
            p.unlink()
        source.write_text(TOKEN)
        (folder / name).write_text(text)
        out = tmp_path / "out"
        code, _, err = run_cli(capsys, "export", str(source), str(out))
        assert (code, err) == (
            1,
            f"Error: {folder / name}, {where} is in what a portfolio publishes: remove it (deploy "
            "with --key-env VAR, keep keys out of notebooks), then export again\n",
        )
        assert not out.exists()
    (folder / "tok.test.js").unlink()
    (folder / "Config.sol").write_text(f"// SPDX-License-Identifier: MIT\n// key: {key}\n")
    source.write_text(TOKEN.replace("import {ERC20}", 'import "./Config.sol";\nimport {ERC20}'))
    code, _, err = run_cli(capsys, "export", str(source), str(tmp_path / "out"))
    assert code == 1 and "Config.sol, line 2: a private key is in what" in err, err
    assert not (tmp_path / "out").exists()
    (folder / "Config.sol").write_text("// SPDX-License-Identifier: MIT\n")
    (folder / "test_tok.py").write_text(
        f'HASH = "{"ab" * 32}"  # keccak of the name\nPRIVATE_KEY = "0x{"00" * 31}01"  # alice\n'
    )
    code, _, err = run_cli(capsys, "export", str(source), str(tmp_path / "fine"))
    assert code == 0, err


def test_a_secret_in_a_notebooks_output_is_found_in_its_cell(tmp_path):
    from sollab.export import find_secret

    notebook = box_notebook(tmp_path / "mine.ipynb")
    nb = nbformat.read(notebook, as_version=4)
    nb.cells[2].outputs = [nbformat.v4.new_output("stream", text=f"pk: 0x{'7e' * 32}\n")]
    nbformat.write(nb, notebook)
    assert find_secret(notebook) == f"{notebook}, output of cell 3, line 1: a private key"


def test_without_the_ethers_bundle_nothing_is_written(token_file, tmp_path, capsys, monkeypatch):
    import sollab.webpage

    monkeypatch.setattr(sollab.webpage, "ETHERS_BUNDLE", "node_modules/nowhere/ethers.js")
    out = tmp_path / "out"
    code, _, err = run_cli(capsys, "export", str(token_file), str(out))
    assert (code, err) == (
        1,
        "Error: node_modules/nowhere/ethers.js is missing: run `make setup` (npm ci) to install "
        "ethers\n",
    )
    assert not out.exists()
