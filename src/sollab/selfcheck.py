"""`sollab check NOTEBOOK`: run a learner's notebook and grade every exercise in it.

The notebook runs in the lab's kernel with every cell executed (a failing cell does not stop
the others); each ``lab.grade(...)`` in it reports its score to this process. An exercise whose
grade cell never reached ``lab.grade`` (say, its contract did not compile) scores 0 with the
error that stopped it.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from .errors import LabError
from .grading import get_exercise

_GRADE_CALL = re.compile(r"""\bgrade\(\s*["']([^"']+)["']""")


class NotebookError(LabError):
    """The notebook cannot be read or run."""


def exercises_in(nb: Any) -> list[str]:
    """Exercise ids graded in the notebook's code cells, in order."""
    found: list[str] = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            for exercise_id in _GRADE_CALL.findall(cell.source):
                if exercise_id not in found:
                    found.append(exercise_id)
    return found


def _first_error(nb: Any, exercise_id: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "code" and exercise_id in cell.source:
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":
                    return f"the grade cell stopped: {out['ename']}: {out['evalue']}".splitlines()[
                        0
                    ]
    return "the grade cell did not run"


def check_notebook(path: Path, timeout: int = 120) -> list[dict[str, Any]]:
    """Run ``path`` and return one row per exercise: id, title, score, max, checks, message."""
    import nbformat
    from nbclient import NotebookClient

    try:
        nb = nbformat.read(path, as_version=4)
    except (OSError, ValueError) as exc:
        raise NotebookError(f"{path} is not a readable notebook ({exc}): check the path") from None
    ids = exercises_in(nb)
    if not ids:
        raise NotebookError(f"{path} grades no exercise (it has no lab.grade(...) cell)")
    for exercise_id in ids:
        get_exercise(exercise_id)  # unknown ids fail here, before the notebook runs
    with tempfile.NamedTemporaryFile("r", suffix=".jsonl") as results:
        previous = os.environ.get("SOLLAB_RESULTS")
        os.environ["SOLLAB_RESULTS"] = results.name  # the kernel inherits it
        try:
            NotebookClient(
                nb,
                timeout=timeout,
                kernel_name="sollab",
                allow_errors=True,
                resources={"metadata": {"path": str(Path(path).resolve().parent)}},
            ).execute()
        finally:
            if previous is None:
                os.environ.pop("SOLLAB_RESULTS", None)
            else:
                os.environ["SOLLAB_RESULTS"] = previous
        graded = {}
        for line in results.read().splitlines():
            entry = json.loads(line)
            graded[entry["exercise"]] = entry  # the last grade of each exercise counts
    rows = []
    for exercise_id in ids:
        ex = get_exercise(exercise_id)
        entry = graded.get(exercise_id)
        if entry is None:
            rows.append(
                {"exercise": ex.id, "title": ex.title, "score": 0.0, "max": ex.points,
                 "passed": 0, "checks": len(ex.checks), "messages": [_first_error(nb, ex.id)]}
            )  # fmt: skip
            continue
        checks = entry["checks"]
        rows.append(
            {
                "exercise": ex.id,
                "title": ex.title,
                "score": entry["score"],
                "max": entry["max"],
                "passed": sum(c["earned"] == c["points"] for c in checks),
                "checks": len(checks),
                "messages": _messages(checks),
            }
        )
    return rows


def _messages(checks: list[dict[str, Any]]) -> list[str]:
    """Each failed check's message; one line when every check failed for the same reason."""
    reasons = {c["message"] for c in checks}
    if len(checks) > 1 and len(reasons) == 1 and all(c["earned"] == 0 for c in checks):
        return [f"every check: {reasons.pop()}"] if checks[0]["message"] else []
    return [f"{c['title']}: {c['message']}" for c in checks if c["message"]]
