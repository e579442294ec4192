"""The lab's in-memory chain: funded named accounts, deploys, calls, snapshots, time travel.

One class with a backend seam (``sollab.backends``): lessons and graders use ``Chain`` and
never see eth-tester or py-evm. Every call and transaction carries a gas cap
(``Chain.gas_cap``), so an endless loop fails in seconds with ``OutOfGas``.
"""

from __future__ import annotations

import contextlib
import inspect
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from eth_utils import to_checksum_address

from . import abi, failures, sourcemap
from .backends import INTRINSIC_GAS, ChainBackend, Execution, Frame, intrinsic_gas, make_backend
from .contracts import Contract, Event, RawLog, Receipt
from .diagnostics import SourceLocation
from .errors import ArgumentError, ChainError, LabError, web3_flavour

if TYPE_CHECKING:
    from .compiler import Artifact, CompilationResult

ACCOUNT_NAMES = ["alice", "bob", "carol", "dave", "eve", "frank", "grace", "heidi", "ivan", "judy"]
DEFAULT_GAS_CAP = 6_000_000
ETHER = 10**18


class Account(str):
    """A funded account of the lab's chain: a checksummed address string with a ``name``."""

    name: str
    private_key: bytes

    def __new__(cls, address: str, name: str, private_key: bytes) -> Account:
        self = super().__new__(cls, to_checksum_address(address))
        self.name = name
        self.private_key = private_key
        self._address = str.__str__(self)  # a plain str, made once (every transaction has one)
        return self

    @property
    def address(self) -> str:
        return self._address

    def __repr__(self) -> str:
        return f"<Account {self.name} {self!s}>"


def _address(value: Any, what: str) -> str:
    address = abi.to_address(value)
    if address is None:
        raise ArgumentError(f"{what} must be an address, an account or a contract, got {value!r}")
    return address


