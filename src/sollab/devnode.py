"""A local Ethereum node: the lab's chain served over standard JSON-RPC on HTTP.

``sollab node`` serves a fresh chain; ``lab.chain.serve()`` serves the kernel's own chain from
a background thread, so a wallet, an ethers.js or viem script and the notebook see the same
contracts. Methods answer as Anvil's and Hardhat's nodes do (hex quantities, error code 3 with
the revert data for a revert); the ten funded dev accounts are unlocked (``eth_accounts``,
``eth_sendTransaction``), and any funded key can send signed transactions.

Not served: WebSocket and subscriptions (``eth_subscribe``), filters (``eth_newFilter``; use
``eth_getLogs``), ``eth_call`` on a block other than the latest, tracing (``debug_*``).
On ``SOLLAB_BACKEND=revm`` the node serves eth-tester over the revm state itself
(``backends/revm_tester.py``): same answers, revm's speed.
(Not ``sollab.node``: that one finds Node.js.)
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socket import AF_INET6
from typing import TYPE_CHECKING, Any

from .errors import LabError

if TYPE_CHECKING:
    from .chain import Chain

MAX_BODY = 5 * 1024 * 1024  # bytes of one HTTP request
MAX_BATCH = 1000  # requests in one batch
PRIORITY_FEE = 10**9  # 1 gwei: what eth_maxPriorityFeePerGas suggests
CLIENT_VERSION = "sollab/0.1.0"

PARSE_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, INVALID_PARAMS = -32700, -32600, -32601, -32602
INTERNAL_ERROR, SERVER_ERROR, EXECUTION_REVERTED = -32603, -32000, 3


class RpcError(Exception):
    def __init__(self, code: int, message: str, data: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.data = code, message, data

    def to_dict(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.data is not None:
            error["data"] = self.data
        return error


def _invalid(message: str) -> RpcError:
    return RpcError(INVALID_PARAMS, message)


# -- reading parameters ----------------------------------------------------------------------


def _quantity(value: Any, what: str) -> int:
    if isinstance(value, str) and value[:2] in ("0x", "0X") and len(value) > 2:
        try:
            return int(value, 16)
        except ValueError:
            pass
    elif isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value  # lenient: some clients send plain numbers
    raise _invalid(f"{what} must be a hex quantity such as 0x1a, got {value!r}")


def _data(value: Any, what: str) -> str:
    if isinstance(value, str) and value[:2] in ("0x", "0X") and len(value) % 2 == 0:
        try:
            bytes.fromhex(value[2:])
            return "0x" + value[2:].lower()
        except ValueError:
            pass
    raise _invalid(f"{what} must be hex data with an even number of digits, got {value!r}")


def _address(value: Any, what: str) -> str:
    from eth_utils import to_checksum_address

    if isinstance(value, str) and len(value) == 42:
        try:
            return to_checksum_address(_data(value, what))
        except (RpcError, ValueError):
            pass
    raise _invalid(f"{what} must be a 20-byte hex address, got {value!r}")


def _hash(value: Any, what: str) -> str:
    if isinstance(value, str) and len(value) == 66:
        return _data(value, what)
    raise _invalid(f"{what} must be a 32-byte hex hash, got {value!r}")


TAGS = ("latest", "pending", "earliest", "safe", "finalized")


def _block(value: Any, what: str = "block") -> int | str:
    """A block tag or number, as eth-tester takes it (``safe``/``finalized`` are the latest)."""
    if value is None:
        return "latest"
    if isinstance(value, dict):  # EIP-1898: {"blockNumber": ...} or {"blockHash": ...}
        if "blockNumber" in value:
            return _block(value["blockNumber"], what)
        if "blockHash" in value:
            return ("hash", _hash(value["blockHash"], what))  # type: ignore[return-value]
        raise _invalid(f"{what} object needs blockNumber or blockHash")
    if value in TAGS:
        return "latest" if value in ("safe", "finalized") else value
    return _quantity(value, what)


def _params(params: Any, low: int, high: int, method: str) -> list:
    if params is None:
        params = []
    if not isinstance(params, list):
        raise _invalid(f"{method}: params must be an array")
    if not low <= len(params) <= high:
        want = str(low) if low == high else f"{low} to {high}"
        raise _invalid(f"{method} takes {want} parameters, got {len(params)}")
    return params + [None] * (high - len(params))


# -- writing results -------------------------------------------------------------------------

_RENAMES = {"coinbase": "miner", "data": "input", "logs_bloom": "logsBloom"}
_DROP = {"state_root"}  # a receipt's pre-Byzantium field: eth-tester fills it with b"\x01"


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part.title() for part in rest)


def _hexed(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return hex(value)
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, list | tuple):
        return [_hexed(v) for v in value]
    if isinstance(value, dict):
        return _rpc(value)
    return value


def _rpc(obj: dict, renames: dict[str, str] = _RENAMES) -> dict:
    """eth-tester's snake_case, int-valued dict as the JSON-RPC object (camelCase, hex)."""
    out = {}
    for key, value in obj.items():
        if key in _DROP:
            continue
        name = renames.get(key, _camel(key))
        if key == "logs_bloom" and isinstance(value, int):
            out[name] = "0x" + value.to_bytes(256, "big").hex()
        elif key in ("to", "contract_address") and not value:
            out[name] = None
        else:
            out[name] = _hexed(value)
    return out


