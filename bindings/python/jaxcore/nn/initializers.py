"""`jaxcore.nn.initializers`: jax.nn.initializers' definitions (variance
scaling with truncated normal, normal or uniform draws) over jaxcore.random,
so the same key gives the same weights as JAX."""

import math

import numpy as _np

from .. import random, numpy as jnp


def _dtype(dtype):
    return dtype if dtype is not None else ("float64" if random._x64() else "float32")


def zeros(key, shape, dtype=None, out_sharding=None):
    return jnp.zeros(shape, _dtype(dtype))


def ones(key, shape, dtype=None, out_sharding=None):
    return jnp.ones(shape, _dtype(dtype))


def constant(value, dtype=None):
    def init(key, shape, dtype=dtype, out_sharding=None):
        return jnp.full(shape, value, dtype=_dtype(dtype))
    return init


def uniform(scale=1e-2, dtype=None):
    def init(key, shape, dtype=dtype, out_sharding=None):
        d = _dtype(dtype)
        return random.uniform(key, shape, d) * jnp.asarray(scale, d)
    return init


def normal(stddev=1e-2, dtype=None):
    def init(key, shape, dtype=dtype, out_sharding=None):
        d = _dtype(dtype)
        return random.normal(key, shape, d) * jnp.asarray(stddev, d)
    return init


def truncated_normal(stddev=1e-2, dtype=None, lower=-2.0, upper=2.0):
    def init(key, shape, dtype=dtype, out_sharding=None):
        d = _dtype(dtype)
        return random.truncated_normal(key, lower, upper, shape, d) * jnp.asarray(stddev, d)
    return init


def _compute_fans(shape, in_axis=-2, out_axis=-1, batch_axis=()):
    if isinstance(in_axis, int) and in_axis == -2 and len(shape) <= 1:
        raise ValueError(f"Can't compute input and output sizes of a {len(shape)}-dimensional weights tensor with default in_axis. Must be at least 2D or specify in_axis explicitly.")
    size = lambda ax: shape[ax] if isinstance(ax, int) else math.prod([shape[i] for i in ax])
    in_size, out_size, batch_size = size(in_axis), size(out_axis), size(batch_axis)
    receptive = math.prod(shape) / in_size / out_size / batch_size
    return in_size * receptive, out_size * receptive


def variance_scaling(scale, mode, distribution, in_axis=-2, out_axis=-1, batch_axis=(), dtype=None):
    """`jax.nn.initializers.variance_scaling`."""
    def init(key, shape, dtype=dtype, out_sharding=None):
        shape = tuple(int(d) for d in shape)
        d = _dtype(dtype)
        fan_in, fan_out = _compute_fans(shape, in_axis, out_axis, batch_axis)
        denominator = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2,
                       "fan_geo_avg": (fan_in * fan_out) ** 0.5}.get(mode)
        if denominator is None:
            raise ValueError(f"invalid mode for variance scaling initializer: {mode}")
        variance = jnp.asarray(scale / denominator, d)
        if distribution == "truncated_normal":
            # the stddev of a unit normal truncated to (-2, 2)
            stddev = jnp.sqrt(variance) / jnp.asarray(0.87962566103423978, d)
            return random.truncated_normal(key, -2, 2, shape, d) * stddev
        if distribution == "normal":
            return random.normal(key, shape, d) * jnp.sqrt(variance)
        if distribution == "uniform":
            return random.uniform(key, shape, d, -1) * jnp.sqrt(3 * variance)
        raise ValueError(f"invalid distribution for variance scaling initializer: {distribution}")
    return init


def _vs(scale, mode, dist):
    def make(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None):
        return variance_scaling(scale, mode, dist, in_axis=in_axis, out_axis=out_axis, batch_axis=batch_axis, dtype=dtype)
    return make


glorot_uniform = xavier_uniform = _vs(1.0, "fan_avg", "uniform")
glorot_normal = xavier_normal = _vs(1.0, "fan_avg", "truncated_normal")
lecun_uniform = _vs(1.0, "fan_in", "uniform")
lecun_normal = _vs(1.0, "fan_in", "truncated_normal")
he_uniform = kaiming_uniform = _vs(2.0, "fan_in", "uniform")
he_normal = kaiming_normal = _vs(2.0, "fan_in", "truncated_normal")


def orthogonal(scale=1.0, column_axis=-1, dtype=None):
    """`jax.nn.initializers.orthogonal` (through jaxcore.random.orthogonal)."""
    def init(key, shape, dtype=dtype, out_sharding=None):
        d = _dtype(dtype)
        if len(shape) < 2:
            raise ValueError("orthogonal initializer requires at least a 2D shape")
        if any(dim == 0 for dim in shape):
            return jnp.zeros(shape, d)
        n_rows, n_cols = math.prod(shape) // shape[column_axis], shape[column_axis]
        q = random.orthogonal(key, n_rows, (), d, n_cols)
        q = jnp.reshape(q, tuple(_np.delete(shape, column_axis)) + (shape[column_axis],))
        q = jnp.moveaxis(q, -1, column_axis)
        return jnp.asarray(scale, d) * q
    return init


def delta_orthogonal(scale=1.0, column_axis=-1, dtype=None):
    def init(key, shape, dtype=dtype, out_sharding=None):
        d = _dtype(dtype)
        if len(shape) not in (3, 4, 5):
            raise ValueError("Delta orthogonal initializer requires a 3D, 4D or 5D shape.")
        if shape[-1] < shape[-2]:
            raise ValueError("`fan_in` must be less or equal than `fan_out`. ")
        ortho = orthogonal(scale=scale, column_axis=column_axis, dtype=d)(key, shape[-2:])
        w = jnp.zeros(shape, d)
        centre = tuple((k - 1) // 2 for k in shape[:-2])
        return w.at[centre].set(ortho)
    return init
