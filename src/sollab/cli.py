"""The `sollab` command: compile, manage compilers, check the lab.

A user's mistake ends as one line, ``Error: <what was wrong>: <how to fix it>``, and exit code 1;
never a traceback.
"""

from __future__ import annotations

import contextlib
import difflib
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import click

from .errors import CompileError, LabError


class _Group(click.Group):
    """A command group that suggests the closest command for a typo."""

    def resolve_command(self, ctx: click.Context, args: list[str]):
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            close = difflib.get_close_matches(name, self.list_commands(ctx), n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            raise click.UsageError(f"No such command '{name}'.{hint}", ctx)
        return super().resolve_command(ctx, args)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="sollab")
def cli() -> None:
    """sollab: an interactive Solidity learning lab."""


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document (ABI, bytecode).")
@click.option("--optimize", is_flag=True, help="Enable the optimizer (200 runs).")
@click.option("--solc", "solc_version", metavar="VERSION", help="Use this compiler version.")
@click.option("--verbose", "-v", is_flag=True, help="Show every diagnostic in full.")
@click.option("--remap", "remappings", multiple=True, metavar="PREFIX=TARGET", help="Remapping.")
def compile(
    files: tuple[Path, ...],
    as_json: bool,
    optimize: bool,
    solc_version: str | None,
    verbose: bool,
    remappings: tuple[str, ...],
) -> None:
    """Compile Solidity FILES and print diagnostics and a summary."""
    from .compiler import compile_files

    start = time.perf_counter()
    try:
        result = compile_files(
            list(files),
            optimize=optimize,
            solc=solc_version,
            remappings=list(remappings),
            verbose=verbose,
        )
    except CompileError as exc:
        if as_json:
            _print_json(
                {
                    "contracts": {},
                    "solc": exc.solc_version.split("+")[0] or None,
                    "errors": [d.to_dict() for d in exc.diagnostics],
                }
            )
            sys.exit(1)
        for d in exc.diagnostics:
            click.echo(d.render(verbose=verbose) + "\n", err=True)
        n = len(exc.errors)
        raise LabError(f"{n} compile error{'s' if n != 1 else ''}; nothing was compiled") from None
    except LabError as exc:
        if as_json:
            error = {"severity": "error", "message": str(exc)}
            _print_json({"contracts": {}, "solc": None, "errors": [error]})
            sys.exit(1)
        raise
    elapsed = (time.perf_counter() - start) * 1000
    short = result.solc_version.split("+")[0]
    if as_json:
        _print_json(
            {
                "contracts": {
                    fqn: {
                        "abi": a.abi,
                        "bytecode": a.bytecode,
                        "deployedBytecode": a.deployed_bytecode,
                    }
                    for fqn, a in result.contracts.items()
                },
                "solc": short,
                "solcLongVersion": result.solc_version,
                "errors": [d.to_dict() for d in result.warnings],
            }
        )
        return
    for d in result.warnings:
        click.echo(d.render(verbose=verbose) + "\n", err=True)
    for a in result.root_contracts:
        size = (len(a.deployed_bytecode) - 2) // 2
        functions = sum(1 for i in a.abi if i.get("type") == "function")
        kind = f"{size:,} bytes deployed" if a.is_deployable else "interface/abstract"
        click.echo(f"  {a.fqn}: {functions} functions, {kind}")
    warnings = len(result.warnings)
    click.echo(
        f"Compiled {len(result.root_contracts)} contract(s) with solc {short} "
        f"({result.compiler.label.split('(', 1)[1].rstrip(')')}) in {elapsed:.0f} ms"
        + (f", {warnings} warning(s)" if warnings else "")
        + (" [cached]" if result.cached else "")
    )


def _print_json(document: dict[str, Any]) -> None:
    click.echo(json.dumps(document, indent=2))


@cli.group(cls=_Group)
def compilers() -> None:
    """List and install Solidity compilers."""


