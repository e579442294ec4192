"""Grading a class: serial `nbgrader autograde` against `sollab grade --jobs N`, in one run.

    python benchmarks/grade_class.py [--lesson 05-solidity-basics] [--n 100] [--jobs 2]

It makes a scratch course from solutions/<lesson>, releases the lesson with nbgrader, and
writes N synthetic submissions: a third right (the instructor's notebook), a third partly right
(every other exercise answered), a third wrong (the released notebook, untouched). Each tool
then grades all N in its own copy of the course; the scores must agree. Targets (issue #3):
100 submissions in <= 180 s on 2 cores, and >= 1.8x faster than serial nbgrader.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def run(args: list[str], course: Path) -> subprocess.CompletedProcess:
    env = dict(
        os.environ,
        SOLLAB_COURSE_ROOT=str(course),
        JUPYTER_CONFIG_PATH=str(REPO),
        PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    done = subprocess.run(args, cwd=course, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(args[:3])} failed:\n{done.stderr[-3000:]}")
    return done


def make_course(root: Path, lesson: str) -> Path:
    course = root / "course"
    shutil.copytree(REPO / "solutions" / lesson, course / "solutions" / lesson)
    run([str(BIN / "nbgrader"), "generate_assignment", lesson, "--force"], course)
    return course


def submissions(course: Path, lesson: str, n: int) -> dict[str, nbformat.NotebookNode]:
    """Right, partly right and wrong notebooks, in turn."""
    name = f"{lesson}.ipynb"
    right = nbformat.read(course / "solutions" / lesson / name, as_version=4)
    wrong = nbformat.read(course / "lessons" / lesson / name, as_version=4)
    released = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in wrong.cells}
    partial = nbformat.from_dict(right)
    solutions = [c for c in partial.cells if c.metadata.get("nbgrader", {}).get("solution")]
    for cell in solutions[::2]:  # every other answer left as released
        cell.source = released[cell.metadata["nbgrader"]["grade_id"]].source
    kinds = [right, partial, wrong]
    return {f"s{i:03d}": kinds[i % 3] for i in range(n)}


def file_submissions(course: Path, lesson: str, notebooks: dict) -> Path:
    submitted = course / ".sollab" / "course" / "submitted"
    for student, nb in notebooks.items():
        folder = submitted / student / lesson
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, folder / f"{lesson}.ipynb")
        (folder / "timestamp.txt").write_text("2026-11-26 12:00:00.000000 UTC")
    return submitted


def scores_from_nbgrader(course: Path) -> dict[str, float]:
    out = course / "export.csv"
    run([str(BIN / "nbgrader"), "export", "--to", str(out)], course)
    with open(out) as f:
        return {row["student_id"]: float(row["score"]) for row in csv.DictReader(f)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lesson", default="05-solidity-basics")
    parser.add_argument("--n", type=int, default=20, help="submissions (the target is for 100)")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sollab-bench-") as tmp:
        base = make_course(Path(tmp) / "base", args.lesson)
        notebooks = submissions(base, args.lesson, args.n)
        print(f"{args.n} submissions of {args.lesson} (right / partly right / wrong in turn)")

        stock = Path(tmp) / "nbgrader"
        shutil.copytree(base, stock)
        file_submissions(stock, args.lesson, notebooks)
        started = time.perf_counter()
        run([str(BIN / "nbgrader"), "autograde", args.lesson, "--create"], stock)
        serial = time.perf_counter() - started
        expected = scores_from_nbgrader(stock)
        print(f"  serial nbgrader autograde : {serial:7.1f} s  ({serial / args.n:.2f} s each)")

        ours = Path(tmp) / "sollab"
        shutil.copytree(base, ours)
        submitted = file_submissions(ours, args.lesson, notebooks)
        started = time.perf_counter()
        run(
            [str(BIN / "sollab"), "grade", args.lesson, str(submitted), "--jobs", str(args.jobs),
             "--course", str(ours), "--json"],
            ours,
        )  # fmt: skip
        parallel = time.perf_counter() - started
        got = scores_from_nbgrader(ours)
        print(
            f"  sollab grade --jobs {args.jobs}     : {parallel:7.1f} s  "
            f"({parallel / args.n:.2f} s each, sandboxed, gradebook + feedback + CSV)"
        )
        print(f"  speed-up                  : {serial / parallel:7.2f}x  (target >= 1.8x)")
        print(f"  100 submissions, projected: {parallel / args.n * 100:7.1f} s  (target <= 180 s)")
        if got != expected:
            differ = {
                s: (expected.get(s), got.get(s)) for s in expected if got.get(s) != expected.get(s)
            }
            sys.exit(f"the scores differ (nbgrader, sollab): {differ}")
        print(f"  scores agree for all {len(got)} submissions")


if __name__ == "__main__":
    main()
