"""Look inside a contract: its code as EVM instructions, its storage as Solidity variables.

    lab.disassemble(counter)            # deployed code, one instruction a line, metadata apart
    view = lab.storage(token, alice)    # every state variable decoded; balances[alice] shown too
    view["owner"]                       # one variable's value
    view.value_of("allowance", alice, bob), view.slot_of("balances", alice)

A storage view reads the chain each time it is looked at (it is a window, not a copy): the
table shows the state at the moment it is displayed. Slots follow solc's storage layout
(``Artifact.storage_layout``): value types packed right to left within a slot, a mapping's
value for ``key`` at ``keccak256(key . slot)``, a dynamic array's elements and a long
string's bytes from ``keccak256(slot)``.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from eth_utils import keccak, to_checksum_address

from . import abi
from .display import _e, _table, panel
from .errors import ArgumentError, InspectError
from .opcodes import DYNAMIC as _DYNAMIC
from .opcodes import JUMPDEST as _JUMPDEST
from .opcodes import OPCODES

if TYPE_CHECKING:
    from .compiler import Artifact
    from .contracts import Contract

_PUSH1, _PUSH32 = 0x60, 0x7F
_LINK_PLACEHOLDER = re.compile(r"__\$[0-9a-fA-F]{34}\$__")  # an unlinked library's address


@dataclass
class Instruction:
    """One EVM instruction at byte offset ``pc``.

    ``push_data`` is the immediate of a PUSHn (shorter than n bytes if the code ends first;
    ``push_value`` is then what the EVM pushes, the missing bytes read as zeros). ``gas`` is the
    fixed cost (``gas_dynamic``: more is charged for memory, storage or cold accounts).
    ``jump_target`` is set on a PUSHn directly followed by JUMP or JUMPI, and on that JUMP(I):
    where it goes, and ``jump_valid`` whether a JUMPDEST is there (else the jump reverts).
    """

    pc: int
    opcode: int
    name: str
    push_data: bytes | None = None
    push_size: int = 0
    gas: int | None = None
    gas_dynamic: bool = False
    jump_target: int | None = None
    jump_valid: bool | None = None

    @property
    def is_jumpdest(self) -> bool:
        return self.opcode == _JUMPDEST

    @property
    def is_push(self) -> bool:
        return self.push_data is not None

    @property
    def truncated(self) -> bool:
        """A PUSHn whose code ended before its n bytes of data."""
        return self.push_data is not None and len(self.push_data) < self.push_size

    @property
    def push_value(self) -> int | None:
        if self.push_data is None:
            return None
        return int.from_bytes(self.push_data.ljust(self.push_size, b"\0"), "big")

    @property
    def push_hex(self) -> str | None:
        return None if self.push_data is None else "0x" + self.push_data.hex()

    @property
    def size(self) -> int:
        return 1 + (len(self.push_data) if self.push_data else 0)

    @property
    def note(self) -> str:
        """What a reader should know beyond the opcode: a jump's target, a truncated PUSH."""
        parts = []
        if self.truncated:
            parts.append(
                f"truncated: {len(self.push_data or b'')} of {self.push_size} bytes, "
                "the rest read as zeros"
            )
        if self.jump_target is not None:
            ok = "JUMPDEST" if self.jump_valid else "NOT a JUMPDEST: this jump would fail"
            parts.append(f"-> 0x{self.jump_target:04x} ({ok})")
        return "; ".join(parts)

    def __str__(self) -> str:
        text = f"0x{self.pc:04x}  {self.name}"
        if self.push_data is not None and self.push_size:
            text += f" {self.push_hex}"
        return text + (f"  ; {self.note}" if self.note else "")


@dataclass
class Metadata:
    """The CBOR trailer solc appends to runtime code: source hash (``ipfs`` / ``bzzr``) and
    compiler version. ``raw`` includes the 2-byte length at the very end."""

    pc: int
    raw: bytes
    fields: dict[str, Any]

    def __str__(self) -> str:
        shown = ", ".join(f"{k}: {v}" for k, v in self.fields.items())
        return f"0x{self.pc:04x}  metadata ({len(self.raw)} bytes) {{{shown}}}"


