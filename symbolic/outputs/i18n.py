"""The prose of the documents in English and Korean, the language of the seed post.

Everything the printers write around the mathematics (verdict words, headings, the summary) is
looked up here by key. Step rules, titles and notes are English strings written by derivation
authors; :func:`translate` maps the known ones to Korean and keeps any other in English, so a
new rule never breaks a document, it only shows up untranslated. Authors add their own phrases
with :func:`add_translations`.

The post's register: it keeps negative log-likelihood, cross-entropy, KL Divergence, empirical
distribution, likelihood and parameter in English, with Korean particles after them
("negative log-likelihood를 최소화하는 것은"), and ends its sentences in the plain form
(…이다, …한다).

>>> phrase("proved", "ko")
'증명됨'
>>> translate("divide by N > 0", "ko")
'N(으)로 나눈다 (N은 양수)'
>>> translate("a rule nobody translated", "ko")
'a rule nobody translated'
"""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["LANGS", "phrase", "translate", "add_translations", "untranslated", "family_name"]

LANGS = ("en", "ko")

_PROSE: dict[str, tuple[str, str]] = {
    # key: (English, Korean)
    "proved": ("proved", "증명됨"),
    "numeric": ("numeric only", "수치 검증만"),
    "where defined": ("equal where both sides are defined", "양변이 정의된 곳에서만 같음"),
    "refuted": ("refuted", "반증됨"),
    "unknown": ("unknown", "미결정"),
    "checked_by": (
        "Derivation {id}, checked by the kernel.",
        "{id} 유도이며, 커널이 모든 단계를 검증하였다.",
    ),
    "step": ("Step", "단계"),
    "summary": ("Summary", "요약"),
    "note": ("Note", "참고"),
    "by": ("by", "근거"),
    "sum_proved": (
        "{n} of {total} steps proved symbolically",
        "{total}단계 중 {n}단계가 기호적으로 증명됨",
    ),
    "sum_numeric": (
        "{n} rest on high-precision numeric evidence only",
        "{n}단계는 고정밀 수치 증거에만 의존함",
    ),
    "sum_where_defined": (
        "{n} hold only where both sides are defined, which is not where the claim is made",
        "{n}단계는 양변이 정의된 곳에서만 성립함",
    ),
    "sum_refuted": ("{n} refuted", "{n}단계 반증됨"),
    "sum_unknown": ("{n} undecided", "{n}단계 미결정"),
    "detail": ("Kernel's reason", "커널의 근거"),
    "counterexample": ("Counterexample", "반례"),
    "not_checked": ("not checked yet", "아직 검증되지 않음"),
    "solver": ("The MLE solver: {kind}.", "MLE solver의 결과: {kind}."),
    "same_sides": ("both sides print as the same expression", "양변이 같은 식으로 출력된다"),
    "laws_density": (
        "{P} and {Q} are two laws of the {family} family, with densities {p} and {q}.",
        "{P}와 {Q}는 {family} 분포족의 두 분포이며, 확률밀도함수는 각각 {p}, {q}이다.",
    ),
    "laws_mass": (
        "{P} and {Q} are two laws of the {family} family, with probabilities {p} and {q}.",
        "{P}와 {Q}는 {family} 분포족의 두 분포이며, 확률질량함수는 각각 {p}, {q}이다.",
    ),
    "textbook": ("Textbook forms", "교과서의 표준형"),
    "textbook_where": ("where {defs}", "단, {defs}"),
    "solver_numeric": (
        "The estimate is found numerically: symbolic mle.",
        "추정값은 수치적으로 구한다: symbolic mle.",
    ),
}

