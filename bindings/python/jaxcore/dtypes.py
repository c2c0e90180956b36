"""`jax.dtypes`: dtype helpers (x32 canonicalization, promotion, float0)."""

import numpy as _np

from ._core import _x64
from .numpy import (bfloat16, finfo, iinfo, issubdtype, result_type as _result_type,  # noqa: F401
                    promote_types as _promote_types)

float0 = _np.dtype([("float0", _np.void, 0)])


class extended:
    """The family of dtypes that are not numpy's (here: typed PRNG keys)."""


class prng_key(extended):
    """The dtype family of typed PRNG keys (`key<fry>`)."""
_X32 = {"float64": "float32", "int64": "int32", "uint64": "uint32"}

def _name(d):
    if not isinstance(d, type):  # numpy scalar types have a `dtype` descriptor
        d = getattr(d, "dtype", d)
    if str(d) == "bfloat16":
        return "bfloat16"
    return _np.dtype(d).name

def canonicalize_dtype(dtype, allow_extended_dtype=False):
    """The dtype JAX computes in: 64-bit types become 32-bit unless x64 is on."""
    n = _name(dtype)
    if n == "bool_":
        n = "bool"
    if not _x64[0]:
        n = _X32.get(n, n)
    return "bfloat16" if n == "bfloat16" else _np.dtype(n)

def result_type(*args, return_weak_type_flag=False):
    d = _result_type(*args)
    if return_weak_type_flag:
        from ._core import Array
        weak = all(isinstance(a, (int, float, bool)) or (isinstance(a, Array) and a.weak_type) for a in args)
        return d, weak
    return d

def promote_types(a, b):
    d = _promote_types(a, b)
    return "bfloat16" if str(d) == "bfloat16" else _np.dtype(d)

def is_weakly_typed(x):
    from ._core import Array
    return x.weak_type if isinstance(x, Array) else isinstance(x, (int, float, bool, complex))

def scalar_type_of(x):
    d = _name(x.dtype if hasattr(x, "dtype") else _np.asarray(x).dtype)
    if d == "bool":
        return bool
    if issubdtype(d, _np.integer):
        return int
    return float
