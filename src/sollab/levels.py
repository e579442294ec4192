"""Security levels in the manner of Ethernaut, played on the lab's own chain.

A level's **factory** deploys a vulnerable contract for a player (with other people's money in
it), the player **attacks** it (an attacker contract, or a list of transactions), and the level
is judged by the chain's **state** afterwards ("the vault holds nothing and its Ether is yours"),
never by what the attack looked like::

    level = lab.level("11-security/reentrancy")
    game = level.new()                  # on lab.chain; the player is bob
    game.vault.balanceOf(game.player)   # look around, send transactions as game.player ...
    game.run(VaultAttacker)             # or a list of transaction dicts
    game.submit()                       # prints one line: won, or what is still missing

Levels are declared in ``graders/`` next to the exercises that use them (``Level(...)``), and
the same level then checks a *fixed* contract: ``level.new(contract=FixedVault)`` deploys it in
the vulnerable one's place, so the level's own reference attack can be run against it.

An attack given as transactions is plain data, a list of dicts sent in order by the player:
``{"to": address, "function": "name", "args": [...], "value": wei}`` (the function is one of the
level's contracts') or ``{"to": address, "data": "0x...", "value": wei}`` (raw calldata to any
address). Deploying contracts that way is not supported: write an attacker contract for that.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import LabError, LookupFailed

_TX_KEYS = {"to", "function", "args", "value", "data", "gas"}


class LevelError(LookupFailed):
    """An unknown level, or a level declared wrongly."""


class AttackError(LabError, ValueError):
    """An attack the level cannot run: a malformed transaction list, a wrong kind of answer."""


@dataclass
class Verdict:
    """Whether a level is won, and in one line why (or what is still missing)."""

    level: str
    won: bool
    reason: str
    instance: Instance | None = field(default=None, repr=False)

    def __bool__(self) -> bool:
        return self.won

    def __str__(self) -> str:
        state = "level won" if self.won else "not won yet"
        return f"{self.level}: {state} — {self.reason}"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # a notebook shows the line
        printer.text(str(self))


@dataclass
class Instance:
    """One deployed copy of a level for one player: its contracts by name (``game.vault``),
    facts its factory recorded (``start``), and the chain it lives on."""

    level: Level
    chain: Any
    player: Any
    contracts: dict[str, Any]
    start: dict[str, Any] = field(default_factory=dict)
    error: str = ""  # why the last attack stopped, if it did

    def __getattr__(self, name: str) -> Any:
        contracts = self.__dict__.get("contracts", {})
        if name in contracts:
            return contracts[name]
        known = ", ".join(contracts) or "none"
        raise AttributeError(f"this level has no contract named {name!r} (contracts: {known})")

    @property
    def target(self) -> Any:
        """The level's vulnerable contract (the first one its factory deployed)."""
        return next(iter(self.contracts.values()))

    def gained(self) -> int:
        """How many wei the player's account gained since the level was set up."""
        return self.chain.balance(self.player) - self.start["player_balance"]

    def validate(self) -> Verdict:
        """Judge the level by the chain's state now."""
        missing = self.level.won(self)
        if missing:
            reason = f"{missing}; the attack stopped: {self.error}" if self.error else missing
            return Verdict(self.level.id, False, reason, self)
        return Verdict(self.level.id, True, self.level.goal, self)

    def submit(self) -> None:
        """Print in one line whether the level is won (``validate()`` returns the verdict)."""
        print(self.validate())

    def run(self, attack: Any) -> Verdict:
        """Run an attack against this instance as the player and judge the result: an attacker
        contract, a list of transaction dicts, or a function returning one, called with the
        level's ``arguments`` (by default the target's and the player's addresses). A reverted
        transaction stops the attack (what it had done so far stays); the verdict says why."""
        self.error = ""
        try:
            if isinstance(attack, list | tuple):
                self.send(attack)
            elif callable(attack):  # a function that returns the transactions
                self.level.play_function(self, _unfinished_is_one_line(attack))
            else:
                self.level.use_attacker(self, _artifact(attack, self.level))
        except AttackError:
            raise
        except LabError as exc:
            self.error = str(exc).splitlines()[0]
        return self.validate()

    def send(self, transactions: list[dict[str, Any]] | tuple[dict[str, Any], ...]) -> list:
        """Send a list of transaction dicts in order, from the player; returns the receipts."""
        if not isinstance(transactions, list | tuple):
            raise AttackError(
                f"an attack's transactions are a list of dicts, got {type(transactions).__name__}"
            )
        return [self._send_one(n, tx) for n, tx in enumerate(transactions, 1)]

    def _send_one(self, n: int, tx: Any) -> Any:
        if not isinstance(tx, dict):
            raise AttackError(
                f"transaction {n} must be a dict like {{'to': address, 'function': 'name', "
                f"'args': [...]}}, got {type(tx).__name__}"
            )
        if unknown := sorted(set(tx) - _TX_KEYS):
            raise AttackError(f"transaction {n} has unknown keys {unknown}: use {sorted(_TX_KEYS)}")
        if "to" not in tx:
            raise AttackError(f"transaction {n} has no 'to' address")
        if ("function" in tx) == ("data" in tx):
            raise AttackError(
                f"transaction {n} needs exactly one of 'function' (a name) and 'data' (calldata)"
            )
        value, gas = tx.get("value", 0), tx.get("gas")
        if "data" in tx:
            data = tx["data"]
            if isinstance(data, str):
                try:
                    data = bytes.fromhex(data.removeprefix("0x"))
                except ValueError:
                    raise AttackError(f"transaction {n}: data {data!r} is not hex") from None
            if not isinstance(data, bytes):
                raise AttackError(f"transaction {n}: data must be hex text or bytes")
            return self.chain.send(tx["to"], value, data=data, sender=self.player, gas=gas)
        to = str(tx["to"]).lower()
        contract = next((c for c in self.contracts.values() if c.address.lower() == to), None)
        if contract is None:
            known = ", ".join(f"{k} at {c.address}" for k, c in self.contracts.items())
            raise AttackError(
                f"transaction {n}: {tx['to']} is not one of this level's contracts ({known}); "
                "to call another address give raw 'data' instead of 'function'"
            )
        args = tx.get("args", [])
        if not isinstance(args, list | tuple):
            raise AttackError(f"transaction {n}: args must be a list, got {type(args).__name__}")
        fn = getattr(contract, str(tx["function"]))  # an unknown name: one line, with the names
        return fn.transact(*args, value=value, sender=self.player, gas=gas)


