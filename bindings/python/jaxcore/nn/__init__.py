"""`jaxcore.nn`: activations and friends, composed of jaxcore.numpy ops
exactly as `jax.nn` composes them (so gradients match JAX's). The ones JAX
jits are compiled whole here too (`jnp._compiled`): eager calls then round
as JAX's, cost one dispatch, and keep Python scalars weakly typed."""

import math

from .. import numpy as jnp
from .. import lax
from .._core import asarray
from .. import _api

@jnp._compiled()
def relu(x):
    # JAX's relu has a custom derivative: 0 at x == 0
    return _relu(asarray(x))

@_api.custom_jvp
def _relu(x):
    return jnp.maximum(x, 0)

@_relu.defjvp
def _relu_jvp(primals, tangents):
    x, = primals
    t, = tangents
    return _relu(x), jnp.where(x > 0, t, jnp.zeros_like(t))

@jnp._compiled()
def relu6(x):
    """min(max(x, 0), 6), with JAX's derivative: 1 strictly inside (0, 6),
    0 elsewhere (also at the kinks)."""
    x = asarray(x)
    inside = jnp.logical_and(x > 0, x < 6)
    return jnp.where(inside, x, lax.stop_gradient(jnp.minimum(jnp.maximum(x, 0), 6.0)))

@jnp._compiled()
def sigmoid(x):
    return lax.logistic(asarray(x))

@jnp._compiled()
def log_sigmoid(x):
    return -softplus(-asarray(x))

@jnp._compiled()
def softplus(x):
    return jnp.logaddexp(asarray(x), 0)

@jnp._compiled()
def silu(x):
    x = asarray(x)
    return x * sigmoid(x)

swish = silu

def gelu(x, approximate=True):
    """JAX's formulas, operation for operation (so values and derivatives
    round as JAX's)."""
    x = asarray(x)
    if not jnp.issubdtype(x.dtype, jnp.inexact):
        x = x.astype(jnp.result_type(float))
    if approximate:
        c = jnp.asarray(math.sqrt(2 / math.pi), x.dtype)
        cdf = 0.5 * (1.0 + jnp.tanh(c * (x + 0.044715 * (x ** 3))))
        return x * cdf
    return 0.5 * x * lax.erfc(-x * jnp.asarray(math.sqrt(0.5), x.dtype))

@jnp._compiled()
def elu(x, alpha=1.0):
    x = asarray(x)
    safe = jnp.where(x > 0, 0.0, x)
    return jnp.where(x > 0, x, alpha * jnp.expm1(safe))

@jnp._compiled()
def leaky_relu(x, negative_slope=0.01):
    x = asarray(x)
    return jnp.where(x >= 0, x, negative_slope * x)

@jnp._compiled()
def hard_tanh(x):
    # JAX's formula: the derivative is 1 at the kinks (clip would give 1/2)
    x = asarray(x)
    return jnp.where(x > 1, 1, jnp.where(x < -1, -1, x))

@jnp._compiled()
def soft_sign(x):
    x = asarray(x)
    return x / (jnp.abs(x) + 1)

def logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False, where=None):
    from ..scipy.special import logsumexp as lse
    return lse(a, axis=axis, b=b, keepdims=keepdims, return_sign=return_sign, where=where)

@jnp._compiled(static_argnames=("axis",))
def log_softmax(x, axis=-1, where=None):
    x = asarray(x)
    x_max = jnp.max(x, axis, keepdims=True, where=where, initial=-jnp.inf) if where is not None else jnp.max(x, axis, keepdims=True)
    shifted = x - lax.stop_gradient(x_max)
    shifted_logsumexp = jnp.log(jnp.sum(jnp.exp(shifted), axis, keepdims=True, where=where))
    result = shifted - shifted_logsumexp
    if where is not None:
        return jnp.where(where, result, -jnp.inf)
    return result