class Disassembly(Sequence[Instruction]):
    """EVM instructions, in order; ``at(pc)`` finds one by byte offset, ``metadata`` is the
    solc trailer (None if the code has none)."""

    def __init__(self, code: bytes, instructions: list[Instruction], metadata: Metadata | None):
        self.code = code
        self.instructions = instructions
        self.metadata = metadata
        self._by_pc = {i.pc: i for i in instructions}

    def __getitem__(self, index):  # type: ignore[override]
        return self.instructions[index]

    def __len__(self) -> int:
        return len(self.instructions)

    def at(self, pc: int) -> Instruction:
        """The instruction starting at byte offset ``pc``."""
        found = self._by_pc.get(pc)
        if found is None:
            inside = next(
                (i for i in self.instructions if i.pc < pc < i.pc + i.size), None
            )  # a pc inside push data
            why = (
                f"it is inside the data of {inside.name} at 0x{inside.pc:04x}"
                if inside
                else f"the code has {len(self.code)} bytes"
                if pc >= len(self.code) or pc < 0
                else "it is in the metadata trailer"
            )
            raise InspectError(f"no instruction starts at pc 0x{pc:04x} ({pc}): {why}")
        return found

    def find(self, name: str) -> list[Instruction]:
        """Every instruction named ``name`` (``"SSTORE"``, ``"PUSH1"``...)."""
        return [i for i in self.instructions if i.name == name.upper()]

    @property
    def jumpdests(self) -> list[int]:
        return [i.pc for i in self.instructions if i.is_jumpdest]

    def __str__(self) -> str:
        lines = [str(i) for i in self.instructions]
        if self.metadata is not None:
            lines.append(str(self.metadata))
        return "\n".join(lines)

    def __repr__(self) -> str:
        size = len(self.code) - (len(self.metadata.raw) if self.metadata else 0)
        extra = f" + {len(self.metadata.raw)} bytes of metadata" if self.metadata else ""
        return f"<Disassembly: {len(self)} instructions in {size:,} bytes of code{extra}>"

    def _repr_html_(self) -> str:
        anchor = f"sollab-dis-{id(self):x}-"
        rows = []
        for ins in self.instructions:
            name = f"<b>{_e(ins.name)}</b>" if ins.is_jumpdest else _e(ins.name)
            arg = f"<code>{_e(ins.push_hex)}</code>" if ins.push_data else ""
            note = _e(ins.note)
            if ins.jump_target is not None:
                mark = "ok" if ins.jump_valid else "err"
                link = f'<a href="#{anchor}{ins.jump_target}">0x{ins.jump_target:04x}</a>'
                note = f"<span class='{mark}'>&rarr; {link} {'✓' if ins.jump_valid else '✗'}</span>"
            pc = f'<code id="{anchor}{ins.pc}">0x{ins.pc:04x}</code>'
            rows.append([pc, name, arg, note])
        if self.metadata is not None:
            shown = ", ".join(f"{k}: {v}" for k, v in self.metadata.fields.items())
            rows.append(
                [f"<code>0x{self.metadata.pc:04x}</code>", "<i>metadata</i>", "", _e(shown)]
            )
        table = _table(["pc", "opcode", "data", ""], rows)
        body = f'<div style="max-height:32em;overflow:auto">{table}</div>'
        return panel(f"<div>{_e(repr(self))}</div>" + body)


def _code_bytes(code: Any) -> bytes:
    if hasattr(code, "artifact") and not hasattr(code, "address"):  # a ContractFactory
        code = code.artifact
    if hasattr(code, "chain") and hasattr(code, "address"):  # a deployed Contract
        return bytes(code.chain.code(code.address))
    if hasattr(code, "deployed_bytecode"):  # an Artifact
        if not code.is_deployable:
            raise ArgumentError(
                f"{code.name} is an interface or abstract contract: it has no code to disassemble"
            )
        code = _LINK_PLACEHOLDER.sub("0" * 40, code.deployed_bytecode)  # unlinked: zeros
    if isinstance(code, bytes | bytearray | memoryview):
        return bytes(code)
    if isinstance(code, str):
        text = code.strip().removeprefix("0x").removeprefix("0X")
        try:
            return bytes.fromhex(text)
        except ValueError:
            raise ArgumentError(
                f"disassemble() got a string that is not hex bytecode: {code[:40]!r}"
            ) from None
    raise ArgumentError(
        "disassemble() takes bytes, a 0x-hex string, a compiled contract (Artifact) or a "
        f"deployed contract, got {type(code).__name__}"
    )


