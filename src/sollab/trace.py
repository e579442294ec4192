"""Looking inside the EVM: every step of a call or transaction, mapped back to the Solidity.

    t = lab.trace(counter.increment)     # a call, simulated on the current state
    t = lab.trace(receipt)               # a mined transaction, replayed on the state before it
    t[0].op, t[0].stack, t[0].location   # each step: pc, instruction, gas, stack, memory, ...
    t.gas_by_line()                      # where the gas went, line by line
    t                                    # an interactive stepper (ipywidgets) or a static table

Traces replay on py-evm and never change the chain. They stop at ``max_steps`` (default
100,000) so an endless loop cannot freeze the kernel.
"""

from __future__ import annotations

import html
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from eth_utils import to_checksum_address

from . import opcodes, sourcemap
from .contracts import ContractFunction, Receipt
from .diagnostics import SourceLocation
from .display import _e, _table, panel
from .errors import LabError

if TYPE_CHECKING:
    from .backends import RawStep
    from .chain import Chain
    from .compiler import Artifact

MAX_STEPS = 100_000


@dataclass
class Step:
    """One executed instruction, as the EVM stood just before it ran."""

    index: int
    pc: int
    opcode: int
    gas: int  # left before this instruction
    cost: int  # used by it (for a CALL or CREATE: including everything the callee used)
    depth: int  # 0 for the transaction's own frame, 1 inside a call it makes, ...
    address: str
    stack: tuple[int, ...]  # bottom first; stack[-1] is the top
    memory: bytes
    storage: tuple[str, int, int] | None  # ("read" | "write", slot, value)
    location: SourceLocation | None

    @property
    def op(self) -> str:
        return opcodes.name(self.opcode)

    @property
    def line(self) -> int | None:
        return self.location.line if self.location else None

    def __repr__(self) -> str:
        where = f" @ {self.location}" if self.location else ""
        return f"<Step {self.index}: pc={self.pc} {self.op} gas={self.gas} cost={self.cost}{where}>"


class TraceError(LabError, TypeError):
    """``lab.trace`` was given something it cannot trace."""


