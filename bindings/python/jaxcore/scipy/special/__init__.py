"""`jaxcore.scipy.special`."""

import math

import numpy as _np

from ... import numpy as jnp
from ... import lax
from ..._core import asarray

def logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False, where=None):
    """log(sum(b * exp(a))), computed stably (as JAX: the max is shifted out
    under stop_gradient)."""
    a = asarray(a)
    if b is not None:
        a, b = jnp.broadcast_arrays(a, asarray(b))
        a = jnp.where(b != 0, a, -jnp.inf)
    amax = jnp.max(a, axis=axis, keepdims=True, where=where, initial=-jnp.inf) if where is not None else jnp.max(a, axis=axis, keepdims=True)
    amax = lax.stop_gradient(jnp.where(jnp.isfinite(amax), amax, 0))
    e = jnp.exp(a - amax)
    if b is not None:
        e = e * b
    s = jnp.sum(e, axis=axis, keepdims=keepdims, where=where)
    sign = jnp.sign(s)
    s = jnp.abs(s) if return_sign or b is not None else s
    out = jnp.log(s) + (amax if keepdims else jnp.squeeze(amax, axis=axis))
    if return_sign:
        return out, sign
    if b is not None:
        out = jnp.where(sign < 0, jnp.nan, out)  # the log of a negative sum (JAX: NaN)
    return out

def expit(x):
    return lax.logistic(asarray(x))

def logit(x):
    x = asarray(x)
    return jnp.log(x / (1 - x))

def erf(x):
    return lax.erf(asarray(x))

def erfc(x):
    return lax.erfc(asarray(x))

def erfinv(x):
    return lax.erf_inv(asarray(x))

def gammaln(x):
    return lax.lgamma(asarray(x))

def digamma(x):
    return lax.digamma(asarray(x))

def polygamma(n, x):
    """polygamma(n, x); an array of orders must be concrete."""
    if _np.ndim(n) == 0:
        try:
            order = int(n)
        except Exception:
            raise NotImplementedError("polygamma with a traced order n is not supported") from None
        return lax.polygamma(order, asarray(x))
    try:
        ns = _np.asarray(n)
    except Exception:
        raise NotImplementedError("polygamma with a traced order n is not supported")
    x = asarray(x)
    ns_b, x_b = jnp.broadcast_arrays(jnp.asarray(ns), x)
    out = jnp.full(x_b.shape, jnp.nan, dtype=lax.polygamma(0, x_b).dtype)
    for k in sorted(set(int(v) for v in ns.ravel())):
        out = jnp.where(ns_b == k, lax.polygamma(k, x_b), out)
    return out


def xlogy(x, y):
    x, y = asarray(x), asarray(y)
    return jnp.where(x == 0, jnp.zeros_like(x * y), x * jnp.log(y))

def xlog1py(x, y):
    x, y = asarray(x), asarray(y)
    return jnp.where(x == 0, jnp.zeros_like(x * y), x * jnp.log1p(y))

def softmax(x, axis=None):
    from ... import nn
    return nn.softmax(x, axis=-1 if axis is None else axis)


# --- more of jax.scipy.special, composed of the functions above

def log_softmax(x, axis=None):
    from ... import nn
    return nn.log_softmax(x, axis=-1 if axis is None else axis)

def gamma(x):
    """Γ(x) = sign · exp(lgamma(x)) (the sign alternates below zero)."""
    x = jnp.asarray(x)
    if not str(x.dtype).startswith(("float", "bfloat")):
        x = x.astype("float32")
    sign = jnp.where(jnp.logical_or(x > 0, jnp.floor(x) == x), 1.0, jnp.where(jnp.remainder(jnp.floor(x), 2) == 0, 1.0, -1.0))
    out = jnp.where(jnp.logical_and(x < 0, jnp.floor(x) == x), jnp.nan, sign * jnp.exp(gammaln(x)))
    return jnp.where(x == 0, jnp.inf, out)  # the pole at 0, as JAX

def gammasgn(x):
    x = jnp.asarray(x)
    return jnp.where(x > 0, 1.0, jnp.where(jnp.floor(x) == x, jnp.nan, jnp.where(jnp.remainder(jnp.floor(x), 2) == 0, 1.0, -1.0)))

loggamma = gammaln

def betaln(a, b):
    return gammaln(a) + gammaln(b) - gammaln(jnp.add(a, b))

def beta(a, b):
    return jnp.exp(betaln(a, b))

def factorial(n, exact=False):
    if exact:
        raise NotImplementedError("factorial with exact=True")
    n = jnp.asarray(n)
    return jnp.where(n < 0, 0.0, jnp.exp(gammaln(n.astype("float32") + 1) if not str(n.dtype).startswith("float") else gammaln(n + 1)))

