"""`jaxcore.random`: JAX's threefry stream, computed by the engine."""

import numpy as _np

from ._core import op1, FLAG_AXIS, FLAG_ALT

class KeyDType:
    """The dtype of typed keys, `key<fry>` (threefry2x32 is the only implementation)."""
    name = "key<fry>"
    itemsize = 8

    def __repr__(self):
        return self.name

    __str__ = __repr__

    def __eq__(self, other):
        return isinstance(other, KeyDType) or other == self.name

    def __hash__(self):
        return hash(self.name)


_KEY_DTYPE = KeyDType()


class PRNGKeyArray:
    """An array of typed keys (what `jax.random.key` gives): it overlays
    uint32[..., 2] threefry key data, and its shape leaves out that trailing 2.
    The random functions take it or raw keys alike (`asarray` unwraps it);
    transformations see its data as a pytree leaf."""
    __slots__ = ("_base",)

    def __init__(self, base):
        self._base = base

    shape = property(lambda self: tuple(self._base.shape[:-1]))
    ndim = property(lambda self: self._base.ndim - 1)
    size = property(lambda self: int(_np.prod(self.shape)))
    dtype = property(lambda self: _KEY_DTYPE)
    T = property(lambda self: self.transpose())

    def __len__(self):
        if not self.shape:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __getitem__(self, idx):
        idx = idx if isinstance(idx, tuple) else (idx,)
        # an Ellipsis would otherwise reach the trailing key-data axis
        if any(i is Ellipsis for i in idx):
            idx = idx + (slice(None),)
        return PRNGKeyArray(self._base[idx])

    def reshape(self, *shape):
        shape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        return PRNGKeyArray(self._base.reshape(tuple(shape) + (2,)))

    def ravel(self):
        return self.reshape(-1)

    flatten = ravel

    def transpose(self, *axes):
        from . import numpy as jnp
        axes = axes[0] if len(axes) == 1 and isinstance(axes[0], (tuple, list)) else axes
        axes = tuple(axes) if axes else tuple(reversed(range(self.ndim)))
        return PRNGKeyArray(jnp.transpose(self._base, tuple(a % self.ndim for a in axes) + (self.ndim,)))

    def block_until_ready(self):
        self._base.block_until_ready()
        return self

    def __array__(self, dtype=None, copy=None):
        raise TypeError("JAX array with PRNGKey dtype cannot be converted to a NumPy array. "
                        "Use jax.random.key_data(arr) if you wish to extract the underlying integer array.")

    def __repr__(self):
        return f"Array({self.shape}, dtype={self.dtype}) overlaying:\n{_np.asarray(self._base)}"

    __str__ = __repr__


def _register_key_pytree():
    from . import tree_util
    tree_util.register_pytree_node(PRNGKeyArray, lambda k: ((k._base,), None), lambda _, c: PRNGKeyArray(c[0]))


_register_key_pytree()


def _like(k, data):
    """Key data as the kind of key k was: typed keys give typed keys."""
    return PRNGKeyArray(data) if isinstance(k, PRNGKeyArray) else data


def _check_impl(impl):
    if impl not in (None, "threefry2x32", "threefry"):
        raise ValueError(f"only the threefry2x32 PRNG implementation is available, got {impl!r}")


def key(seed, *, impl=None):
    """A typed key (`key<fry>`, shape ()) for an integer seed."""
    _check_impl(impl)
    return PRNGKeyArray(PRNGKey(seed))

def PRNGKey(seed, *, impl=None):
    """A raw key: the uint32[2] data of threefry2x32."""
    _check_impl(impl)
    if isinstance(seed, (int, _np.integer)):
        return op1("random.key", ints=[int(seed)])
    return op1("random.key", seed)  # an array seed, possibly traced

def key_data(k):
    return k._base if isinstance(k, PRNGKeyArray) else k

def wrap_key_data(key_bits_array, *, impl=None):
    """Typed keys over uint32[..., 2] key data."""
    _check_impl(impl)
    from . import numpy as jnp
    data = jnp.asarray(key_bits_array, "uint32")
    if data.ndim < 1 or data.shape[-1] != 2:
        raise TypeError(f"threefry2x32 key data must have a trailing dimension of 2, got shape {data.shape}")
    return PRNGKeyArray(data)

def key_impl(keys):
    return "threefry2x32"

def clone(key):
    return key

def split(k, num=2):
    if isinstance(num, (tuple, list)):
        from . import numpy as jnp
        n = int(_np.prod(num))
        return _like(k, jnp.reshape(op1("random.split", k, ints=[n]), tuple(num) + (2,)))
    return _like(k, op1("random.split", k, ints=[int(num)]))

def fold_in(k, data):
    if isinstance(data, (int, _np.integer)):
        return _like(k, op1("random.fold_in", k, ints=[int(data)]))
    return _like(k, op1("random.fold_in", k, data))  # array data, possibly traced