def _log(log: dict) -> dict:
    out = _rpc({k: v for k, v in log.items() if k != "type"}, {})
    out["removed"] = False
    return out


def _receipt(receipt: dict) -> dict:
    from eth_bloom import BloomFilter

    bloom = BloomFilter()
    for log in receipt["logs"]:
        bloom.add(bytes.fromhex(log["address"][2:]))
        for topic in log["topics"]:
            bloom.add(bytes.fromhex(topic[2:]))
    out = _rpc({k: v for k, v in receipt.items() if k != "logs"})
    out["logs"] = [_log(log) for log in receipt["logs"]]
    out["logsBloom"] = "0x" + int(bloom).to_bytes(256, "big").hex()
    out["status"] = hex(receipt["status"])
    return out


def _revert_message(output: bytes) -> str:
    from eth_abi import decode

    from .failures import ERROR_STRING_SELECTOR, PANIC_CODES, PANIC_SELECTOR

    try:
        if output[:4] == ERROR_STRING_SELECTOR:
            return f"execution reverted: {decode(['string'], output[4:])[0]}"
        if output[:4] == PANIC_SELECTOR:
            code = decode(["uint256"], output[4:])[0]
            return f"execution reverted: panic: {PANIC_CODES.get(code, 'unknown')} ({code:#x})"
    except Exception:  # malformed revert data: say only that it reverted
        pass
    return "execution reverted"


# -- the methods -----------------------------------------------------------------------------


