"""Deploy compiled contracts to any Ethereum JSON-RPC endpoint, signing locally.

``sollab deploy Box.sol:Box 5 --rpc URL --chain-id N --key-env SOLLAB_DEPLOY_KEY`` compiles
the contract, checks that the endpoint is the chain you meant, estimates the cost, asks to
confirm, sends one signed EIP-1559 transaction, waits for its receipt and records the
deployment (address, transaction, block, constructor arguments and the exact standard-JSON
input it was compiled from) for ``sollab export``.

The private key comes from an environment variable or an encrypted keystore file (eth-account's
Web3 Secret Storage format, as geth, Foundry's ``cast wallet`` and MetaMask export). It is held
only as an ``eth_account`` account: never printed, logged, written into a record or an export.

Not done here: linking libraries, proxies and upgrades, legacy (pre-EIP-1559) chains,
hardware wallets.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ArgumentError, LabError
from .paths import lab_home, write_atomically

#: Networks known by chain id; any other is named ``chain-<id>`` unless --network names it.
NETWORKS = {
    1: "mainnet",
    10: "optimism",
    137: "polygon",
    8453: "base",
    17000: "holesky",
    42161: "arbitrum",
    560048: "hoodi",
    11155111: "sepolia",
    1337: "localhost",
    31337: "localhost",
    131277322940537: "sollab-node",
}
RECEIPT_TIMEOUT = 120.0  # seconds to wait for the deployment to be mined
RPC_TIMEOUT = 30.0
GAS_MARGIN = 1.2  # gas limit = estimate x margin: a real chain may charge a little more
DEFAULT_PRIORITY_FEE = 10**9  # 1 gwei, when the node cannot suggest one
ETHER = 10**18


class DeployError(LabError):
    """A deployment could not be made: the endpoint, the key, the chain or the funds."""


def network_name(chain_id: int) -> str:
    return NETWORKS.get(chain_id, f"chain-{chain_id}")


def deployments_dir() -> Path:
    """Where deployments are recorded by default: ``.sollab/deployments/`` in the lab
    (``$SOLLAB_HOME/deployments/`` when that is set)."""
    return lab_home() / "deployments"


def ether(wei: int) -> str:
    """Wei as Ether, short: ``0.000123 ETH``."""
    text = f"{wei / ETHER:.9f}".rstrip("0").rstrip(".")
    return f"{text} ETH"


# -- JSON-RPC --------------------------------------------------------------------------------


def safe_url(url: str) -> str:
    """The endpoint without its path, query or credentials (hosted RPC URLs carry API keys)."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port else ""
    hidden = "/…" if parts.path.strip("/") or parts.query else ""
    return f"{parts.scheme}://{host}{port}{hidden}"


class Rpc:
    """A minimal JSON-RPC client over HTTP: one request at a time, errors as ``DeployError``."""

    def __init__(self, url: str, timeout: float = RPC_TIMEOUT) -> None:
        parts = urllib.parse.urlsplit(url)
        try:
            parts.port  # noqa: B018 (raises ValueError for a port out of range)
        except ValueError:
            parts = parts._replace(netloc="")
        if parts.scheme not in ("http", "https") or not parts.hostname:
            # not echoed whole: a hosted endpoint's URL carries its API key
            raise DeployError(
                f"--rpc is not an HTTP(S) URL with a host and a valid port (it starts "
                f"{url[:8]!r}): give one such as http://127.0.0.1:8545"
            )
        self.url, self.timeout, self.shown = url, timeout, safe_url(url)
        self._id = 0

    def __call__(self, method: str, *params: Any) -> Any:
        self._id += 1
        body = json.dumps({"jsonrpc": "2.0", "id": self._id, "method": method, "params": params})
        request = urllib.request.Request(
            self.url, data=body.encode(), headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            try:
                answer = json.loads(exc.read())
            except ValueError:
                raise DeployError(
                    f"{self.shown} answered HTTP {exc.code} to {method}: check --rpc"
                ) from None
        except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, ConnectionRefusedError):
                why = "connection refused"
            elif isinstance(reason, TimeoutError):
                why = f"no answer in {self.timeout:g} s"
            else:
                why = str(reason)
            raise DeployError(
                f"cannot reach the RPC endpoint {self.shown} ({why}): start the node or check --rpc"
            ) from None
        except ValueError:
            raise DeployError(
                f"{self.shown} did not answer JSON-RPC (is it an Ethereum node?): check --rpc"
            ) from None
        if not isinstance(answer, dict):
            raise DeployError(f"{self.shown} gave a malformed answer to {method}: check --rpc")
        if "error" in answer:
            error = answer["error"] if isinstance(answer["error"], dict) else {}
            raise RpcFailed(method, str(error.get("message", answer["error"])), error.get("data"))
        return answer.get("result")

    def quantity(self, method: str, *params: Any) -> int:
        """A method whose answer is a hex quantity (``0x1a``), as an int."""
        return _quantity(self(method, *params), f"{method} from {self.shown}")