# Exact rule, title and note phrases of the catalog. Keys are the English strings verbatim.
_KO: dict[str, str] = {
    # derivations/seed.py: titles
    "Minimizing the negative log-likelihood is minimizing the cross-entropy": (
        "negative log-likelihood를 최소화하는 것은 cross-entropy를 최소화하는 것이다"
    ),
    "Minimizing the KL divergence from the empirical distribution is maximum likelihood": (
        "empirical distribution으로부터의 KL Divergence를 최소화하는 것은 maximum likelihood "
        "추정이다"
    ),
    # derivations/seed.py: rules
    "argmax of f is argmin of -f": "f의 argmax는 -f의 argmin이다",
    "the likelihood of i.i.d. data is the product of the points' probabilities": (
        "i.i.d. 데이터의 우도는 각 점의 확률의 곱이다"
    ),
    "log is strictly increasing: -log(-u) keeps the order of negative u": (
        "log는 순증가 함수이다: -log(-u)는 음수 u의 순서를 보존한다"
    ),
    "definition of the empirical expectation: p_data puts mass 1/N on each data point": (
        "경험적 기댓값의 정의: empirical distribution p_data는 각 데이터 점에 확률 1/N을 준다"
    ),
    "definition of cross-entropy: H(p, q) = E_p[-log q]": (
        "cross-entropy의 정의: H(p, q) = E_p[-log q]"
    ),
    "definition of the KL divergence: D_KL(P || Q) = -E_P log(Q/P)": (
        "KL Divergence의 정의: D_KL(P || Q) = -E_P log(Q/P)"
    ),
    "log of a quotient, then linearity of expectation": (
        "몫의 로그를 로그의 차로 쓰고, 기댓값의 선형성을 쓴다"
    ),
    "p_data is fixed by the data: E log p_data does not depend on theta": (
        "empirical distribution p_data는 데이터로 고정된다: E log p_data는 theta에 의존하지 않는다"
    ),
    "the constant is -H(p_data), the entropy of the empirical distribution "
    "(repeated points counted with their multiplicity)": (
        "상수는 -H(p_data), 곧 empirical distribution의 엔트로피이다 (반복된 점은 그 중복도만큼 "
        "센다)"
    ),
    "drop a theta-free constant": "theta와 무관한 상수를 버린다",
    "exp(-N u) is strictly decreasing: minimizing -E log p_model maximizes the likelihood, "
    "so the minimizer is the MLE": (
        "exp(-N u)는 순감소 함수이다: -E log p_model을 최소화하면 우도가 최대가 되므로, "
        "최소점은 maximum likelihood 추정값(MLE)이다"
    ),
    # derivations/seed.py: the caveat on continuous models
    "For a continuous model the KL form fails: p_data is a sum of point masses, not absolutely "
    "continuous with respect to a density, so D_KL(p_data || p_model) is +infinity for every "
    "theta. The cross-entropy form NLL(theta)/N = H(p_data, p_model) still holds, and it is the "
    "one that carries over; the KL form needs a discrete model (a probability mass function).": (
        "연속 모형에서는 KL 형태가 성립하지 않는다: empirical distribution p_data는 점질량들의 "
        "합이어서 "
        "밀도에 대해 절대연속이 아니므로, 모든 theta에서 D_KL(p_data || p_model) = +∞이다. "
        "cross-entropy 형태 NLL(theta)/N = H(p_data, p_model)는 여전히 성립하며, 연속 모형으로 "
        "옮겨 가는 것은 이 형태이다. KL 형태에는 이산 모형(확률질량함수)이 필요하다."
    ),
    # derivations/mle.py and derivations/kl.py: their most frequent rules and notes
    "the average over the data is the expectation under p_data, which puts mass count/N on "
    "each distinct point: NLL(theta) = N H(p_data, p_theta)": (
        "데이터에 대한 평균은 empirical distribution p_data에 대한 기댓값이다 (p_data는 서로 "
        "다른 각 점에 "
        "확률 count/N을 준다): NLL(theta) = N H(p_data, p_theta)"
    ),
    "divide by N > 0: the MLE minimizes the cross-entropy": (
        "N으로 나눈다 (N은 양수): maximum likelihood 추정값은 cross-entropy를 최소화한다"
    ),
    "H(p_data, p_theta) = D_KL(p_data || p_theta) + H(p_data), with repeated points counted "
    "by their multiplicity": (
        "H(p_data, p_theta) = D_KL(p_data || p_theta) + H(p_data) (반복된 점은 그 중복도만큼 센다)"
    ),
    "H(p_data) does not depend on theta: the MLE minimizes D_KL(p_data || p_theta)": (
        "H(p_data)는 theta에 의존하지 않는다: maximum likelihood 추정값은 D_KL(p_data || "
        "p_theta)를 "
        "최소화한다"
    ),
    "The family is continuous: D_KL(p_data || p_theta) is +infinity for every theta (p_data is "
    "a sum of point masses), so the theorem takes its cross-entropy form.": (
        "연속 분포족이다: empirical distribution p_data는 점질량들의 합이므로 모든 theta에서 "
        "D_KL(p_data || p_theta) = +∞이고, 정리는 cross-entropy 형태로 성립한다."
    ),
    "H(p_data, p_theta) = D_KL(p_data || p_theta) + H(p_data), with repeated points counted "
    "by their multiplicity; H(p_data) does not depend on theta": (
        "H(p_data, p_theta) = D_KL(p_data || p_theta) + H(p_data) (반복된 점은 그 중복도만큼 "
        "센다); H(p_data)는 theta에 의존하지 않는다"
    ),
    "Every step is an equality of functions of the parameters, so the NLL, the cross-entropy "
    "H(p_data, p_theta) have the same minimizers.": (
        "모든 단계가 parameter의 함수 사이의 등식이므로, negative log-likelihood NLL과 "
        "cross-entropy "
        "H(p_data, p_theta)는 최소점이 같다."
    ),
    "Every step is an equality of functions of the parameters, so the NLL, the cross-entropy "
    "H(p_data, p_theta) and D_KL(p_data || p_theta) have the same minimizers.": (
        "모든 단계가 parameter의 함수 사이의 등식이므로, negative log-likelihood NLL, "
        "cross-entropy "
        "H(p_data, p_theta), D_KL(p_data || p_theta)는 최소점이 같다."
    ),
    # derivations/mle.py and symbolic/generators: the solvers' notes and conditions
    "A diagonal Hessian with a negative diagonal is negative definite, also on the simplex's "
    "tangent space: the stationary point is the maximum. Labels not seen in the data have n_k "
    "= 0 and pi[k] = 0, on the simplex's edge.": (
        "대각 성분이 음수인 대각 Hessian은 음의 정부호이며, simplex의 접공간에서도 그렇다: "
        "정류점이 최대점이다. 데이터에 나오지 않은 label은 n_k = 0, pi[k] = 0으로 simplex의 "
        "경계에 놓인다."
    ),
    "N Sum(x[i]**2) - Sum(x[i])**2 = N Sum((x[i] - xbar)**2) with xbar = Sum(x[j])/N": (
        "xbar = Sum(x[j])/N일 때 N Sum(x[i]**2) - Sum(x[i])**2 = N Sum((x[i] - xbar)**2)이다"
    ),
    "On the boundary of the simplex (pi_2[k] = 0 < pi_1[k]) D_KL = +oo.": (
        "simplex의 경계(pi_2[k] = 0 < pi_1[k])에서는 D_KL = +oo이다."
    ),
    "P_hat = 1/(p_odds + 1), which covers every estimate in (0, 1) as p_odds ranges over "
    "(0, oo).": (
        "P_hat = 1/(p_odds + 1)이며, p_odds가 (0, oo)를 움직이면 (0, 1)의 모든 추정값을 덮는다."
    ),
    "Sigma dl/dmu = s - N mu and 2 Sigma (dl/dSigma) Sigma = A(mu) - N Sigma vanish at the "
    "estimator, in every direction t": (
        "Sigma dl/dmu = s - N mu와 2 Sigma (dl/dSigma) Sigma = A(mu) - N Sigma는 추정값에서 "
        "모든 방향 t로 0이 된다"
    ),
    "The covariance estimate [[s11_hat, s12_hat], [s12_hat, s22_hat]] = L L^T with L = [[l11, "
    "0], [l21, l22]], l11, l22 > 0 (Cholesky): this covers every positive definite estimate.": (
        "공분산 추정값은 [[s11_hat, s12_hat], [s12_hat, s22_hat]] = L L^T (L = [[l11, 0], "
        "[l21, l22]], l11, l22 > 0, Cholesky 분해)이며, 이는 모든 양의 정부호 추정값을 덮는다."
    ),
    "The data have at least two distinct x[i]: otherwise N Sum(x[i]**2) = Sum(x[i])**2, the "
    "Hessian is singular and the MLE is not unique.": (
        "데이터에는 서로 다른 x[i]가 적어도 두 개 있다: 그렇지 않으면 N Sum(x[i]**2) = "
        "Sum(x[i])**2이 되어 Hessian이 특이 행렬이고 MLE가 유일하지 않다."
    ),
    "d/dtheta log p = -1/theta < 0: the likelihood decreases in theta, and the support needs "
    "theta >= x[i] for every i, so theta = max x[i]": (
        "d/dtheta log p = -1/theta < 0: likelihood는 theta에 대해 감소하고, support를 위해 모든 "
        "i에서 theta >= x[i]여야 하므로 theta = max x[i]이다"
    ),
    "d/dx_m log p = alpha/x_m > 0: the likelihood increases in x_m, and the support needs x_m "
    "<= x[i] for every i, so x_m = min x[i]": (
        "d/dx_m log p = alpha/x_m > 0: likelihood는 x_m에 대해 증가하고, support를 위해 모든 "
        "i에서 x_m <= x[i]여야 하므로 x_m = min x[i]이다"
    ),
    "for fixed sigma2, N H = N/(2 sigma2) MSE + (N/2) log(2 pi sigma2): over (w, b) the MLE "
    "minimizes the mean squared error": (
        "sigma2를 고정하면 N H = N/(2 sigma2) MSE + (N/2) log(2 pi sigma2)이다: (w, b)에 대해 "
        "MLE는 평균제곱오차(MSE)를 최소화한다"
    ),
    "log p has |x - mu|: the score in mu is a sum of signs, piecewise constant and undefined at "
    "the data points, so it has no root to solve for; the subgradient condition #{x[i] < mu} <= "
    "N/2 and #{x[i] > mu} <= N/2 gives mu = the median of the data. For even N every point "
    "between the two middle values maximizes the likelihood; the midpoint is reported": (
        "log p에 |x - mu|가 있다: mu에 대한 score는 부호들의 합이어서 구간마다 상수이고 데이터 "
        "점에서는 정의되지 않으므로 풀 근이 없다. subgradient 조건 #{x[i] < mu} <= N/2, "
        "#{x[i] > mu} <= N/2에서 mu = 데이터의 중앙값을 얻는다. N이 짝수이면 가운데 두 값 "
        "사이의 모든 점이 likelihood를 최대화하며, 그 중점을 보고한다"
    ),
    "the Hessian of sum_k n_k log pi[k] - lambda (sum_k pi[k] - 1) is diagonal, "
    "-n_k/pi[k]**2, which is -N**2/n_k at pi[k] = n_k/N; negative for every label k seen in "
    "the data (n_k >= 1)": (
        "sum_k n_k log pi[k] - lambda (sum_k pi[k] - 1)의 Hessian은 대각 행렬 -n_k/pi[k]**2이고, "
        "pi[k] = n_k/N에서 -N**2/n_k이다. 데이터에 나온 모든 label k(n_k >= 1)에서 음수이다"
    ),
    "tr(Sigma_1^-1 Sigma_1) = tr(I_d) = d": "tr(Sigma_1^-1 Sigma_1) = tr(I_d) = d이다",
    "with K symbolic the sum over the labels is the closed form": (
        "K가 기호이면 label에 대한 합이 곧 닫힌 형태이다"
    ),
    "E_P[log C(n, x)] has no closed form and stays a finite sum in H(P) and H(P, Q); for n_1 = "
    "n_2 it cancels from D_KL. For n_1 < n_2 D_KL is finite but keeps the sums; for n_1 > n_2 "
    "it is +oo.": (
        "E_P[log C(n, x)]는 닫힌 형태가 없어 H(P)와 H(P, Q)에 유한합으로 남는다. n_1 = n_2이면 "
        "D_KL에서 소거된다. n_1 < n_2이면 D_KL은 유한하지만 합이 남고, n_1 > n_2이면 +oo이다."
    ),
    "E_P[log x!] has no closed form: H(P) and H(P, Q) keep it as a series; it cancels from "
    "D_KL.": (
        "E_P[log x!]는 닫힌 형태가 없다: H(P)와 H(P, Q)에는 급수로 남고, D_KL에서는 소거된다."
    ),
    "In symbolic dimension the numeric checks instantiate the dimension: E_P over a Dirichlet "
    "law is evaluated by quadrature over the segment at K = 2, and for K > 2 only for sums of "
    "functions of one coordinate, by linearity and one-dimensional quadrature over each "
    "Beta(alpha_k, alpha_0 - alpha_k) marginal; E_P over a normal law only for polynomials in "
    "x, by Gauss-Hermite quadrature in x = mu_1 + L z, exact for their degree. `symbolic kl` "
    "has the kernel check the one-dimensional lemmas the route rests on.": (
        "차원이 기호일 때 수치 검증은 차원을 구체적인 값으로 정한다: 디리클레 분포에 대한 E_P는 "
        "K = 2에서 선분 위의 수치적분으로 계산하고, K > 2에서는 한 좌표의 함수들의 합에 대해서만 "
        "선형성과 각 Beta(alpha_k, alpha_0 - alpha_k) 주변분포 위의 1차원 수치적분으로 계산한다. "
        "정규 분포에 대한 E_P는 x의 다항식에 대해서만, x = mu_1 + L z에서의 Gauss-Hermite "
        "수치적분(그 차수에서 정확함)으로 계산한다. `symbolic kl`은 이 경로가 기대는 1차원 "
        "보조정리를 커널이 검증하게 한다."
    ),
    "Lagrangian: sum_j n_j log pi[j] - lambda (sum_j pi[j] - 1); d/dpi[k] gives pi[k] = "
    "n_k/lambda, and sum_k pi[k] = 1 with sum_k n_k = N gives lambda = N.": (
        "Lagrangian은 sum_j n_j log pi[j] - lambda (sum_j pi[j] - 1)이다. d/dpi[k]에서 pi[k] = "
        "n_k/lambda를 얻고, sum_k n_k = N일 때 sum_k pi[k] = 1에서 lambda = N을 얻는다."
    ),
    "Matrix route with the precision Lambda = Sigma^-1; the log-determinant's gradient is "
    "Jacobi's formula (sympy 1.14 cannot differentiate log det). The kernel checks the result "
    "written out at d = 2, with coordinates x[i], y[i].": (
        "정밀도 행렬 Lambda = Sigma^-1을 쓰는 행렬 경로이다. 로그 행렬식의 gradient는 Jacobi "
        "공식으로 구한다 (sympy 1.14는 log det을 미분하지 못한다). 커널은 d = 2에서 좌표 x[i], "
        "y[i]로 풀어 쓴 결과를 검증한다."
    ),
    # symbolic/outputs/textbook.py
    "the family's textbook form, proved equal to the derived one": (
        "분포족의 교과서 표준형이며, 유도된 식과 같음을 커널이 증명한다"
    ),
    "regroup: the closed forms H(P, Q) - H(P)": "다시 묶는다: 닫힌 형태 H(P, Q) - H(P)",
    "simplify": "정리한다",
    "linearity of E_P": "E_P의 선형성",
    "linearity of E_P over the finite sum": "유한합에 대한 E_P의 선형성",
    "log of a quotient, linearity of the finite sum: H(P, Q) - H(P)": (
        "몫의 로그, 유한합의 선형성: H(P, Q) - H(P)"
    ),
    "Entropy here is differential entropy; it can be negative.": (
        "여기서 엔트로피는 미분 엔트로피이며, 음수일 수 있다."
    ),
    "Entropy here is Shannon entropy.": "여기서 엔트로피는 섀넌 엔트로피이다.",
}

