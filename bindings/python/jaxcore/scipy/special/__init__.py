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
