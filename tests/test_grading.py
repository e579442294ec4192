"""Exercise checks: written once in graders/, graded with partial credit and learner-facing
messages, run against every solution (full marks) and every released starter (zero)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import strategies as st

import sollab as lab
from sollab.chain import Chain
from sollab.cli import main
from sollab.grading import (
    CheckFailed,
    GradingError,
    Score,
    exercise,
    exercises_table,
    fresh_registry,
    get_exercise,
    load_graders,
)

REPO = Path(__file__).resolve().parent.parent
COUNTER = "05-solidity-basics/counter"

ALMOST = """\
pragma solidity ^0.8.24;
contract Counter {
    uint256 public count;
    function increment() external { count += count == 3 ? 2 : 1; }
    function reset() external { count = 0; }
}
"""


def contract_exercises():
    return [e for e in load_graders().values() if e.submits == "contract"]


@pytest.mark.parametrize("ex", contract_exercises(), ids=lambda e: e.id)
def test_every_solution_scores_full_marks(ex):
    source = REPO / "solutions" / ex.lesson / f"{ex.contract}.sol"
    score = lab.grade(ex.id, lab.compile_file(source), quiet=True)
    assert float(score) == ex.points, score.report()


#: Lessons whose starters are working contracts the learner improves (lesson 12 makes wasteful
#: contracts cheaper): they keep their behaviour points and fail their gas budgets.
WORKING_STARTERS = {"12-gas"}


@pytest.mark.parametrize("ex", contract_exercises(), ids=lambda e: e.id)
def test_every_released_starter_scores_zero_without_crashing(ex):
    source = REPO / "contracts" / ex.lesson / f"{ex.contract}.sol"
    score = lab.grade(ex.id, lab.compile_file(source), quiet=True)
    if ex.lesson in WORKING_STARTERS:
        assert 0 < float(score) < ex.points, score.report()
    else:
        assert float(score) == 0
    failed = [r for r in score.results if not r.passed]
    assert failed and all(r.message and "Traceback" not in r.message for r in failed)


def test_partial_credit_and_the_smallest_failing_input():
    """A counter that skips a number after 3 and lets anyone reset: does it earn exactly the
    checks it passes, and does the fuzzed check name the smallest input that breaks it?"""
    score = lab.grade(COUNTER, ALMOST, quiet=True)
    by_title = {r.title: r for r in score.results}
    assert float(score) == 2  # starts at zero (1) + owner can reset (1)
    fuzzed = by_title["increment() adds one each time"]
    assert not fuzzed.passed
    assert "smallest failing input: 4" in fuzzed.message
    assert "count() to be 4 after 4 increment() calls; got 5" in fuzzed.message
    hidden = by_title["anyone else's reset() reverts and changes nothing"]
    assert hidden.hidden and "to revert" in hidden.message


def test_score_is_a_number_nbgrader_can_read_with_the_report():
    score = lab.grade(COUNTER, ALMOST, quiet=True)
    assert isinstance(score, Score) and isinstance(score, float)
    assert repr(score) == "2.0"
    text = score.report()
    assert text.startswith(f"{COUNTER} — A counter with an owner-only reset: 2 / 6")
    assert "(hidden)" in text and "✗" in text and "✓" in text
    assert "<table>" in score.report_html()


def test_a_notebook_shows_the_score_out_of_its_maximum_and_nbgrader_still_reads_the_number():
    """Does the grade cell's value show as "score: 2 / 6" in a notebook, while the plain-text
    form nbgrader's partial credit parses stays the bare number?"""
    from IPython.core.formatters import DisplayFormatter

    score = lab.grade(COUNTER, ALMOST, quiet=True)
    data, _ = DisplayFormatter().format(score)
    assert data["text/plain"] == "2.0"
    assert "score: <b>2 / 6</b>" in data["text/html"]


def test_reports_never_show_check_code(capsys):
    """Does a failing hidden check report only its title and message, never grader source?"""
    lab.grade(COUNTER, ALMOST)
    printed = capsys.readouterr().out
    assert "def " not in printed and "t.expect" not in printed and "graders/" not in printed


def test_any_form_of_contract_submission_is_accepted(repo):
    """A %%solidity factory, an Artifact, a CompilationResult and source text grade alike."""
    source = (repo / "solutions" / "05-solidity-basics" / "Counter.sol").read_text()
    result = lab.compile_source(source, "Counter.sol")
    factory = lab.ContractFactory(result["Counter"], lab.get_chain)
    for submission in (factory, result["Counter"], result, source):
        assert float(lab.grade(COUNTER, submission, quiet=True)) == 6


