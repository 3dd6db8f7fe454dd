"""The report of ``symbolic mle``: the solver's result, its kernel checks, the values at data
and a numeric cross-check, as JSON and as text.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from fractions import Fraction
from functools import cache

import mpmath
import sympy
from sympy import (
    Expr,
    Rational,
    Symbol,
)

from symbolic.families import FAMILIES, Family, k_label
from symbolic.generators.mle_checks import (
    SecondOrder,
    SecondOrderPlan,
    boundary_derivation,
    evaluate_estimator,
    second_order,
    second_order_plan,
    stationary_derivation,
)
from symbolic.generators.optimize import numeric_mle, to_mpf
from symbolic.generators.stationary import Solution, plane_solution, solve_family
from symbolic.kernel import CheckedDerivation, Config, check, worst
from symbolic.kernel.derivation import Derivation
from symbolic.kernel.domains import Integers, Interval
from symbolic.kernel.measures import N
from symbolic.kernel.numeric import Undefined
from symbolic.readers.data import BadInput, check_data, parse_known, read_csv, read_rows

_DEFAULT = Config()

# --- the report of `symbolic mle` -----------------------------------------------------------------

__all__ = [
    "closed_form_values",
    "mle_parts",
    "verify",
    "report",
    "values_at",
    "exit_status",
    "to_text",
    "matrix_values",
]



def _numeric_optimum(sol: Solution, seed: int = 11, size: int = 9) -> dict[str, object]:
    """Compare the closed form with an independent numeric maximization on random data."""
    from symbolic.kernel.numeric import sample_value

    fam = sol.family
    rng = random.Random(seed)
    data = fam.sample(rng, size)
    data[-1] = data[0]
    known = {s: sympy.Rational(str(mpmath.nstr(sample_value(s, rng, fam.intervals.get(s)), 12)))
             for s in fam.known}
    with mpmath.workdps(60):
        found = numeric_mle(fam, data, known, dps=50)
        if not sol.estimators:
            return {
                "status": "numeric" if found.exists else "unknown",
                "detail": "no closed form: the numeric maximizer on random data "
                + (f"is {_show(found.values)}" if found.exists
                   else f"does not exist ({found.note})")
                + (f"; {found.note}" if found.note and found.exists else ""),
            }
        values = closed_form_values(sol, data, known)
        error = mpmath.mpf(0)
        for name, v in values.items():
            n = found.values[name]
            error = max(error, abs(v - n) / max(abs(v), mpmath.mpf(10) ** -60))
    # Both sides are computed at 60 digits: more than 50 agreeing digits is reported as 50.
    digits = 50 if error == 0 else min(50, int(-mpmath.log10(error)))
    status = "numeric" if digits >= 30 else "refuted"
    return {
        "status": status,
        "detail": f"the closed form and an independent numeric maximization of the likelihood "
        f"(Newton's method on the log-likelihood; sorting the data for edge and median "
        f"parameters) agree to {digits} digits on {size} random points with a repeat",
        "digits": digits,
    }


def _show(values: Mapping[str, mpmath.mpf]) -> str:
    return ", ".join(f"{k} = {mpmath.nstr(v, 15)}" for k, v in values.items())


def closed_form_values(
    sol: Solution, data: Sequence[tuple[object, object]], known: Mapping[Symbol, Expr]
) -> dict[str, mpmath.mpf]:
    """The estimators' values at concrete data (per observed label for categorical)."""
    pts = [(to_mpf(a), to_mpf(b)) for a, b in data]
    if sol.family.name == "categorical":
        (p,) = sol.family.params
        labels = sorted({a for a, _ in pts})
        return {
            f"pi[{int(a)}]": evaluate_estimator(
                sol.estimators[p].xreplace({k_label: int(a)}), pts, {}
            )
            for a in labels
        }
    return {str(p): evaluate_estimator(e, pts, known) for p, e in sol.estimators.items()}