def bits(k, shape=(), dtype="uint32"):
    return op1("random.bits", k, ints=list(shape), dtype=dtype)

def uniform(k, shape=(), dtype=None, minval=0.0, maxval=1.0):
    if _np.ndim(minval) or _np.ndim(maxval) or hasattr(minval, "_h") or hasattr(maxval, "_h"):
        # array bounds: JAX's max(minval, u * (maxval - minval) + minval)
        from . import numpy as jnp
        d = _float_dtype(dtype, "uniform")
        lo, hi = jnp.asarray(minval, d), jnp.asarray(maxval, d)
        shape = tuple(_shape(shape))
        return _uniform_between(k, shape, d, jnp.broadcast_to(lo, shape), jnp.broadcast_to(hi, shape))
    return op1("random.uniform", k, ints=_shape(shape), floats=[minval, maxval], dtype=dtype)

def normal(k, shape=(), dtype=None):
    d = None if dtype is None else str(_np.dtype(dtype)) if str(dtype) != "bfloat16" else "bfloat16"
    if d in ("complex64", "complex128"):
        # JAX's construction: independent real and imaginary parts, each of variance 1/2
        from . import lax
        real = "float32" if d == "complex64" or not _x64() else "float64"
        k_re, k_im = split(k)
        s = _np.sqrt(0.5).astype(real)
        return lax.complex(normal(k_re, shape, real) * s, normal(k_im, shape, real) * s)
    if d in ("float16", "bfloat16"):
        # JAX's formula in the narrow type: sqrt(2) * erf_inv(u), u uniform on (-1, 1)
        from . import lax, numpy as jnp
        lo = float(_np.nextafter(_np.float16(-1), _np.float16(0))) if d == "float16" else -1.0 + 2.0 ** -8
        u = uniform(k, shape, d, minval=lo, maxval=1.0)
        return jnp.asarray(_np.sqrt(2), d) * lax.erf_inv(u)
    return op1("random.normal", k, ints=_shape(shape), dtype=dtype)

def _shape(shape):
    return [int(shape)] if isinstance(shape, int) else [int(d) for d in shape]

def randint(k, shape, minval, maxval, dtype=None):
    if dtype is None:
        dtype = "int64" if _x64() else "int32"
    dtype = str(_np.dtype(dtype)) if not isinstance(dtype, str) else dtype
    if _np.ndim(minval) or _np.ndim(maxval) or hasattr(minval, "_h") or hasattr(maxval, "_h"):
        return _randint_arrays(k, _shape(shape), minval, maxval, dtype)
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

def categorical(k, logits, axis=-1, shape=None, replace=True, mode=None):
    if not replace:
        return _categorical_without_replacement(k, logits, axis, shape)
    return op1("random.categorical", k, logits, ints=[axis] + ([] if shape is None else _shape(shape)), flags=0 if shape is None else FLAG_AXIS)

def permutation(k, x, axis=0, independent=False):
    if isinstance(x, int) or (hasattr(x, "ndim") and x.ndim == 0 and "int" in str(getattr(x, "dtype", ""))):
        return op1("random.permutation", k, ints=[int(x)])
    return op1("random.permutation", k, x, ints=[axis], flags=FLAG_ALT if independent else 0)

def shuffle(k, x, axis=0):
    return permutation(k, x, axis, independent=True)

def choice(k, a, shape=(), replace=True, p=None, axis=0):
    if replace and p is None and _x64():
        # JAX draws the indices with randint's default (64-bit) int here
        from . import numpy as jnp
        n = int(a) if _np.ndim(a) == 0 else jnp.asarray(a).shape[axis]
        idx = randint(k, _shape(shape), 0, n)
        return idx if _np.ndim(a) == 0 else jnp.take(jnp.asarray(a), idx, axis=axis)
    args = [k, a] + ([] if p is None else [p])
    return op1("random.choice", *args, ints=[axis] + _shape(shape), flags=FLAG_ALT if replace else 0)

# --- distributions composed of the engine's streams, as jax.random composes
# them (same operations in the same order, so the same values).

def _float_dtype(dtype, name):
    if dtype is None:
        return "float64" if _x64() else "float32"
    d = str(_np.dtype(dtype)) if dtype != "bfloat16" and str(dtype) != "bfloat16" else "bfloat16"
    if d not in ("float16", "bfloat16", "float32", "float64"):
        raise ValueError(f"dtype argument to `{name}` must be a float dtype, got {d}")
    if d == "float64" and not _x64():
        d = "float32"
    return d

def _finfo(d):
    if d == "bfloat16":
        return {"eps": 2.0 ** -7, "epsneg": 2.0 ** -8, "tiny": 1.1754943508222875e-38}
    f = _np.finfo(d)
    return {"eps": float(f.eps), "epsneg": float(f.epsneg), "tiny": float(f.tiny)}

