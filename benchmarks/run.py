"""Benchmarks: how fast the catalog is checked and derived, measured on this machine.

Run from the repository root:

    python benchmarks/run.py            # full run, writes docs/performance.md
    python benchmarks/run.py --quick    # small sizes, prints only (what the tests run)

Nothing here asserts a speed; the numbers are written down for people to read.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import mpmath  # noqa: E402
import sympy  # noqa: E402

from symbolic.catalog import get, ids  # noqa: E402
from symbolic.kernel import check, check_in  # noqa: E402
from symbolic.kernel import checker as kernel  # noqa: E402
from symbolic.kernel.budget import BudgetExceeded, time_budget  # noqa: E402
from symbolic.kernel.derivation import Relation  # noqa: E402
from symbolic.kernel.measures import KL, p_data, p_model, theta  # noqa: E402
from symbolic.kernel.numeric import Point, evaluate, sample_instances  # noqa: E402

NAIVE_BUDGET = 5.0
# The comparison with the naive way runs on a sample of the catalog: the seed, five KL
# families (integrals and sums), and the MLE chains; the whole catalog takes too long.
NAIVE_TARGETS = {
    "cross-entropy-cost",
    "kl-vs-mle",
    "kl/bernoulli",
    "kl/poisson",
    "kl/exponential",
    "kl/normal",
    "kl/uniform",
    *(
        f"mle/{name}"
        for name in (
            "bernoulli",
            "poisson",
            "normal",
            "exponential",
            "gamma",
            "linear-regression",
            "categorical",
            "uniform",
            "laplace",
        )
    ),
}


def _clock(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def machine() -> dict[str, str]:
    """What the numbers were measured on."""
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": str(os.cpu_count()),
        "sympy": sympy.__version__,
        "mpmath": mpmath.__version__,
        "mpmath backend": mpmath.libmp.BACKEND,
    }


def cold_catalog(targets: list[str]) -> float:
    """Wall time of `symbolic check` over the targets in a fresh process."""
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "symbolic", "check", *targets, "--json"],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    return time.perf_counter() - start


def per_derivation(targets: list[str]) -> list[tuple[str, float, str, int]]:
    rows = []
    for derivation_id in targets:
        seconds, checked = _clock(lambda d=derivation_id: check(get(d)))
        rows.append((derivation_id, seconds, checked.status.value, len(checked.steps)))
    return rows


def _naive(fn: Callable[[], object]) -> tuple[float, object]:
    try:
        with time_budget(NAIVE_BUDGET):
            return _clock(fn)
    except BudgetExceeded:
        return NAIVE_BUDGET, "timeout"
    except Exception as exc:  # the naive way may fail in any manner; that is the measurement
        return 0.0, f"error: {type(exc).__name__}"


def kernel_vs_naive(targets: list[str]) -> dict[str, object]:
    """Each equality step: the kernel against simplify(lhs - rhs) == 0 and lhs.equals(rhs)."""
    rows = []
    for derivation_id in targets:
        d = get(derivation_id)
        lhs, sense = d.start, d.sense
        for k, step in enumerate(d.steps, start=1):
            if step.relation is Relation.EQ:
                # Cold kernel: no value or normal form cached from the warm run above.
                kernel._VALUES.clear()
                kernel.normalize.cache_clear()
                t_kernel, checked = _clock(
                    lambda lhs=lhs, sense=sense, step=step, d=d: check_in(d, lhs, sense, step)
                )
                # Unfolding (doit) is part of the naive way, and inside its budget: on the
                # defining integrals it can run for minutes.
                t_simplify, simplified = _naive(
                    lambda a=lhs, b=step.rhs: sympy.simplify(a.doit() - b.doit()) == 0
                )
                t_equals, equals = _naive(lambda a=lhs, b=step.rhs: a.doit().equals(b.doit()))
                rows.append(
                    {
                        "step": f"{derivation_id} ({k})",
                        "kernel": (t_kernel, checked.status.value),
                        "simplify": (t_simplify, simplified),
                        "equals": (t_equals, equals),
                    }
                )
            lhs = step.rhs
            if step.relation is not Relation.EQ:
                sense = step.relation
    return {"rows": rows}


def numeric_cost(points: int) -> dict[str, float]:
    """Milliseconds per point to evaluate D_KL(p_data || p_model) on sampled instances."""
    out = {}
    instances = sample_instances(seed=1, count=5)
    expr = KL(p_data, p_model)
    for dps in (15, 50, 100):
        with mpmath.workdps(dps):
            start = time.perf_counter()
            for k in range(points):
                inst = instances[k % len(instances)]
                evaluate(expr, Point(inst, {theta: mpmath.mpf("0.37")}))
            out[str(dps)] = (time.perf_counter() - start) / points * 1000
    return out


def numeric_cost_both_backends(points: int) -> dict[str, dict[str, float]]:
    """The same measurement with gmpy2 and with mpmath's pure-Python integers."""
    results = {}
    for label, env in (("default", {}), ("no gmpy2", {"MPMATH_NOGMPY": "1"})):
        proc = subprocess.run(
            [sys.executable, __file__, "--numeric-only", str(points)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env={**os.environ, **env},
            check=True,
        )
        backend, costs = json.loads(proc.stdout)
        results[f"{label} ({backend})"] = costs
    return results


def scaling_in_n(sizes: list[int]) -> list[tuple[int, float]]:
    """Seconds to evaluate D_KL(p_data || p_model) numerically on data of size N."""
    from symbolic.kernel.numeric import Instance

    base = sample_instances(seed=2, count=1)[0]
    rows = []
    with mpmath.workdps(50):
        for n in sizes:
            inst = Instance(
                n=n,
                xs=tuple(base.xs[0] if k % 2 else base.xs[-1] for k in range(n)),
                ys=tuple(mpmath.mpf(k % 3) for k in range(n)),
                model=base.model,
            )
            seconds, _ = _clock(
                lambda inst=inst: evaluate(KL(p_data, p_model), Point(inst, {theta: 0.3}))
            )
            rows.append((n, seconds))
    return rows


def derive_times() -> tuple[list[tuple[str, float, str]], list[tuple[str, float]]]:
    """Seconds to derive each MLE (the solver) and each entropy/cross-entropy/KL closed form.

    Each derivation runs in a fresh subprocess: both modules cache their results."""
    from symbolic.families import FAMILIES
    from symbolic.families import DIVERGENCE_FAMILIES as KL_FAMILIES

    code_mle = (
        "import time,sys;from symbolic.families import FAMILIES;"
        "from symbolic.generators.stationary import solve_family;t=time.perf_counter();"
        "s=solve_family(FAMILIES[sys.argv[1]]);print(time.perf_counter()-t, s.status)"
    )
    code_kl = (
        "import time,sys;from symbolic.generators.divergences import divergence;t=time.perf_counter();"
        "divergence(sys.argv[1]);print(time.perf_counter()-t)"
    )

    def run(code: str, name: str) -> list[str]:
        proc = subprocess.run(
            [sys.executable, "-c", code, name], cwd=ROOT, capture_output=True, text=True
        )
        return proc.stdout.split()

    mle = [(n, float(out[0]), out[1]) for n in FAMILIES for out in [run(code_mle, n)]]
    kl = [(n, float(run(code_kl, n)[0])) for n in KL_FAMILIES]
    return mle, kl


def categorical_scaling(sizes: list[int]) -> list[tuple[int, float, float]]:
    """K classes: seconds for the numeric categorical MLE on data with every class, and for the
    KL closed form evaluated at two random points of the K-simplex."""
    import random

    from symbolic.families import FAMILIES
    from symbolic.generators.divergences import divergence
    from symbolic.generators.optimize import numeric_mle
    from symbolic.kernel.numeric import Instance, sample_vector

    kl = divergence("categorical").kl
    bases = sorted(kl.atoms(sympy.IndexedBase), key=str)
    k_symbol = next(s for s in kl.free_symbols if str(s) == "K")
    base = sample_instances(seed=4, count=1)[0]
    rng = random.Random(5)
    rows = []
    for k in sizes:
        data = [(c % k + 1, 0) for c in range(3 * k)]
        t_mle, _ = _clock(lambda d=data: numeric_mle(FAMILIES["categorical"], d, dps=30))
        inst = Instance(
            n=base.n,
            xs=base.xs,
            ys=base.ys,
            model=base.model,
            values={k_symbol: mpmath.mpf(k)},
            vectors={b: sample_vector(k, "simplex", rng) for b in bases},
        )
        with mpmath.workdps(50):
            t_kl, _ = _clock(lambda inst=inst: evaluate(kl, Point(inst, {})))
        rows.append((k, t_mle, t_kl))
    return rows


def dimension_scaling(dims: list[int]) -> list[tuple[int, float]]:
    """Seconds to evaluate the multivariate normal's KL closed form at dimension d: explicit
    d×d positive definite matrices with rational entries, exact arithmetic, then 50 digits."""
    import random

    from symbolic.generators.divergences import divergence

    kl = divergence("multivariate-normal").kl
    matrices = sorted(kl.atoms(sympy.MatrixSymbol), key=str)
    d_symbol = next(s for s in kl.free_symbols if str(s) == "d")
    rng = random.Random(3)

    def entry(*_: object) -> sympy.Rational:
        return sympy.Rational(rng.randint(-9, 9), 7)

    rows = []
    for d in dims:
        values = {}
        for m in matrices:
            if str(m).startswith("Sigma"):
                a = sympy.Matrix(d, d, entry)
                values[m] = a * a.T + sympy.eye(d)
            else:
                values[m] = sympy.Matrix(d, 1, entry)
        seconds, _ = _clock(
            lambda v=values, d=d: sympy.N(kl.xreplace(v).subs(d_symbol, d).doit(), 50)
        )
        rows.append((d, seconds))
    return rows


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def report(quick: bool) -> str:
    targets = ids()
    if quick:
        targets = targets[:2]
    lines = ["# Performance", ""]
    lines += ["Measured by `python benchmarks/run.py` on:", ""]
    lines += [f"- {k}: {v}" for k, v in machine().items()]
    lines += ["", "## The whole catalog", ""]
    cold = cold_catalog(targets)
    lines += [
        f"`symbolic check` over {len(targets)} derivations from a cold process: "
        f"**{cold:.2f} s** (symbolic and numeric at 50 digits).",
        "",
    ]
    lines += ["| derivation | steps | verdict | seconds (warm) |", "|---|---|---|---|"]
    for derivation_id, seconds, status, steps in per_derivation(targets):
        lines.append(f"| {derivation_id} | {steps} | {status} | {seconds:.3f} |")
    lines += ["", "## The kernel against the naive way", ""]
    lines += [
        "On every equality step of a sample of the catalog (the seed, five KL families, nine "
        "MLE chains), the same run: the kernel (numeric check and "
        "symbolic proof) against `sympy.simplify(lhs - rhs) == 0` and `lhs.equals(rhs)` on "
        f"the unfolded sides, each naive call with a {NAIVE_BUDGET:g} s budget.",
        "",
    ]
    naive = kernel_vs_naive([t for t in targets if t in NAIVE_TARGETS or quick])["rows"]
    lines += [
        "| step | kernel s | kernel | simplify s | simplify | equals s | equals |",
        "|---|---|---|---|---|---|---|",
    ]
    totals = {"kernel": 0.0, "simplify": 0.0, "equals": 0.0}
    wrong = {"simplify": 0, "equals": 0}
    for row in naive:
        cells = [row["step"]]
        for key in ("kernel", "simplify", "equals"):
            seconds, verdict = row[key]
            totals[key] += seconds
            cells += [f"{seconds:.3f}", _fmt(verdict)]
            if key != "kernel" and verdict is not True:
                wrong[key] += 1
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        f"Totals over {len(naive)} steps: kernel {totals['kernel']:.2f} s, simplify "
        f"{totals['simplify']:.2f} s, equals {totals['equals']:.2f} s. The naive way failed "
        f"to confirm a true step (False, None, an error or a timeout) {wrong['simplify']} "
        f"times with simplify and {wrong['equals']} times with equals; every one of these "
        "steps is true (the kernel proves it).",
        "",
    ]
    lines += ["## The numeric cross-check", ""]
    lines += [
        "Milliseconds per point to evaluate D_KL(p̂_data ‖ p_model) on data with repeated points:",
        "",
        "| backend | 15 digits | 50 digits | 100 digits |",
        "|---|---|---|---|",
    ]
    for label, costs in numeric_cost_both_backends(50 if quick else 400).items():
        lines.append(f"| {label} | {costs['15']:.3f} | {costs['50']:.3f} | {costs['100']:.3f} |")
    lines += ["", "## Growth with the data size N", ""]
    lines += ["| N | seconds | microseconds per point |", "|---|---|---|"]
    for n, seconds in scaling_in_n([100, 1000] if quick else [100, 1000, 10_000, 100_000]):
        lines.append(f"| {n} | {seconds:.4f} | {seconds / n * 1e6:.2f} |")
    lines += ["", "## Growth with the number of classes K (categorical)", ""]
    lines += [
        "| K | numeric MLE s (30 digits, 3K points) | KL closed form s (50 digits) |",
        "|---|---|---|",
    ]
    for k, t_mle, t_kl in categorical_scaling([10, 100] if quick else [10, 100, 1000]):
        lines.append(f"| {k} | {t_mle:.4f} | {t_kl:.4f} |")
    lines += ["", "## Growth with the dimension d (multivariate normal)", ""]
    lines += ["| d | KL closed form s (exact, then 50 digits) |", "|---|---|"]
    for d, seconds in dimension_scaling([2, 3] if quick else [2, 3, 4, 5]):
        lines.append(f"| {d} | {seconds:.4f} |")
    if not quick:
        mle, kl = derive_times()
        lines += ["", "## Time to derive", "", "Each in a fresh process (the modules cache).", ""]
        lines += ["| MLE family | solver s | status |", "|---|---|---|"]
        lines += [f"| {name} | {t:.3f} | {status} |" for name, t, status in mle]
        lines += ["", "| KL family | derivation s |", "|---|---|"]
        lines += [f"| {name} | {t:.3f} |" for name, t in kl]
    lines += [
        "",
        "## Reproduce",
        "",
        "```",
        "pip install -e '.[test]'",
        "python benchmarks/run.py",
        "```",
        "",
    ]
    return "\n".join(lines)


TARGETS = "## The targets of issue 8"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, print only")
    parser.add_argument("--numeric-only", type=int, metavar="POINTS", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.numeric_only:
        print(json.dumps([mpmath.libmp.BACKEND, numeric_cost(args.numeric_only)]))
        return
    text = report(args.quick)
    if args.quick:
        print(text)
    else:
        target = ROOT / "docs" / "performance.md"
        # The targets section is written by hand from the tables: a new run keeps it.
        old = target.read_text(encoding="utf-8") if target.exists() else ""
        kept = old[old.find(TARGETS):] if TARGETS in old else ""
        target.write_text(text + ("\n" + kept if kept else ""), encoding="utf-8")
        print(text)


if __name__ == "__main__":
    main()
