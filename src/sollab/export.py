"""Export a contract as a portfolio folder: sources, artifacts, verification input, deployments,
the learner's tests and results, a README, and a dApp page.

``sollab export SOURCE OUT`` takes a notebook, a ``.sol`` file or a deployments file written by
``sollab deploy``. Whatever was deployed is exported from the exact standard-JSON input it was
compiled from, so ``verification/standard-input.json`` recompiled with the named compiler gives
the deployed runtime bytecode byte for byte (metadata hash included). ``--format foundry`` and
``--format hardhat`` lay the same files out as a Foundry or a Hardhat project.

A portfolio is meant to be published: before anything is written, the learner's files that go
into it (the notebook with its saved outputs, the contract, test files) are searched for what
looks like a private key, a mnemonic or an RPC URL's API key, and the export stops naming the
place. It is a search for the usual shapes, not a guarantee: read what you publish.

Not done: running Foundry or Hardhat (their layouts and configs are written, not built here),
submitting to a block explorer (the README says how), contracts that need linked libraries.
"""

from __future__ import annotations

import json
import posixpath
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .deployment import (
    all_records,
    constructor_of,
    deployments_dir,
    load_contract,
    load_records,
    split_target,
)
from .errors import LabError

FORMATS = ("plain", "foundry", "hardhat")
HARDHAT_VERSION = "2.26.3"  # what the exported package.json pins (not installed here)
HARDHAT_TOOLBOX_VERSION = "6.1.0"


class ExportError(LabError):
    """A portfolio could not be exported: nothing deployed, an unusable source or folder."""


@dataclass
class Portfolio:
    """What ``export`` wrote."""

    folder: Path
    contract: str
    format: str
    networks: list[str]
    files: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# -- what to export --------------------------------------------------------------------------


def _short_version(long_version: str) -> str:
    return long_version.split("+")[0]


def _choose(records: list[dict[str, Any]], contract: str | None, where: str) -> list[dict]:
    names = sorted({r["contract"] for r in records})
    if contract is not None:
        records = [r for r in records if r["contract"] == contract]
        if not records:
            raise ExportError(
                f"{where} has no deployment of {contract!r} (deployed: {', '.join(names)}): "
                "check --contract"
            )
    elif len(names) > 1:
        raise ExportError(
            f"{where} has deployments of {', '.join(names)}: choose one with --contract NAME"
        )
    latest = records[-1]
    same = [r for r in records if r["standardJsonInput"] == latest["standardJsonInput"]]
    by_network: dict[str, dict[str, Any]] = {}
    for r in same:  # newest last: the latest deployment on each network wins
        by_network[r["network"]] = r
    return list(by_network.values())


def _deployments_for(
    source: Path, contract: str | None, records_file: Path | None
) -> tuple[list[dict], dict[str, Any] | None]:
    """The deployments to export and the origin (file or notebook) they came from."""
    if source.suffix == ".json":
        records = load_records(source)
        chosen = _choose(records, contract, str(source))
        return chosen, chosen[-1].get("origin")
    path, named = split_target(str(source))
    contract = contract or named
    records = load_records(records_file) if records_file else all_records()
    resolved = str(path.resolve())
    mine = [r for r in records if (r.get("origin") or {}).get("path") == resolved]
    if not mine:
        return [], None
    return _choose(mine, contract, str(path)), mine[-1].get("origin")


def _compile_recorded(record: dict[str, Any]) -> Any:
    """The artifact rebuilt from the record's exact input (checked against what was deployed)."""
    from .compiler import compile_standard_input

    result = compile_standard_input(
        record["standardJsonInput"], _short_version(record["solcVersion"])
    )
    artifact = result.contracts.get(record["fqn"])
    if artifact is None or artifact.bytecode != record["bytecode"]:
        raise ExportError(
            f"the recorded input of {record['contract']} no longer compiles to the bytecode "
            f"deployed at {record['address']} (another compiler build?): deploy it again"
        )
    return artifact


# -- file layout -----------------------------------------------------------------------------