@compilers.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def compilers_list(as_json: bool) -> None:
    """Show every installed compiler, newest first."""
    from .versions import installed_compilers

    found = installed_compilers()
    if as_json:
        _print_json(
            {
                "compilers": [
                    {
                        "version": str(c.version),
                        "kind": c.kind,
                        "origin": c.origin,
                        "path": str(c.path),
                    }
                    for c in found
                ]
            }
        )
        return
    if not found:
        raise LabError("no Solidity compiler is installed: run `make setup`")
    for c in found:
        click.echo(f"  {c.version!s:<8} {c.kind:<7} {c.origin:<17} {c.path}")


@compilers.command("install")
@click.argument("version")
def compilers_install(version: str) -> None:
    """Install solc-js VERSION from npm, beside the others."""
    from .versions import install_solcjs, installable

    click.echo(f"Installing solc {installable(version)} from npm ...")
    c = install_solcjs(version)
    click.echo(f"Installed solc {c.version} at {c.path}")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def exercises(as_json: bool) -> None:
    """List every exercise: id, title, points, visible and hidden checks."""
    from .grading import exercises_table

    table = exercises_table()
    if as_json:
        _print_json({"exercises": table})
        return
    if not table:
        raise LabError("no exercises found: the graders/ folder is empty or missing")
    width = max(len(e["id"]) for e in table)
    for e in table:
        checks = f"{e['visible_checks']} visible + {e['hidden_checks']} hidden checks"
        click.echo(f"  {e['id']:<{width}}  {e['points']:>4g} pts  {checks}  {e['title']}")


@cli.command()
@click.argument("target")
@click.option("--source", type=click.Path(path_type=Path), help="The .sol file to grade.")
@click.option("--contract", "contract_name", help="The contract in it (default: the exercise's).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def check(target: str, source: Path | None, contract_name: str | None, as_json: bool) -> None:
    """Grade your work: a NOTEBOOK (every exercise in it), or EXERCISE_ID --source FILE.sol.

    Exits 1 unless everything scored full marks."""
    if target.endswith(".ipynb"):
        if source is not None:
            raise LabError("--source is for one exercise: `sollab check EXERCISE_ID --source F`")
        full = _check_notebook(Path(target), as_json)
    else:
        if source is None:
            raise LabError(
                f"say what to grade: `sollab check {target} --source FILE.sol`, "
                "or give a notebook (`sollab check lesson.ipynb`)"
            )
        full = _check_source(target, source, contract_name, as_json)
    if not full:
        sys.exit(1)


def _check_source(exercise_id: str, source: Path, contract_name: str | None, as_json: bool) -> bool:
    from .compiler import compile_files
    from .grading import get_exercise, grade

    ex = get_exercise(exercise_id)
    result = compile_files(source)
    submission = result[contract_name or ex.contract or ""]
    score = grade(exercise_id, submission, quiet=True)
    if as_json:
        _print_json(score.to_dict())
    else:
        click.echo(score.report())
    return float(score) >= score.max


def _check_notebook(path: Path, as_json: bool) -> bool:
    from .selfcheck import check_notebook

    click.echo(f"Running {path} ...", err=True)
    rows = check_notebook(path)
    if as_json:
        _print_json({"notebook": str(path), "exercises": rows})
    else:
        width = max(len(r["exercise"]) for r in rows)
        for r in rows:
            click.echo(
                f"  {r['exercise']:<{width}}  {r['score']:>4g} / {r['max']:<4g} "
                f"{r['passed']}/{r['checks']} checks passed"
            )
            for message in r["messages"]:
                click.echo(f"      {message}")
        total, best = sum(r["score"] for r in rows), sum(r["max"] for r in rows)
        click.echo(f"Total: {total:g} / {best:g}")
    return all(r["score"] >= r["max"] for r in rows)


class _DefaultGroup(_Group):
    """A group whose first argument, when it names none of its commands, goes to the default
    one: ``sollab grade LESSON SUBMISSIONS`` and ``sollab grade merge LESSON SUBMISSIONS``."""

    default = "class"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ctx.help_option_names):
            others = [name for name in self.commands if name != self.default]
            close = difflib.get_close_matches(args[0], others, n=1) if args else []
            if close:  # `sollab grade mrege ...` is a typo, not a lesson called "mrege"
                raise click.UsageError(f"No such command '{args[0]}'. Did you mean '{close[0]}'?")
            args = [self.default, *args]
        return super().parse_args(ctx, args)