def poch(z, m):
    return jnp.exp(gammaln(jnp.add(z, m)) - gammaln(z))

def multigammaln(a, d):
    import math
    a = jnp.asarray(a)
    return sum(gammaln(a - j / 2.0) for j in range(d)) + d * (d - 1) / 4.0 * math.log(math.pi)

def _float32_or_64(x):
    """x as an array, refused (JAX's TypeError) unless float32 or float64."""
    x = jnp.asarray(x)
    if x.dtype not in (jnp.float32, jnp.float64):
        raise TypeError(f"x.dtype={x.dtype} is not supported, see docstring for supported types.")
    return x

def ndtr(x):
    """The standard normal CDF, as JAX computes it: 1 + erf(x/sqrt 2) near
    0, erfc in the tails (halved)."""
    x = _float32_or_64(x)
    h = jnp.asarray(0.5 * math.sqrt(2.0), x.dtype)
    w = x * h
    z = jnp.abs(w)
    y = jnp.where(z < h, 1.0 + lax.erf(w), jnp.where(w > 0, 2.0 - lax.erfc(z), lax.erfc(z)))
    return 0.5 * y

def ndtri(p):
    """The inverse of ndtr: a first guess (erfinv in the middle, the tail
    asymptote below 1e-3), Newton steps on log ndtr (accurate far in the
    tail), and the upper half by symmetry. The last step carries the
    derivative 1 / ndtr'(x)."""
    p = _float32_or_64(p)
    upper = p > 0.5
    q = jnp.where(upper, 1 - p, p)                      # in (0, 0.5], exact for p >= 0.5
    qs = jnp.clip(lax.stop_gradient(q), 1e-38, 0.5)
    logq = jnp.log(qs)
    t = jnp.sqrt(-2 * logq)
    tail = -(t - (jnp.log(t * t) + jnp.log(2 * jnp.pi)) / (2 * t))
    mid = jnp.sqrt(2.0) * erfinv(2 * qs - 1)
    x = jnp.where(qs < 1e-3, tail, mid)
    inv_sqrt_2pi = 1 / jnp.sqrt(2 * jnp.pi)
    def newton(x, logq):
        ln = log_ndtr(x)
        slope = jnp.exp(-0.5 * x * x - ln) * inv_sqrt_2pi  # d log ndtr / dx
        return x - (ln - logq) / slope
    for _ in range(3):
        x = newton(x, logq)
    x = newton(lax.stop_gradient(x), jnp.log(q))
    x = jnp.where(upper, -x, x)
    return jnp.where(p == 0, -jnp.inf, jnp.where(p == 1, jnp.inf, jnp.where((p < 0) | (p > 1), jnp.nan, x)))

def _log_ndtr_value(x):
    # JAX's segments: log ndtr in the middle, -ndtr(-x) above (log(1 - t)
    # ~ -t), the asymptotic series of order 3 below
    lower, upper = (-20.0, 8.0) if x.dtype == jnp.float64 else (-10.0, 5.0)
    above = x > upper
    nd = ndtr(jnp.where(above, -x, jnp.maximum(x, lower)))
    xl = jnp.minimum(x, lower)
    x2 = xl * xl
    series = 1.0 + 3.0 / (x2 * x2) - (1.0 / x2 + 15.0 / (x2 * x2 * x2))
    low = -0.5 * x2 - jnp.log(-xl) - jnp.asarray(0.5 * math.log(2 * math.pi), x.dtype) + jnp.log(series)
    return jnp.where(above, -nd, jnp.where(x > lower, jnp.log(nd), low))

_LOG_NDTR = []

def _log_ndtr(x):
    """log ndtr with JAX's custom derivative (built on first use: the
    package's custom_jvp is defined after this module is imported)."""
    if not _LOG_NDTR:
        from ... import custom_jvp
        f = custom_jvp(_log_ndtr_value)
        f.defjvp(_log_ndtr_jvp)
        _LOG_NDTR.append(f)
    return _LOG_NDTR[0](x)

def _log_ndtr_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    ans = _log_ndtr(x)
    logpdf = -0.5 * (x * x) - jnp.asarray(math.log(math.sqrt(2 * math.pi)), x.dtype)
    return ans, t * jnp.exp(logpdf - ans)

def log_ndtr(x, series_order=3):
    """log Φ(x), JAX's construction and derivative (float32 and float64)."""
    if series_order != 3:
        raise NotImplementedError("log_ndtr with series_order other than 3 is not supported")
    return _log_ndtr(_float32_or_64(x))

