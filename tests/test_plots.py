"""Pictures: the seed's two curves, a picture for every entry that has one, the plot command."""

from __future__ import annotations

import numpy as np
import pytest

from symbolic.catalog import ids
from symbolic.cli import main
from symbolic.outputs import plots


def test_the_seed_curves_are_a_constant_entropy_apart_with_one_minimizer():
    spec = plots.plot_spec("kl-vs-mle")
    assert isinstance(spec, plots.GapPlot)
    nll = plots._mean_nll(spec.logp, (spec.param,), spec.data, {})
    h = spec.entropy()
    thetas = np.linspace(*spec.span, 50)
    kl = plots._kl_curve(spec)(thetas)
    assert np.allclose(nll(thetas) - kl, h)
    assert h > 0 and kl.min() >= 0
    best = plots._minimizer(nll, (spec.param,), {spec.param: spec.span})[spec.param]
    assert thetas[np.argmin(kl)] == pytest.approx(best, abs=spec.span[1] - spec.span[0])
    # The data are real-looking: repeated points, both outcomes at some hours.
    assert len(set(spec.data)) < len(spec.data)


def test_the_seed_data_set_has_a_maximum_likelihood_estimate_inside_the_picture():
    spec = plots.plot_spec("cross-entropy-cost")
    nll = plots._mean_nll(spec.logp, (spec.param,), spec.data, {})
    best = plots._minimizer(nll, (spec.param,), {spec.param: spec.span})[spec.param]
    lo, hi = spec.span
    assert lo < best < hi
    step = 1e-4
    assert nll(np.array(best - step)) > nll(np.array(best)) < nll(np.array(best + step))


@pytest.mark.parametrize("derivation_id", ids())
def test_every_entry_with_a_picture_draws_it(tmp_path, derivation_id):
    try:
        spec = plots.plot_spec(derivation_id)
    except plots.NoPlot as exc:
        # Entries in symbolic dimension (categorical, dirichlet, ...) need their own factory.
        pytest.skip(str(exc))
    target = plots.save(derivation_id, tmp_path / "p.png")
    assert target.read_bytes().startswith(b"\x89PNG")
    if isinstance(spec, plots.NLLPlot):
        assert set(spec.estimate) >= set(spec.params[:2])
    if isinstance(spec, plots.KLPlot):
        # D_KL(P || Q) is zero at Q = P.
        f = plots._numeric(spec.kl.subs(dict(spec.fixed)), (spec.param,))
        assert float(f(spec.at)) == pytest.approx(0, abs=1e-9)


def test_a_registered_factory_wins_over_the_default():
    from sympy import Symbol, log

    mu = Symbol("mu_Q")
    spec = plots.KLPlot("test", (mu - 1) ** 2 / 2 + 0 * log(2), mu, 1.0)
    plots.register("kl/normal", lambda _id: spec)
    try:
        assert plots.plot_spec("kl/normal") is spec
    finally:
        del plots._FACTORIES["kl/normal"]


def test_svg_output_is_reproducible(tmp_path):
    a = plots.save("kl-vs-mle", tmp_path / "a.svg").read_text()
    b = plots.save("kl-vs-mle", tmp_path / "b.svg").read_text()
    assert a == b and "<svg" in a


def test_plot_command(capsys, tmp_path):
    target = tmp_path / "kl.png"
    assert main(["plot", "kl-vs-mle", "-o", str(target)]) == 0
    assert target.read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["plot", "kl-vs-mle", "-o", "x.pdf"], "a plot is written as .png or .svg"),
        (["plot", "nope"], "unknown derivation id"),
        (["plot"], "give at least one derivation id"),
        (["plot", "kl-vs-mle", "cross-entropy-cost", "-o", "x.png"], "give --dir"),
    ],
)
def test_plot_command_bad_usage_exits_2(capsys, argv, message):
    assert main(argv) == 2 and message in capsys.readouterr().err
