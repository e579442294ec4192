"""The IPython extension, driven through a real IPython shell: ``%%solidity``, ``%solidity_file``,
how failures show, and the ``lab`` name."""

from __future__ import annotations

import pytest

import sollab as lab
import sollab.magics
from sollab.contracts import Contract, ContractFactory
from sollab.errors import LabError, RevertError
from sollab.grading import Unfinished
from sollab.magics import CellFailed

HEADER = "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.24;\n"

COUNTER_CELL = (
    "%%solidity\n"
    + HEADER
    + """
interface ITick {
    function tick() external;
}

contract MagicCounter is ITick {
    uint256 public count;

    constructor(uint256 start) {
        count = start;
    }

    function tick() external {
        require(count < 7, "too high");
        count += 1;
    }
}
"""
)


@pytest.fixture(scope="module")
def ip():
    """The test-suite IPython shell (one per process) with the extension loaded."""
    from IPython.testing.globalipapp import get_ipython

    shell = get_ipython()  # the one test shell (started on first use)
    shell.run_line_magic("load_ext", "sollab")
    return shell


@pytest.fixture
def shown(monkeypatch):
    """Everything the magics display, in order (instead of sending it to a front end)."""
    objects: list = []
    monkeypatch.setattr(sollab.magics, "display", lambda *objs, **kw: objects.extend(objs))
    return objects


def run(ip, source: str):
    return ip.run_cell(source, store_history=False)


def test_lab_is_in_the_namespace_after_load_ext(ip):
    """After `%load_ext sollab`, is `lab` the sollab package in the user namespace?"""
    assert ip.user_ns["lab"] is lab


def test_cell_binds_each_contract_and_interface(ip, shown):
    """Does a `%%solidity` cell bind every contract and interface in it as a ContractFactory,
    and say so in both its HTML and its text?"""
    result = run(ip, COUNTER_CELL)
    assert result.success, result.error_in_exec
    for name in ("MagicCounter", "ITick"):
        factory = ip.user_ns[name]
        assert isinstance(factory, ContractFactory)
        assert factory.name == name
    assert len(shown) == 1
    text, html = repr(shown[0]), shown[0]._repr_html_()
    assert "Compiled with solc 0.8." in text
    assert "MagicCounter" in text and "ITick" in text
    assert "<code>MagicCounter</code>" in html and "<code>ITick</code>" in html


def test_bound_contract_deploys_and_is_called_from_python(ip, shown):
    """Does `MagicCounter.deploy(5)` in a later cell deploy, and do its functions work?"""
    assert run(ip, COUNTER_CELL).success
    result = run(ip, "c = MagicCounter.deploy(5)\nc.tick()\nvalue = c.count()")
    assert result.success, result.error_in_exec
    assert isinstance(ip.user_ns["c"], Contract)
    assert ip.user_ns["value"] == 6


def test_bound_factories_deploy_on_the_current_chain(ip, shown):
    """After `lab.reset()`, does a factory bound earlier deploy on the new chain?"""
    assert run(ip, COUNTER_CELL).success
    result = run(ip, "lab.reset()\nfresh = MagicCounter.deploy(1)")
    assert result.success, result.error_in_exec
    assert ip.user_ns["fresh"].chain is lab.get_chain()


def test_optimize_option(ip, shown):
    """Does `%%solidity --optimize` compile with the optimizer on?"""
    cell = "%%solidity --optimize\n" + HEADER + "contract Optimized { uint256 public x = 2; }\n"
    result = run(ip, cell)
    assert result.success, result.error_in_exec
    settings = ip.user_ns["Optimized"].artifact.standard_json_input["settings"]
    assert settings["optimizer"]["enabled"] is True


def test_solc_option_picks_an_older_compiler(ip, shown):
    """Does `%%solidity --solc 0.7.6` compile a `pragma solidity ^0.7.0` cell with 0.7.6, and
    does the contract deploy and answer?"""
    cell = (
        "%%solidity --solc 0.7.6\n// SPDX-License-Identifier: MIT\npragma solidity ^0.7.0;\n"
        "contract OldStyle { uint256 public x = 3; }\n"
    )
    result = run(ip, cell)
    assert result.success, result.error_in_exec
    assert ip.user_ns["OldStyle"].artifact.solc_version.startswith("0.7.6+")
    assert "solc 0.7.6" in repr(shown[0])
    assert run(ip, "old_x = OldStyle.deploy().x()").success
    assert ip.user_ns["old_x"] == 3


