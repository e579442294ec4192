"""Rich displays for notebooks: compiled contracts, deployed handles, receipts, errors.

Each object's ``_repr_html_`` calls one function here; every function also has a plain-text
counterpart (the objects' ``__repr__``/``__str__``) for exported notebooks and terminals.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from . import abi

if TYPE_CHECKING:
    from .compiler import Artifact
    from .contracts import Contract, Receipt
    from .diagnostics import Diagnostic, SourceLocation
    from .errors import CompileError, LabError

EIP170_LIMIT = 24_576  # bytes of deployed code a contract may have on mainnet

_STYLE = (
    "<style>.sollab{font-family:var(--jp-content-font-family,sans-serif);font-size:13px}"
    ".sollab table{border-collapse:collapse;margin:4px 0}"
    # JupyterLab right-aligns table cells in rendered HTML (.jp-RenderedHTMLCommon td): ours
    # read as text, left-aligned, whatever order the style sheets load in.
    ".sollab td,.sollab th{padding:2px 8px;text-align:left!important;"
    "border-bottom:1px solid #ddd}"
    ".sollab pre{background:#f6f8fa;padding:6px 8px;margin:4px 0;border-radius:4px}"
    ".sollab .err{color:#b00020}.sollab .warn{color:#8a6d00}.sollab .ok{color:#067d17}"
    ".sollab .hint{color:#555;font-style:italic}.sollab code{font-size:12px}</style>"
)


class Rich:
    """Something to display: HTML for notebooks, plain text for everything else."""

    def __init__(self, html: str, text: str):
        self.html, self.text = html, text

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return self.text


def panel(body: str) -> str:
    return f'{_STYLE}<div class="sollab">{body}</div>'


def _e(value: Any) -> str:
    return html.escape(str(value))


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


# --- source and diagnostics -----------------------------------------------------------------


def location_html(location: SourceLocation) -> str:
    return f"<div>at <code>{_e(location)}</code></div><pre>{_e(location.snippet())}</pre>"


def diagnostic_html(d: Diagnostic) -> str:
    cls = "err" if d.is_error else "warn"
    parts = [f'<div class="{cls}"><b>{_e(d.type)}</b>: {_e(d.message)}</div>']
    if d.location is not None:
        parts.append(location_html(d.location))
    if d.hint:
        parts.append(f'<div class="hint">hint: {_e(d.hint)}</div>')
    return "".join(parts)


def warnings_html(warnings: list[Diagnostic]) -> str:
    """Compiler warnings, collapsed under one line."""
    if not warnings:
        return ""
    items = "".join(diagnostic_html(w) for w in warnings)
    n = len(warnings)
    summary = f'<summary class="warn">{n} compiler warning{"s" if n != 1 else ""}</summary>'
    return f"<details>{summary}{items}</details>"


def compile_error_html(exc: CompileError) -> str:
    shown = exc.errors if exc.verbose else exc.errors[:3]
    hidden = len(exc.errors) - len(shown)
    body = "".join(diagnostic_html(d) for d in shown)
    if hidden:
        body += f"<div>... and {hidden} more error(s)</div>"
    warnings = [d for d in exc.diagnostics if not d.is_error]
    n = len(exc.errors)
    return panel(
        f'<div class="err"><b>{n} compile error{"s" if n != 1 else ""}</b></div>'
        + body
        + warnings_html(warnings)
    )


# --- compiled contracts ---------------------------------------------------------------------


def _mutability(item: dict[str, Any]) -> str:
    return item.get("stateMutability", "")


def artifact_html(artifact: Artifact) -> str:
    functions = [i for i in artifact.abi if i.get("type") == "function"]
    events = [i for i in artifact.abi if i.get("type") == "event"]
    errors = [i for i in artifact.abi if i.get("type") == "error"]
    size = (len(artifact.deployed_bytecode) - 2) // 2
    if artifact.is_deployable:
        over = (
            " <span class='err'>(over the 24,576-byte limit)</span>" if size > EIP170_LIMIT else ""
        )
        kind = f"{size:,} bytes of deployed code{over}"
    else:
        kind = "interface or abstract contract: no code to deploy"
    rows = []
    for item in functions:
        outputs = ", ".join(abi.canonical_type(o) for o in item.get("outputs", []))
        rows.append(
            [
                f"<code>{_e(abi.describe(item))}</code>",
                _e(_mutability(item)),
                f"<code>{_e(outputs)}</code>" if outputs else "",
            ]
        )
    parts = [
        f"<div><b>{_e(artifact.name)}</b> &nbsp;<span class='hint'>{_e(artifact.source)}, "
        f"solc {_e(artifact.solc_version.split('+')[0])}, {kind}</span></div>"
    ]
    ctor = next((i for i in artifact.abi if i.get("type") == "constructor"), None)
    if ctor is not None and artifact.is_deployable:  # an abstract contract's is not callable
        signature = abi.describe(dict(ctor, name=f"{artifact.name}.deploy"))
        parts.append(f"<div>deploy with <code>{_e(signature)}</code></div>")
    if rows:
        parts.append(_table(["function", "mutability", "returns"], rows))
    if events:
        parts.append(
            "<div>events: "
            + ", ".join(f"<code>{_e(abi.describe(i))}</code>" for i in events)
            + "</div>"
        )
    if errors:
        parts.append(
            "<div>errors: "
            + ", ".join(f"<code>{_e(abi.describe(i))}</code>" for i in errors)
            + "</div>"
        )
    return panel("".join(parts))


# --- deployed contracts and transactions ----------------------------------------------------


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def contract_html(contract: Contract, max_values: int = 12) -> str:
    """Address, balance, and the current value of each public no-argument view."""
    chain = contract.chain
    rows = []
    for name, fn in sorted(contract.functions.items()):
        overload = next((o for o in fn.overloads if not o.get("inputs")), None)
        if overload is None or overload.get("stateMutability") not in ("view", "pure"):
            continue
        if len(rows) >= max_values:
            break
        try:
            value = _short(fn.call())
        except Exception as exc:  # a view that reverts is shown as such, not raised
            value = f"<span class='err'>{_e(type(exc).__name__)}</span>"
        else:
            value = f"<code>{_e(value)}</code>"
        rows.append([f"<code>{_e(name)}()</code>", value])
    head = (
        f"<div><b>{_e(contract.contract_name)}</b> at <code>{_e(contract.address)}</code>"
        f" &nbsp;<span class='hint'>balance {chain.balance(contract.address):,} wei</span></div>"
    )
    return panel(head + (_table(["state", "value"], rows) if rows else ""))


def receipt_html(receipt: Receipt) -> str:
    status = (
        "<span class='ok'>success</span>"
        if receipt.succeeded
        else "<span class='err'>reverted</span>"
    )
    what = receipt.label
    parts = [
        f"<div><b>{_e(what)}</b>: {status}, gas used <b>{receipt.gas_used:,}</b>, "
        f"block {receipt.block_number} <span class='hint'>{_e(receipt.tx_hash)}</span></div>"
    ]
    if receipt.return_value is not None:
        parts.append(f"<div>returned <code>{_e(_short(receipt.return_value))}</code></div>")
    if receipt.contract_address:
        parts.append(f"<div>created <code>{_e(receipt.contract_address)}</code></div>")
    if receipt.events:
        rows = []
        for event in receipt.events:
            args = getattr(event, "args", None)
            shown = (
                ", ".join(f"{k}={_short(v)}" for k, v in args.items())
                if args is not None
                else _short(event)
            )
            rows.append(
                [f"<code>{_e(getattr(event, 'name', 'log'))}</code>", f"<code>{_e(shown)}</code>"]
            )
        parts.append(_table(["event", "arguments"], rows))
    return panel("".join(parts))


def error_html(exc: LabError) -> str:
    """A revert (or any lab error): its kind, message and the Solidity line."""
    location = getattr(exc, "location", None)
    message = getattr(exc, "message", None) or str(exc)
    body = f"<div class='err'><b>{_e(type(exc).__name__)}</b>: {_e(message)}</div>"
    if location is not None:
        body += location_html(location)
    return panel(body)
