"""`sollab doctor`: check every piece of the lab and say how to fix what is broken."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata

from .errors import LabError
from .paths import lab_root

REQUIRED_PACKAGES = [
    "web3",
    "eth-tester",
    "py-evm",
    "py-solc-x",
    "jupyterlab",
    "nbgrader",
    "pytest",
]
FIX_SETUP = "run `make setup` in the lab's folder"

ROUND_TRIP_SOURCE = """\
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.0;
contract DoctorCheck {
    uint256 public value;
    constructor(uint256 v) { value = v; }
    function double() external { value *= 2; }
}
"""


@dataclass
class Check:
    name: str
    ok: bool
    detail: str  # what was found (OK) or the one-line fix (failure)


def _python() -> Check:
    v = sys.version_info
    ok = v >= (3, 11)
    found = f"{v.major}.{v.minor}.{v.micro} ({sys.executable})"
    return Check("Python", ok, found if ok else f"{found}: sollab needs Python 3.11+")


def _packages() -> list[Check]:
    checks = []
    for name in REQUIRED_PACKAGES:
        try:
            checks.append(Check(f"package {name}", True, metadata.version(name)))
        except metadata.PackageNotFoundError:
            checks.append(Check(f"package {name}", False, f"not installed: {FIX_SETUP}"))
    return checks


def _node() -> Check:
    from .node import find_node

    node = find_node()
    return Check("Node.js", True, f"{node.version} from {node.origin} ({node.executable})")


def _compilers() -> list[Check]:
    from .compiler import default_compiler
    from .versions import installed_compilers

    found = installed_compilers()
    if not found:
        return [Check("solc", False, f"no compiler installed: {FIX_SETUP}")]
    checks = []
    worker = default_compiler().worker
    for c in found:
        try:
            if c.kind == "solcjs":
                reply = worker.request({"cmd": "version", "solc": str(c.path)}, timeout=60)
                version = reply["version"]
            else:
                from .versions import native_version

                version = native_version(str(c.path)) or "does not run"
            checks.append(Check(f"solc {c.version}", True, f"{version}, {c.kind}, {c.path}"))
        except LabError as exc:
            checks.append(Check(f"solc {c.version}", False, f"{exc}: reinstall with {FIX_SETUP}"))
    have = {(c.version.major, c.version.minor) for c in found}
    for series, patch in (((0, 8), None), ((0, 7), 6)):
        if series not in have:
            wanted = f"0.{series[1]}.{patch}" if patch is not None else "0.8.x"
            checks.append(Check(f"solc {wanted}", False, f"not installed: {FIX_SETUP}"))
    return checks


def _openzeppelin() -> Check:
    pkg = lab_root() / "node_modules" / "@openzeppelin" / "contracts" / "package.json"
    try:
        version = json.loads(pkg.read_text())["version"]
    except (OSError, ValueError, KeyError):
        return Check("OpenZeppelin", False, f"@openzeppelin/contracts missing: {FIX_SETUP}")
    ok = version.startswith("5.")
    return Check("OpenZeppelin", ok, version if ok else f"{version} found, 5.x needed: {FIX_SETUP}")


def _chain() -> Check:
    from .chain import Chain

    start = time.perf_counter()
    chain = Chain()
    ms = (time.perf_counter() - start) * 1000
    funded = sum(1 for a in chain.accounts if chain.balance(a) > 0)
    return Check(
        "chain start",
        funded == 10,
        f"{chain.backend_name}, {funded} funded accounts, {ms:.0f} ms",
    )


def _round_trip() -> Check:
    from .chain import Chain
    from .compiler import Compiler, default_compiler
    from .sources import resolve_imports

    start = time.perf_counter()
    # A real compile (no cache can answer for a broken compiler), on the warm worker.
    compiler = Compiler(disk_cache=False, worker=default_compiler().worker)
    sources = resolve_imports({"DoctorCheck.sol": (ROUND_TRIP_SOURCE, lab_root())})
    artifact = compiler.compile(sources)["DoctorCheck"]
    contract = Chain().deploy(artifact, 21)
    contract.double()
    value = contract.value()
    ms = (time.perf_counter() - start) * 1000
    return Check(
        "compile + deploy + call",
        value == 42,
        f"got {value} in {ms:.0f} ms" if value == 42 else f"expected 42, got {value}",
    )


def run_checks() -> list[Check]:
    """Every check, in order; one failing does not stop the others."""
    steps: list[tuple[str, Callable[[], Check | list[Check]]]] = [
        ("Python", _python),
        ("packages", _packages),
        ("Node.js", _node),
        ("solc", _compilers),
        ("OpenZeppelin", _openzeppelin),
        ("chain start", _chain),
        ("compile + deploy + call", _round_trip),
    ]
    checks: list[Check] = []
    for name, step in steps:
        try:
            result = step()
        except LabError as exc:
            result = Check(name, False, str(exc).splitlines()[0])
        except Exception as exc:  # a broken install shows up here, not as a traceback
            result = Check(name, False, f"{type(exc).__name__}: {exc}: {FIX_SETUP}")
        checks.extend(result if isinstance(result, list) else [result])
    return checks


def render(checks: list[Check]) -> str:
    width = max(len(c.name) for c in checks)
    lines = [f"{'check':<{width}}  status  detail", f"{'-' * width}  ------  ------"]
    for c in checks:
        lines.append(f"{c.name:<{width}}  {'OK' if c.ok else 'FAIL':<6}  {c.detail}")
    failed = sum(not c.ok for c in checks)
    lines.append("")
    lines.append("all OK" if not failed else f"{failed} check(s) failed: see the fixes above")
    return "\n".join(lines)