def _valid_jumpdests(code: bytes) -> set[int]:
    """Where a jump may land, by the EVM's own rule: a JUMPDEST byte not inside PUSH data,
    scanning the whole code (metadata included)."""
    found, pc = set(), 0
    while pc < len(code):
        op = code[pc]
        if op == _JUMPDEST:
            found.add(pc)
        pc += 1 + (op - _PUSH1 + 1 if _PUSH1 <= op <= _PUSH32 else 0)
    return found


def _cbor(data: bytes, i: int) -> tuple[Any, int]:
    """One CBOR item (the subset solc's metadata uses) at ``data[i]``, and where it ends."""
    head = data[i]
    major, info = head >> 5, head & 31
    i += 1
    if info < 24:
        n = info
    elif info <= 27:
        width = 1 << (info - 24)
        n = int.from_bytes(data[i : i + width], "big")
        i += width
    else:
        raise ValueError("indefinite CBOR")
    if major == 0:
        return n, i
    if major in (2, 3):
        if i + n > len(data):
            raise ValueError("short CBOR string")
        chunk = data[i : i + n]
        return (chunk if major == 2 else chunk.decode()), i + n
    if major == 5:
        out = {}
        for _ in range(n):
            key, i = _cbor(data, i)
            out[key], i = _cbor(data, i)
        return out, i
    if major == 7 and info in (20, 21):
        return info == 21, i
    raise ValueError("unexpected CBOR item")


_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def _base58(data: bytes) -> str:
    n, text = int.from_bytes(data, "big"), ""
    while n:
        n, r = divmod(n, 58)
        text = _B58[r] + text
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + text


def _metadata(code: bytes) -> Metadata | None:
    """solc's trailer: a CBOR map, then its length in the last two bytes."""
    if len(code) < 3:
        return None
    length = int.from_bytes(code[-2:], "big")
    start = len(code) - 2 - length
    if length == 0 or start < 0 or code[start] >> 5 != 5:  # must open with a CBOR map
        return None
    try:
        fields, end = _cbor(code, start)
    except (ValueError, IndexError, UnicodeDecodeError):
        return None
    if end != len(code) - 2 or not isinstance(fields, dict):
        return None
    shown: dict[str, Any] = {}
    for key, value in fields.items():
        if key == "ipfs" and isinstance(value, bytes):
            shown[key] = _base58(value)
        elif key == "solc" and isinstance(value, bytes) and len(value) == 3:
            shown[key] = ".".join(str(b) for b in value)
        elif isinstance(value, bytes):
            shown[str(key)] = "0x" + value.hex()
        else:
            shown[str(key)] = value
    return Metadata(start, code[start:], shown)


def disassemble(code: bytes | str | Artifact | Contract) -> Disassembly:
    """The EVM instructions of ``code``: bytes, a 0x-hex string, a compiled contract (its
    deployed code) or a deployed contract (the code on chain). solc's metadata trailer is not
    decoded as instructions but shown apart as ``.metadata``."""
    data = _code_bytes(code)
    meta = _metadata(data)
    end = meta.pc if meta else len(data)
    valid = _valid_jumpdests(data)
    out: list[Instruction] = []
    pc = 0
    while pc < end:
        op = data[pc]
        name, gas = OPCODES.get(op, (f"INVALID(0x{op:02x})", None))
        ins = Instruction(pc, op, name, gas=gas, gas_dynamic=name in _DYNAMIC)
        if _PUSH1 <= op <= _PUSH32 or op == 0x5F:
            ins.push_size = op - _PUSH1 + 1 if op != 0x5F else 0
            ins.push_data = data[pc + 1 : pc + 1 + ins.push_size]
        out.append(ins)
        pc += ins.size
    for push, jump in itertools.pairwise(out):
        if push.is_push and jump.name in ("JUMP", "JUMPI"):
            target = push.push_value or 0
            for ins in (push, jump):
                ins.jump_target, ins.jump_valid = target, target in valid
    return Disassembly(data, out, meta)


