"""Deployed-contract handles whose Solidity functions are plain Python methods.

``token.balanceOf(alice)`` calls a view and returns the value; ``token.transfer(bob, 5)`` sends
a transaction and returns a ``Receipt`` (gas used, decoded events, the function's return value).
``.call(...)`` simulates any function without a transaction; ``.transact(...)`` always sends one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from . import abi
from .errors import ArgumentError, ChainError, MissingFunction

if TYPE_CHECKING:
    from .chain import Chain
    from .compiler import Artifact


@dataclass
class Event:
    """A decoded log: ``name``, ``args`` by parameter name, and the emitting ``address``."""

    name: str
    args: dict[str, Any]
    address: str
    signature: str = ""

    def __getitem__(self, key: str) -> Any:
        return self.args[key]

    def __getattr__(self, key: str) -> Any:
        try:
            return self.__dict__["args"][key]
        except KeyError:
            raise AttributeError(key) from None

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v!r}" for k, v in self.args.items())
        return f"{self.name}({shown})"


@dataclass
class RawLog:
    """A log no known ABI could decode."""

    address: str
    topics: list[bytes]
    data: bytes

    def __repr__(self) -> str:
        return f"<log from {self.address}: {len(self.topics)} topics, {len(self.data)} bytes>"


@dataclass
class Receipt:
    """What a mined transaction did."""

    tx_hash: str
    block_number: int
    sender: str
    to: str | None
    gas_used: int
    status: int
    events: list[Event | RawLog] = field(default_factory=list)
    contract_address: str | None = None
    return_value: Any = None
    function: str = ""
    tx: dict[str, Any] | None = field(default=None, repr=False)  # what was sent (for replays)
    chain: Chain | None = field(default=None, repr=False)

    @property
    def succeeded(self) -> bool:
        return self.status == 1

    def events_named(self, name: str) -> list[Event]:
        return [e for e in self.events if isinstance(e, Event) and e.name == name]

    def _repr_html_(self) -> str:
        from .display import receipt_html

        return receipt_html(self)

    @property
    def label(self) -> str:
        """What the transaction was: the function called, "deploy" or "transfer"."""
        return self.function or ("deploy" if self.to is None else "transfer")

    def __repr__(self) -> str:
        what = self.label
        events = ", ".join(repr(e) for e in self.events)
        return (
            f"<Receipt {what}: status={self.status}, gas_used={self.gas_used:,}, "
            f"block={self.block_number}" + (f", events=[{events}]" if events else "") + ">"
        )


def _order_arguments(
    item: dict[str, Any], args: tuple[Any, ...], kwargs: dict[str, Any], owner: str
) -> tuple[Any, ...]:
    """Positional arguments followed by keyword ones, in the order of ``item``'s parameters."""
    if not kwargs:
        return args
    names = [p.get("name", "") for p in item.get("inputs", [])]
    where = abi.describe(item, owner)
    for key in kwargs:
        if key not in names:
            raise ArgumentError(f"{where} has no parameter named {key!r}")
        if names.index(key) < len(args):
            raise ArgumentError(f"{where}: {key!r} is given both by position and by name")
    missing = [n for n in names[len(args) :] if n not in kwargs]
    if missing:
        raise ArgumentError(f"{where}: missing argument(s) {', '.join(missing)}")
    return (*args, *(kwargs[n] for n in names[len(args) :]))


class ContractFunction:
    """One Solidity function name on one deployed contract (all its overloads)."""

    def __init__(self, contract: Contract, overloads: list[dict[str, Any]]):
        self.contract = contract
        self.overloads = overloads
        self.name = overloads[0]["name"]
        # id of an overload -> (abi.describe of it, its selector), worked out once
        self._known: dict[int, tuple[str, bytes]] = {}

    def _prepared(self, item: dict[str, Any]) -> tuple[str, bytes]:
        known = self._known.get(id(item))
        if known is None:
            where = abi.describe(item, self.contract.contract_name)
            known = self._known[id(item)] = (where, abi.selector(item))
        return known

    def _describe(self, item: dict[str, Any]) -> str:
        """``abi.describe`` of one of this function's overloads."""
        return self._prepared(item)[0]

    def _calldata(self, item: dict[str, Any], args: tuple[Any, ...]) -> bytes:
        where, selector = self._prepared(item)
        return selector + abi.encode_arguments(item, args, self.contract.contract_name, where)

    @cached_property
    def is_view(self) -> bool:
        return all(o.get("stateMutability") in ("view", "pure") for o in self.overloads)

    def _pick(
        self, args: tuple[Any, ...], kwargs: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], bytes]:
        """The overload these arguments fit, and the calldata; keyword arguments go by the
        Solidity parameter names."""
        owner = self.contract.contract_name
        if len(self.overloads) == 1 and not kwargs:  # the common case: no choice to make
            item = self.overloads[0]
            return item, self._calldata(item, args)
        kwargs = kwargs or {}
        total = len(args) + len(kwargs)
        by_count = [o for o in self.overloads if len(o.get("inputs", [])) == total]
        if not by_count:
            shapes = "; ".join(abi.describe(o, owner) for o in self.overloads)
            raise ArgumentError(
                f"no overload of {owner}.{self.name} takes {total} arguments: {shapes}"
            )
        errors = []
        for item in by_count:
            try:
                ordered = _order_arguments(item, args, kwargs, owner)
                return item, self._calldata(item, ordered)
            except ArgumentError as exc:
                errors.append(exc)
        if len(errors) == 1:
            raise errors[0]
        raise ArgumentError(
            f"no overload of {owner}.{self.name} accepts these arguments: "
            + "; ".join(map(str, errors))
        )

    def _check_value(self, item: dict[str, Any], value: int) -> None:
        if value and item.get("stateMutability") != "payable":
            raise ArgumentError(
                f"{self._describe(item)} is not payable: "
                "it cannot receive value=...; mark it `payable` or send no Ether"
            )

    def __call__(
        self,
        *args: Any,
        value: int = 0,
        sender: Any = None,
        gas: int | None = None,
        **kwargs: Any,
    ) -> Any:
        if self.is_view:
            return self.call(*args, value=value, sender=sender, gas=gas, **kwargs)
        return self.transact(*args, value=value, sender=sender, gas=gas, **kwargs)

    def call(
        self,
        *args: Any,
        value: int = 0,
        sender: Any = None,
        gas: int | None = None,
        **kwargs: Any,
    ) -> Any:
        """Run the function without a transaction and return what it returns."""
        item, data = self._pick(args, kwargs)
        self._check_value(item, value)
        what = self._describe(item)
        output = self.contract.chain._call(
            self.contract.address, data, value=value, sender=sender, gas=gas, what=what
        )
        if not output and item.get("outputs"):
            self.contract._require_code(what)  # a call to no code "succeeds" with no data
        return abi.decode_output(item, output)

    def transact(
        self,
        *args: Any,
        value: int = 0,
        sender: Any = None,
        gas: int | None = None,
        **kwargs: Any,
    ) -> Receipt:
        """Send a transaction calling the function; returns its ``Receipt``."""
        item, data = self._pick(args, kwargs)
        self._check_value(item, value)
        what = self._describe(item)
        self.contract._require_code(what)  # else the EVM "succeeds" without running anything
        receipt, output = self.contract.chain._transact(
            self.contract.address,
            data,
            value=value,
            sender=sender,
            gas=gas,
            what=what,
            function=what,
        )
        if output and item.get("outputs"):
            receipt.return_value = abi.decode_output(item, output)
        return receipt

    @property
    def signatures(self) -> list[str]:
        return [abi.signature(o) for o in self.overloads]

    def __repr__(self) -> str:
        owner = self.contract.contract_name
        return f"<function {' | '.join(abi.describe(o, owner) for o in self.overloads)}>"