def softmax(x, axis=-1, where=None):
    x = asarray(x)
    x_max = jnp.max(x, axis, keepdims=True, where=where, initial=-jnp.inf) if where is not None else jnp.max(x, axis, keepdims=True)
    unnormalized = jnp.exp(x - lax.stop_gradient(x_max))
    if where is not None:
        unnormalized = jnp.where(where, unnormalized, 0.0)
    return unnormalized / jnp.sum(unnormalized, axis, keepdims=True, where=where)

@jnp._compiled(static_argnames=("axis",))
def standardize(x, axis=-1, mean=None, variance=None, epsilon=1e-5, where=None):
    x = asarray(x)
    if mean is None:
        mean = jnp.mean(x, axis, keepdims=True, where=where)
    if variance is None:
        variance = jnp.mean(jnp.square(x), axis, keepdims=True, where=where) - jnp.square(mean)
    return (x - mean) * lax.rsqrt(variance + epsilon)

def one_hot(x, num_classes, dtype=None, axis=-1):
    x = asarray(x)
    dtype = dtype or jnp.float32
    lhs = jnp.expand_dims(x, axis)
    rhs_shape = [1] * x.ndim
    ax = axis if axis >= 0 else x.ndim + 1 + axis
    rhs_shape.insert(ax, num_classes)
    rhs = jnp.arange(num_classes).reshape(rhs_shape)
    return jnp.asarray(lhs == rhs, dtype=dtype)


# --- more activations (jax.nn's formulas)

def identity(x):
    return asarray(x)

tanh = jnp.tanh

@jnp._compiled()
def celu(x, alpha=1.0):
    return jnp.maximum(x, 0.0) + alpha * jnp.expm1(jnp.minimum(x, 0.0) / alpha)

@jnp._compiled()
def selu(x):
    return 1.0507009873554805 * elu(x, 1.6732632423543772)

@jnp._compiled(static_argnames=("axis",))
def glu(x, axis=-1):
    x = asarray(x)
    if x.shape[axis] % 2:
        raise AssertionError("axis size must be divisible by 2")
    x1, x2 = jnp.split(x, 2, axis)
    return x1 * sigmoid(x2)

@jnp._compiled()
def hard_sigmoid(x):
    return relu6(x + 3.0) / 6.0

@jnp._compiled()
def hard_silu(x):
    x = asarray(x)
    return x * hard_sigmoid(x)

hard_swish = hard_silu

@jnp._compiled()
def mish(x):
    x = asarray(x)
    return x * jnp.tanh(softplus(x))

@jnp._compiled()
def squareplus(x, b=4):
    x = asarray(x)
    return (x + jnp.sqrt(jnp.square(x) + b)) / 2

@jnp._compiled()
def sparse_plus(x):
    x = asarray(x)
    return jnp.where(x <= -1.0, 0.0, jnp.where(x >= 1.0, x, (x + 1.0) ** 2 / 4))

@jnp._compiled()
def sparse_sigmoid(x):
    return 0.5 * jnp.clip(asarray(x) + 1.0, 0.0, 2.0)

@jnp._compiled()
def log1mexp(x):
    """log(1 - exp(-x)), accurate on both sides of log 2; JAX's derivative
    g / expm1(x)."""
    return _log1mexp(asarray(x))

@_api.custom_jvp
def _log1mexp(x):
    return jnp.where(x < jnp.log(2.0), jnp.log(-jnp.expm1(-x)), jnp.log1p(-jnp.exp(-x)))

@_log1mexp.defjvp
def _log1mexp_jvp(primals, tangents):
    x, = primals
    t, = tangents
    return _log1mexp(x), t / jnp.expm1(x)

@jnp._compiled(static_argnames=("axis", "keepdims"))
def logmeanexp(x, axis=None, where=None, keepdims=False):
    x = asarray(x)
    lse = logsumexp(x, axis=axis, keepdims=keepdims, where=where)
    if where is None:
        n = x.size if axis is None else int(math.prod(x.shape[a] for a in ((axis,) if isinstance(axis, int) else axis)))
        count = jnp.asarray(n, lse.dtype)
    else:
        count = jnp.sum(jnp.broadcast_to(asarray(where), x.shape), axis=axis, keepdims=keepdims, dtype=lse.dtype)
    return lse - jnp.log(count)