# --- storage --------------------------------------------------------------------------------

WORD = 2**256
MAX_ELEMENTS = 4096  # a dynamic array longer than this is read element by element
_MAX_BYTES = 1 << 20  # a string/bytes longer than this is not real (corrupt storage)
_FIXED_LENGTH = re.compile(r"\)(\d+)_storage$")
_UDVT = re.compile(r"\btype\s+(\w+)\s+is\s+(\w+)\s*;")


def _word(n: int) -> bytes:
    return (n % WORD).to_bytes(32, "big")


def _hash_slot(slot: int) -> int:
    """Where a dynamic array's elements or a long string's bytes start."""
    return int.from_bytes(keccak(_word(slot)), "big")


def _short_hex(n: int) -> str:
    text = f"0x{n:064x}"
    return f"{text[:8]}…{text[-4:]}"


def _show_slot(slot: int) -> str:
    return str(slot) if slot < 2**32 else _short_hex(slot)


class _Reader:
    """Storage words of one contract, each read once per look."""

    def __init__(self, contract: Contract):
        self.contract = contract
        self.words: dict[int, int] = {}

    def __call__(self, slot: int) -> int:
        slot %= WORD
        if slot not in self.words:
            self.words[slot] = self.contract.chain.storage_at(self.contract.address, slot)
        return self.words[slot]


@dataclass
class StorageRow:
    """One line of the storage table: a variable, a member, an element or a mapping entry."""

    slot: int
    offset: int | None  # byte offset within the slot (None: the whole slot or more)
    size: int | None  # bytes it occupies in the slot (value types only)
    type: str
    name: str
    value: str
    depth: int = 0
    word: int | None = None  # the slot's raw content (value types only)


class StorageMapping:
    """A mapping in storage: it keeps no list of its keys, so values are looked up by key:
    ``m[key]`` (a nested mapping gives another ``StorageMapping``), ``m.slot_of(key)``."""

    def __init__(self, view: StorageView, type_id: str, slot: int, name: str):
        self._view = view
        self.type_id = type_id
        self.slot = slot
        self.name = name

    @property
    def type(self) -> str:
        return self._view._types[self.type_id]["label"]

    def slot_of(self, *keys: Any) -> int:
        return self._view._locate_from(self.type_id, self.slot, 0, self.name, keys)[1]

    def __getitem__(self, key: Any) -> Any:
        keys = key if isinstance(key, tuple) else (key,)
        tid, slot, offset, name = self._view._locate_from(
            self.type_id, self.slot, 0, self.name, keys
        )
        return self._view._decode(tid, slot, offset, _Reader(self._view.contract), name)

    def __repr__(self) -> str:
        return (
            f"<{self.type} {self.name} at slot {_show_slot(self.slot)}: "
            f"no list of keys; look values up with {self.name.split('[')[0]}[key]>"
        )