@cli.group(cls=_DefaultGroup)
def grade() -> None:
    """Grade a class.

    \b
      sollab grade LESSON SUBMISSIONS [--jobs N] [--shard I/N] ...
      sollab grade merge LESSON SUBMISSIONS

    The first grades every notebook in SUBMISSIONS (nbgrader's submitted/ tree, or one folder
    or .ipynb per student), each in its own sandbox, in parallel (`sollab grade class --help`
    lists its options). With --shard I/N it grades only the I-th of N disjoint slices, on as
    many machines as you like, and records nothing; `sollab grade merge` then folds every
    shard's results into the gradebook, feedback and CSV."""


_COURSE = click.option(
    "--course", type=click.Path(path_type=Path), help="The course folder [this lab]."
)
_JOBS = click.option(
    "--jobs", "-j", type=click.IntRange(1), help="Submissions handled at once [all cores]."
)
_CSV = click.option(
    "--csv", "csv_path", type=click.Path(path_type=Path), help="Where to write the CSV."
)
_JSON = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


@grade.command("class")
@click.argument("lesson")
@click.argument("submissions", type=click.Path(path_type=Path))
@_JOBS
@_COURSE
@click.option("--cell-timeout", default=60.0, show_default=True, help="Seconds a cell may run.")
@click.option(
    "--call-timeout",
    default=60.0,
    show_default=True,
    help="Seconds one call of a function may run.",
)
@_CSV
@click.option("--force", is_flag=True, help="Grade again what was graded before.")
@click.option("--no-sandbox", is_flag=True, help="Run submissions without bubblewrap (unsafe).")
@click.option(
    "--shard",
    metavar="I/N",
    help="Grade only the I-th of N disjoint slices of the class and record nothing (then run "
    "`sollab grade merge`).",
)
@_JSON
def grade_class_command(
    lesson: str,
    submissions: Path,
    jobs: int | None,
    course: Path | None,
    cell_timeout: float,
    call_timeout: float,
    csv_path: Path | None,
    force: bool,
    no_sandbox: bool,
    shard: str | None,
    as_json: bool,
) -> None:
    """Grade every notebook in SUBMISSIONS (nbgrader's submitted/ tree, or one folder or .ipynb
    per student) for LESSON, each in its own sandbox, in parallel.

    Writes nbgrader's gradebook, autograded notebooks and feedback HTML, and a CSV. Rerunning
    resumes: what was graded before is not graded again unless it changed (or --force). With
    --shard I/N: only that slice, its results under .sollab/course/grading/LESSON/ and its own
    CSV there; nothing is recorded until `sollab grade merge`."""
    from .classgrade import Options, Shard, course_root, grade_class, skip_iri_format_checks
    from .sandbox import NOT_SANDBOXED_WARNING, bubblewrap

    skip_iri_format_checks()

    slice_ = Shard.parse(shard) if shard is not None else None
    options = Options(
        course=(course or course_root()).resolve(),
        cell_timeout=cell_timeout,
        call_timeout=call_timeout,
        isolate=not no_sandbox,
    )
    if no_sandbox or bubblewrap() is None:
        click.secho(NOT_SANDBOXED_WARNING, fg="red", bold=True, err=True)
    started = time.monotonic()
    graded = grade_class(
        lesson, submissions, jobs=jobs, options=options, force=force, csv_path=csv_path,
        progress=_progress_bar(as_json), shard=slice_,
    )  # fmt: skip
    what = f"shard {slice_} of the class" if slice_ else "submissions"
    _show_grades(graded, time.monotonic() - started, as_json, what, with_feedback=not slice_)
    if slice_:
        click.echo(f"Recorded nothing yet: once every shard has run, `sollab grade merge {lesson}`")