def mle_parts(sol: Solution) -> tuple[Derivation, ...]:
    """The chains the estimator rests on: the stationary condition, the monotone argument for
    each edge parameter, and the second-order chains.

    >>> from symbolic.families import FAMILIES
    >>> from symbolic.generators.stationary import solve_family
    >>> [d.id for d in mle_parts(solve_family(FAMILIES["uniform"]))]
    ['mle/uniform/boundary-theta']
    """
    fam = sol.family
    checked_sol = plane_solution(sol) if fam.coordinates is not None else sol
    stationary = stationary_derivation(checked_sol)
    parts = [stationary] if stationary is not None else []
    parts += [boundary_derivation(sol, p) for p in fam.support]
    if sol.status != "no_closed_form":
        # An edge parameter's monotone chain is also its second-order argument: listed once.
        seen = {d.id for d in parts}
        parts += [d for d in _family_plan(fam).parts if d.id not in seen]
    return tuple(parts)


def family_of(name: str | Family) -> Family:
    """The catalog family called ``name``, or ``name`` itself when it is a :class:`Family`."""
    if isinstance(name, Family):
        return name
    if name not in FAMILIES:
        raise BadInput(f"unknown family {name!r}; families: {', '.join(FAMILIES)}")
    return FAMILIES[name]


@cache
def _family_plan(fam: Family) -> SecondOrderPlan:
    # Both the catalog entry and `symbolic mle` need the plan; the multivariate normal's takes
    # seconds to build.
    sol = solve_family(fam)
    return second_order_plan(plane_solution(sol) if sol.family.coordinates is not None else sol)


def _user_chain(fam: Family) -> Derivation:
    # A family of your own gets the chain of the catalog's mle/<family> entries, built by the
    # same function (the catalog loads its modules under symbolic._catalog).
    import sys

    from symbolic.catalog import entries

    entries()
    return sys.modules["symbolic._catalog.mle"].mle_derivation(fam)


@cache
def verify(name: str | Family, config: Config = _DEFAULT) -> dict[str, object]:
    """Every kernel check of a family's solution (cached: they do not depend on the data).
    The checks are the chain ``mle/<family>`` and its parts, as the catalog has them.

    >>> verify("normal")["stationary"]["status"]
    'proved'
    """
    from symbolic.catalog import get

    fam = family_of(name)
    name = fam.name
    sol = solve_family(fam)
    checked_sol = plane_solution(sol) if fam.coordinates is not None else sol
    try:
        derivation = get(f"mle/{name}") if fam is FAMILIES.get(name) else _user_chain(fam)
        checked = check(derivation, config)
    except Exception as exc:  # noqa: BLE001 - a crash inside sympy is reported, not hidden
        failed = {"id": f"mle/{name}", "status": "unknown", "detail": f"the kernel raised {exc!r}"}
        return {"derivation": failed, "stationary": None, "numeric_optimum": None,
                "second_order": {"method": "none", "status": "unknown",
                                 "detail": failed["detail"], "minors": []}}
    parts = {c.derivation.id: c for c in checked.parts}
    if sol.status == "no_closed_form":
        second = SecondOrder(
            "numeric", "numeric",
            "no closed form to check; Newton's method accepts a maximizer only where the "
            "Hessian of the log-likelihood is negative definite (a local maximum)",
        )
    else:
        plan = _family_plan(fam)
        second = second_order(plan, [parts[d.id] for d in plan.parts])
    stationary = parts.get(f"mle/{name}/stationary")
    return {
        "derivation": _chain_json(checked),
        "stationary": _chain_json(stationary) if stationary is not None else None,
        "numeric_optimum": _numeric_optimum(checked_sol),
        **{f"boundary_{p}": _chain_json(parts[f"mle/{name}/boundary-{p}"]) for p in fam.support},
        "second_order": {"method": second.method, "status": second.status,
                         "detail": second.detail, "minors": list(second.minors)},
    }


def report(
    name: str | Family,
    known_items: Sequence[str] = (),
    data_path: str | None = None,
    dps: int = 50,
    config: Config = _DEFAULT,
) -> dict[str, object]:
    """The object ``symbolic mle FAMILY --json`` prints.

    >>> out = report("poisson")
    >>> out["status"], out["estimators"]
    ('closed_form', {'lam': 'Sum(x[i], (i, 1, N))/N'})
    """
    fam = family_of(name)
    known = parse_known(fam, known_items)
    values: tuple[dict[str, str | None], str] | None = None
    if data_path is not None and fam.coordinates is not None:
        values = matrix_values(solve_family(fam), read_rows(data_path), dps), ""
    elif data_path is not None:
        values = values_at(solve_family(fam), read_csv(data_path, fam), known, dps)
    sol = solve_family(fam)
    checks = dict(verify(fam, config))
    second = checks.pop("second_order")
    out: dict[str, object] = {
        "family": fam.name,
        "parameters": {
            "estimated": [str(p) for p in fam.params],
            "known": [str(k) for k in fam.known],
        },
        "status": sol.status,
        "reason": sol.reason,
        "estimators": {str(p): str(e.xreplace(known)) for p, e in sol.estimators.items()},
        "stationary_equations": {str(p): str(e.xreplace(known)) for p, e in sol.equations.items()},
        "second_order": second,
        "checks": checks,
        "notes": list(sol.notes),
    }
    if values is not None:
        out["values"], note = values
        if note:
            out["values_note"] = note
    return out


