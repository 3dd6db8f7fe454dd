"""Soundness self-test: every step of the catalog must survive its mutants.

For each step of each derivation, :mod:`symbolic.testing.mutants` makes plausible mistakes and the
kernel checks every mutant against the step's own left-hand side. A mutant is

* ``refuted`` when the kernel refutes it (the mistake is caught);
* ``equivalent`` when the kernel *proves* it: the mutant is in fact still true (e.g. a base-2
  logarithm under an argmin), recognized by a proof and not assumed;
* ``wrongly accepted`` when the kernel accepted it (proved or numeric) but an independent, wider
  numeric search (another seed, more instances and parameter values, more digits, and none of
  the kernel's code but the evaluator) refutes it: a soundness bug in the kernel;
* ``undecided`` otherwise (numeric agreement or unknown, with no proof either way).

A step whose own verdict is ``unknown``, or that the numeric check cannot evaluate at all
(a construct without numeric semantics), is not mutated: its mutants could only be undecided.
The report lists it with the kernel's reason.

>>> report = run(["kl-vs-mle"])
>>> report.totals["wrongly_accepted"], report.totals["undecided"]
(0, 0)
"""

from __future__ import annotations

import dataclasses
import itertools
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import mpmath
from sympy import Expr, IndexedBase, Symbol

from symbolic.catalog import get, ids
from symbolic.kernel import CheckedDerivation, CheckedStep, Config, Status, check, check_in
from symbolic.kernel.derivation import Derivation, Relation, Step
from symbolic.kernel.measures import Constant, N, xv, yv
from symbolic.kernel.numeric import (
    Instance,
    Point,
    Undefined,
    Unsupported,
    close,
    evaluate,
    sample_instances,
    sample_value,
    sample_vector,
    tolerance,
    vector_length,
)
from symbolic.testing.mutants import Mutant, mutate

__all__ = ["MutantResult", "DerivationReport", "Report", "run", "ORACLE"]

# The independent search that judges accepted mutants: other points, more of them, more digits.
ORACLE = Config(dps=80, instances=10, param_points=6, seed=7919)


def _oracle_refutes(derivation: Derivation, lhs: Expr, sense: Relation, step: Step) -> str | None:
    """A counterexample found without the kernel's code: plain evaluation at the oracle's points.

    It shares only the evaluator with the kernel, so a wrong verdict of the kernel's own
    symbolic or numeric route cannot hide here.
    """
    params = derivation.params
    exprs = (lhs, step.rhs, *(c.term for c in step.rhs.atoms(Constant)))
    symbols = sorted(
        {s for e in exprs for s in e.free_symbols if isinstance(s, Symbol)}
        - set(params)
        - {N, xv, yv}
        - {b.label for e in exprs for b in e.atoms(IndexedBase)},
        key=str,
    )
    plain = {b: spec for b, spec in derivation.vectors.items() if b not in params}
    ranges = {**derivation.sampling, **derivation.intervals}
    instances = sample_instances(
        ORACLE.seed, ORACLE.instances, tuple(symbols), ranges, derivation.data, plain
    )
    rng = random.Random(ORACLE.seed)

    def draw(p: Expr, inst: Instance) -> object:
        if isinstance(p, IndexedBase):
            spec = derivation.vectors[p]
            return sample_vector(vector_length(spec, inst.values), spec[1], rng)
        return sample_value(p, rng, ranges.get(p))

    flips = sense not in (Relation.EQ, step.relation) and step.relation.optimizes
    with mpmath.workdps(ORACLE.dps):
        for inst in instances:
            points = [
                Point(inst, {p: draw(p, inst) for p in params}) for _ in range(ORACLE.param_points)
            ]
            values = []
            for point in points:
                try:
                    values.append((evaluate(lhs, point), evaluate(step.rhs, point)))
                except (Undefined, Unsupported):
                    continue
            if step.relation is Relation.EQ:
                for f, g in values:
                    if not close(f, g, ORACLE.dps):
                        return f"the sides differ: {mpmath.nstr(f, 15)} vs {mpmath.nstr(g, 15)}"
            if step.relation in (Relation.LT, Relation.GT):
                for f, g in values:
                    gap = g - f if step.relation is Relation.LT else f - g
                    if not gap > tolerance(ORACLE.dps) * max(abs(f), abs(g)):
                        return (f"lhs {step.relation.value} rhs fails: {mpmath.nstr(f, 15)} vs "
                                f"{mpmath.nstr(g, 15)}")
            for (f1, g1), (f2, g2) in itertools.combinations(values, 2):
                df, dg = f1 - f2, g1 - g2
                tol = tolerance(ORACLE.dps)
                f_sign = 0 if abs(df) <= tol * max(abs(f1), abs(f2)) else mpmath.sign(df)
                g_sign = 0 if abs(dg) <= tol * max(abs(g1), abs(g2)) else mpmath.sign(dg)
                if step.relation.optimizes and f_sign != (-g_sign if flips else g_sign):
                    return "the two objectives order a pair of parameter values differently"
            for constant in step.rhs.atoms(Constant):
                if constant.term.free_symbols & {xv, yv}:
                    continue
                try:
                    seen = {mpmath.nstr(evaluate(constant.term, p), 40) for p in points}
                except (Undefined, Unsupported):
                    continue
                if len(seen) > 1:
                    return f"the term declared constant, {constant.term}, varies"
    return None


