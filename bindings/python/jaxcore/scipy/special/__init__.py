"""`jaxcore.scipy.special`."""

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
    return lax.polygamma(n, asarray(x))

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
    return jnp.where(jnp.logical_and(x <= 0, jnp.floor(x) == x), jnp.nan, sign * jnp.exp(gammaln(x)))

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

def ndtr(x):
    """The standard normal CDF."""
    x = jnp.asarray(x)
    return 0.5 * erfc(-x / jnp.sqrt(jnp.asarray(2.0, x.dtype if str(x.dtype).startswith("float") else "float32")))

def ndtri(p):
    """The inverse of ndtr."""
    p = jnp.asarray(p)
    return jnp.sqrt(jnp.asarray(2.0, p.dtype if str(p.dtype).startswith("float") else "float32")) * erfinv(2 * p - 1)

def log_ndtr(x):
    """log Φ(x): log(ndtr) for x > -5, the asymptotic series of
    log(erfc) below (where ndtr underflows)."""
    x = jnp.asarray(x)
    if not str(x.dtype).startswith("float"):
        x = x.astype("float32")
    direct = jnp.log(ndtr(jnp.maximum(x, -5.0)))
    xl = jnp.minimum(x, -5.0)
    z2 = xl * xl
    series = 1 - 1 / z2 + 3 / (z2 * z2) - 15 / (z2 * z2 * z2) + 105 / (z2 ** 4)
    asym = -0.5 * z2 - jnp.log(-xl) - 0.5 * jnp.log(2 * jnp.pi) + jnp.log(series)
    return jnp.where(x > -5.0, direct, asym)

def entr(x):
    x = jnp.asarray(x)
    return jnp.where(x > 0, -x * jnp.log(jnp.where(x > 0, x, 1.0)), jnp.where(x == 0, 0.0, -jnp.inf))

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


def _igamma(a, x):
    """(P, Q) of the regularized incomplete gamma function."""
    a, x = _floats(a, x)
    use_series = x < a + 1
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
    log_pref = lambda v: a * jnp.log(v) - v - gammaln(a)
    p_series = s * jnp.exp(log_pref(jnp.where(use_series, x, 1.0)))
    q_fraction = h * jnp.exp(log_pref(xc))
    p = jnp.where(use_series, p_series, 1 - q_fraction)
    q = jnp.where(use_series, 1 - p_series, q_fraction)
    bad = (a <= 0) | (x < 0) | jnp.isnan(a) | jnp.isnan(x)
    zero = x == 0
    p = jnp.where(bad, jnp.nan, jnp.where(zero, 0.0, p))
    q = jnp.where(bad, jnp.nan, jnp.where(zero, 1.0, q))
    return p, q


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