def _param_shape(name, shape, *params):
    """The result shape: `shape`, or the broadcast of the parameters' shapes."""
    shapes = [_np.shape(p) if not hasattr(p, "shape") else tuple(p.shape) for p in params]
    if shape is None:
        return tuple(_np.broadcast_shapes(*shapes)) if shapes else ()
    shape = tuple(_shape(shape))
    try:
        if _np.broadcast_shapes(shape, *shapes) != shape:
            raise ValueError
    except ValueError:
        raise ValueError(f"{name} parameter shapes must be broadcast-compatible with shape argument, and the result of broadcasting the shapes must equal the shape argument, but got result {_np.broadcast_shapes(*shapes, shape)} for shape argument {shape}.")
    return shape

def _uniform_between(k, shape, dtype, lo, hi):
    """jax.random.uniform with array bounds: max(lo, u * (hi - lo) + lo)."""
    from . import numpy as jnp
    return jnp.maximum(lo, uniform(k, shape, dtype) * (hi - lo) + lo)

def truncated_normal(k, lower, upper, shape=None, dtype=None):
    from . import lax, numpy as jnp
    d = _float_dtype(dtype, "truncated_normal")
    shape = _param_shape("truncated_normal", shape, lower, upper)
    sqrt2 = jnp.asarray(_np.sqrt(2), d)
    lower, upper = jnp.asarray(lower, d), jnp.asarray(upper, d)
    a, b = lax.erf(lower / sqrt2), lax.erf(upper / sqrt2)
    u = _uniform_between(k, shape, d, a, b)
    out = sqrt2 * lax.erf_inv(u)
    # the open interval, as JAX: rounding must not reach the bounds
    return jnp.clip(out, lax.nextafter(lower, jnp.asarray(_np.inf, d)), lax.nextafter(upper, jnp.asarray(-_np.inf, d)))

def exponential(k, shape=(), dtype=None):
    from . import numpy as jnp
    d = _float_dtype(dtype, "exponential")
    return -jnp.log1p(-uniform(k, _shape(shape), d))

def laplace(k, shape=(), dtype=None):
    from . import numpy as jnp
    d = _float_dtype(dtype, "laplace")
    u = uniform(k, _shape(shape), d, minval=-1.0 + _finfo(d)["epsneg"], maxval=1.0)
    return jnp.sign(u) * jnp.log1p(-jnp.abs(u))

def cauchy(k, shape=(), dtype=None):
    from . import numpy as jnp
    d = _float_dtype(dtype, "cauchy")
    u = uniform(k, _shape(shape), d, minval=_finfo(d)["eps"], maxval=1.0)
    return jnp.tan(jnp.asarray(_np.pi, d) * (u - jnp.asarray(0.5, d)))

def logistic(k, shape=(), dtype=None):
    from . import numpy as jnp
    d = _float_dtype(dtype, "logistic")
    x = uniform(k, _shape(shape), d, minval=_finfo(d)["tiny"], maxval=1.0)
    return jnp.log(x) - jnp.log1p(-x)

def lognormal(k, sigma=1.0, shape=None, dtype=None):
    from . import numpy as jnp
    d = _float_dtype(dtype, "lognormal")
    shape = _param_shape("lognormal", shape, sigma)
    return jnp.exp(normal(k, shape, d) * jnp.asarray(sigma, d))

def pareto(k, b, shape=None, dtype=None):
    from . import numpy as jnp
    d = _float_dtype(dtype, "pareto")
    shape = _param_shape("pareto", shape, b)
    return jnp.exp(exponential(k, shape, d) / jnp.asarray(b, d))

def rayleigh(k, scale, shape=None, dtype=None):
    from . import numpy as jnp
    d = _float_dtype(dtype, "rayleigh")
    shape = _param_shape("rayleigh", shape, scale)
    u = uniform(k, shape, d)
    scale = jnp.broadcast_to(jnp.asarray(scale, d), shape)
    return scale * jnp.sqrt(jnp.log(u) * jnp.asarray(-2, d))

def wald(k, mean, shape=None, dtype=None):
    from . import numpy as jnp
    d = _float_dtype(dtype, "wald")
    shape = _param_shape("wald", shape, mean)
    k1, k2 = split(k)
    mean = jnp.broadcast_to(jnp.asarray(mean, d), shape)
    v = normal(k1, shape, d)
    z = uniform(k2, shape, d)
    y = v * v
    y_sq = y * y
    mean_sq = mean * mean
    sqrt_term = jnp.sqrt(4 * mean * y + mean_sq * y_sq)
    x = mean + mean_sq * y / 2 - mean / 2 * sqrt_term
    return jnp.where(z <= mean / (mean + x), x, mean_sq / x)

