"""eth-tester over the revm backend: ``Chain.w3`` and ``sollab node`` on the fast chain.

``RevmTesterBackend`` is an eth-tester chain backend (``BaseChainBackend``) whose state is the
``RevmBackend``'s own, so an ``EthereumTester`` on it (``RevmBackend.tester``), web3's
``EthereumTesterProvider`` (``Chain.w3``) and the JSON-RPC node see the very chain the lab's API
drives, at revm's speed: a transaction sent through web3 is one the lab sees, and the other way
round. Blocks, transactions, receipts and logs come back in the shapes eth-tester's py-evm
backend gives (raw: canonical addresses, ints, bytes; eth-tester normalises them).

Transactions through eth-tester are signed transactions, as on py-evm: ``send_transaction``
signs with the account's key (so its hash is the one py-evm gives), ``send_raw_transaction``
and ``send_signed_transaction`` are decoded with py-evm's transaction classes, the sender is
recovered from the signature (any funded key may send) and the transaction runs at its own
nonce and fees, with its real hash.

What it does not do, each refused in one line naming ``SOLLAB_BACKEND=pyevm``:
- blob (type 3) and set-code (type 4, EIP-7702) transactions, and non-empty access lists
  (revm runs Cancun rules, and pyrevm takes no access list);
- ``estimate_gas`` at a block other than the latest (``call`` at an older block runs on a
  py-evm copy of the state then, as traces do);
- a coinbase other than the zero address for ``mine_blocks``.
Other differences: block hashes, state and receipts roots, and the block size are stand-ins
(no tries are kept); transactions sent through the lab's API (not eth-tester) show the lab's
stand-in hash and zero signature fields; every transaction has a block of its own, even with
eth-tester's auto-mining turned off; a snapshot whose block a revert removed cannot be returned
to (py-evm can).
"""

from __future__ import annotations

import hashlib
import itertools
from functools import cache

import rlp
from eth_bloom import BloomFilter
from eth_keys import keys
from eth_tester.backends.base import BaseChainBackend
from eth_tester.exceptions import BlockNotFound, TransactionFailed, TransactionNotFound
from eth_tester.utils.address import generate_contract_address
from eth_utils import ValidationError, keccak, to_canonical_address, to_checksum_address

from ..errors import ChainError
from . import intrinsic_gas
from .revm import CHAIN_ID, COINBASE, GAS_PRICE, RevmBackend, _Block

ZERO_HASH = b"\x00" * 32
BLANK_ROOT_HASH = keccak(rlp.encode(b""))
EMPTY_UNCLES_HASH = keccak(rlp.encode([]))
EMPTY_REQUESTS_HASH = hashlib.sha256(b"").digest()
ESTIMATE_TOLERANCE = 21_000  # py-evm's default estimator: binary_gas_search_intrinsic_tolerance
DYNAMIC_FEES = ("max_fee_per_gas", "max_priority_fee_per_gas")
ON_PYEVM = "use SOLLAB_BACKEND=pyevm for it"


@cache
def _builder():
    """py-evm's transaction builder for the fork eth-tester runs (Prague)."""
    from eth.vm.forks.prague import PragueVM

    return PragueVM.get_transaction_builder()


def _hex(address: bytes) -> str:
    return "0x" + address.hex()


def _refused(exc: ChainError) -> ValidationError:
    """A refusal of the revm backend as py-evm raises its own (eth-tester passes it on)."""
    return ValidationError(str(exc).removeprefix("the chain rejected the transaction: "))