def _safe_relative(unit: str) -> str:
    """A source unit name as a path inside the export (no absolute path, no ``..``)."""
    parts = [
        p
        for p in posixpath.normpath(unit.replace("\\", "/")).split("/")
        if p not in ("", ".", "..")
    ]
    return "/".join(parts) or "Contract.sol"


def _is_dependency(unit: str) -> bool:
    return unit.startswith("@") or "node_modules/" in unit


def _package_of(unit: str) -> str:
    tail = unit.split("node_modules/")[-1]
    parts = tail.split("/")
    return "/".join(parts[:2]) if parts[0].startswith("@") else parts[0]


def _local_paths(units: list[str]) -> dict[str, str]:
    """The learner's own units relative to the folder they share (``contracts/07/A.sol`` and
    ``contracts/07/B.sol`` become ``A.sol`` and ``B.sol``)."""
    local = [_safe_relative(u) for u in units]
    common = posixpath.commonpath([posixpath.dirname(u) for u in local]) if local else ""
    return {
        unit: posixpath.relpath(path, common) if common else path
        for unit, path in zip(units, local, strict=True)
    }


class _Writer:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.files: list[str] = []

    def text(self, relative: str, content: str) -> None:
        target = self.folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
        self.files.append(relative)

    def json(self, relative: str, document: Any) -> None:
        self.text(relative, json.dumps(document, indent=2) + "\n")

    def copy(self, relative: str, source: Path) -> None:
        target = self.folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        self.files.append(relative)


# -- the learner's tests ---------------------------------------------------------------------

_TEST_FILE = re.compile(r"(test_.*\.py|.*_test\.py|.*\.t\.sol|.*\.test\.[cm]?[jt]s)")


def _notebook_results(path: Path) -> tuple[str, list[str]]:
    """The notebook's graded exercises and its code cells' last outputs, as Markdown."""
    import nbformat

    from .grading import exercises_table
    from .progress import load, progress_path
    from .selfcheck import exercises_in

    nb = nbformat.read(path, as_version=4)
    lines = [f"# Results: {path.name}", ""]
    ids = exercises_in(nb)
    progress = load()
    titles = {e["id"]: e for e in exercises_table()} if ids else {}
    if ids:
        lines += ["## Exercises (best score in your progress file)", ""]
        lines += ["| exercise | best | attempts | last graded |", "| --- | --- | --- | --- |"]
        for exercise_id in ids:
            entry = progress.get(exercise_id)
            points = titles.get(exercise_id, {}).get("points", "?")
            if entry:
                lines.append(
                    f"| {exercise_id} | {entry['best']:g} / {points} | {entry['attempts']} | "
                    f"{entry['updated']} |"
                )
            else:
                lines.append(f"| {exercise_id} | not graded yet / {points} | 0 | |")
        lines += ["", f"(from {progress_path().name})", ""]
    ran = [c for c in nb.cells if c.cell_type == "code" and c.get("outputs")]
    lines += ["## Last outputs of the notebook's code cells", ""]
    if not ran:
        lines += [
            "The notebook was saved without outputs: run it and export again to keep them.",
            "",
        ]
    for cell in ran:
        shown = []
        for out in cell.outputs:
            if out.get("output_type") == "error":
                shown.append(f"{out['ename']}: {out['evalue']}")
            elif out.get("output_type") == "stream":
                shown.append(out.get("text", ""))
            elif "text/plain" in out.get("data", {}):
                shown.append(out["data"]["text/plain"])
        lines += ["```python", cell.source.strip(), "```", "```text"]
        lines += ["\n".join(s.rstrip() for s in shown).strip() or "(no text output)", "```", ""]
    return "\n".join(lines), ids


def _learner_files(origin: dict[str, Any] | None) -> tuple[list[Path], list[str]]:
    """The learner's files that go into the portfolio's tests (their notebook, or the test
    files next to their .sol), and notes about what was (not) found."""
    if not origin:
        return [], ["no origin recorded: no tests were exported"]
    path = Path(origin["path"])
    if not path.exists():
        return [], [f"{path} is gone: no tests were exported"]
    if origin.get("kind") == "notebook":
        return [path], []
    found = sorted(p for p in path.parent.iterdir() if p.is_file() and _TEST_FILE.fullmatch(p.name))
    if not found:
        return [], [f"no test files next to {path.name} (test_*.py, *.t.sol, *.test.js)"]
    note = f"copied {len(found)} test file(s); their results are not recorded: run them again"
    return found, [note]