def _quantity(value: Any, what: str) -> int:
    if isinstance(value, str) and value[:2] in ("0x", "0X"):
        with contextlib.suppress(ValueError):
            return int(value, 16)
    raise DeployError(f"{what} is {value!r}, not a hex number: is it an Ethereum node?")


class RpcFailed(DeployError):
    def __init__(self, method: str, message: str, data: Any = None) -> None:
        super().__init__(f"the node refused {method}: {message}")
        self.method, self.message, self.data = method, message, data


# -- the key ---------------------------------------------------------------------------------

_KEY_RE = re.compile(r"(0x)?[0-9a-fA-F]{64}")


def key_from_env(name: str) -> Any:
    """The account whose private key (64 hex digits) is in environment variable ``name``."""
    from eth_account import Account

    value = os.environ.get(name, "").strip()
    if not value:
        raise DeployError(
            f"environment variable {name} is not set: export {name}=0x<your private key> "
            "(or use --keystore FILE)"
        )
    if not _KEY_RE.fullmatch(value):  # the message must never show the value
        raise DeployError(
            f"{name} does not hold a private key: it must be 64 hex digits "
            f"(optionally 0x-prefixed), and it has {len(value)} characters"
        )
    try:
        return Account.from_key(value)
    except Exception:  # e.g. zero or above the curve order
        raise DeployError(f"{name} holds 64 hex digits that are not a valid key") from None


def key_from_keystore(path: Path, password: str) -> Any:
    """The account in an encrypted keystore file (Web3 Secret Storage JSON)."""
    from eth_account import Account

    try:
        document = json.loads(path.read_text())
    except FileNotFoundError:
        raise DeployError(f"keystore {path} does not exist: check the path") from None
    except (OSError, ValueError, UnicodeDecodeError):
        raise DeployError(
            f"{path} is not a keystore file (encrypted JSON): check the path"
        ) from None
    if not isinstance(document, dict) or "crypto" not in {k.lower() for k in document}:
        raise DeployError(f"{path} is not a keystore file (no 'crypto' section): check the path")
    try:
        key = Account.decrypt(document, password)
    except ValueError as exc:
        if "MAC mismatch" in str(exc):
            raise DeployError(f"wrong password for keystore {path}: try again") from None
        raise DeployError(f"keystore {path} cannot be decrypted: {exc}") from None
    except Exception as exc:
        raise DeployError(f"keystore {path} cannot be read ({type(exc).__name__})") from None
    return Account.from_key(key)


def write_keystore(
    key: str | bytes, password: str, path: Path, *, iterations: int | None = None
) -> Path:
    """Encrypt ``key`` with ``password`` into a new keystore file at ``path`` (mode 0600).
    ``iterations``: scrypt's work factor (a power of two; default eth-account's 2**18, as geth)."""
    from eth_account import Account

    document = Account.encrypt(key, password, iterations=iterations)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump(document, out)
    return path


# -- constructor arguments from the command line --------------------------------------------


def parse_argument(param: dict[str, Any], text: str, index: int) -> Any:
    """One constructor argument as typed on the command line, as the ABI ``param`` wants it:
    numbers in decimal or 0x hex (``_`` allowed), ``true``/``false``, addresses and strings as
    they are, bytes as 0x hex, arrays and structs as JSON (``'[1,2,3]'``)."""
    typ = param["type"]
    name = f" `{param['name']}`" if param.get("name") else ""

    def fail(expected: str) -> None:
        raise ArgumentError(
            f"constructor argument {index}{name} ({typ}) must be {expected}, got {text!r}"
        )

    if typ.endswith("]") or typ == "tuple":
        try:
            return _from_json(param, json.loads(text))
        except ValueError:
            fail("JSON, for example '[1, 2]'")
    if typ.startswith(("uint", "int")):
        try:
            return int(text.replace("_", ""), 0)
        except ValueError:
            fail("a number such as 42 or 0x2a")
    if typ == "bool":
        if text.lower() not in ("true", "false"):
            fail("true or false")
        return text.lower() == "true"
    return text


