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
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


def _as_read(page: str) -> str:
    """A page as BeautifulSoup reads and writes it (as nbconvert's own pass leaves a page)."""
    from bs4 import BeautifulSoup

    return str(BeautifulSoup(page, features="html.parser"))


def _stock_and_ours(nb: nbformat.NotebookNode, monkeypatch) -> tuple[str, str, int]:
    """nbconvert's page; ours, as read by BeautifulSoup where our pass made it (where ours fell
    back to nbconvert's own pass it is that page itself); how often ours fell back."""
    from nbconvert.exporters import HTMLExporter

    stock, _ = HTMLExporter().from_notebook_node(nb)
    fell_back = []
    original = HTMLExporter.from_notebook_node

    def spy(self, *args, **kwargs):
        fell_back.append(type(self))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(HTMLExporter, "from_notebook_node", spy)
    try:
        ours, _ = FeedbackExporter().from_notebook_node(nb)
    finally:
        monkeypatch.undo()
    return stock, ours if fell_back else _as_read(ours), len(fell_back)


PNG = (  # a 1x1 picture, as a cell's output
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def _with_outputs(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Every code cell given what the grader puts there: printed text, a picture, an error."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [
                nbformat.v4.new_output("stream", name="stdout", text="1 < 2 & 3\n"),
                nbformat.v4.new_output("display_data", data={"image/png": PNG}),
                nbformat.v4.new_output(
                    "error", ename="ValueError", evalue="bad", traceback=["\x1b[31mValueError"]
                ),
            ]
    return nb


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
    assert _as_read(first) == stock and first == again
    assert 'tabindex="0"' in first
    assert compiled and ours._TEMPLATES.compiled == compiled, "the second used the first's"


@pytest.mark.parametrize("kind", ["solutions", "lessons"])
def test_every_lesson_s_feedback_page_is_nbconverts_without_its_soup_pass(kind, monkeypatch):
    """Each lesson's notebook, with outputs in every code cell: is our page, read by
    BeautifulSoup, the page nbconvert writes? Most are made without nbconvert's BeautifulSoup
    pass (a page with an element left open, as lesson 07's `<abstract>` in Markdown text, takes
    it)."""
    notebooks = sorted((REPO / kind).glob("*/*.ipynb"))
    assert len(notebooks) >= 15
    fell_back = []
    for path in notebooks:
        stock, ours, fallbacks = _stock_and_ours(
            _with_outputs(nbformat.read(path, as_version=4)), monkeypatch
        )
        assert ours == stock, path.name
        assert stock.count('tabindex="0"') > 0 and 'alt="No description' in stock
        fell_back += [path.name] * fallbacks
    assert len(fell_back) <= 2, f"nbconvert's own pass for {fell_back}"


RAW_HTML = [  # what a learner's Markdown may hold (Markdown keeps raw HTML)
    "<div>", "</div>", "</main>", "<p>", "<br>", "</img>", "<img/>", "<img src=a.png>",
    '<img src="a.png" alt="">', '<div class="jp-OutputArea-output">out</div>',
    '<div class="jp-OutputArea-output"/>', '<div class="x jp-Cell-inputWrapper" tabindex="2">',
    '<DIV CLASS="jp-OutputArea-output">caps</DIV>', "<div class='a\n jp-Cell-inputWrapper'>",
    """<script>var s = "<div class='jp-OutputArea-output'>";</script>""",
    '<!-- <div class="jp-Cell-inputWrapper"> -->', "<style>div > p {}</style>",
    '<main class="jp-Notebook"><div class="jp-Cell-inputWrapper">in</div></main>',
    "&amp; &nbsp; &#39; text", "<table><tr><td>cell</table>", "<![CDATA[ <div> ]]>",
]  # fmt: skip


@pytest.mark.parametrize("html", RAW_HTML)
def test_raw_html_in_markdown_gives_nbconverts_page(html, monkeypatch):
    nb = _with_outputs(source_notebook())
    nb.cells.insert(1, nbformat.v4.new_markdown_cell(f"Before\n\n{html}\n\nafter *this*"))
    stock, ours, _ = _stock_and_ours(nb, monkeypatch)
    assert ours == stock


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(RAW_HTML), min_size=1, max_size=6), st.booleans())
def test_any_mix_of_raw_html_gives_nbconverts_page(pieces, inline):
    """Fragments run together (one paragraph of raw HTML) or apart, as Markdown may hold them:
    the page read by BeautifulSoup is nbconvert's whether or not our pass ran."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        nb = _with_outputs(source_notebook())
        nb.cells.insert(1, nbformat.v4.new_markdown_cell(("" if inline else "\n\n").join(pieces)))
        stock, ours, _ = _stock_and_ours(nb, monkeypatch)
    assert ours == stock


@pytest.fixture
def tuned_nbgrader(tmp_path, monkeypatch):
    """tune_nbgrader() for one test: what it replaces in nbgrader is put back after."""
    import nbgrader.api
    import nbgrader.nbgraderformat.common as common

    from sollab.nbgrader import tune_nbgrader

    monkeypatch.setenv("PATH", course_env(tmp_path)["PATH"])  # a new gradebook runs `alembic`
    monkeypatch.setattr(nbgrader.api, "create_engine", nbgrader.api.create_engine)
    monkeypatch.setattr(
        nbgrader.api.Base.metadata, "create_all", nbgrader.api.Base.metadata.create_all
    )
    monkeypatch.setattr(common, "jsonschema", common.jsonschema)
    tune_nbgrader()


def test_gradebooks_share_one_engine_per_database(tmp_path, tuned_nbgrader):
    """Do two gradebooks on one database use one SQLAlchemy engine, and does a gradebook
    opened after another was closed still read what it wrote?"""
    from nbgrader.api import Gradebook

    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with Gradebook(url, "course") as first:
        first.add_student("ada")
        engine = first.engine
    with Gradebook(url, "course") as second:
        assert second.engine is engine
        assert [s.id for s in second.students] == ["ada"]
    with Gradebook(f"sqlite:///{tmp_path / 'other.db'}", "course") as other:
        assert other.engine is not engine and other.students == []


def test_a_gradebook_missing_a_table_gets_it_back(tmp_path, tuned_nbgrader):
    from nbgrader.api import Gradebook
    from sqlalchemy import inspect, text

    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with Gradebook(url, "course") as first:
        first.add_student("ada")
        first.db.execute(text("DROP TABLE comment"))
        first.db.commit()
        assert "comment" not in inspect(first.engine).get_table_names()
    with Gradebook(url, "course") as second:
        assert "comment" in inspect(second.engine).get_table_names()
        assert [s.id for s in second.students] == ["ada"]


def test_cell_metadata_is_validated_as_nbgrader_validates_it(tuned_nbgrader):
    """The same verdicts and the same first error as jsonschema.validate, for good and bad
    nbgrader metadata, schema checked once."""
    import jsonschema
    import nbgrader.nbgraderformat.common as common
    from nbgrader.nbgraderformat.v3 import MetadataValidatorV3

    validator = MetadataValidatorV3()
    good = source_notebook().cells[2].metadata["nbgrader"]
    bad = [dict(good, points="six"), dict(good, grade_id=7), dict(good, extra=1, points=None)]
    for meta in [good, *bad]:
        errors = []
        for validate in (jsonschema.validate, common.jsonschema.validate):
            try:
                validate(meta, validator.schema)
                errors.append(None)
            except jsonschema.ValidationError as exc:
                errors.append((exc.message, list(exc.path)))
        assert errors[0] == errors[1], meta
    assert len(common.jsonschema.validators) == 1


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
