"""Solidity compiler versions: pragma ranges, which compilers are installed, adding more.

Installed compilers come from three places, preferred in this order for the same version:
``$SOLC_BINARY`` and py-solc-x's installed versions (native, fastest), then solc-js packages in
the lab's ``node_modules`` (``solc`` and aliases such as ``solc-0.7.6``) and in
``.sollab/compilers/node_modules`` (where ``sollab compilers install`` puts them).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass
from functools import cache, total_ordering
from pathlib import Path

from .errors import CompilerNotFound, LabError, SourceError
from .paths import lab_home, node_modules_dirs

# The newest patch of each minor series published as `solc` on npm (checked 2026-11-26).
# Only used to suggest an install command; `sollab compilers install` asks npm itself.
LATEST_PATCH = {(0, 4): 26, (0, 5): 17, (0, 6): 12, (0, 7): 6, (0, 8): 37}
OLDEST_SUPPORTED = (0, 4, 11)  # the first solc with standard-JSON input

_VERSION_RE = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)")


@total_ordering
@dataclass(frozen=True)
class Version:
    major: int
    minor: int
    patch: int

    @classmethod
    def parse(cls, text: str) -> Version:
        m = _VERSION_RE.match(text.strip())
        if not m:
            raise ValueError(f"not a version: {text!r}")
        return cls(int(m[1]), int(m[2]), int(m[3]))

    @property
    def tuple(self) -> tuple[int, int, int]:
        return (self.major, self.minor, self.patch)

    def __lt__(self, other: Version) -> bool:
        return self.tuple < other.tuple

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


# --- pragma ranges --------------------------------------------------------------------------

_PRAGMA_RE = re.compile(r"pragma\s+solidity\s+([^;]+);")
_COMPARATOR_RE = re.compile(
    r"^(\^|~|>=|<=|>|<|=)?\s*v?(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?$"
)


def _bounds(op: str, parts: list[str | None]) -> list[tuple[str, tuple[int, int, int]]]:
    """One comparator as a list of (op, version) constraints, handling wildcards and ^ / ~."""
    nums: list[int] = []
    for p in parts:
        if p is None or p in "xX*":
            break
        nums.append(int(p))
    given = len(nums)
    full = (*nums, *([0] * (3 - given)))
    if given == 0:
        return [] if op in ("", "=", ">=", "<=", "^", "~") else [(op, (0, 0, 0))]

    def bump(level: int) -> tuple[int, int, int]:
        v = list(full[:level]) + [0] * (3 - level)
        v[level - 1] += 1
        return (v[0], v[1], v[2])

    if op == "^":
        # ^0.8.1 -> <0.9.0 ; ^1.2.3 -> <2.0.0 ; ^0.0.3 -> <0.0.4
        if full[0] != 0 or given == 1:
            upper = bump(1)
        elif full[1] != 0 or given == 2:
            upper = bump(2)
        else:
            upper = bump(3)
        return [(">=", full), ("<", upper)]
    if op == "~":
        return [(">=", full), ("<", bump(2 if given >= 2 else 1))]
    if op in ("", "="):
        if given == 3:
            return [("=", full)]
        return [(">=", full), ("<", bump(given))]
    if op == ">" and given < 3:
        return [(">=", bump(given))]
    if op == "<=" and given < 3:
        return [("<", bump(given))]
    return [(op, full)]


@dataclass(frozen=True)
class VersionRange:
    """A `pragma solidity` expression: alternatives (``||``) of conjunctions of comparators."""

    text: str
    alternatives: tuple[tuple[tuple[str, tuple[int, int, int]], ...], ...]

    @classmethod
    def parse(cls, text: str) -> VersionRange:
        text = " ".join(text.split())
        alternatives = []
        for alt in text.split("||"):
            alt = alt.strip()
            constraints: list[tuple[str, tuple[int, int, int]]] = []
            if " - " in alt:  # hyphen range: 0.5.0 - 0.6.0
                low, high = (s.strip() for s in alt.split(" - ", 1))
                constraints += _bounds(">=", _split(low)) + _bounds("<=", _split(high))
            else:
                # "^ 0.8.0", ">= 0.8" and ">=0.8.0<0.9.0" are all allowed: glue each operator
                # to its version, then split before every operator and at spaces.
                glued = re.sub(r"(\^|~|>=|<=|>|<|=)\s+", r"\1", alt)
                tokens = re.sub(r"(?<=[\dxX*])(?=[\^~<>=])", " ", glued).split()
                if not tokens:
                    raise ValueError(text)
                for token in tokens:
                    m = _COMPARATOR_RE.match(token)
                    if not m:
                        raise ValueError(text)
                    constraints += _bounds(m[1] or "", [m[2], m[3], m[4]])
            alternatives.append(tuple(constraints))
        return cls(text, tuple(alternatives))

    def allows(self, version: Version) -> bool:
        v = version.tuple
        checks = {
            "=": lambda b: v == b,
            ">": lambda b: v > b,
            ">=": lambda b: v >= b,
            "<": lambda b: v < b,
            "<=": lambda b: v <= b,
        }
        return any(all(checks[op](b) for op, b in alt) for alt in self.alternatives)

    @property
    def exact(self) -> Version | None:
        """The one version an exact pragma (``=0.5.16`` / ``0.5.16``) names, else None."""
        if len(self.alternatives) == 1 and len(self.alternatives[0]) == 1:
            op, b = self.alternatives[0][0]
            if op == "=":
                return Version(*b)
        return None

    def __str__(self) -> str:
        return self.text


def _split(text: str) -> list[str | None]:
    m = _COMPARATOR_RE.match(text)
    if not m or m[1]:
        raise ValueError(text)
    return [m[2], m[3], m[4]]


def pragmas_in(source: str) -> list[str]:
    """The `pragma solidity` expressions of a source, comments ignored."""
    from .sources import strip_comments

    code = strip_comments(source, strings=True)  # pragma-like text in strings is not a pragma
    return [source[m.start(1) : m.end(1)].strip() for m in _PRAGMA_RE.finditer(code)]


def known_releases() -> list[Version]:
    """Released versions sollab can install and use (from ``LATEST_PATCH``)."""
    return [
        Version(0, minor, patch)
        for (_, minor), last in LATEST_PATCH.items()
        for patch in range(last + 1)
        if (0, minor, patch) >= OLDEST_SUPPORTED
    ]


# --- installed compilers --------------------------------------------------------------------


@dataclass(frozen=True)
class InstalledCompiler:
    """One installed compiler: ``kind`` is "native" (an executable) or "solcjs" (an npm package)."""

    version: Version
    kind: str
    path: Path
    origin: str  # "SOLC_BINARY", "py-solc-x", "node_modules", "sollab compilers"

    @property
    def label(self) -> str:
        return f"{self.version} ({'native' if self.kind == 'native' else 'solc-js'}, {self.origin})"


@cache
def native_version(executable: str) -> str | None:
    """A native solc's full version (``0.8.26+commit.8a97fa7a...``), None if it does not run."""
    try:
        out = subprocess.run(
            [executable, "--version"], capture_output=True, text=True, timeout=20
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.search(r"Version:\s*(\d+\.\d+\.\d+\S*)", out)
    return m[1] if m else None


def _solcjs_packages(node_modules: Path) -> list[tuple[Version, Path]]:
    found = []
    if not node_modules.is_dir():
        return found
    for pkg in sorted(node_modules.glob("solc*")):
        try:
            meta = json.loads((pkg / "package.json").read_text())
        except (OSError, ValueError):
            continue
        if meta.get("name") != "solc" or not (pkg / "soljson.js").exists():
            continue
        try:
            found.append((Version.parse(meta["version"]), pkg))
        except (KeyError, ValueError):
            continue
    return found


def installed_compilers() -> list[InstalledCompiler]:
    """Every installed compiler, newest version first, native before solc-js within a version."""
    found: list[InstalledCompiler] = []
    if binary := os.environ.get("SOLC_BINARY"):
        full = native_version(binary)
        if full is None:
            raise CompilerNotFound(
                f"SOLC_BINARY={binary} is not a working solc: fix the path or unset SOLC_BINARY"
            )
        found.append(InstalledCompiler(Version.parse(full), "native", Path(binary), "SOLC_BINARY"))
    try:
        import solcx

        for v in solcx.get_installed_solc_versions():
            found.append(
                InstalledCompiler(
                    Version.parse(str(v)), "native", Path(solcx.get_executable(v)), "py-solc-x"
                )
            )
    except Exception:  # py-solc-x missing or its folder unreadable: no native compilers from it
        pass
    for origin, node_modules in zip(
        ("node_modules", "sollab compilers"), node_modules_dirs(), strict=True
    ):
        for version, path in _solcjs_packages(node_modules):
            found.append(InstalledCompiler(version, "solcjs", path, origin))
    kinds = {"native": 0, "solcjs": 1}
    found.sort(key=lambda c: (tuple(-x for x in c.version.tuple), kinds[c.kind]))
    return found


def select_compiler(
    pragmas: list[str], requested: str | None = None, where: str = "the source"
) -> InstalledCompiler:
    """The compiler to use: the requested version, else the newest that satisfies every pragma."""
    compilers = installed_compilers()
    if not compilers:
        raise CompilerNotFound("no Solidity compiler is installed: run `make setup`")
    installed = ", ".join(sorted({str(c.version) for c in compilers}, key=Version.parse))
    if requested:
        try:
            want = Version.parse(requested)
        except ValueError:
            raise CompilerNotFound(
                f"{requested!r} is not a compiler version: give one like 0.8.37"
            ) from None
        for c in compilers:
            if c.version == want:
                return c
        raise CompilerNotFound(
            f"Solidity {want} is not installed (installed: {installed}): "
            f"run `sollab compilers install {want}`"
        )
    ranges = []
    for text in pragmas:
        try:
            ranges.append(VersionRange.parse(text))
        except ValueError:
            raise SourceError(
                f"`pragma solidity {text};` in {where} is not a version range: "
                "write one like `pragma solidity ^0.8.24;`"
            ) from None
    for c in compilers:
        if all(r.allows(c.version) for r in ranges):
            return c
    wanted = " and ".join(f"`{r}`" for r in ranges)
    exact = next((r.exact for r in ranges if r.exact), None)
    if exact is not None:
        hint = f"run `sollab compilers install {exact}`"
    else:
        candidates = [v for v in known_releases() if all(r.allows(v) for r in ranges)]
        if candidates:
            hint = f"run `sollab compilers install {max(candidates)}`, or change the pragma"
        else:
            newest = max(known_releases())
            hint = (
                f"no released Solidity version matches it (the newest sollab knows is {newest}): "
                f"fix the pragma, e.g. `pragma solidity ^{newest.major}.{newest.minor}.0;`"
            )
    raise CompilerNotFound(
        f"no installed compiler satisfies pragma solidity {wanted} in {where} "
        f"(installed: {installed}): {hint}"
    )


def installable(version: str) -> Version:
    """``version`` parsed, if sollab can install and use it; else a one-line ``LabError``."""
    try:
        v = Version.parse(version)
    except ValueError:
        raise LabError(f"{version!r} is not a compiler version: give one like 0.5.16") from None
    if v.tuple < OLDEST_SUPPORTED:
        oldest = ".".join(map(str, OLDEST_SUPPORTED))
        raise LabError(f"sollab supports Solidity {oldest} and newer (standard-JSON compilers)")
    return v


def install_solcjs(version: str, *, quiet: bool = False) -> InstalledCompiler:
    """Install solc-js ``version`` from npm beside the others (``solc-X.Y.Z@npm:solc@X.Y.Z``)."""
    from .node import find_node

    v = installable(version)
    for c in installed_compilers():
        if c.version == v and c.kind == "solcjs":
            return c
    prefix = lab_home() / "compilers"
    prefix.mkdir(parents=True, exist_ok=True)
    manifest = prefix / "package.json"
    if not manifest.exists():
        manifest.write_text(
            json.dumps(
                {"name": "sollab-extra-compilers", "private": True, "dependencies": {}}, indent=2
            )
            + "\n"
        )
    node = find_node()
    env = dict(os.environ, PATH=str(Path(node.executable).parent) + os.pathsep + os.environ["PATH"])
    cmd = [
        *node.npm_command(),
        "install",
        "--prefix",
        str(prefix),
        "--no-audit",
        "--no-fund",
        "--save-exact",  # the folder solc-X.Y.Z must never hold another version
        f"solc-{v}@npm:solc@{v}",
    ]
    proc = subprocess.run(cmd, env=env, capture_output=quiet, text=True)
    if proc.returncode != 0:
        detail = (proc.stderr or "").strip().splitlines()[-1:] if quiet else []
        raise LabError(
            f"npm could not install solc {v}"
            + (f" ({detail[0]})" if detail else "")
            + ": check that the version exists (`npm view solc versions`) "
            "and that npm can reach its registry"
        )
    for c in installed_compilers():
        if c.version == v and c.kind == "solcjs":
            return c
    raise LabError(f"npm reported success but solc {v} is not in {prefix}/node_modules")
