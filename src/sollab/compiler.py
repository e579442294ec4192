"""Compile Solidity into artifacts, offline and fast, with whichever compiler fits the pragma.

Backends, in order of preference for the chosen version: a native ``solc`` executable
(``$SOLC_BINARY``, py-solc-x's installed versions), else solc-js in one persistent Node worker
per Python process (started lazily, restarted if it dies, shut down at exit). Imports are
resolved in Python (see ``sources``), so every backend gets the same complete standard-JSON
input, which each artifact keeps for verification. Results are cached by a hash of
(compiler, standard-JSON input) in memory and on disk.
"""

from __future__ import annotations

import difflib
import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import diagnostics, sources
from .cache import CompileCache
from .diagnostics import Diagnostic
from .errors import CompileError, CompilerCrashed, ContractNotFound, SourceError
from .solcjs import COMPILE_TIMEOUT, SolcJsWorker, track
from .versions import InstalledCompiler, Version, native_version, pragmas_in, select_compiler

#: What the lab's chain runs; artifacts target it (or the newest EVM an older compiler knows).
CHAIN_EVM_VERSION = "prague"
_EVM_VERSIONS = [  # (first solc version that knows it, EVM version), newest first
    ((0, 8, 30), CHAIN_EVM_VERSION),
    ((0, 8, 24), "cancun"),
    ((0, 8, 20), "shanghai"),
    ((0, 8, 18), "paris"),
    ((0, 8, 7), "london"),
    ((0, 8, 5), "berlin"),
    ((0, 5, 14), "istanbul"),
    ((0, 5, 5), "petersburg"),
    ((0, 4, 21), "byzantium"),
]

OUTPUT_SELECTION = [
    "abi",
    "metadata",
    "devdoc",
    "userdoc",
    "storageLayout",
    "evm.bytecode.object",
    "evm.bytecode.sourceMap",
    "evm.bytecode.linkReferences",
    "evm.deployedBytecode.object",
    "evm.deployedBytecode.sourceMap",
    "evm.deployedBytecode.linkReferences",
    "evm.deployedBytecode.immutableReferences",
    "evm.methodIdentifiers",
]
# Gas estimates cost solc ~15% more on every compile and few learners look at them: they are
# compiled on first use of ``Artifact.gas_estimates`` (the same input, only that output).
GAS_SELECTION = ["evm.gasEstimates"]


def evm_version_for(version: Version) -> str | None:
    """The newest EVM version both the compiler and the lab's chain know (None before 0.4.21,
    whose compilers take no EVM version and target byzantium's predecessors)."""
    for first, evm in _EVM_VERSIONS:
        if version.tuple >= first:
            return evm
    return None


# --- artifacts ------------------------------------------------------------------------------


@dataclass(eq=False)  # the artifact and its compilation point at each other: compare by identity
class Artifact:
    """One compiled contract: everything needed to deploy it, call it, map it back to source."""

    name: str
    source: str  # the source unit it is declared in
    abi: list[dict[str, Any]]
    bytecode: str  # creation code, 0x-prefixed ("0x" for interfaces and abstract contracts)
    deployed_bytecode: str
    source_map: str
    deployed_source_map: str
    storage_layout: dict[str, Any]
    method_identifiers: dict[str, str]
    metadata: str
    link_references: dict[str, Any]
    deployed_link_references: dict[str, Any]
    devdoc: dict[str, Any]
    userdoc: dict[str, Any]
    compilation: CompilationResult = field(repr=False)

    @property
    def fqn(self) -> str:
        """Fully qualified name, ``File.sol:Name``."""
        return f"{self.source}:{self.name}"

    @property
    def gas_estimates(self) -> dict[str, Any]:
        """solc's gas estimates (creation and per function), compiled on first use."""
        return self.compilation.gas_estimates().get(self.fqn, {})

    @property
    def is_deployable(self) -> bool:
        return len(self.bytecode) > 2

    @property
    def solc_version(self) -> str:
        return self.compilation.solc_version

    @property
    def standard_json_input(self) -> dict[str, Any]:
        return self.compilation.input

    def to_dict(self) -> dict[str, Any]:
        return {
            "contractName": self.name,
            "sourceName": self.source,
            "abi": self.abi,
            "bytecode": self.bytecode,
            "deployedBytecode": self.deployed_bytecode,
            "sourceMap": self.source_map,
            "deployedSourceMap": self.deployed_source_map,
            "storageLayout": self.storage_layout,
            "methodIdentifiers": self.method_identifiers,
            "gasEstimates": self.gas_estimates,
            "metadata": self.metadata,
            "linkReferences": self.link_references,
            "deployedLinkReferences": self.deployed_link_references,
            "solc": self.solc_version,
        }

    def __repr__(self) -> str:
        return f"<Artifact {self.fqn} (solc {self.solc_version}, {len(self.abi)} ABI entries)>"

    def _repr_html_(self) -> str:
        from .display import artifact_html

        return artifact_html(self)


