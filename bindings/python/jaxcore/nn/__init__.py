"""`jaxcore.nn`: activations and friends, composed of jaxcore.numpy ops
exactly as `jax.nn` composes them (so gradients match JAX's)."""

import math

from .. import numpy as jnp
from .. import lax
from .._core import asarray
from .. import _api

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

def relu6(x):
    return jnp.minimum(jnp.maximum(x, 0), 6.0)

def sigmoid(x):
    return lax.logistic(asarray(x))

def log_sigmoid(x):
    return -softplus(-asarray(x))

def softplus(x):
    return jnp.logaddexp(asarray(x), 0)

def silu(x):
    x = asarray(x)
    return x * sigmoid(x)

swish = silu

def gelu(x, approximate=True):
    x = asarray(x)
    if approximate:
        c = math.sqrt(2 / math.pi)
        return 0.5 * x * (1 + jnp.tanh(c * (x + 0.044715 * (x ** 3))))
    return x * (lax.erf(x / math.sqrt(2)) + 1) / 2

def elu(x, alpha=1.0):
    x = asarray(x)
    safe = jnp.where(x > 0, 0.0, x)
    return jnp.where(x > 0, x, alpha * jnp.expm1(safe))

def leaky_relu(x, negative_slope=0.01):
    x = asarray(x)
    return jnp.where(x >= 0, x, negative_slope * x)

def hard_tanh(x):
    return jnp.clip(asarray(x), -1.0, 1.0)

def soft_sign(x):
    x = asarray(x)
    return x / (jnp.abs(x) + 1)

def logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False, where=None):
    from ..scipy.special import logsumexp as lse
    return lse(a, axis=axis, b=b, keepdims=keepdims, return_sign=return_sign, where=where)

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

from . import initializers  # noqa: E402,F401
