"""sollab: learn Solidity in Jupyter — compile, deploy, call and check contracts in one kernel.

    import sollab as lab

    Counter = lab.compile_file("contracts/examples/Counter.sol")["Counter"]
    counter = lab.deploy(Counter, 5)        # on lab.chain, sent by lab.chain.alice
    counter.increment()                     # a transaction: returns a Receipt
    counter.count()                         # a view: returns 6

The chain (and web3/eth-tester with it) is imported on first use, so compiling stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .compiler import (
    Artifact,
    CompilationResult,
    compile_files,
    compile_source,
    compile_sources,
)
from .errors import (
    ArgumentError,
    ArithmeticOverflow,
    AssertionFailed,
    ChainError,
    CompileError,
    CompilerCrashed,
    CompilerNotFound,
    CustomError,
    DivisionByZero,
    IndexOutOfBounds,
    InvalidOpcode,
    LabError,
    NodeNotFound,
    OutOfGas,
    Panic,
    RevertError,
    SourceError,
    TransactionReverted,
)

if TYPE_CHECKING:
    from .chain import Chain

__version__ = "0.1.0"

compile_file = compile_files

_chain: Chain | None = None


def get_chain() -> Chain:
    """The kernel's chain (created on first use)."""
    global _chain
    if _chain is None:
        from .chain import Chain

        _chain = Chain()
    return _chain


def reset() -> Chain:
    """Start a fresh chain: every deployed contract and balance change is gone."""
    global _chain
    from .chain import Chain

    _chain = Chain()
    return _chain


def deploy(artifact: Artifact, *args: Any, **kwargs: Any):
    """Deploy ``artifact`` on ``lab.chain`` (see ``Chain.deploy``)."""
    return get_chain().deploy(artifact, *args, **kwargs)


def __getattr__(name: str) -> Any:
    if name == "chain":
        return get_chain()
    if name in ("Chain", "Account", "ETHER"):
        from . import chain as chain_module

        return getattr(chain_module, name)
    if name in ("Contract", "Receipt", "Event"):
        from . import contracts

        return getattr(contracts, name)
    raise AttributeError(f"module 'sollab' has no attribute {name!r}")


__all__ = [
    "ArgumentError",
    "ArithmeticOverflow",
    "Artifact",
    "AssertionFailed",
    "ChainError",
    "CompilationResult",
    "CompileError",
    "CompilerCrashed",
    "CompilerNotFound",
    "CustomError",
    "DivisionByZero",
    "IndexOutOfBounds",
    "InvalidOpcode",
    "LabError",
    "NodeNotFound",
    "OutOfGas",
    "Panic",
    "RevertError",
    "SourceError",
    "TransactionReverted",
    "compile_file",
    "compile_files",
    "compile_source",
    "compile_sources",
    "deploy",
    "get_chain",
    "reset",
]