class RevmTesterBackend(BaseChainBackend):
    """eth-tester's chain backend API on a ``RevmBackend``'s state (see the module docstring)."""

    def __init__(self, revm: RevmBackend) -> None:
        self.revm = revm
        self.chain_id = CHAIN_ID
        self._keys = {
            to_canonical_address(address): keys.PrivateKey(key) for address, key in revm.accounts()
        }
        self._hashes: dict[int, tuple[_Block, bytes]] = {}  # number -> (block, its hash)
        self._by_hash: dict[bytes, int] = {}  # block hash -> number (checked on use)
        self._txs: dict[bytes, tuple[_Block, int]] = {}  # tx hash -> (block, number)
        self._sealed = 0  # blocks a send mined that eth-tester's mine_blocks call will name
        self._snapshot_ids = itertools.count()

    # -- blocks --

    def _block(self, number) -> _Block:
        """The mined block ``number`` (an int or a tag), as eth-tester's py-evm backend finds it."""
        blocks = self.revm._blocks
        if number in ("latest", "safe", "finalized"):
            return blocks[-1]
        if number == "earliest":
            return blocks[0]
        if number == "pending":
            return self.revm._pending()
        if isinstance(number, int) and 0 <= number < len(blocks):
            return blocks[number]
        raise BlockNotFound(f"No block found for block number: {number}")

    def _number(self, number) -> int | None:
        """A state-read's block: None for the latest (and pending) state."""
        if number in ("latest", "pending", "safe", "finalized", None):
            return None
        return self._block(number).number

    def _hash(self, block: _Block) -> bytes:
        """A stand-in block hash (no header is built): keccak of the parent's hash, the number,
        timestamp, prevrandao and the transaction's hash, so it names this block only."""
        if block.number >= len(self.revm._blocks) or self.revm._blocks[block.number] is not block:
            parent = self._hash(self.revm._blocks[-1]) if block.number else ZERO_HASH
            return keccak(rlp.encode([parent, block.number, block.timestamp, b"pending"]))
        # Walk down to the newest block whose hash is known, then up from there.
        todo, number = [], block.number
        while number >= 0:
            known = self._hashes.get(number)
            here = self.revm._blocks[number]
            if known is not None and known[0] is here:
                break
            todo.append(here)
            number -= 1
        parent = self._hashes[number][1] if number >= 0 else ZERO_HASH
        for here in reversed(todo):
            tx_hash = here.mined[1].tx_hash if here.mined else b""
            fields = [parent, here.number, here.timestamp, here.prevrandao, tx_hash]
            parent = keccak(rlp.encode(fields))
            self._hashes[here.number] = (here, parent)
            self._by_hash[parent] = here.number
        return self._hashes[block.number][1]

    def _serialize_block(self, block: _Block, full: bool) -> dict:
        pending = block.mined is None and block.number == len(self.revm._blocks)
        block_hash = self._hash(block)
        parent = self._hash(self.revm._blocks[block.number - 1]) if block.number else ZERO_HASH
        if block.mined:
            transactions = [self._serialize_tx(block) if full else block.mined[1].tx_hash]
            root = keccak(block.mined[1].tx_hash)  # a stand-in for the transactions' trie
        else:
            transactions, root = [], BLANK_ROOT_HASH
        return {
            "number": block.number,
            "hash": block_hash,
            "parent_hash": parent,
            "nonce": b"\x00" * 8,
            "sha3_uncles": EMPTY_UNCLES_HASH,
            "logs_bloom": self._bloom(block),
            "transactions_root": root,
            "receipts_root": root,
            "state_root": ZERO_HASH,  # no state trie is kept
            "coinbase": to_canonical_address(COINBASE),
            "difficulty": 0,
            "total_difficulty": 0,
            "mix_hash": ZERO_HASH if pending else block.prevrandao,
            "size": 0,  # not computed
            "extra_data": ZERO_HASH,
            "gas_limit": self.revm.gas_limit,
            "gas_used": block.gas_used,
            "timestamp": block.timestamp,
            "transactions": transactions,
            "uncles": [],
            "base_fee_per_gas": block.base_fee,
            "withdrawals": [],
            "withdrawals_root": BLANK_ROOT_HASH,
            "parent_beacon_block_root": BLANK_ROOT_HASH,
            "blob_gas_used": 0,
            "excess_blob_gas": 0,
            "requests_hash": EMPTY_REQUESTS_HASH,
        }

    @staticmethod
    def _bloom(block: _Block) -> int:
        if not block.mined or not block.mined[1].logs:
            return 0
        bloom = BloomFilter()
        for log in block.mined[1].logs:
            bloom.add(to_canonical_address(log.address))
            for topic in log.topics:
                bloom.add(topic)
        return int(bloom)

    def get_block_by_number(self, block_number, full_transaction=True):
        return self._serialize_block(self._block(block_number), full_transaction)

    def get_block_by_hash(self, block_hash, full_transaction=True):
        self._hash(self.revm._blocks[-1])  # every mined block's hash is known
        number = self._by_hash.get(bytes(block_hash))
        if number is None or number >= len(self.revm._blocks):
            raise BlockNotFound(f"No block found for block hash: {_hex(block_hash)}")
        block = self.revm._blocks[number]
        if self._hash(block) != block_hash:
            raise BlockNotFound(f"No block found for block hash: {_hex(block_hash)}")
        return self._serialize_block(block, full_transaction)

    # -- transactions and receipts --

    def _mined(self, tx_hash: bytes) -> _Block:
        tx_hash = bytes(tx_hash)
        found = self._txs.get(tx_hash)
        blocks = self.revm._blocks
        if found is None or found[1] >= len(blocks) or blocks[found[1]] is not found[0]:
            # A transaction the lab's API sent, or the index is stale after a revert: look again.
            self._txs = {b.mined[1].tx_hash: (b, b.number) for b in blocks if b.mined}
            found = self._txs.get(tx_hash)
        if found is None:
            raise TransactionNotFound(f"No transaction found for transaction hash: {_hex(tx_hash)}")
        return found[0]

    @staticmethod
    def _fees(tx: dict, block: _Block) -> tuple[int, int]:
        """(type, effective gas price) of a mined transaction."""
        if "gas_price" in tx and "max_fee_per_gas" not in tx:
            return tx.get("type", 0), tx["gas_price"]
        max_fee = tx.get("max_fee_per_gas", GAS_PRICE)
        priority = tx.get("max_priority_fee_per_gas", GAS_PRICE)
        return tx.get("type", 2), min(max_fee, priority + block.base_fee)

    def _serialize_tx(self, block: _Block) -> dict:
        tx, execution = block.mined
        kind, price = self._fees(tx, block)
        out = {
            "type": kind,
            "hash": execution.tx_hash,
            "nonce": tx["nonce"],
            "block_hash": self._hash(block),
            "block_number": block.number,
            "transaction_index": 0,
            "from": to_canonical_address(tx["from"]),
            "to": to_canonical_address(tx["to"]) if tx.get("to") else b"",
            "value": tx.get("value", 0),
            "gas": tx["gas"],
            "data": tx.get("data", b""),
            "gas_price": price,
        }
        if kind:
            out["chain_id"] = tx.get("chain_id", CHAIN_ID)
            out["access_list"] = ()
        if kind >= 2:
            out["max_fee_per_gas"] = tx.get("max_fee_per_gas", GAS_PRICE)
            out["max_priority_fee_per_gas"] = tx.get("max_priority_fee_per_gas", GAS_PRICE)
        # A transaction the lab's API sent was never signed: its signature fields are zero.
        out.update(v=tx.get("v", 0), s=tx.get("s", 0), r=tx.get("r", 0))
        if kind:
            out["y_parity"] = out["v"]
        return out

    def get_transaction_by_hash(self, transaction_hash):
        return self._serialize_tx(self._mined(transaction_hash))

    def get_transaction_receipt(self, transaction_hash):
        block = self._mined(transaction_hash)
        tx, execution = block.mined
        kind, price = self._fees(tx, block)
        sender = to_canonical_address(tx["from"])
        created = None if tx.get("to") else generate_contract_address(sender, tx["nonce"])
        block_hash = self._hash(block)
        return {
            "block_hash": block_hash,
            "block_number": block.number,
            "contract_address": created,  # as py-evm: named even if the creation failed
            "cumulative_gas_used": execution.gas_used,
            "effective_gas_price": price,
            "from": sender,
            "gas_used": execution.gas_used,
            "logs": [
                {
                    "type": "mined",
                    "log_index": index,
                    "transaction_index": 0,
                    "transaction_hash": execution.tx_hash,
                    "block_hash": block_hash,
                    "block_number": block.number,
                    "address": to_canonical_address(log.address),
                    "data": log.data,
                    "topics": list(log.topics),
                }
                for index, log in enumerate(execution.logs)
            ],
            "state_root": b"\x01" if execution.success else b"",
            "status": int(execution.success),
            "to": to_canonical_address(tx["to"]) if tx.get("to") else b"",
            "transaction_hash": execution.tx_hash,
            "transaction_index": 0,
            "type": kind,
        }

    def get_fee_history(self, block_count=1, newest_block="latest", reward_percentiles=()):
        """As eth-tester's py-evm backend answers (the blocks before ``newest_block``)."""
        if isinstance(block_count, int) and not 1 <= block_count <= 1024:
            raise ValidationError("block_count must be between 1 and 1024")
        newest = self._block("latest" if newest_block == "pending" else newest_block)
        ancestors = self.revm._blocks[max(0, newest.number - block_count) : newest.number]
        return {
            "oldest_block": 1,
            "base_fee_per_gas": [b.base_fee for b in reversed(ancestors)],
            "gas_used_ratio": [b.gas_used / self.revm.gas_limit for b in reversed(ancestors)],
            "reward": [],
        }

    # -- accounts and state --

    def get_accounts(self):
        return tuple(self._keys)

    def add_account(self, private_key):
        key = keys.PrivateKey(private_key)
        self._keys[key.public_key.to_canonical_address()] = key

    def get_nonce(self, account, block_number="latest"):
        return self.revm.account_at(_hex(account), self._number(block_number))[1]

    def get_balance(self, account, block_number="latest"):
        return self.revm.account_at(_hex(account), self._number(block_number))[0]

    def get_code(self, account, block_number="latest"):
        return self.revm.account_at(_hex(account), self._number(block_number))[2]

    def get_storage(self, account, slot, block_number="latest"):
        return self.revm.storage_at(_hex(account), slot, self._number(block_number))

    def get_base_fee(self, block_number="latest"):
        return self._block(block_number).base_fee

    # -- snapshots, time, mining --

    def take_snapshot(self):
        """The latest block, as py-evm's backend snapshots (no block is mined)."""
        latest = self.revm._blocks[-1]
        # Also among the revm backend's snapshots (under a key its own ids never take), so that
        # what it keeps reachable for its snapshots' blocks it keeps for this one too.
        self.revm._snapshots[("eth-tester", next(self._snapshot_ids))] = latest.number
        return latest.number, latest

    def revert_to_snapshot(self, snapshot):
        number, block = snapshot
        blocks = self.revm._blocks
        if number >= len(blocks) or blocks[number] is not block:
            raise ValidationError(
                f"snapshot of block {number} is gone: a revert to an earlier snapshot removed "
                f"its block (SOLLAB_BACKEND=revm cannot bring it back; {ON_PYEVM})"
            )
        self.revm.rewind(number)
        self._sealed = 0  # a send eth-tester undid (auto-mining off) left no block to name

    def reset_to_genesis(self):
        self.revm.rewind(0)
        self._sealed = 0

    def time_travel(self, to_timestamp):
        self.revm.time_travel(to_timestamp)
        return to_timestamp

    def mine_blocks(self, num_blocks=1, coinbase=b"\x00" * 20):
        if _hex(coinbase) != COINBASE:
            raise ValidationError(f"this chain's blocks go to the zero address; {ON_PYEVM}")
        # The first block asked for is that of the transactions just sent, if any: a revm
        # transaction is mined as it runs.
        sealed, self._sealed = self._sealed, 0
        mined = []
        for index in range(num_blocks):
            if not (index == 0 and sealed):
                self.revm.mine(1)
            mined.append(self._hash(self.revm._blocks[-1]))
        return mined

    # -- sending --

    def _normalize(self, tx: dict) -> dict:
        """eth-tester's defaults for a transaction (as its py-evm backend fills them)."""
        dynamic = any(k in tx for k in DYNAMIC_FEES) or "gas_price" not in tx
        typed = dynamic or "access_list" in tx
        out = {k: v for k, v in tx.items() if k not in ("from", "type")}
        if typed and "v" in out:
            out["y_parity"] = out.pop("v")
        out.setdefault("nonce", self.get_nonce(tx["from"]))
        out.setdefault("data", b"")
        out.setdefault("value", 0)
        out.setdefault("to", b"")
        if dynamic:
            if not any(k in tx for k in DYNAMIC_FEES):
                out["max_fee_per_gas"] = out["max_priority_fee_per_gas"] = GAS_PRICE
            elif "max_fee_per_gas" not in tx:
                base = self.revm._blocks[-1].base_fee
                out["max_fee_per_gas"] = tx["max_priority_fee_per_gas"] + 2 * base
        if typed:
            out.setdefault("access_list", ())
            out.setdefault("chain_id", CHAIN_ID)
        return out

    @staticmethod
    def _build(normalized: dict, signed: bool):
        builder = _builder()
        if "access_list" in normalized and "gas_price" in normalized:
            make = builder.new_access_list_transaction
            unsigned = builder.new_unsigned_access_list_transaction
        elif all(k in normalized for k in DYNAMIC_FEES):
            make = builder.new_dynamic_fee_transaction
            unsigned = builder.new_unsigned_dynamic_fee_transaction
        else:
            make, unsigned = builder.new_transaction, builder.create_unsigned_transaction
        return make(**normalized) if signed else unsigned(**normalized)

    def send_transaction(self, transaction):
        key = self._keys.get(transaction["from"])
        if key is None:
            raise ValidationError(
                'No valid "from" key was provided in the transaction '
                "which is required for transaction signing."
            )
        unsigned = self._build(self._normalize(transaction), signed=False)
        return self._send(unsigned.as_signed_transaction(key))

    def send_signed_transaction(self, signed_transaction, block_number="latest"):
        return self._send(self._build(self._normalize(signed_transaction), signed=True))

    def send_raw_transaction(self, raw_transaction):
        kind = raw_transaction[0] if raw_transaction else 0
        if kind in (3, 4):
            name = "a blob (type 3)" if kind == 3 else "a set-code (type 4, EIP-7702)"
            raise ValidationError(
                f"{name} transaction needs rules revm does not run here; {ON_PYEVM}"
            )
        try:
            decoded = _builder().decode(bytes(raw_transaction))
        except Exception as exc:  # rlp and py-evm raise many kinds
            raise ValidationError(f"the signed transaction does not decode: {exc}") from None
        return self._send(decoded)

    def _send(self, signed) -> bytes:
        """Run a py-evm signed transaction on revm, in a block of its own; its hash."""
        kind = getattr(signed, "type_id", 0) or 0
        if kind in (3, 4):
            raise ValidationError(f"a type-{kind} transaction cannot run on revm; {ON_PYEVM}")
        if getattr(signed, "access_list", ()):
            raise ValidationError(f"access lists are not passed to revm; {ON_PYEVM}")
        chain_id = signed.chain_id if kind or signed.v >= 35 else None
        if chain_id is not None and chain_id != CHAIN_ID:
            raise ValidationError(
                f"the transaction is signed for chain id {chain_id}; this chain's is {CHAIN_ID}"
            )
        signed.validate()  # the signature, and enough gas for the intrinsic cost (py-evm's words)
        if signed.gas < intrinsic_gas(signed.data, not signed.to):
            raise ValidationError(
                f"Insufficient gas: {signed.gas} is below the intrinsic cost "
                f"{intrinsic_gas(signed.data, not signed.to)}"
            )
        tx = {
            "from": to_checksum_address(signed.sender),
            "to": to_checksum_address(signed.to) if signed.to else None,
            "data": bytes(signed.data),
            "value": signed.value,
            "gas": signed.gas,
            "nonce": signed.nonce,
            "hash": signed.hash,
            "type": kind,
            "r": signed.r,
            "s": signed.s,
        }
        if kind >= 2:
            tx["max_fee_per_gas"] = signed.max_fee_per_gas
            tx["max_priority_fee_per_gas"] = signed.max_priority_fee_per_gas
        else:
            tx["gas_price"] = signed.gas_price
        if kind:
            tx["chain_id"], tx["v"] = signed.chain_id, signed.y_parity
        else:
            tx["v"] = signed.v
        try:
            self.revm.transact(tx)
        except ChainError as exc:
            raise _refused(exc) from None
        self._sealed += 1
        return signed.hash

    # -- calls --

    def _lab_tx(self, transaction: dict) -> dict:
        return {
            "from": _hex(transaction.get("from") or b"\x00" * 20),
            "to": _hex(transaction["to"]) if transaction.get("to") else None,
            "data": bytes(transaction.get("data", b"")),
            "value": transaction.get("value", 0),
            "gas": transaction.get("gas", self.revm.gas_limit),
        }

    def _succeeds(self, tx: dict) -> bool:
        try:
            return self.revm.call(tx).success
        except ChainError:
            return False

    def estimate_gas(self, transaction, block_number="latest"):
        """py-evm's estimate: a binary search from the intrinsic gas to the block gas limit,
        to within 21,000 gas (``binary_gas_search_intrinsic_tolerance``)."""
        if self._number(block_number) not in (None, self.revm._blocks[-1].number):
            raise ValidationError(f"estimate_gas runs on the latest block only here; {ON_PYEVM}")
        tx = self._lab_tx(transaction)
        low = _search_floor(tx)
        if self._succeeds(dict(tx, gas=low)):
            return low
        most = _search_ceiling(self.revm._blocks[-1], self.revm.gas_limit)
        execution = self.revm.call(dict(tx, gas=most))
        if not execution.success:
            raise TransactionFailed(_failure_message(execution))
        while most - low > ESTIMATE_TOLERANCE:
            middle = (most + low) // 2
            if self._succeeds(dict(tx, gas=middle)):
                most = middle
            else:
                low = middle
        return most

    def call(self, transaction, block_number="latest"):
        tx = self._lab_tx(transaction)
        number = self._number(block_number)
        if number is None or number == self.revm._blocks[-1].number:
            try:
                execution = self.revm.call(tx)
            except ChainError as exc:
                raise ValidationError(
                    str(exc).removeprefix("the chain rejected the call: ")
                ) from None
            if not execution.success:
                raise TransactionFailed(_failure_message(execution))
            return execution.output
        # An older block: py-evm runs it on a copy of the state then (as traces run).
        computation = self.revm._on_replica(tx, number, _unobserved)
        if computation.is_error:
            raise TransactionFailed(str(computation.error))
        return bytes(computation.output)