def geometric(k, p, shape=None, dtype=None):
    from . import numpy as jnp
    shape = _param_shape("geometric", shape, p)
    p = jnp.asarray(p)
    if not str(p.dtype).startswith(("float", "bfloat")):
        p = p.astype("float64" if _x64() else "float32")
    u = uniform(k, shape, str(p.dtype))
    u = jnp.where(u == 0, 1, u)
    g = jnp.floor(jnp.log(u) / jnp.broadcast_to(jnp.log1p(-p), shape)) + 1
    return g.astype(dtype or ("int64" if _x64() else "int32"))

def triangular(k, left, mode, right, shape=None, dtype=None):
    from . import numpy as jnp
    d = _float_dtype(dtype, "triangular")
    shape = _param_shape("triangular", shape, left, mode, right)
    left, right, mode = (jnp.broadcast_to(jnp.asarray(v, d), shape) for v in (left, right, mode))
    fc = (mode - left) / (right - left)
    u = uniform(k, shape, d)
    out1 = left + jnp.sqrt(u * (right - left) * (mode - left))
    out2 = right - jnp.sqrt((1 - u) * (right - left) * (right - mode))
    return jnp.where(u < fc, out1, out2)

def rademacher(k, shape=(), dtype=None):
    d = dtype or ("int64" if _x64() else "int32")
    b = bernoulli(k, 0.5, _shape(shape)).astype(d)
    return (2 * b - 1).astype(d)

def maxwell(k, shape=(), dtype=None):
    from . import numpy as jnp
    d = _float_dtype(dtype, "maxwell")
    return jnp.linalg.norm(normal(k, tuple(_shape(shape)) + (3,), d), axis=-1)

def double_sided_maxwell(k, loc, scale, shape=(), dtype=None):
    d = _float_dtype(dtype, "double_sided_maxwell")
    params = tuple(_np.broadcast_shapes(_np.shape(loc), _np.shape(scale)))
    shape = tuple(_shape(shape)) or params
    shape = shape + params
    mk, rk = split(k)
    return rademacher(rk, shape, d) * maxwell(mk, shape, d) * scale + loc

def weibull_min(k, scale, concentration, shape=(), dtype=None):
    from . import numpy as jnp
    d = _float_dtype(dtype, "weibull_min")
    u = uniform(k, _shape(shape), d, minval=0.0, maxval=1.0)
    return jnp.power(-jnp.log1p(-u), 1.0 / concentration) * scale

def multivariate_normal(k, mean, cov, shape=None, dtype=None, method="cholesky"):
    from . import numpy as jnp
    if method not in ("svd", "eigh", "cholesky"):
        raise ValueError("method must be one of {'svd', 'eigh', 'cholesky'}")
    mean, cov = jnp.asarray(mean), jnp.asarray(cov)
    if not str(mean.dtype).startswith("float"):
        mean = mean.astype("float32")
    cov = cov.astype(mean.dtype)
    d = _float_dtype(dtype or str(mean.dtype), "multivariate_normal")
    if mean.ndim < 1:
        raise ValueError(f"multivariate_normal requires mean.ndim >= 1, got mean.ndim == {mean.ndim}")
    if cov.ndim < 2:
        raise ValueError(f"multivariate_normal requires cov.ndim >= 2, got cov.ndim == {cov.ndim}")
    n = mean.shape[-1]
    if tuple(cov.shape[-2:]) != (n, n):
        raise ValueError(f"multivariate_normal requires cov.shape == (..., n, n) for n={n}, but got cov.shape == {tuple(cov.shape)}.")
    if shape is None:
        shape = tuple(_np.broadcast_shapes(tuple(mean.shape[:-1]), tuple(cov.shape[:-2])))
    else:
        shape = tuple(_shape(shape))
    if method == "svd":
        u, s, _ = jnp.linalg.svd(cov)
        factor = u * jnp.sqrt(s[..., None, :])
    elif method == "eigh":
        w, v = jnp.linalg.eigh(cov)
        factor = v * jnp.sqrt(w[..., None, :])
    else:
        factor = jnp.linalg.cholesky(cov)
    z = normal(k, shape + (n,), d)
    return mean + jnp.einsum("...ij,...j->...i", factor, z)

def orthogonal(k, n, shape=(), dtype=None, m=None):
    from . import numpy as jnp
    d = _float_dtype(dtype, "orthogonal")
    m = n if m is None else m
    z = normal(k, tuple(_shape(shape)) + (max(n, m), min(n, m)), d)
    q, r = jnp.linalg.qr(z)
    dg = jnp.diagonal(r, axis1=-2, axis2=-1)
    x = q * jnp.expand_dims(jnp.sign(dg), -2)
    return jnp.swapaxes(x, -1, -2) if n < m else x