# Phrase shapes that generators produce with varying parts; each maps to a Korean template.
_PATTERNS: list[tuple[re.Pattern[str], object]] = [
    (re.compile(r"divide by (.+) > 0"), r"\1(으)로 나눈다 (\1은 양수)"),
    (re.compile(r"multiply by (.+) > 0"), r"\1을(를) 곱한다 (\1은 양수)"),
    (
        re.compile(
            r"pull every factor free of the data out of the sums: (.*); sufficient statistics: (.*)"
        ),
        r"데이터와 무관한 인수를 모두 합 밖으로 꺼낸다: \1; 충분통계량: \2",
    ),
    (
        re.compile(
            r"D_KL is finite only when supp P is inside supp Q \((.*)\); otherwise P is not "
            r"absolutely continuous with respect to Q and D_KL = \+oo\."
        ),
        r"D_KL은 supp P가 supp Q에 포함될 때(\1)에만 유한하다. 그렇지 않으면 P는 Q에 대해 "
        r"절대연속이 아니고 D_KL = +oo이다.",
    ),
    (re.compile(r"simplify \((.*)\)"), r"정리한다 (\1)"),
    (re.compile(r"the stationary equations in the sufficient statistics are transcendental in "
                r"the parameters: they mix (.*) with algebraic terms, and no elementary inverse "
                r"exists \(sympy\.solve finds no closed form \((.*)\)\)"),
     r"충분통계량으로 쓴 정류 방정식은 parameter에 대해 초월적이다: \1이(가) 대수적 항과 섞여 "
     r"있어 초등함수로 된 역함수가 없다 (sympy.solve가 닫힌 형태를 찾지 못함 (\2))"),
    (re.compile(r"exponential-family identity: (E_P\[.*\] = .*)"),
     r"지수족 항등식: \1"),
]