def test_syntax_error_fails_the_cell_and_keeps_the_earlier_binding(ip, shown):
    """Does a cell with a syntax error fail with CellFailed (a LabError), show the error, and
    leave the earlier `Keep` binding the very same object?"""
    assert run(ip, "%%solidity\n" + HEADER + "contract Keep { uint256 public x; }\n").success
    before = ip.user_ns["Keep"]
    shown.clear()
    result = run(ip, "%%solidity\n" + HEADER + "contract Keep { uint256 public x }\n")
    assert not result.success
    assert isinstance(result.error_in_exec, CellFailed)
    assert isinstance(result.error_in_exec, LabError)
    assert "earlier contracts are unchanged" in str(result.error_in_exec)
    assert ip.user_ns["Keep"] is before
    assert len(shown) == 1
    assert "ParserError" in repr(shown[0])
    assert "ParserError" in shown[0]._repr_html_()


def test_python_in_a_solidity_cell_is_pointed_out(ip, shown):
    """Does a `%%solidity` cell holding Python fail and say it looks like Python?"""
    result = run(ip, "%%solidity\nimport sollab as lab\ncounter = lab.chain\n")
    assert isinstance(result.error_in_exec, CellFailed)
    assert "looks like Python" in repr(shown[0])
    assert "looks like Python" in shown[0]._repr_html_()


def test_solidity_syntax_error_is_not_called_python(ip, shown):
    """Does an ordinary Solidity syntax error get no "looks like Python" note?"""
    result = run(ip, "%%solidity\n" + HEADER + "contract NoSemi { uint256 x }\n")
    assert isinstance(result.error_in_exec, CellFailed)
    assert "looks like Python" not in repr(shown[0])


def test_two_contracts_with_one_name(ip, shown):
    """Does a cell declaring `Twice` twice fail with the "already declared" error and its hint?"""
    cell = "%%solidity\n" + HEADER + "contract Twice {}\ncontract Twice {}\n"
    result = run(ip, cell)
    assert isinstance(result.error_in_exec, CellFailed)
    assert isinstance(ip.user_ns["Twice"], Unfinished)  # "not compiled yet", not a NameError
    text = repr(shown[0])
    assert "already declared" in text
    assert "hint: this name is used twice" in text
    assert "this name is used twice" in shown[0]._repr_html_()


def test_warnings_show_collapsed_and_the_cell_succeeds(ip, shown):
    """Does a cell without an SPDX line succeed and show its warning collapsed in <details>?"""
    result = run(ip, "%%solidity\npragma solidity ^0.8.24;\ncontract Unlicensed {}\n")
    assert result.success, result.error_in_exec
    assert isinstance(ip.user_ns["Unlicensed"], ContractFactory)
    html = shown[0]._repr_html_()
    details = html[html.index("<details>") : html.index("</details>")]
    assert "<summary" in details and "1 compiler warning" in details
    assert "SPDX" in details
    assert "1 warning(s)" in repr(shown[0])
    assert "SPDX" in repr(shown[0])


def test_solidity_file_binds_its_contracts(ip, shown, repo):
    """Does `%solidity_file <repo>/contracts/examples/Counter.sol` bind Counter, ready to
    deploy?"""
    result = run(ip, f"%solidity_file {repo / 'contracts' / 'examples' / 'Counter.sol'}")
    assert result.success, result.error_in_exec
    assert isinstance(ip.user_ns["Counter"], ContractFactory)
    assert "Counter" in repr(shown[0])
    assert run(ip, "file_counter = Counter.deploy(2)\nfile_count = file_counter.count()").success
    assert ip.user_ns["file_count"] == 2


def test_solidity_file_missing(ip, shown, tmp_path, capsys):
    """Does `%solidity_file` of a missing file fail with a one-line error naming the file?"""
    missing = tmp_path / "Nope.sol"
    result = run(ip, f"%solidity_file {missing}")
    assert isinstance(result.error_in_exec, CellFailed)
    lines = result.error_in_exec._render_traceback_()
    assert len(lines) == 1
    assert str(missing) in lines[0] and "does not exist" in lines[0]
    printed = capsys.readouterr().out.strip()
    assert printed.count("\n") == 0
    assert str(missing) in printed


def test_empty_cell_fails_in_one_line(ip, shown):
    """Does a cell with no contract fail with one line saying what to declare, not a line
    quoting IPython's `run_cell_magic(...)` call?"""
    result = run(ip, "%%solidity\n" + HEADER)
    assert isinstance(result.error_in_exec, CellFailed)
    lines = result.error_in_exec._render_traceback_()
    assert len(lines) == 1
    assert "no contract" in lines[0]
    assert "run_cell_magic" not in lines[0]


