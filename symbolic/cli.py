"""The ``symbolic`` command line: list, check and render the catalog's derivations.

Exit codes: 0 when no step is refuted or unknown, 1 when a step is refuted, 3 when a step is
unknown and none is refuted, 2 on bad usage or input.
"""

from __future__ import annotations

import argparse
import io
import json
import pickle
import sys
import threading
import time
import types
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from symbolic.catalog import UnknownDerivation, entries, get, ids
from symbolic.kernel import CheckedDerivation, CheckedStep, Config, Status, check
from symbolic.kernel.derivation import Derivation
from symbolic.kernel.rules import explain
from symbolic.outputs.render import RENDERERS, TexEngineMissing, TexError, to_pdf
from symbolic.readers import documents, files
from symbolic.readers.latex import LatexError
from symbolic.testing import selftest

__all__ = ["main", "step_json", "derivation_json", "checked_in_order"]


class UsageError(Exception):
    """Bad usage or input: reported on stderr with exit code 2."""


def step_json(step: CheckedStep) -> dict[str, object]:
    """The JSON object of one checked step."""
    return {
        "index": step.index,
        "relation": step.relation.value,
        "rule": step.rule,
        "status": step.status.value,
        "lhs": str(step.lhs),
        "rhs": str(step.rhs),
        "detail": step.detail,
        "counterexample": step.counterexample,
        "obligations": list(step.obligations),
        **({"wrt": str(step.wrt)} if step.wrt is not None else {}),
    }


def derivation_json(checked: CheckedDerivation) -> dict[str, object]:
    """The JSON object of one checked derivation."""
    d = checked.derivation
    return {
        "id": d.id,
        "title": d.title,
        "status": checked.status.value,
        "steps": [step_json(s) for s in checked.steps],
        "parts": [derivation_json(part) for part in checked.parts],
    }


def exit_code(statuses: Sequence[Status]) -> int:
    """1 if anything is refuted, else 3 if anything is unknown, else 0."""
    if Status.REFUTED in statuses:
        return 1
    if Status.UNKNOWN in statuses:
        return 3
    return 0


def _build(derivation_id: str) -> Derivation:
    """A catalog entry by id, or a derivation file by path (``.toml``)."""
    if derivation_id.endswith(".toml"):
        try:
            return files.load(derivation_id)
        except files.FileError as exc:
            raise UsageError(str(exc)) from None
    try:
        return get(derivation_id)
    except UnknownDerivation:
        raise UsageError(
            f"unknown derivation id {derivation_id!r}; `symbolic list` shows the catalog"
        ) from None


def _config(args: argparse.Namespace) -> Config:
    if args.dps < 20:
        raise UsageError(f"--dps {args.dps} is too low: the checks need at least 20 digits")
    return Config(dps=args.dps, seed=args.seed)


def _cmd_list(args: argparse.Namespace) -> int:
    items = [{"id": e.id, "title": e.title} for e in entries()]
    if args.json:
        print(json.dumps(items, indent=2, ensure_ascii=False))
    else:
        width = max(len(e["id"]) for e in items)
        for e in items:
            print(f"{e['id']:<{width}}  {e['title']}")
    return 0


def _check_target(target: str, config: Config) -> tuple[CheckedDerivation, float]:
    """Build and check one target in this process; with the seconds it took."""
    start = time.perf_counter()
    checked = check(_build(target), config)
    return checked, time.perf_counter() - start