def _addresses(instance: Instance) -> tuple[str, str]:
    return instance.target.address, str(instance.player)


def deploy_and_attack(instance: Instance, attacker: Any) -> None:
    """The usual way an attacker contract plays: the player deploys it with the target's
    address as its constructor's argument, then calls its ``attack()`` with the level's
    ``attack_value``."""
    chain, player = instance.chain, instance.player
    contract = chain.deploy(attacker, instance.target.address, sender=player)
    if "attack" not in contract.functions:
        raise AttackError(f"{attacker.name} has no attack() function for the level to call")
    contract.attack(value=instance.level.attack_value, sender=player)


def _unfinished_is_one_line(attack: Callable) -> Callable:
    def call(*args: Any) -> Any:
        try:
            return attack(*args)
        except NotImplementedError:
            name = getattr(attack, "__name__", "your function")
            raise AttackError(
                f"{name} is not done yet: replace `raise NotImplementedError()` with your code"
            ) from None

    return call


def send_once(instance: Instance, attack: Callable) -> None:
    """The usual way a function attack plays: called once with the level's ``arguments``, the
    transactions it returns sent in order."""
    instance.send(attack(*instance.level.arguments(instance)))


def _artifact(answer: Any, level: Level) -> Any:
    from .compiler import Artifact
    from .grading import Unfinished

    if isinstance(answer, Unfinished):  # a %%solidity cell that has not compiled
        raise AttackError(f"{answer.name} is not compiled yet: {answer.reason}")
    answer = getattr(answer, "artifact", answer)  # what a %%solidity cell binds
    if not isinstance(answer, Artifact):
        raise AttackError(
            f"{level.id} takes an attacker contract (the name a %%solidity cell binds) or a list "
            f"of transaction dicts, got {type(answer).__name__}"
        )
    return answer


