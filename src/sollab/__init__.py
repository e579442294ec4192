"""sollab: learn Solidity in Jupyter — compile, deploy, call and check contracts in one kernel.

    import sollab as lab

    Counter = lab.compile_file("contracts/examples/Counter.sol")["Counter"]
    counter = lab.deploy(Counter, 5)        # on lab.chain, sent by lab.chain.alice
    counter.increment()                     # a transaction: returns a Receipt
    counter.count()                         # a view: returns 6

The chain's EVM (eth-tester, py-evm, web3) is loaded on first use, so compiling stays fast.
"""

from __future__ import annotations

import sys
from typing import Any

from .chain import ACCOUNT_NAMES as _ACCOUNT_NAMES
from .chain import ETHER, Account, Chain
from .compiler import (
    Artifact,
    CompilationResult,
    compile_files,
    compile_source,
    compile_sources,
)
from .contracts import Contract, ContractFactory, Event, Receipt
from .errors import (
    ArgumentError,
    ArithmeticOverflow,
    AssertionFailed,
    ChainError,
    CompileError,
    CompilerCrashed,
    CompilerNotFound,
    ContractNotFound,
    CustomError,
    DivisionByZero,
    EventExpectationFailed,
    IndexOutOfBounds,
    InvalidOpcode,
    LabError,
    NodeNotFound,
    OutOfGas,
    Panic,
    RevertError,
    RevertExpectationFailed,
    SourceError,
    TransactionReverted,
)
from .gas import gas_chart, gas_report
from .grading import check, grade, hint
from .inspect import disassemble, storage
from .levels import get_level as level
from .paths import lab_root as _lab_root
from .testing import emitted, reverts
from .trace import Trace, diff, trace

__version__ = "0.1.0"

compile_file = compile_files

#: The lab's Solidity folder (starters, given contracts), e.g. ``lab.CONTRACTS / "04-the-evm"``
CONTRACTS = _lab_root() / "contracts"

_chain: Chain | None = None


def get_chain() -> Chain:
    """The kernel's chain (created on first use)."""
    global _chain
    if _chain is None:
        _chain = Chain()
    return _chain


def reset() -> Chain:
    """Start a fresh chain: every deployed contract and balance change is gone."""
    global _chain
    _chain = Chain()
    return _chain


class _KernelChain:
    """``lab.chain``: stands for the kernel's current chain, also after ``lab.reset()``.

    It takes the place of the ``sollab.chain`` module as an attribute of the package, so the
    module's public names answer too (``import sollab.chain as c; c.Chain`` keeps working).
    """

    def __getattr__(self, name: str) -> Any:
        module = sys.modules[f"{__name__}.chain"]  # (`from . import chain` would give us)
        if not name.startswith("_") and name in vars(module):
            return getattr(module, name)
        return getattr(get_chain(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(get_chain(), name, value)

    def __repr__(self) -> str:
        return repr(get_chain())


# Replaces the `sollab.chain` submodule attribute (the module stays importable by name).
chain = _KernelChain()


class _KernelAccounts:
    """``lab.accounts``: the kernel chain's ten funded accounts, ``lab.accounts.alice`` or
    ``lab.accounts[0]``."""

    def __getattr__(self, name: str) -> Account:
        if name not in _ACCOUNT_NAMES:
            known = ", ".join(_ACCOUNT_NAMES)
            raise AttributeError(f"no account named {name!r}: the accounts are {known}")
        return getattr(get_chain(), name)

    def __getitem__(self, index: int) -> Account:
        return get_chain().accounts[index]

    def __iter__(self):
        return iter(get_chain().accounts)

    def __len__(self) -> int:
        return len(get_chain().accounts)

    def __repr__(self) -> str:
        return repr(get_chain().accounts)


accounts = _KernelAccounts()


def deploy(artifact: Artifact, *args: Any, **kwargs: Any):
    """Deploy ``artifact`` on ``lab.chain`` (see ``Chain.deploy``)."""
    return get_chain().deploy(artifact, *args, **kwargs)


__all__ = [
    "CONTRACTS",
    "ETHER",
    "Account",
    "ArgumentError",
    "ArithmeticOverflow",
    "Artifact",
    "AssertionFailed",
    "Chain",
    "ChainError",
    "CompilationResult",
    "CompileError",
    "CompilerCrashed",
    "CompilerNotFound",
    "Contract",
    "ContractFactory",
    "ContractNotFound",
    "CustomError",
    "DivisionByZero",
    "Event",
    "EventExpectationFailed",
    "IndexOutOfBounds",
    "InvalidOpcode",
    "LabError",
    "NodeNotFound",
    "OutOfGas",
    "Panic",
    "Receipt",
    "RevertError",
    "RevertExpectationFailed",
    "SourceError",
    "Trace",
    "TransactionReverted",
    "accounts",
    "chain",
    "check",
    "compile_file",
    "compile_files",
    "compile_source",
    "compile_sources",
    "deploy",
    "diff",
    "disassemble",
    "emitted",
    "gas_chart",
    "gas_report",
    "get_chain",
    "grade",
    "hint",
    "level",
    "load_ipython_extension",
    "reset",
    "reverts",
    "storage",
    "trace",
]


def load_ipython_extension(ipython) -> None:
    """``%load_ext sollab``: the ``%%solidity`` and ``%solidity_file`` magics."""
    from .magics import load_ipython_extension as load

    load(ipython)