def _learner_tests(origin: dict[str, Any] | None, files: list[Path], writer: _Writer, folder: str):
    for path in files:
        writer.copy(f"{folder}/{path.name}", path)
    if origin and origin.get("kind") == "notebook" and files:
        results, _ = _notebook_results(files[0])
        writer.text(f"{folder}/RESULTS.md", results)


# -- secrets: a portfolio is public --------------------------------------------------------------

# A 32-byte hex key near a word that says it is one, a mnemonic given as a string, an RPC URL
# carrying its API key. Hashes (also 32 bytes) are not near such words; the keys of the lab's
# chain (1, 2, 3, ... as 32 bytes, eth-tester's) are public and not reported.
_SECRETS = [
    (
        "a private key",
        re.compile(
            r"(?i)(?:(?:private[ _-]?key|secret[ _-]?key|priv[ _-]?key|\bpk\b|signing[ _-]?key"
            r"|from_key\s*\()[^\n]{0,40}?"  # a word that says so, then the key on its line
            r"|\b\w*key\s*[=:]\s*[\"']?)"  # or a name ending in "key" given it: key = "0x..."
            r"\b(?:0x)?([0-9a-f]{64})\b"
        ),
    ),
    (
        "a mnemonic",
        re.compile(r"(?i)(?:mnemonic|seed[ _-]?phrase)\W{0,6}[\"']((?:[a-z]+ ){11,23}[a-z]+)[\"']"),
    ),
    (
        "an API key in an RPC URL",
        re.compile(
            r"(?i)https?://[^\s\"'<>]*?(?:infura\.io/v3/|alchemy\.com/v2/|quiknode\.pro/"
            r"|[?&](?:api[_-]?key|apikey|token|key)=)([A-Za-z0-9_-]{16,})"
        ),
    ),
]


def _is_public_test_key(found: str) -> bool:
    return all(c in "0123456789abcdefABCDEF" for c in found) and int(found, 16) < 2**16


def _texts(path: Path) -> list[tuple[str, str]]:
    """(where, text) pieces of ``path``: a notebook's cells and their saved outputs, one by one."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return []
    if path.suffix != ".ipynb":
        return [(str(path), text)]
    import nbformat

    try:
        nb = nbformat.reads(text, as_version=4)
    except Exception:  # not a notebook after all: its text is what would be published
        return [(str(path), text)]
    pieces = []
    for number, cell in enumerate(nb.cells, 1):
        pieces.append((f"{path}, cell {number}", cell.source))
        for out in cell.get("outputs", []):
            shown = [out.get("text", ""), out.get("evalue", "")]
            shown += [v for v in out.get("data", {}).values() if isinstance(v, str)]
            pieces.append((f"{path}, output of cell {number}", "\n".join(shown)))
    return pieces


def find_secret(path: Path) -> str | None:
    """Where in ``path`` the first thing that looks like a secret is, and what it looks like
    (``FILE, cell 3, line 2: a private key``), else None."""
    return _first_secret(_texts(path))


def _first_secret(pieces: list[tuple[str, str]]) -> str | None:
    for where, text in pieces:
        for what, pattern in _SECRETS:
            for match in pattern.finditer(text):
                if what == "a private key" and _is_public_test_key(match[1]):
                    continue
                line = text.count("\n", 0, match.start(1)) + 1
                return f"{where}, line {line}: {what}"
    return None


# -- README ----------------------------------------------------------------------------------


def _signature(item: dict[str, Any]) -> str:
    from .abi import canonical_type

    params = ", ".join(
        f"{canonical_type(p)} {p.get('name', '')}".rstrip() for p in item.get("inputs", [])
    )
    out = ", ".join(canonical_type(p) for p in item.get("outputs", []))
    returns = f" returns ({out})" if out else ""
    mutability = item.get("stateMutability", "nonpayable")
    kind = "" if mutability == "nonpayable" else f" {mutability}"
    return f"{item.get('name', '')}({params}){kind}{returns}"


def _doc(artifact: Any, kind: str, key: str) -> str:
    user = artifact.userdoc.get(kind, {}).get(key, {})
    dev = artifact.devdoc.get(kind, {}).get(key, {})
    parts = [user.get("notice", ""), dev.get("details", "")]
    return " ".join(p.strip() for p in parts if p and p.strip()).replace("|", "\\|")


def _gas_rows(artifact: Any, deployments: list[dict]) -> list[str]:
    estimates = artifact.gas_estimates
    rows = ["| what | gas |", "| --- | --- |"]
    for record in deployments:
        rows.append(f"| deployment on {record['network']} (measured) | {record['gasUsed']:,} |")
    creation = estimates.get("creation", {})
    if creation:
        rows.append(f"| deployment (solc estimate) | {_estimate(creation.get('totalCost'))} |")
    for signature, gas in sorted(estimates.get("external", {}).items()):
        rows.append(f"| `{signature}` (solc estimate) | {_estimate(gas)} |")
    return rows


def _estimate(gas: Any) -> str:
    """solc's estimate: a number, or "infinite" when it depends on the input or storage."""
    if isinstance(gas, str) and gas.isdigit():
        return f"{int(gas):,}"
    return "depends on the input (no fixed bound)" if gas == "infinite" else str(gas)