@dataclass(frozen=True)
class MutantResult:
    """One mutant: where it was made, how, the kernel's verdict and the classification."""

    step: int
    operator: str
    description: str
    verdict: Status
    outcome: str
    detail: str


@dataclass
class DerivationReport:
    """The mutants of one derivation and how its own steps were checked."""

    id: str
    steps: int
    proved_steps: int
    numeric_steps: int
    mutants: list[MutantResult] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    # The kernel's verdict on each of the chain's own steps, in order.
    verdicts: tuple[Status, ...] = ()

    def counts(self) -> dict[str, int]:
        out = {"made": len(self.mutants)}
        for outcome in ("refuted", "wrongly_accepted", "undecided", "equivalent"):
            out[outcome] = sum(1 for m in self.mutants if m.outcome == outcome)
        return out


@dataclass
class Report:
    """Per-derivation reports and totals over the catalog."""

    derivations: list[DerivationReport]

    @property
    def totals(self) -> dict[str, int]:
        keys = ("made", "refuted", "wrongly_accepted", "undecided", "equivalent")
        out = {k: sum(d.counts()[k] for d in self.derivations) for k in keys}
        out["steps"] = sum(d.steps for d in self.derivations)
        out["proved_steps"] = sum(d.proved_steps for d in self.derivations)
        out["numeric_steps"] = sum(d.numeric_steps for d in self.derivations)
        out["skipped_steps"] = sum(len(d.skipped) for d in self.derivations)
        return out

    def to_json(self) -> dict[str, object]:
        totals = self.totals
        mutated = totals["steps"] - totals["skipped_steps"]
        per_step = totals["made"] / mutated if mutated else 0.0
        return {
            "totals": {**totals, "mutants_per_step": round(per_step, 2)},
            "derivations": [
                {
                    "id": d.id,
                    "steps": d.steps,
                    "proved_steps": d.proved_steps,
                    "numeric_steps": d.numeric_steps,
                    **d.counts(),
                    "skipped_steps": [{"step": k, "reason": why} for k, why in d.skipped],
                    "not_refuted": [
                        {
                            "step": m.step,
                            "operator": m.operator,
                            "mutant": m.description,
                            "verdict": m.verdict.value,
                            "outcome": m.outcome,
                            "detail": m.detail,
                        }
                        for m in d.mutants
                        if m.outcome != "refuted"
                    ],
                }
                for d in self.derivations
            ],
        }