@dataclass(eq=False)
class CompilationResult:
    """The outcome of one compile: artifacts by ``File.sol:Name``, warnings, the exact input."""

    solc_version: str  # the compiler's full version, e.g. 0.8.37+commit.abcdef
    compiler: InstalledCompiler
    input: dict[str, Any]  # the exact standard-JSON input
    sources: dict[str, str]
    source_ids: dict[int, str]
    roots: list[str]
    warnings: list[Diagnostic]
    contracts: dict[str, Artifact] = field(default_factory=dict)
    cached: bool = False
    _compiler: Compiler | None = field(default=None, repr=False)
    _gas: dict[str, dict[str, Any]] | None = field(default=None, repr=False)

    def gas_estimates(self) -> dict[str, dict[str, Any]]:
        """``evm.gasEstimates`` of each contract by ``File.sol:Name`` (one more compile, cached)."""
        if self._gas is None:
            settings = dict(self.input["settings"], outputSelection={"*": {"*": GAS_SELECTION}})
            output, _, _ = (self._compiler or default_compiler()).run(
                self.compiler, dict(self.input, settings=settings), self.sources
            )
            self._gas = {
                f"{unit}:{name}": data.get("evm", {}).get("gasEstimates") or {}
                for unit, contracts in output.get("contracts", {}).items()
                for name, data in contracts.items()
            }
        return self._gas

    def __getitem__(self, name: str) -> Artifact:
        return self.contract(name)

    def __iter__(self):
        return iter(self.contracts.values())

    def __len__(self) -> int:
        return len(self.contracts)

    @property
    def root_contracts(self) -> list[Artifact]:
        """The contracts declared in the sources you gave (not those pulled in by imports)."""
        return [a for a in self.contracts.values() if a.source in self.roots]

    def contract(self, name: str) -> Artifact:
        """A contract by ``Name`` or ``File.sol:Name``."""
        if name in self.contracts:
            return self.contracts[name]
        matches = [a for a in self.contracts.values() if a.name == name]
        preferred = [a for a in matches if a.source in self.roots] or matches
        if len(preferred) == 1:
            return preferred[0]
        if not matches:
            known = sorted(a.name for a in self.root_contracts)
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            shown = ", ".join(known) or "none"
            raise ContractNotFound(f"no contract named {name!r}{hint} (compiled: {shown})")
        raise ContractNotFound(
            f"{name!r} is ambiguous: use one of {', '.join(a.fqn for a in preferred)}"
        )


# --- backends -------------------------------------------------------------------------------