class Node:
    """Answers JSON-RPC requests on ``chain``; thread-safe (holds ``chain.lock``)."""

    def __init__(self, chain: Chain) -> None:
        self.chain = chain
        self._snapshots: dict[int, object] = {}
        self._methods: dict[str, Callable[[list], Any]] = {
            name[4:]: getattr(self, name) for name in dir(self) if name.startswith("rpc_")
        }
        for alias, target in {
            "anvil_snapshot": "evm_snapshot",
            "anvil_revert": "evm_revert",
            "anvil_increaseTime": "evm_increaseTime",
            "anvil_setNextBlockTimestamp": "evm_setNextBlockTimestamp",
            "anvil_setBalance": "hardhat_setBalance",
            "hardhat_mine": "anvil_mine",
        }.items():
            self._methods[alias] = self._methods[target]

    @property
    def _tester(self):
        return self.chain._backend.tester

    @property
    def chain_id(self) -> int:
        backend = self._tester.backend  # the revm backend's names it; py-evm's has its chain
        return getattr(backend, "chain_id", None) or backend.chain.chain_id

    # JSON-RPC plumbing

    def handle(self, request: Any) -> dict | None:
        """The response to one request object (already parsed JSON)."""
        if not isinstance(request, dict) or not isinstance(request.get("method"), str):
            error = RpcError(INVALID_REQUEST, "invalid request: expected an object with a method")
            return {"jsonrpc": "2.0", "id": None, "error": error.to_dict()}
        rid = request.get("id")
        if not isinstance(rid, str | int | type(None)) or isinstance(rid, bool):
            rid = None
        try:
            method = self._methods.get(request["method"].replace(".", "_"))
            if method is None:
                raise RpcError(METHOD_NOT_FOUND, f"method {request['method']!r} is not supported")
            with self.chain.lock:
                result = method(request.get("params"))
            return {"jsonrpc": "2.0", "id": rid, "result": result}
        except RpcError as exc:
            return {"jsonrpc": "2.0", "id": rid, "error": exc.to_dict()}
        except LabError as exc:
            error = RpcError(SERVER_ERROR, str(exc).splitlines()[0])
            return {"jsonrpc": "2.0", "id": rid, "error": error.to_dict()}
        except Exception as exc:  # the node must keep serving
            message = f"{request['method']} failed: {type(exc).__name__}: {exc}".splitlines()[0]
            error = RpcError(INTERNAL_ERROR, message)
            return {"jsonrpc": "2.0", "id": rid, "error": error.to_dict()}

    def handle_body(self, body: bytes) -> Any:
        """The response document for an HTTP body: one response or a list (batch)."""
        try:
            document = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            error = RpcError(PARSE_ERROR, f"parse error: the body is not JSON ({exc})")
            return {"jsonrpc": "2.0", "id": None, "error": error.to_dict()}
        if isinstance(document, list):
            if not document:
                error = RpcError(INVALID_REQUEST, "invalid request: empty batch")
                return {"jsonrpc": "2.0", "id": None, "error": error.to_dict()}
            if len(document) > MAX_BATCH:
                message = f"batch of {len(document)} requests is over the limit of {MAX_BATCH}"
                error = RpcError(INVALID_REQUEST, message)
                return {"jsonrpc": "2.0", "id": None, "error": error.to_dict()}
            return [self.handle(item) for item in document]
        return self.handle(document)

    # node and accounts

    def rpc_web3_clientVersion(self, params):
        _params(params, 0, 0, "web3_clientVersion")
        return CLIENT_VERSION

    def rpc_eth_chainId(self, params):
        _params(params, 0, 0, "eth_chainId")
        return hex(self.chain_id)

    def rpc_net_version(self, params):
        _params(params, 0, 0, "net_version")
        return str(self.chain_id)

    def rpc_net_listening(self, params):
        return True

    def rpc_eth_syncing(self, params):
        return False

    def rpc_eth_accounts(self, params):
        _params(params, 0, 0, "eth_accounts")
        return [a.address.lower() for a in self.chain.accounts]

    def rpc_eth_blockNumber(self, params):
        _params(params, 0, 0, "eth_blockNumber")
        return hex(self.chain.block_number)

    def _at(self, block: Any) -> int | str:
        at = _block(block)
        if isinstance(at, tuple):  # by hash
            return self._block_by_hash(at[1])["number"]
        if isinstance(at, int) and at > self.chain.block_number:
            raise _invalid(f"block {at} does not exist yet (latest is {self.chain.block_number})")
        return at

    def rpc_eth_getBalance(self, params):
        who, block = _params(params, 1, 2, "eth_getBalance")
        return hex(self._tester.get_balance(_address(who, "address"), self._at(block)))

    def rpc_eth_getTransactionCount(self, params):
        who, block = _params(params, 1, 2, "eth_getTransactionCount")
        return hex(self._tester.get_nonce(_address(who, "address"), self._at(block)))

    def rpc_eth_getCode(self, params):
        who, block = _params(params, 1, 2, "eth_getCode")
        return self._tester.get_code(_address(who, "address"), self._at(block))

    def rpc_eth_getStorageAt(self, params):
        who, slot, block = _params(params, 2, 3, "eth_getStorageAt")
        value = self._tester.get_storage_at(
            _address(who, "address"), hex(_quantity(slot, "slot")), self._at(block)
        )
        if isinstance(value, bytes):
            value = "0x" + value.hex()
        return "0x" + int(value, 16).to_bytes(32, "big").hex()

    # fees

    def _next_base_fee(self) -> int:
        return self._tester.get_block_by_number("pending")["base_fee_per_gas"]

    def rpc_eth_gasPrice(self, params):
        _params(params, 0, 0, "eth_gasPrice")
        return hex(self._next_base_fee() + PRIORITY_FEE)

    def rpc_eth_maxPriorityFeePerGas(self, params):
        _params(params, 0, 0, "eth_maxPriorityFeePerGas")
        return hex(PRIORITY_FEE)

    def rpc_eth_feeHistory(self, params):
        count, newest, percentiles = _params(params, 2, 3, "eth_feeHistory")
        count = min(_quantity(count, "blockCount"), 1024)
        newest = self._at(newest)
        latest = self.chain.block_number
        last = latest if newest in ("latest", "pending") else 0 if newest == "earliest" else newest
        if not isinstance(percentiles, list | type(None)):
            raise _invalid("rewardPercentiles must be an array of numbers")
        first = max(0, last - count + 1) if count else last + 1
        fees, ratios = [], []
        for number in range(first, last + 1):
            block = self._tester.get_block_by_number(number)
            fees.append(hex(block["base_fee_per_gas"]))
            ratios.append(block["gas_used"] / block["gas_limit"])
        following = (
            self._next_base_fee()
            if last == latest
            else self._tester.get_block_by_number(last + 1)["base_fee_per_gas"]
        )
        result = {
            "oldestBlock": hex(first),
            "baseFeePerGas": [*fees, hex(following)],
            "gasUsedRatio": ratios,
        }
        if percentiles:
            result["reward"] = [[hex(PRIORITY_FEE)] * len(percentiles) for _ in ratios]
        return result

    # blocks and transactions

    def _block_by_hash(self, block_hash: str) -> dict:
        from eth_tester.exceptions import BlockNotFound

        try:
            return self._tester.get_block_by_hash(block_hash)
        except BlockNotFound:
            raise _invalid(f"no block has hash {block_hash}") from None

    def _full_block(self, block: dict, full: bool) -> dict:
        out = _rpc(block)
        if full:
            out["transactions"] = [_rpc(tx) for tx in block["transactions"]]
        return out

    def rpc_eth_getBlockByNumber(self, params):
        from eth_tester.exceptions import BlockNotFound

        number, full = _params(params, 1, 2, "eth_getBlockByNumber")
        at = _block(number)
        if isinstance(at, tuple):
            raise _invalid("eth_getBlockByNumber takes a number or a tag; use eth_getBlockByHash")
        try:
            return self._full_block(self._tester.get_block_by_number(at, bool(full)), bool(full))
        except BlockNotFound:
            return None

    def rpc_eth_getBlockByHash(self, params):
        from eth_tester.exceptions import BlockNotFound

        block_hash, full = _params(params, 1, 2, "eth_getBlockByHash")
        try:
            block = self._tester.get_block_by_hash(_hash(block_hash, "block hash"), bool(full))
        except BlockNotFound:
            return None
        return self._full_block(block, bool(full))

    def rpc_eth_getBlockTransactionCountByNumber(self, params):
        block = self.rpc_eth_getBlockByNumber([*_params(params, 1, 1, "count")[:1], False])
        return None if block is None else hex(len(block["transactions"]))

    def rpc_eth_getTransactionByHash(self, params):
        from eth_tester.exceptions import TransactionNotFound

        (tx_hash,) = _params(params, 1, 1, "eth_getTransactionByHash")
        try:
            return _rpc(self._tester.get_transaction_by_hash(_hash(tx_hash, "transaction hash")))
        except TransactionNotFound:
            return None

    def rpc_eth_getTransactionReceipt(self, params):
        from eth_tester.exceptions import TransactionNotFound

        (tx_hash,) = _params(params, 1, 1, "eth_getTransactionReceipt")
        try:
            receipt = self._tester.get_transaction_receipt(_hash(tx_hash, "transaction hash"))
        except TransactionNotFound:
            return None
        return None if receipt.get("block_number") is None else _receipt(receipt)

    # executing

    def _call_tx(self, tx: Any, gas_default: int) -> dict:
        """An RPC call object as the chain backend's transaction dict."""
        if not isinstance(tx, dict):
            raise _invalid("the transaction must be an object like {to, data, value}")
        data = tx.get("input", tx.get("data")) or "0x"
        return {
            "from": _address(tx["from"], "from") if tx.get("from") else "0x" + "00" * 20,
            "to": _address(tx["to"], "to") if tx.get("to") else None,
            "data": bytes.fromhex(_data(data, "data")[2:]),
            "value": _quantity(tx["value"], "value") if tx.get("value") is not None else 0,
            "gas": _quantity(tx["gas"], "gas") if tx.get("gas") is not None else gas_default,
        }

    def _execute(self, call: dict):
        """Run ``call`` on the latest state; a revert becomes error 3 with its data."""
        from eth_utils import to_checksum_address

        limit = self._tester.get_block_by_number("pending")["gas_limit"]
        if call["gas"] > limit:
            raise _invalid(f"gas {call['gas']} is over the block gas limit of {limit}")
        call = dict(call, **{"from": to_checksum_address(call["from"])})
        execution = self.chain._backend.call(call)
        if execution.success:
            return execution
        if execution.error == "revert":
            data = "0x" + execution.output.hex()
            raise RpcError(EXECUTION_REVERTED, _revert_message(execution.output), data)
        if execution.error == "out_of_gas":
            raise RpcError(SERVER_ERROR, f"out of gas: the call needs more than {call['gas']} gas")
        raise RpcError(
            SERVER_ERROR, f"execution failed: {execution.error_message or execution.error}"
        )

    def _block_is_latest(self, block: Any, method: str) -> None:
        at = self._at(block)
        if at not in ("latest", "pending", self.chain.block_number):
            raise _invalid(f"{method} runs on the latest block only (sollab node keeps no archive)")

    def rpc_eth_call(self, params):
        tx, block, _overrides = _params(params, 1, 3, "eth_call")
        self._block_is_latest(block, "eth_call")
        return "0x" + self._execute(self._call_tx(tx, self.chain.gas_cap)).output.hex()

    def _estimate(self, call: dict) -> int:
        """The least gas ``call`` succeeds with (binary search, as geth does)."""
        cap = call["gas"]
        execution = self._execute(call)
        # Nothing succeeds with less than the gas spent before refunds, and that is often
        # enough; it is not when a call keeps back 1/64 of the gas (EIP-150): then search.
        spent = execution.gas_used + execution.refund
        if spent >= cap or self.chain._backend.call(dict(call, gas=spent)).success:
            return min(spent, cap)
        low = spent - 1
        high = min(cap, (execution.gas_used + execution.refund) * 64 // 63 + 2_300)
        if not self.chain._backend.call(dict(call, gas=high)).success:
            high = cap
        while high - low > 1:
            middle = (low + high) // 2
            if self.chain._backend.call(dict(call, gas=middle)).success:
                high = middle
            else:
                low = middle
        return high

    def rpc_eth_estimateGas(self, params):
        tx, block, _overrides = _params(params, 1, 3, "eth_estimateGas")
        self._block_is_latest(block, "eth_estimateGas")
        return hex(self._estimate(self._call_tx(tx, self.chain.gas_cap)))

    def rpc_eth_sendTransaction(self, params):
        from eth_utils import to_checksum_address

        (tx,) = _params(params, 1, 1, "eth_sendTransaction")
        call = self._call_tx(tx, self.chain.gas_cap)
        if not isinstance(tx, dict) or not tx.get("from"):
            raise _invalid("eth_sendTransaction needs a from address")
        sender = to_checksum_address(call["from"])
        if sender not in self.chain.accounts:
            raise RpcError(
                SERVER_ERROR,
                f"{sender} is not an unlocked account of this node: sign the transaction "
                "yourself and use eth_sendRawTransaction",
            )
        if tx.get("gas") is None:  # as Anvil: estimate, so a revert is an error, not a receipt
            call["gas"] = self._estimate(call)
        send: dict[str, Any] = {
            "from": sender,
            "gas": call["gas"],
            "value": call["value"],
            "data": "0x" + call["data"].hex(),
        }
        if call["to"]:
            send["to"] = call["to"]
        for rpc_name, name in (
            ("nonce", "nonce"),
            ("gasPrice", "gas_price"),
            ("maxFeePerGas", "max_fee_per_gas"),
            ("maxPriorityFeePerGas", "max_priority_fee_per_gas"),
        ):
            if tx.get(rpc_name) is not None:
                send[name] = _quantity(tx[rpc_name], rpc_name)
        if tx.get("chainId") is not None and _quantity(tx["chainId"], "chainId") != self.chain_id:
            raise _invalid(f"chainId {tx['chainId']} is not this node's ({self.chain_id})")
        return self._send(lambda: self._tester.send_transaction(send))

    def rpc_eth_sendRawTransaction(self, params):
        (raw,) = _params(params, 1, 1, "eth_sendRawTransaction")
        raw = _data(raw, "signed transaction")
        return self._send(lambda: self._tester.send_raw_transaction(raw))

    def _send(self, send: Callable[[], str]) -> str:
        from eth_tester.exceptions import TransactionFailed, ValidationError

        try:
            return send()
        except (ValidationError, TransactionFailed) as exc:
            raise RpcError(SERVER_ERROR, f"transaction rejected: {exc}".splitlines()[0]) from None
        except Exception as exc:  # py-evm's own validation: nonce, funds, signature, gas limit
            message = f"transaction rejected: {type(exc).__name__}: {exc}".splitlines()[0]
            raise RpcError(SERVER_ERROR, message) from None

    def rpc_eth_getLogs(self, params):
        (query,) = _params(params, 1, 1, "eth_getLogs")
        if not isinstance(query, dict):
            raise _invalid("eth_getLogs takes a filter object {address, topics, fromBlock, ...}")
        address = query.get("address")
        if isinstance(address, list):
            address = [_address(a, "address") for a in address]
        elif address is not None:
            address = _address(address, "address")
        topics = query.get("topics")
        if topics is not None:
            if not isinstance(topics, list) or len(topics) > 4:
                raise _invalid("topics must be an array of at most 4 entries")
            topics = [
                None
                if t is None
                else [_hash(x, "topic") for x in t]
                if isinstance(t, list)
                else _hash(t, "topic")
                for t in topics
            ]
        if query.get("blockHash") is not None:
            number = self._block_by_hash(_hash(query["blockHash"], "blockHash"))["number"]
            first = last = number
        else:
            first, last = (
                self._number(query.get("fromBlock")),
                self._number(query.get("toBlock")),
            )
        if first > last:
            return []
        filter_id = self._tester.create_log_filter(
            from_block=first, to_block=last, address=address, topics=topics
        )
        try:
            logs = self._tester.get_all_filter_logs(filter_id)
        finally:
            self._tester.delete_filter(filter_id)
        return [_log(log) for log in logs]

    def _number(self, block: Any) -> int:
        at = self._at(block)
        if at in ("latest", "pending"):
            return self.chain.block_number
        return 0 if at == "earliest" else int(at)

    # dev helpers, as Anvil and Hardhat name them

    def rpc_evm_snapshot(self, params):
        _params(params, 0, 0, "evm_snapshot")
        snapshot_id = len(self._snapshots) + 1
        self._snapshots[snapshot_id] = self.chain.snapshot()
        return hex(snapshot_id)

    def rpc_evm_revert(self, params):
        (snapshot_id,) = _params(params, 1, 1, "evm_revert")
        snapshot = self._snapshots.get(_quantity(snapshot_id, "snapshot id"))
        if snapshot is None:
            return False
        self.chain.revert(snapshot)
        # As Anvil and Hardhat: a snapshot is used up by reverting to it (and so are later ones).
        number = _quantity(snapshot_id, "snapshot id")
        for key in [k for k in self._snapshots if k >= number]:
            self._snapshots[key] = None  # ids are never reused
        return True

    def rpc_evm_increaseTime(self, params):
        (seconds,) = _params(params, 1, 1, "evm_increaseTime")
        seconds = _quantity(seconds, "seconds")
        if seconds:
            self.chain.time_travel(seconds)
        return hex(seconds)

    def rpc_evm_setNextBlockTimestamp(self, params):
        (timestamp,) = _params(params, 1, 1, "evm_setNextBlockTimestamp")
        self.chain.time_travel(to=_quantity(timestamp, "timestamp"))
        return None

    def rpc_evm_mine(self, params):
        (timestamp,) = _params(params, 0, 1, "evm_mine")
        if timestamp is not None and not isinstance(timestamp, dict):
            self.chain.time_travel(to=_quantity(timestamp, "timestamp"))
        self.chain.mine(1)
        return "0x0"

    def rpc_anvil_mine(self, params):
        blocks, interval = _params(params, 0, 2, "anvil_mine")
        blocks = 1 if blocks is None else _quantity(blocks, "blocks")
        if interval is not None:
            raise _invalid("anvil_mine with an interval is not supported: use evm_increaseTime")
        if blocks:
            self.chain.mine(blocks)
        return None

    def rpc_hardhat_setBalance(self, params):
        who, wei = _params(params, 2, 2, "anvil_setBalance")
        self.chain.set_balance(_address(who, "address"), _quantity(wei, "balance"))
        return None


# -- HTTP ------------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    server_version = "sollab-node"
    protocol_version = "HTTP/1.1"
    node: Node  # set on the server's subclass

    def log_message(self, format: str, *args: Any) -> None:  # quiet, as a dev node should be
        pass

    def setup(self) -> None:
        super().setup()
        self.server.connections.add(self.connection)  # type: ignore[attr-defined]

    def finish(self) -> None:
        self.server.connections.discard(self.connection)  # type: ignore[attr-defined]
        super().finish()

    def _send(self, status: int, document: Any) -> None:
        body = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self._cors()
        self.end_headers()
        self.wfile.write(body)

    def _cors(self) -> None:
        # A dApp page served from elsewhere (file://, another port) may call the node.
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "POST, GET, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Content-Type")

    def do_OPTIONS(self) -> None:
        self.send_response(204)
        self._cors()
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        self._send(200, {"node": CLIENT_VERSION, "hint": "send JSON-RPC requests with POST"})

    def do_POST(self) -> None:
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            self.close_connection = True
            why = "no Content-Length" if length < 0 else f"over {MAX_BODY} bytes"
            error = RpcError(INVALID_REQUEST, f"invalid request: the body has {why}")
            document = {"jsonrpc": "2.0", "id": None, "error": error.to_dict()}
            self._send(413 if length > MAX_BODY else 411, document)
            return
        body = self.rfile.read(length)
        self._send(200, self.node.handle_body(body))


