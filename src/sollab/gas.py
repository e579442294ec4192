"""Gas reports: what each function cost over a block of code, like Foundry's --gas-report.

    with lab.gas_report() as naive:
        for _ in range(10):
            token.transfer(bob, 1)
    naive                                  # function, calls, min / median / max gas
    lab.gas_chart(naive=naive, packed=packed)   # a bar chart comparing implementations

For where the gas of one transaction went, line by line, see ``lab.trace(receipt).gas_by_line()``.
"""

from __future__ import annotations

import io
import statistics
from dataclasses import dataclass, field
from typing import Any

from .display import _e, _table, panel
from .errors import LookupFailed


@dataclass
class GasRow:
    what: str  # "Token.transfer(address to, uint256 value)", "Token.deploy", ...
    kind: str  # "transaction" or "call" (a view: no transaction, but its gas all the same)
    gas: list[int] = field(default_factory=list)

    @property
    def calls(self) -> int:
        return len(self.gas)

    @property
    def min(self) -> int:
        return min(self.gas)

    @property
    def max(self) -> int:
        return max(self.gas)

    @property
    def median(self) -> int:
        return int(statistics.median(self.gas))

    @property
    def mean(self) -> int:
        return round(statistics.fmean(self.gas))


def _bare(what: str) -> str:
    """``transfer`` from ``Token.transfer(address to, uint256 value)``."""
    return what.split("(")[0].split(".")[-1]


class GasReport:
    """Gas of every successful call and transaction on a chain while the report is open."""

    def __init__(self, chain: Any) -> None:
        self.chain = chain
        self._rows: dict[tuple[str, str], GasRow] = {}

    def _watch(self, what: str, kind: str, gas: int) -> None:
        self._rows.setdefault((what, kind), GasRow(what, kind)).gas.append(gas)

    def __enter__(self) -> GasReport:
        self.chain._gas_watchers.append(self._watch)
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.chain._gas_watchers.remove(self._watch)

    @property
    def rows(self) -> list[GasRow]:
        return sorted(self._rows.values(), key=lambda r: (r.kind != "transaction", r.what))

    def __getitem__(self, what: str) -> GasRow:
        """The row whose function is ``what``: a full label, or a bare name like ``transfer``."""
        matches = [r for r in self._rows.values() if what in (r.what, _bare(r.what))]
        if len(matches) != 1:
            known = ", ".join(r.what for r in self.rows) or "nothing recorded"
            problem = "no function" if not matches else "more than one function"
            raise GasReportError(f"{problem} matches {what!r} in this report ({known})")
        return matches[0]

    def total(self) -> int:
        """Gas of all the transactions recorded (calls cost nothing on chain)."""
        return sum(sum(r.gas) for r in self._rows.values() if r.kind == "transaction")

    def __str__(self) -> str:
        if not self._rows:
            return "Gas report: nothing recorded"
        width = max(len(r.what) for r in self.rows)
        lines = [
            f"{'function':<{width}}  {'kind':<11} {'calls':>5} {'min':>9} {'median':>9} {'max':>9}"
        ]
        for r in self.rows:
            figures = f"{r.calls:>5} {r.min:>9,} {r.median:>9,} {r.max:>9,}"
            lines.append(f"{r.what:<{width}}  {r.kind:<11} {figures}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        rows = [
            [
                f"<code>{_e(r.what)}</code>",
                r.kind,
                str(r.calls),
                f"{r.min:,}",
                f"{r.median:,}",
                f"{r.max:,}",
            ]
            for r in self.rows
        ]
        if not rows:
            return panel("<div>Gas report: nothing recorded</div>")
        table = _table(["function", "kind", "calls", "min", "median", "max"], rows)
        return panel(f"<div><b>Gas report</b> ({self.total():,} gas in transactions)</div>{table}")


class GasReportError(LookupFailed):
    """Asked a gas report for a function it has not recorded (or an ambiguous name)."""


def gas_report(chain: Any = None) -> GasReport:
    """A report of the gas used on ``chain`` (the kernel's by default) inside a ``with``."""
    if chain is None:
        from . import get_chain

        chain = get_chain()
    return GasReport(chain)


@dataclass
class GasChart:
    """A bar chart (matplotlib) of median gas per function, one bar per report."""

    figure: Any

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", bbox_inches="tight")
        return buffer.getvalue()


def gas_chart(**reports: GasReport) -> GasChart:
    """Compare implementations: ``lab.gas_chart(naive=r1, optimised=r2)``; functions are
    matched by name (``Token.transfer`` in one report matches ``Token2.transfer`` in another)."""
    if len(reports) < 1 or not all(isinstance(r, GasReport) for r in reports.values()):
        raise GasReportError("gas_chart(name=report, ...) takes gas reports by name")
    from matplotlib.figure import Figure

    functions = sorted(
        {_bare(r.what) for rep in reports.values() for r in rep.rows if r.kind == "transaction"}
    )
    if not functions:
        raise GasReportError("the reports recorded no transactions to compare")
    figure = Figure(figsize=(max(4, 1.2 * len(functions) * len(reports)), 3.5))
    ax = figure.subplots()
    width = 0.8 / len(reports)
    for i, (name, report) in enumerate(reports.items()):
        medians = {_bare(r.what): r.median for r in report.rows if r.kind == "transaction"}
        xs = [j + i * width for j in range(len(functions))]
        bars = ax.bar(xs, [medians.get(f, 0) for f in functions], width, label=name)
        ax.bar_label(bars, fmt="{:,.0f}", fontsize=7)
    ax.set_xticks([j + width * (len(reports) - 1) / 2 for j in range(len(functions))], functions)
    ax.set_ylabel("median gas per transaction")
    ax.legend()
    return GasChart(figure)
