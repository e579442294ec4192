"""The revm backend (``SOLLAB_BACKEND=revm``): the lab's chain on pyrevm, py-evm's results.

pyrevm 0.3.7 runs revm 8 (Cancun rules) and never finalises revm's journal, so on its own every
account and slot a transaction touched stays warm for the next one, and a call transaction is
neither charged for gas nor given a new nonce (benchmarks/REVM.md). This backend makes it behave
like the lab's py-evm chain:

- the chain's state lives in revm's *database* (cold), never in its journal: each transaction
  runs inside a revm checkpoint, what it changed is read back (account infos, and the slots its
  journal names), the checkpoint is reverted, and the changes are written to the database — a
  slot through ``insert_account_storage`` inside a checkpoint of its own, reverted at once, which
  leaves the value in the database and nothing warm;
- gas is paid as eth-tester pays it (1 gwei a gas, or a signed transaction's own fees; the base
  fee burnt, the rest to the coinbase, the whole limit held back while the transaction runs),
  the sender's nonce goes up, and gas used is at least the EIP-7623 calldata floor (Prague);
- blocks are kept here: one block per transaction, base fee by EIP-1559, timestamps, time travel
  and snapshots as eth-tester makes them, and a history of every change for reads at a block.
  The last ``history`` blocks (4,096) keep an undo record each; older records merge into one
  per run of blocks between snapshots, so memory follows what a session touches rather than
  how many transactions it sends (reverts to any snapshot still work; a read inside the merged
  past is refused). Each block keeps the transaction it ran and its result, for web3's
  receipts and transaction lookups (benchmarks/revm_memory.py measures the growth).

What it cannot do, it does on py-evm: step traces and the failing frame's program counter are
found by running the transaction again on a py-evm copy of the state. Inside the EVM,
``block.basefee`` and ``tx.gasprice`` read 0 (pyrevm sets both to 0), ``blockhash`` gives revm's
stand-in hashes, and ``block.prevrandao`` is random per block as on eth-tester.

``Chain.w3`` and ``sollab node`` drive eth-tester's API: here that is an eth-tester backend
over this very state (``revm_tester.RevmTesterBackend``), so web3 and the lab's API see one
chain and it never leaves revm. Nothing moves the chain to py-evm (it once replayed its whole
history there on first use of web3): step traces, failing frames and web3 calls at an older
block are the only things py-evm still runs, each on a copy of the state; what neither can do
on this state (blob and set-code transactions, access lists) is refused in one line naming
``SOLLAB_BACKEND=pyevm``.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pyrevm
from eth_utils import keccak

from ..abi import checksummed
from ..errors import ChainError
from . import Execution, Frame, Log, RawStep, calldata_floor

GAS_PRICE = 10**9  # what eth-tester's transactions pay: max fee and priority fee of 1 gwei
COINBASE = "0x" + "00" * 20
CHAIN_ID = 131277322940537  # eth-tester's
ELASTICITY, BASE_FEE_DENOMINATOR = 2, 8
EMPTY_CODE_HASH = keccak(b"")

_STORAGE_CHANGE = re.compile(r"StorageChange \{ address: (0x[0-9a-f]{40}), key: (\d+)")
_DESTROYED = re.compile(r"AccountDestroyed \{ address: (0x[0-9a-f]{40})")
_OUTPUT = re.compile(r"output: 0x([0-9a-fA-F]*)")
_HALT = re.compile(r"Halt \{ reason: ([A-Za-z]+)")


HISTORY = 4096  # blocks whose own undo records are kept (reads at a block, traces of receipts)


@dataclass(slots=True)
class _Block:
    number: int
    timestamp: int
    base_fee: int
    gas_used: int = 0
    transactions: int = 0
    prevrandao: bytes = field(default_factory=lambda: os.urandom(32))  # as eth-tester: random
    # what this block changed, each key's value before it: ("account", a) -> (balance, nonce,
    # code) or None (did not exist); ("slot", a, slot) -> value. None once the block is older
    # than the kept history: its record was merged into the record of an earlier block.
    undo: dict[tuple, object] | None = field(default_factory=dict)
    # the transaction mined in it, as run: (tx with its nonce and fees, its Execution)
    mined: tuple | None = None


def _next_base_fee(parent: _Block, gas_limit: int) -> int:
    """EIP-1559: the base fee of the block after ``parent``."""
    target = gas_limit // ELASTICITY
    if parent.gas_used == target:
        return parent.base_fee
    if parent.gas_used > target:
        delta = parent.base_fee * (parent.gas_used - target) // target // BASE_FEE_DENOMINATOR
        return parent.base_fee + max(delta, 1)
    delta = parent.base_fee * (target - parent.gas_used) // target // BASE_FEE_DENOMINATOR
    return parent.base_fee - delta


def _error_kind(text: str) -> str:
    if text.startswith("Revert"):
        return "revert"
    halt = _HALT.match(text)
    reason = halt.group(1) if halt else text.split("(")[0].split(" ")[0]
    if reason == "OutOfGas":
        return "out_of_gas"
    if reason in ("OpcodeNotFound", "InvalidFEOpcode", "NotActivated"):
        return "invalid_opcode"
    return reason


class RevmBackend:
    name = "revm"

    def __init__(self, history: int = HISTORY) -> None:
        """``history``: how many recent blocks keep a record of their own. Older blocks' records
        are merged (a run of blocks between snapshots keeps one record, each key's oldest
        value), so memory grows with the accounts and slots a session touches, not with its
        transactions; reads at an older block (``balance(a, block)``, a trace of an old
        receipt) are refused with a clear error. Reverting to any snapshot still works."""
        from .pyevm import PyEvmBackend

        if history < 1:
            raise ChainError(f"history={history}: keep at least 1 block of history")
        self.history = history
        self._compacted = 0  # blocks up to this one have had their records merged
        self._span_head: _Block | None = None  # the block the latest merged run gathers in
        # every address and slot ever changed (a superset of what the records name)
        self._addresses: set[str] = set()
        self._slots: dict[str, set[int]] = {}
        self._lowered: dict[str, str] = {}  # an address as revm spells it -> lowercase

        self._pyrevm = pyrevm
        # The genesis (keys, balances, timestamps, gas limit) is eth-tester's own.
        genesis_chain = PyEvmBackend()
        self._accounts_keys = genesis_chain.accounts()
        self._signers = {address.lower() for address, _ in self._accounts_keys}
        tester = genesis_chain.tester
        genesis = tester.get_block_by_number("latest")
        pending = tester.get_block_by_number("pending")
        self.gas_limit = pending["gas_limit"]
        self._blocks = [_Block(0, genesis["timestamp"], genesis["base_fee_per_gas"])]
        self._pending_timestamp = pending["timestamp"]
        self._evm = pyrevm.EVM(
            env=pyrevm.Env(cfg=pyrevm.CfgEnv(chain_id=CHAIN_ID)),
            gas_limit=self.gas_limit,
            spec_id="CANCUN",
        )
        self._state: dict[str, tuple[int, int, bytes]] = {}  # address -> (balance, nonce, code)
        self._storage: dict[str, dict[int, int]] = {}  # address -> slot -> value (non-zero)
        self._genesis_infos: dict[str, tuple[int, int, bytes]] = {}
        for address, _ in self._accounts_keys:
            info = (genesis_chain.balance(address), 0, b"")
            self._genesis_infos[_key(address)] = info
            self._write_account(_key(address), info)
        # py-evm at genesis: each replay for a trace or a failing frame writes the state it needs
        # into a state of its own (the chain's head never moves), so one serves them all.
        self._genesis_chain = genesis_chain
        self._snapshots: dict[int, int] = {}
        self._snapshot_ids = itertools.count()  # numbered as eth-tester numbers them
        self._tx_ids = itertools.count()
        self._tester = None  # eth-tester over this state, for web3 and the node (made on use)
        self._block_env_key: tuple | None = None

    # -- state, kept in revm's database and mirrored here --

    def _write_account(self, address: str, info: tuple[int, int, bytes] | None) -> None:
        balance, nonce, code = info or (0, 0, b"")
        if info is None or info == (0, 0, b""):
            self._state.pop(address, None)
        else:
            self._state[address] = info
        self._evm.insert_account_info(
            address, self._pyrevm.AccountInfo(balance=balance, nonce=nonce, code=code or None)
        )

    def _write_slot(self, address: str, slot: int, value: int) -> None:
        if value:
            self._storage.setdefault(address, {})[slot] = value
        else:
            self._storage.get(address, {}).pop(slot, None)
        # insert_account_storage loads the account into revm's journal (warm); inside a
        # checkpoint reverted at once, only the database keeps the value.
        checkpoint = self._evm.snapshot()
        self._evm.insert_account_storage(address, slot, value)
        self._evm.revert(checkpoint)

    def _change(self, block: _Block, key: tuple, new: object) -> None:
        """Set ``key`` to ``new``, remembering in ``block`` what it was."""
        if key[0] == "account":
            old = self._state.get(key[1])
            if old == new or (old is None and new == (0, 0, b"")):
                return
            block.undo.setdefault(key, old)
            self._addresses.add(key[1])
            self._write_account(key[1], new)
        else:
            old = self._storage.get(key[1], {}).get(key[2], 0)
            if old == new:
                return
            block.undo.setdefault(key, old)
            self._slots.setdefault(key[1], set()).add(key[2])
            self._write_slot(key[1], key[2], new)

    def _undo(self, block: _Block) -> None:
        for key, old in (block.undo or {}).items():
            if key[0] == "account":
                self._write_account(key[1], old)
            else:
                self._write_slot(key[1], key[2], old)

    # -- blocks --

    @property
    def _latest(self) -> _Block:
        return self._blocks[-1]

    def _pending(self) -> _Block:
        latest = self._latest
        return _Block(
            latest.number + 1, self._pending_timestamp, _next_base_fee(latest, self.gas_limit)
        )

    def _mine(self, block: _Block) -> None:
        self._blocks.append(block)
        self._pending_timestamp = max(block.timestamp + 1, int(time.time()))
        if block.number - self._compacted >= 2 * self.history:  # every `history` blocks
            self._compact(block.number - self.history)

    def _compact(self, upto: int) -> None:
        """Merge the undo records of blocks up to ``upto`` into one record per run of blocks
        between snapshots: the state at a snapshot's block stays reachable (revert), the state
        inside a run does not (reads there are refused)."""
        stops = set(self._snapshots.values())  # blocks whose state must stay reachable
        head = self._span_head
        for number in range(self._compacted + 1, upto + 1):
            block = self._blocks[number]
            if head is None or number - 1 in stops:
                head = block  # a new run starts here
                continue
            for key, old in block.undo.items():
                head.undo.setdefault(key, old)  # the earlier block's value is the older one
            block.undo = None
        self._span_head, self._compacted = head, upto

    def _set_block_env(self, block: _Block) -> None:
        key = (block.number, block.timestamp, block.prevrandao)
        if key == self._block_env_key:
            return
        self._evm.set_block_env(
            self._pyrevm.BlockEnv(
                number=block.number,
                coinbase=COINBASE,
                timestamp=block.timestamp,
                prevrandao=block.prevrandao,
                basefee=block.base_fee,
                gas_limit=self.gas_limit,
            )
        )
        self._block_env_key = key

    # -- running code --

    def _run(self, tx: dict, block: _Block, gas_price: int, collect: bool = True) -> tuple:
        """Run ``tx`` in a revm checkpoint and undo it; (execution, infos, slots, destroyed),
        the last three empty unless ``collect`` (a call needs only the execution)."""
        evm = self._evm
        self._set_block_env(block)
        sender, to = tx["from"].lower(), tx["to"].lower() if tx.get("to") else None
        data, value, gas = tx.get("data", b""), tx.get("value", 0), tx["gas"]
        checkpoint = evm.snapshot()
        try:
            try:
                if to is None:
                    output = evm.deploy(sender, data, value=value, gas=gas, gas_price=gas_price)
                else:
                    output = evm.message_call(
                        sender, to, data, value=value, gas=gas, gas_price=gas_price
                    )
                error = None
            except Exception as exc:  # pyrevm raises RuntimeError with revm's result as text
                output, error = None, str(exc)
                if error.startswith("Transaction(") or evm.result is None:
                    raise ChainError(f"the chain rejected the transaction: {error}") from None
            result = evm.result
            infos, values, destroyed = {}, {}, set()
            if collect or to is None:  # a create's code is read back from the journal
                for a, i in evm.journal_state.items():
                    a = self._lower(a)
                    infos[a] = (i.balance, i.nonce, self._code_of(a, i))
            if collect:
                journal = evm.journal_str
                slots = {(self._lower(a), int(k)) for a, k in _STORAGE_CHANGE.findall(journal)}
                values = {(a, k): evm.storage(a, k) for a, k in slots}
                if "AccountDestroyed" in journal:
                    destroyed = set(_DESTROYED.findall(journal))
        finally:
            evm.revert(checkpoint)
        floor = calldata_floor(data)
        execution = Execution(
            success=error is None,
            output=b"",
            gas_used=max(result.gas_used, floor),
            gas_limit=gas,
            refund=result.gas_refunded if error is None else 0,
        )
        if error is None:
            if to is None:
                execution.contract_address = checksummed(output)
                execution.output = infos.get(output.lower(), (0, 0, b""))[2]
            else:
                execution.output = bytes(output)
            execution.logs = [
                Log(
                    address=checksummed(log.address),
                    topics=[bytes.fromhex(t[2:]) for t in log.topics],
                    data=bytes(log.data[1]),
                )
                for log in result.logs
            ]
        else:
            execution.error = _error_kind(error)
            execution.error_message = error
            found = _OUTPUT.search(error) if execution.error == "revert" else None
            execution.output = bytes.fromhex(found.group(1)) if found else b""
        return execution, infos, values, destroyed

    def _lower(self, address: str) -> str:
        """``address`` lowercased, one string object per address (the records hold many)."""
        lowered = self._lowered.get(address)
        if lowered is None:
            lowered = self._lowered[address] = address.lower()
        return lowered

    def _code_of(self, address: str, info) -> bytes:
        """An account's code as deployed: revm hands back its analysed code, zero-padded."""
        known = self._state.get(address)
        if known is not None and known[2]:
            return known[2]  # code never changes once deployed
        if bytes(info.code_hash or b"") in (EMPTY_CODE_HASH, b"\x00" * 32):
            return b""
        padded = bytes(info.code or b"")
        for end in range(len(padded), max(len(padded) - 66, -1), -1):
            if keccak(padded[:end]) == info.code_hash:
                return padded[:end]
        raise ChainError(f"revm gave code for {address} that does not match its code hash")

    def accounts(self) -> list[tuple[str, bytes]]:
        return list(self._accounts_keys)

    def transact(self, tx: dict) -> Execution:
        """Run ``tx`` (from, to, data, value, gas) in a block of its own. As the pyevm backend's,
        it is signed by one of the chain's accounts and pays 1 gwei a gas; a signed transaction
        (revm_tester decodes them) also carries its ``hash``, ``nonce`` and fees (``gas_price``,
        or ``max_fee_per_gas`` and ``max_priority_fee_per_gas``) and may come from anyone."""
        sender = _key(tx["from"])
        if "hash" not in tx and sender not in self._signers:
            raise ChainError(f"{tx['from']} is not one of the chain's accounts: it cannot sign")
        gas = tx["gas"]
        block = self._pending()
        balance, nonce, code = self._state.get(sender, (0, 0, b""))
        max_fee = tx.get("max_fee_per_gas", tx.get("gas_price", GAS_PRICE))
        price = min(max_fee, block.base_fee + tx.get("max_priority_fee_per_gas", max_fee))
        problem = self._refusal(tx, balance, price, block, max_fee)
        if not problem and tx.get("nonce", nonce) != nonce:
            problem = f"Invalid transaction nonce: Expected {nonce}, but got {tx['nonce']}"
        if problem:
            raise ChainError(f"the chain rejected the transaction: {problem}")
        upfront = gas * price
        # The whole gas limit is held back while the transaction runs, as py-evm does.
        self._evm.insert_account_info(
            sender,
            self._pyrevm.AccountInfo(balance=balance - upfront, nonce=nonce, code=code or None),
        )
        try:
            execution, infos, values, destroyed = self._run(tx, block, gas_price=0)
        except BaseException:
            self._write_account(sender, (balance, nonce, code))
            raise
        infos.setdefault(sender, (balance - upfront, nonce, code))
        for address in destroyed:
            infos[address] = (0, 0, b"")
            for slot in self._storage.get(address, {}):
                values.setdefault((address, slot), 0)
        paid = execution.gas_used * price
        s_balance, s_nonce, s_code = infos[sender]
        if tx.get("to"):
            s_nonce += 1  # a create's nonce is raised inside revm
        infos[sender] = (s_balance + upfront - paid, s_nonce, s_code)
        c_balance, c_nonce, c_code = infos.get(COINBASE) or self._state.get(COINBASE, (0, 0, b""))
        tip = execution.gas_used * (price - block.base_fee)
        infos[COINBASE] = (c_balance + tip, c_nonce, c_code)
        for address, info in infos.items():
            self._change(block, ("account", address), info)
        for (address, slot), new in values.items():
            self._change(block, ("slot", address, slot), new)
        block.gas_used, block.transactions = execution.gas_used, 1
        block.mined = (dict(tx, nonce=nonce), execution)
        self._mine(block)
        execution.block_number = block.number
        # A signed transaction's own hash; else a stand-in (revm signs nothing), unique here.
        execution.tx_hash = (
            tx.get("hash")
            or hashlib.blake2b(
                b"%d/%d/%s" % (block.number, next(self._tx_ids), sender.encode()), digest_size=32
            ).digest()
        )
        if not execution.success and execution.error != "out_of_gas":
            execution.find_frame = self._frame_finder(tx, self._blocks[block.number - 1])
        return execution

    def _refusal(
        self, tx: dict, balance: int, price: int, block: _Block | None, max_fee: int = 0
    ) -> str:
        """Why py-evm would refuse ``tx`` before running it, in py-evm's words ("" if not);
        ``price`` is the price a gas it pays, ``max_fee`` the most it allows (``price`` if 0)."""
        gas, value = tx["gas"], tx.get("value", 0)
        max_fee = max_fee or price
        if block is not None and max_fee < block.base_fee:
            return (
                f"Sender's max fee per gas ({max_fee}) is lower than block's base fee per gas "
                f"({block.base_fee})"
            )
        if balance < gas * price:
            sender = bytes.fromhex(tx["from"][2:])
            return (
                f"Sender {sender!r} cannot afford txn gas {gas * price} with account balance "
                f"{balance}"
            )
        if balance < gas * price + value:
            return (
                "Sender does not have enough balance to cover transaction value and gas "
                f" (has {balance}, needs {gas * price + value})"
            )
        if gas > self.gas_limit:  # py-evm checks this for transactions only; revm for calls too
            return (
                f"Transaction exceeds gas limit: using {gas}, bringing total to {gas}, "
                f"but limit is {self.gas_limit}"
            )
        return ""

    def call(self, tx: dict) -> Execution:
        """Run ``tx`` on the latest block's state, then forget it (gas price and base fee 0)."""
        latest = self._latest
        view = _Block(latest.number, latest.timestamp, 0, prevrandao=latest.prevrandao)
        balance = self._state.get(_key(tx["from"]), (0, 0, b""))[0]
        problem = self._refusal(tx, balance, 0, None)
        if problem:
            raise ChainError(f"the chain rejected the call: {problem}")
        try:
            execution, *_ = self._run(tx, view, gas_price=0, collect=False)
        except ChainError as exc:
            raise ChainError(str(exc).replace("transaction", "call", 1)) from None
        if not execution.success and execution.error != "out_of_gas":
            execution.find_frame = self._frame_finder(tx, latest)
        return execution

    # -- what revm cannot do, done on a py-evm copy of the state --

    def _on_replica(self, tx: dict, block_number: int | None, observer):
        """Run ``tx`` on py-evm, on this chain's state after ``block_number`` (latest if None)
        with that block's number and timestamp and base fee 0 (as the pyevm backend replays),
        every instruction going through ``observer``."""
        from eth.vm.spoof import SpoofTransaction

        from .pyevm import _observed_class, _observer

        number = self._latest.number if block_number is None else block_number
        block = self._blocks[number]
        replica = self._genesis_chain
        chain = replica._chain
        header = chain.get_canonical_head().copy(
            block_number=block.number, timestamp=block.timestamp, base_fee_per_gas=0
        )
        state = chain.get_vm(at_header=header).state
        # The state at that block, written over py-evm's genesis state in this state's journal
        # only (nothing is persisted, so the chain stays at genesis for the next replay).
        for address in self._known_addresses():
            info = self.account_at(address, number)
            canonical = bytes.fromhex(address[2:])
            genesis = self._genesis_infos.get(address, (0, 0, b""))
            if info != genesis:  # at genesis every account has nonce 0 and no code
                balance, nonce, code = info
                if balance != genesis[0]:
                    state.set_balance(canonical, balance)
                if nonce:
                    state.set_nonce(canonical, nonce)
                if code:
                    state.set_code(canonical, code)
            for slot in self._known_slots(address):
                value = self._storage_after(address, slot, number)
                if value:
                    state.set_storage(canonical, slot, value)
        state.lock_changes()  # the writes above leave accounts and slots warm: cold again
        state.computation_class = _observed_class(state.computation_class)
        raw = replica._raw(tx)
        unsigned = chain.create_unsigned_transaction(
            nonce=state.get_nonce(raw["from"]),
            gas_price=0,
            gas=raw["gas"],
            to=raw["to"],
            value=raw["value"],
            data=raw["data"],
        )
        spoofed = SpoofTransaction(unsigned, from_=raw["from"])
        token = _observer.set(observer)
        try:
            return state.apply_transaction(spoofed)
        finally:
            _observer.reset(token)

    def _frame_finder(self, tx: dict, block: _Block) -> Callable[[], Frame | None]:
        """What finds the failing frame of ``tx``, which ran on the state after ``block``: revm
        does not say where an execution failed, so ``tx`` runs again on py-evm, with its
        program counters recorded (~10 ms). Only when asked: most failures a notebook or a
        check meets are expected ones (``lab.reverts``) whose line nobody reads. Asked after a
        revert took ``block`` away (a block of that number may be another now), it finds
        nothing rather than a frame of other code."""

        def find() -> Frame | None:
            number = block.number
            if number >= len(self._blocks) or self._blocks[number] is not block:
                return None
            return self.replay_trail(tx, number)

        return find

    def replay_trail(self, tx: dict, block_number: int | None) -> Frame | None:
        from .pyevm import _failing_computation, _frame_of, _Trail

        trail = _Trail()
        try:
            computation = self._on_replica(tx, block_number, trail)
        except Exception:
            return None
        failing = _failing_computation(computation)
        if failing is None:
            return None
        frame = _frame_of(failing)
        recent = tuple(trail.trails.get(id(failing), ()))
        return Frame(frame.address, frame.pc, frame.is_create, frame.depth, recent)

    def trace(
        self, tx: dict, block_number: int | None, max_steps: int
    ) -> tuple[Execution | None, list[RawStep]]:
        """Step traces come from py-evm, on a copy of this chain's state at ``block_number``."""
        from .pyevm import TraceLimit, _Recorder, _settled

        recorder = _Recorder(max_steps)
        try:
            computation = self._on_replica(tx, block_number, recorder)
        except TraceLimit:
            return None, recorder.steps
        return _settled(computation, tx), recorder.steps

    # -- reads --

    def _known_addresses(self) -> set[str]:
        return self._addresses | set(self._state)

    def _known_slots(self, address: str) -> set[int]:
        return self._slots.get(address, set()) | set(self._storage.get(address, {}))

    def _value_after(self, key: tuple, current: object, block: int | None) -> object:
        if block is None or block >= self._latest.number:
            return current
        if block < 0:
            raise ChainError(f"there is no block {block}: give a block number from 0")
        if self._blocks[block + 1].undo is None:
            raise ChainError(
                f"block {block} is older than the history this chain keeps (its last "
                f"{self.history:,} blocks, latest {self._latest.number:,}): read a later block"
            )
        for later in itertools.islice(self._blocks, block + 1, None):
            if later.undo and key in later.undo:
                return later.undo[key]
        return current

    def account_at(self, address: str, block: int | None) -> tuple[int, int, bytes]:
        key = _key(address)
        info = self._value_after(("account", key), self._state.get(key), block)
        return info or (0, 0, b"")

    def _storage_after(self, address: str, slot: int, block: int | None) -> int:
        current = self._storage.get(address, {}).get(slot, 0)
        return self._value_after(("slot", address, slot), current, block)

    def balance(self, address: str, block: int | None = None) -> int:
        return self.account_at(address, block)[0]

    def set_balance(self, address: str, wei: int) -> None:
        key = _key(address)
        block = self._pending()
        _, nonce, code = self._state.get(key, (0, 0, b""))
        self._change(block, ("account", key), (wei, nonce, code))
        self._mine(block)

    def code(self, address: str) -> bytes:
        return self._state.get(_key(address), (0, 0, b""))[2]

    def nonce(self, address: str) -> int:
        return self._state.get(_key(address), (0, 0, b""))[1]

    def storage_at(self, address: str, slot: int, block: int | None = None) -> int:
        return self._storage_after(_key(address), slot, block)

    def block_number(self) -> int:
        return self._latest.number

    def pending_timestamp(self) -> int:
        return self._pending_timestamp

    def time_travel(self, timestamp: int) -> None:
        """As eth-tester does it: a block is mined at ``timestamp - 1``, so the next one (the
        next transaction's) gets ``timestamp``."""
        if timestamp < self._pending_timestamp:
            raise ChainError(
                "the chain cannot travel back in time: give a later timestamp "
                "(or use `with chain.anchor():` to undo changes)"
            )
        if timestamp > self._pending_timestamp:
            block = self._pending()
            block.timestamp = timestamp - 1
            self._mine(block)
            self._pending_timestamp = max(timestamp, int(time.time()))

    def mine(self, blocks: int) -> None:
        for _ in range(blocks):
            block = self._pending()
            self._mine(block)

    def snapshot(self) -> object:
        if self._latest.transactions:  # as the pyevm backend does
            self.mine(1)
        snapshot_id = next(self._snapshot_ids)
        self._snapshots[snapshot_id] = self._latest.number
        return snapshot_id

    def revert(self, snapshot: object) -> None:
        number = self._snapshots.get(snapshot) if isinstance(snapshot, int) else None
        if number is None or number > self._latest.number:
            raise ChainError(f"snapshot {snapshot!r} does not exist on this chain")
        self.rewind(number)

    def rewind(self, number: int) -> None:
        """Undo every block after block ``number`` (eth-tester's snapshots come back here)."""
        while self._latest.number > number:
            self._undo(self._blocks.pop())
        self._compacted = min(self._compacted, number)
        self._span_head = None  # the next merged run starts afresh
        self._pending_timestamp = max(self._latest.timestamp + 1, int(time.time()))

    def web3_provider(self, check: Callable[[dict], None], gas_cap: int) -> object:
        """An ``EthereumTesterProvider`` on this chain, still on revm (see ``tester``)."""
        from .pyevm import _lab_provider_class

        return _lab_provider_class()(self.tester, check=check, gas_cap=gas_cap)

    @property
    def tester(self):
        """eth-tester over this chain's state (for ``Chain.w3`` and ``sollab node``): an
        ``EthereumTester`` whose backend is ``revm_tester.RevmTesterBackend`` on this backend."""
        if self._tester is None:
            from eth_tester import EthereumTester

            from .revm_tester import RevmTesterBackend

            self._tester = EthereumTester(backend=RevmTesterBackend(self))
        return self._tester


def _key(address: str) -> str:
    """Addresses as this backend keys them: lowercase hex with 0x."""
    return address.lower()