@grade.command("merge")
@click.argument("lesson")
@click.argument("submissions", type=click.Path(path_type=Path))
@_JOBS
@_COURSE
@_CSV
@_JSON
def grade_merge_command(
    lesson: str,
    submissions: Path,
    jobs: int | None,
    course: Path | None,
    csv_path: Path | None,
    as_json: bool,
) -> None:
    """Fold every shard's results for LESSON into nbgrader's gradebook, the autograded
    notebooks, feedback and the class CSV, as one `sollab grade` run would have. Grades
    nothing: it stops, recording nothing, if a submission in SUBMISSIONS has no up-to-date
    result, and names the shards to run again. Running it twice changes nothing."""
    from .classgrade import Options, course_root, merge_class, skip_iri_format_checks

    skip_iri_format_checks()

    options = Options(course=(course or course_root()).resolve())
    started = time.monotonic()
    merged = merge_class(
        lesson, submissions, jobs=jobs, options=options, csv_path=csv_path,
        progress=_progress_bar(as_json),
    )  # fmt: skip
    _show_grades(merged, time.monotonic() - started, as_json, "submissions merged")


def _progress_bar(quiet: bool):
    def show(done: int, total: int, result: dict | None) -> None:
        if quiet:
            return
        width = 30
        filled = width * done // max(total, 1)
        who = f"  {result['student']}" if result else ""
        bar = f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total}{who}"
        if sys.stderr.isatty():
            click.echo(f"\r{bar:<72}", nl=done == total, err=True)
        else:
            click.echo(bar, err=True)

    return show


def _show_grades(
    graded: Any, elapsed: float, as_json: bool, what: str, with_feedback: bool = True
) -> None:
    """A class's grades: a table per student, then the problems and where the files are."""
    if as_json:
        _print_json(
            {"lesson": graded.lesson.name, "csv": str(graded.csv), "seconds": round(elapsed, 2),
             "sandboxed": graded.sandboxed, "problems": graded.problems,
             "students": [{k: r.get(k) for k in ("student", "score", "max", "notes", "error")}
                          for r in graded.results]}
        )  # fmt: skip
        return
    exercises = [g.exercise.split("/", 1)[1] for g in graded.lesson.grade_cells]
    width = max([len(r["student"]) for r in graded.results] + [7])
    click.echo(
        f"  {'student':<{width}}  " + "  ".join(f"{e:>10.10}" for e in exercises) + "   total"
    )
    for r in graded.results:
        points = [r.get("exercises", {}).get(g.grade_id, {}).get("score", 0)
                  for g in graded.lesson.grade_cells]  # fmt: skip
        cells = "  ".join(f"{p:>10g}" for p in points)
        click.echo(
            f"  {r['student']:<{width}}  {cells}  {r.get('score', 0):>6g} / {r.get('max', 0):g}"
        )
        for note in r.get("notes", [])[:3] + ([r["error"]] if "error" in r else []):
            click.echo(f"      {note}")
    for problem in graded.problems:
        click.secho(f"  problem: {problem}", fg="yellow", err=True)
    feedback = f"; feedback: {graded.feedback}" if with_feedback else ""
    click.echo(f"{len(graded.results)} {what} in {elapsed:.1f} s; CSV: {graded.csv}{feedback}")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def progress(as_json: bool) -> None:
    """Show your best score on every exercise (from your progress file)."""
    from .grading import exercises_table
    from .progress import load, progress_path

    done = load()
    rows = [
        {**e, **{k: done[e["id"]][k] for k in ("best", "attempts", "updated") if e["id"] in done}}
        for e in exercises_table()
    ]
    if as_json:
        _print_json({"file": str(progress_path()), "exercises": rows})
        return
    width = max((len(r["id"]) for r in rows), default=10)
    for r in rows:
        state = (
            f"{r['best']:>4g} / {r['points']:<4g} ({r['attempts']} attempts, {r['updated']})"
            if "best" in r
            else f"   - / {r['points']:<4g} (not attempted)"
        )
        click.echo(f"  {r['id']:<{width}}  {state}")
    click.echo(f"(from {progress_path()})")