def _from_json(param: dict[str, Any], value: Any) -> Any:
    typ = param["type"]
    if typ.endswith("]") and isinstance(value, list):
        inner = dict(param, type=typ[: typ.rindex("[")])
        return [_from_json(inner, v) for v in value]
    if typ == "tuple" and isinstance(value, list | dict):
        components = param.get("components", [])
        if isinstance(value, dict):
            return {c["name"]: _from_json(c, value.get(c["name"])) for c in components}
        return [_from_json(c, v) for c, v in zip(components, value, strict=False)]
    if typ.startswith(("uint", "int")) and isinstance(value, str):
        return int(value.replace("_", ""), 0)  # big numbers given as strings
    return value


def constructor_of(abi: list[dict[str, Any]]) -> dict[str, Any]:
    return next(
        (i for i in abi if i.get("type") == "constructor"),
        {"type": "constructor", "inputs": [], "stateMutability": "nonpayable"},
    )


def jsonable(value: Any) -> Any:
    """A decoded ABI value as JSON (bytes as hex, big ints as decimal strings)."""
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**53:
        return str(value)
    return value


# -- the deployment --------------------------------------------------------------------------


@dataclass
class Plan:
    """What would be sent, before asking to confirm."""

    rpc: Rpc
    account: Any  # eth_account LocalAccount; its key is never shown
    artifact: Any
    args: list[Any]
    encoded_args: bytes
    chain_id: int
    network: str
    value: int
    gas: int
    max_fee: int
    priority_fee: int
    balance: int
    nonce: int

    @property
    def max_cost(self) -> int:
        return self.gas * self.max_fee + self.value

    def summary(self) -> str:
        args = ", ".join(json.dumps(jsonable(a)) for a in self.args)
        return "\n".join(
            [
                f"Deploy {self.artifact.name}({args}) to {self.network} "
                f"(chain id {self.chain_id}) at {self.rpc.shown}",
                f"  from      {self.account.address} (balance {ether(self.balance)})",
                f"  gas       {self.gas:,} at most {self.max_fee / 1e9:.3f} gwei "
                f"(tip {self.priority_fee / 1e9:.3f} gwei)",
                f"  cost      at most {ether(self.max_cost)}"
                + (f" (including {ether(self.value)} sent)" if self.value else ""),
            ]
        )


@dataclass
class Deployment:
    """A mined deployment, as recorded."""

    record: dict[str, Any]
    path: Path
    receipt: dict[str, Any] = field(repr=False)

    @property
    def address(self) -> str:
        return self.record["address"]


