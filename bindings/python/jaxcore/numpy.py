"""`jaxcore.numpy`: jax.numpy's names over the engine's numpy layer."""

import numpy as _np

from ._core import (Array, asarray, op, op1, _reduce, _axes, dtype_code, FLAG_AXIS, FLAG_KEEPDIMS,
                    FLAG_ALT, FLAG_MIN, FLAG_MAX)

ndarray = Array
bool_, int8, int16, int32, int64 = "bool", "int8", "int16", "int32", "int64"
uint8, uint16, uint32, uint64 = "uint8", "uint16", "uint32", "uint64"
float16, bfloat16, float32, float64 = "float16", "bfloat16", "float32", "float64"
pi, e, inf, nan = _np.pi, _np.e, _np.inf, _np.nan
newaxis = None

def array(x, dtype=None):
    return asarray(x, dtype)

def _unary(name):
    def f(x):
        return op1(name, x)
    f.__name__ = name
    return f

def _binary(name):
    def f(x, y):
        return op1(name, x, y)
    f.__name__ = name
    return f

for _n in ["exp", "exp2", "log", "log2", "log10", "log1p", "expm1", "tanh", "sin", "cos", "tan", "arcsin", "arccos",
           "arctan", "sinh", "cosh", "arcsinh", "arccosh", "arctanh", "sqrt", "cbrt", "negative", "positive", "abs",
           "sign", "square", "reciprocal", "floor", "ceil", "trunc", "isfinite", "isnan", "isinf", "logical_not",
           "bitwise_not", "invert", "deg2rad", "rad2deg", "ravel", "atleast_1d", "atleast_2d", "zeros_like", "ones_like"]:
    globals()[_n] = _unary(_n)
absolute = abs
for _n in ["add", "subtract", "multiply", "divide", "true_divide", "floor_divide", "remainder", "mod", "fmod", "power",
           "maximum", "minimum", "arctan2", "hypot", "logaddexp", "nextafter", "equal", "not_equal", "less",
           "less_equal", "greater", "greater_equal", "logical_and", "logical_or", "logical_xor", "bitwise_and",
           "bitwise_or", "bitwise_xor", "left_shift", "right_shift", "matmul", "dot", "vdot", "outer", "inner"]:
    globals()[_n] = _binary(_n)
pow = power

def _red(name):
    def f(a, axis=None, keepdims=False, where=None):
        return _reduce(name, asarray(a), axis, keepdims, where)
    f.__name__ = name
    return f

sum, prod, max, min, mean = _red("sum"), _red("prod"), _red("max"), _red("min"), _red("mean")
amax, amin = max, min

def all(a, axis=None, keepdims=False):
    return _reduce("all", asarray(a), axis, keepdims)

def any(a, axis=None, keepdims=False):
    return _reduce("any", asarray(a), axis, keepdims)

def var(a, axis=None, ddof=0, keepdims=False):
    ints, flags = _axes(axis)
    return op1("var", a, ints=ints, floats=[ddof], flags=flags | (FLAG_KEEPDIMS if keepdims else 0))

def std(a, axis=None, ddof=0, keepdims=False):
    ints, flags = _axes(axis)
    return op1("std", a, ints=ints, floats=[ddof], flags=flags | (FLAG_KEEPDIMS if keepdims else 0))

def argmax(a, axis=None, keepdims=False):
    ints, flags = _axes(axis)
    return op1("argmax", a, ints=ints, flags=flags | (FLAG_KEEPDIMS if keepdims else 0))

def argmin(a, axis=None, keepdims=False):
    ints, flags = _axes(axis)
    return op1("argmin", a, ints=ints, flags=flags | (FLAG_KEEPDIMS if keepdims else 0))

def _cum(name):
    def f(a, axis=None):
        ints, flags = _axes(axis)
        return op1(name, a, ints=ints, flags=flags)
    return f

cumsum, cumprod = _cum("cumsum"), _cum("cumprod")

def reshape(a, shape):
    return asarray(a).reshape(shape)

def transpose(a, axes=None):
    ints, flags = _axes(axes)
    return op1("transpose", a, ints=ints, flags=flags)

def swapaxes(a, a1, a2): return op1("swapaxes", a, ints=[a1, a2])
def moveaxis(a, s, d): return op1("moveaxis", a, ints=[s, d])
def expand_dims(a, axis): return op1("expand_dims", a, ints=list(axis) if isinstance(axis, (tuple, list)) else [axis])

def squeeze(a, axis=None):
    ints, flags = _axes(axis)
    return op1("squeeze", a, ints=ints, flags=flags)

def broadcast_to(a, shape): return op1("broadcast_to", a, ints=list(shape))

def concatenate(arrays, axis=0):
    ints, flags = _axes(axis)
    return op1("concatenate", *arrays, ints=ints, flags=flags)

def stack(arrays, axis=0): return op1("stack", *arrays, ints=[axis])
def vstack(arrays): return op1("vstack", *arrays)
def hstack(arrays): return op1("hstack", *arrays)