def readme(
    artifact: Any, deployments: list[dict], fmt: str, contracts_dir: str, notes: list[str]
) -> str:
    name = artifact.name
    title = artifact.devdoc.get("title") or name
    about = (
        artifact.userdoc.get("notice")
        or artifact.devdoc.get("details")
        or (f"{name} is a Solidity contract written in the sollab lab.")
    )
    functions = [i for i in artifact.abi if i.get("type") == "function"]
    events = [i for i in artifact.abi if i.get("type") == "event"]
    version = artifact.solc_version
    settings = artifact.standard_json_input["settings"]
    optimizer = settings.get("optimizer", {})
    source_file = f"{contracts_dir}/{_local_paths([artifact.source])[artifact.source]}"
    lines = [f"# {title}", "", about, ""]
    lines += ["## Functions", ""]
    lines += ["| function | what it does |", "| --- | --- |"]
    for item in functions:
        key = _signature_key(item)
        lines.append(f"| `{_signature(item)}` | {_doc(artifact, 'methods', key)} |")
    constructor = constructor_of(artifact.abi)
    if constructor.get("inputs"):
        lines += ["", f"Constructor: `{_signature(dict(constructor, name='constructor'))}`"]
    lines += ["", "## Events", ""]
    if events:
        lines += ["| event | what it means |", "| --- | --- |"]
        for item in events:
            params = ", ".join(
                f"{p['type']}{' indexed' if p.get('indexed') else ''} {p.get('name', '')}".rstrip()
                for p in item.get("inputs", [])
            )
            key = _signature_key(item)
            lines.append(f"| `{item['name']}({params})` | {_doc(artifact, 'events', key)} |")
    else:
        lines.append("It emits no events.")
    lines += ["", "## Gas", "", *_gas_rows(artifact, deployments)]
    lines += ["", "## Deployments", ""]
    if deployments:
        lines += ["| network | chain id | address | transaction | block |"]
        lines += ["| --- | --- | --- | --- | --- |"]
        for r in deployments:
            lines.append(
                f"| {r['network']} | {r['chainId']} | `{r['address']}` | `{r['transactionHash']}` "
                f"| {r['blockNumber']} |"
            )
        lines += ["", "Each network's details (constructor arguments too) are in `deployments/`."]
    else:
        lines.append("Not deployed yet: `sollab deploy` records a deployment; export again after.")
    args = (
        " ".join(_shell_word(a) for a in deployments[-1]["constructorArgs"]) if deployments else ""
    )
    lines += ["", "## Run it", "", *_how_to_run(name, source_file, fmt, args)]
    lines += ["", "## Verify it on a block explorer", ""]
    encoded = deployments[-1]["constructorArgsEncoded"][2:] if deployments else ""
    opt = f"on, {optimizer.get('runs')} runs" if optimizer.get("enabled") else "off"
    lines += [
        f"`verification/standard-input.json` is the exact input {name} was compiled from, with "
        f"solc `{version}` (optimizer {opt}, EVM `{settings.get('evmVersion', 'default')}`). "
        "Recompiling it gives the deployed "
        "runtime bytecode byte for byte, metadata hash included.",
        "",
        "On Etherscan (or Blockscout): open the contract's address, choose *Verify and Publish*, "
        "compiler type *Solidity (Standard-Json-Input)*, compiler "
        f"`v{version.removesuffix('.Emscripten.clang')}`, upload "
        f"`verification/standard-input.json`, contract `{artifact.fqn}`"
        + (f", constructor arguments (ABI-encoded): `{encoded}`." if encoded else "."),
        "",
        "With Foundry: `forge verify-contract ADDRESS "
        f"src/{source_file.split('/', 1)[1]}:{name} --chain CHAIN "
        f"--compiler-version v{_short_version(version)}"
        + (f" --constructor-args 0x{encoded}" if encoded else "")
        + "` (run in a Foundry layout; it rebuilds with its own source names, so prefer the "
        "standard-JSON upload above when the metadata hash must match).",
    ]
    if fmt != "plain":
        lines += [
            "",
            f"The {fmt.title()} project compiles the same sources under its own source names, "
            "so its bytecode differs from the deployed one only in the metadata hash at the end.",
        ]
    lines += ["", "## What is in this folder", "", *_layout(fmt)]
    if notes:
        lines += ["", "## Notes from the export", ""] + [f"- {n}" for n in notes]
    lines += ["", "Exported by `sollab export`.", ""]
    return "\n".join(lines)