class Trace:
    """The steps of one execution, with its outcome."""

    def __init__(
        self,
        steps: list[Step],
        *,
        what: str,
        gas_limit: int,
        gas_used: int | None,
        error: LabError | None,
        refund: int = 0,
        truncated: bool,
        max_steps: int,
        sources: dict[str, str] | None = None,
    ):
        self.steps = steps
        self.sources = sources or {}  # file -> text, for showing lines around a step
        self.what = what
        self.gas_limit = gas_limit
        self.gas_used = gas_used  # as the receipt counts it; None when the trace was cut short
        self.refund = refund  # gas given back at the end, already taken off gas_used
        self.error = error  # why it failed (a revert with its reason and line), if it did
        self.truncated = truncated
        self.max_steps = max_steps

    def __len__(self) -> int:
        return len(self.steps)

    def __getitem__(self, index):
        return self.steps[index]

    def __iter__(self):
        return iter(self.steps)

    @property
    def succeeded(self) -> bool:
        return self.error is None and not self.truncated

    @property
    def outcome(self) -> str:
        if self.truncated:
            return (
                f"stopped after {self.max_steps:,} steps (an endless loop?): "
                "pass max_steps=... to trace further"
            )
        if self.error is not None:
            return str(self.error).splitlines()[0]
        return "succeeded"

    @property
    def execution_gas(self) -> int:
        """Gas used by the instructions of the top frame (callees included): the execution
        part of the transaction's gas, before intrinsic cost and refunds."""
        return sum(s.cost for s in self.steps if s.depth == 0)

    def own_costs(self) -> list[int]:
        """Each step's gas without what its callee used (a CALL keeps only its own overhead)."""
        own = [s.cost for s in self.steps]
        calls: list[int] = []  # the call steps whose callee is running, innermost last
        for i, step in enumerate(self.steps):
            while calls and self.steps[calls[-1]].depth >= step.depth:
                calls.pop()
            if calls and step.depth == self.steps[calls[-1]].depth + 1:
                own[calls[-1]] -= step.cost
            if step.opcode in opcodes.CALLS:
                calls.append(i)
        return own

    def gas_by_line(self) -> list[tuple[str, int, str, int]]:
        """(file, line, source text, gas) for every Solidity line that used gas, most first.
        Steps in compiler-generated code count towards no line."""
        totals: dict[tuple[str, int], int] = defaultdict(int)
        texts: dict[tuple[str, int], str] = {}
        for step, own in zip(self.steps, self.own_costs(), strict=True):
            if step.location is None:
                continue
            key = (step.location.file, step.location.line)
            totals[key] += own
            texts[key] = step.location.line_text.strip()
        rows = [(f, line, texts[(f, line)], gas) for (f, line), gas in totals.items()]
        return sorted(rows, key=lambda r: -r[3])

    def storage_accesses(self) -> list[tuple[int, str, str, int, int]]:
        """(step index, contract address, "read"/"write", slot, value) in order."""
        return [(s.index, s.address, *s.storage) for s in self.steps if s.storage]

    # -- display --

    def __repr__(self) -> str:
        return f"<Trace of {self.what}: {len(self.steps):,} steps, {self.outcome}>"

    def _summary_html(self) -> str:
        status = "err" if not self.succeeded else "ok"
        used = f", gas used {self.gas_used:,}" if self.gas_used is not None else ""
        return (
            f"<div><b>{_e(self.what)}</b>: {len(self.steps):,} steps{used} — "
            f"<span class='{status}'>{_e(self.outcome)}</span></div>"
        )

    def _repr_html_(self, limit: int = 200) -> str:
        """A static table of the steps (the first ``limit`` and the last ones)."""
        rows = []
        shown = (
            self.steps if len(self.steps) <= limit else self.steps[: limit - 20] + self.steps[-20:]
        )
        previous = None
        for step in shown:
            if previous is not None and step.index != previous + 1:
                rows.append(
                    ["...", "", "", "", "", "", f"{step.index - previous - 1:,} steps not shown"]
                )
            previous = step.index
            top = ", ".join(hex(v) for v in step.stack[-3:][::-1])
            where = f"{step.location.file}:{step.location.line}" if step.location else ""
            rows.append(
                [
                    str(step.index),
                    str(step.pc),
                    f"<code>{_e(step.op)}</code>",
                    f"{step.gas:,}",
                    f"{step.cost:,}",
                    f"<code>{_e(top)}</code>",
                    f"<code>{_e(where)}</code>",
                ]
            )
        table = _table(["step", "pc", "op", "gas left", "cost", "stack top", "source"], rows)
        lines = self.gas_by_line()[:5]
        hot = ""
        if lines:
            hot = (
                "<div>most gas: "
                + "; ".join(f"<code>{_e(f)}:{ln}</code> {gas:,}" for f, ln, _, gas in lines)
                + "</div>"
            )
        return panel(self._summary_html() + hot + table)

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, Any]:
        bundle = {"text/plain": repr(self), "text/html": self._repr_html_()}
        try:
            widget = self.widget()
        except ImportError:  # no ipywidgets: the static table is all there is
            return bundle
        # The widget for JupyterLab; our text and HTML for everything that cannot run it.
        return {**widget._repr_mimebundle_(include=include, exclude=exclude), **bundle}

    def widget(self):
        """An interactive stepper: slider and buttons, the current Solidity line highlighted,
        stack, memory and storage panes (needs ipywidgets)."""
        import ipywidgets as w

        if not self.steps:
            return w.HTML(panel(self._summary_html()))
        slider = w.IntSlider(0, 0, len(self.steps) - 1, description="step", continuous_update=True)
        back, forward = w.Button(description="◀ step"), w.Button(description="step ▶")
        out = w.HTML()

        def show(change=None) -> None:
            out.value = self.step_html(slider.value)

        def move(delta: int) -> None:
            slider.value = max(0, min(len(self.steps) - 1, slider.value + delta))

        back.on_click(lambda _: move(-1))
        forward.on_click(lambda _: move(1))
        slider.observe(show, names="value")
        show()
        return w.VBox([w.HTML(panel(self._summary_html())), w.HBox([back, slider, forward]), out])

    def step_html(self, index: int) -> str:
        """One step: where it is in the Solidity, the stack, memory and storage touched so far."""
        step = self.steps[index]
        source = "<div class='hint'>(compiler-generated code: no Solidity line)</div>"
        if step.location is not None:
            source = _source_html(step.location, self.sources.get(step.location.file, ""))
        stack = (
            "<br>".join(
                f"{len(step.stack) - 1 - i}: <code>{hex(v)}</code>"
                for i, v in enumerate(reversed(step.stack))
            )
            or "<span class='hint'>empty</span>"
        )
        memory = _hexdump(step.memory) or "<span class='hint'>empty</span>"
        touched = [
            f"{kind} slot <code>{hex(slot)}</code> = <code>{hex(value)}</code>"
            for i, _, kind, slot, value in self.storage_accesses()
            if i <= index
        ][-8:]
        storage = "<br>".join(touched) or "<span class='hint'>none yet</span>"
        head = (
            f"<div>step {step.index}: pc {step.pc} <b><code>{_e(step.op)}</code></b>, "
            f"gas left {step.gas:,}, cost {step.cost:,}, depth {step.depth}</div>"
        )
        panes = _table(
            ["stack (top first)", "memory", "storage"],
            [[stack, f"<pre>{memory}</pre>", storage]],
        )
        return panel(head + source + panes)