def plan(
    artifact: Any,
    args: list[Any],
    *,
    rpc: Rpc,
    account: Any,
    chain_id: int,
    network: str | None = None,
    value: int = 0,
) -> Plan:
    """Check the endpoint, the chain id, the arguments and the funds; estimate the cost."""
    from .abi import encode_arguments

    if not artifact.is_deployable:
        raise DeployError(
            f"{artifact.name} is an interface or an abstract contract: deploy a contract "
            "that implements it"
        )
    if artifact.link_references:
        libraries = ", ".join(
            sorted({n for refs in artifact.link_references.values() for n in refs})
        )
        raise DeployError(
            f"{artifact.name} needs the libraries {libraries} linked: sollab deploy does not "
            "link libraries; make their functions internal"
        )
    constructor = constructor_of(artifact.abi)
    encoded = encode_arguments(constructor, tuple(args), artifact.name)
    if value and constructor.get("stateMutability") != "payable":
        raise DeployError(
            f"{artifact.name}'s constructor is not payable: drop --value or mark it payable"
        )
    remote = rpc.quantity("eth_chainId")
    if remote != chain_id:
        raise DeployError(
            f"{rpc.shown} is chain {remote} ({network_name(remote)}), not --chain-id {chain_id}: "
            "check --rpc, or pass --chain-id "
            f"{remote} if that is the chain you mean"
        )
    if network is not None and (
        not re.fullmatch(r"[A-Za-z0-9_.-]+", network) or set(network) == {"."}
    ):
        raise DeployError(
            f"--network {network!r}: use letters, digits, '-', '_' and '.' (it names the file "
            "the deployment is recorded in)"
        )
    name = network or network_name(chain_id)
    sender = account.address
    data = artifact.bytecode + encoded.hex()
    call = {"from": sender, "data": data, "value": hex(value)}
    try:
        gas = rpc.quantity("eth_estimateGas", call)
    except RpcFailed as exc:
        if "revert" in exc.message.lower():
            raise DeployError(
                f"{artifact.name}'s constructor reverts with these arguments ({exc.message}): "
                "check the arguments"
            ) from None
        if "fund" in exc.message.lower() or "balance" in exc.message.lower():
            balance = rpc.quantity("eth_getBalance", sender, "latest")
            raise _underfunded(sender, balance, None) from None
        raise
    gas = int(gas * GAS_MARGIN)
    latest = rpc("eth_getBlockByNumber", "latest", False) or {}
    base_fee = _quantity(latest.get("baseFeePerGas") or "0x0", "the latest block's base fee")
    if not base_fee:
        raise DeployError(
            f"{rpc.shown} reports no base fee: sollab deploy sends EIP-1559 transactions only"
        )
    try:
        priority = rpc.quantity("eth_maxPriorityFeePerGas")
    except RpcFailed:
        priority = DEFAULT_PRIORITY_FEE
    max_fee = 2 * base_fee + priority
    balance = rpc.quantity("eth_getBalance", sender, "latest")
    nonce = rpc.quantity("eth_getTransactionCount", sender, "pending")
    deployment = Plan(
        rpc=rpc,
        account=account,
        artifact=artifact,
        args=list(args),
        encoded_args=encoded,
        chain_id=chain_id,
        network=name,
        value=value,
        gas=gas,
        max_fee=max_fee,
        priority_fee=priority,
        balance=balance,
        nonce=nonce,
    )
    if balance < deployment.max_cost:
        raise _underfunded(sender, balance, deployment.max_cost)
    return deployment


def _underfunded(address: str, balance: int, needed: int | None) -> DeployError:
    need = f", and the deployment may cost up to {ether(needed)}" if needed else ""
    return DeployError(
        f"the key's account {address} has {ether(balance)}{need}: fund it (a faucet on a "
        "test network) or use another key"
    )


def send(
    deployment: Plan,
    *,
    origin: dict[str, Any],
    record_path: Path | None = None,
    timeout: float = RECEIPT_TIMEOUT,
    progress: Callable[[str], None] = lambda _: None,
) -> Deployment:
    """Sign and send the deployment, wait for its receipt, record it. The deployments file is
    checked before anything is sent, so a deployment paid for is not left unrecorded."""
    artifact, rpc = deployment.artifact, deployment.rpc
    target = record_file(deployment.network, record_path)
    if target.exists():
        load_records(target)  # one line if it is not a deployments file
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        writable = os.access(target.parent, os.W_OK)
    except OSError:
        writable = False
    if not writable:
        raise DeployError(f"cannot write {target.parent}: give --record FILE somewhere writable")
    tx = {
        "type": 2,
        "chainId": deployment.chain_id,
        "nonce": deployment.nonce,
        "gas": deployment.gas,
        "maxFeePerGas": deployment.max_fee,
        "maxPriorityFeePerGas": deployment.priority_fee,
        "to": b"",
        "value": deployment.value,
        "data": artifact.bytecode + deployment.encoded_args.hex(),
    }
    signed = deployment.account.sign_transaction(tx)
    raw = "0x" + bytes(signed.raw_transaction).hex()
    try:
        tx_hash = rpc("eth_sendRawTransaction", raw)
    except RpcFailed as exc:
        lowered = exc.message.lower()
        if "fund" in lowered or "balance" in lowered:
            raise _underfunded(
                deployment.account.address, deployment.balance, deployment.max_cost
            ) from None
        if "nonce" in lowered:
            raise DeployError(
                f"the node refused the transaction's nonce ({exc.message}): another transaction "
                "from this key is pending; wait for it and deploy again"
            ) from None
        raise
    progress(f"Sent {tx_hash}; waiting for it to be mined ...")
    receipt = wait_for_receipt(rpc, tx_hash, timeout)
    if _quantity(receipt.get("status", "0x0"), f"the status of {tx_hash}") != 1:
        raise DeployError(
            f"the deployment transaction {tx_hash} was mined in block "
            f"{receipt.get('blockNumber')} but failed (status 0): its constructor "
            "reverted or ran out of gas"
        )
    address = receipt.get("contractAddress")
    code = rpc("eth_getCode", address, "latest") if address else "0x"
    if not address or code in ("0x", "", None):
        raise DeployError(f"transaction {tx_hash} created no contract: check the node")
    record = _record(deployment, receipt, tx_hash, origin)
    try:
        path = save_record(record, record_path)
    except (OSError, DeployError) as exc:
        raise DeployError(
            f"{artifact.name} is deployed at {address} (transaction {tx_hash}) but could not be "
            f"recorded in {target} ({exc}): keep these figures"
        ) from None
    return Deployment(record=record, path=path, receipt=receipt)


