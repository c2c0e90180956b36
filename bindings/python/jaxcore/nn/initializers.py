"""`jaxcore.nn.initializers`: the common ones, over jaxcore.random."""

import math
from .. import random, numpy as jnp

def zeros(key, shape, dtype=None):
    return jnp.zeros(shape, dtype or jnp.float32)

def ones(key, shape, dtype=None):
    return jnp.ones(shape, dtype or jnp.float32)

def normal(stddev=1e-2, dtype=None):
    def init(key, shape, dtype=dtype):
        return random.normal(key, shape, dtype) * stddev
    return init

def uniform(scale=1e-2, dtype=None):
    def init(key, shape, dtype=dtype):
        return random.uniform(key, shape, dtype) * scale
    return init

def _fans(shape):
    receptive = math.prod(shape[:-2]) if len(shape) > 2 else 1
    return shape[-2] * receptive, shape[-1] * receptive

def glorot_normal(dtype=None):
    def init(key, shape, dtype=dtype):
        fan_in, fan_out = _fans(shape)
        return random.normal(key, shape, dtype) * math.sqrt(2.0 / (fan_in + fan_out))
    return init

def lecun_normal(dtype=None):
    def init(key, shape, dtype=dtype):
        fan_in, _ = _fans(shape)
        return random.normal(key, shape, dtype) * math.sqrt(1.0 / fan_in)
    return init

def he_normal(dtype=None):
    def init(key, shape, dtype=dtype):
        fan_in, _ = _fans(shape)
        return random.normal(key, shape, dtype) * math.sqrt(2.0 / fan_in)
    return init
