"""nbgrader, taught Solidity: solution regions inside ``%%solidity`` cells get a Solidity stub,
and ``sollab grade``'s results go through nbgrader's autograde pipeline.

Stock ``ClearSolutions`` puts the notebook language's stub (``raise NotImplementedError()``)
into every solution region — Python inside Solidity. Here a ``%%solidity`` cell gets
``// YOUR CODE HERE``, which the magic answers with a friendly "not done yet" until the
learner replaces it. ``jupyter_config.py`` puts this preprocessor in nbgrader's pipeline.
"""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from functools import partial
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jinja2
import nbformat
from bs4.builder import HTMLTreeBuilder
from nbconvert.exporters import HTMLExporter, TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
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


class _Remembered:
    """What a pure filter made of each input, kept for the life of the process (least recently
    used first out): a class's pages share most of their cells."""

    def __init__(self, size: int = 4096) -> None:
        self.size, self.kept = size, OrderedDict()

    def get(self, key: Any, make: Any) -> Any:
        if key in self.kept:
            self.kept.move_to_end(key)
            return self.kept[key]
        value = self.kept[key] = make()
        if len(self.kept) > self.size:
            self.kept.popitem(last=False)
        return value


_HIGHLIGHTED = _Remembered()
_MARKDOWN = _Remembered()


class _Highlight(Highlight2HTML):
    """nbconvert's code highlighter, each cell's source highlighted once per process."""

    def __call__(self, source, language=None, metadata=None):
        magics = metadata.get("magics_language") if metadata else None
        options = json.dumps(self.extra_formatter_options, sort_keys=True, default=repr)
        key = (source, language or self.pygments_lexer, magics, options)
        return _HIGHLIGHTED.get(key, partial(super().__call__, source, language, metadata))


# nbconvert's accessibility pass (``HTMLExporter.from_notebook_node``): what it adds, and where
NO_ALT = "No description has been provided for this image"
FOCUSABLE = ("jp-Cell-inputWrapper", "jp-OutputArea-output")  # div classes, in .jp-Notebook
VOID = frozenset(HTMLTreeBuilder.DEFAULT_EMPTY_ELEMENT_TAGS)  # closed as they open
_CLASSES = re.compile(r"\S+")  # as BeautifulSoup splits a class attribute


