"""The py-evm backend: an eth-tester chain, driven one level below EthereumTester.

Transactions go through eth-tester's py-evm backend so the web3 view of the chain
(``Chain.w3``) sees them, but are applied here so the py-evm computation — return data, revert
data, the failing frame's program counter — is kept. This is the only module that touches
eth-tester's and py-evm's internals.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from contextvars import ContextVar
from functools import cache

from eth.exceptions import InvalidInstruction, OutOfGas, Revert, VMError
from eth.vm.spoof import SpoofTransaction
from eth_tester import EthereumTester, PyEVMBackend
from eth_tester.exceptions import TransactionFailed
from eth_tester.exceptions import ValidationError as TesterValidationError
from eth_utils import ValidationError, to_canonical_address, to_checksum_address

from ..abi import checksummed
from ..errors import ChainError, web3_flavour
from . import Execution, Frame, Log, RawStep, calldata_floor


def _error_kind(error: Exception | None) -> str | None:
    if error is None:
        return None
    if isinstance(error, Revert):
        return "revert"
    if isinstance(error, OutOfGas):
        return "out_of_gas"
    if isinstance(error, InvalidInstruction):
        return "invalid_opcode"
    return type(error).__name__


def _failing_computation(computation):
    """The innermost frame whose failure the top frame passed on (None if it succeeded)."""
    if not computation.is_error:
        return None
    current = computation
    while True:
        nested = [c for c in current.children if c.is_error]
        # A Solidity contract that bubbles a callee's revert re-reverts with the same data.
        if (
            nested
            and isinstance(current.error, Revert)
            and nested[-1].output == current.output
            and isinstance(nested[-1].error, Revert)
        ):
            current = nested[-1]
            continue
        return current


def _frame_of(computation) -> Frame:
    msg = computation.msg
    address = msg.storage_address if msg.is_create else msg.code_address
    return Frame(
        address=checksummed(bytes(address)),
        pc=max(0, computation.code.program_counter - 1),
        is_create=bool(msg.is_create),
        depth=msg.depth,
    )


def _failing_frame(computation) -> Frame | None:
    failing = _failing_computation(computation)
    return None if failing is None else _frame_of(failing)


TRAIL_LENGTH = 64
SLOAD, SSTORE = 0x54, 0x55

# Set while a replay observes execution: called as observer(computation, op, opcode_fn).
_observer: ContextVar[Callable | None] = ContextVar("sollab_observer", default=None)


class TraceLimit(Exception):
    """Raised inside the EVM to stop a trace that reached its step limit."""


@cache
def _observed_class(base: type) -> type:
    """``base`` (a py-evm computation class) whose every instruction goes through the current
    observer, if there is one."""

    def wrap(op: int, opcode_fn):
        def observed(computation):
            observer = _observer.get()
            if observer is None:
                return opcode_fn(computation=computation)
            return observer(computation, op, opcode_fn)

        observed.mnemonic = getattr(opcode_fn, "mnemonic", "")
        return observed

    class ObservedComputation(base):
        opcodes = {op: wrap(op, fn) for op, fn in base.opcodes.items()}

    return ObservedComputation


class _Trail:
    """Observer: the last instructions of every frame."""

    def __init__(self) -> None:
        self.trails: dict[int, deque[int]] = {}

    def __call__(self, computation, op: int, opcode_fn):
        trail = self.trails.setdefault(id(computation), deque(maxlen=TRAIL_LENGTH))
        trail.append(computation.code.program_counter - 1)
        return opcode_fn(computation=computation)


def _stack_ints(values) -> tuple[int, ...]:
    return tuple(v if isinstance(v, int) else int.from_bytes(v, "big") for v in values)


class _Recorder:
    """Observer: every instruction with gas, stack, memory and storage access."""

    def __init__(self, max_steps: int) -> None:
        self.max_steps = max_steps
        self.steps: list[RawStep] = []
        self._memory: dict[int, bytes] = {}  # frame -> its memory as last recorded

    def __call__(self, computation, op: int, opcode_fn):
        if len(self.steps) >= self.max_steps:
            raise TraceLimit
        msg = computation.msg
        raw_memory = computation._memory._bytes
        memory = self._memory.get(id(computation))
        if memory is None or memory != raw_memory:  # bytes == bytearray compares contents
            memory = self._memory[id(computation)] = bytes(raw_memory)
        stack = _stack_ints(computation._stack.values)
        gas = computation.get_gas_remaining()
        step = RawStep(
            pc=computation.code.program_counter - 1,
            op=op,
            gas=gas,
            depth=msg.depth,
            address=checksummed(msg.storage_address),  # cached: a keccak each, every step
            is_create=bool(msg.is_create),
            stack=stack,
            memory=memory,
        )
        if op == SSTORE and len(stack) >= 2:
            step.storage = ("write", stack[-1], stack[-2])
        self.steps.append(step)  # before running it: a CALL's callee steps come after it
        try:
            return opcode_fn(computation=computation)
        finally:
            step.cost = gas - computation.get_gas_remaining()
            if op == SLOAD and stack and computation._stack.values:
                step.storage = ("read", stack[-1], _stack_ints(computation._stack.values[-1:])[0])


def _execution(computation, gas_used: int, gas_limit: int) -> Execution:
    error = computation.error if computation.is_error else None
    ex = Execution(
        success=computation.is_success,
        output=bytes(computation.output),
        gas_used=gas_used,
        error=_error_kind(error),
        error_message=str(error) if error is not None else "",
        frame=_failing_frame(computation),
        gas_limit=gas_limit,
    )
    if computation.is_success and computation.msg.is_create:
        ex.contract_address = to_checksum_address(computation.msg.storage_address)
    return ex


def _settled(computation, tx: dict) -> Execution:
    """The execution of a replayed ``tx``, with gas counted as a receipt counts it: refunds
    (at most a fifth, EIP-3529) taken off, and at least the calldata floor (EIP-7623)."""
    spent = tx["gas"] - computation.get_gas_remaining()
    refund = min(computation.get_gas_refund(), spent // 5) if computation.is_success else 0
    floor = calldata_floor(tx.get("data", b""))
    execution = _execution(computation, max(spent - refund, floor), tx["gas"])
    execution.refund = refund
    return execution


class PyEvmBackend:
    name = "pyevm"

    def __init__(self) -> None:
        self.tester = EthereumTester(PyEVMBackend())
        self._backend: PyEVMBackend = self.tester.backend

    @property
    def _chain(self):
        return self._backend.chain

    def accounts(self) -> list[tuple[str, bytes]]:
        keys = self._backend.account_keys
        return [(k.public_key.to_checksum_address(), k.to_bytes()) for k in keys]

    @staticmethod
    def _raw(tx: dict) -> dict:
        raw = {
            "from": to_canonical_address(tx["from"]),
            "to": to_canonical_address(tx["to"]) if tx.get("to") else b"",
            "gas": tx["gas"],
            "value": tx.get("value", 0),
            "data": tx.get("data", b""),
        }
        return raw

    def transact(self, tx: dict) -> Execution:
        raw = self._raw(tx)
        if raw["from"] not in self._backend._key_lookup:
            raise ChainError(f"{tx['from']} is not one of the chain's accounts: it cannot sign")
        signed = self._backend._get_normalized_and_signed_evm_transaction(raw)
        try:
            _, receipt, computation = self._chain.apply_transaction(signed)
        except Exception as exc:  # validation: nonce, balance for value + gas, gas limit...
            raise ChainError(f"the chain rejected the transaction: {exc}") from None
        block_number = self._chain.get_block().number
        self.tester.mine_blocks(1)
        ex = _execution(computation, receipt.gas_used, tx["gas"])
        ex.tx_hash = signed.hash
        ex.block_number = block_number
        ex.logs = [
            Log(
                address=to_checksum_address(log.address),
                topics=[t.to_bytes(32, "big") for t in log.topics],
                data=bytes(log.data),
            )
            for log in receipt.logs
        ]
        return ex

    def _run_on(self, tx: dict, block_number: int | None, computation_class=None):
        """Execute ``tx`` on the state after ``block_number`` (latest if None), then undo it.

        Like geth's eth_call: gas price and base fee 0, so any address (an unfunded one, a
        contract) can be the caller without paying for gas.
        """
        at = "latest" if block_number is None else block_number
        raw = dict(self._raw(tx), gas_price=0)
        unsigned = self._backend._get_normalized_and_unsigned_evm_transaction(raw, at)
        spoofed = SpoofTransaction(unsigned, from_=raw["from"])
        if block_number is None:
            header = self._chain.get_canonical_head()
        else:
            header = self._chain.get_canonical_block_header_by_number(block_number)
        state = self._chain.get_vm(at_header=header.copy(base_fee_per_gas=0)).state
        if computation_class is not None:
            state.computation_class = computation_class
        snapshot = state.snapshot()
        try:
            return state.apply_transaction(spoofed)
        except TraceLimit:
            raise
        except Exception as exc:  # validation: gas below the intrinsic cost, over the limit...
            raise ChainError(f"the chain rejected the call: {exc}") from None
        finally:
            state.revert(snapshot)

    def _observe(self, tx: dict, block_number: int | None, observer):
        observed = _observed_class(self._chain.get_vm().state.computation_class)
        token = _observer.set(observer)
        try:
            return self._run_on(tx, block_number, observed)
        finally:
            _observer.reset(token)

    def replay_trail(self, tx: dict, block_number: int | None) -> Frame | None:
        """Run ``tx`` again recording each frame's last instructions; the failing frame."""
        trail = _Trail()
        try:
            computation = self._observe(tx, block_number, trail)
        except ChainError:
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
        """Run ``tx`` again on the state after ``block_number`` recording every instruction;
        the execution is None if the trace stopped at ``max_steps``."""
        recorder = _Recorder(max_steps)
        try:
            computation = self._observe(tx, block_number, recorder)
        except TraceLimit:
            return None, recorder.steps
        return _settled(computation, tx), recorder.steps

    def call(self, tx: dict) -> Execution:
        return _settled(self._run_on(tx, None), tx)

    def snapshot(self) -> object:
        # Reverting re-executes the snapshot's block: snapshot an empty one so that is free.
        latest = self.tester.get_block_by_number("latest")
        if latest["transactions"]:
            self.tester.mine_blocks(1)
        return self.tester.take_snapshot()

    def revert(self, snapshot: object) -> None:
        try:
            self.tester.revert_to_snapshot(snapshot)
        except Exception:
            raise ChainError(f"snapshot {snapshot!r} does not exist on this chain") from None

    def _state_after(self, block: int | None):
        """The state as it was after ``block`` (after the latest block if None)."""
        if block is None:
            return self._chain.get_vm().state
        header = self._chain.get_canonical_block_header_by_number(block)
        return self._chain.get_vm(at_header=header).state

    def balance(self, address: str, block: int | None = None) -> int:
        return self._state_after(block).get_balance(to_canonical_address(address))

    def set_balance(self, address: str, wei: int) -> None:
        vm = self._chain.get_vm()
        state = vm.state
        state.set_balance(to_canonical_address(address), wei)
        state.persist()
        self._chain.header = self._chain.header.copy(state_root=state.state_root)
        self.tester.mine_blocks(1)

    def code(self, address: str) -> bytes:
        return bytes(self._chain.get_vm().state.get_code(to_canonical_address(address)))

    def nonce(self, address: str) -> int:
        return self.tester.get_nonce(address)

    def storage_at(self, address: str, slot: int, block: int | None = None) -> int:
        return self._state_after(block).get_storage(to_canonical_address(address), slot)

    def block_number(self) -> int:
        return self.tester.get_block_by_number("latest")["number"]

    def pending_timestamp(self) -> int:
        return self.tester.get_block_by_number("pending")["timestamp"]

    def time_travel(self, timestamp: int) -> None:
        """The next block (so the next transaction) gets ``timestamp``."""
        if timestamp < self.pending_timestamp():
            raise ChainError(
                "the chain cannot travel back in time: give a later timestamp "
                "(or use `with chain.anchor():` to undo changes)"
            )
        if timestamp > self.pending_timestamp():
            self.tester.time_travel(timestamp)

    def mine(self, blocks: int) -> None:
        self.tester.mine_blocks(blocks)

    def web3_provider(self, check: Callable[[dict], None], gas_cap: int) -> object:
        """An ``EthereumTesterProvider`` on this chain whose failures are the lab's.

        Stock web3 on eth-tester raises ``eth_tester.exceptions.TransactionFailed`` (or a raw
        py-evm ``OutOfGas``) where a node would answer with an error; here ``eth_call`` and
        ``eth_estimateGas`` that fail are run again through ``check``, which raises the lab's
        exception (also a web3 ``ContractLogicError``). Calls without ``gas`` get ``gas_cap``.
        """
        return _lab_provider_class()(self.tester, check=check, gas_cap=gas_cap)


