"""nbgrader with Solidity: the course set up by jupyter_config.py, Solidity stubs in released
%%solidity cells, and grade cells whose partial credit nbgrader reads."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from sollab.nbgrader import FeedbackExporter, SolidityClearSolutions

REPO = Path(__file__).resolve().parent.parent
LESSON = "05-solidity-basics"

SOLUTION_CELL = """\
%%solidity
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

contract Counter {
    ### BEGIN SOLUTION
    uint256 public count;
    address public owner;
    constructor() { owner = msg.sender; }
    function increment() external { count += 1; }
    function reset() external { require(msg.sender == owner, "not the owner"); count = 0; }
    ### END SOLUTION
}"""


def source_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "sollab",
        "display_name": "Solidity lab",
        "language": "python",
    }
    solution = nbformat.v4.new_code_cell(SOLUTION_CELL)
    solution.metadata["nbgrader"] = {
        "grade": False, "solution": True, "locked": False, "task": False,
        "grade_id": "counter-solution", "schema_version": 3,
    }  # fmt: skip
    grade = nbformat.v4.new_code_cell(f'lab.grade("{LESSON}/counter", Counter)')
    grade.metadata["nbgrader"] = {
        "grade": True, "solution": False, "locked": True, "task": False, "points": 6,
        "grade_id": "counter-grade", "schema_version": 3,
    }  # fmt: skip
    nb.cells = [nbformat.v4.new_markdown_cell("# A counter"), solution, grade]
    return nb


def test_a_solidity_solution_region_is_released_as_a_solidity_stub():
    """Does the preprocessor put `// YOUR CODE HERE` (not Python) into a %%solidity cell, and
    the usual Python stub into a Python cell?"""
    nb = source_notebook()
    python = nbformat.v4.new_code_cell("### BEGIN SOLUTION\nx = 1\n### END SOLUTION")
    python.metadata["nbgrader"] = dict(nb.cells[1].metadata["nbgrader"], grade_id="py")
    nb.cells.append(python)
    nb.metadata["language_info"] = {"name": "python"}
    released, _ = SolidityClearSolutions().preprocess(nb, {})
    solidity = released.cells[1].source
    assert "    // YOUR CODE HERE\n}" in solidity and "count" not in solidity
    assert "NotImplementedError" not in solidity
    assert "raise NotImplementedError()" in released.cells[3].source


def test_the_feedback_exporter_writes_html_s_page_compiling_its_templates_once():
    from nbconvert.exporters import HTMLExporter

    from sollab import nbgrader as ours

    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# Feedback\n\nSome *text*."),
            nbformat.v4.new_code_cell("x = 1\nprint(x)", outputs=[
                nbformat.v4.new_output("stream", name="stdout", text="1\n")
            ]),
        ]
    )  # fmt: skip
    stock, _ = HTMLExporter().from_notebook_node(nb)
    first, _ = FeedbackExporter().from_notebook_node(nb)
    compiled = dict(ours._TEMPLATES.compiled)
    again, _ = FeedbackExporter().from_notebook_node(nb)
    assert first == stock == again
    assert compiled and ours._TEMPLATES.compiled == compiled, "the second used the first's"


def test_the_course_config_is_nbgraders_pipeline_with_our_stub(tmp_path, monkeypatch):
    """jupyter_config.py names the pipeline by import path (so loading it stays cheap): is it
    nbgrader's own list, in order, with ClearSolutions replaced by SolidityClearSolutions?"""
    from nbgrader.converters.generate_assignment import GenerateAssignment
    from traitlets.config import Config

    monkeypatch.setenv("SOLLAB_COURSE_ROOT", str(tmp_path))
    namespace = {"get_config": Config, "__file__": str(REPO / "jupyter_config.py")}
    exec(compile((REPO / "jupyter_config.py").read_text(), "jupyter_config.py", "exec"), namespace)
    configured = namespace["c"].GenerateAssignment.preprocessors
    default = GenerateAssignment.class_traits()["preprocessors"].default()
    expected = [
        "sollab.nbgrader.SolidityClearSolutions"
        if p.__name__ == "ClearSolutions"
        else f"nbgrader.preprocessors.{p.__name__}"
        for p in default
    ]
    assert configured == expected


def course_env(course: Path) -> dict[str, str]:
    """The environment the Makefile gives Jupyter apps, for a course rooted at ``course``."""
    bin_dir = Path(sys.executable).parent  # nbgrader runs `alembic` from PATH
    return dict(
        os.environ,
        SOLLAB_COURSE_ROOT=str(course),
        JUPYTER_CONFIG_PATH=str(REPO),
        PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
    )


def run(*args: str, course: Path, timeout: int = 300) -> subprocess.CompletedProcess:
    """An nbgrader command in the course at ``course``."""
    nbgrader = Path(sys.executable).parent / "nbgrader"
    return subprocess.run(
        [str(nbgrader), *args], cwd=course, env=course_env(course), capture_output=True,
        text=True, timeout=timeout,
    )  # fmt: skip


@pytest.mark.slow
def test_generate_and_autograde_with_partial_credit(tmp_path):
    """End to end through nbgrader's own commands, with jupyter_config.py's course: the release
    holds no solution, and a right, a partly right and an untouched submission score 6, 4, 0."""
    course = tmp_path / "course"
    source = course / "solutions" / LESSON
    source.mkdir(parents=True)
    nbformat.write(source_notebook(), source / f"{LESSON}.ipynb")
    (source / "Counter.sol").write_text("// the instructor's own copy")
    generated = run("generate_assignment", LESSON, "--force", course=course)
    assert generated.returncode == 0, generated.stderr
    release = course / "lessons" / LESSON
    assert not (release / "Counter.sol").exists()  # instructor Solidity stays in solutions/
    released = nbformat.read(release / f"{LESSON}.ipynb", as_version=4)
    assert "// YOUR CODE HERE" in released.cells[1].source
    assert "increment" not in released.cells[1].source

    bodies = {
        "ada": "uint256 public count; address public owner;"
        " constructor() { owner = msg.sender; }"
        " function increment() external { count += 1; }"
        " function reset() external { require(msg.sender == owner); count = 0; }",
        "bob": "uint256 public count; function increment() external { count += 1; }"
        " function reset() external { count = 0; }",
        "cyd": None,  # handed in untouched
    }
    for student, body in bodies.items():
        nb = nbformat.from_dict(released)
        if body is not None:
            nb.cells[1].source = nb.cells[1].source.replace("// YOUR CODE HERE", body)
        folder = course / ".sollab" / "course" / "submitted" / student / LESSON
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{LESSON}.ipynb")
        (folder / "timestamp.txt").write_text("2026-11-26 12:00:00.000000 UTC")
    graded = run("autograde", LESSON, "--create", course=course)
    assert graded.returncode == 0, graded.stderr
    exported = run("export", "--to", str(course / "grades.csv"), course=course)
    assert exported.returncode == 0, exported.stderr
    with open(course / "grades.csv") as f:
        scores = {row["student_id"]: float(row["score"]) for row in csv.DictReader(f)}
    assert scores == {"ada": 6.0, "bob": 4.0, "cyd": 0.0}