class _Accessibility(HTMLParser):
    """Finds where nbconvert's accessibility pass changes a page, reading it with the parser
    BeautifulSoup uses (``html.parser``): ``alt`` on an ``img`` without one, ``tabindex="0"``
    on a cell's input wrapper and outputs inside ``.jp-Notebook``. ``regular`` turns False
    when the page is not a plain tree (an end tag that does not close the innermost open
    element, an element never closed, a ``tabindex`` already there): there BeautifulSoup's
    repairs decide what is whose child, so the caller runs nbconvert's own pass."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=False)  # as BeautifulSoup reads
        self.page = page
        self.lines = [0] + [m.end() for m in re.finditer("\n", page)]
        self.open: list[tuple[str, bool]] = []  # (tag, inside .jp-Notebook or it)
        self.edits: list[tuple[int, str]] = []
        self.missing_alt = 0
        self.regular = True

    def edited(self) -> str | None:
        """The page with the attributes added, or None if it is not a plain tree."""
        self.feed(self.page)
        self.close()
        if not self.regular or self.open:
            return None
        parts, start = [], 0
        for at, text in self.edits:
            parts += [self.page[start:at], text]
            start = at
        parts.append(self.page[start:])
        return "".join(parts)

    def _element(self, tag: str, attrs: list[tuple[str, str | None]], empty: bool) -> None:
        values = dict(attrs)  # a repeated attribute: the last one counts, as in BeautifulSoup
        inside = bool(self.open) and self.open[-1][1]
        classes = _CLASSES.findall(values.get("class") or "")
        added = None
        if tag == "img" and "alt" not in values:
            added, self.missing_alt = f' alt="{NO_ALT}"', self.missing_alt + 1
        elif tag == "div" and inside and any(c in classes for c in FOCUSABLE):
            if "tabindex" in values:
                self.regular = False
            added = ' tabindex="0"'
        if added is not None:
            text = self.get_starttag_text() or ""
            line, column = self.getpos()
            if text.endswith("/>") or not text.endswith(">"):
                self.regular = False
            self.edits.append((self.lines[line - 1] + column + len(text) - 1, added))
        if not empty and tag not in VOID:
            self.open.append((tag, inside or "jp-Notebook" in classes))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._element(tag, attrs, empty=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._element(tag, attrs, empty=True)

    def handle_endtag(self, tag: str) -> None:
        if self.open and self.open[-1][0] == tag:
            self.open.pop()
        else:
            self.regular = False


class FeedbackExporter(HTMLExporter):
    """nbgrader's feedback exporter (``HTMLExporter``, its ``feedback`` template), faster:

    - it compiles its templates once per process: nbgrader makes a new exporter for every
      student's feedback, and compiling the templates again took ~0.2 s of each;
    - nbconvert's accessibility pass parses the whole page into a BeautifulSoup tree, looks
      for three selectors and writes the tree out again (~0.15 s a page); here the attributes
      are put where that pass puts them, found by one read with the same parser (~0.02 s).
      A page that is not a plain tree (a learner's raw HTML in Markdown, say) gets
      nbconvert's own pass. Read by BeautifulSoup, the page is the one nbconvert writes
      (``tests/test_nbgrader.py`` checks it on every lesson's notebooks)."""

    def _create_environment(self) -> jinja2.Environment:
        environment = super()._create_environment()
        environment.bytecode_cache = _TEMPLATES
        return environment

    @jinja2.pass_context
    def markdown2html(self, context, source):
        """nbconvert's Markdown filter, each text rendered once per process (not where it
        embeds images or attachments: those come from files and the cell)."""
        if self.embed_images or context.get("cell", {}).get("attachments"):
            return super().markdown2html(context, source)
        options = json.dumps(self.lexer_options, sort_keys=True, default=repr)
        key = (source, self.anchor_link_text, self.exclude_anchor_links, options)
        return _MARKDOWN.get(key, partial(super().markdown2html, context, source))

    def from_notebook_node(self, nb, resources=None, **kw):
        # HTMLExporter.from_notebook_node up to its accessibility pass (nbconvert 7.17)
        langinfo = nb.metadata.get("language_info", {})
        lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
        highlight_code = self.filters.get(
            "highlight_code", _Highlight(pygments_lexer=lexer, parent=self)
        )
        resources = self._init_resources(resources)
        filter_data_type = WidgetsDataTypeFilter(
            notebook_metadata=self._nb_metadata, parent=self, resources=resources
        )
        self.register_filter("highlight_code", highlight_code)
        self.register_filter("filter_data_type", filter_data_type)
        page, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        reader = _Accessibility(page)
        edited = reader.edited()
        if edited is None:
            return super().from_notebook_node(nb, resources, **kw)
        if reader.missing_alt:
            self.log.warning("Alternative text is missing on %s image(s).", reader.missing_alt)
        return edited, resources


# --- the gradebook ------------------------------------------------------------------------------

_ENGINES: dict[tuple[int, str, str], Any] = {}


def _shared_engine(url: Any, **kwargs: Any) -> Any:
    import os

    import sqlalchemy

    # by process too: a forked worker never uses its parent's engine (or its connections)
    key = (os.getpid(), str(url), json.dumps(kwargs, sort_keys=True, default=repr))
    if key not in _ENGINES:
        _ENGINES[key] = sqlalchemy.create_engine(url, **kwargs)
    return _ENGINES[key]


class _CheckedSchemas:
    """``jsonschema`` as nbgrader's cell-metadata validator uses it (``jsonschema.validate``,
    once per graded cell), with each schema checked against its metaschema once per process
    rather than on every call: the same validation, the same error (``best_match``)."""

    def __init__(self) -> None:
        self.validators: dict[str, Any] = {}

    def validate(self, instance: Any, schema: dict) -> None:
        import jsonschema

        key = json.dumps(schema, sort_keys=True)
        validator = self.validators.get(key)
        if validator is None:
            cls = jsonschema.validators.validator_for(schema)
            cls.check_schema(schema)
            validator = self.validators[key] = cls(schema)
        error = jsonschema.exceptions.best_match(validator.iter_errors(instance))
        if error is not None:
            raise error

    def __getattr__(self, name: str) -> Any:
        import jsonschema

        return getattr(jsonschema, name)


def _tables_if_missing(create_all: Any) -> Any:
    """``MetaData.create_all`` that first asks the database, in one query, whether every table
    is there already, as it is after the first student (``create_all`` asks once per table)."""

    def create(bind: Any = None, **kwargs: Any) -> None:
        import sqlalchemy

        if bind is not None and not kwargs:
            have = set(sqlalchemy.inspect(bind).get_table_names())
            if set(create_all.__self__.tables) <= have:
                return
        create_all(bind=bind, **kwargs)

    create.sollab = True
    return create


def tune_nbgrader() -> None:
    """Make nbgrader's recording cheaper in this process, reading and writing the same:

    - ``Gradebook`` uses one SQLAlchemy engine per database: nbgrader opens the gradebook about
      nine times to autograde one notebook and three more to write its feedback, each time with
      an engine of its own, so SQLAlchemy compiled every query again (~0.07 s a student);
      ``Gradebook.close()`` still disposes of its connections (the next use opens another);
    - opening it asks once whether its tables are all there before creating any that are not
      (~0.01 s a student);
    - its cell-metadata validator checks nbgrader's schema against jsonschema's metaschema
      once, not once per cell (~0.02 s a student)."""
    import nbgrader.api
    import nbgrader.nbgraderformat.common

    nbgrader.api.create_engine = _shared_engine
    metadata = nbgrader.api.Base.metadata
    if not getattr(metadata.create_all, "sollab", False):
        metadata.create_all = _tables_if_missing(metadata.create_all)
    if not isinstance(nbgrader.nbgraderformat.common.jsonschema, _CheckedSchemas):
        nbgrader.nbgraderformat.common.jsonschema = _CheckedSchemas()