def _signature_key(item: dict[str, Any]) -> str:
    from .abi import signature

    return signature(item)


def _shell_word(value: Any) -> str:
    text = json.dumps(value) if isinstance(value, list | dict) else str(value)
    if isinstance(value, bool):
        text = text.lower()
    return text if re.fullmatch(r"[\w.:/+-]+", text) else "'" + text.replace("'", "'\\''") + "'"


def _how_to_run(name: str, source_file: str, fmt: str, args: str) -> list[str]:
    common = [
        "Open `web/index.html` in a browser with a wallet (MetaMask), or give it an RPC URL: "
        "`web/index.html?rpc=http://127.0.0.1:8545`. It shows the contract's state and has a "
        "form for each function.",
        "",
    ]
    if fmt == "foundry":
        return [
            *common,
            "```sh",
            "forge build",
            "forge test",
            "anvil &   # or: sollab node",
            "forge script script/Deploy.s.sol --rpc-url http://127.0.0.1:8545 --broadcast "
            "--private-key $PRIVATE_KEY",
            "```",
        ]
    if fmt == "hardhat":
        return [
            *common,
            "```sh",
            "npm install",
            "npx hardhat compile",
            "npx hardhat test",
            "npx hardhat node &   # or: sollab node",
            "npx hardhat run scripts/deploy.js --network localhost",
            "```",
        ]
    return [
        *common,
        "With sollab, the lab this was written in:",
        "",
        "```sh",
        "sollab node &",
        f"SOLLAB_DEPLOY_KEY=0x... sollab deploy {source_file}:{name}{' ' + args if args else ''} "
        "--rpc http://127.0.0.1:8545 --chain-id 131277322940537",
        "```",
        "",
        f"In a notebook: `{name} = lab.compile_file('{source_file}')['{name}']`, then "
        f"`{name.lower()} = lab.deploy({name}, ...)`.",
    ]