class Level:
    """A level: a factory that deploys the vulnerable contract for a player, a state-based
    ``won`` test, and the reference attack that wins it.

    - ``setup(chain, player, artifact, **options) -> dict[name, Contract]`` deploys the level
      (the target first) with ``artifact`` as its vulnerable contract — or a fixed one in its
      place — and funds it; it may record facts in the returned dict under ``"start"``.
    - ``won(instance) -> str``: "" when the level is won, else what is still missing.
    - ``vulnerable() -> Artifact`` and ``reference() -> attack``: compiled on first use.
    - ``use_attacker(instance, artifact)``: how an attacker contract plays (default
      ``deploy_and_attack``).
    - ``arguments(instance) -> tuple``: what a function attack is called with (default the
      target's and the player's addresses); all plain data, so it can cross to a sandbox.
    - ``play_function(instance, attack)``: how a function attack plays (default ``send_once``;
      a level with a mempool calls it once per pending transaction, say).
    """

    def __init__(
        self,
        id: str,
        title: str,
        *,
        goal: str,
        setup: Callable[..., dict[str, Any]],
        won: Callable[[Instance], str],
        vulnerable: Callable[[], Any],
        reference: Callable[[], Any],
        use_attacker: Callable[[Instance, Any], None] = deploy_and_attack,
        attack_value: int = 0,
        arguments: Callable[[Instance], tuple] | None = None,
        play_function: Callable[[Instance, Callable], None] = send_once,
    ) -> None:
        self.id, self.title, self.goal = id, title, goal
        self.setup, self.won = setup, won
        self._vulnerable, self._reference = vulnerable, reference
        self.use_attacker, self.attack_value = use_attacker, attack_value
        self.arguments = arguments or _addresses
        self.play_function = play_function
        _LEVELS[id] = self

    def vulnerable(self) -> Any:
        """The level's vulnerable contract, compiled."""
        return self._vulnerable()

    def reference(self) -> Any:
        """The reference attack: an attacker contract, or a function returning transactions."""
        return self._reference()

    def new(self, chain: Any = None, *, player: Any = None, contract: Any = None, **options: Any):
        """Deploy a fresh instance for ``player`` (default bob) on ``chain`` (default lab.chain),
        with ``contract`` (e.g. your fixed version) in place of the vulnerable one."""
        if chain is None:
            from . import get_chain

            chain = get_chain()
        player = player or chain.bob
        artifact = self.vulnerable() if contract is None else _artifact(contract, self)
        start = {"player_balance": chain.balance(player)}
        contracts = dict(self.setup(chain, player, artifact, **options))
        start.update(contracts.pop("start", {}))
        return Instance(self, chain, player, contracts, start)

    def play(self, attack: Any = None, chain: Any = None, **options: Any) -> Verdict:
        """A fresh instance (``options`` go to ``new``), attacked by ``attack`` (default: the
        level's reference attack) and judged."""
        instance = self.new(chain, **options)
        return instance.run(self.reference() if attack is None else attack)

    def __repr__(self) -> str:
        return f"<Level {self.id}: {self.title}>"


_LEVELS: dict[str, Level] = {}


def get_level(id: str) -> Level:
    """The level ``id`` (e.g. "11-security/reentrancy"), from the levels ``graders/`` declares."""
    from .grading import load_graders

    load_graders()
    if id not in _LEVELS:
        close = difflib.get_close_matches(id, list(_LEVELS), n=1)
        known = ", ".join(sorted(_LEVELS)) or "none"
        hint = f"; did you mean {close[0]!r}?" if close else f" (levels: {known})"
        raise LevelError(f"no level {id!r}{hint}")
    return _LEVELS[id]


def levels() -> list[Level]:
    """Every level ``graders/`` declares."""
    from .grading import load_graders

    load_graders()
    return sorted(_LEVELS.values(), key=lambda lv: lv.id)


__all__ = ["AttackError", "Instance", "Level", "LevelError", "Verdict", "get_level", "levels"]