# How a route found E_P[T(x)] (symbolic/generators/divergences.py); the formulas stay as written.
_ROUTES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"substitution (.*) with u ~ Exp\(1\); E\[u\^c log\(u\)\^m\] = "
                r"d\^m/ds\^m Gamma\(c \+ 1 \+ s\) at s = 0\."),
     r"\1로 치환한다 (u ~ Exp(1)); s = 0에서 E[u^c log(u)^m] = d^m/ds^m Gamma(c + 1 + s)이다."),
    (re.compile(r"integral split where \|x - mu_1\| and \|x - m\| change sign \(m = mu_1 \+ "
                r"d, d > 0\), then the reflection x -> 2 mu_1 - x for m < mu_1\."),
     r"|x - mu_1|와 |x - m|의 부호가 바뀌는 점에서 적분을 나누고(m = mu_1 + d, d > 0), "
     r"m < mu_1이면 대칭 변환 x -> 2 mu_1 - x를 쓴다."),
    (re.compile(r"no closed form: the defining series E_P\[T\] = Σ p\(x\) T\(x\) is kept\."),
     r"닫힌 형태가 없다: 정의의 급수 E_P[T] = Σ p(x) T(x)를 그대로 둔다."),
    (re.compile(r"the mass at label k is pi\[k\]\."), r"label k의 확률은 pi[k]이다."),
    (re.compile(r"exponential-family identity dA/dalpha_k\."), r"지수족 항등식 dA/dalpha_k."),
    (re.compile(r"quadratic-form identity: (.*)\."), r"이차형식 항등식: \1."),
    (re.compile(r"x = mu_1 \+ L z with L L\^T = Sigma_1, E\[z\] = 0, E\[z z\^T\] = I"),
     r"x = mu_1 + L z (L L^T = Sigma_1, E[z] = 0, E[z z^T] = I)"),
    (re.compile(r"Poisson kernel: log\|x - w\|\^2 is harmonic for Im z > 0 when Im w < 0, and "
                r"the Cauchy density is the Poisson kernel at z = (.*), so the mean is "
                r"log\|z - w\|\^2\."),
     r"푸아송 핵: Im w < 0이면 log|x - w|^2는 Im z > 0에서 조화함수이고, 코시 확률밀도함수는 "
     r"z = \1에서의 푸아송 핵이다. 따라서 평균은 log|z - w|^2 이다."),
    (re.compile(r"sympy integration of (.*) over the support(\.?)"),
     r"support 위에서 \1를 sympy로 적분한다\2"),
    (re.compile(r"sympy summation of (.*) over the support(\.?)"),
     r"support 위에서 \1를 sympy로 합한다\2"),
    (re.compile(r"exponential-family identity: differentiating ∫p = 1 in (.*) gives "
                r"Σ_k ∂η_k/∂θ_j E\[T_k\] = ∂A/∂θ_j, solved for E\[T\]\."),
     r"지수족 항등식: ∫p = 1을 \1에 대해 미분하면 Σ_k ∂η_k/∂θ_j E[T_k] = ∂A/∂θ_j이고, "
     r"이를 E[T]에 대해 푼다."),
]