class NodeServer:
    """A running node: ``.url``, ``.stop()``; also a context manager."""

    def __init__(
        self,
        chain: Chain,
        host: str = "127.0.0.1",
        port: int = 8545,
        *,
        port_hint: str = "--port N",
    ) -> None:
        handler = type("Handler", (_Handler,), {"node": Node(chain)})
        server_class = ThreadingHTTPServer
        if ":" in host:  # an IPv6 address such as ::1
            server_class = type("Server6", (ThreadingHTTPServer,), {"address_family": AF_INET6})
        try:
            self._server = server_class((host, port), handler)
        except OSError as exc:
            if exc.errno == 98:  # EADDRINUSE
                raise LabError(f"port {port} is in use: pass {port_hint}") from None
            other = "--host H" if port_hint.startswith("--") else "host=..."
            raise LabError(
                f"cannot listen on {host} port {port}: {exc.strerror}; pass another {other}"
            ) from None
        self._server.daemon_threads = True
        # Open keep-alive connections, closed by stop(): a client's pooled connection must not
        # keep talking to a stopped node.
        self._server.connections = set()  # type: ignore[attr-defined]
        self.chain = chain
        self.chain_id = handler.node.chain_id
        self.host, self.port = host, self._server.server_address[1]
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def serve_forever(self) -> None:
        self._server.serve_forever(poll_interval=0.2)

    def start(self) -> NodeServer:
        self._thread = threading.Thread(target=self.serve_forever, name="sollab-node", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        for connection in list(self._server.connections):  # type: ignore[attr-defined]
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        self._server.server_close()

    def __enter__(self) -> NodeServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "serving" if self._thread is not None else "stopped"
        return f"<sollab node {self.url} ({state}), chain id {self.chain_id}>"


def serve(
    chain: Chain, host: str = "127.0.0.1", port: int = 8545, *, port_hint: str = "--port N"
) -> NodeServer:
    """Serve ``chain`` from a background thread; returns the running server."""
    return NodeServer(chain, host, port, port_hint=port_hint).start()