def _source_html(location: SourceLocation, text: str, context: int = 3) -> str:
    """The lines around ``location`` (from its file's ``text``) with its own line highlighted."""
    lines = text.split("\n") if text else []
    if not 0 < location.line <= len(lines):
        lines, first = [location.line_text], location.line
    else:
        first = max(1, location.line - context)
        lines = lines[first - 1 : location.line + context]
    out = []
    for number, line in enumerate(lines, first):
        style = " style='background:#fff3b0'" if number == location.line else ""
        out.append(f"<div{style}><code>{number:>4} | {html.escape(line)}</code></div>")
    return f"<div><code>{_e(location.file)}</code></div><pre>{''.join(out)}</pre>"


def _hexdump(memory: bytes, limit: int = 512) -> str:
    rows = []
    for offset in range(0, min(len(memory), limit), 32):
        rows.append(f"{offset:04x}: {memory[offset : offset + 32].hex()}")
    if len(memory) > limit:
        rows.append(f"... {len(memory) - limit} more bytes")
    return html.escape("\n".join(rows))


# --- making a trace ---------------------------------------------------------------------------


def trace(
    target: Any,
    *args: Any,
    value: int = 0,
    sender: Any = None,
    gas: int | None = None,
    max_steps: int = MAX_STEPS,
    **kwargs: Any,
) -> Trace:
    """Trace a mined transaction (its ``Receipt``) or a call (``contract.fn`` and arguments)."""
    if isinstance(target, Receipt):
        if target.tx is None or target.chain is None:
            raise TraceError("this receipt does not say what was sent, so it cannot be replayed")
        chain, tx = target.chain, target.tx
        block = target.block_number - 1
        what = target.label
        deployed = chain._contracts.get(target.contract_address or "")
        deploying = deployed.artifact if deployed is not None else None
    elif isinstance(target, ContractFunction):
        contract = target.contract
        chain = contract.chain
        item, data = target._pick(args, kwargs)
        tx = chain._tx(contract.address, data, value, sender, gas)
        block, deploying = None, None
        from .abi import describe

        what = describe(item, contract.contract_name)
    else:
        raise TraceError(
            "lab.trace() takes a receipt or a contract function with its arguments, "
            f"e.g. lab.trace(counter.add, 5); got {type(target).__name__}"
        )
    if max_steps < 1:
        raise TraceError("max_steps must be at least 1")
    execution, raw = chain._backend.trace(tx, block, max_steps)
    steps, sources = _steps(chain, raw, deploying)
    error = None
    if execution is not None and not execution.success:
        receipt = target if isinstance(target, Receipt) else None
        error = chain._failure(execution, what, receipt=receipt, artifact=deploying, tx=tx)
    return Trace(
        steps,
        what=what,
        gas_limit=tx["gas"],
        gas_used=execution.gas_used if execution is not None else None,
        refund=execution.refund if execution is not None else 0,
        error=error,
        truncated=execution is None,
        max_steps=max_steps,
        sources=sources,
    )


