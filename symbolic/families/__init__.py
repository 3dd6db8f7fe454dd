"""The distribution families: each defined once, by its parameters with typed domains, its
support and one density or mass (:mod:`symbolic.families.model`); the catalog's definitions
and the MLE and divergence problems chosen from them (:mod:`symbolic.families.catalog`).

The log-density the solver works with is derived from the density by expanding the logarithm
under the domains' assumptions; it is written in the bound variables ``xv`` (and ``yv`` for
regression) of :mod:`symbolic.kernel.measures` so that it can be summed over the data ``x[i]``
or averaged under ``p_data``.

>>> from sympy import expand, log
>>> from symbolic.kernel.measures import xv
>>> fam = FAMILIES["exponential"]
>>> expand(fam.logp - (log(fam.params[0]) - fam.params[0] * xv))
0
>>> [str(s) for s in fam.params]
['lam']
"""

from symbolic.families.catalog import (
    DISTRIBUTIONS,
    DIVERGENCE_FAMILIES,
    FAMILIES,
    K,
    Sigma,
    alpha,
    b_real,
    b_scale,
    beta,
    d,
    gamma_,
    k,
    k_label,
    lam,
    mu,
    mu_vec,
    n,
    names,
    p,
    pi_,
    s11,
    s12,
    s22,
    sigma2,
    theta,
    w,
    x0,
    x_m,
    x_pos,
)
from symbolic.families.model import (
    DivergenceHints,
    ExponentialForm,
    Family,
    NotNormalized,
    Param,
    Parameter,
    check_normalized,
    parameter,
    support_sampler,
)

__all__ = [
    "Family",
    "Parameter",
    "parameter",
    "DivergenceHints",
    "ExponentialForm",
    "NotNormalized",
    "check_normalized",
    "support_sampler",
    "FAMILIES",
    "DISTRIBUTIONS",
    "DIVERGENCE_FAMILIES",
    "names",
    "Param",
    "x_pos",
    "K",
    "Sigma",
    "alpha",
    "b_real",
    "b_scale",
    "beta",
    "d",
    "gamma_",
    "k",
    "k_label",
    "lam",
    "mu",
    "mu_vec",
    "n",
    "p",
    "pi_",
    "s11",
    "s12",
    "s22",
    "sigma2",
    "theta",
    "w",
    "x0",
    "x_m",
]