class StorageView:
    """The state variables of a deployed contract, where they live and what they hold now.

    ``view["name"]`` decodes a variable (a mapping gives a ``StorageMapping``);
    ``value_of(name, *path)`` and ``slot_of(name, *path)`` follow mapping keys, array indexes
    and struct member names. ``keys`` given to ``lab.storage`` are shown in the mappings they
    fit; ``max_items`` elements of each array are shown.
    """

    def __init__(self, contract: Contract, keys: tuple[Any, ...] = (), max_items: int = 8):
        layout = contract.artifact.storage_layout
        if not layout or "storage" not in layout:
            raise InspectError(
                f"{contract.contract_name} was compiled without a storage layout: compile it "
                "with sollab (solc 0.5.13 or newer) to look at its storage"
            )
        self.contract = contract
        self.max_items = max_items
        self.keys = keys
        self._types: dict[str, dict[str, Any]] = layout.get("types") or {}
        self._vars = {v["label"]: v for v in layout["storage"]}
        sources = getattr(getattr(contract.artifact, "compilation", None), "sources", {}) or {}
        # The layout does not say what a user-defined value type wraps: the source does.
        self._wrapped = {m[1]: m[2] for text in sources.values() for m in _UDVT.finditer(text)}
        for key in keys:
            self._check_key_fits_somewhere(key)

    # -- lookups --

    @property
    def names(self) -> list[str]:
        return list(self._vars)

    def __iter__(self) -> Iterator[str]:
        return iter(self._vars)

    def __len__(self) -> int:
        return len(self._vars)

    def __contains__(self, name: object) -> bool:
        return name in self._vars

    def __getitem__(self, name: str) -> Any:
        return self.value_of(name)

    def _variable(self, name: str) -> dict[str, Any]:
        if name in self._vars:
            return self._vars[name]
        close = difflib.get_close_matches(str(name), self._vars, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        known = ", ".join(self._vars) or "none"
        raise InspectError(
            f"{self.contract.contract_name} has no state variable {name!r}{hint} "
            f"(variables: {known})"
        )

    def type_of(self, name: str, *path: Any) -> str:
        """The Solidity type of a variable, or of what ``path`` leads to inside it."""
        return self._types[self._locate(name, path)[0]]["label"]

    def slot_of(self, name: str, *path: Any) -> int:
        """The slot of a variable, or of ``name[key]...``/``.member`` inside it: mapping keys,
        array indexes and struct member names, in order."""
        return self._locate(name, path)[1]

    def offset_of(self, name: str, *path: Any) -> int:
        """The byte offset within its slot (from the right) where a value starts."""
        return self._locate(name, path)[2]

    def value_of(self, name: str, *path: Any) -> Any:
        """The current value of a variable, or of what ``path`` leads to inside it:
        ``value_of("balances", alice)``, ``value_of("allowance", alice, bob)``,
        ``value_of("items", 0)``, ``value_of("person", "name")``."""
        tid, slot, offset, shown = self._locate(name, path)
        return self._decode(tid, slot, offset, _Reader(self.contract), shown)

    def _locate(self, name: str, path: tuple[Any, ...]) -> tuple[str, int, int, str]:
        var = self._variable(name)
        return self._locate_from(var["type"], int(var["slot"]), var["offset"], name, path)

    def _locate_from(
        self, tid: str, slot: int, offset: int, shown: str, path: tuple[Any, ...]
    ) -> tuple[str, int, int, str]:
        """Follow ``path`` from the value of type ``tid`` at (slot, offset): the type, slot,
        offset and display name of where it leads."""
        for step in path:
            info = self._types[tid]
            encoding = info["encoding"]
            if encoding == "mapping":
                key = self._encode_key(info["key"], step, shown)
                slot = int.from_bytes(keccak(key + _word(slot)), "big")
                tid, offset, shown = info["value"], 0, f"{shown}[{_show_key(step)}]"
            elif "members" in info:
                if not isinstance(step, str):
                    raise InspectError(
                        f"{shown} is a {info['label']}: give a member name, not {step!r}"
                    )
                member = self._member(info, step, shown)
                slot, offset = slot + int(member["slot"]), member["offset"]
                tid, shown = member["type"], f"{shown}.{step}"
            elif "base" in info:
                length = (
                    _Reader(self.contract)(slot)
                    if encoding == "dynamic_array"
                    else self._fixed_length(tid)
                )
                if isinstance(step, bool) or not isinstance(step, int):
                    raise InspectError(f"{shown} is a {info['label']}: index it with an int")
                if not 0 <= step < length:
                    raise InspectError(
                        f"index {step} is out of range: {shown} has {length} element"
                        + ("s" if length != 1 else "")
                    )
                start = _hash_slot(slot) if encoding == "dynamic_array" else slot
                slot, offset = self._element(info["base"], start, step)
                tid, shown = info["base"], f"{shown}[{step}]"
            else:
                raise InspectError(
                    f"{shown} is a {info['label']}: it has no keys, indexes or members "
                    f"(got {step!r})"
                )
        return tid, slot % WORD, offset, shown

    def _member(self, info: dict[str, Any], name: str, shown: str) -> dict[str, Any]:
        members = {m["label"]: m for m in info["members"]}
        if name in members:
            return members[name]
        close = difflib.get_close_matches(name, members, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise InspectError(
            f"{shown} ({info['label']}) has no member {name!r}{hint} "
            f"(members: {', '.join(members)})"
        )

    def _fixed_length(self, tid: str) -> int:
        m = _FIXED_LENGTH.search(tid)
        if m:
            return int(m[1])
        label = self._types[tid]["label"]  # e.g. "uint16[5]"
        return int(label.rsplit("[", 1)[1].rstrip("]"))

    def _element(self, base: str, start: int, index: int) -> tuple[int, int]:
        """(slot, offset) of element ``index`` of an array of ``base`` starting at ``start``:
        small elements share slots, left to right from the low-order end."""
        size = int(self._types[base]["numberOfBytes"])
        if size < 32:
            per = 32 // size
            return start + index // per, (index % per) * size
        return start + index * (size // 32), 0

    # -- mapping keys --

    def _encode_key(self, key_tid: str, key: Any, shown: str) -> bytes:
        """A mapping key as hashed: value types padded to 32 bytes, string/bytes as they are."""
        info = self._types[key_tid]
        label = self._value_label(key_tid)

        def wrong(expected: str) -> InspectError:
            return InspectError(
                f"{shown} takes {label} keys: the key must be {expected}, got {key!r} "
                f"({type(key).__name__})"
            )

        if info["encoding"] == "bytes":
            if label == "string":
                if not isinstance(key, str):
                    raise wrong("a str")
                return key.encode()
            if isinstance(key, str):
                try:
                    return bytes.fromhex(key.removeprefix("0x"))
                except ValueError:
                    raise wrong("bytes or a 0x hex string") from None
            if isinstance(key, bytes | bytearray):
                return bytes(key)
            raise wrong("bytes or a 0x hex string")
        if label in ("address", "address payable") or label.startswith("contract "):
            address = abi.to_address(key)
            if address is None:
                raise wrong("an address, an account or a contract")
            return bytes.fromhex(address[2:]).rjust(32, b"\0")
        if label == "bool":
            if not isinstance(key, bool):
                raise wrong("True or False")
            return _word(int(key))
        if m := re.fullmatch(r"bytes(\d+)", label):
            size = int(m[1])
            if isinstance(key, str):
                try:
                    key = bytes.fromhex(key.removeprefix("0x"))
                except ValueError:
                    raise wrong(f"at most {size} bytes or a 0x hex string") from None
            if not isinstance(key, bytes | bytearray) or len(key) > size:
                raise wrong(f"at most {size} bytes or a 0x hex string")
            return bytes(key).ljust(32, b"\0")
        # integers, enums and user-defined value types
        if isinstance(key, bool) or not isinstance(key, int):
            raise wrong("an int")
        bits = 8 * int(info["numberOfBytes"])
        signed = label.startswith("int")
        low, high = (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if signed else (0, 2**bits - 1)
        if not low <= key <= high:
            raise wrong(f"between {low} and {high}")
        return _word(key)

    def _value_label(self, tid: str) -> str:
        """The type to decode a value type as: a user-defined value type as what it wraps
        (``type Price is int64``: as int64); unsigned if the source does not say."""
        label = self._types[tid]["label"]
        if tid.startswith("t_userDefinedValueType("):
            return self._wrapped.get(label.rsplit(".", 1)[-1], "uint")
        return label

    def _key_fits(self, key_tid: str, key: Any) -> bool:
        label = self._types[key_tid]["label"]
        if label in ("string", "bytes") and abi.to_address(key) is not None:
            return False  # an account is not meant as a string key (it would be its hex)
        try:
            self._encode_key(key_tid, key, "")
        except InspectError:
            return False
        return True

    def _check_key_fits_somewhere(self, key: Any) -> None:
        key_types = {t["key"] for t in self._types.values() if t["encoding"] == "mapping"}
        if not key_types:
            raise InspectError(
                f"{self.contract.contract_name} has no mappings, so the key {key!r} shows "
                "nothing: call lab.storage(contract) without keys"
            )
        if not any(self._key_fits(k, key) for k in key_types):
            wanted = ", ".join(sorted({self._types[k]["label"] for k in key_types}))
            raise InspectError(
                f"the key {key!r} ({type(key).__name__}) fits none of "
                f"{self.contract.contract_name}'s mappings, whose keys are: {wanted}"
            )

    # -- decoding --

    def _decode(self, tid: str, slot: int, offset: int, read: _Reader, shown: str) -> Any:
        info = self._types[tid]
        encoding = info["encoding"]
        if encoding == "mapping":
            return StorageMapping(self, tid, slot, shown)
        if encoding == "bytes":
            data = self._bytes(slot, read, shown)
            if info["label"] == "string":
                try:
                    return data.decode()
                except UnicodeDecodeError:
                    return data
            return data
        if "members" in info:
            return {
                m["label"]: self._decode(
                    m["type"], slot + int(m["slot"]), m["offset"], read, f"{shown}.{m['label']}"
                )
                for m in info["members"]
            }
        if "base" in info:
            if encoding == "dynamic_array":
                length, start = read(slot), _hash_slot(slot)
                if length > MAX_ELEMENTS:
                    raise InspectError(
                        f"{shown} has {length:,} elements, too many to read at once: "
                        f"read them one by one with value_of({shown.split('[')[0]!r}, index)"
                    )
            else:
                length, start = self._fixed_length(tid), slot
            return [
                self._decode(info["base"], *self._element(info["base"], start, i), read, shown)
                for i in range(length)
            ]
        size = int(info["numberOfBytes"])
        raw = (read(slot) >> (8 * offset)) & ((1 << (8 * size)) - 1)
        return _value(self._value_label(tid), raw, size)

    def _bytes(self, slot: int, read: _Reader, shown: str) -> bytes:
        """A string's or bytes' content: short (< 32 bytes) in the slot itself, the length
        times 2 in its last byte; long at keccak256(slot), the slot holding length * 2 + 1."""
        word = read(slot)
        if word & 1 == 0:
            return _word(word)[: (word & 0xFF) // 2]
        length = (word - 1) // 2
        if length > _MAX_BYTES:
            raise InspectError(f"{shown} claims {length:,} bytes: its storage looks corrupt")
        start = _hash_slot(slot)
        data = b"".join(_word(read(start + i)) for i in range((length + 31) // 32))
        return data[:length]

    # -- the table --

    def rows(self) -> list[StorageRow]:
        """The table: each variable, with the members, elements and mapping entries (for the
        keys given) inside it."""
        read = _Reader(self.contract)
        out: list[StorageRow] = []
        for name, var in self._vars.items():
            self._rows(var["type"], int(var["slot"]), var["offset"], name, 0, read, out)
        return out

    def _rows(
        self,
        tid: str,
        slot: int,
        offset: int,
        name: str,
        depth: int,
        read: _Reader,
        out: list[StorageRow],
    ) -> None:
        info = self._types[tid]
        encoding, label = info["encoding"], info["label"]

        def row(value: str, at: int | None = None, size: int | None = None) -> None:
            word = read(slot) if size is not None else None
            out.append(StorageRow(slot, at, size, label, name, value, depth, word))

        if encoding == "mapping":
            usable = [k for k in self.keys if self._key_fits(info["key"], k)]
            hint = f": value_of({name!r}, key)" if depth == 0 else ""
            row(f"(a mapping lists no keys{hint})")
            for key in usable[:32]:
                _, at, _, shown = self._locate_from(tid, slot, 0, name, (key,))
                self._rows(info["value"], at, 0, shown, depth + 1, read, out)
        elif encoding == "bytes":
            data = self._bytes(slot, read, name)
            value = self._decode(tid, slot, 0, read, name)
            where = (
                f" (long: {len(data)} bytes from keccak256({_show_slot(slot)}))"
                if read(slot) & 1
                else ""
            )
            row(_show(label, value) + where)
        elif "members" in info:
            row("")
            for m in info["members"]:
                self._rows(
                    m["type"],
                    slot + int(m["slot"]),
                    m["offset"],
                    f"{name}.{m['label']}",
                    depth + 1,
                    read,
                    out,
                )
        elif "base" in info:
            if encoding == "dynamic_array":
                length, start = read(slot), _hash_slot(slot)
                row(f"length {length}, elements from keccak256({_show_slot(slot)})")
            else:
                length, start = self._fixed_length(tid), slot
                row(f"{length} elements")
            for i in range(min(length, self.max_items)):
                at, at_offset = self._element(info["base"], start, i)
                self._rows(info["base"], at, at_offset, f"{name}[{i}]", depth + 1, read, out)
            if length > self.max_items:
                out.append(
                    StorageRow(
                        start, None, None, "", f"{name}[...]",
                        f"… {length - self.max_items} more", depth + 1,
                    )
                )  # fmt: skip
        else:
            size = int(info["numberOfBytes"])
            value = self._decode(tid, slot, offset, read, name)
            row(_show(label, value), offset, size)

    def __str__(self) -> str:
        header = ["slot", "offset", "type", "name", "value"]
        table = [header] + [
            [
                _show_slot(r.slot),
                "" if r.offset is None else str(r.offset),
                r.type,
                "  " * r.depth + r.name,
                _clip(r.value),
            ]
            for r in self.rows()
        ]
        widths = [max(len(line[i]) for line in table) for i in range(len(header))]
        title = f"storage of {self.contract.contract_name} at {self.contract.address}"
        if not self._vars:
            return title + ": no state variables"
        lines = [title] + [
            "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
            for line in table
        ]
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        rows = []
        for r in self.rows():
            indent = "&nbsp;" * 3 * r.depth
            slot = f"<code title='{r.slot}'>{_e(_show_slot(r.slot))}</code>"
            raw = ""
            if r.word is not None and r.size is not None and r.offset is not None:
                text = f"{r.word:064x}"
                lo, hi = 64 - 2 * (r.offset + r.size), 64 - 2 * r.offset
                raw = (
                    f"<code>{text[:lo]}<b style='color:#067d17'>{text[lo:hi]}</b>{text[hi:]}</code>"
                )
            rows.append(
                [
                    slot,
                    "" if r.offset is None else str(r.offset),
                    f"<code>{_e(r.type)}</code>",
                    f"{indent}<code>{_e(r.name)}</code>",
                    f"<code>{_e(_clip(r.value, 120))}</code>",
                    raw,
                ]
            )
        head = (
            f"<div><b>storage of {_e(self.contract.contract_name)}</b> at "
            f"<code>{_e(self.contract.address)}</code> <span class='hint'>(the raw slot "
            "shows the variable's bytes in green)</span></div>"
        )
        return panel(head + _table(["slot", "offset", "type", "name", "value", "raw slot"], rows))


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _value(label: str, raw: int, size: int) -> Any:
    """A value type from its ``size`` bytes, as Python: int, bool, address, bytes."""
    if label == "bool":
        return raw != 0
    if label in ("address", "address payable") or label.startswith("contract "):
        return to_checksum_address(raw.to_bytes(20, "big"))
    if re.fullmatch(r"bytes\d+", label) or label.startswith("function "):
        return raw.to_bytes(size, "big")
    if label.startswith("int"):
        bits = 8 * size
        return raw - (1 << bits) if raw >> (bits - 1) else raw
    return raw  # uintN, enums, user-defined value types


def _show(label: str, value: Any) -> str:
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    if label == "string":
        return repr(value)
    return str(value)


def _show_key(key: Any) -> str:
    address = abi.to_address(key) if not isinstance(key, str) or key.startswith("0x") else None
    if address is not None:
        name = getattr(key, "name", None)
        return f"{address[:6]}…{address[-4:]}" + (f" ({name})" if isinstance(name, str) else "")
    if isinstance(key, bytes | bytearray):
        return "0x" + bytes(key).hex()
    return repr(key)


def storage(contract: Contract, *keys: Any, max_items: int = 8) -> StorageView:
    """The storage of a deployed contract: every state variable with its slot, offset, type
    and current value. ``keys`` (accounts, numbers, strings...) are looked up in each mapping
    whose key type they fit, since a mapping cannot list its own keys; ``max_items`` elements
    of each array are shown."""
    if not (hasattr(contract, "artifact") and hasattr(contract, "chain")):
        what = type(contract).__name__
        hint = ": deploy it first (lab.deploy(artifact, ...))" if hasattr(contract, "abi") else ""
        raise ArgumentError(f"storage() needs a deployed contract, got {what}{hint}")
    return StorageView(contract, keys, max_items)
