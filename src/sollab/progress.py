"""The learner's record: the best score of every exercise they have graded, in a file they own.

Kept in ``$SOLLAB_PROGRESS`` or ``~/.sollab/progress.json``; written atomically after every
``lab.grade`` / ``sollab check``; shown by ``sollab progress``.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from pathlib import Path
from typing import Any

from .paths import write_atomically


def progress_path() -> Path:
    return Path(os.environ.get("SOLLAB_PROGRESS", Path.home() / ".sollab" / "progress.json"))


def load() -> dict[str, dict[str, Any]]:
    """exercise id -> {"best", "max", "last", "attempts", "updated"}; empty if none yet."""
    try:
        data = json.loads(progress_path().read_text())
    except (OSError, ValueError):
        return {}
    return data.get("exercises", {}) if isinstance(data, dict) else {}


def record(exercise_id: str, score: float, max_points: float) -> None:
    """Note an attempt; a damaged or unwritable file never stops the grading."""
    exercises = load()
    entry = exercises.get(exercise_id, {"best": 0.0, "attempts": 0})
    entry.update(
        best=max(float(entry.get("best", 0.0)), float(score)),
        max=float(max_points),
        last=float(score),
        attempts=int(entry.get("attempts", 0)) + 1,
        updated=time.strftime("%Y-%m-%d %H:%M:%S"),
    )
    exercises[exercise_id] = entry
    path = progress_path()
    with contextlib.suppress(OSError):
        write_atomically(path, json.dumps({"exercises": exercises}, indent=2, sort_keys=True))