# --- gamma and the distributions built on it: Marsaglia and Tsang's method,
# one key per element (the key split into prod(shape) keys), as jax.random.

def _gamma_one(key, alpha, log_space):
    from . import lax, numpy as jnp
    d = str(alpha.dtype)
    zero, one, minus_one, two = (jnp.asarray(v, d) for v in (0.0, 1.0, -1.0, 2.0))
    boost_mask = alpha >= one
    alpha_orig = alpha
    alpha = jnp.where(boost_mask, alpha, alpha + one)
    dd = alpha - jnp.asarray(1.0 / 3.0, d)
    c = jnp.asarray(1.0 / 3.0, d) / jnp.sqrt(dd)
    squeeze = jnp.asarray(0.0331, d)
    half = jnp.asarray(0.5, d)

    def cond(s):
        _, X, V, U = s
        return jnp.logical_and(U >= one - squeeze * (X * X),
                               jnp.log(U) >= X * half + dd * (one - V + jnp.log(V)))

    def body(s):
        def next_kxv(kxv):
            k2, sub = split(kxv[0])
            x = normal(sub, (), d)
            return k2, x, one + x * c
        ks = split(s[0], 3)
        _, x, v = lax.while_loop(lambda kxv: kxv[2] <= zero, next_kxv, (ks[1], zero, minus_one))
        return ks[0], x * x, v * v * v, uniform(ks[2], (), d)

    ks = split(key)
    _, _, V, _ = lax.while_loop(cond, body, (ks[0], zero, one, two))
    if log_space:
        log_samples = -exponential(ks[1], (), d)
        log_boost = jnp.where(boost_mask | (log_samples == 0), zero, log_samples * (one / alpha_orig))
        return jnp.log(dd) + jnp.log(V) + log_boost
    samples = 1 - uniform(ks[1], (), d)
    boost = jnp.where(boost_mask, one, jnp.power(samples, one / alpha_orig))
    return dd * V * boost

def _gamma(k, a, shape, dtype, log_space, name):
    from . import numpy as jnp
    from ._api import vmap
    d = _float_dtype(dtype, name)
    shape = _param_shape(name, shape, a)
    a = jnp.broadcast_to(jnp.asarray(a, d), shape)
    count = int(_np.prod(shape)) if shape else 1
    keys = split(k, count)
    samples = _gamma_sampler(log_space)(keys, jnp.reshape(a, (count,)))
    return jnp.reshape(samples, shape)

_GAMMA_SAMPLERS = {}

def _gamma_sampler(log_space):
    """One Gamma(a) sample per key; its derivative in a is the implicit one
    (`random_gamma_grad`: the sample moves along a fixed CDF level), as
    jax.random's, not the derivative of the rejection loop."""
    if log_space in _GAMMA_SAMPLERS:
        return _GAMMA_SAMPLERS[log_space]
    from ._api import custom_jvp, vmap
    from . import numpy as jnp
    from .scipy.special import random_gamma_grad

    @custom_jvp
    def sample(keys, a):
        return vmap(lambda kk, aa: _gamma_one(kk, aa, log_space))(keys, a)

    def sample_jvp(primals, tangents):
        keys, a = primals
        da = tangents[1]
        out = sample(keys, a)
        if log_space:
            # d log x = dx / x; a sample that rounded to 0 is taken as the tiniest float
            x = jnp.exp(out)
            x = jnp.where(x == 0, jnp.finfo(x.dtype).tiny, x)
            return out, da * random_gamma_grad(a, x) / x
        return out, da * random_gamma_grad(a, out)

    sample.defjvp(sample_jvp)
    _GAMMA_SAMPLERS[log_space] = sample
    return sample

def gamma(k, a, shape=None, dtype=None):
    return _gamma(k, a, shape, dtype, False, "gamma")

def loggamma(k, a, shape=None, dtype=None):
    return _gamma(k, a, shape, dtype, True, "loggamma")

def beta(k, a, b, shape=None, dtype=None):
    from . import numpy as jnp
    d = _float_dtype(dtype, "beta")
    shape = _param_shape("beta", shape, a, b)
    ka, kb = split(k)
    a = jnp.broadcast_to(jnp.asarray(a, d), shape)
    b = jnp.broadcast_to(jnp.asarray(b, d), shape)
    lga, lgb = loggamma(ka, a, shape, d), loggamma(kb, b, shape, d)
    m = jnp.maximum(lga, lgb)
    ga, gb = jnp.exp(lga - m), jnp.exp(lgb - m)
    return ga / (ga + gb)

def dirichlet(k, alpha, shape=None, dtype=None):
    from . import numpy as jnp, nn
    d = _float_dtype(dtype, "dirichlet")
    alpha = jnp.asarray(alpha, d)
    if alpha.ndim < 1:
        raise ValueError(f"dirichlet requires alpha.ndim >= 1, got alpha.ndim == {alpha.ndim}")
    shape = tuple(alpha.shape[:-1]) if shape is None else tuple(_shape(shape))
    return nn.softmax(loggamma(k, alpha, shape + tuple(alpha.shape[-1:]), d), -1)

