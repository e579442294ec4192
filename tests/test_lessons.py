"""Every lesson: the instructor notebook earns full marks, the released notebook runs to the end
and earns nothing, and lessons/ is exactly what nbgrader generates from solutions/."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from sollab.selfcheck import check_notebook
from test_nbgrader import run as nbgrader_run

REPO = Path(__file__).resolve().parent.parent
LESSONS = sorted(p.parent.name for p in (REPO / "solutions").glob("*/*.ipynb"))


def notebook(folder: str, lesson: str) -> Path:
    return REPO / folder / lesson / f"{lesson}.ipynb"


def test_every_lesson_is_released_and_has_exercises():
    from sollab.grading import load_graders

    graded = {ex.lesson for ex in load_graders().values()}
    for lesson in LESSONS:
        assert notebook("lessons", lesson).exists(), f"run `make release` for {lesson}"
        assert lesson in graded, f"{lesson} has no exercises in graders/"


def assert_solutions_earn_full_marks(lesson: str) -> None:
    """The instructor notebook, run by `sollab check`, earns every point of 3 exercises or more
    (tests/test_lessons_revm.py asks the same on the revm backend)."""
    rows = check_notebook(notebook("solutions", lesson))
    assert len(rows) >= 3, f"{lesson} grades only {len(rows)} exercises"
    for row in rows:
        assert row["score"] == row["max"], (row["exercise"], row["messages"])


def assert_release_earns_nothing(lesson: str) -> None:
    """The released notebook runs to the end and earns 0, no check stopping with an error."""
    rows = check_notebook(notebook("lessons", lesson))
    for row in rows:
        assert row["score"] == 0, (row["exercise"], row["messages"])
        assert all("stopped with" not in m for m in row["messages"]), row["messages"]


@pytest.mark.slow
@pytest.mark.parametrize("lesson", LESSONS)
def test_the_solutions_notebook_earns_full_marks(lesson):
    assert_solutions_earn_full_marks(lesson)


@pytest.mark.slow
@pytest.mark.parametrize("lesson", LESSONS)
def test_the_released_notebook_runs_and_earns_nothing(lesson):
    assert_release_earns_nothing(lesson)


def _files(folder: Path) -> list[Path]:
    """The files nbgrader would release: not dot-files (.ipynb_checkpoints, caches)."""
    return sorted(
        p.relative_to(folder)
        for p in folder.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )


def _comparable(path: Path):
    if path.suffix == ".ipynb":
        nb = nbformat.read(path, as_version=4)
        return nbformat.writes(nb)
    return path.read_bytes()


# The two tests below share one scratch course in which nbgrader generated every lesson; they
# run on one pytest-xdist worker (one xdist_group), so it is generated once.
GENERATED = pytest.mark.xdist_group("lessons-generated")


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    """A scratch course with solutions/ copied in and every lesson generated from it by one
    `nbgrader generate_assignment '*' --force` (nbgrader globs the assignment id): what
    `make release` writes lesson by lesson, without a start-up of nbgrader per lesson."""
    course = tmp_path_factory.mktemp("generated") / "course"
    shutil.copytree(REPO / "solutions", course / "solutions")
    done = nbgrader_run("generate_assignment", "*", "--force", course=course, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    assert sorted(p.name for p in (course / "lessons").iterdir()) == LESSONS
    return course


@pytest.mark.slow
@GENERATED
def test_lessons_are_exactly_what_nbgrader_generates(generated):
    """`make release` is the only way lessons/ changes: generate every lesson from solutions/ in
    a scratch course and compare file by file."""
    for lesson in LESSONS:
        generated_lesson = generated / "lessons" / lesson
        committed = REPO / "lessons" / lesson
        made, have = _files(generated_lesson), _files(committed)
        assert have == made, f"lessons/{lesson} is stale: run `make release`"
        for rel in made:
            assert _comparable(committed / rel) == _comparable(generated_lesson / rel), (
                f"lessons/{lesson}/{rel} differs from what nbgrader generates: run `make release`"
            )


@pytest.mark.slow
@pytest.mark.parametrize("lesson", LESSONS)
def test_sollab_grade_gives_the_solutions_full_marks_and_the_release_zero(lesson, tmp_path):
    """Class grading, sandbox and nbgrader included: the instructor's notebook handed in as a
    submission earns every point, the untouched release none, and neither crashes the grader."""
    from sollab.classgrade import Options, grade_class

    course = tmp_path / "course"
    shutil.copytree(REPO / "solutions" / lesson, course / "solutions" / lesson)
    shutil.copytree(REPO / "lessons" / lesson, course / "lessons" / lesson)
    handed_in = tmp_path / "handed-in"
    handed_in.mkdir()
    shutil.copy(notebook("solutions", lesson), handed_in / "instructor.ipynb")
    shutil.copy(notebook("lessons", lesson), handed_in / "untouched.ipynb")
    graded = grade_class(lesson, handed_in, jobs=2, options=Options(course=course))
    assert graded.problems == []
    scores = {r["student"]: (r["score"], r["max"]) for r in graded.results}
    full = scores["instructor"][1]
    failed = [
        (r["student"], c["title"], c["message"], r.get("notes"))
        for r in graded.results
        for e in r.get("exercises", {}).values()
        for c in e["checks"]
        if (c["earned"] != c["points"]) == (r["student"] == "instructor")
    ]
    assert scores == {"instructor": (full, full), "untouched": (0, full)}, failed[:5]


@pytest.mark.slow
@GENERATED
def test_stock_nbgrader_autograde_gives_every_solution_full_marks(generated, tmp_path):
    """Plain `nbgrader autograde` (its own Execute step, in the lab's kernel, from nbgrader's
    autograded/ folder) scores the instructor notebooks full marks: instructors need not use
    sollab grade. One `nbgrader autograde '*'` grades every lesson's submission in turn."""
    import csv

    def nbgrader(*args: str) -> None:
        done = nbgrader_run(*args, course=generated, timeout=1800)
        assert done.returncode == 0, done.stderr[-3000:]

    for lesson in LESSONS:
        folder = generated / ".sollab" / "course" / "submitted" / "instructor" / lesson
        folder.mkdir(parents=True)
        shutil.copy(notebook("solutions", lesson), folder)
    nbgrader("autograde", "*", "--create")
    nbgrader("export", "--to", str(tmp_path / "grades.csv"))
    with open(tmp_path / "grades.csv") as f:
        rows = {
            r["assignment"]: (float(r["score"]), float(r["max_score"])) for r in csv.DictReader(f)
        }
    assert sorted(rows) == LESSONS
    for lesson, (score, best) in rows.items():
        assert score == best > 0, f"{lesson}: {score} / {best} under nbgrader autograde"
