"""The ``symbolic`` command line: list, check and render the catalog's derivations.

Exit codes: 0 when no step is refuted or unknown, 1 when a step is refuted, 3 when a step is
unknown and none is refuted, 2 on bad usage or input.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from symbolic.catalog import UnknownDerivation, entries, get, ids
from symbolic.kernel import CheckedDerivation, CheckedStep, Config, Status, check
from symbolic.kernel.derivation import Derivation
from symbolic.kernel.rules import explain
from symbolic.outputs.render import RENDERERS, TexEngineMissing, TexError, to_pdf, to_text
from symbolic.readers import files
from symbolic.testing import selftest

__all__ = ["main", "step_json", "derivation_json"]


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


def _cmd_check(args: argparse.Namespace) -> int:
    if args.all and args.ids:
        raise UsageError("give derivation ids or --all, not both")
    targets = ids() if args.all else list(args.ids)
    if not targets:
        raise UsageError("give at least one derivation id, or --all")
    derivations = [_build(t) for t in targets]
    config = _config(args)
    results = []
    for k, d in enumerate(derivations, start=1):
        if args.all:
            print(f"[{k}/{len(derivations)}] checking {d.id} ...", file=sys.stderr, flush=True)
        results.append(check(d, config))
    if args.json:
        objs = [derivation_json(r) for r in results]
        print(json.dumps(objs[0] if len(objs) == 1 else objs, indent=2, ensure_ascii=False))
    else:
        texts = [to_text(r) + (_explanation(r) if args.explain else "") for r in results]
        print("\n\n".join(texts))
    return exit_code([r.status for r in results])


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
            if "obligations are open:" in step.detail:
                opened = step.detail.split("obligations are open:", 1)[1].rstrip(")")
                out += [f"      open: {item.strip()}" for item in opened.split(";")]
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
            plots.save(t, path)
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


def _cmd_mle(args: argparse.Namespace) -> int:
    from symbolic.generators import mle_report

    if args.dps < 20:
        raise UsageError(f"--dps {args.dps} is too low: the checks need at least 20 digits")
    try:
        out = mle_report.report(args.family, args.known, args.data, args.dps, Config(dps=args.dps))
    except mle_report.BadInput as exc:
        raise UsageError(str(exc)) from None
    print(json.dumps(out, indent=2, ensure_ascii=False) if args.json else mle_report.to_text(out))
    return mle_report.exit_status(out)


def _cmd_kl(args: argparse.Namespace) -> int:
    from symbolic.generators import divergences

    try:
        out = divergences.summary(args.family)
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
        "ids", nargs="*", metavar="ID", help="catalog ids, or derivation files (FILE.toml)"
    )
    p_check.add_argument("--all", action="store_true", help="check the whole catalog")
    p_check.add_argument("--json", action="store_true", help="print JSON")
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
    p_mle.add_argument("family", metavar="FAMILY", help="a family, e.g. normal")
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
    p_kl.add_argument("family", metavar="FAMILY", help="a family, e.g. normal")
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