def _chain_json(checked: CheckedDerivation) -> dict[str, object]:
    # One chain's own steps: its parts are reported under their own keys.
    return {
        "id": checked.derivation.id,
        "status": worst(st.status for st in checked.steps).value,
        "steps": [
            {"index": st.index, "relation": st.relation.value, "rule": st.rule,
             "status": st.status.value, "detail": st.detail}
            for st in checked.steps
        ],
    }


def values_at(
    sol: Solution, data: list[tuple[Fraction, Fraction]], known: Mapping[Symbol, Rational], dps: int
) -> tuple[dict[str, str | None], str]:
    """Each estimated parameter's value at the data, as a decimal string of ``dps`` digits
    (``pi[k]`` for each seen label of the categorical), and a note about them ("" if none):
    no maximizer exists (the values are None), or several local maxima were found.

    >>> from symbolic.families import FAMILIES
    >>> values_at(solve_family(FAMILIES["poisson"]), [(Fraction(0), 0), (Fraction(3), 0)], {}, 5)
    ({'lam': '1.5000'}, '')
    """
    fam = sol.family
    missing = [str(k) for k in fam.known if k not in known]
    if missing:
        raise BadInput(f"--data needs the known parameter(s) {', '.join(missing)}: "
                       f"pass --known {missing[0]}=VALUE")
    check_data(fam, data, known)
    with mpmath.workdps(dps + 20):
        if sol.estimators:
            try:
                values = closed_form_values(sol, data, known)
            except Undefined as exc:
                return {str(p): None for p in fam.params}, (
                    f"the closed form has no value at the data ({exc}): no maximizer is given")
            note = _outside_domain(fam, values)
            if note:
                return {str(p): None for p in fam.params}, note
        else:
            found = numeric_mle(fam, data, known, dps=dps)
            if not found.exists:
                return {str(p): None for p in fam.params}, found.note
            values, note = found.values, found.note
        text = {k: mpmath.nstr(v, dps, strip_zeros=False) for k, v in values.items()}
    return dict(text), note


def _outside_domain(fam: Family, values: Mapping[str, mpmath.mpf]) -> str:
    """Why the closed form's value at the data is no maximizer: it leaves the parameter's
    domain (the zero-truncated Poisson's root is 0 when every count is 1)."""
    scalar = {p.name: p for p in fam.parameters if not isinstance(p.symbol, sympy.Indexed)}
    for name, value in values.items():
        p = scalar.get(name)
        if p is None or not isinstance(p.domain, Interval | Integers):
            continue
        if not mpmath.isfinite(value) or not p.domain.contains(value):
            return (f"the closed form gives {name} = {mpmath.nstr(value, 15)}, outside "
                    f"{p.domain.text()}: the likelihood has no maximizer in the domain")
    return ""


def exit_status(out: Mapping[str, object]) -> int:
    """1 if a check is refuted, 3 if the derivation or the stationary check is unknown, else 0.

    >>> exit_status({"checks": {"derivation": {"status": "proved"}}, "second_order": {}})
    0
    """
    checks = dict(out.get("checks") or {})
    statuses = [c.get("status") for c in checks.values() if c]
    statuses.append(dict(out.get("second_order") or {}).get("status"))
    if "refuted" in statuses:
        return 1
    core = [c.get("status") for k, c in checks.items() if c and k != "numeric_optimum"]
    return 3 if "unknown" in core else 0