def test_grading_leaves_the_learners_chain_alone():
    before = (lab.chain.block_number, lab.chain.balance(lab.chain.alice))
    lab.grade(COUNTER, ALMOST, quiet=True)
    assert (lab.chain.block_number, lab.chain.balance(lab.chain.alice)) == before


def test_a_wrong_kind_of_submission_scores_zero_with_the_reason():
    score = lab.grade(COUNTER, 42, quiet=True)
    assert float(score) == 0
    assert all("expects the compiled contract Counter" in r.message for r in score.results)


def test_a_crashing_check_fails_alone_with_a_one_line_reason():
    with fresh_registry():
        ex = exercise("99-test/crash", "crash", submits="value")

        @ex.check("crashes", points=1)
        def _(t):
            raise TypeError("boom")

        @ex.check("passes", points=2)
        def _(t):
            t.expect(t.submission == 5, "5")

        @ex.property("fuzzed", st.integers(0, 100), points=1, examples=20)
        def _(t, n):
            t.expect(n < 10, "n below 10", f"{n}")

        score = lab.grade("99-test/crash", 5, quiet=True)
        crashed, passed, fuzzed = score.results
        assert crashed.message == "the check stopped with TypeError: boom"
        assert passed.passed and float(score) == 2
        assert fuzzed.message.endswith("smallest failing input: 10")


def test_a_propertys_setup_runs_once_and_each_input_starts_from_it(counter_artifact):
    """Does ``setup=`` run once per check (not once per input), hand its result to every input
    as t.setup, give each input the chain as setup left it, and is it all undone afterwards?"""
    with fresh_registry():
        ex = exercise("99-test/setup", "setup", contract="Counter")
        runs: list[int] = []

        def deploy_once(t):
            runs.append(1)
            return t.deploy(5)

        @ex.property("counts from 5", st.integers(1, 3), points=1, examples=6, setup=deploy_once)
        def _(t, n):
            for _ in range(n):
                t.setup.increment()
            t.expect(t.setup.count() == 5 + n, f"count() to be {5 + n}", f"{t.setup.count()}")

        chain = Chain()
        before = chain.block_number
        score = lab.grade("99-test/setup", counter_artifact, quiet=True, chain=chain)
        assert float(score) == 1, score.report()
        assert runs == [1]
        assert chain.block_number == before


def test_a_learners_function_that_raises_fails_its_checks_saying_so():
    """t.call: "not done yet" for the released stub, what was raised otherwise; a property
    that finds two different failures reports one; value exercises never start a chain."""
    with fresh_registry():
        ex = exercise("99-test/double", "double", submits="function", name="double")

        @ex.check("doubles 2", points=1)
        def _(t):
            t.expect(t.call(2) == 4, "double(2) to be 4")

        @ex.property("doubles anything", st.integers(-50, 50), points=1, examples=30)
        def _(t, n):
            got = t.call(n)
            t.expect(got % 2 == 0, "an even number")
            t.expect(got == 2 * n, f"double({n}) to be {2 * n}", f"{got}")

        def stub(n):
            raise NotImplementedError()

        def broken(n):
            if n > 3:
                raise ValueError("too big")
            return 2 * n if n != -7 else 3

        first, fuzzed = lab.grade("99-test/double", stub, quiet=True).results
        assert "not done yet" in first.message and "smallest" not in fuzzed.message
        first, fuzzed = lab.grade("99-test/double", broken, quiet=True).results
        assert first.passed
        assert "raised ValueError: too big" in fuzzed.message or "-7" in fuzzed.message
        assert "ExceptionGroup" not in fuzzed.message


def test_expect_revert_fails_with_the_learners_message_when_it_goes_through(counter_artifact):
    with fresh_registry():
        ex = exercise("99-test/revert", "revert", contract="Counter")

        @ex.check("reset by a stranger reverts", points=1)
        def _(t):
            c = t.deploy(5)
            t.expect_revert(lambda: c.reset(sender=t.bob), "reset() from bob to revert", "owner")

        @ex.check("increment goes through", points=1)
        def _(t):
            c = t.deploy(5)
            t.expect_revert(lambda: c.increment(), "increment() to revert")

        reverted, went_through = lab.grade("99-test/revert", counter_artifact, quiet=True).results
        assert reverted.passed
        assert went_through.message == "expected increment() to revert; got it went through"