@cli.command()
@click.option(
    "--port",
    default=8545,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0: any free port).",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Interface to listen on; give another only to reach the node from other machines.",
)
@click.option(
    "--keys", "show_keys", is_flag=True, help="Also print the private keys (public test keys)."
)
def node(port: int, host: str, show_keys: bool) -> None:
    """Serve a fresh lab chain over Ethereum JSON-RPC (for MetaMask, ethers.js, viem, web3.py).

    Ten funded accounts are unlocked, as on Anvil or Hardhat's node; Ctrl-C stops it."""
    from .chain import Chain
    from .devnode import NodeServer

    chain = Chain()
    server = NodeServer(chain, host, port)
    try:  # from here on, Ctrl-C stops the node cleanly, even during the banner
        _node_banner(chain, server, host, show_keys)
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("\nStopped.", err=True)
    finally:
        server.stop()


def _node_banner(chain: Any, server: Any, host: str, show_keys: bool) -> None:
    from .chain import ETHER

    click.echo(f"sollab node: chain id {server.chain_id} ({server.chain_id:#x})")
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.secho(
            f"Warning: listening on {host}: anyone who can reach it can spend the dev accounts",
            fg="yellow",
            err=True,
        )
    funds = chain.balance(chain.accounts[0]) // ETHER
    click.echo(f"\nAccounts (each funded with {funds:,} ETH, unlocked):")
    for i, account in enumerate(chain.accounts):
        click.echo(f"  ({i}) {account.address}  {account.name}")
    if show_keys:
        click.echo(
            "\nPrivate keys: PUBLIC TEST KEYS, known to everyone: never use them on a real "
            "network or send real funds to them."
        )
        for i, account in enumerate(chain.accounts):
            click.echo(f"  ({i}) 0x{account.private_key.hex()}")
    else:
        click.echo("(--keys prints their private keys: public test keys, for this node only)")
    click.echo(f"\nListening on {server.url} (Ctrl-C to stop)")
    sys.stdout.flush()


@contextlib.contextmanager
def _compile_errors_shown(consequence: str):
    """A compile error inside: its diagnostics on stderr, then one ``Error:`` line."""
    try:
        yield
    except CompileError as exc:
        for diagnostic in exc.diagnostics:
            click.echo(diagnostic.render() + "\n", err=True)
        n = len(exc.errors)
        raise LabError(f"{n} compile error{'s' if n != 1 else ''}; {consequence}") from None