def _search_floor(tx: dict) -> int:
    """Where py-evm's gas search starts: the transaction's intrinsic gas as py-evm counts it
    (without the EIP-7623 calldata floor)."""
    unsigned = _builder().new_unsigned_dynamic_fee_transaction(
        chain_id=CHAIN_ID,
        nonce=0,
        max_priority_fee_per_gas=0,
        max_fee_per_gas=0,
        gas=0,
        to=to_canonical_address(tx["to"]) if tx["to"] else b"",
        value=tx["value"],
        data=tx["data"],
        access_list=(),
    )
    return unsigned.intrinsic_gas


def _search_ceiling(latest: _Block, gas_limit: int) -> int:
    """Where py-evm's gas search ends: the gas limit py-evm gives the block after ``latest``
    when it estimates (frontier rules from the latest block's gas used)."""
    from types import SimpleNamespace

    from eth._utils.headers import compute_gas_limit
    from eth.constants import GENESIS_GAS_LIMIT

    parent = SimpleNamespace(gas_limit=gas_limit, gas_used=latest.gas_used)
    return compute_gas_limit(parent, genesis_gas_limit=GENESIS_GAS_LIMIT)


def _unobserved(computation, op, opcode_fn):
    return opcode_fn(computation=computation)


def _failure_message(execution) -> str:
    """What eth-tester's py-evm backend says of a failed call: a revert's reason string, else
    py-evm's error."""
    from eth.exceptions import Revert
    from eth_abi import decode

    if execution.error == "revert":
        if execution.output[:4] == b"\x08\xc3\x79\xa0":
            try:
                return decode(["string"], execution.output[4:])[0]
            except Exception:
                pass
        return str(Revert(execution.output))
    return execution.error_message or str(execution.error)
