"""nbgrader, taught Solidity: solution regions inside ``%%solidity`` cells get a Solidity stub,
and ``sollab grade``'s results go through nbgrader's autograde pipeline.

Stock ``ClearSolutions`` puts the notebook language's stub (``raise NotImplementedError()``)
into every solution region — Python inside Solidity. Here a ``%%solidity`` cell gets
``// YOUR CODE HERE``, which the magic answers with a friendly "not done yet" until the
learner replaces it. ``jupyter_config.py`` puts this preprocessor in nbgrader's pipeline.
"""

from __future__ import annotations

import json
from pathlib import Path

import jinja2
import nbformat
from nbconvert.exporters import HTMLExporter
from nbgrader.preprocessors import ClearSolutions, NbGraderPreprocessor
from traitlets import Dict, Unicode

from .magics import SOLIDITY_STUB


class SolidityClearSolutions(ClearSolutions):
    """``ClearSolutions`` that stubs ``%%solidity`` cells with Solidity, not Python."""

    code_stub = Dict(
        dict(ClearSolutions.class_traits()["code_stub"].default(), solidity=SOLIDITY_STUB),
        help="The code snippet that replaces solutions, by language ('solidity' for "
        "%%solidity cells)",
    ).tag(config=True)

    def _replace_solution_region(self, cell, language: str) -> bool:
        if cell.cell_type == "code" and cell.source.lstrip().startswith("%%solidity"):
            language = "solidity"
        return super()._replace_solution_region(cell, language)


class InjectGrades(NbGraderPreprocessor):
    """nbgrader's execute step for ``sollab grade``: the notebook already ran in the sandbox and
    its exercises were checked, so each grade cell gets its report and its score (nbgrader's
    numeric partial credit), and each learner cell the outputs it produced there."""

    results_directory = Unicode(
        "", help="Folder of sollab grade's results, <folder>/<student>.json"
    ).tag(config=True)

    def preprocess(self, nb, resources):
        student = resources["nbgrader"]["student"]
        result = json.loads((Path(self.results_directory) / f"{student}.json").read_text())
        exercises, cells = result.get("exercises", {}), result.get("cells", {})
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in exercises:
                entry = exercises[grade_id]
                cell.outputs = [
                    nbformat.v4.new_output(
                        "display_data",
                        data={"text/html": entry["report_html"], "text/plain": entry["report"]},
                    ),
                    nbformat.v4.new_output(
                        "execute_result",
                        data={"text/plain": repr(float(entry["score"]))},
                        execution_count=None,
                    ),
                ]
            else:
                ran = cells.get(cell.get("id") or f"#{index}")
                cell.outputs = [nbformat.from_dict(o) for o in (ran or {}).get("outputs", [])]
        return nb, resources


class _TemplatesInMemory(jinja2.BytecodeCache):
    """Compiled Jinja templates, kept for the life of the process (Jinja checks each against
    its source's checksum before it uses it)."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


_TEMPLATES = _TemplatesInMemory()


class FeedbackExporter(HTMLExporter):
    """nbgrader's feedback exporter (``HTMLExporter``, its ``feedback`` template) that compiles
    its templates once per process: nbgrader makes a new exporter for every student's feedback,
    and compiling the templates again took ~0.2 s of each. The HTML is the same."""

    def _create_environment(self) -> jinja2.Environment:
        environment = super()._create_environment()
        environment.bytecode_cache = _TEMPLATES
        return environment