@cli.command(context_settings={"ignore_unknown_options": True})
@click.argument("target")
@click.argument("args", nargs=-1)
@click.option("--rpc", required=True, metavar="URL", help="The node's JSON-RPC URL (HTTP).")
@click.option(
    "--chain-id", required=True, type=int, help="The chain you mean; a different one is refused."
)
@click.option("--key-env", metavar="VAR", help="Environment variable holding the private key.")
@click.option(
    "--keystore",
    type=click.Path(path_type=Path),
    help="Encrypted keystore file holding the key (the password is asked).",
)
@click.option(
    "--password-env",
    metavar="VAR",
    help="Read the keystore password from this variable instead of asking (for scripts).",
)
@click.option("--yes", "-y", is_flag=True, help="Deploy without asking to confirm.")
@click.option("--value", default=0, type=click.IntRange(0), help="Wei sent to the constructor.")
@click.option("--network", help="Name to record it under [from the chain id, e.g. sepolia].")
@click.option(
    "--record",
    "record_path",
    type=click.Path(path_type=Path),
    help="Deployments file to add it to [.sollab/deployments/<network>.json in the lab].",
)
@click.option("--optimize", is_flag=True, help="Enable the optimizer.")
@click.option("--runs", default=200, show_default=True, help="Optimizer runs.")
@click.option("--solc", "solc_version", metavar="VERSION", help="Use this compiler version.")
@click.option("--evm-version", help="Target EVM version [the newest both solc and sollab know].")
@click.option("--timeout", default=120.0, show_default=True, help="Seconds to wait to be mined.")
@click.option("--json", "as_json", is_flag=True, help="Print the record as JSON.")
def deploy(
    target: str,
    args: tuple[str, ...],
    rpc: str,
    chain_id: int,
    key_env: str | None,
    keystore: Path | None,
    password_env: str | None,
    yes: bool,
    value: int,
    network: str | None,
    record_path: Path | None,
    optimize: bool,
    runs: int,
    solc_version: str | None,
    evm_version: str | None,
    timeout: float,
    as_json: bool,
) -> None:
    """Deploy a contract (TARGET: FILE.sol[:Name] or NOTEBOOK.ipynb[:Name]) with constructor
    ARGS to any Ethereum JSON-RPC endpoint, signing locally.

    The key comes from --key-env VAR or --keystore FILE; it is never printed or written.
    Checks the chain id, shows the most it can cost and asks to confirm (--yes skips), waits
    for the receipt and records the deployment (address, transaction, block, arguments, the
    exact compiler input) in .sollab/deployments/<network>.json in the lab
    ($SOLLAB_HOME/deployments/ when that is set), or in --record FILE; `sollab export` reads
    it from there.

    ARGS: numbers (42, 0x2a), true/false, addresses, strings; arrays and structs as JSON."""
    from . import deployment as d

    for arg in args:  # ARGS may be negative numbers; anything else with a dash is a typo
        if arg.startswith("-") and not arg[1:2].isdigit():
            options = [o for p in click.get_current_context().command.params for o in p.opts]
            close = difflib.get_close_matches(arg.split("=")[0], options, n=1)
            hint = f" Did you mean {close[0]}?" if close else ""
            raise click.UsageError(f"No such option: {arg}.{hint}")
    if (key_env is None) == (keystore is None):
        raise LabError(
            "say which key signs: --key-env VAR (a variable holding the key) or --keystore FILE"
        )
    endpoint = d.Rpc(rpc)
    with _compile_errors_shown("nothing was deployed"):
        artifact, origin = d.load_contract(
            target, optimize=optimize, runs=runs, solc=solc_version, evm_version=evm_version
        )
    constructor = d.constructor_of(artifact.abi)
    inputs = constructor.get("inputs", [])
    if len(args) != len(inputs):
        wanted = ", ".join(f"{p['type']} {p.get('name', '')}".strip() for p in inputs) or "none"
        raise LabError(
            f"{artifact.name}'s constructor takes {len(inputs)} argument(s) ({wanted}), "
            f"got {len(args)}: give them after {target}"
        )
    values = [
        d.parse_argument(p, a, i + 1) for i, (p, a) in enumerate(zip(inputs, args, strict=True))
    ]
    if key_env is not None:
        account = d.key_from_env(key_env)
    else:
        if password_env is not None:
            if password_env not in os.environ:
                raise LabError(
                    f"environment variable {password_env} is not set: set it or drop --password-env"
                )
            password = os.environ[password_env]
        else:
            import getpass

            password = getpass.getpass(f"Password for {keystore}: ")
        account = d.key_from_keystore(keystore, password)
    planned = d.plan(
        artifact,
        values,
        rpc=endpoint,
        account=account,
        chain_id=chain_id,
        network=network,
        value=value,
    )
    click.echo(planned.summary(), err=as_json)
    if not yes and not click.confirm("Deploy?", default=False, err=True):
        raise click.exceptions.Abort()
    done = d.send(
        planned,
        origin=origin,
        record_path=record_path,
        timeout=timeout,
        progress=lambda line: click.echo(line, err=True),
    )
    record = done.record
    if as_json:
        shown = {k: v for k, v in record.items() if k not in ("abi", "standardJsonInput")}
        _print_json({**shown, "recordFile": str(done.path)})
        return
    click.echo(
        f"Deployed {record['contract']} at {record['address']} on {record['network']} "
        f"(block {record['blockNumber']}, gas used {record['gasUsed']:,})"
    )
    click.echo(f"  transaction {record['transactionHash']}")
    click.echo(f"  recorded in {done.path}")