def test_a_check_failing_inside_expect_revert_keeps_its_own_message(counter_artifact):
    """Does a CheckFailed raised by the action itself (a helper's t.expect) reach the report as
    it is, not as "it went through"?"""
    with fresh_registry():
        ex = exercise("99-test/inner", "inner", contract="Counter")

        @ex.check("the helper's own expectation", points=1)
        def _(t):
            def action():
                t.expect(False, "a helper's condition", "it did not hold")

            t.expect_revert(action, "something to revert")

        (result,) = lab.grade("99-test/inner", counter_artifact, quiet=True).results
        assert result.message == "expected a helper's condition; got it did not hold"


def test_exercise_declarations_are_checked():
    with fresh_registry():
        with pytest.raises(GradingError, match="must look like"):
            exercise("counter", "x", contract="C")
        with pytest.raises(GradingError, match="names its contract"):
            exercise("05-x/y", "x")
        with pytest.raises(GradingError, match="submits="):
            exercise("05-x/y", "x", submits="essay")


def test_unknown_exercise_suggests_the_closest():
    with pytest.raises(GradingError, match="did you mean '05-solidity-basics/counter'"):
        get_exercise("05-solidity-basics/countr")


def test_check_failed_message_reads_naturally():
    assert (
        str(CheckFailed("x to be 1", "2", "add one")) == "expected x to be 1; got 2 (hint: add one)"
    )


def test_hints_are_revealed_one_at_a_time(capsys):
    first = lab.hint(COUNTER)
    second = lab.hint(COUNTER)
    assert first.startswith("Hint 1 of 3") and second.startswith("Hint 2 of 3")
    assert lab.hint(COUNTER, 1).startswith("Hint 1 of 3")


def test_exercises_list(capsys):
    (row,) = [e for e in exercises_table() if e["id"] == COUNTER]
    assert row == {
        "id": COUNTER,
        "lesson": "05-solidity-basics",
        "title": "A counter with an owner-only reset",
        "points": 6,
        "visible_checks": 3,
        "hidden_checks": 1,
    }
    main(["exercises", "--json"])  # returns normally: exit code 0
    assert COUNTER in [e["id"] for e in json.loads(capsys.readouterr().out)["exercises"]]


def test_sollab_check_grades_a_file_and_exits_by_score(capsys, tmp_path):
    solution = REPO / "solutions" / "05-solidity-basics" / "Counter.sol"
    main(["check", COUNTER, "--source", str(solution), "--json"])  # full marks: exit code 0
    assert json.loads(capsys.readouterr().out)["score"] == 6
    partial = tmp_path / "Counter.sol"
    partial.write_text(ALMOST)
    with pytest.raises(SystemExit) as info:
        main(["check", COUNTER, "--source", str(partial)])
    assert info.value.code == 1
    assert ": 2 / 6" in capsys.readouterr().out


# --- progress, lab.check and `sollab check NOTEBOOK` ------------------------------------------


def test_grades_are_recorded_as_progress(tmp_path, monkeypatch, capsys):
    """Does every full grade note the best score in the learner's progress file, shown by
    `sollab progress`?"""
    from sollab import progress

    monkeypatch.setenv("SOLLAB_PROGRESS", str(tmp_path / "progress.json"))
    lab.grade(COUNTER, ALMOST, quiet=True)
    lab.grade(COUNTER, (REPO / "solutions/05-solidity-basics/Counter.sol").read_text(), quiet=True)
    lab.grade(COUNTER, ALMOST, quiet=True)
    entry = progress.load()[COUNTER]
    assert (entry["best"], entry["last"], entry["max"], entry["attempts"]) == (6, 2, 6, 3)
    main(["progress", "--json"])
    (row,) = [r for r in json.loads(capsys.readouterr().out)["exercises"] if r["id"] == COUNTER]
    assert row["best"] == 6 and row["attempts"] == 3


def test_a_damaged_progress_file_does_not_stop_grading(tmp_path, monkeypatch):
    from sollab import progress

    bad = tmp_path / "progress.json"
    bad.write_text("{not json")
    monkeypatch.setenv("SOLLAB_PROGRESS", str(bad))
    assert float(lab.grade(COUNTER, ALMOST, quiet=True)) == 2
    assert progress.load()[COUNTER]["best"] == 2


def test_lab_check_runs_the_visible_checks_of_bound_answers(monkeypatch, capsys):
    """In a notebook, does lab.check() grade the lesson's exercises whose answers are bound,
    visible checks only, and say which are not attempted?"""
    from IPython.testing.globalipapp import get_ipython

    ip = get_ipython()  # the one test shell (started on first use)
    ip.user_ns["Counter"] = lab.compile_source(ALMOST, "Counter.sol")["Counter"]
    scores = lab.check("05-solidity-basics")
    (score,) = scores
    assert [r.hidden for r in score.results] == [False, False, False]
    assert float(score) == 2
    del ip.user_ns["Counter"]
    assert lab.check("05-solidity-basics") == []
    assert "not attempted yet (define `Counter`" in capsys.readouterr().out
    with pytest.raises(GradingError, match="no exercises for lesson"):
        lab.check("99-nothing")


