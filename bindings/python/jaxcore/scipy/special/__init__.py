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
