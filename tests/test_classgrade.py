"""`sollab grade`: a class of fake submissions, hostile ones included, graded in parallel in
sandboxes; each gets its score and reason, none changes another's, and nbgrader's gradebook,
the CSV and the feedback agree."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import nbformat
import pytest

from sollab.classgrade import Lesson, Options, find_submissions, grade_class
from sollab.sandbox import bubblewrap
from test_nbgrader import LESSON, source_notebook

REPO = Path(__file__).resolve().parent.parent
GOOD = (
    "uint256 public count; address public owner;"
    " constructor() { owner = msg.sender; }"
    " function increment() external { count += 1; }"
    " function reset() external { require(msg.sender == owner); count = 0; }"
)
PARTIAL = (  # anyone may reset: loses the hidden check's 2 points
    "uint256 public count; function increment() external { count += 1; }"
    " function reset() external { count = 0; }"
)
MARKER = f"sollab-test-{uuid.uuid4().hex[:8]}"  # names the process a submission leaves behind

sandboxed = pytest.mark.skipif(bubblewrap() is None, reason="needs bubblewrap (make setup)")


def _released(course: Path) -> nbformat.NotebookNode:
    return nbformat.read(course / "lessons" / LESSON / f"{LESSON}.ipynb", as_version=4)


def _submission(course: Path, body: str | None = None, extra: str | None = None, edit=None):
    nb = _released(course)
    if body is not None:
        nb.cells[1].source = nb.cells[1].source.replace("// YOUR CODE HERE", body)
    if extra is not None:
        nb.cells.insert(2, nbformat.v4.new_code_cell(extra))
    if edit is not None:
        edit(nb)
    return nb


def _delete_grade_cell(nb):
    del nb.cells[-1]


def _edit_grade_cell(nb):
    nb.cells[-1].source = "print(6)"


def _grade_cell_to_markdown(nb):
    cell = nb.cells[-1]
    nb.cells[-1] = nbformat.v4.new_markdown_cell(cell.source, metadata=cell.metadata)


# student -> (notebook factory, expected score)
CASES = {
    "correct": (lambda c: _submission(c, GOOD), 6),
    "partial": (lambda c: _submission(c, PARTIAL), 4),
    "stub": (lambda c: _submission(c), 0),
    "syntax-error": (lambda c: _submission(c, "uint256 public count"), 0),
    "python-loop": (lambda c: _submission(c, GOOD, "while True:\n    pass"), 6),
    "solidity-loop": (  # only "starts at zero" holds: every increment() runs out of gas
        lambda c: _submission(c, GOOD.replace("count += 1;", "while (true) { count += 1; }")),
        1,
    ),
    "ignores-sigint": (
        lambda c: _submission(
            c, GOOD, "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True: pass"
        ),
        6,
    ),
    "os-exit": (lambda c: _submission(c, GOOD, "import os\nos._exit(0)"), 6),
    "edited-grade-cell": (lambda c: _submission(c, PARTIAL, edit=_edit_grade_cell), 4),
    "deleted-grade-cell": (lambda c: _submission(c, PARTIAL, edit=_delete_grade_cell), 4),
    "grade-cell-markdown": (lambda c: _submission(c, PARTIAL, edit=_grade_cell_to_markdown), 4),
    "not-json": (None, 0),
    "huge-output": (lambda c: _submission(c, GOOD, "print('x' * 50_000_000)"), 6),
    "always-equal": (
        lambda c: _submission(
            c, None, "class Yes:\n    def __eq__(self, other): return True\nCounter = Yes()"
        ),
        0,
    ),
    "patches-grader": (
        lambda c: _submission(
            c,
            PARTIAL,
            "import sollab, sollab.grading\n"
            "sollab.grading.grade = sollab.grade = lambda *a, **k: 6.0\n"
            "sollab.grading.CheckContext.expect = lambda *a, **k: None",
        ),
        4,
    ),
    "reads-solutions": (
        lambda c: _submission(
            c, GOOD, f"stolen = open({str(c / 'solutions' / LESSON / f'{LESSON}.ipynb')!r}).read()"
        ),
        6,
    ),
    "writes-gradebook": (
        lambda c: _submission(
            c,
            PARTIAL,
            f"open({str(c / '.sollab' / 'course' / 'gradebook.db')!r}, 'wb').write(b'gone')",
        ),
        4,
    ),
    "network": (
        lambda c: _submission(
            c, GOOD, "import socket\nsocket.create_connection(('10.255.255.1', 80), timeout=3)"
        ),
        6,
    ),
    "leaves-process": (
        lambda c: _submission(
            c, GOOD, f"import subprocess\nsubprocess.Popen(['sleep', '600', '{MARKER}'])"
        ),
        6,
    ),
}


def nbgrader(*args: str, course: Path) -> subprocess.CompletedProcess:
    bin_dir = Path(sys.executable).parent
    env = dict(
        os.environ,
        SOLLAB_COURSE_ROOT=str(course),
        JUPYTER_CONFIG_PATH=str(REPO),
        PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    return subprocess.run(
        [str(bin_dir / "nbgrader"), *args], cwd=course, env=env, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    course = tmp_path_factory.mktemp("course")
    source = course / "solutions" / LESSON
    source.mkdir(parents=True)
    nbformat.write(source_notebook(), source / f"{LESSON}.ipynb")
    done = nbgrader("generate_assignment", LESSON, "--force", course=course)
    assert done.returncode == 0, done.stderr
    return course


@pytest.fixture(scope="module")
def graded(course, tmp_path_factory):
    """The whole class, graded once (two jobs) for the tests below."""
    folder = tmp_path_factory.mktemp("lms-download")
    for student, (make, _) in CASES.items():
        if make is None:
            (folder / f"{student}.ipynb").write_text("{ this is not a notebook")
        else:
            nbformat.write(make(course), folder / f"{student}.ipynb")
    options = Options(course=course, cell_timeout=8, call_timeout=8)
    result = grade_class(LESSON, folder, jobs=2, options=options)
    return result, folder


@pytest.mark.slow
def test_every_submission_gets_its_own_score(graded):
    result, _ = graded
    scores = {r["student"]: r.get("score") for r in result.results}
    assert scores == {student: expected for student, (_, expected) in CASES.items()}
    assert result.problems == []


@pytest.mark.slow
def test_the_reasons_are_told(graded):
    by_student = {r["student"]: r for r in graded[0].results}

    def notes(student):
        return " ".join(by_student[student]["notes"])

    assert "ran longer than 8 s" in notes("python-loop")
    assert "ran longer than 8 s" in notes("ignores-sigint")
    assert "ended its own process" in notes("os-exit")
    assert "not a valid notebook" in notes("not-json")
    messages = [
        c["message"] for e in by_student["always-equal"]["exercises"].values() for c in e["checks"]
    ]
    assert all("not plain data" in m for m in messages)
    syntax = [
        c["message"] for e in by_student["syntax-error"]["exercises"].values() for c in e["checks"]
    ]
    assert all(syntax), "a contract that does not compile says why"


@pytest.mark.slow
@sandboxed
def test_the_sandbox_keeps_submissions_in(graded, course):
    by_student = {r["student"]: r for r in graded[0].results}

    def errors(student):
        return [c["error"] or "" for c in by_student[student]["cells"].values()]

    assert any("FileNotFoundError" in e for e in errors("reads-solutions"))
    assert any("FileNotFoundError" in e or "Errno" in e for e in errors("writes-gradebook"))
    assert any("OSError" in e or "unreachable" in e for e in errors("network"))
    left = subprocess.run(["pgrep", "-f", MARKER], capture_output=True, text=True)
    assert left.stdout.strip() == "", "a process a submission started outlived grading"
    assert (course / ".sollab" / "course" / "gradebook.db").read_bytes()[:6] == b"SQLite"


@pytest.mark.slow
def test_the_gradebook_csv_and_feedback_agree(graded, course):
    result, _ = graded
    expected = {student: float(score) for student, (_, score) in CASES.items()}
    with open(result.csv) as f:
        rows = {row["student"]: float(row["total"]) for row in csv.DictReader(f)}
    assert rows == expected
    done = nbgrader("export", "--to", str(course / "nbgrader.csv"), course=course)
    assert done.returncode == 0, done.stderr
    with open(course / "nbgrader.csv") as f:
        exported = {row["student_id"]: float(row["score"]) for row in csv.DictReader(f)}
    assert exported == expected
    feedback = course / ".sollab" / "course" / "feedback" / "partial" / LESSON / f"{LESSON}.html"
    html = feedback.read_text()
    assert "anyone else&#39;s reset() reverts" in html or "anyone else's reset() reverts" in html
    grader_source = (REPO / "graders" / "05_solidity_basics.py").read_text()
    assert "t.expect(" in grader_source and "t.expect(" not in html  # no hidden check's code


@pytest.mark.slow
def test_a_rerun_resumes_and_changes_nothing(graded, course):
    result, folder = graded
    again = grade_class(LESSON, folder, jobs=2, options=Options(course=course, cell_timeout=8))
    assert [r["score"] for r in again.results] == [r["score"] for r in result.results]
    assert [r["key"] for r in again.results if "key" in r] == [
        r["key"] for r in result.results if "key" in r
    ]


def test_submissions_are_found_in_every_layout(tmp_path, course):
    lesson = Lesson.load(LESSON, course)
    nb = json.dumps(nbformat.v4.new_notebook())
    (tmp_path / "ann.ipynb").write_text(nb)  # a file per student (an LMS download)
    (tmp_path / "ben").mkdir()
    (tmp_path / "ben" / "anything.ipynb").write_text(nb)  # a folder per student
    nbgrader_tree = tmp_path / "cat" / LESSON
    nbgrader_tree.mkdir(parents=True)
    (nbgrader_tree / f"{LESSON}.ipynb").write_text(nb)  # nbgrader's submitted/<student>/<lesson>
    (tmp_path / "cat" / LESSON / ".ipynb_checkpoints").mkdir()
    subs = find_submissions(tmp_path, lesson)
    found = {s.student: s.notebook.relative_to(tmp_path) for s in subs}
    assert found == {
        "ann": Path("ann.ipynb"),
        "ben": Path("ben/anything.ipynb"),
        "cat": Path(f"cat/{LESSON}/{LESSON}.ipynb"),
    }


def test_a_lesson_without_grade_calls_is_refused(tmp_path):
    from sollab.grading import GradingError

    nb = source_notebook()
    nb.cells[2].source = "assert Counter is not None"
    folder = tmp_path / "solutions" / LESSON
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / f"{LESSON}.ipynb")
    with pytest.raises(GradingError, match=r"does not call lab\.grade"):
        Lesson.load(LESSON, tmp_path)