def _lesson_notebook(path: Path, solidity: str) -> Path:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "sollab",
        "display_name": "Solidity lab",
        "language": "python",
    }
    nb.cells = [
        nbformat.v4.new_code_cell("%%solidity\n" + solidity),
        nbformat.v4.new_code_cell(f'lab.grade("{COUNTER}", Counter)'),
    ]
    nbformat.write(nb, path)
    return path


@pytest.mark.slow
def test_sollab_check_runs_a_notebook_and_grades_it(tmp_path, monkeypatch, capsys):
    """Does `sollab check NOTEBOOK` run the learner's notebook in the lab kernel, report each
    exercise's score and messages, and exit 1 short of full marks?"""
    monkeypatch.setenv("SOLLAB_PROGRESS", str(tmp_path / "progress.json"))
    notebook = _lesson_notebook(tmp_path / "mine.ipynb", ALMOST)
    with pytest.raises(SystemExit) as info:
        main(["check", str(notebook), "--json"])
    assert info.value.code == 1
    (row,) = json.loads(capsys.readouterr().out)["exercises"]
    assert (row["exercise"], row["score"], row["max"], row["passed"]) == (COUNTER, 2, 6, 2)
    assert any("smallest failing input" in m for m in row["messages"])
    from sollab import progress

    assert progress.load()[COUNTER]["best"] == 2  # the kernel recorded it too


@pytest.mark.slow
def test_sollab_check_scores_zero_when_the_contract_does_not_compile(tmp_path, capsys):
    notebook = _lesson_notebook(tmp_path / "broken.ipynb", "contract Counter { oops }")
    with pytest.raises(SystemExit):
        main(["check", str(notebook)])
    out = capsys.readouterr().out
    assert (
        f"{COUNTER}     0 / 6" in out
        and "Counter is not compiled yet: its cell has a compile error" in out
    )


def test_sollab_check_without_a_source_says_how():
    with pytest.raises(SystemExit) as info:
        main(["check", COUNTER])
    assert info.value.code == 1


def test_one_reason_for_every_failed_check_is_said_once():
    from sollab.grading import Unfinished

    score = lab.grade(COUNTER, Unfinished("Counter", "its cell is empty"), quiet=True)
    report = score.report()
    assert report.count("its cell is empty") == 1 and "every check:" in report
    assert score.report_html().count("its cell is empty") == 1
    partial = lab.grade(COUNTER, lab.compile_source(ALMOST)["Counter"], quiet=True)
    assert partial.shared_message is None and "every check" not in partial.report()


def test_gas_budgets_and_notes_reach_the_report_whether_the_check_passes_or_not(counter_artifact):
    """t.gas measures a workload's transactions (the deployment too); t.expect_gas fails over
    the budget, and on success its figures still reach the report."""
    with fresh_registry():
        ex = exercise("99-test/budget", "budget", contract="Counter")
        measured = {}

        def workload(t):
            c = t.deploy(5)
            receipts = [c.deploy_receipt] + [c.increment() for _ in range(3)]
            c.count()  # a view: not counted
            measured["receipts"] = sum(r.gas_used for r in receipts)

        @ex.check("within a generous budget", points=1)
        def _(t):
            measured["gas"] = used = t.gas(lambda: workload(t))
            t.expect_gas(used, budget=used + 1000, reference=used - 1000)

        @ex.check("within a tight budget", points=1)
        def _(t):
            t.expect_gas(t.gas(lambda: workload(t)), 50_000, 40_000, hint="write less")

        @ex.check("a note, then a failure", points=1)
        def _(t):
            t.note("measured first")
            t.expect(False, "something else")

        score = lab.grade("99-test/budget", counter_artifact, quiet=True)
        generous, tight, noted = score.results
        assert noted.message == "expected something else; measured first"  # notes stay
        used = measured["gas"]
        assert used == measured["receipts"]
        assert generous.passed and generous.message == (
            f"your workload used {used:,} gas; the budget is {used + 1000:,}; "
            f"the reference uses {used - 1000:,}"
        )
        assert not tight.passed and tight.message == (
            "expected your workload to use at most 50,000 gas (the budget; the reference uses "
            f"40,000); got {used:,} gas, {used - 50_000:,} over (hint: write less)"
        )
        assert generous.message in score.report()
