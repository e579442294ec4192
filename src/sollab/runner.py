"""Runs one learner's notebook inside the grading sandbox (``python -m sollab.runner``).

It executes the learner's code cells in an IPython shell with the lab's extension (as the lab's
kernel would), tells the grader on its stdout how each cell went, then hands over the answers
the grade cells name, as plain data (see ``wire``), and answers calls to the learner's
functions until told to stop. It never runs a check: the checks run in the grader's own
process, so nothing the learner's code does here (patching the grader, odd objects) can change
a score.

The conversation is JSON lines. First line in: the job ``{"cells": [[index, source], ...],
"answers": [[exercise_id, expression], ...]}``. Out: ``ready``, then ``start``/``done`` for
each cell, then ``answers``; then, for each ``{"call": key, "args": ..., "kwargs": ...}`` in,
a ``return`` or ``raised``. Solidity is compiled by the grader: a ``compile`` request out
is answered by ``{"compiled": output, "version": ...}`` in. The learner's own output never
reaches this channel: file descriptors 1 and 2 point at stderr, which the grader drains and
caps.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from . import wire

MAX_OUTPUT = 64 * 1024  # characters of each output kept for feedback
MAX_NOTEBOOK_OUTPUT = 1024 * 1024


class _Runner:
    def __init__(self, channel: Any) -> None:
        self.channel = channel
        self.functions: dict[str, Any] = {}
        self.kept = 0  # characters of output kept so far

    def send(self, message: dict[str, Any]) -> None:
        self.channel.write(wire.dumps(message))
        self.channel.flush()

    # --- cells ----------------------------------------------------------------------------------

    def start_shell(self) -> Any:
        from IPython.core.interactiveshell import InteractiveShell

        runner = self

        class Shell(InteractiveShell):
            def _showtraceback(self, etype, evalue, stb):  # keep it for the feedback
                runner.error = (getattr(etype, "__name__", str(etype)), str(evalue), stb)

        shell = Shell.instance(colors="NoColor", history_length=0)
        shell.history_manager.enabled = False
        shell.extension_manager.load_extension("sollab")
        return shell

    def run_cell(self, shell: Any, source: str) -> dict[str, Any]:
        from IPython.utils.capture import capture_output

        self.error = None
        with capture_output(display=True) as captured:
            result = shell.run_cell(source, store_history=True, silent=False)
        outputs = []
        for name, text in (("stdout", captured.stdout), ("stderr", captured.stderr)):
            if text:
                outputs.append({"output_type": "stream", "name": name, "text": self.keep(text)})
        for rich in captured.outputs:
            data = {k: self.keep(v) for k, v in rich.data.items() if isinstance(v, str)}
            if data:
                outputs.append({"output_type": "display_data", "data": data, "metadata": {}})
        failed = not result.success
        if failed and self.error is not None:
            ename, evalue, stb = self.error
            outputs.append(
                {
                    "output_type": "error",
                    "ename": ename,
                    "evalue": self.keep(evalue),
                    "traceback": [self.keep(line) for line in stb[-20:]],
                }
            )
        done = {"event": "done", "status": "error" if failed else "ok", "outputs": outputs}
        if failed:
            ename, evalue, _ = self.error or ("Error", "the cell failed", [])
            done["error"] = f"{ename}: {evalue}".splitlines()[0][:500]
        return done

    def keep(self, text: str) -> str:
        room = max(0, min(MAX_OUTPUT, MAX_NOTEBOOK_OUTPUT - self.kept))
        if len(text) > room:
            text = text[:room] + "\n[… output truncated by the grader]"
        self.kept += len(text)
        return text

    # --- answers and calls ----------------------------------------------------------------------

    def answers(self, shell: Any, wanted: list[list[str]]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for exercise_id, expression in wanted:
            try:
                value = eval(expression, shell.user_ns)  # the instructor's grade-cell argument
            except NameError as exc:
                found[exercise_id] = {"missing": f"{exc}: the cell that defines it did not run"}
                continue
            except Exception as exc:
                found[exercise_id] = {"missing": f"{type(exc).__name__}: {exc}"[:500]}
                continue
            try:
                found[exercise_id] = {"value": wire.encode(value, functions=self.functions)}
            except Exception as exc:
                found[exercise_id] = {"missing": str(exc)[:500]}
        return found

    def call(self, request: dict[str, Any]) -> dict[str, Any]:
        from IPython.utils.capture import capture_output

        try:
            function = self.functions[request["call"]]
            args = wire.decode(request.get("args", []), contract=_rebuild)
            kwargs = wire.decode(request.get("kwargs", {"$dict": {}}), contract=_rebuild)
        except Exception as exc:
            return {"event": "raised", "type": "WireError", "message": str(exc)[:2000]}
        try:
            with capture_output():  # what the learner's function prints is not for the grader
                value = function(*args, **kwargs)
        except BaseException as exc:
            return {"event": "raised", "type": type(exc).__name__, "message": str(exc)[:2000]}
        try:
            return {"event": "return", "value": wire.encode(value)}
        except Exception as exc:
            return {"event": "raised", "type": "NotPlainData", "message": str(exc)[:2000]}


class _RelayCompiler:
    """Stands in for the solc-js worker: compiles through the grader, whose compiler is warm
    (and which compiles the same sources again to grade them, from its cache)."""

    def __init__(self, runner: _Runner, inbox: Any) -> None:
        self.runner, self.inbox = runner, inbox

    def start(self, preload: Any = None) -> None:
        pass

    def compile(self, compiler: Any, input_json: str) -> tuple[str, str]:
        from .errors import CompilerCrashed

        self.runner.send({"event": "compile", "solc": str(compiler.version), "input": input_json})
        reply = wire.loads(self.inbox.readline())
        if "compiled" not in reply:
            raise CompilerCrashed(str(reply.get("error", "the grader could not compile this")))
        return str(reply["compiled"]), str(reply["version"])


def _rebuild(spec: dict[str, Any]) -> Any:
    """A compiled contract sent by the grader, compiled here and bound to the kernel's chain."""
    import sollab
    from sollab.compiler import compile_standard_input
    from sollab.contracts import ContractFactory

    result = compile_standard_input(spec["input"], spec["solc"], [spec["unit"]])
    return ContractFactory(result.contract(spec["name"]), sollab.get_chain)


def main() -> None:
    # Our channel is the real stdout; the learner's fds 1 and 2 both go to stderr.
    channel = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = os.fdopen(1, "w", buffering=1, closefd=False)
    inbox = os.fdopen(os.dup(0), "rb")  # and the learner's stdin is empty
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    sys.stdin = open(os.devnull)  # noqa: SIM115
    runner = _Runner(channel)
    job = wire.loads(inbox.readline())
    from . import compiler

    compiler._default = compiler.Compiler(worker=_RelayCompiler(runner, inbox), disk_cache=False)
    shell = runner.start_shell()
    runner.send({"event": "ready"})
    for index, source in job.get("cells", []):
        runner.send({"event": "start", "index": index})
        runner.send(dict(runner.run_cell(shell, source), index=index))
    runner.send({"event": "answers", "answers": runner.answers(shell, job.get("answers", []))})
    for line in inbox:
        request = wire.loads(line)
        if "call" not in request:
            break
        runner.send(runner.call(request))
    channel.flush()
    os._exit(0)  # skip interpreter teardown (and any atexit the learner registered)


if __name__ == "__main__":
    main()
