"""nbgrader, taught Solidity: solution regions inside ``%%solidity`` cells get a Solidity stub.

Stock ``ClearSolutions`` puts the notebook language's stub (``raise NotImplementedError()``)
into every solution region — Python inside Solidity. Here a ``%%solidity`` cell gets
``// YOUR CODE HERE``, which the magic answers with a friendly "not done yet" until the
learner replaces it. ``jupyter_config.py`` puts this preprocessor in nbgrader's pipeline.
"""

from __future__ import annotations

from nbgrader.preprocessors import ClearSolutions
from traitlets import Dict

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
