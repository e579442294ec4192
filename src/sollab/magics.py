"""The IPython extension: ``%%solidity`` cells and ``%solidity_file``.

    %load_ext sollab        (the lab's "sollab" kernel loads it by itself)

    %%solidity [--optimize] [--solc VERSION] [--via-ir]
    contract Counter { ... }

compiles the cell and binds each contract in it as a Python name: ``Counter.deploy(...)``
deploys on ``lab.chain``. Warnings show collapsed; errors show with line, caret and hint,
and fail the cell; a failed compile leaves earlier bindings as they were.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from IPython.core.magic import Magics, cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring
from IPython.display import display

from .compiler import CompilationResult, compile_files, compile_source
from .contracts import ContractFactory
from .display import Rich, panel, warnings_html
from .errors import CompileError, LabError
from .paths import lab_home
from .sources import strip_comments

_DECLARATION_RE = re.compile(r"\b(?:abstract\s+contract|contract|interface|library)\s+(\w+)")
#: The line nbgrader releases in place of a solution in a %%solidity cell (see sollab.nbgrader).
SOLIDITY_STUB = "// YOUR CODE HERE"
_MARKER_RE = re.compile(r"(###|//)\s*(BEGIN|END) (SOLUTION|HIDDEN TESTS)")
_PYTHON_HINT_RE = re.compile(
    r"^\s*(def |import |from \S+ import |print\(|for \S+ in |if .*:\s*$|\w+\s*=\s*lab\.)", re.M
)


class CellFailed(LabError):
    """A ``%%solidity`` cell (or ``%solidity_file``) did not compile: the errors were displayed
    above, or the message says what stopped the compile (no such file, no such compiler).
    Shown as one line: the learner's "line" would be IPython's ``run_cell_magic(...)`` call."""

    def _render_traceback_(self) -> list[str]:
        return [f"\x1b[0;31m{type(self).__name__}\x1b[0m: {self}"]


def _without_solution_markers(source: str) -> str:
    """An instructor's cell with nbgrader's ``### BEGIN/END SOLUTION`` lines blanked (they are
    not Solidity); blank lines keep the line numbers."""
    return "\n".join(
        "" if _MARKER_RE.fullmatch(line.strip()) else line for line in source.split("\n")
    )


def _cell_name(source: str) -> str:
    """The cell's source unit name: its first declaration's, e.g. ``Counter.sol``."""
    m = _DECLARATION_RE.search(strip_comments(source, strings=True))
    return f"{m[1]}.sol" if m else "cell.sol"


def _options(args: Any) -> dict[str, Any]:
    return {"optimize": args.optimize, "solc": args.solc, "via_ir": args.via_ir}


def cell_options(line: str) -> dict[str, Any]:
    """The compile options a ``%%solidity`` line's flags give, parsed as the magic parses them
    (``--solc=0.8.24`` as well as ``--solc 0.8.24``); IPython's UsageError if they are wrong."""
    return _options(parse_argstring(SolidityMagics.solidity, line))


