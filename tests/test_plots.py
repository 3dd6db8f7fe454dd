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


def _nelder_mead(f, start, step, iterations=4000):
    """A plain Nelder–Mead simplex search, written here so that the test does not share the
    solver's Newton iteration (and needs no scipy)."""
    simplex = [np.array(start, float)] + [np.array(start, float) + np.eye(len(start))[k] * step[k]
                                           for k in range(len(start))]
    values = [f(p) for p in simplex]
    for _ in range(iterations):
        order = np.argsort(values)
        simplex, values = [simplex[k] for k in order], [values[k] for k in order]
        centre = np.mean(simplex[:-1], axis=0)
        worst = simplex[-1]
        reflected = centre + (centre - worst)
        fr = f(reflected)
        if fr < values[0]:
            expanded = centre + 2 * (centre - worst)
            fe = f(expanded)
            simplex[-1], values[-1] = (expanded, fe) if fe < fr else (reflected, fr)
        elif fr < values[-2]:
            simplex[-1], values[-1] = reflected, fr
        else:
            contracted = centre + 0.5 * (worst - centre)
            fc = f(contracted)
            if fc < values[-1]:
                simplex[-1], values[-1] = contracted, fc
            else:
                simplex = [simplex[0] + 0.5 * (p - simplex[0]) for p in simplex]
                values = [f(p) for p in simplex]
    k = int(np.argmin(values))
    return simplex[k], values[k]


def test_the_cauchy_minimizer_is_the_solvers_numeric_mle_and_the_true_minimum():
    spec = plots.plot_spec("mle/cauchy")
    assert spec.estimate_label == plots.NUMERIC_LABEL
    x0, gamma = spec.params
    # NLL/N written out here from the Cauchy density, apart from the family's expression.
    xs = np.array([a for a, _ in spec.data])

    def nll(p):
        loc, scale = p
        if scale <= 0:
            return np.inf
        return float(np.mean(np.log(np.pi * scale) + np.log1p(((xs - loc) / scale) ** 2)))

    starts = [(a, b) for a in (-2.0, 0.0, 2.0, 2.8, 4.0) for b in (0.05, 0.5, 2.0)]
    found = [_nelder_mead(nll, s, (0.3, 0.1)) for s in starts]
    best, value = min(found, key=lambda r: r[1])
    assert best == pytest.approx([2.83, 0.159], abs=5e-3)
    assert value == pytest.approx(2.366, abs=1e-3)
    marked = (spec.estimate[x0], spec.estimate[gamma])
    assert marked == pytest.approx(tuple(best), abs=1e-4)
    assert nll(marked) <= value + 1e-9
    # The grid search the picture used before zoomed into another basin: (2.785, 0.596), 2.475.
    assert nll((2.785, 0.596)) > value + 0.1


def test_contour_levels_are_round_and_cover_the_picture():
    levels = plots.contour_levels(np.array([2.3659, 2.41, 2.5, 3.7, 4.9, 8.0, 40.0]))
    steps = np.diff(levels)
    assert np.allclose(steps, steps[0])
    mantissa = steps[0] / 10 ** np.floor(np.log10(steps[0]))
    assert round(mantissa, 6) in (1.0, 2.0, 5.0)
    assert levels[0] <= 2.3659
    assert all(abs(v * 100 - round(v * 100)) < 1e-9 for v in levels)


def _texts(fig):
    from matplotlib.text import Text

    fig.canvas.draw()  # the legend and colour bar make their texts when drawn
    return [t.get_text() for t in fig.findobj(Text)]


def test_the_pictures_show_the_data_the_variances_and_are_1600_px_wide(tmp_path):
    fig = plots.figure("mle/normal")
    assert fig.get_figwidth() * fig.dpi == 1600
    strip = fig.axes[1]
    assert len(strip.lines[0].get_xdata()) == 30
    assert any("the data $x_i$" in t for t in _texts(fig))
    texts = " ".join(_texts(plots.figure("kl/normal")))
    assert r"\sigma^{2}_{1}" in texts and r"\sigma^{2}_{2}" in texts
    path = plots.save("kl/normal", tmp_path / "kl.png")
    from matplotlib.image import imread

    assert imread(path).shape[1] == 1600


def test_korean_pictures_have_korean_words_in_a_korean_font(tmp_path):
    import matplotlib
    from matplotlib import font_manager

    with matplotlib.rc_context(plots.style("ko")):
        fig = plots.figure("mle/cauchy", "ko")
        texts = " ".join(_texts(fig))
        assert "코시 분포족의 점당 NLL" in texts and "수치 MLE" in texts
        assert "NLL per point" not in texts
        font = font_manager.findfont(font_manager.FontProperties(family=["sans-serif"]))
    if not any(name in font.replace(" ", "") for name in ("Nanum", "Noto", "Malgun")):
        pytest.skip("no Korean font installed (Debian: fonts-nanum)")
    assert plots.save("kl/normal", tmp_path / "kl.svg", lang="ko").exists()


def test_plot_command_takes_a_language(tmp_path):
    out = tmp_path / "c.png"
    assert main(["plot", "kl/normal", "-o", str(out), "--lang", "ko"]) == 0
    assert out.exists()
