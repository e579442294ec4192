"""Jupyter configuration for the lab and its nbgrader course.

Every Jupyter app started through the Makefile (JupyterLab, nbgrader) loads this file, because
`make` sets JUPYTER_CONFIG_PATH to this folder. It sets up:
- the course: instructor notebooks in `solutions/` (nbgrader's source), learner versions in
  `lessons/` (its release), and submissions, grades and feedback under `.sollab/course/`,
  outside the tracked tree;
- a Solidity-aware solution stub: a solution region in a `%%solidity` cell is released as
  `// YOUR CODE HERE`, not as Python;
- cell timeouts, so a learner's endless loop cannot hold up grading.

SOLLAB_COURSE_ROOT moves the whole course elsewhere (the tests use a temporary course);
SOLLAB_EXCHANGE puts the exchange in a folder of its own (a class on JupyterHub shares one).
"""

import os
from pathlib import Path

c = get_config()  # noqa: F821 (provided by Jupyter when it loads this file)

root = Path(os.environ.get("SOLLAB_COURSE_ROOT", Path(__file__).resolve().parent))
work = root / ".sollab" / "course"
exchange = Path(os.environ.get("SOLLAB_EXCHANGE") or work / "exchange")
# The gradebook's folder must exist before it opens, and the exchange before the lab's
# Assignment List and Formgrader look in it (they show an error until something is released).
work.mkdir(parents=True, exist_ok=True)
exchange.mkdir(parents=True, exist_ok=True)

# --- the course (nbgrader) ----------------------------------------------------------------------
c.CourseDirectory.root = str(root)
c.CourseDirectory.course_id = os.environ.get("SOLLAB_COURSE_ID", "sollab")  # the exchange's name
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "lessons"
c.CourseDirectory.submitted_directory = ".sollab/course/submitted"
c.CourseDirectory.autograded_directory = ".sollab/course/autograded"
c.CourseDirectory.feedback_directory = ".sollab/course/feedback"
c.CourseDirectory.db_url = f"sqlite:///{work / 'gradebook.db'}"
# Instructor Solidity (solutions/**/*.sol) never goes out with a release.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".*", "*.sol"]
c.Exchange.root = str(exchange)

# nbgrader's own pipeline with ClearSolutions replaced by sollab's Solidity-aware one. Named by
# import path so that loading this file (every kernel start does) imports nothing heavy; a test
# checks the list still matches nbgrader's.
c.GenerateAssignment.preprocessors = [
    "nbgrader.preprocessors.IncludeHeaderFooter",
    "nbgrader.preprocessors.InstantiateTests",
    "nbgrader.preprocessors.LockCells",
    "sollab.nbgrader.SolidityClearSolutions",
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.CheckCellMetadata",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.SaveCells",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbgrader.preprocessors.ClearMarkScheme",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# --- running notebooks --------------------------------------------------------------------------
c.ExecutePreprocessor.timeout = 120  # seconds a cell may run while autograding
c.ExecutePreprocessor.interrupt_on_timeout = True

# --- the lab server -----------------------------------------------------------------------------
c.MappingKernelManager.default_kernel_name = "sollab"