def entr(x):
    x = jnp.asarray(x)
    xlogx = jnp.where(x > 0, x * jnp.log(jnp.where(x > 0, x, 1.0)), 0.0)
    return jnp.where(x < 0, -jnp.inf, -xlogx)  # (-0. at 0, as JAX)

def rel_entr(p, q):
    p, q = jnp.asarray(p), jnp.asarray(q)
    safe = jnp.logical_and(p > 0, q > 0)
    v = p * jnp.log(jnp.where(safe, p, 1.0) / jnp.where(safe, q, 1.0))
    return jnp.where(safe, v, jnp.where(jnp.logical_and(p == 0, q >= 0), 0.0, jnp.inf))

def kl_div(p, q):
    p, q = jnp.asarray(p), jnp.asarray(q)
    return jnp.where(jnp.logical_and(p >= 0, q >= 0), rel_entr(p, q) - p + q, jnp.inf)

def i0(x):
    return jnp.i0(x)

def i0e(x):
    x = jnp.asarray(x)
    return jnp.i0(x) * jnp.exp(-jnp.abs(x))

def comb(N, k, exact=False, repetition=False):
    if exact:
        raise NotImplementedError("comb with exact=True")
    N, k = jnp.asarray(N, "float32"), jnp.asarray(k, "float32")
    if repetition:
        N = N + k - 1
    ok = jnp.logical_and(jnp.logical_and(k >= 0, N >= 0), k <= N)
    return jnp.where(ok, jnp.exp(gammaln(N + 1) - gammaln(k + 1) - gammaln(N - k + 1)), 0.0)

def sinc(x):
    return jnp.sinc(x)


# --- regularized incomplete gamma and beta functions (Numerical Recipes'
# series and Lentz continued fractions, a fixed number of steps in a
# fori_loop, so they trace, jit and differentiate)
_STEPS = 300
_TINY = 1e-30


def _floats(*xs):
    xs = [asarray(x) for x in xs]
    dt = jnp.result_type(*xs, 1.0)
    return jnp.broadcast_arrays(*[x.astype(dt) for x in xs])


def _lentz_fix(v):
    return jnp.where(jnp.abs(v) < _TINY, _TINY, v)


def _igamma_sums(a, x, use_series):
    """The series sum s with P = s * x**a e**-x / Gamma(a) where use_series,
    and the continued fraction h with Q = h * x**a e**-x / Gamma(a) elsewhere
    (each evaluated at a harmless point where the other one is used)."""
    xs = jnp.where(use_series, x, 0.0)
    def series(i, st):
        ap, d, s = st
        ap = ap + 1
        d = d * xs / ap
        return ap, d, s + d
    _, _, s = lax.fori_loop(0, _STEPS, series, (a, 1 / a, 1 / a))
    xc = jnp.where(use_series, a + 2, x)
    def fraction(i, st):
        b, c, d, h = st
        i = i.astype(a.dtype)
        an = -i * (i - a)
        b = b + 2
        d = 1 / _lentz_fix(an * d + b)
        c = _lentz_fix(b + an / c)
        return b, c, d, h * d * c
    b0 = xc + 1 - a
    _, _, _, h = lax.fori_loop(1, _STEPS, fraction, (b0, jnp.full_like(b0, 1 / _TINY), 1 / _lentz_fix(b0), 1 / _lentz_fix(b0)))
    return s, h


def _igamma_domain_error(a, x):
    return (a <= 0) | (x < 0) | jnp.isnan(a) | jnp.isnan(x)


def _igamma_log_prefactor(a, x):
    return a * jnp.log(x) - x - gammaln(a)


def _igamma(a, x):
    """(P, Q) of the regularized incomplete gamma function."""
    a, x = _floats(a, x)
    use_series = x < a + 1
    s, h = _igamma_sums(a, x, use_series)
    # x = 0 is answered below; a safe 1.0 here keeps log(0) out of the derivative
    p_series = s * jnp.exp(_igamma_log_prefactor(a, jnp.where(use_series & (x > 0), x, 1.0)))
    q_fraction = h * jnp.exp(_igamma_log_prefactor(a, jnp.where(use_series, a + 2, x)))
    p = jnp.where(use_series, p_series, 1 - q_fraction)
    q = jnp.where(use_series, 1 - p_series, q_fraction)
    bad = _igamma_domain_error(a, x)
    zero = x == 0
    p = jnp.where(bad, jnp.nan, jnp.where(zero, 0.0, p))
    q = jnp.where(bad, jnp.nan, jnp.where(zero, 1.0, q))
    return p, q