def wait_for_receipt(rpc: Rpc, tx_hash: str, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    pause = 0.05
    while True:
        receipt = rpc("eth_getTransactionReceipt", tx_hash)
        if receipt:
            return receipt
        if time.monotonic() > deadline:
            raise DeployError(
                f"transaction {tx_hash} was not mined within {timeout:g} s: it may still be; "
                "look it up on a block explorer before deploying again"
            )
        time.sleep(pause)
        pause = min(pause * 2, 2.0)


def _record(
    deployment: Plan, receipt: dict[str, Any], tx_hash: str, origin: dict[str, Any]
) -> dict[str, Any]:
    from eth_utils import to_checksum_address

    artifact = deployment.artifact
    return {
        "network": deployment.network,
        "chainId": deployment.chain_id,
        "contract": artifact.name,
        "fqn": artifact.fqn,
        "address": to_checksum_address(receipt["contractAddress"]),
        "transactionHash": tx_hash,
        "blockNumber": _quantity(receipt.get("blockNumber"), f"the block of {tx_hash}"),
        "blockHash": receipt.get("blockHash"),
        "deployer": deployment.account.address,
        "constructorArgs": jsonable(deployment.args),
        "constructorArgsEncoded": "0x" + deployment.encoded_args.hex(),
        "value": str(deployment.value),
        "gasUsed": _quantity(receipt.get("gasUsed"), f"the gas {tx_hash} used"),
        "effectiveGasPrice": str(
            _quantity(receipt.get("effectiveGasPrice") or "0x0", f"the gas price of {tx_hash}")
        ),
        "deployedAt": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "rpc": deployment.rpc.shown,
        "origin": origin,
        "solcVersion": artifact.solc_version,
        "abi": artifact.abi,
        "bytecode": artifact.bytecode,
        "deployedBytecode": artifact.deployed_bytecode,
        "standardJsonInput": artifact.standard_json_input,
    }


def record_file(network: str, path: Path | None = None) -> Path:
    """The file a deployment to ``network`` is recorded in: ``path`` if given, else
    ``.sollab/deployments/<network>.json``."""
    return path if path is not None else deployments_dir() / f"{network}.json"


def save_record(record: dict[str, Any], path: Path | None = None) -> Path:
    """Append ``record`` to its network's deployments file (a JSON list, newest last)."""
    target = record_file(record["network"], path)
    records = load_records(target) if target.exists() else []
    records.append(record)
    write_atomically(target, json.dumps(records, indent=1) + "\n")
    return target


def load_records(path: Path) -> list[dict[str, Any]]:
    """The deployments recorded in ``path``."""
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise DeployError(f"{path} does not exist: check the path") from None
    except (OSError, ValueError, UnicodeDecodeError):
        raise DeployError(f"{path} is not a deployments file (JSON): check the path") from None
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list) or not all(
        isinstance(r, dict) and {"address", "chainId", "standardJsonInput"} <= set(r) for r in data
    ):
        raise DeployError(
            f"{path} is not a deployments file written by `sollab deploy`: check the path"
        )
    return data


def all_records(folder: Path | None = None) -> list[dict[str, Any]]:
    """Every deployment recorded under ``folder`` (default ``.sollab/deployments/``)."""
    folder = folder or deployments_dir()
    found: list[dict[str, Any]] = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            found.extend(load_records(path))
        except DeployError:
            continue
    return found


# -- what to deploy --------------------------------------------------------------------------

_TARGET_RE = re.compile(r"(?P<path>.+?\.(?:sol|ipynb))(?::(?P<name>[A-Za-z_$][\w$]*))?")