class Contract:
    """A contract deployed on a ``Chain``; its ABI functions are attributes of this object."""

    def __init__(
        self, chain: Chain, artifact: Artifact, address: str, receipt: Receipt | None = None
    ):
        self.chain = chain
        self.artifact = artifact
        self.address = address
        self.deploy_receipt = receipt
        self._code_seen_at = chain.rollbacks  # a handle is made for code that is there
        self.abi = artifact.abi
        by_name: dict[str, list[dict[str, Any]]] = {}
        for item in artifact.abi:
            if item.get("type") == "function":
                by_name.setdefault(item["name"], []).append(item)
        self.functions = {name: ContractFunction(self, items) for name, items in by_name.items()}
        for name, fn in self.functions.items():
            if name not in self.__dict__ and not hasattr(type(self), name):
                setattr(self, name, fn)  # else reachable as contract.functions[name]

    @property
    def contract_name(self) -> str:
        return self.artifact.name

    def _require_code(self, what: str) -> None:
        """Raise if this contract's code is gone; looked up only after the chain rolled back."""
        if self.chain.rollbacks == self._code_seen_at:
            return
        if self.chain.code(self.address):
            self._code_seen_at = self.chain.rollbacks
            return
        raise ChainError(
            f"{what}: there is no contract at {self.address} on this chain any more. It was "
            "deployed inside a `with chain.anchor():` block or before a snapshot that has "
            "since been reverted; deploy it again"
        )

    def __getattr__(self, name: str) -> Any:
        functions = self.__dict__.get("functions", {})
        close = [f for f in functions if f.lower() == name.lower()]
        hint = f"; did you mean {close[0]!r}?" if close else ""
        known = ", ".join(sorted(functions)) or "none"
        raise MissingFunction(
            f"{self.contract_name} has no function {name!r}{hint} (functions: {known})"
        )

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Contract)
            and other.address == self.address
            and other.chain is self.chain
        )

    def __hash__(self) -> int:
        return hash(self.address)

    def __repr__(self) -> str:
        return f"<{self.contract_name} at {self.address}>"

    def _repr_html_(self) -> str:
        from .display import contract_html

        return contract_html(self)


class ContractFactory:
    """A compiled contract ready to deploy: ``Counter.deploy(5)``, ``Counter.at(address)``.

    ``chain`` is a ``Chain`` or a function returning one (the kernel's chain, looked up at each
    deploy so ``lab.reset()`` is followed).
    """

    def __init__(self, artifact: Artifact, chain: Chain | Callable[[], Chain]):
        self.artifact = artifact
        self._chain = chain

    @property
    def chain(self) -> Chain:
        return self._chain() if callable(self._chain) else self._chain

    @property
    def name(self) -> str:
        return self.artifact.name

    @property
    def abi(self) -> list[dict[str, Any]]:
        return self.artifact.abi

    def deploy(
        self, *args: Any, value: int = 0, sender: Any = None, gas: int | None = None
    ) -> Contract:
        """Deploy a new instance with constructor ``args``; returns its handle."""
        return self.chain.deploy(self.artifact, *args, value=value, sender=sender, gas=gas)

    def at(self, address: Any) -> Contract:
        """A handle for an instance already deployed at ``address``."""
        return self.chain.at(self.artifact, address)

    def __repr__(self) -> str:
        name = self.artifact.name
        return f"<{name}: compiled contract, deploy with {name}.deploy(...)>"

    def _repr_html_(self) -> str:
        from .display import artifact_html

        return artifact_html(self.artifact)