def _igamma_a_derivatives(a, x):
    """d/da of s (series) or h (fraction) with x held, and what they scale."""
    from ..._api import jvp
    a, x = _floats(a, x)
    use_series = x < a + 1
    bad = _igamma_domain_error(a, x)
    xx = jnp.where(bad | (x == 0), 1.0, x)
    (s, h), (ds, dh) = jvp(lambda aa: _igamma_sums(aa, xx, use_series), (a,), (jnp.ones_like(a),))
    dlog = jnp.log(xx) - digamma(a)
    # d/da [s * e^L] = e^L (ds + s dL), L the log prefactor, dL/da = log x - digamma(a)
    sign_term = jnp.where(use_series, ds + s * dlog, -(dh + h * dlog))
    return a, x, xx, bad, sign_term


def igamma_grad_a(a, x):
    """dP(a, x)/da, the derivative of the regularized lower incomplete gamma
    function in its first argument (`lax.igamma_grad_a`)."""
    a, x, xx, bad, term = _igamma_a_derivatives(a, x)
    out = term * jnp.exp(_igamma_log_prefactor(a, xx))
    return jnp.where(bad, jnp.nan, jnp.where(x == 0, 0.0, out))


def random_gamma_grad(a, x):
    """dx/da along P(a, x) = const: how a Gamma(a) sample x moves with a
    (implicit reparameterization; `lax.random_gamma_grad`). The prefactor
    x**a e**-x / Gamma(a) cancels against the density, so none is computed."""
    a, x, xx, bad, term = _igamma_a_derivatives(a, x)
    out = -term * xx
    return jnp.where(bad, jnp.nan, jnp.where(x == 0, 0.0, out))


def gammainc(a, x):
    """The regularized lower incomplete gamma function P(a, x)."""
    return _igamma(a, x)[0]


def gammaincc(a, x):
    """The regularized upper incomplete gamma function Q(a, x) = 1 - P(a, x)."""
    return _igamma(a, x)[1]


def betainc(a, b, x):
    """The regularized incomplete beta function I_x(a, b)."""
    a, b, x = _floats(a, b, x)
    flip = x > (a + 1) / (a + b + 2)
    p, q = jnp.where(flip, b, a), jnp.where(flip, a, b)
    y = jnp.clip(jnp.where(flip, 1 - x, x), 0.0, 1.0)
    qab, qap, qam = p + q, p + 1, p - 1
    d0 = 1 / _lentz_fix(1 - qab * y / qap)
    def fraction(m, st):
        c, d, h = st
        m = m.astype(a.dtype)
        m2 = 2 * m
        aa = m * (q - m) * y / ((qam + m2) * (p + m2))
        d = 1 / _lentz_fix(1 + aa * d)
        c = _lentz_fix(1 + aa / c)
        h = h * d * c
        aa = -(p + m) * (qab + m) * y / ((p + m2) * (qap + m2))
        d = 1 / _lentz_fix(1 + aa * d)
        c = _lentz_fix(1 + aa / c)
        return c, d, h * d * c
    _, _, h = lax.fori_loop(1, _STEPS, fraction, (jnp.ones_like(y), d0, d0))
    ys = jnp.clip(y, _TINY, 1 - 1e-7)
    front = jnp.exp(gammaln(p + q) - gammaln(p) - gammaln(q) + p * jnp.log(ys) + q * jnp.log1p(-ys)) / p
    v = front * h
    out = jnp.where(flip, 1 - v, v)
    out = jnp.where(x <= 0, 0.0, jnp.where(x >= 1, 1.0, out))
    bad = (a <= 0) | (b <= 0) | (x < 0) | (x > 1) | jnp.isnan(x)
    return jnp.where(bad, jnp.nan, out)


# --- zeta, Bessel I1, scaled erfc, exponential integrals, dilogarithm:
# series, asymptotic expansions and continued fractions in engine ops
def _bernoulli_numbers(n):
    """B_0..B_n as fractions (B_1 = -1/2), from the recurrence sum_k C(m+1, k) B_k = 0."""
    from fractions import Fraction
    from math import comb as _comb
    b = [Fraction(1)]
    for m in range(1, n + 1):
        b.append(-sum(_comb(m + 1, k) * b[k] for k in range(m)) / (m + 1))
    return b


def bernoulli(n):
    """The Bernoulli numbers B_0..B_n (B_1 = -1/2, as scipy)."""
    return jnp.asarray([float(v) for v in _bernoulli_numbers(int(n))])