def split_target(target: str) -> tuple[Path, str | None]:
    """``Box.sol:Box`` or ``lesson.ipynb:Box`` (the name may be left out if there is one)."""
    found = _TARGET_RE.fullmatch(target)
    if not found:
        raise DeployError(
            f"{target!r} is neither a .sol file nor a notebook: give FILE.sol[:Contract] "
            "or NOTEBOOK.ipynb[:Contract]"
        )
    return Path(found["path"]).expanduser(), found["name"]


def notebook_cells(path: Path) -> list[tuple[str, str]]:
    """The ``%%solidity`` cells of a notebook: (magic line options, Solidity source)."""
    import nbformat

    try:
        nb = nbformat.read(path, as_version=4)
    except FileNotFoundError:
        raise DeployError(f"{path} does not exist: check the path") from None
    except (OSError, ValueError, AttributeError) as exc:
        raise DeployError(f"{path} is not a readable notebook ({exc}): check the path") from None
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code" or not cell.source.startswith("%%solidity"):
            continue
        line, _, body = cell.source.partition("\n")
        cells.append((line[len("%%solidity") :].strip(), body))
    return cells


def _cell_options(line: str, where: str) -> dict[str, Any]:
    from IPython.core.error import UsageError

    from .magics import cell_options

    try:
        return cell_options(line)
    except (UsageError, ValueError) as exc:  # ValueError: shlex (an unclosed quote)
        first = (str(exc).strip().splitlines() or ["bad flags"])[-1]
        raise DeployError(
            f"{where}: `%%solidity {line}`: {first} (the flags are --optimize, --via-ir, "
            "--solc VERSION)"
        ) from None


def load_contract(target: str, name: str | None = None, **options: Any) -> tuple[Any, dict]:
    """Compile the contract named by ``target`` (``FILE.sol[:Name]`` or
    ``NOTEBOOK.ipynb[:Name]``); returns the artifact and where it came from.

    A file outside both the lab and the working directory is compiled under its bare file name
    (imports relative to its folder), so no absolute path of this machine ends up in the
    metadata and the exported verification input recompiles anywhere. A notebook's
    ``%%solidity`` cells compile exactly as the magic compiles them (their own options; those
    given here are added)."""
    from . import sources
    from .compiler import compile_files, compile_source, compile_sources

    path, named = split_target(target)
    name = name or named
    options = {k: v for k, v in options.items() if v not in (None, False)}
    if path.suffix == ".ipynb":
        from .magics import SOLIDITY_STUB, _cell_name, _without_solution_markers

        path = sources.locate(path)
        results = []
        unfinished: list[str] = []
        for line, body in notebook_cells(path):
            if any(row.strip() == SOLIDITY_STUB for row in body.splitlines()):
                unfinished.append(_cell_name(body).removesuffix(".sol"))
                continue  # an exercise not done yet: the magic refuses it too
            cell = _without_solution_markers(body)
            cell_options = {**_cell_options(line, str(path)), **options}
            cell_options = {k: v for k, v in cell_options.items() if v not in (None, False)}
            results.append(
                compile_source("\n" + cell, _cell_name(cell), base=path.parent, **cell_options)
            )
        if name in unfinished:
            raise DeployError(
                f"{path}: the cell of {name} still says `{SOLIDITY_STUB}`: finish it first"
            )
        if not results:
            raise DeployError(f"{path} has no finished %%solidity cell: nothing to deploy")
        candidates = [a for r in results for a in r.root_contracts if a.is_deployable]
        origin = {"kind": "notebook", "path": str(path.resolve())}
    else:
        path = sources.locate(path)
        text = sources.read_source_file(path)
        unit = sources.unit_name_for(path)
        if Path(unit).is_absolute():
            result = compile_sources({path.name: text}, base=path.resolve().parent, **options)
        else:
            result = compile_files(path, **options)
        candidates = [a for a in result.root_contracts if a.is_deployable]
        origin = {"kind": "file", "path": str(path.resolve())}
    if name is not None:
        chosen = [a for a in candidates if a.name == name]
        if not chosen:
            shown = ", ".join(sorted({a.name for a in candidates})) or "none"
            raise DeployError(f"{path} has no deployable contract {name!r} (it has: {shown})")
        return chosen[-1], origin  # a notebook's later cell redefines an earlier one
    names = sorted({a.name for a in candidates})
    if len(names) != 1:
        shown = ", ".join(names) or "none"
        raise DeployError(
            f"{path} has {len(names)} deployable contracts ({shown}): name one, "
            f"as {path}:{names[0] if names else 'Name'}"
        )
    return candidates[-1], origin