def _native_compile(compiler: InstalledCompiler, input_json: str) -> tuple[str, str]:
    try:
        proc = subprocess.run(
            [str(compiler.path), "--standard-json"],
            input=input_json.encode(),
            capture_output=True,
            timeout=COMPILE_TIMEOUT,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise CompilerCrashed(f"native solc {compiler.path} failed to run: {exc}") from None
    if proc.returncode != 0 and not proc.stdout:
        raise CompilerCrashed(
            f"native solc {compiler.path} exited {proc.returncode}: "
            + proc.stderr.decode(errors="replace").strip()[:200]
        )
    return proc.stdout.decode(), native_version(str(compiler.path)) or str(compiler.version)


# --- the compiler ---------------------------------------------------------------------------


class Compiler:
    """Compiles source sets; owns the solc-js worker and the artifact cache."""

    def __init__(
        self,
        cache_dir: Path | None = None,
        disk_cache: bool = True,
        worker: SolcJsWorker | None = None,
    ) -> None:
        self.worker = worker or track(SolcJsWorker())
        self.cache = CompileCache(cache_dir, disk_cache)

    def prewarm(self) -> None:
        """Start the solc-js worker now and let it load the newest compiler in the background."""
        from .versions import installed_compilers

        newest = next((c for c in installed_compilers() if c.kind == "solcjs"), None)
        if newest is not None:
            self.worker.start(preload=newest.path)

    def compile(
        self,
        source_set: sources.SourceSet,
        *,
        optimize: bool = False,
        runs: int = 200,
        via_ir: bool = False,
        solc: str | None = None,
        evm_version: str | None = None,
        verbose: bool = False,
    ) -> CompilationResult:
        pragmas = [p for text in source_set.sources.values() for p in pragmas_in(text)]
        where = ", ".join(source_set.roots)
        compiler = select_compiler(pragmas, solc, where=where)
        settings: dict[str, Any] = {
            "optimizer": {"enabled": bool(optimize), "runs": int(runs)},
            "outputSelection": {"*": {"*": OUTPUT_SELECTION}},
        }
        if evm := evm_version or evm_version_for(compiler.version):
            settings["evmVersion"] = evm
        if via_ir:
            settings["viaIR"] = True
        if source_set.remappings:  # solc names remapped imports' units by them
            settings["remappings"] = list(source_set.remappings)
        standard_input = {
            "language": "Solidity",
            "sources": {name: {"content": text} for name, text in source_set.sources.items()},
            "settings": settings,
        }
        return self.compile_input(compiler, standard_input, list(source_set.roots), verbose)

    def compile_input(
        self,
        compiler: InstalledCompiler,
        standard_input: dict[str, Any],
        roots: list[str],
        verbose: bool = False,
    ) -> CompilationResult:
        """Compile a standard-JSON input as it is (``compile`` builds one from sources)."""
        texts = {name: s["content"] for name, s in standard_input["sources"].items()}
        output, version, cached = self.run(compiler, standard_input, texts, verbose)
        where = ", ".join(roots)
        result = CompilationResult(
            solc_version=version,
            compiler=compiler,
            input=standard_input,
            sources=texts,
            source_ids={info["id"]: name for name, info in output.get("sources", {}).items()},
            roots=list(roots),
            warnings=[
                d
                for d in (diagnostics.from_solc(e, texts) for e in output["errors"])
                if not d.is_error
            ],
            cached=cached,
            _compiler=self,
        )
        for unit, contracts in output.get("contracts", {}).items():
            for name, data in contracts.items():
                evm = data.get("evm", {})
                bytecode = evm.get("bytecode", {})
                deployed = evm.get("deployedBytecode", {})
                result.contracts[f"{unit}:{name}"] = Artifact(
                    name=name,
                    source=unit,
                    abi=data.get("abi", []),
                    bytecode="0x" + bytecode.get("object", ""),
                    deployed_bytecode="0x" + deployed.get("object", ""),
                    source_map=bytecode.get("sourceMap", ""),
                    deployed_source_map=deployed.get("sourceMap", ""),
                    storage_layout=data.get("storageLayout") or {},
                    method_identifiers=evm.get("methodIdentifiers", {}),
                    metadata=data.get("metadata", ""),
                    link_references=bytecode.get("linkReferences", {}),
                    deployed_link_references=deployed.get("linkReferences", {}),
                    devdoc=data.get("devdoc", {}),
                    userdoc=data.get("userdoc", {}),
                    compilation=result,
                )
        if not result.root_contracts:
            raise SourceError(
                f"{where} has no contract, interface or library: "
                f"declare one, for example `{sources.EXAMPLE}`"
            )
        return result

    def run(
        self,
        compiler: InstalledCompiler,
        standard_input: dict[str, Any],
        texts: dict[str, str],
        verbose: bool = False,
    ) -> tuple[dict[str, Any], str, bool]:
        """solc's parsed output for ``standard_input`` (cached), its version, and whether it
        came from the cache. Raises ``CompileError`` if solc reported errors."""
        input_json = json.dumps(standard_input, sort_keys=True)
        output_json, version, key, hit = self.raw(compiler, input_json)
        try:
            output = json.loads(output_json)
        except ValueError:
            raise CompilerCrashed(
                f"solc {compiler.version} returned output that is not JSON"
            ) from None
        output.setdefault("errors", [])
        if any(e.get("severity") == "error" for e in output["errors"]):
            found = [diagnostics.from_solc(e, texts) for e in output["errors"]]
            raise CompileError(found, verbose=verbose, solc_version=version)  # not cached
        if not hit:
            self.cache.put(key, output_json, version)
        return output, version, hit

    def raw(self, compiler: InstalledCompiler, input_json: str) -> tuple[str, str, str, bool]:
        """solc's output text for a standard-JSON input text, unchecked: (output, version,
        cache key, whether it came from the cache). ``run`` caches only error-free output."""
        key = self.cache.key(compiler, input_json)
        hit = self.cache.get(key)
        if hit is not None:
            return hit[0], hit[1], key, True
        if compiler.kind == "native":
            output_json, version = _native_compile(compiler, input_json)
        else:
            output_json, version = self.worker.compile(compiler, input_json)
        return output_json, version, key, False


_default: Compiler | None = None


def default_compiler() -> Compiler:
    global _default
    if _default is None:
        _default = Compiler()
    return _default


def compile_source(
    source: str, name: str = "Contract.sol", *, base: Path | None = None, **options: Any
) -> CompilationResult:
    """Compile Solidity given as a string; imports resolve from ``base`` (default: cwd)."""
    folder = (base or Path.cwd()).resolve()
    if not name.endswith(".sol"):
        name += ".sol"
    return compile_sources({name: source}, base=folder, **options)


def compile_sources(
    named: dict[str, str],
    *,
    base: Path | None = None,
    remappings: list[str] | None = None,
    **options: Any,
) -> CompilationResult:
    """Compile several in-memory sources, ``{"A.sol": text, ...}``."""
    folder = (base or Path.cwd()).resolve()
    roots = {name: (text, folder) for name, text in named.items()}
    source_set = sources.resolve_imports(roots, remappings, base=folder)
    return default_compiler().compile(source_set, **options)


def compile_files(
    paths: list[str | Path] | str | Path,
    *,
    remappings: list[str] | None = None,
    **options: Any,
) -> CompilationResult:
    """Compile one or more ``.sol`` files (and everything they import)."""
    if isinstance(paths, str | Path):
        paths = [paths]
    if not paths:
        raise SourceError("no files given: name at least one .sol file")
    roots = {}
    for p in paths:
        path = sources.locate(Path(p))
        roots[sources.unit_name_for(path)] = (
            sources.read_source_file(path),
            path.resolve().parent,
        )
    source_set = sources.resolve_imports(roots, remappings)
    return default_compiler().compile(source_set, **options)


def compile_standard_input(
    standard_input: dict[str, Any], solc: str, roots: list[str] | None = None
) -> CompilationResult:
    """Compile an exact standard-JSON input with solc ``solc`` (say, to rebuild a contract from
    the input recorded with it)."""
    compiler = select_compiler([], solc)
    units = list(roots or standard_input.get("sources", {}))
    return default_compiler().compile_input(compiler, standard_input, units)