_ZETA_SHIFT = 9
_ZETA_TERMS = [float(v) / __import__("math").factorial(j) for j, v in enumerate(_bernoulli_numbers(24)) if j % 2 == 0 and j > 0]  # B_2j / (2j)!


def zeta(x, q=None):
    """The Hurwitz zeta function sum_k (k + q)^-x (Riemann's for q = None or 1),
    by Euler-Maclaurin summation after shifting q by 9."""
    if q is None:
        q = 1.0
    x, q = _floats(x, q)
    s = jnp.zeros_like(x)
    for k in range(_ZETA_SHIFT):
        s = s + jnp.power(q + k, -x)
    w = q + _ZETA_SHIFT
    s = s + jnp.power(w, 1 - x) / (x - 1) + 0.5 * jnp.power(w, -x)
    rising = x                       # x (x+1) ... (x+2j-2)
    wpow = jnp.power(w, -x - 1)      # w^(-x-2j+1)
    for j, c in enumerate(_ZETA_TERMS):
        s = s + c * rising * wpow
        rising = rising * (x + 2 * j + 1) * (x + 2 * j + 2)
        wpow = wpow / (w * w)
    q_pole = (q <= 0) & (q == jnp.floor(q))
    s = jnp.where((q <= 0) & (x != jnp.floor(x)), jnp.nan, s)
    s = jnp.where(q_pole | (x == 1), jnp.inf, s)
    return jnp.where(x < 1, jnp.nan, s)


def _i1e(x):
    """exp(-|x|) I1(x): the (odd) power series for |x| < 15, the asymptotic
    expansion above."""
    ax = jnp.abs(x)
    small = ax < 15
    xs = jnp.where(small, x, 0.0)
    h = (xs / 2) ** 2
    def series(k, st):
        term, s = st
        k = k.astype(x.dtype)
        term = term * h / (k * (k + 1))
        return term, s + term
    _, s = lax.fori_loop(1, 60, series, (xs / 2, xs / 2))
    small_val = s * jnp.exp(-jnp.abs(xs))
    xl = jnp.where(small, 15.0, ax)
    # 1/sqrt(2 pi x) * sum_k (-1)^k prod_{i<=k} (4 - (2i-1)^2) / (k! (8x)^k)
    term, acc = jnp.ones_like(xl), jnp.ones_like(xl)
    for k in range(1, 12):
        term = -term * (4 - (2 * k - 1) ** 2) / (k * 8 * xl)
        acc = acc + term
    large_val = jnp.sign(x) * acc / jnp.sqrt(2 * jnp.pi * xl)
    return jnp.where(small, small_val, large_val)


def i1e(x):
    """The exponentially scaled modified Bessel function exp(-|x|) I1(x)."""
    (x,) = _floats(x)
    return _i1e(x)


def i1(x):
    """The modified Bessel function of the first kind of order one."""
    (x,) = _floats(x)
    return _i1e(x) * jnp.exp(jnp.abs(x))


def _erfcx_pos(x):
    near = x < 2
    xn = jnp.where(near, x, 0.0)
    direct = jnp.exp(xn * xn) * lax.erfc(xn)
    xf = jnp.where(near, 2.0, x)
    t = xf
    for n in range(40, 0, -1):  # the continued fraction x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))
        t = xf + (n / 2) / t
    return jnp.where(near, direct, 1 / (jnp.sqrt(jnp.pi) * t))


def erfcx(x):
    """The scaled complementary error function exp(x^2) erfc(x)."""
    (x,) = _floats(x)
    pos = _erfcx_pos(jnp.abs(x))
    return jnp.where(x >= 0, pos, 2 * jnp.exp(x * x) - pos)


_EULER_GAMMA = 0.5772156649015329


def exp1(x):
    """The exponential integral E1(x) = integral_x^inf exp(-t)/t dt (x > 0)."""
    (x,) = _floats(x)
    small = x <= 1
    xs = jnp.where(small & (x > 0), x, 1.0)
    def series(k, st):
        term, s = st
        k = k.astype(x.dtype)
        term = -term * xs / k
        return term, s + term / k
    _, s = lax.fori_loop(1, 30, series, (jnp.ones_like(xs), jnp.zeros_like(xs)))
    small_val = -_EULER_GAMMA - jnp.log(xs) - s
    xl = jnp.where(small, 2.0, x)
    t = xl
    for n in range(60, 0, -1):  # exp(-x) / (x + 1/(1 + 1/(x + 2/(1 + 2/(x + ...)))))
        t = xl + n / (1 + n / t)
    large_val = jnp.exp(-xl) / t
    out = jnp.where(small, small_val, large_val)
    return jnp.where(x < 0, jnp.nan, jnp.where(x == 0, jnp.inf, out))