def _routed(part: str) -> str:
    # "E_P[T] = value (how)" inside a longer rule: the how in Korean, without its full stop.
    if not (part.startswith("E_P[") and part.endswith(")")):
        return part
    # The value may hold " (" itself (a Sum's limits): the how is the first tail a route reads.
    for match in re.finditer(r" \(", part):
        how = part[match.end():-1]
        korean = _route(how + ".")
        if korean != how + ".":
            return f"{part[:match.start()]} ({korean.removesuffix('.')})"
    return part


def _route(how: str) -> str:
    # A route's words in Korean; an unknown route stays English, whole.
    for pattern, template in _ROUTES:
        match = pattern.fullmatch(how)
        if match:
            return match.expand(template)
    return how


_FAMILIES = {
    "bernoulli": "베르누이", "binomial": "이항", "categorical": "범주형", "poisson": "푸아송",
    "geometric": "기하", "exponential": "지수", "normal": "정규", "lognormal": "로그정규",
    "halfnormal": "반정규", "rayleigh": "레일리", "gamma": "감마", "beta": "베타",
    "laplace": "라플라스", "uniform": "균등", "pareto": "파레토", "weibull": "와이블",
    "gumbel": "검벨", "cauchy": "코시", "dirichlet": "디리클레",
    "multivariate-normal": "다변량 정규", "inverse-gaussian": "역가우스",
    "linear-regression": "선형 회귀", "logistic-regression": "로지스틱 회귀",
}
_KNOWN = {"shape": "형상", "scale": "척도", "location": "위치", "mean": "평균",
          "variance": "분산"}