@cli.command()
@click.argument("source", type=click.Path(path_type=Path))
@click.argument("out", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["plain", "foundry", "hardhat"]),
    default="plain",
    show_default=True,
    help="Folder layout: sollab's own, a Foundry project or a Hardhat project.",
)
@click.option("--contract", "contract_name", help="The contract to export [the only one].")
@click.option(
    "--deployments",
    "records_file",
    type=click.Path(path_type=Path),
    help="Deployments file to look in [every file in .sollab/deployments/ in the lab].",
)
@click.option("--force", is_flag=True, help="Write into OUT even if it is not empty.")
@click.option("--optimize", is_flag=True, help="Enable the optimizer (a file not deployed).")
@click.option("--solc", "solc_version", metavar="VERSION", help="Compiler (a file not deployed).")
@click.option("--json", "as_json", is_flag=True, help="Print what was written as JSON.")
def export(
    source: Path,
    out: Path,
    fmt: str,
    contract_name: str | None,
    records_file: Path | None,
    force: bool,
    optimize: bool,
    solc_version: str | None,
    as_json: bool,
) -> None:
    """Write a portfolio folder OUT for SOURCE: a notebook or .sol file you deployed with
    `sollab deploy`, or a deployments file it wrote (.sollab/deployments/<network>.json).

    OUT gets contracts/, artifacts/ (ABI, bytecode), verification/ (the exact standard-JSON
    input and compiler version: recompiling it gives the deployed bytecode), deployments/,
    your tests and their last results, a README.md and web/ (a dApp page). A .sol file that
    was never deployed is exported without deployments; a notebook needs one."""
    from .export import export as write

    with _compile_errors_shown("nothing was exported"):
        portfolio = write(
            source,
            out,
            fmt=fmt,
            contract=contract_name,
            records_file=records_file,
            force=force,
            optimize=optimize,
            solc=solc_version,
        )
    if as_json:
        _print_json(
            {"folder": str(portfolio.folder), "contract": portfolio.contract,
             "format": portfolio.format, "networks": portfolio.networks,
             "files": portfolio.files, "notes": portfolio.notes}
        )  # fmt: skip
        return
    networks = ", ".join(portfolio.networks) or "not deployed"
    click.echo(
        f"Exported {portfolio.contract} ({networks}) as a {fmt} portfolio: "
        f"{len(portfolio.files)} files in {portfolio.folder}"
    )
    for note in portfolio.notes:
        click.echo(f"  note: {note}")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def doctor(as_json: bool) -> None:
    """Check every piece of the lab; print a fix for each failure."""
    from .doctor import render, run_checks

    checks = run_checks()
    if as_json:
        _print_json({"checks": [c.__dict__ for c in checks]})
    else:
        click.echo(render(checks))
    if not all(c.ok for c in checks):
        sys.exit(1)


def main(argv: list[str] | None = None) -> None:
    """Entry point: runs the CLI and turns a ``LabError`` into one line on stderr."""
    try:
        cli.main(args=argv, prog_name="sollab", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except LabError as exc:
        click.echo(f"Error: {str(exc).splitlines()[0]}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
