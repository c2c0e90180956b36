"""`jaxcore.random`: JAX's threefry stream, computed by the engine."""

from ._core import op1

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