def family_name(name: str, lang: str = "ko") -> str:
    """A family's name as Korean texts write it; ``gamma-known-shape`` names the known
    parameter.

    >>> family_name("normal"), family_name("gamma-known-shape")
    ('정규', '감마 (형상 parameter가 주어짐)')
    """
    if lang != "ko":
        return name
    base, _, known = name.partition("-known-")
    korean = _FAMILIES.get(base, base)
    return f"{korean} ({_KNOWN.get(known, known)} parameter가 주어짐)" if known else korean


def _family(template: str, group: int = 1) -> object:
    def expand(match: re.Match[str]) -> str:
        groups = [match.group(k) for k in range(len(match.groups()) + 1)]
        groups[group] = family_name(groups[group])
        return template.format(*groups)

    return expand


_PATTERNS += [
    (re.compile(r"Entropy, cross-entropy and KL divergence of two (\S+) laws"),
     _family("두 {1} 분포의 엔트로피, cross-entropy, KL Divergence")),
    (re.compile(r"Maximum likelihood for the (\S+) family is minimum cross-entropy"),
     _family("{1} 분포족에서 maximum likelihood 추정은 cross-entropy의 최소화이다")),
    (re.compile(r"The score vanishes at the estimator \((\S+)\)"),
     _family("추정량에서 score가 0이다 ({1})")),
    (re.compile(r"The Hessian of the log-likelihood at the estimator, in the estimates "
                r"\((\S+)\)"),
     _family("추정량에서 log-likelihood의 Hessian을 추정값으로 쓴다 ({1})")),
    (re.compile(r"The leading principal minor of order (\d+) of H is (negative|positive) "
                r"\((\S+)\)"),
     lambda m: f"H의 {m[1]}차 선행 주소행렬식은 {'음수' if m[2] == 'negative' else '양수'}이다 "
     f"({family_name(m[3])})"),
    (re.compile(r"The NLL is monotone in (\S+): the MLE is at the edge of the support"),
     r"NLL은 \1에 대해 단조이다: MLE는 support의 경계에 있다"),
    (re.compile(r"The matrix scores vanish at the estimator \(written out at d = 2\)"),
     "추정량에서 행렬 score가 0이다 (d = 2에서 풀어 씀)"),
    (re.compile(r"the derivative in every direction t of the log-likelihood is 0 at the "
                r"estimator: the positive terms equal the negative ones"),
     "추정량에서 log-likelihood의 모든 방향 t로의 도함수가 0이다: 양의 항들의 합이 음의 항들의 "
     "합과 같다"),
    (re.compile(r"(negative|positive) for estimates in the parameter domain"),
     lambda m: f"parameter 영역 안의 추정값에서 {'음수' if m[1] == 'negative' else '양수'}이다"),
    (re.compile(r"expand the determinant and factor"), "행렬식을 전개하고 인수분해한다"),
    (re.compile(r"each second derivative of the log-likelihood at the estimator equals the entry "
                r"of H = (.*) with the estimates (.*) written out as the estimators \(each entry "
                r"multiplied by its positive denominators, and weighted by a free symbol s so "
                r"that one equation holds them all\)"),
     r"추정량에서 log-likelihood의 각 이계도함수는 H = \1의 해당 성분과 같다. 추정값 \2는 "
     r"추정량으로 풀어 쓴다 (각 성분에 양의 분모들을 곱하고, 자유 기호 s로 가중하여 하나의 "
     r"등식에 모두 담는다)"),
    (re.compile(r"The solver's estimators: (.*)\. The parts below check that the score vanishes "
                r"there and that it is a maximum; `symbolic mle` adds a numeric optimum on data\."),
     r"solver가 구한 추정량: \1. 아래의 부분들은 그 점에서 score가 0이고 그 점이 최대점임을 "
     r"검증한다. `symbolic mle`는 데이터에서 찾은 수치 최적점을 덧붙인다."),
    (re.compile(r"The solver's estimators: (.*)\. Put into the score, they make its positive and "
                r"negative terms one expression; the parts below check that it is a maximum, and "
                r"`symbolic mle` adds a numeric optimum on data\."),
     r"solver가 구한 추정량: \1. 이를 score에 넣으면 양의 항들과 음의 항들이 같은 식이 된다. "
     r"아래의 부분들은 그 점이 최대점임을 검증하고, `symbolic mle`는 데이터에서 찾은 수치 "
     r"최적점을 덧붙인다."),
    (re.compile(r"log p_1 - log p_2 expanded in the statistics T\(x\); linearity of E_P and "
                r"∫p_1 = 1; then (.*)"),
     lambda m: "log p_1 - log p_2를 통계량 T(x)로 전개하고 E_P의 선형성과 ∫p_1 = 1을 쓴다. "
     "그다음 " + "; ".join(_routed(part) for part in re.split(r"; (?=E_P\[)", m[1]))),
    (re.compile(r"(.*): sympy (integration|summation) of p\(x\)·T\(x\) over the support\."),
     lambda m: f"{m[1]}: support 위에서 p(x)·T(x)를 sympy로 "
     f"{'적분' if m[2] == 'integration' else '합'}한다."),
    (re.compile(r"the score of the log-likelihood is 0 at the estimator: the positive terms "
                r"equal the negative ones"),
     "추정량에서 log-likelihood의 score가 0이다: 양의 항들의 합이 음의 항들의 합과 같다"),
    (re.compile(r"The Lagrange condition holds at the estimator"),
     "추정량에서 Lagrange 조건이 성립한다"),
    (re.compile(r"The Hessian of the Lagrangian at the estimator is negative on its diagonal"),
     "추정량에서 Lagrangian의 Hessian은 대각 성분이 음수이다"),
    (re.compile(r"exp is strictly increasing"), "exp는 순증가 함수이다"),
    (re.compile(r"the NLL is an increasing affine function of (.*)"),
     r"NLL은 \1의 증가하는 일차 함수이다"),
    (re.compile(r"The support needs (\S+) (>=|<=) every x\[i\]; the (smallest|largest) "
                r"feasible value is the (largest|smallest) data value\."),
     lambda m: f"support가 모든 x[i]에 대해 {m[1]} {m[2]} x[i]를 요구하므로, 가능한 "
     f"{'가장 작은' if m[3] == 'smallest' else '가장 큰'} 값은 "
     f"{'가장 큰' if m[4] == 'largest' else '가장 작은'} 데이터 값이다."),
    (re.compile(r"(\S+) is held at an arbitrary value: the equations hold for every \1, so also "
                r"at (.*)"),
     r"\1을 임의의 값에 고정한다: 등식이 모든 \1에서 성립하므로 \2에서도 성립한다"),
    (re.compile(r"the parameters stay inside the sums: the terms (.*) do not factor into a "
                r"function of the parameters times a function of the data, so there is no fixed "
                r"set of sufficient statistics and the score equations are sums of N nonlinear "
                r"terms in the parameters"),
     r"parameter가 합 안에 남는다: 항 \1은 parameter의 함수와 데이터의 함수의 곱으로 "
     r"인수분해되지 않으므로, 고정된 충분통계량이 없고 score 방정식은 parameter에 대한 "
     r"N개의 비선형 항의 합이다"),
    (re.compile(r"(.*): exponential-family identity: differentiating ∫p = 1 in (.*) gives "
                r"Σ_k ∂η_k/∂θ_j E\[T_k\] = ∂A/∂θ_j, solved for E\[T\]\."),
     r"\1: 지수족 항등식: ∫p = 1을 \2에 대해 미분하면 Σ_k ∂η_k/∂θ_j E[T_k] = ∂A/∂θ_j이고, "
     r"이를 E[T]에 대해 푼다."),
]


