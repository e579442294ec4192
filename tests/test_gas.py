"""Gas reports (per function, over a block of code) and the comparison chart."""

from __future__ import annotations

import pytest

import sollab as lab
from sollab.gas import GasReportError

SOURCE = """\
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

contract Loose {
    uint8 public a;
    uint256 public b;
    uint8 public c;

    function set(uint8 x, uint8 z) external {
        a = x;
        c = z;
    }
}

contract Packed {
    uint8 public a;
    uint8 public c;
    uint256 public b;

    function set(uint8 x, uint8 z) external {
        a = x;
        c = z;
    }
}
"""


@pytest.fixture(scope="module")
def compiled():
    return lab.compile_source(SOURCE, "Packing.sol")


def test_report_counts_each_function_with_min_median_max(chain, compiled):
    """Does a report hold every successful transaction and call made inside it, by function,
    with the receipts' own gas figures, and nothing from outside it?"""
    loose = chain.deploy(compiled["Loose"])
    loose.set(1, 1)  # before the report: not counted
    with lab.gas_report(chain) as report:
        receipts = [loose.set(i, i) for i in range(2, 7)]
        loose.a()
        with pytest.raises(lab.ArgumentError):
            loose.set(300, 1)  # a bad argument: never sent, not counted
    loose.set(9, 9)  # after: not counted
    row = report["set"]
    assert row.kind == "transaction" and row.calls == 5
    assert sorted(row.gas) == sorted(r.gas_used for r in receipts)
    assert row.min <= row.median <= row.max
    assert report["Loose.a()"].kind == "call"
    assert report.total() == sum(r.gas_used for r in receipts)
    text = str(report)
    assert "Loose.set(uint8 x, uint8 z)" in text and "median" in text
    assert "<table>" in report._repr_html_()


def test_unknown_function_in_a_report_is_a_one_line_error(chain, compiled):
    with lab.gas_report(chain) as report:
        chain.deploy(compiled["Loose"])
    assert report["Loose.deploy"].calls == 1
    with pytest.raises(GasReportError, match="no function matches 'transfer'"):
        report["transfer"]


def test_chart_compares_two_implementations(chain, compiled):
    """Is packing visible in the chart's data: fewer gas per `set` for Packed?"""
    reports = {}
    for name in ("Loose", "Packed"):
        contract = chain.deploy(compiled[name])
        with lab.gas_report(chain) as reports[name]:
            for i in range(3):
                contract.set(i + 1, i + 2)
    assert reports["Packed"]["set"].median < reports["Loose"]["set"].median
    chart = lab.gas_chart(loose=reports["Loose"], packed=reports["Packed"])
    png = chart._repr_png_()
    assert png.startswith(b"\x89PNG")
    (ax,) = chart.figure.axes
    heights = [bar.get_height() for bar in ax.patches]
    assert heights == [reports["Loose"]["set"].median, reports["Packed"]["set"].median]


def test_chart_needs_reports():
    with pytest.raises(GasReportError):
        lab.gas_chart(oops=42)