def expi(x):
    """The exponential integral Ei(x) (principal value); Ei(x) = -E1(-x) for x < 0."""
    (x,) = _floats(x)
    pos = x > 0
    xp = jnp.where(pos, x, 1.0)
    def series(k, st):
        term, s = st
        k = k.astype(x.dtype)
        term = term * xp / k
        return term, s + term / k
    _, s = lax.fori_loop(1, 160, series, (jnp.ones_like(xp), jnp.zeros_like(xp)))
    out = jnp.where(pos, _EULER_GAMMA + jnp.log(xp) + s, -exp1(jnp.where(pos, 1.0, -x)))
    return jnp.where(x == 0, -jnp.inf, out)


def _li2_series(y):
    def step(k, st):
        p, s = st
        p = p * y
        k = k.astype(y.dtype)
        return p, s + p / (k * k)
    return lax.fori_loop(1, 60, step, (jnp.ones_like(y), jnp.zeros_like(y)))[1]


def _li2_unit(z):
    """Li2(z) for 0 <= z <= 1 (the reflection Li2(z) + Li2(1-z) = pi^2/6 - log z log(1-z) above 1/2)."""
    lo = z <= 0.5
    zr = jnp.where(lo, 0.5, jnp.where(z >= 1, 0.5, z))
    refl = jnp.pi ** 2 / 6 - jnp.log(zr) * jnp.log1p(-zr) - _li2_series(1 - zr)
    return jnp.where(lo, _li2_series(jnp.where(lo, z, 0.0)), jnp.where(z >= 1, jnp.pi ** 2 / 6, refl))


def spence(x):
    """scipy's spence: integral_1^x log(t)/(1-t) dt = Li2(1 - x), for x >= 0."""
    (x,) = _floats(x)
    y = 1 - x
    neg = y < 0
    yn = jnp.where(neg, y, -1.0)
    li_neg = -_li2_unit(yn / (yn - 1)) - 0.5 * jnp.log1p(-yn) ** 2   # Landen: Li2(y) = -Li2(y/(y-1)) - log^2(1-y)/2
    out = jnp.where(neg, li_neg, _li2_unit(jnp.clip(y, 0.0, 1.0)))
    return jnp.where(x < 0, jnp.nan, out)


def boxcox(x, lmbda):
    x, l = _floats(x, lmbda)
    return jnp.where(l == 0, jnp.log(x), jnp.expm1(l * jnp.log(x)) / jnp.where(l == 0, 1.0, l))


def boxcox1p(x, lmbda):
    x, l = _floats(x, lmbda)
    return jnp.where(l == 0, jnp.log1p(x), jnp.expm1(l * jnp.log1p(x)) / jnp.where(l == 0, 1.0, l))


# --- exponential integrals E_n, Dawson's and Fresnel's integrals, the
# confluent and Gauss hypergeometric functions (fixed-length loops, so they
# trace, jit and differentiate)

def expn(n, x):
    """The generalized exponential integral E_n(x) = integral_1^inf exp(-x t) / t^n dt
    (integer n >= 0, x >= 0): a series for x <= 1, a continued fraction above."""
    n = asarray(n)
    (x,) = _floats(x)
    n, x = jnp.broadcast_arrays(n.astype(x.dtype), x)
    nm1 = n - 1
    small = x <= 1
    # series (x <= 1): the term k = n-1 carries the digamma part
    xs = jnp.where(small & (x > 0), x, 1.0)
    first = jnp.where(nm1 != 0, 1 / jnp.where(nm1 != 0, nm1, 1.0), -jnp.log(xs) - _EULER_GAMMA)
    psi_part = -jnp.log(xs) + digamma(jnp.where(n > 0, n, 1.0))

    def series(i, st):
        fact, s = st
        i = i.astype(x.dtype)
        fact = -fact * xs / i
        at_pole = i == nm1
        term = jnp.where(at_pole, fact * psi_part, -fact / jnp.where(at_pole, 1.0, i - nm1))
        return fact, s + term
    _, s_small = lax.fori_loop(1, 40, series, (jnp.ones_like(xs), first))
    # continued fraction (x > 1), modified Lentz
    xl = jnp.where(small, 2.0, x)
    b0 = xl + n

    def fraction(i, st):
        b, c, d, h = st
        i = i.astype(x.dtype)
        a = -i * (nm1 + i)
        b = b + 2
        d = 1 / _lentz_fix(a * d + b)
        c = _lentz_fix(b + a / c)
        return b, c, d, h * c * d
    _, _, _, h = lax.fori_loop(1, 200, fraction, (b0, jnp.full_like(b0, 1 / _TINY), 1 / b0, 1 / b0))
    out = jnp.where(small, s_small, h * jnp.exp(-xl))
    out = jnp.where(n == 0, jnp.exp(-x) / x, out)
    at0 = jnp.where(n > 1, 1 / jnp.where(n > 1, nm1, 1.0), jnp.inf)
    out = jnp.where(x == 0, at0, out)
    return jnp.where((n < 0) | (x < 0) | (n != jnp.floor(n)), jnp.nan, out)