@magics_class
class SolidityMagics(Magics):
    def _get_chain(self):
        from . import get_chain

        return get_chain()

    def _bind(self, result: CompilationResult) -> list[str]:
        names = []
        for artifact in result.root_contracts:
            self.shell.user_ns[artifact.name] = ContractFactory(artifact, self._get_chain)
            names.append(artifact.name)
        return names

    def _bind_unfinished(self, cell: str, reason: str) -> None:
        """Names the cell declares but could not compile, not bound before, stand for
        "not compiled yet" (a grade cell then scores 0 with the reason, not a NameError)."""
        from .grading import Unfinished

        for name in _DECLARATION_RE.findall(strip_comments(cell, strings=True)):
            if name not in self.shell.user_ns:
                self.shell.user_ns[name] = Unfinished(name, reason)

    def _report(self, result: CompilationResult, names: list[str]) -> None:
        text_parts = [
            f"Compiled with solc {result.solc_version.split('+')[0]}: " + ", ".join(names)
        ]
        warnings = "".join(f"\n{w.render()}" for w in result.warnings)
        if result.warnings:
            text_parts.append(f"{len(result.warnings)} warning(s):{warnings}")
        bound = ", ".join(f"<code>{n}</code>" for n in names)
        html = panel(
            f"<div class='ok'>Compiled with solc {result.solc_version.split('+')[0]}; "
            f"bound {bound} (deploy with <code>{names[0]}.deploy(...)</code>)</div>"
            + warnings_html(result.warnings)
        )
        display(Rich(html, "\n".join(text_parts)))

    def _fail(self, exc: CompileError, source: str) -> None:
        text = str(exc)
        html = exc._repr_html_()
        first = exc.errors[0] if exc.errors else None
        if first is not None and first.type == "ParserError" and _PYTHON_HINT_RE.search(source):
            note = (
                "This cell looks like Python: a %%solidity cell holds only Solidity. "
                "Move the Python into a cell of its own."
            )
            text += f"\n  note: {note}"
            html = html.replace("</div>", f"<div class='hint'>{note}</div></div>", 1)
        display(Rich(html, text))
        n = len(exc.errors)
        errors = f"{n} compile error{'s' if n != 1 else ''}"
        raise CellFailed(f"{errors} (shown above); earlier contracts are unchanged") from None

    @magic_arguments()
    @argument("--optimize", action="store_true", help="Enable the optimizer (200 runs).")
    @argument("--solc", metavar="VERSION", help="Compile with this solc version.")
    @argument("--via-ir", action="store_true", help="Compile through the IR pipeline.")
    @cell_magic
    def solidity(self, line: str, cell: str) -> None:
        """Compile this cell's Solidity and bind each contract as a Python name."""
        args = parse_argstring(self.solidity, line)
        if any(line.strip() == SOLIDITY_STUB for line in cell.splitlines()):
            self._bind_unfinished(cell, "its cell still says `// YOUR CODE HERE`")
            raise CellFailed(
                "not done yet: write your Solidity where the cell says "
                f"`{SOLIDITY_STUB}`, then delete that line"
            )
        cell = _without_solution_markers(cell)
        try:
            # A leading newline stands for the %%solidity line, so Solidity line numbers are
            # the cell's own line numbers.
            source = "\n" + cell
            result = compile_source(source, _cell_name(cell), base=Path.cwd(), **_options(args))
        except CompileError as exc:
            self._bind_unfinished(cell, "its cell has a compile error")
            self._fail(exc, cell)
            return
        except LabError as exc:  # an empty cell, no such compiler, ...
            raise CellFailed(str(exc)) from exc
        self._report(result, self._bind(result))

    @magic_arguments()
    @argument("path", help="The .sol file to compile.")
    @argument("--optimize", action="store_true", help="Enable the optimizer (200 runs).")
    @argument("--solc", metavar="VERSION", help="Compile with this solc version.")
    @argument("--via-ir", action="store_true", help="Compile through the IR pipeline.")
    @line_magic
    def solidity_file(self, line: str) -> None:
        """Compile a .sol file and bind each contract in it as a Python name."""
        args = parse_argstring(self.solidity_file, line)
        path = Path(args.path).expanduser()
        try:
            result = compile_files(path, **_options(args))
        except CompileError as exc:
            self._fail(exc, "")
            return
        except LabError as exc:  # no such file, no such compiler, ...
            raise CellFailed(str(exc)) from exc
        self._report(result, self._bind(result))


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext sollab``: register the magics and start the compiler warming up."""
    ipython.register_magics(SolidityMagics)
    ipython.user_ns.setdefault("lab", __import__("sollab"))
    # hypothesis (lesson 08, the graders' properties) keeps a cache in the working directory
    # unless told otherwise: keep lesson folders clean.
    os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", str(lab_home() / "hypothesis"))
    try:
        from .compiler import default_compiler

        default_compiler().prewarm()  # Node loads solc while the learner reads the lesson
    except LabError:
        pass  # reported on the first compile, with its fix