def dot_product_attention(query, key, value, bias=None, mask=None, *, scale=None, is_causal=False,
                          query_seq_lengths=None, key_value_seq_lengths=None, local_window_size=None,
                          implementation=None, return_residual=False):
    """`jax.nn.dot_product_attention` (the XLA formula): inputs (B, T, N, H)
    (or without the batch axis), grouped-query heads when key has fewer."""
    if implementation not in (None, "xla"):
        raise NotImplementedError(f"dot_product_attention implementation={implementation!r}: only 'xla' is available")
    q = asarray(query)
    out_shape = q.shape
    def four(t):
        t = asarray(t)
        return jnp.reshape(t, (1,) * (4 - t.ndim) + t.shape) if t.ndim < 4 else t
    q, k, v = four(query), four(key), four(value)
    bias = four(bias) if bias is not None else None
    mask = four(mask) if mask is not None else None
    B, T, N, H = q.shape
    _, S, K, _ = k.shape
    if N % K:
        raise ValueError(f"The number of query heads must be a multiple of key/value heads, but got {N} vs {K}")
    G = N // K
    scale = 1.0 / math.sqrt(H) if scale is None else scale
    if isinstance(local_window_size, int):
        local_window_size = (local_window_size, local_window_size)
    # heads grouped: query (B, T, K, G, H) against key/value (B, S, K, H)
    qg = jnp.reshape(q, (B, T, K, G, H))
    logits = jnp.einsum("BTKGH,BSKH->BKGTS", qg, k).astype("float32" if str(q.dtype) in ("float16", "bfloat16") else q.dtype)
    logits = logits * scale
    def grouped(t):
        tB, tN, tT, tS = t.shape
        if tN == 1:
            return jnp.reshape(t, (tB, 1, 1, tT, tS))
        return jnp.reshape(t, (tB, K, G, tT, tS))
    if bias is not None:
        logits = logits + grouped(bias)
    keep = None
    def both(a, b):
        return b if a is None else jnp.logical_and(a, b)
    if mask is not None:
        keep = both(keep, grouped(mask.astype("bool")))
    if is_causal:
        keep = both(keep, jnp.tril(jnp.ones((T, S), "bool"))[None, None, None])
    if local_window_size is not None:
        qp, kp = jnp.arange(T), jnp.arange(S)
        left, right = local_window_size
        w = jnp.logical_and(qp[:, None] >= kp[None, :] - right, qp[:, None] <= kp[None, :] + left)
        keep = both(keep, w[None, None, None])
    if query_seq_lengths is not None or key_value_seq_lengths is not None:
        m = jnp.ones((B, T, S), "bool")
        if query_seq_lengths is not None:
            m = jnp.logical_and(m, jnp.arange(T)[None, :, None] < asarray(query_seq_lengths)[:, None, None])
        if key_value_seq_lengths is not None:
            m = jnp.logical_and(m, jnp.arange(S)[None, None, :] < asarray(key_value_seq_lengths)[:, None, None])
        keep = both(keep, m[:, None, None])
    if keep is not None:
        big = -0.7 * float(jnp.finfo("float32").max if str(logits.dtype) != "float64" else jnp.finfo("float32").max)
        logits = jnp.where(keep, logits, big)
    probs = softmax(logits.astype("float32") if str(logits.dtype) != "float64" else logits, axis=-1).astype(k.dtype)
    enc = jnp.einsum("BKGTS,BSKH->BTKGH", probs, v)
    enc = jnp.reshape(enc, (B, T, N, H))
    if query_seq_lengths is not None:
        enc = enc * (jnp.arange(T)[None, :] < asarray(query_seq_lengths)[:, None]).astype(enc.dtype)[:, :, None, None]
    enc = jnp.reshape(enc, out_shape)
    if return_residual:
        lse = jnp.reshape(jnp.transpose(logsumexp(logits, axis=-1), (0, 3, 1, 2, 4)), (B, T, N))
        return enc, lax.stop_gradient(jnp.reshape(lse, out_shape[:-1]))
    return enc

from . import initializers  # noqa: E402,F401