def test_revert_in_a_cell_renders_message_location_and_cell_line(ip, shown):
    """Does `_render_traceback_` of a revert raised in a cell give the message, the Solidity
    location of the `require`, and "line 3 of your cell"?"""
    assert run(ip, COUNTER_CELL).success
    result = run(ip, "high = MagicCounter.deploy(7)\nx = 1\nhigh.tick()\n")
    exc = result.error_in_exec
    assert isinstance(exc, RevertError)
    text = "\n".join(exc._render_traceback_())
    assert "RevertError" in text and "'too high'" in text
    # the cell's source unit is named after its first declaration; its line numbers are the
    # cell's own, with `%%solidity` as line 1
    assert "ITick.sol:17:9" in text
    assert 'require(count < 7, "too high");' in text
    assert "^^^" in text
    assert "line 3 of your cell: high.tick()" in text


def test_shown_traceback_hides_sollab_internals(ip, shown, capsys):
    """Does what IPython prints for a revert leave out sollab's (and web3's) own frames?

    The test shell from `IPython.testing.globalipapp` prints every traceback with
    `print(..., file=sys.stdout)` at the moment it is shown, so `capsys` captures exactly the
    text a learner would see under the cell; no IPython internals need patching."""
    assert run(ip, COUNTER_CELL).success
    capsys.readouterr()
    result = run(ip, "top = MagicCounter.deploy(7)\ntop.tick()\n")
    assert isinstance(result.error_in_exec, RevertError)
    printed = capsys.readouterr().out
    assert "RevertError" in printed and "too high" in printed
    assert "line 2 of your cell" in printed
    assert "Traceback" not in printed
    for internal in ("sollab/", "contracts.py", "chain.py", "_transact", "site-packages"):
        assert internal not in printed


def test_a_plain_python_error_still_gets_a_normal_traceback(ip, capsys):
    """Is IPython's usual traceback left alone for errors that are not the lab's?"""
    capsys.readouterr()
    result = run(ip, "1 / 0")
    assert isinstance(result.error_in_exec, ZeroDivisionError)
    assert "ZeroDivisionError" in capsys.readouterr().out


def test_a_released_stub_cell_says_not_done_yet(ip):
    """Does a %%solidity cell still holding nbgrader's `// YOUR CODE HERE` fail with a
    friendly "not done yet", not a compile error?"""
    result = run(
        ip, "%%solidity\npragma solidity ^0.8.24;\ncontract Todo {\n    // YOUR CODE HERE\n}\n"
    )
    assert not result.success
    assert isinstance(result.error_in_exec, CellFailed)
    assert str(result.error_in_exec).startswith("not done yet")


def test_solution_markers_are_not_solidity_and_are_ignored(ip):
    """Does an instructor's cell with `### BEGIN SOLUTION` lines compile, with the cell's own
    line numbers kept?"""
    cell = (
        "%%solidity\npragma solidity ^0.8.24;\ncontract Marked {\n"
        "    ### BEGIN SOLUTION\n    uint256 public x = 1;\n    ### END SOLUTION\n}\n"
    )
    assert run(ip, cell).success
    lines = ip.user_ns["Marked"].artifact.compilation.sources["Marked.sol"].split("\n")
    assert lines[4].strip() == "uint256 public x = 1;"  # line 5 of the cell, as in the notebook
    assert lines[3] == ""  # the marker line, blanked


def test_an_unfinished_cell_binds_placeholders_that_grade_to_zero_saying_why(ip):
    """A released stub binds its contract as "not compiled yet": the grade cell scores 0 with
    the reason, using it says what is wrong, and an earlier compiled contract is kept."""
    from sollab.grading import NotCompiled, grade

    ip.user_ns.pop("Counter", None)
    result = run(ip, "%%solidity\n" + HEADER + "contract Counter {\n    // YOUR CODE HERE\n}\n")
    assert isinstance(result.error_in_exec, CellFailed)
    placeholder = ip.user_ns["Counter"]
    assert isinstance(placeholder, Unfinished)
    with pytest.raises(NotCompiled, match="YOUR CODE HERE"):
        placeholder.deploy()
    score = grade("05-solidity-basics/counter", placeholder, quiet=True, record=False)
    assert float(score) == 0
    assert all("not compiled yet" in r.message for r in score.results)
    ip.user_ns["Kept"] = kept = object()
    run(ip, "%%solidity\n" + HEADER + "contract Kept {\n    // YOUR CODE HERE\n}\n")
    assert ip.user_ns["Kept"] is kept