def dawsn(x):
    """Dawson's integral F(x) = exp(-x^2) integral_0^x exp(t^2) dt: its Taylor
    series near 0, Rybicki's sampling of the Gaussian elsewhere."""
    (x,) = _floats(x)
    ax = jnp.abs(x)
    x2 = x * x
    near = x * (1 - 2.0 / 3.0 * x2 * (1 - 0.4 * x2 * (1 - 2.0 / 7.0 * x2)))
    h = 0.4
    n0 = 2 * jnp.round(0.5 * ax / h)
    xp = ax - n0 * h
    e1 = jnp.exp(2 * xp * h)
    e2 = e1 * e1
    d1, d2 = n0 + 1, n0 - 1
    total = jnp.zeros_like(x)
    for i in range(6):
        c = math.exp(-((2 * i + 1) * h) ** 2)
        total = total + c * (e1 / d1 + 1 / (d2 * e1))
        d1, d2, e1 = d1 + 2, d2 - 2, e1 * e2
    far = jnp.sign(x) * (1 / math.sqrt(math.pi)) * jnp.exp(-xp * xp) * total
    return jnp.where(ax < 0.2, near, far)


def _cmul(a, b):
    return a[0] * b[0] - a[1] * b[1], a[0] * b[1] + a[1] * b[0]


def _cdiv(a, b):
    den = b[0] * b[0] + b[1] * b[1]
    return (a[0] * b[0] + a[1] * b[1]) / den, (a[1] * b[0] - a[0] * b[1]) / den