def split(a, indices_or_sections, axis=0):
    if isinstance(indices_or_sections, int):
        return op("split", a, ints=[axis, indices_or_sections], flags=FLAG_ALT)
    return op("split", a, ints=[axis] + list(indices_or_sections))

def tile(a, reps): return op1("tile", a, ints=list(reps) if isinstance(reps, (tuple, list)) else [reps])

def repeat(a, repeats, axis=None):
    return op1("repeat", a, ints=[repeats] + ([] if axis is None else [axis]), flags=0 if axis is None else FLAG_AXIS)

def flip(a, axis=None):
    ints, flags = _axes(axis)
    return op1("flip", a, ints=ints, flags=flags)

def roll(a, shift, axis=None):
    return op1("roll", a, ints=[shift] + ([] if axis is None else [axis]), flags=0 if axis is None else FLAG_AXIS)

def sort(a, axis=-1):
    ints, flags = _axes(axis)
    return op1("sort", a, ints=ints, flags=flags)

def argsort(a, axis=-1, descending=False):
    ints, flags = _axes(axis)
    return op1("argsort", a, ints=ints, flags=flags | (FLAG_ALT if descending else 0))

def where(c, x, y): return op1("where", c, x, y)

def clip(a, a_min=None, a_max=None):
    args = [a] + [v for v in (a_min, a_max) if v is not None]
    return op1("clip", *args, flags=(FLAG_MIN if a_min is not None else 0) | (FLAG_MAX if a_max is not None else 0))

def einsum(subscripts, *operands): return op1("einsum", *operands, s=subscripts)
def tensordot(a, b, axes=2): return op1("tensordot", a, b, ints=[axes])
def tril(a, k=0): return op1("tril", a, ints=[k])
def triu(a, k=0): return op1("triu", a, ints=[k])

def pad(a, pad_width, constant_values=0):
    pw = _np.broadcast_to(_np.asarray(pad_width), (asarray(a).ndim, 2))
    return op1("pad", a, ints=[int(v) for v in pw.reshape(-1)], floats=[constant_values])

def zeros(shape, dtype=None): return op1("zeros", ints=_shape(shape), dtype=dtype)
def ones(shape, dtype=None): return op1("ones", ints=_shape(shape), dtype=dtype)
def full(shape, fill_value, dtype=None): return op1("full", ints=_shape(shape), floats=[fill_value], dtype=dtype)
def full_like(a, fill_value): return op1("full_like", a, floats=[fill_value])
def eye(n, m=None, k=0, dtype=None): return op1("eye", ints=[n, -1 if m is None else m, k], dtype=dtype)
def identity(n, dtype=None): return eye(n, dtype=dtype)

def arange(start, stop=None, step=1, dtype=None):
    if stop is None:
        start, stop = 0, start
    return op1("arange", floats=[start, stop, step], dtype=dtype)

def linspace(start, stop, num=50, endpoint=True, dtype=None):
    return op1("linspace", ints=[num], floats=[start, stop], dtype=dtype, flags=0 if endpoint else FLAG_ALT)

def _shape(s):
    return list(s) if isinstance(s, (tuple, list)) else [s]

def take(a, indices, axis=None):
    ints, flags = _axes(axis)
    return op1("take", a, indices, ints=ints, flags=flags)

def take_along_axis(a, indices, axis): return op1("take_along_axis", a, indices, ints=[axis])

class linalg:
    @staticmethod
    def norm(x, ord=None, axis=None, keepdims=False):
        ints, flags = _axes(axis)
        return op1("linalg.norm", x, ints=ints, floats=[] if ord is None else [float(ord)],
                   flags=flags | (FLAG_KEEPDIMS if keepdims else 0))

# --- indexing
_NONE = -(1 << 63)

def _index_spec(idx):
    if not isinstance(idx, tuple):
        idx = (idx,)
    ints, arrays = [], []
    for i in idx:
        if i is None:
            ints += [2, 0, 0, 0]
        elif i is Ellipsis:
            ints += [3, 0, 0, 0]
        elif isinstance(i, slice):
            f = lambda v: _NONE if v is None else int(v)
            ints += [1, f(i.start), f(i.stop), f(i.step)]
        elif isinstance(i, (int, _np.integer)) and not isinstance(i, bool):
            ints += [0, int(i), 0, 0]
        else:
            ints += [4, 0, 0, 0]
            arrays.append(asarray(i))
    return ints, arrays

def _getitem(x, idx):
    ints, arrays = _index_spec(idx)
    return op1("getitem", x, *arrays, ints=ints)

class _AtIndexer:
    def __init__(self, x):
        self.x = x

    def __getitem__(self, idx):
        return _At(self.x, idx)

class _At:
    def __init__(self, x, idx):
        self.x, self.idx = x, idx

    def _upd(self, name, v):
        ints, arrays = _index_spec(self.idx)
        return op1(name, self.x, v, *arrays, ints=ints)

    def set(self, v): return self._upd("at_set", v)
    def add(self, v): return self._upd("at_add", v)
    def multiply(self, v): return self._upd("at_multiply", v)
    def min(self, v): return self._upd("at_min", v)
    def max(self, v): return self._upd("at_max", v)
    def get(self): return _getitem(self.x, self.idx)