def to_text(out: Mapping[str, object]) -> str:
    """A report for people: status, estimators, equations and every check's verdict, with
    the formulas in Unicode (σ̂², Σ_{i=1..N} x_i, θ), as the other terminal output prints them.
    The JSON keeps sympy's text form, for programs.

    >>> print(to_text(report("poisson")).splitlines()[2])
        λ̂ = Σ_{i=1..N} x_i/N
    """
    from symbolic.outputs.prose import to_unicode

    lines = [f"{out['family']}: {out['status']}"]
    if out.get("reason"):
        lines.append(f"  why: {to_unicode(str(out['reason']))}")
    for title, key in (("estimators", "estimators"), ("stationary equations (= 0)",
                                                       "stationary_equations")):
        table = dict(out.get(key) or {})
        if table:
            lines.append(f"  {title}:")
            lines += [f"    {_hatted(k)} = {to_unicode(v)}" if key == "estimators"
                      else f"    ∂ℓ/∂{to_unicode(k)}: {to_unicode(v)}"
                      for k, v in table.items()]
    second = dict(out["second_order"])
    # The kernel's verdicts name chains by id (minor-1): ids are not formulas.
    detail, kernel, verdicts = str(second["detail"]).partition(" (kernel: ")
    lines.append(f"  second order [{second['status']}]: {to_unicode(detail)}{kernel}{verdicts}")
    checks = dict(out["checks"])
    if "stationary" in checks and checks["stationary"] is None and out.get("estimators"):
        lines.append("  check stationary: none needed: with the estimator put in, the score's "
                     "positive and negative terms are one expression")
    for name, check_ in checks.items():
        if check_:
            lines.append(f"  check {name} [{check_['status']}]: "
                         f"{to_unicode(str(check_.get('detail') or check_.get('id', '')))}")
            for step in check_.get("steps", []):
                lines.append(f"    step {step['index']} [{step['status']}] "
                             f"{to_unicode(step['rule'])}")
    values = out.get("values")
    if values:
        lines.append("  values at the data:")
        lines += [f"    {_hatted(k)} = {v}"
                  for k, v in dict(values).items()]
        if out.get("values_note"):
            lines.append(f"    note: {to_unicode(str(out['values_note']))}")
    return "\n".join(lines)


def _hatted(name: str) -> str:
    # An estimate: the parameter's name with a hat (pi[k] is π̂_k, Sigma[1,2] is Σ̂_1,2).
    from symbolic.outputs.prose import to_unicode

    base, bracket, index = name.partition("[")
    return to_unicode(f"{base}_hat{bracket}{index}")


def matrix_values(sol: Solution, rows: list[list[Fraction]], dps: int) -> dict[str, str | None]:
    """The multivariate estimators at data: the statistics s = Σ x_i, S = Σ x_i x_iᵀ computed
    exactly, put into the derived matrix expressions; entries named ``mu[a]``, ``Sigma[a,b]``.
    """
    mu, sigma = sol.family.params
    dim = len(rows[0])
    vecs = [sympy.Matrix([Rational(v.numerator, v.denominator) for v in r]) for r in rows]
    s_sum = sum(vecs, sympy.zeros(dim, 1))
    s_outer = sum((v * v.T for v in vecs), sympy.zeros(dim, dim))
    d_sym = mu.shape[0]
    explicit = {
        sympy.MatrixSymbol("Sum(x[i], (i, 1, N))", d_sym, 1): sympy.ImmutableMatrix(s_sum),
        sympy.MatrixSymbol("Sum(x[i]*x[i].T, (i, 1, N))", d_sym, d_sym): sympy.ImmutableMatrix(
            s_outer
        ),
        N: len(rows),
    }
    text: dict[str, str] = {}
    with mpmath.workdps(dps + 10):
        m = sol.estimators[mu].xreplace(explicit).doit().as_explicit()
        cov = sol.estimators[sigma].xreplace(explicit).doit().as_explicit()
        for a in range(dim):
            text[f"mu[{a + 1}]"] = mpmath.nstr(_exact(m[a]), dps, strip_zeros=False)
        for a in range(dim):
            for b in range(dim):
                text[f"Sigma[{a + 1},{b + 1}]"] = mpmath.nstr(_exact(cov[a, b]), dps,
                                                            strip_zeros=False)
    return dict(text)


def _exact(value: Expr) -> mpmath.mpf:
    r = Rational(value)
    return mpmath.mpf(int(r.p)) / int(r.q)
