"""Solidity sources: reading them safely and resolving their imports into one standard-JSON set.

Imports are resolved here, in Python, for every backend alike, so the standard-JSON input sent
to the compiler holds every source it needs (and is exactly what a verifier needs later).
A non-relative import is looked up, in order: remappings, the lab's ``contracts/`` and the
base folder, then the nearest ``node_modules`` walking up from the importing file's folder,
then the lab's own ``node_modules``.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

from .diagnostics import Diagnostic, SourceLocation
from .errors import CompileError, SourceError
from .paths import lab_root

MAX_SOURCE_BYTES = 1_000_000
EXAMPLE = "contract Counter { uint256 public count; }"

_IMPORT_RE = re.compile(r"\bimport\s+(?:[^;\"']*?\bfrom\s+)?([\"'])(.+?)\1[^;]*;", re.S)


def strip_comments(text: str, *, strings: bool = False) -> str:
    """The text with every comment blanked out (offsets kept), string literals untouched.

    With ``strings=True`` the contents of string literals are blanked too (quotes kept), so
    a pattern searched in the result only matches real code.
    """
    out = list(text)
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            if strings:
                k = min(j, n)
                out[i + 1 : k] = [ch if ch == "\n" else " " for ch in text[i + 1 : k]]
            i = j + 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j == -1 else j
            out[i:j] = " " * (j - i)
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j == -1 else j + 2
            out[i:j] = [ch if ch == "\n" else " " for ch in text[i:j]]
            i = j
        else:
            i += 1
    return "".join(out)


def _check_size(size: int, name: str) -> None:
    if size > MAX_SOURCE_BYTES:
        raise SourceError(
            f"{name} is {size / 1e6:.1f} MB: sollab compiles sources up to "
            f"{MAX_SOURCE_BYTES // 1_000_000} MB each; split it into several files"
        )


def decode_source(data: bytes, name: str) -> str:
    """Bytes of a source file as text, refusing what solc cannot take with a one-line reason."""
    _check_size(len(data), name)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(
            f"{name} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}): "
            "save it as UTF-8"
        ) from None


def check_text(text: str, name: str) -> str:
    if len(text) > MAX_SOURCE_BYTES // 4:  # only a long text can be over the limit in UTF-8
        _check_size(len(text.encode("utf-8")), name)
    if not strip_comments(text).strip():
        raise SourceError(f"{name} is empty: write a contract in it, for example `{EXAMPLE}`")
    return text


def locate(path: Path) -> Path:
    """``path`` as given, or, when it is relative and not there, inside the lab's root: a lesson
    says ``contracts/04-the-evm/Ledger.sol`` wherever its notebook runs (lessons/, a grader's
    working copy)."""
    if path.is_absolute() or path.exists():
        return path
    in_lab = lab_root() / path
    return in_lab if in_lab.exists() else path


def read_source_file(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SourceError(f"{path} does not exist: check the path") from None
    except IsADirectoryError:
        raise SourceError(f"{path} is a folder: give a .sol file") from None
    except OSError as exc:
        raise SourceError(f"{path} cannot be read ({exc.strerror})") from None
    return decode_source(data, str(path))


def unit_name_for(path: Path) -> str:
    """A stable source unit name: relative to the lab root or the working directory if inside."""
    path = path.resolve()
    for base in (lab_root(), Path.cwd().resolve()):
        if path.is_relative_to(base):
            return path.relative_to(base).as_posix()
    return path.as_posix()


@dataclass
class SourceSet:
    """Every source of one compilation, by source unit name, with where each came from."""

    sources: dict[str, str] = field(default_factory=dict)
    folders: dict[str, Path] = field(default_factory=dict)  # unit name -> folder it lives in
    roots: list[str] = field(default_factory=list)  # the units asked for (not pulled in)
    remappings: list[str] = field(default_factory=list)  # passed on to solc as given


def parse_remappings(remappings: list[str] | None) -> list[tuple[str, str, str]]:
    """``[context:]prefix=target`` as (context, prefix, target), in solc's order of preference
    (longest context, then longest prefix)."""
    result = []
    for r in remappings or []:
        context, spec = r.split(":", 1) if ":" in r.split("=", 1)[0] else ("", r)
        if "=" not in spec:
            raise SourceError(f"remapping {r!r} has no '=': write it as prefix=target")
        prefix, target = spec.split("=", 1)
        result.append((context, prefix, target))
    return sorted(result, key=lambda p: (-len(p[0]), -len(p[1])))


def _remap(path: str, importer: str, remaps: list[tuple[str, str, str]]) -> str | None:
    for context, prefix, target in remaps:
        if importer.startswith(context) and path.startswith(prefix):
            return target + path[len(prefix) :]
    return None


def _relative_unit(importer: str, path: str) -> str:
    """The unit name solc gives a relative import: joined, normalised, no ``..`` above the root."""
    unit = posixpath.normpath(posixpath.join(posixpath.dirname(importer), path))
    while unit == ".." or unit.startswith("../"):
        unit = unit[3:]
    return unit


def imports_in(text: str) -> list[tuple[str, int, int]]:
    """(import path, start offset, end offset) of every import statement."""
    code = strip_comments(text, strings=True)  # no matches inside comments or string literals
    return [(text[m.start(2) : m.end(2)], m.start(), m.end()) for m in _IMPORT_RE.finditer(code)]


def _nearest_node_modules(folder: Path, path: str) -> list[Path]:
    found = []
    for d in (folder, *folder.parents):
        candidate = d / "node_modules" / path
        if candidate not in found:
            found.append(candidate)
    lab = lab_root() / "node_modules" / path
    if lab not in found:
        found.append(lab)
    return found


def resolve_imports(
    roots: dict[str, tuple[str, Path]],
    remappings: list[str] | None = None,
    base: Path | None = None,
) -> SourceSet:
    """Load the root sources' imports, transitively. ``roots``: unit name -> (text, folder)."""
    remaps = parse_remappings(remappings)
    base = (base or Path.cwd()).resolve()
    result = SourceSet(roots=list(roots), remappings=list(remappings or []))
    pending = []
    for name, (text, folder) in roots.items():
        result.sources[name] = check_text(text, name)
        result.folders[name] = folder
        pending.append(name)
    while pending:
        importer = pending.pop()
        text = result.sources[importer]
        folder = result.folders[importer]
        for raw, start, end in imports_in(text):
            # Name the unit as solc will: resolve a relative path, then apply remappings.
            relative = raw.startswith(("./", "../"))
            remapped = _remap(_relative_unit(importer, raw) if relative else raw, importer, remaps)
            if remapped is None and relative:
                unit = _relative_unit(importer, raw)
                candidates = [(folder / raw).resolve()]
            else:
                path = raw if remapped is None else remapped
                unit = posixpath.normpath(path)
                candidates = [
                    base / path,
                    lab_root() / path,
                    *_nearest_node_modules(folder, path),
                ]
            if unit in result.sources:
                continue
            candidates = list(dict.fromkeys(candidates))  # the same folder may be named twice
            file = next((c for c in candidates if c.is_file()), None)
            if file is None:
                raise CompileError([_missing_import(importer, text, raw, start, end, candidates)])
            result.sources[unit] = decode_source(file.read_bytes(), str(file))
            result.folders[unit] = file.parent
            pending.append(unit)
    return result


def _missing_import(
    importer: str, text: str, raw: str, start: int, end: int, looked: list[Path]
) -> Diagnostic:
    b_start = len(text[:start].encode("utf-8"))
    b_end = len(text[:end].encode("utf-8"))
    location = SourceLocation.from_offsets(importer, text, b_start, b_end)
    if raw.startswith("@") or not raw.startswith((".", "/", "contracts/")):
        package = "/".join(raw.split("/")[:2]) if raw.startswith("@") else raw.split("/")[0]
        hint = (
            f"check the path's spelling; if it is an npm package, install it with "
            f"`npm install {package}` next to your contracts"
        )
    else:
        hint = "check the path: relative imports start from the importing file's folder"
    places = ", ".join(str(p) for p in looked[:3]) + (", ..." if len(looked) > 3 else "")
    return Diagnostic(
        severity="error",
        type="ImportError",
        code="",
        message=f'Source "{raw}" not found (looked in {places})',
        location=location,
        hint=hint,
    )