def _classify(
    derivation: Derivation,
    index: int,
    lhs: Expr,
    sense: Relation,
    original: Step,
    mutant: Mutant,
    config: Config,
    attempt: Config | None = None,
) -> MutantResult:
    """Classify one mutant; ``attempt`` is the configuration of its own check (``config`` by
    default), ``config`` that of the proof that it equals the step's own right side."""

    def kernel(left: Expr, left_sense: Relation, step: Step, cfg: Config) -> CheckedStep:
        return check_in(derivation, left, left_sense, step, config=cfg)

    # A mutant is classified by its verdict: a refuted one's detail is not reported (no
    # simplified difference is asked for), and a proof of it would not change its verdict.
    quick = dataclasses.replace(attempt or config, explain=False, prove_refuted=False)
    checked = kernel(lhs, sense, mutant.step, quick)
    outcome = {Status.REFUTED: "refuted", Status.UNKNOWN: "undecided"}.get(checked.status)
    detail = checked.detail
    if outcome is None:
        refutation = _oracle_refutes(derivation, lhs, sense, mutant.step)
        if refutation is not None:
            outcome, detail = "wrongly_accepted", f"{checked.detail}; but: {refutation}"
        else:
            outcome = "equivalent" if checked.status is Status.PROVED else "undecided"
    if outcome == "undecided" and mutant.step.relation is original.relation:
        # A mutant of a step the kernel only checks numerically is still recognized as
        # equivalent by a proof that its right side equals the step's own.
        same = kernel(
            original.rhs, Relation.EQ, Step(Relation.EQ, mutant.step.rhs, "mutant"), config
        )
        if same.status is Status.PROVED:
            outcome, detail = (
                "equivalent",
                f"proved equal to the step's own right side: {same.detail}",
            )
    return MutantResult(index, mutant.operator, mutant.description, checked.status, outcome, detail)


def _short(config: Config) -> Config:
    return dataclasses.replace(config, budget=max(config.budget / 5, 1.0))


def run(
    derivation_ids: Sequence[str] | None = None,
    config: Config | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> Report:
    """Mutate every step of the chosen derivations (all by default) and classify the mutants."""
    config = config or Config()
    chosen = list(derivation_ids) if derivation_ids is not None else ids()
    reports = []
    for k, derivation_id in enumerate(chosen, start=1):
        if progress is not None:
            progress(k, len(chosen), derivation_id)
        chains = check(get(derivation_id), config).chains()
        reports += [_mutate_chain(chain, config) for chain in chains]
    return Report(reports)


def _mutate_chain(checked: CheckedDerivation, config: Config) -> DerivationReport:
    """Mutate every step of one chain (a derivation's own, or one of its parts)."""
    derivation = checked.derivation
    report = DerivationReport(
        derivation.id,
        steps=len(checked.steps),
        proved_steps=sum(1 for s in checked.steps if s.status is Status.PROVED),
        numeric_steps=sum(1 for s in checked.steps if s.status is Status.NUMERIC),
        verdicts=tuple(s.status for s in checked.steps),
    )
    lhs, sense = derivation.start, derivation.sense
    for index, (step, verdict) in enumerate(
        zip(derivation.steps, checked.steps, strict=True), start=1
    ):
        if verdict.status is Status.UNKNOWN or not verdict.evaluated:
            # The kernel cannot decide the step, or cannot evaluate it numerically (matrix
            # expressions): it could not refute the mutants either, so they would all be
            # undecided. The step is listed instead.
            why = (
                verdict.detail
                if verdict.status is Status.UNKNOWN
                else (
                    f"{verdict.status.value} symbolically, but no numeric semantics: "
                    f"{verdict.detail}"
                )
            )
            report.skipped.append((index, why))
        else:
            # A step the kernel did not prove within the whole budget is checked numerically;
            # its mutants' symbolic attempts get a fifth of it (an equivalent mutant is still
            # recognized by the proof that it equals the step's own right side).
            cfg = config if verdict.status is Status.PROVED else _short(config)
            for mutant in mutate(step, sense, derivation.params):
                report.mutants.append(
                    _classify(derivation, index, lhs, sense, step, mutant, config, cfg)
                )
        lhs = step.rhs
        if step.relation.optimizes:
            sense = step.relation
    return report