def chisquare(k, df, shape=None, dtype=None):
    from . import numpy as jnp
    d = _float_dtype(dtype, "chisquare")
    shape = _param_shape("chisquare", shape, df)
    df = jnp.asarray(df, d)
    two = jnp.asarray(2, d)
    return jnp.exp(loggamma(k, df / two, shape, d)) * two

def f(k, dfnum, dfden, shape=None, dtype=None):
    from . import numpy as jnp
    d = _float_dtype(dtype, "f")
    shape = _param_shape("f", shape, dfnum, dfden)
    dfden, dfnum = jnp.asarray(dfden, d), jnp.asarray(dfnum, d)
    kd, kn = split(k)
    return (chisquare(kn, dfnum, shape, d) / dfnum) / (chisquare(kd, dfden, shape, d) / dfden)

def t(k, df, shape=None, dtype=None):
    from . import numpy as jnp
    d = _float_dtype(dtype, "t")
    shape = _param_shape("t", shape, df)
    df = jnp.asarray(df, d)
    kn, kg = split(k)
    n = normal(kn, shape, d)
    half_df = df / jnp.asarray(2, d)
    g = gamma(kg, half_df, shape, d)
    return n * jnp.sqrt(half_df / g)

def generalized_normal(k, p, shape=(), dtype=None):
    d = _float_dtype(dtype, "generalized_normal")
    ks = split(k)
    g = gamma(ks[0], 1 / p, _shape(shape), d)
    r = rademacher(ks[1], _shape(shape), d)
    return r * g ** (1 / p)

def ball(k, d, p=2, shape=(), dtype=None):
    from . import numpy as jnp
    dt = _float_dtype(dtype, "ball")
    k1, k2 = split(k)
    g = generalized_normal(k1, p, tuple(_shape(shape)) + (d,), dt)
    e = exponential(k2, _shape(shape), dt)
    return g / (((jnp.abs(g) ** p).sum(-1) + e) ** (1 / p))[..., None]

def poisson(k, lam, shape=None, dtype=None):
    """Knuth's method below rate 10, rejection sampling above (JAX's)."""
    from . import lax, numpy as jnp
    shape = tuple(_np.shape(lam) if not hasattr(lam, "shape") else lam.shape) if shape is None else tuple(_shape(shape))
    d = dtype or ("int64" if _x64() else "int32")
    lam = jnp.broadcast_to(jnp.asarray(lam, "float32"), shape)
    use_knuth = jnp.isnan(lam) | (lam < 10)
    lam_knuth = jnp.where(use_knuth, lam, 0.0)
    lam_rej = jnp.where(use_knuth, 100000.0, lam)
    max_iters = int(_np.iinfo(d).max)

    def knuth_body(c):
        i, kk, rng, log_prod = c
        rng, sub = split(rng)
        kk = jnp.where(log_prod > -lam_knuth, kk + 1, kk)
        return i + 1, kk, rng, log_prod + jnp.log(uniform(sub, shape, "float32"))
    kn = lax.while_loop(lambda c: jnp.any(c[3] > -lam_knuth) & (c[0] < max_iters), knuth_body,
                        (jnp.asarray(0), jnp.zeros(shape, d), k, jnp.zeros(shape, "float32")))[1]
    kn = (kn - 1).astype(d)

    log_lam = jnp.log(lam_rej)
    b = 0.931 + 2.53 * jnp.sqrt(lam_rej)
    a = -0.059 + 0.02483 * b
    inv_alpha = 1.1239 + 1.1328 / (b - 3.4)
    v_r = 0.9277 - 3.6224 / (b - 2)

    def rej_body(c):
        i, k_out, accepted, key = c
        ks = split(key, 3)
        u = uniform(ks[1], shape, "float32") - 0.5
        v = uniform(ks[2], shape, "float32")
        us = 0.5 - jnp.abs(u)
        kk = jnp.floor((2 * a / us + b) * u + lam_rej + 0.43)
        s = jnp.log(v * inv_alpha / (a / (us * us) + b))
        tt = -lam_rej + kk * log_lam - lax.lgamma(kk + 1)
        accept1 = (us >= 0.07) & (v <= v_r)
        reject = (kk < 0) | ((us < 0.013) & (v > us))
        accept = accept1 | (~reject & (s <= tt))
        return i + 1, jnp.where(accept, kk, k_out), accepted | accept, ks[0]
    kr = lax.while_loop(lambda c: jnp.any(~c[2]) & (c[0] < max_iters), rej_body,
                        (jnp.asarray(0), jnp.full(shape, -1.0, "float32"), jnp.zeros(shape, bool), k))[1]
    out = jnp.where(use_knuth, kn, kr.astype(d))
    return jnp.where(lam == 0, jnp.zeros_like(out), out)