def fresnel(x):
    """Fresnel's integrals (S(x), C(x)) with scipy's normalisation
    (sin(pi t^2 / 2)): power series below |x| = 1.5, above it a continued
    fraction of the complex error function (real and imaginary parts kept
    apart)."""
    (x,) = _floats(x)
    ax = jnp.abs(x)
    small = ax < 1.5
    xs = jnp.where(small, ax, 1.0)
    half_pi = math.pi / 2
    c_sum, s_sum = jnp.zeros_like(x), jnp.zeros_like(x)
    term = xs  # (pi/2)^k x^(2k+1) / k!, alternating C and S
    for k in range(24):
        sign = -1.0 if (k // 2) % 2 else 1.0
        if k % 2 == 0:
            c_sum = c_sum + sign * term / (2 * k + 1)
        else:
            s_sum = s_sum + sign * term / (2 * k + 1)
        term = term * half_pi * xs * xs / (k + 1)
    xl = jnp.where(small, 2.0, ax)
    pix2 = math.pi * xl * xl
    b = (jnp.ones_like(xl), -pix2)
    big = jnp.full_like(xl, 1e10)  # "infinite" c: a / c vanishes, and |c|^2 stays finite in float32
    d = _cdiv((jnp.ones_like(xl), jnp.zeros_like(xl)), b)
    state = (b[0], b[1], big, jnp.zeros_like(xl), d[0], d[1], d[0], d[1])

    def step(k, st):
        br, bi, cr, ci, dr, di, hr, hi = st
        n = (2 * k - 3).astype(x.dtype)
        a = -n * (n + 1)
        br = br + 4
        dr, di = _cdiv((jnp.ones_like(br), jnp.zeros_like(br)), (a * dr + br, a * di + bi))
        qr, qi = _cdiv((a, jnp.zeros_like(cr)), (cr, ci))
        cr, ci = br + qr, bi + qi
        hr, hi = _cmul((hr, hi), _cmul((cr, ci), (dr, di)))
        return br, bi, cr, ci, dr, di, hr, hi
    *_, hr, hi = lax.fori_loop(2, 120, step, state)
    hr, hi = _cmul((hr, hi), (xl, -xl))
    er, ei = _cmul((jnp.cos(0.5 * pix2), jnp.sin(0.5 * pix2)), (hr, hi))
    cs_r, cs_i = _cmul((jnp.full_like(xl, 0.5), jnp.full_like(xl, 0.5)), (1 - er, -ei))
    c = jnp.where(small, c_sum, cs_r)
    s = jnp.where(small, s_sum, cs_i)
    sgn = jnp.sign(x)
    return s * sgn, c * sgn


def _hyp1f1_series(a, b, x, steps):
    def body(k, st):
        term, total = st
        k = k.astype(x.dtype)
        term = term * (a + k) / ((b + k) * (k + 1)) * x
        return term, total + term
    _, total = lax.fori_loop(0, steps, body, (jnp.ones_like(x), jnp.ones_like(x)))
    return total


def hyp1f1(a, b, x):
    """Kummer's confluent hypergeometric function 1F1(a; b; x): its power
    series for |x| < 100 (negative x through Kummer's e^x 1F1(b-a; b; -x)),
    the leading asymptotic series beyond; 1 when a = 0, e^x when a = b
    (JAX's conventions)."""
    a, b, x = _floats(a, b, x)
    neg = x < 0
    ak = jnp.where(neg, b - a, a)
    xk = jnp.abs(x)
    near = xk < 100
    series = _hyp1f1_series(ak, b, jnp.where(near, xk, 0.0), 500)
    xf = jnp.where(near, 100.0, xk)

    def asym(k, st):
        term, total = st
        k = k.astype(x.dtype)
        term = term * (b - ak + k) * (1 - ak + k) / ((k + 1) * xf)
        return term, total + term
    _, tail = lax.fori_loop(0, 30, asym, (jnp.ones_like(xf), jnp.ones_like(xf)))
    far = jnp.exp(gammaln(b) - gammaln(ak) + xf + (ak - b) * jnp.log(xf)) * tail
    out = jnp.where(near, series, far)
    out = jnp.where(neg, jnp.exp(x) * out, out)
    out = jnp.where(a == b, jnp.exp(x), out)
    out = jnp.where(b == 0, jnp.inf, out)
    return jnp.where(a == 0, 1.0, out)


def hyp2f1(a, b, c, x):
    """Gauss's hypergeometric function 2F1(a, b; c; x) for x < 1: its power
    series (negative x through Pfaff's (1-x)^-a 2F1(a, c-b; c; x/(x-1))),
    Gauss's Gamma-function value at x = 1 when c > a + b."""
    a, b, c, x = _floats(a, b, c, x)
    neg = x < 0
    z = jnp.where(neg, x / (x - 1), x)
    z = jnp.where(z < 1, z, 0.0)
    bb = jnp.where(neg, c - b, b)

    def body(k, st):
        term, total = st
        k = k.astype(x.dtype)
        term = term * (a + k) * (bb + k) / ((c + k) * (k + 1)) * z
        return term, total + term
    _, total = lax.fori_loop(0, 3000, body, (jnp.ones_like(z), jnp.ones_like(z)))
    out = jnp.where(neg, jnp.power(1 - x, -a) * total, total)
    at_one = jnp.exp(gammaln(c) + gammaln(c - a - b) - gammaln(c - a) - gammaln(c - b))
    out = jnp.where(x == 1, jnp.where(c - a - b > 0, at_one, jnp.inf), out)
    return jnp.where(x > 1, jnp.nan, out)


def bessel_jn(z, *, v, n_iter=50):
    """J_0(z) .. J_v(z) stacked on a new first axis: Miller's backward
    recurrence from order max(n_iter, v + 20), rescaled as it grows and
    normalized by J_0 + 2 (J_2 + J_4 + ...) = 1."""
    (z,) = _floats(z)
    v = int(v)
    if v < 0:
        raise ValueError(f"bessel_jn: order v must be non-negative, got {v}")
    top = max(int(n_iter), v + 20)
    top += top % 2
    zs = jnp.where(z == 0, 1.0, z)
    nxt, cur = jnp.zeros_like(z), jnp.full_like(z, 1e-20)
    outs = [None] * (v + 1)
    norm = jnp.zeros_like(z)
    for k in range(top, 0, -1):
        prev = 2.0 * k / zs * cur - nxt  # J_{k-1}
        if k <= v:
            outs[k] = cur
        if k % 2 == 0:
            norm = norm + 2 * cur
        big = jnp.abs(prev) > 1e10
        scale = jnp.where(big, 1e-10, 1.0)
        prev, cur, norm = prev * scale, cur * scale, norm * scale
        outs = [o if o is None else o * scale for o in outs]
        nxt, cur = cur, prev
    outs[0] = cur
    norm = norm + cur
    res = jnp.stack(outs) / norm
    at0 = (jnp.arange(v + 1) == 0).astype(z.dtype).reshape((v + 1,) + (1,) * z.ndim)
    return jnp.where(z == 0, at0, res)