class LeftInWorker:
    """Stands for a function a worker could not send back (a family's data sampler is a closure).

    The checked result is complete for printing; only calling this raises."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, *args: object, **kwargs: object) -> object:
        raise RuntimeError(f"{self.name} stayed in the worker process that checked this entry")


class _ResultPickler(pickle.Pickler):
    def reducer_override(self, obj: object) -> object:
        if isinstance(obj, types.FunctionType) and "<" in obj.__qualname__:
            return LeftInWorker, (f"{obj.__module__}.{obj.__qualname__}",)
        return NotImplemented


def _check_target_in_worker(target: str, config: Config) -> bytes:
    """:func:`_check_target` in a worker: the result pickled, closures replaced."""
    buffer = io.BytesIO()
    _ResultPickler(buffer, pickle.HIGHEST_PROTOCOL).dump(_check_target(target, config))
    return buffer.getvalue()


def checked_in_order(
    targets: Sequence[str],
    config: Config,
    jobs: int = 1,
    progress: Callable[[int, int, CheckedDerivation, float], None] | None = None,
) -> Iterator[CheckedDerivation]:
    """Check the targets (catalog ids or derivation files) on ``jobs`` worker processes.

    The results come in the order of ``targets``; ``progress(done, total, checked, seconds)``
    is called as each one finishes, in the order they finish. Each worker builds its own
    derivations, so the first line comes as soon as the first entry is checked.

    >>> [c.derivation.id for c in checked_in_order(["kl/uniform", "mle/uniform"], Config(), 2)]
    ['kl/uniform', 'mle/uniform']
    """
    total = len(targets)
    if jobs <= 1 or total <= 1:
        for k, target in enumerate(targets, start=1):
            checked, seconds = _check_target(target, config)
            if progress is not None:
                progress(k, total, checked, seconds)
            yield checked
        return
    finished = 0
    # A callback runs in the pool's thread, or in this one when the future is already done.
    lock = threading.Lock()

    def report(future: Future[bytes]) -> None:
        nonlocal finished
        if progress is not None and future.exception() is None:
            checked, seconds = pickle.loads(future.result())
            with lock:
                finished += 1
                progress(finished, total, checked, seconds)

    with ProcessPoolExecutor(max_workers=min(jobs, total)) as pool:
        futures = [pool.submit(_check_target_in_worker, t, config) for t in targets]
        for future in futures:
            future.add_done_callback(report)
        for future in futures:
            yield pickle.loads(future.result())[0]


def _cmd_check(args: argparse.Namespace) -> int:
    from symbolic.outputs import terminal

    if args.all and args.ids:
        raise UsageError("give derivation ids or --all, not both")
    targets = ids() if args.all else list(args.ids)
    if not targets:
        raise UsageError("give at least one derivation id, or --all")
    if any(documents.is_document(t) for t in targets):
        return _check_documents(args, targets)
    if args.annotate:
        raise UsageError("--annotate writes a copy of a document: give FILE.md or FILE.tex")
    if args.jobs < 1:
        raise UsageError(f"--jobs {args.jobs}: give at least one worker process")
    config = _config(args)
    if not args.all:
        # Every file is read and every id looked up before anything is checked: a bad one
        # stops the command with nothing run.
        known = set(ids())
        for t in targets:
            if t.endswith(".toml") or t not in known:
                _build(t)
    out, err = terminal.console(sys.stdout), terminal.console(sys.stderr)
    seconds: dict[str, float] = {}

    def progress(done: int, total: int, checked: CheckedDerivation, took: float) -> None:
        seconds[checked.derivation.id] = took
        if total > 1:
            # Each verdict as soon as it is known, not all of them after the last entry; on
            # stderr, so that --json output stays one document.
            terminal.progress(err, done, total, checked, took)

    checked_all = list(checked_in_order(targets, config, args.jobs, progress))
    results = [(c, seconds.get(c.derivation.id, 0.0)) for c in checked_all]
    if args.json:
        objs = [derivation_json(r) for r, _ in results]
        print(json.dumps(objs[0] if len(objs) == 1 else objs, indent=2, ensure_ascii=False))
    elif args.all:
        out.print(terminal.summary_table(results))
    else:
        for k, (r, _) in enumerate(results):
            if k:
                out.print()
            terminal.show(out, r, full=args.full)
            if args.explain:
                out.print(_explanation(r).strip("\n"), markup=False, highlight=False)
        if len(results) > 1:
            out.print(terminal.summary_table(results))
    return exit_code([r.status for r, _ in results])


def _check_documents(args: argparse.Namespace, targets: list[str]) -> int:
    """``check FILE.md|FILE.tex``: every display-math chain, verdicts at source lines."""
    if len(targets) != 1 or not documents.is_document(targets[0]):
        raise UsageError("check one document (FILE.md or FILE.tex) at a time")
    if args.annotate and not (args.output or "").endswith((".md", ".html")):
        raise UsageError("--annotate needs -o OUT.md or -o OUT.html")
    try:
        report = documents.check_document(documents.read(targets[0]), _config(args))
    except (documents.DocumentError, LatexError) as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        print(json.dumps(documents.report_json(report), indent=2, ensure_ascii=False))
    else:
        print(documents.report_text(report))
    if args.annotate:
        doc = documents.read(targets[0])
        fmt = "html" if args.output.endswith(".html") else "md"
        Path(args.output).write_text(documents.annotate(doc, report, fmt), encoding="utf-8")
    return exit_code([Status(s.status) for c in report.chains for s in c.steps])


def _explanation(checked: CheckedDerivation) -> str:
    """Each step's verdict with the kernel's rules behind it: statement, side conditions, and
    the obligations its detail reports open."""
    out = ["", "Rules and obligations:"]
    for chain in checked.chains():
        for step in chain.steps:
            out.append(f"  {chain.derivation.id} ({step.index}) {step.status.value}: {step.detail}")
            for rule in explain(step.detail):
                out.append(f"      rule {rule.name}: {rule.statement}")
                out += [f"        if {condition}" for condition in rule.conditions]
            out += [f"      open: {item}" for item in step.obligations]
    return "\n".join(out)


def _cmd_render(args: argparse.Namespace) -> int:
    checked = check(_build(args.id), _config(args))
    if args.format != "pdf":
        output = RENDERERS[args.format](checked, args.lang)
        if args.output:
            Path(args.output).write_text(output, encoding="utf-8")
        else:
            sys.stdout.write(output)
        return exit_code([checked.status])
    if not args.output and sys.stdout.isatty():
        raise UsageError("a PDF is binary: give -o FILE.pdf, or redirect the output")
    try:
        pdf = to_pdf(checked, args.lang)
    except (TexEngineMissing, TexError) as exc:
        raise UsageError(str(exc)) from None
    if args.output:
        Path(args.output).write_bytes(pdf)
    else:
        sys.stdout.buffer.write(pdf)
    return exit_code([checked.status])


def _cmd_plot(args: argparse.Namespace) -> int:
    from symbolic.outputs import plots

    if args.all and args.ids:
        raise UsageError("give derivation ids or --all, not both")
    targets = ids() if args.all else list(args.ids)
    if not targets:
        raise UsageError("give at least one derivation id, or --all")
    if args.output and len(targets) > 1:
        raise UsageError("-o names one file; give --dir for several plots")
    for t in targets:
        _build(t)
    skipped = 0
    for k, t in enumerate(targets, start=1):
        path = Path(args.output or Path(args.dir) / f"{t.replace('/', '-')}.{args.format}")
        if len(targets) > 1:
            print(f"[{k}/{len(targets)}] plotting {t} ...", file=sys.stderr, flush=True)
        try:
            plots.save(t, path, lang=args.lang)
        except plots.NoPlot as exc:
            if len(targets) == 1:
                raise UsageError(str(exc)) from None
            print(f"  skipped: {exc}", file=sys.stderr)
            skipped += 1
            continue
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        print(path)
    if skipped:
        print(f"{skipped} of {len(targets)} entries have no picture", file=sys.stderr)
    return 0


def _cmd_docs(args: argparse.Namespace) -> int:
    from symbolic.outputs import docs

    root = Path(args.out)
    try:
        built = docs.build(ids(), args.jobs, args.pdf, lambda m: print(m, file=sys.stderr))
    except TexEngineMissing as exc:
        raise UsageError(str(exc)) from None
    pages = docs.generate(root, built)
    failed = [(b.summary.id, lang, err) for b in built for lang, err in b.pdf_errors.items()]
    failed += [(b.summary.id, "check", b.crash) for b in built if b.crash]
    for derivation_id, what, err in failed:
        print(f"symbolic: {derivation_id} ({what}) failed: {err}", file=sys.stderr)
    if args.check:
        stale = docs.stale(root, pages)
        for rel in stale:
            print(f"stale: {root / rel}", file=sys.stderr)
        if stale:
            print(f"symbolic: {root}/ is not current; run `symbolic docs`", file=sys.stderr)
        return 1 if stale or failed else 0
    written = docs.write(root, pages)
    print(f"{len(written)} of {len(pages)} pages updated under {root}/")
    return 1 if failed else 0


def _cmd_selftest(args: argparse.Namespace) -> int:
    for derivation_id in args.ids:
        _build(derivation_id)

    def progress(k: int, total: int, derivation_id: str) -> None:
        print(f"[{k}/{total}] mutating {derivation_id} ...", file=sys.stderr, flush=True)

    report = selftest.run(args.ids or None, _config(args), progress)
    summary = report.to_json()
    totals = summary["totals"]
    if args.json:
        print(json.dumps(summary, indent=2, ensure_ascii=False))
    else:
        for d in summary["derivations"]:
            print(
                f"{d['id']:<32} steps {d['steps']:>3}  mutants {d['made']:>4}  "
                f"refuted {d['refuted']:>4}  equivalent {d['equivalent']:>3}  "
                f"wrongly accepted {d['wrongly_accepted']}  undecided {d['undecided']}"
            )
            for m in d["not_refuted"]:
                print(f"    step {m['step']} {m['operator']}: {m['mutant']} -> {m['outcome']}")
            for skipped in d["skipped_steps"]:
                print(f"    step {skipped['step']} not mutated: {skipped['reason']}")
        print(
            f"total: {totals['made']} mutants ({totals['mutants_per_step']} per step), "
            f"{totals['refuted']} refuted, {totals['equivalent']} equivalent (proved), "
            f"{totals['wrongly_accepted']} wrongly accepted, {totals['undecided']} undecided; "
            f"catalog steps: {totals['proved_steps']} of {totals['steps']} proved symbolically, "
            f"{totals['numeric_steps']} numeric only; {totals['skipped_steps']} steps not mutated "
            "(undecided, or without numeric semantics)"
        )
    if totals["wrongly_accepted"]:
        return 1
    return 3 if totals["undecided"] else 0


def _family_file(name: str) -> object:
    """A family name, or the family a ``.toml`` file defines (read as data, never run)."""
    if not name.endswith(".toml"):
        return name
    from symbolic.readers.family_files import FamilyFileError, load_family

    try:
        return load_family(name)
    except FamilyFileError as exc:
        raise UsageError(str(exc)) from None


def _cmd_mle(args: argparse.Namespace) -> int:
    from symbolic.generators import mle_report

    if args.dps < 20:
        raise UsageError(f"--dps {args.dps} is too low: the checks need at least 20 digits")
    try:
        family = _family_file(args.family)
        out = mle_report.report(family, args.known, args.data, args.dps, Config(dps=args.dps))
    except mle_report.BadInput as exc:
        raise UsageError(str(exc)) from None
    print(json.dumps(out, indent=2, ensure_ascii=False) if args.json else mle_report.to_text(out))
    return mle_report.exit_status(out)


def _cmd_kl(args: argparse.Namespace) -> int:
    from symbolic.generators import divergences

    try:
        out = divergences.summary(_family_file(args.family))
    except divergences.NoRoute as exc:
        raise UsageError(str(exc)) from None
    except divergences.UnknownFamily:
        known = ", ".join(divergences.names())
        raise UsageError(f"unknown family {args.family!r}; known families: {known}") from None
    print(json.dumps(out, indent=2, ensure_ascii=False) if args.json else divergences.to_text(out))
    # A check the kernel could not finish ("error") decides nothing: exit as for unknown.
    statuses = [
        Status(c["status"]) if c["status"] != "error" else Status.UNKNOWN
        for c in out["checks"].values()
    ]
    return exit_code(statuses)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="symbolic",
        description="Derive and proof-check the mathematics of the cross-entropy cost.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p_list = sub.add_parser("list", help="the catalog's ids and titles")
    p_list.add_argument("--json", action="store_true", help="print JSON")
    p_list.set_defaults(run=_cmd_list)

    def checking(p: argparse.ArgumentParser) -> None:
        p.add_argument("--dps", type=int, default=50, help="digits of the numeric checks")
        p.add_argument("--seed", type=int, default=0, help="seed of the sampled points")

    p_check = sub.add_parser("check", help="check derivations step by step")
    p_check.add_argument(
        "ids", nargs="*", metavar="ID",
        help="catalog ids, derivation files (FILE.toml), or a document (FILE.md, FILE.tex)",
    )
    p_check.add_argument("--all", action="store_true", help="check the whole catalog")
    p_check.add_argument("--annotate", action="store_true",
                         help="write the document with a verdict beside each step (-o)")
    p_check.add_argument("-o", "--output", metavar="OUT", help="OUT.md or OUT.html")
    p_check.add_argument("--json", action="store_true", help="print JSON")
    p_check.add_argument("--jobs", type=int, default=1, help="worker processes")
    p_check.add_argument(
        "--full", action="store_true", help="show long formulas whole instead of elided"
    )
    p_check.add_argument(
        "--explain", action="store_true", help="print the rules and obligations behind each step"
    )
    checking(p_check)
    p_check.set_defaults(run=_cmd_check)

    p_render = sub.add_parser("render", help="print a checked derivation as a document")
    p_render.add_argument("id", metavar="ID")
    p_render.add_argument("--format", choices=["latex", "markdown", "html", "pdf"], default="latex")
    p_render.add_argument("--lang", choices=["en", "ko"], default="en", help="prose language")
    p_render.add_argument("-o", "--output", metavar="FILE", help="write to FILE")
    checking(p_render)
    p_render.set_defaults(run=_cmd_render)

    p_plot = sub.add_parser("plot", help="draw the picture of a derivation (png or svg)")
    p_plot.add_argument("ids", nargs="*", metavar="ID", help="catalog ids")
    p_plot.add_argument("--all", action="store_true", help="every entry that has a picture")
    p_plot.add_argument("-o", "--output", metavar="FILE", help="FILE.png or FILE.svg (one id)")
    p_plot.add_argument("--dir", default=".", help="folder of the files named after the ids")
    p_plot.add_argument("--format", choices=["png", "svg"], default="png", help="without -o")
    p_plot.add_argument("--lang", choices=["en", "ko"], default="en", help="the words' language")
    p_plot.set_defaults(run=_cmd_plot)

    p_docs = sub.add_parser("docs", help="generate docs/ from the catalog")
    p_docs.add_argument("--out", default="docs", metavar="DIR", help="the docs folder")
    p_docs.add_argument("--check", action="store_true", help="exit 1 if DIR is not current")
    p_docs.add_argument("--pdf", action="store_true", help="also compile every entry to PDF")
    p_docs.add_argument("--jobs", type=int, default=1, help="worker processes")
    p_docs.set_defaults(run=_cmd_docs)
    p_self = sub.add_parser("selftest", help="mutate every catalog step; the kernel must refute")
    p_self.add_argument("ids", nargs="*", metavar="ID", help="catalog ids (default: all)")
    p_self.add_argument("--json", action="store_true", help="print JSON")
    checking(p_self)
    p_self.set_defaults(run=_cmd_selftest)

    p_mle = sub.add_parser("mle", help="derive and check the maximum-likelihood estimators")
    p_mle.add_argument("family", metavar="FAMILY",
                       help="a family, e.g. normal, or FILE.toml defining one (docs/families.md)")
    p_mle.add_argument("--json", action="store_true", help="print JSON")
    p_mle.add_argument(
        "--known",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="value of a known parameter (repeatable)",
    )
    p_mle.add_argument("--data", metavar="FILE.csv", help="data with a header row: x (and y)")
    p_mle.add_argument("--dps", type=int, default=50, help="digits of the values and checks")
    p_mle.set_defaults(run=_cmd_mle)

    p_kl = sub.add_parser("kl", help="entropy, cross-entropy and KL divergence of a family")
    p_kl.add_argument("family", metavar="FAMILY",
                       help="a family, e.g. normal, or FILE.toml defining one (docs/families.md)")
    p_kl.add_argument("--json", action="store_true", help="print JSON")
    p_kl.set_defaults(run=_cmd_kl)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except UsageError as exc:
        print(f"symbolic: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader (say, `head`) went away; that is not our failure.
        sys.stderr.close()
        return 0