def _steps(
    chain: Chain, raw: list[RawStep], deploying: Artifact | None
) -> tuple[list[Step], dict[str, str]]:
    """The raw steps with their Solidity locations, and the sources those point into."""
    located: dict[tuple[str, bool, int], SourceLocation | None] = {}
    codes: dict[tuple[str, bool, int], Any] = {}
    sources: dict[str, str] = {}
    steps = []
    for i, r in enumerate(raw):
        key = (r.address, r.is_create, r.pc)
        if key not in located:
            frame = (r.address, r.is_create, r.depth)
            if frame not in codes:
                codes[frame] = chain._code_of(r.address, r.is_create, r.depth, deploying)
            known = codes[frame]
            location = None
            if known is not None:
                artifact, code, smap = known
                comp = artifact.compilation
                location = sourcemap.locate(code, smap, r.pc, comp.source_ids, comp.sources)
                if location is not None:
                    sources.setdefault(location.file, comp.sources[location.file])
            located[key] = location
        steps.append(
            Step(
                index=i,
                pc=r.pc,
                opcode=r.op,
                gas=r.gas,
                cost=r.cost,
                depth=r.depth,
                address=r.address,
                stack=r.stack,
                memory=r.memory,
                storage=r.storage,
                location=located[key],
            )
        )
    return steps, sources


# --- what one transaction changed -------------------------------------------------------------


@dataclass
class StateDiff:
    """Storage slots and Ether balances one mined transaction changed (before -> after)."""

    what: str
    storage: list[tuple[str, int, int, int]]  # (address, slot, before, after)
    balances: list[tuple[str, int, int]]  # (address, before, after); the sender's includes gas

    def __repr__(self) -> str:
        lines = [f"Changes made by {self.what}:"]
        for address, slot, before, after in self.storage:
            lines.append(f"  {address} slot {hex(slot)}: {hex(before)} -> {hex(after)}")
        for address, before, after in self.balances:
            lines.append(f"  {address} balance: {before:,} -> {after:,} ({after - before:+,} wei)")
        if len(lines) == 1:
            lines.append("  nothing")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = [
            [
                f"<code>{_e(a)}</code>",
                f"slot <code>{hex(slot)}</code>",
                f"<code>{hex(b)}</code>",
                f"<code>{hex(n)}</code>",
            ]
            for a, slot, b, n in self.storage
        ] + [
            [f"<code>{_e(a)}</code>", "balance (wei)", f"{b:,}", f"{n:,} ({n - b:+,})"]
            for a, b, n in self.balances
        ]
        body = (
            _table(["account", "what", "before", "after"], rows)
            if rows
            else "<div>nothing changed</div>"
        )
        return panel(f"<div><b>Changes made by {_e(self.what)}</b></div>{body}")


def diff(receipt: Receipt) -> StateDiff:
    """What the transaction behind ``receipt`` changed: the storage slots it wrote and the
    balances it moved, read from the chain before and after its block."""
    if not isinstance(receipt, Receipt) or receipt.chain is None or receipt.tx is None:
        raise TraceError("lab.diff() takes the receipt of a transaction sent through the lab")
    backend = receipt.chain._backend
    before, after = receipt.block_number - 1, receipt.block_number
    t = trace(receipt)
    written = dict.fromkeys(
        (address, slot) for _, address, kind, slot, _ in t.storage_accesses() if kind == "write"
    )
    storage = []
    for address, slot in written:
        old, new = (
            backend.storage_at(address, slot, before),
            backend.storage_at(address, slot, after),
        )
        if old != new:
            storage.append((address, slot, old, new))
    accounts = dict.fromkeys(a for a in (receipt.sender, receipt.to, receipt.contract_address) if a)
    for step in t.steps:
        accounts[step.address] = None
        if (
            step.opcode in opcodes.CALLS
            and step.opcode not in (0xF0, 0xF5)
            and len(step.stack) >= 2
        ):
            accounts[_address_of(step.stack[-2])] = None  # the callee, maybe a plain account
    balances = []
    for address in accounts:
        old, new = backend.balance(address, before), backend.balance(address, after)
        if old != new:
            balances.append((address, old, new))
    return StateDiff(t.what, storage, balances)


def _address_of(word: int) -> str:
    """The address in the low 20 bytes of a stack word, checksummed."""
    return to_checksum_address((word & ((1 << 160) - 1)).to_bytes(20, "big"))