def _layout(fmt: str) -> list[str]:
    rows = {
        "plain": [
            "- `contracts/`: the Solidity sources (dependencies too, under their import names)",
            "- `artifacts/`: ABI and bytecode of each contract",
        ],
        "foundry": [
            "- `foundry.toml`, `src/` (the contracts), `lib/` (dependencies, remapped), "
            "`test/`, `script/Deploy.s.sol`",
            "- `artifacts/`: ABI and bytecode as sollab compiled them",
        ],
        "hardhat": [
            "- `hardhat.config.js`, `package.json`, `contracts/`, `test/`, `scripts/deploy.js`",
            "- `artifacts-sollab/`: ABI and bytecode as sollab compiled them (Hardhat writes its "
            "own `artifacts/`)",
        ],
    }[fmt]
    return [
        *rows,
        "- `verification/`: the exact standard-JSON input and the compiler version",
        "- `deployments/<network>.json`: chain id, address, transaction, block, constructor "
        "arguments",
        "- `tests/` (or `test/`): your tests and their last results",
        "- `web/`: a static dApp page (ethers.js bundled, no CDN)",
    ]


# -- the formats -----------------------------------------------------------------------------


def _deployment_json(record: dict[str, Any]) -> dict[str, Any]:
    keys = ("network", "chainId", "contract", "address", "transactionHash", "blockNumber",
            "blockHash", "deployer", "constructorArgs", "constructorArgsEncoded", "value",
            "gasUsed", "deployedAt")  # fmt: skip
    return {k: record.get(k) for k in keys}


def _verification(artifact: Any, deployments: list[dict]) -> dict[str, Any]:
    settings = artifact.standard_json_input["settings"]
    return {
        "compilerVersion": "v" + artifact.solc_version.removesuffix(".Emscripten.clang"),
        "solcLongVersion": artifact.solc_version,
        "contract": artifact.fqn,
        "language": "Solidity",
        "optimizer": settings.get("optimizer", {}),
        "evmVersion": settings.get("evmVersion"),
        "viaIR": bool(settings.get("viaIR")),
        "constructorArgsEncoded": deployments[-1]["constructorArgsEncoded"]
        if deployments
        else None,
        "input": "standard-input.json",
    }


def _artifact_json(a: Any) -> dict[str, Any]:
    return {
        "contractName": a.name,
        "sourceName": a.source,
        "abi": a.abi,
        "bytecode": a.bytecode,
        "deployedBytecode": a.deployed_bytecode,
        "solc": a.solc_version,
    }


def _foundry_files(artifact: Any, writer: _Writer, deps: dict[str, str], local: dict[str, str],
                   deployments: list[dict]) -> None:  # fmt: skip
    settings = artifact.standard_json_input["settings"]
    optimizer = settings.get("optimizer", {})
    prefixes = sorted({_package_of(u).split("/")[0] + "/" for u in deps})
    remappings = [f'"{p}=lib/{p}"' for p in prefixes]
    toml = [
        "[profile.default]",
        'src = "src"',
        'test = "test"',
        'script = "script"',
        'out = "out"',
        'libs = ["lib"]',
        f'solc_version = "{_short_version(artifact.solc_version)}"',
        f"optimizer = {'true' if optimizer.get('enabled') else 'false'}",
        f"optimizer_runs = {int(optimizer.get('runs', 200))}",
    ]
    if settings.get("evmVersion"):
        toml.append(f'evm_version = "{settings["evmVersion"]}"')
    if settings.get("viaIR"):
        toml.append("via_ir = true")
    toml.append(f"remappings = [{', '.join(remappings)}]")
    writer.text("foundry.toml", "\n".join(toml) + "\n")
    writer.text(".gitignore", "out/\ncache/\nbroadcast/\n")
    source = f"src/{local[artifact.source]}"
    args = deployments[-1]["constructorArgs"] if deployments else None
    inputs = constructor_of(artifact.abi).get("inputs", [])
    pragma = _pragma(artifact)
    simple = ("uint", "int", "bool", "address", "string")
    if args is not None and all(
        p["type"].startswith(simple) and "[" not in p["type"] for p in inputs
    ):
        call_args = ", ".join(
            _solidity_literal(p["type"], a) for p, a in zip(inputs, args, strict=True)
        )
        note = "the arguments of the recorded deployment"
    elif not inputs:
        call_args, note = "", "its constructor takes no arguments"
    else:
        call_args = ", ".join(f"/* {p['type']} {p.get('name', '')} */" for p in inputs)
        note = "fill in the constructor arguments"
    writer.text(
        "script/Deploy.s.sol",
        f"""// SPDX-License-Identifier: MIT
pragma solidity {pragma};

import {{Script}} from "forge-std/Script.sol";
import {{{artifact.name}}} from "../{source}";

/// Deploys {artifact.name} ({note}).
/// forge script script/Deploy.s.sol --rpc-url URL --broadcast --private-key $PRIVATE_KEY
/// (needs forge-std: `forge install foundry-rs/forge-std`)
contract Deploy is Script {{
    function run() external returns ({artifact.name} deployed) {{
        vm.startBroadcast();
        deployed = new {artifact.name}({call_args});
        vm.stopBroadcast();
    }}
}}
""",
    )