class Chain:
    """An in-memory Ethereum chain with ten funded accounts named alice, bob, carol, ..."""

    def __init__(self, backend: str | None = None, gas_cap: int = DEFAULT_GAS_CAP) -> None:
        # Held around every use of the EVM, so a node serving this chain from another thread
        # (``serve()``) and the notebook never run py-evm at the same time.
        self.lock = threading.RLock()
        self._backend: ChainBackend = _Locked(make_backend(backend), self.lock)
        self.gas_cap = gas_cap
        self.accounts = [
            Account(address, name, key)
            for name, (address, key) in zip(ACCOUNT_NAMES, self._backend.accounts(), strict=False)
        ]
        self._default_sender = self.accounts[0]
        self._contracts: dict[str, Contract] = {}
        self._errors: dict[bytes, dict[str, Any]] = {}
        self._events: dict[bytes, list[dict[str, Any]]] = {}
        # topic -> (event, its decoder) for each event in _events: built once, used per log
        self._event_decoders: dict[bytes, list[tuple[dict[str, Any], Callable]]] = {}
        self._by_tail: dict[bytes, Artifact] = {}  # runtime code's metadata -> its artifact
        self._compilations: set[CompilationResult] = set()  # compared by identity
        # Called with (what, "call" | "transaction", gas used) after each success: gas reports.
        self._gas_watchers: list[Callable[[str, str, int], None]] = []
        self._w3 = None
        self.rollbacks = 0  # how many times state was rolled back: a handle's code may be gone

    # -- accounts and balances --

    def __getattr__(self, name: str) -> Account:
        for account in self.__dict__.get("accounts", []):
            if account.name == name:
                return account
        raise AttributeError(f"the chain has no attribute or account named {name!r}")

    @property
    def backend_name(self) -> str:
        return self._backend.name

    @property
    def default_sender(self) -> Account | str:
        return self._default_sender

    def balance(self, who: Any) -> int:
        """Ether balance in wei of an address, account or contract."""
        return self._backend.balance(_address(who, "balance(who)"))

    def set_balance(self, who: Any, wei: int) -> None:
        self._backend.set_balance(_address(who, "set_balance(who)"), wei)

    def nonce(self, who: Any) -> int:
        return self._backend.nonce(_address(who, "nonce(who)"))

    def code(self, who: Any) -> bytes:
        return self._backend.code(_address(who, "code(who)"))

    def storage_at(self, who: Any, slot: int) -> int:
        return self._backend.storage_at(_address(who, "storage_at(who)"), slot)

    @contextlib.contextmanager
    def sender(self, who: Any) -> Iterator[str]:
        """``with chain.sender(bob):`` — transactions inside are sent by ``who``."""
        previous = self._default_sender
        self._default_sender = self._account_or_address(who)
        try:
            yield self._default_sender
        finally:
            self._default_sender = previous

    def _account_or_address(self, who: Any) -> Account | str:
        address = _address(who, "sender")
        return next((a for a in self.accounts if a == address), address)

    # -- blocks, time and snapshots --

    @property
    def block_number(self) -> int:
        return self._backend.block_number()

    @property
    def timestamp(self) -> int:
        """The ``block.timestamp`` the next transaction will see."""
        return self._backend.pending_timestamp()

    def mine(self, blocks: int = 1) -> None:
        if blocks < 1:
            raise ChainError(f"mine(blocks={blocks}): give a positive number of blocks")
        self._backend.mine(blocks)

    def time_travel(self, seconds: int | None = None, *, to: int | None = None) -> int:
        """Move time forward by ``seconds`` (or to timestamp ``to``); the next block sees it."""
        if (seconds is None) == (to is None):
            raise ChainError("time_travel needs exactly one of seconds=... or to=...")
        target = to if to is not None else self.timestamp + int(seconds)
        if seconds is not None and seconds <= 0:
            raise ChainError("time_travel(seconds) must be positive: the chain cannot go back")
        self._backend.time_travel(target)
        return target

    def snapshot(self) -> object:
        return self._backend.snapshot()

    def revert(self, snapshot: object) -> None:
        self._backend.revert(snapshot)
        self.rollbacks += 1

    @contextlib.contextmanager
    def anchor(self) -> Iterator[None]:
        """``with chain.anchor():`` — everything inside is undone on the way out."""
        snap = self.snapshot()
        sender = self._default_sender
        try:
            yield
        finally:
            self.revert(snap)
            self._default_sender = sender

    # -- web3 --

    @property
    def w3(self):
        """A ``web3.Web3`` on this very chain (for lessons that teach web3.py itself)."""
        if self._w3 is None:
            from web3 import Web3

            provider = self._backend.web3_provider(self._check_for_web3, self.gas_cap)
            provider.make_request = _locked(provider.make_request, self.lock)
            self._w3 = Web3(provider)
        return self._w3

    def serve(self, port: int = 8545, host: str = "127.0.0.1"):
        """Serve this chain over Ethereum JSON-RPC from a background thread (``port=0``: any
        free port); returns a handle with ``.url`` and ``.stop()``. See ``sollab.devnode``.

        It serves this chain: after ``lab.reset()`` (a new chain) serve again."""
        from .devnode import serve

        return serve(self, host=host, port=port, port_hint="port=N")

    def _check_for_web3(self, tx: dict) -> None:
        """Run a call web3 made; if it fails, raise the lab's exception for it."""
        execution = self._backend.call(tx)
        if not execution.success:
            target = self._contracts.get(tx["to"] or "")
            what = f"call to {target!r}" if target else f"call to {tx['to'] or 'a new contract'}"
            raise web3_flavour(self._failure(execution, what, tx=tx)) from None

    # -- deploying and calling --

    def _register(self, artifact: Artifact) -> None:
        """Learn the errors, events and code of every contract compiled with ``artifact``, so
        contracts it creates (``new Child()``) are decoded and located too."""
        compilation = artifact.compilation
        if compilation in self._compilations:
            return
        self._compilations.add(compilation)
        for other in compilation.contracts.values():
            for item in other.abi:
                if item.get("type") == "error":
                    self._errors.setdefault(abi.selector(item), item)
                elif item.get("type") == "event" and not item.get("anonymous"):
                    topic = abi.event_topic(item)
                    known = self._events.setdefault(topic, [])
                    if item not in known:
                        known.append(item)
                        decoder = abi.event_decoder(item)
                        self._event_decoders.setdefault(topic, []).append((item, decoder))
            tail = _metadata_tail(bytes.fromhex(other.deployed_bytecode[2:]))
            if tail:
                self._by_tail.setdefault(tail, other)

    def deploy(
        self,
        artifact: Artifact,
        *args: Any,
        value: int = 0,
        sender: Any = None,
        gas: int | None = None,
    ) -> Contract:
        """Deploy a compiled contract; returns a handle whose methods are its functions."""
        if not hasattr(artifact, "bytecode"):
            raise ArgumentError(
                f"deploy() needs a compiled contract (an Artifact), got {type(artifact).__name__}"
            )
        if not artifact.is_deployable:
            raise ArgumentError(
                f"{artifact.name} has no bytecode: it is an interface or an abstract contract, "
                "so it cannot be deployed; deploy a contract that implements it"
            )
        if artifact.link_references:
            libs = ", ".join(f"{lib}" for refs in artifact.link_references.values() for lib in refs)
            raise LabError(
                f"{artifact.name} needs linked libraries ({libs}): sollab does not link "
                "libraries yet; make the library functions `internal` so they are inlined"
            )
        ctor = next((i for i in artifact.abi if i.get("type") == "constructor"), None)
        ctor = ctor or {"type": "constructor", "inputs": [], "stateMutability": "nonpayable"}
        item = dict(ctor, name=f"{artifact.name}.deploy")
        encoded = abi.encode_arguments(item, args)
        if value and ctor.get("stateMutability") != "payable":
            raise ArgumentError(
                f"{artifact.name}'s constructor is not payable: it cannot receive value=...; "
                "mark the constructor `payable` or deploy without value"
            )
        self._register(artifact)
        data = bytes.fromhex(artifact.bytecode[2:]) + encoded
        receipt, _ = self._transact(
            None,
            data,
            value=value,
            sender=sender,
            gas=gas,
            what=f"deploying {artifact.name}",
            artifact=artifact,
        )
        contract = Contract(self, artifact, receipt.contract_address, receipt)
        self._contracts[contract.address] = contract
        return contract

    def at(self, artifact: Artifact, address: Any) -> Contract:
        """A handle for ``artifact`` at an existing ``address``."""
        address = _address(address, "at(address)")
        if not self._backend.code(address):
            raise ChainError(f"there is no contract at {address}: check the address")
        self._register(artifact)
        contract = Contract(self, artifact, address)
        self._contracts.setdefault(address, contract)
        return contract

    def send(
        self, to: Any, value: int, *, sender: Any = None, data: bytes = b"", gas: int | None = None
    ) -> Receipt:
        """Send ``value`` wei (and optional calldata) to an address, account or contract."""
        if value < 0:
            raise ArgumentError("send(value) must not be negative")
        address = _address(to, "send(to)")
        receipt, _ = self._transact(
            address,
            data,
            value=value,
            sender=sender,
            gas=gas,
            what=f"sending {value} wei to {address}",
        )
        return receipt

    # -- plumbing used by contract handles --

    def _tx(self, to: str | None, data: bytes, value: int, sender: Any, gas: int | None) -> dict:
        frm = self._default_sender if sender is None else _address(sender, "sender")
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ArgumentError(
                f"value={value!r} must be a whole, non-negative number of wei "
                "(1 ether is 10**18 wei: lab.ETHER)"
            )
        if gas is not None and (isinstance(gas, bool) or not isinstance(gas, int)):
            raise ArgumentError(f"gas={gas!r} must be a whole number")
        limit = self.gas_cap if gas is None else gas
        needed = intrinsic_gas(data, create=to is None)
        if limit < needed:
            raise ArgumentError(
                f"gas={limit:,} is too low: this transaction costs {needed:,} gas before running "
                f"any code ({INTRINSIC_GAS:,} for any transaction, plus its data)"
            )
        plain = frm.address if isinstance(frm, Account) else str(frm)
        return {"from": plain, "to": to, "data": data, "value": value, "gas": limit}

    def _call(
        self,
        to: str,
        data: bytes,
        *,
        value: int = 0,
        sender: Any = None,
        gas: int | None = None,
        what: str,
    ) -> bytes:
        tx = self._tx(to, data, value, sender, gas)
        execution = self._backend.call(tx)
        if not execution.success:
            raise self._failure(execution, what, tx=tx)
        for watch in self._gas_watchers:
            watch(what, "call", execution.gas_used)
        return execution.output

    def _transact(
        self,
        to: str | None,
        data: bytes,
        *,
        value: int = 0,
        sender: Any = None,
        gas: int | None = None,
        what: str,
        artifact: Artifact | None = None,
        function: str = "",
    ) -> tuple[Receipt, bytes]:
        tx = self._tx(to, data, value, sender, gas)
        if tx["from"] not in self.accounts:
            raise ArgumentError(
                f"sender {tx['from']} is not one of the chain's accounts, so it cannot sign: "
                "use one of chain.accounts"
            )
        needed, has = tx["value"], self._backend.balance(tx["from"])
        if has < needed:
            raise ArgumentError(
                f"{what}: the sender {tx['from']} has {has} wei, "
                f"less than the {needed} wei it would send"
            )
        execution = self._backend.transact(tx)
        receipt = Receipt(
            tx_hash="0x" + (execution.tx_hash or b"").hex(),
            block_number=execution.block_number or 0,
            sender=tx["from"],
            to=to,
            gas_used=execution.gas_used,
            status=1 if execution.success else 0,
            events=[self._decode_log(log) for log in execution.logs],
            contract_address=execution.contract_address,
            function=function,  # set before a failure, so a reverted receipt names it too
            tx=tx,
            chain=self,
        )
        if not execution.success:
            raise self._failure(execution, what, receipt=receipt, artifact=artifact, tx=tx)
        label = function or (f"{artifact.name}.deploy" if artifact else "Ether transfer")
        for watch in self._gas_watchers:
            watch(label, "transaction", execution.gas_used)
        return receipt, execution.output

    def _failure(
        self,
        execution: Execution,
        what: str,
        receipt: Receipt | None = None,
        artifact: Artifact | None = None,
        tx: dict | None = None,
    ) -> LabError:
        """The exception for a failed execution, located in the Solidity where possible.

        A revert inside compiler-generated code (a panic helper, an ABI decoder) maps to no
        user line; then the call is replayed on the state it ran on, recording the failing
        frame's last instructions, and the latest one that maps to user code is the line.
        Where the backend finds the failing frame only by running the execution again (revm),
        the exception finds its line when first asked for it (``TransactionReverted.location``).
        """

        def locate(frame: Frame | None) -> SourceLocation | None:
            location = None
            if frame is not None:
                location = self._locate(frame, frame.pc, artifact)
                if location is None and tx is not None and execution.error != "out_of_gas":
                    at_block = receipt.block_number - 1 if receipt is not None else None
                    # a backend that replays failures (revm) hands the trail over with them
                    traced = frame if frame.trail else self._backend.replay_trail(tx, at_block)
                    if traced is not None:
                        for pc in reversed(traced.trail):
                            location = self._locate(traced, pc, artifact)
                            if location is not None:
                                break
            return location

        if execution.find_frame is None:
            location: Any = locate(execution.frame)
        else:
            location = _locked(lambda: locate(execution.find_frame()), self.lock)
        return failures.exception_for(
            execution, what, self._errors, location=location, receipt=receipt
        )

    def _locate(self, frame: Frame, pc: int, artifact: Artifact | None) -> SourceLocation | None:
        """The Solidity behind ``pc`` in ``frame``'s code, if the chain knows that code."""
        known = self._code_of(frame.address, frame.is_create, frame.depth, artifact)
        if known is None:
            return None
        code_artifact, code, smap = known
        comp = code_artifact.compilation
        return sourcemap.locate(code, smap, pc, comp.source_ids, comp.sources)

    def _code_of(
        self, address: str, is_create: bool, depth: int, deploying: Artifact | None = None
    ) -> tuple[Artifact, bytes, str] | None:
        """(artifact, code, source map) of the code running at ``address``, if known.

        A constructor is known only for the lab's own deploy (``deploying``, at depth 0); a
        constructor run by ``new`` inside a contract is not (its init code is not kept)."""
        if is_create:
            if deploying is None or depth != 0:
                return None
            return deploying, bytes.fromhex(deploying.bytecode[2:]), deploying.source_map
        code = self._backend.code(address)
        contract = self._contracts.get(address)
        artifact = contract.artifact if contract else self._by_tail.get(_metadata_tail(code))
        if artifact is None:
            return None
        return artifact, code, artifact.deployed_source_map

    def _decode_log(self, log: Any) -> Event | RawLog:
        if log.topics:
            for item, decode in self._event_decoders.get(log.topics[0], ()):
                args = decode(log.topics, log.data)
                if args is not None:
                    return Event(item["name"], args, log.address, abi.signature(item))
        return RawLog(log.address, log.topics, log.data)

    def __repr__(self) -> str:
        return (
            f"<Chain ({self._backend.name}) block {self.block_number}, "
            f"{len(self.accounts)} accounts, {len(self._contracts)} contracts>"
        )


def _locked(method: Callable, lock: threading.RLock) -> Callable:
    def locked(*args: Any, **kwargs: Any) -> Any:
        with lock:
            return method(*args, **kwargs)

    return locked


class _Locked:
    """A backend whose every method runs holding ``lock``."""

    def __init__(self, backend: ChainBackend, lock: threading.RLock) -> None:
        self._inner = backend
        self._lock = lock
        self._methods: dict[str, Callable] = {}  # the locked methods, made once each

    def __getattr__(self, name: str) -> Any:
        method = self._methods.get(name)
        if method is not None:
            return method
        value = getattr(self._inner, name)
        if not callable(value):
            return value
        if inspect.ismethod(value) and value.__self__ is self._inner:
            method = self._methods[name] = _locked(value, self._lock)
            return method
        return _locked(value, self._lock)


def _metadata_tail(code: bytes) -> bytes:
    """The CBOR metadata solc appends to runtime code (it holds the source hash): a key that
    tells compiled contracts apart. Empty if the code has none."""
    if len(code) < 2:
        return b""
    length = int.from_bytes(code[-2:], "big")
    return code[-(length + 2) :] if 0 < length < len(code) - 2 else b""
