"""`jaxcore.random`: JAX's threefry stream, computed by the engine."""

from ._core import op1, FLAG_AXIS, FLAG_ALT

def key(seed):
    return op1("random.key", ints=[int(seed)])

PRNGKey = key

def key_data(k):
    return k

def split(k, num=2):
    return op1("random.split", k, ints=[num])

def fold_in(k, data):
    return op1("random.fold_in", k, ints=[int(data)])

def bits(k, shape=(), dtype="uint32"):
    return op1("random.bits", k, ints=list(shape), dtype=dtype)

def uniform(k, shape=(), dtype=None, minval=0.0, maxval=1.0):
    return op1("random.uniform", k, ints=list(shape), floats=[minval, maxval], dtype=dtype)

def normal(k, shape=(), dtype=None):
    return op1("random.normal", k, ints=list(shape), dtype=dtype)

def _shape(shape):
    return [int(shape)] if isinstance(shape, int) else [int(d) for d in shape]

def randint(k, shape, minval, maxval, dtype="int32"):
    if dtype in ("int64", "uint64") and not _x64():
        dtype = dtype.replace("64", "32")
    return op1("random.randint", k, ints=_shape(shape), floats=[int(minval), int(maxval)], dtype=dtype)

def _x64():
    from . import _core
    return _core._x64[0]

def bernoulli(k, p=0.5, shape=None):
    return op1("random.bernoulli", k, p, ints=[] if shape is None else _shape(shape), flags=0 if shape is None else FLAG_AXIS)

def gumbel(k, shape=(), dtype=None):
    return op1("random.gumbel", k, ints=_shape(shape), dtype=dtype)

def categorical(k, logits, axis=-1, shape=None, replace=True):
    if not replace:
        raise NotImplementedError("categorical(replace=False) is not supported yet")
    return op1("random.categorical", k, logits, ints=[axis] + ([] if shape is None else _shape(shape)), flags=0 if shape is None else FLAG_AXIS)

def permutation(k, x, axis=0, independent=False):
    if isinstance(x, int) or (hasattr(x, "ndim") and x.ndim == 0 and "int" in str(getattr(x, "dtype", ""))):
        return op1("random.permutation", k, ints=[int(x)])
    return op1("random.permutation", k, x, ints=[axis], flags=FLAG_ALT if independent else 0)

def shuffle(k, x, axis=0):
    return permutation(k, x, axis, independent=True)

def choice(k, a, shape=(), replace=True, p=None, axis=0):
    args = [k, a] + ([] if p is None else [p])
    return op1("random.choice", *args, ints=[axis] + _shape(shape), flags=FLAG_ALT if replace else 0)

def truncated_normal(k, lower, upper, shape=(), dtype=None):
    from . import lax, numpy as jnp
    import math
    sqrt2 = math.sqrt(2)
    lo, hi = lax.erf(jnp.asarray(lower, dtype) / sqrt2), lax.erf(jnp.asarray(upper, dtype) / sqrt2)
    u = uniform(k, shape, dtype, minval=lo, maxval=hi) if False else lo + (hi - lo) * uniform(k, shape, dtype)
    return jnp.clip(sqrt2 * lax.erf_inv(u), lower, upper)

def exponential(k, shape=(), dtype=None):
    from . import numpy as jnp
    return -jnp.log1p(-uniform(k, shape, dtype))