def _solidity_literal(typ: str, value: Any) -> str:
    from eth_utils import to_checksum_address

    if typ == "bool":
        return "true" if value else "false"
    if typ == "address":
        return to_checksum_address(value)
    if typ == "string":
        return json.dumps(value)  # JSON's escapes (\n, \", \uXXXX) are Solidity's too
    return str(value)


def _pragma(artifact: Any) -> str:
    from .versions import pragmas_in

    found = pragmas_in(artifact.compilation.sources.get(artifact.source, ""))
    return found[0] if found else f"^{_short_version(artifact.solc_version)}"


def _hardhat_files(artifact: Any, writer: _Writer, deps: dict[str, str],
                   deployments: list[dict]) -> None:  # fmt: skip
    from .paths import lab_root

    settings = artifact.standard_json_input["settings"]
    solidity = {
        "version": _short_version(artifact.solc_version),
        "settings": {"optimizer": settings.get("optimizer", {"enabled": False, "runs": 200})},
    }
    if settings.get("evmVersion"):
        solidity["settings"]["evmVersion"] = settings["evmVersion"]
    if settings.get("viaIR"):
        solidity["settings"]["viaIR"] = True
    config = json.dumps(solidity, indent=2).replace("\n", "\n  ")
    writer.text(
        "hardhat.config.js",
        "// Hardhat 2 configuration, written by `sollab export`.\n"
        'require("@nomicfoundation/hardhat-toolbox");\n\n'
        "/** @type import('hardhat/config').HardhatUserConfig */\n"
        f"module.exports = {{\n  solidity: {config},\n}};\n",
    )
    packages: dict[str, str] = {
        "hardhat": HARDHAT_VERSION,
        "@nomicfoundation/hardhat-toolbox": HARDHAT_TOOLBOX_VERSION,
    }
    for unit in deps:
        package = _package_of(unit)
        try:
            meta = json.loads((lab_root() / "node_modules" / package / "package.json").read_text())
            packages[package] = meta["version"]
        except (OSError, ValueError, KeyError):
            packages[package] = "*"
    writer.text(".gitignore", "node_modules/\nartifacts/\ncache/\ntypechain-types/\n")
    writer.json(
        "package.json",
        {
            "name": re.sub(r"[^a-z0-9-]+", "-", artifact.name.lower()).strip("-") or "contract",
            "private": True,
            "scripts": {"compile": "hardhat compile", "test": "hardhat test"},
            "devDependencies": dict(sorted(packages.items())),
        },
    )
    args = deployments[-1]["constructorArgs"] if deployments else None
    inputs = constructor_of(artifact.abi).get("inputs", [])
    shown = (
        json.dumps(args)
        if args is not None
        else "[/* " + ", ".join(f"{p['type']} {p.get('name', '')}" for p in inputs) + " */]"
    )
    writer.text(
        "scripts/deploy.js",
        f"""// Deploys {artifact.name}: npx hardhat run scripts/deploy.js --network localhost
const hre = require("hardhat");

async function main() {{
  const args = {shown};
  const contract = await hre.ethers.deployContract("{artifact.name}", args);
  await contract.waitForDeployment();
  console.log("{artifact.name} deployed at", await contract.getAddress());
}}

main().catch((error) => {{
  console.error(error);
  process.exitCode = 1;
}});
""",
    )


# -- export ----------------------------------------------------------------------------------