def _from_rpc(tx: dict, gas_cap: int) -> dict:
    """An RPC transaction object (hex strings) as the backend's transaction dict."""

    def number(value, default: int) -> int:
        if value is None:
            return default
        return int(value, 16) if isinstance(value, str) else int(value)

    data = tx.get("data") or tx.get("input") or "0x"
    return {
        "from": tx.get("from") or "0x" + "00" * 20,
        "to": tx.get("to"),
        "data": bytes.fromhex(data[2:]) if isinstance(data, str) else bytes(data),
        "value": number(tx.get("value"), 0),
        "gas": number(tx.get("gas"), gas_cap),
    }


@cache
def _lab_provider_class() -> type:
    from web3 import EthereumTesterProvider
    from web3.exceptions import ContractLogicError

    class LabTesterProvider(EthereumTesterProvider):
        def __init__(self, tester, *, check: Callable[[dict], None], gas_cap: int) -> None:
            super().__init__(tester)
            self._check = check
            self._gas_cap = gas_cap

        def make_request(self, method, params):
            if method == "eth_estimateGas" and params:
                # Fail fast and clearly instead of eth-tester's search up to the block limit.
                self._check(_from_rpc(params[0], self._gas_cap))
            elif method == "eth_call" and params and "gas" not in params[0]:
                params = [dict(params[0], gas=self._gas_cap), *params[1:]]
            try:
                return super().make_request(method, params)
            except (ValidationError, TesterValidationError) as exc:
                # A transaction the chain refuses (nonce, funds, gas limit): one line, as a
                # node's error answer would be, not py-evm's traceback.
                first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                rejected = ChainError(f"the chain rejected the transaction: {first}")
                raise web3_flavour(rejected, "Web3RPCError") from None
            except (TransactionFailed, VMError, ContractLogicError):
                if method not in ("eth_call", "eth_estimateGas"):
                    raise
                self._check(_from_rpc(params[0], self._gas_cap))
                raise

    return LabTesterProvider