def _randint_arrays(k, shape, minval, maxval, dtype):
    """randint with array bounds, JAX's construction: two draws of random
    bits combined modulo the span, so the result is nearly uniform."""
    from . import numpy as jnp, lax
    if dtype in ("int64", "uint64") and not _x64():
        dtype = dtype.replace("64", "32")
    d = _np.dtype(dtype)
    nbits = 8 * d.itemsize
    udt = "uint%d" % nbits
    info = _np.iinfo(d)
    shape = tuple(shape)
    mn, mx = jnp.asarray(minval), jnp.asarray(maxval)
    if not str(mn.dtype).startswith(("int", "uint")):
        mn = mn.astype("int32")
    if not str(mx.dtype).startswith(("int", "uint")):
        mx = mx.astype("int32")
    out_of_range = mx > info.max  # maxval past the type's range: the max itself may come out
    mn = jnp.clip(mn, info.min, info.max).astype(dtype)
    mx = jnp.clip(mx, info.min, info.max).astype(dtype)
    k1, k2 = split(k)
    high, low = bits(k1, shape, udt), bits(k2, shape, udt)
    span = lax.convert_element_type(mx - mn, udt)
    span = jnp.where(mx <= mn, jnp.asarray(1, udt), span)
    span = jnp.where(jnp.logical_and(out_of_range, mx > mn), span + jnp.asarray(1, udt), span)
    mult = jnp.asarray(2 ** (nbits // 2), udt) % span
    mult = (mult * mult) % span
    offset = ((high % span) * mult + (low % span)) % span
    return jnp.broadcast_to(mn, shape) + lax.convert_element_type(offset, dtype)


def _stirling_tail(kk):
    """log(k!) minus its Stirling approximation: a table below 10, the
    asymptotic series above (the construction JAX's binomial uses)."""
    from . import numpy as jnp
    import math
    table = jnp.asarray([math.lgamma(i + 1) - ((i + 0.5) * math.log(i + 1) - (i + 1) + 0.5 * math.log(2 * math.pi))
                         for i in range(10)], kk.dtype)
    small = kk <= 9
    kc = jnp.clip(kk, 0.0, 9.0)
    sq = (kc + 1) * (kc + 1)
    series = (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / sq) / sq) / (kc + 1)
    return jnp.where(small, table[jnp.floor(kc).astype("int32")], series)


def _binomial_by_inversion(k, count, q, shape, max_iters):
    """Counts geometric waiting times until their sum passes `count`."""
    from . import lax, numpy as jnp
    log1mq = jnp.log1p(-q)

    def body(c):
        i, n_geom, geom_sum, key = c
        sub, key = split(key)
        n_geom = jnp.where(geom_sum <= count, n_geom + 1, n_geom)
        geom_sum = geom_sum + jnp.ceil(jnp.log(uniform(sub, shape, q.dtype)) / log1mq)
        return i + 1, n_geom, geom_sum, key
    zeros = jnp.zeros(shape, q.dtype)
    out = lax.while_loop(lambda c: jnp.any(c[2] <= count) & (c[0] < max_iters), body, (jnp.asarray(0), zeros, zeros, k))[1]
    return out - 1


def _binomial_btrs(k, count, q, shape, max_iters):
    """Hormann's BTRS transformed rejection (for count * q > 10)."""
    from . import lax, numpy as jnp
    sd = jnp.sqrt(count * q * (1 - q))
    b = 1.15 + 2.53 * sd
    a = -0.0873 + 0.0248 * b + 0.01 * q
    c = count * q + 0.5
    v_r = 0.92 - 4.2 / b
    r = q / (1 - q)
    alpha = (2.83 + 5.1 / b) * sd
    m = jnp.floor((count + 1) * q)

    def body(st):
        i, k_out, accepted, key = st
        key, k0, k1 = split(key, 3)
        u = uniform(k0, shape, q.dtype) - 0.5
        v = uniform(k1, shape, q.dtype)
        us = 0.5 - jnp.abs(u)
        kk = jnp.floor((2 * a / us + b) * u + c)
        quick = (us >= 0.07) & (v <= v_r)
        out_of_range = (kk < 0) | (kk > count)
        lv = jnp.log(v * alpha / (a / (us * us) + b))
        bound = ((m + 0.5) * jnp.log((m + 1) / (r * (count - m + 1)))
                 + (count + 1) * jnp.log((count - m + 1) / (count - kk + 1))
                 + (kk + 0.5) * jnp.log(r * (count - kk + 1) / (kk + 1))
                 + _stirling_tail(m) + _stirling_tail(count - m) - _stirling_tail(kk) - _stirling_tail(count - kk))
        accept = quick | (~out_of_range & (lv <= bound))
        return i + 1, jnp.where(accept, kk, k_out), accepted | accept, key
    init = (jnp.asarray(0), jnp.full(shape, -1.0, q.dtype), jnp.zeros(shape, bool), k)
    return lax.while_loop(lambda st: jnp.any(~st[2]) & (st[0] < max_iters), body, init)[1]


def binomial(k, n, p, shape=None, dtype=None):
    """`jax.random.binomial`: inversion when n * min(p, 1-p) <= 10, BTRS
    rejection otherwise (JAX's stream); NaN for invalid n or p, inf for n = inf."""
    from . import numpy as jnp
    d = _float_dtype(dtype, "binomial")
    shape = _param_shape("binomial", shape, n, p)
    p = jnp.asarray(p)
    pd = p.dtype if str(p.dtype).startswith(("float", "bfloat")) else ("float64" if _x64() else "float32")
    p = jnp.broadcast_to(p.astype(pd), shape)
    count = jnp.broadcast_to(jnp.asarray(n).astype(pd), shape)
    p_small = p < 0.5
    q = jnp.where(p_small, p, 1.0 - p)
    bad_count = jnp.isnan(count) | (count < 0.0)
    inf_count = jnp.isinf(count)
    q_nan, q_neg = jnp.isnan(q), q < 0.0
    q = jnp.where(q_nan | q_neg, jnp.full_like(q, 0.01), q)
    use_inv = bad_count | (count * q <= 10.0)
    count = jnp.floor(count)
    max_iters = float(_np.finfo(d).max) if d != "bfloat16" else 3.3895313892515355e38
    inv = _binomial_by_inversion(k, jnp.where(use_inv, count, 0.0), q, shape, max_iters)
    rej = _binomial_btrs(k, jnp.where(use_inv, 1e4, count), jnp.where(use_inv, 0.5, q), shape, max_iters)
    out = jnp.where(use_inv, inv.astype(d), rej.astype(d))
    invalid = q_neg | q_nan | bad_count
    out = jnp.where(invalid, jnp.full_like(out, _np.nan), out)
    out = jnp.where(inf_count & ~invalid, jnp.full_like(out, _np.inf), out)
    return jnp.where(p_small | bad_count | q_nan | inf_count, out, count.astype(d) - out)


def multinomial(k, n, p, *, shape=None, dtype=None, unroll=1):
    """`jax.random.multinomial`: outcome by outcome, a binomial draw of the
    remaining trials with the conditional probability (JAX's construction)."""
    from . import lax, numpy as jnp
    p = jnp.asarray(p)
    ft = p.dtype if str(p.dtype).startswith(("float", "bfloat")) else ("float64" if _x64() else "float32")
    p = p.astype(ft)
    n = jnp.asarray(n).astype(ft)
    shape = tuple(p.shape) if shape is None else tuple(_shape(shape))
    n = jnp.broadcast_to(n, shape[:-1])
    p = jnp.moveaxis(jnp.broadcast_to(p, shape), -1, 0)
    remaining = lax.cumsum(p, 0, reverse=True)
    ratios = p / jnp.where(remaining == 0, 1, remaining)

    def step(rest, xs):
        ratio, key = xs
        drawn = binomial(key, rest, jnp.clip(ratio, 0, 1), dtype=rest.dtype)
        return rest - drawn, drawn
    _, counts = lax.scan(step, n, (ratios, split(k, ratios.shape[0])), unroll=unroll)
    return jnp.moveaxis(counts, 0, -1).astype(_float_dtype(dtype, "multinomial"))


def _categorical_without_replacement(k, logits, axis, shape):
    """The Gumbel-top-k trick (JAX's construction): the k = prod(shape
    prefix) largest of logits + Gumbel noise."""
    from . import lax, numpy as jnp
    logits = jnp.asarray(logits)
    axis = axis % logits.ndim
    batch = tuple(d for i, d in enumerate(logits.shape) if i != axis)
    shape = batch if shape is None else tuple(_shape(shape))
    if shape[len(shape) - len(batch):] != batch:
        raise ValueError(f"categorical parameter shapes must be broadcast-compatible with shape argument, and the result of broadcasting the shapes must equal the shape argument, but got result {batch} for shape argument {shape}.")
    prefix = shape[:len(shape) - len(batch)]
    n = int(_np.prod(prefix))
    if n > logits.shape[axis]:
        raise ValueError(f"Number of samples without replacement ({n}) cannot exceed number of categories ({logits.shape[axis]}).")
    noisy = logits + gumbel(k, logits.shape, logits.dtype)
    _, idx = lax.top_k(jnp.moveaxis(noisy, axis, -1), n)
    return jnp.reshape(jnp.moveaxis(idx, -1, 0), shape)