def export(
    source: Path,
    out: Path,
    *,
    fmt: str = "plain",
    contract: str | None = None,
    records_file: Path | None = None,
    force: bool = False,
    **compile_options: Any,
) -> Portfolio:
    """Write the portfolio of ``source`` (a notebook, a .sol file or a deployments file) into
    ``out``. Raises ``ExportError`` for a notebook with no recorded deployment."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    if not source.exists():
        raise ExportError(f"{source} does not exist: check the path")
    if source.suffix not in (".sol", ".ipynb", ".json"):
        raise ExportError(
            f"{source} is not a notebook, a .sol file or a deployments file: give one of those"
        )
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not force)):
        raise ExportError(f"{out} exists and is not empty: give a new folder, or --force")
    deployments, origin = _deployments_for(source, contract, records_file)
    notes: list[str] = []
    if deployments:
        artifact = _compile_recorded(deployments[-1])
    elif source.suffix == ".ipynb":
        where = records_file or deployments_dir()
        raise ExportError(
            f"{source} has no deployed contract (none recorded in {where}): "
            f"deploy one first with `sollab deploy {source}:NAME --rpc URL --chain-id ID "
            "--key-env VAR`, then export again"
        )
    else:
        artifact, origin = load_contract(str(source), contract, **compile_options)
        notes.append("not deployed: no deployment of it is recorded, so deployments/ is empty")
    units = list(artifact.standard_json_input["sources"])
    deps = {u: _safe_relative(u) for u in units if _is_dependency(u)}
    local = _local_paths([u for u in units if not _is_dependency(u)])
    learner_files, learner_notes = _learner_files(origin)
    local_sources = [Path(origin["path"])] if origin and origin.get("kind") == "file" else []
    pieces = [piece for path in [*learner_files, *local_sources] for piece in _texts(path)]
    sources = artifact.standard_json_input["sources"]  # what is written, imports included
    pieces += [(f"source {unit}", sources[unit]["content"]) for unit in local]
    found = _first_secret(pieces)
    if found:
        raise ExportError(
            f"{found} is in what a portfolio publishes: remove it (deploy with --key-env "
            "VAR, keep keys out of notebooks), then export again"
        )
    from .webpage import write_page

    page = write_page(artifact, deployments)  # before writing: it needs the ethers bundle
    writer = _Writer(out)
    out.mkdir(parents=True, exist_ok=True)
    texts = {u: s["content"] for u, s in artifact.standard_json_input["sources"].items()}
    contracts_dir = {"plain": "contracts", "foundry": "src", "hardhat": "contracts"}[fmt]
    deps_dir = {"plain": "contracts", "foundry": "lib", "hardhat": None}[fmt]
    for unit, relative in local.items():
        writer.text(f"{contracts_dir}/{relative}", texts[unit])
    for unit, relative in deps.items():
        if deps_dir is not None:  # Hardhat finds them in node_modules (package.json)
            writer.text(f"{deps_dir}/{relative}", texts[unit])
    artifacts_dir = "artifacts-sollab" if fmt == "hardhat" else "artifacts"
    for a in artifact.compilation.root_contracts:
        writer.json(f"{artifacts_dir}/{a.name}.json", _artifact_json(a))
    writer.json("verification/standard-input.json", artifact.standard_json_input)
    writer.json("verification/compiler.json", _verification(artifact, deployments))
    for record in deployments:
        writer.json(f"deployments/{_safe_name(record['network'])}.json", _deployment_json(record))
    tests_dir = "tests" if fmt == "plain" else "test"
    _learner_tests(origin, learner_files, writer, tests_dir)
    notes += learner_notes
    if fmt == "foundry":
        _foundry_files(artifact, writer, deps, local, deployments)
    elif fmt == "hardhat":
        _hardhat_files(artifact, writer, deps, deployments)
    for relative, content in page.items():
        if isinstance(content, Path):
            writer.copy(f"web/{relative}", content)
        else:
            writer.text(f"web/{relative}", content)
    writer.text("README.md", readme(artifact, deployments, fmt, contracts_dir, notes))
    return Portfolio(
        folder=out,
        contract=artifact.name,
        format=fmt,
        networks=[r["network"] for r in deployments],
        files=writer.files,
        notes=notes,
    )


def _safe_name(network: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", network).strip(".-") or "network"