# Last, after every more specific shape: a route's note E_P[T] = value: how.
_PATTERNS.append((re.compile(r"(E_P\[.*?\] = .*?): (.*)"), lambda m: f"{m[1]}: {_route(m[2])}"))


def phrase(key: str, lang: str = "en", **values: object) -> str:
    """The surrounding prose with this key, in ``lang``, with ``values`` filled in.

    >>> phrase("sum_proved", "en", n=3, total=4)
    '3 of 4 steps proved symbolically'
    """
    en, ko = _PROSE[key]
    return (ko if lang == "ko" else en).format(**values)


def translate(english: str, lang: str = "en") -> str:
    """An author's English phrase (rule, title, note) in ``lang``; English when unknown."""
    if lang != "ko":
        return english
    if english in _KO:
        return _KO[english]
    for pattern, template in _PATTERNS:
        match = pattern.fullmatch(english)
        if match:
            return template(match) if callable(template) else match.expand(template)
    return english


def untranslated(phrases: list[str]) -> list[str]:
    """The phrases :func:`translate` would leave in English (for authors and for reports).

    >>> untranslated(["drop a theta-free constant", "something new"])
    ['something new']
    """
    return [p for p in phrases if translate(p, "ko") == p]


def add_translations(korean: Mapping[str, str]) -> None:
    """Register Korean for English rules, titles or notes (call it where the entries live).

    >>> add_translations({"complete the square": "완전제곱식을 만든다"})
    >>> translate("complete the square", "ko")
    '완전제곱식을 만든다'
    """
    _KO.update(korean)
