"""The instructor's whole loop through nbgrader's exchange, with `sollab grade` in the middle:
generate -> release -> two students fetch, edit, submit -> collect -> sollab grade ->
release feedback -> the students fetch it; the CSV and the gradebook hold the right scores."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from test_classgrade import GOOD, PARTIAL
from test_nbgrader import LESSON, course_env, source_notebook

BIN = Path(sys.executable).parent


def run(*args: str, course: Path, cwd: Path | None = None, student: str | None = None):
    command = [str(BIN / args[0]), *args[1:]]
    if student:  # everyone is the same OS user here: say who is acting, with their own cache
        command += [f"--CourseDirectory.student_id={student}", f"--Exchange.cache={cwd}/.cache"]
    done = subprocess.run(
        command,
        cwd=cwd or course,
        env=course_env(course),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, f"{' '.join(args)}:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.mark.slow
def test_release_submit_collect_grade_and_return_feedback(tmp_path):
    course = tmp_path / "course"
    source = course / "solutions" / LESSON
    source.mkdir(parents=True)
    nbformat.write(source_notebook(), source / f"{LESSON}.ipynb")
    run("nbgrader", "generate_assignment", LESSON, "--force", course=course)
    run("nbgrader", "release_assignment", LESSON, course=course)

    answers = {"ada": GOOD, "bob": PARTIAL}
    homes = {}
    for student, body in answers.items():
        home = homes[student] = tmp_path / "home" / student
        home.mkdir(parents=True)
        run("nbgrader", "fetch_assignment", LESSON, course=course, cwd=home, student=student)
        path = home / LESSON / f"{LESSON}.ipynb"
        nb = nbformat.read(path, as_version=4)
        solution = next(c for c in nb.cells if "// YOUR CODE HERE" in c.source)
        solution.source = solution.source.replace("// YOUR CODE HERE", body)
        nbformat.write(nb, path)
        run("nbgrader", "submit", LESSON, course=course, cwd=home, student=student)

    run("nbgrader", "collect", LESSON, course=course)
    submitted = course / ".sollab" / "course" / "submitted"
    assert sorted(p.name for p in submitted.iterdir()) == ["ada", "bob"]
    graded = run("sollab", "grade", LESSON, str(submitted), "--jobs", "2", course=course)
    assert "2 submissions" in graded.stdout

    with open(course / ".sollab" / "course" / "grades" / f"{LESSON}.csv") as f:
        rows = {row["student"]: float(row["total"]) for row in csv.DictReader(f)}
    assert rows == {"ada": 6.0, "bob": 4.0}
    run("nbgrader", "export", "--to", str(tmp_path / "gradebook.csv"), course=course)
    with open(tmp_path / "gradebook.csv") as f:
        exported = {row["student_id"]: float(row["score"]) for row in csv.DictReader(f)}
    assert exported == {"ada": 6.0, "bob": 4.0}

    run("nbgrader", "release_feedback", LESSON, course=course)
    for student, home in homes.items():
        run("nbgrader", "fetch_feedback", LESSON, course=course, cwd=home, student=student)
        pages = list((home / LESSON / "feedback").rglob("*.html"))
        assert len(pages) == 1, f"{student} got no feedback"
        html = pages[0].read_text()
        total = "6 / 6" if student == "ada" else "4 / 6"
        assert total in html
        assert "t.expect(" not in html  # the hidden check's report, never its code
