"""`jaxcore.lax`: control flow (`cond`, `switch`, `while_loop`,
`fori_loop`, `scan`, `map`) over engine sub-functions, and the lax
primitives (strict dtypes, explicit shapes) by their JAX names."""

import builtins as _builtins
import ctypes as C
import operator

import numpy as _np
import collections as _collections
import enum as _enum

from ._lib import lib
from ._core import Array, asarray, op1, dtype_code, FLAG_ALT as _ALT
from ._api import _make, call_outs, handles, _name
from . import tree_util as tu

# ---- control flow ----

def _branch(f, treedef, store, i):
    def g(leaves):
        out_leaves, store[i] = tu.tree_flatten(f(*tu.tree_unflatten(treedef, leaves)))
        return out_leaves
    return g

def cond(pred, true_fun, false_fun, *operands):
    """`lax.cond(pred, true_fun, false_fun, *operands)`."""
    if len(operands) == 0 and not callable(false_fun):
        raise TypeError("cond expects true_fun and false_fun to be callables")
    leaves, treedef = tu.tree_flatten(operands)
    store = [None, None]
    t = _make(_branch(true_fun, treedef, store, 0), _name(true_fun))
    f = _make(_branch(false_fun, treedef, store, 1), _name(false_fun))
    ops, n = handles(leaves)
    p = asarray(pred)
    outs = call_outs(lib.jc_cond, p._h, t.h, f.h, ops, n)
    if store[0] != store[1]:
        raise TypeError(f"true_fun and false_fun output must have same type structure, got {store[0]} and {store[1]}.")
    return tu.tree_unflatten(store[0], outs)

def switch(index, branches, *operands):
    """`lax.switch(index, branches, *operands)` (the index is clamped)."""
    branches = list(branches)
    if not branches:
        raise ValueError("Empty branch sequence")
    leaves, treedef = tu.tree_flatten(operands)
    store = [None] * len(branches)
    fns = [_make(_branch(b, treedef, store, i), _name(b)) for i, b in enumerate(branches)]
    hs = (C.c_void_p * len(fns))(*[f.h for f in fns])
    ops, n = handles(leaves)
    i = asarray(index)
    outs = call_outs(lib.jc_switch, i._h, hs, len(fns), ops, n)
    for i, s in enumerate(store[1:], 1):
        if s != store[0]:
            raise TypeError(f"branch 0 and {i} outputs must have same type structure, got {store[0]} and {s}.")
    return tu.tree_unflatten(store[0], outs)

def _record_dtypes(store, leaves):
    store[0] = [asarray(x).dtype for x in leaves]
    return leaves

def _weak_promoted(leaves, out_dtypes):
    """JAX's rule for loop carries: a weakly typed initial value (a Python
    scalar) takes the dtype the body gives it. None when nothing changes."""
    if out_dtypes is None or len(out_dtypes) != len(leaves):
        return None
    from . import numpy as jnp
    new, changed = [], False
    for x, d in zip(leaves, out_dtypes):
        xa = asarray(x)
        if xa.weak_type and xa.dtype != d:
            new.append(xa.astype(jnp.result_type(xa, d)))
            changed = True
        else:
            new.append(x)
    return new if changed else None

def while_loop(cond_fun, body_fun, init_val):
    """`lax.while_loop(cond_fun, body_fun, init_val)`."""
    leaves, treedef = tu.tree_flatten(init_val)
    out_dtypes = [None]
    def c(ls):
        return [cond_fun(tu.tree_unflatten(treedef, ls))]
    def b(ls):
        out_leaves, out_tree = tu.tree_flatten(body_fun(tu.tree_unflatten(treedef, ls)))
        if out_tree != treedef:
            raise TypeError(f"body_fun output and input must have identical types, got\n{out_tree}\nand\n{treedef}.")
        return _record_dtypes(out_dtypes, out_leaves)
    cf, bf = _make(c, _name(cond_fun)), _make(b, _name(body_fun))
    init, n = handles(leaves)
    try:
        outs = call_outs(lib.jc_while_loop, cf.h, bf.h, init, n)
    except TypeError:
        promoted = _weak_promoted(leaves, out_dtypes[0])
        if promoted is None:
            raise
        return while_loop(cond_fun, body_fun, tu.tree_unflatten(treedef, promoted))
    return tu.tree_unflatten(treedef, outs)

def fori_loop(lower, upper, body_fun, init_val, *, unroll=None):
    """`lax.fori_loop(lower, upper, body_fun, init_val)`: a scan when the
    bounds are concrete, a while loop otherwise (as in JAX)."""
    leaves, treedef = tu.tree_flatten(init_val)
    out_dtypes = [None]
    def b(ls):
        val = body_fun(ls[0], tu.tree_unflatten(treedef, ls[1:]))
        out_leaves, out_tree = tu.tree_flatten(val)
        if out_tree != treedef:
            raise TypeError(f"body_fun output and input must have identical types, got\n{out_tree}\nand\n{treedef}.")
        return _record_dtypes(out_dtypes, out_leaves)
    bf = _make(b, _name(body_fun))
    init, n = handles(leaves)
    lo, hi = asarray(lower), asarray(upper)
    try:
        outs = call_outs(lib.jc_fori_loop, lo._h, hi._h, bf.h, init, n)
    except TypeError:
        promoted = _weak_promoted(leaves, out_dtypes[0])
        if promoted is None:
            raise
        return fori_loop(lower, upper, body_fun, tu.tree_unflatten(treedef, promoted), unroll=unroll)
    return tu.tree_unflatten(treedef, outs)

def scan(f, init, xs=None, length=None, reverse=False, unroll=1, _split_transpose=False):
    """`lax.scan(f, init, xs, length, reverse, unroll)`: f(carry, x) -> (carry, y)."""
    c_leaves, c_tree = tu.tree_flatten(init)
    x_leaves, x_tree = tu.tree_flatten(xs)
    nc = len(c_leaves)
    store = [None]
    def body(ls):
        carry = tu.tree_unflatten(c_tree, ls[:nc])
        x = tu.tree_unflatten(x_tree, ls[nc:])
        out = f(carry, x)
        if not isinstance(out, tuple) or len(out) != 2:
            raise TypeError(f"scan body output must be a pair, got {out!r}.")
        new_c, y = out
        cl, ct = tu.tree_flatten(new_c)
        if ct != c_tree:
            raise TypeError(f"scan body function carry input and carry output must have the same pytree structure, but they differ:\n{c_tree}\nand\n{ct}")
        yl, store[0] = tu.tree_flatten(y)
        return _record_dtypes(carry_dtypes, cl) + yl
    carry_dtypes = [None]
    bf = _make(body, _name(f))
    ih, ni = handles(c_leaves)
    xh, nx = handles(x_leaves)
    u = 1 if isinstance(unroll, bool) else int(unroll)
    try:
        outs = call_outs(lib.jc_scan, bf.h, ih, ni, xh, nx, -1 if length is None else int(length), bool(reverse), u)
    except TypeError:
        promoted = _weak_promoted(c_leaves, carry_dtypes[0])
        if promoted is None:
            raise
        return scan(f, tu.tree_unflatten(c_tree, promoted), xs, length, reverse, unroll, _split_transpose)
    return tu.tree_unflatten(c_tree, outs[:nc]), tu.tree_unflatten(store[0], outs[nc:])

def map(f, xs, *, batch_size=None):
    """`lax.map(f, xs)`: f over the leading axis, sequentially (a scan)."""
    _, ys = scan(lambda c, x: ((), f(x)), (), xs)
    return ys

def stop_gradient(x):
    # a Python scalar becomes a strongly typed array (astype drops the weak type), as in JAX
    def strong(a):
        a = asarray(a)
        return a.astype(a.dtype)
    return tu.tree_map(lambda a: op1("lax.stop_gradient", a if isinstance(a, Array) else strong(a)), x)

# ---- primitives ----

def _unary(name):
    def f(x):
        return op1("lax." + name, x)
    f.__name__ = name
    return f

for _n in ["neg", "sign", "floor", "ceil", "is_finite", "exp", "exp2", "log", "log1p", "expm1", "tanh", "logistic",
           "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "sqrt", "rsqrt",
           "cbrt", "abs", "erf", "erfc", "erf_inv", "lgamma", "digamma", "square"]:
    globals()[_n] = _unary(_n)
bitwise_not = _unary("not")

def _binary(name):
    def f(x, y):
        return op1("lax." + name, x, y)
    f.__name__ = name
    return f

for _n in ["add", "sub", "mul", "div", "rem", "pow", "max", "min", "atan2", "nextafter", "eq", "ne", "lt", "le", "gt", "ge",
           "shift_left", "shift_right_logical", "shift_right_arithmetic"]:
    globals()[_n] = _binary(_n)
bitwise_and, bitwise_or, bitwise_xor = _binary("and"), _binary("or"), _binary("xor")

def integer_pow(x, y):
    return op1("lax.integer_pow", x, ints=[y])

def convert_element_type(x, new_dtype):
    return op1("lax.convert_element_type", x, dtype=new_dtype)

def bitcast_convert_type(x, new_dtype):
    return op1("lax.bitcast_convert_type", x, dtype=new_dtype)

def reshape(operand, new_sizes, dimensions=None):
    if dimensions is not None:
        operand = transpose(operand, dimensions)
    return op1("lax.reshape", operand, ints=list(new_sizes))

def transpose(operand, permutation):
    return op1("lax.transpose", operand, ints=list(permutation))

def _lists(*ls):
    out = []
    for l in ls:
        out += [len(l)] + [int(v) for v in l]
    return out

def broadcast_in_dim(operand, shape, broadcast_dimensions):
    return op1("lax.broadcast_in_dim", operand, ints=_lists(shape, broadcast_dimensions))

def broadcast(operand, sizes):
    x = asarray(operand)
    n = len(sizes)
    return broadcast_in_dim(x, tuple(sizes) + x.shape, tuple(range(n, n + x.ndim)))

def squeeze(array, dimensions):
    """Removes the given size-1 dimensions (negative ones count from the end, as JAX)."""
    array = asarray(array)
    return op1("lax.squeeze", array, ints=[d % array.ndim if d < 0 else d for d in dimensions])

def expand_dims(array, dimensions):
    """Inserts size-1 dimensions at the given positions of the result (negative ones from its end)."""
    array = asarray(array)
    n = array.ndim + len(dimensions)
    return op1("lax.expand_dims", array, ints=sorted(d % n if d < 0 else d for d in dimensions))

def rev(operand, dimensions):
    return op1("lax.rev", operand, ints=list(dimensions))

def slice(operand, start_indices, limit_indices, strides=None):
    ls = [start_indices, limit_indices] + ([strides] if strides is not None else [])
    return op1("lax.slice", operand, ints=_lists(*ls))

def slice_in_dim(operand, start_index, limit_index, stride=1, axis=0):
    x = asarray(operand)
    start, limit, strides = [0] * x.ndim, list(x.shape), [1] * x.ndim
    n = x.shape[axis]
    start[axis] = (start_index or 0) + (n if (start_index or 0) < 0 else 0)
    limit[axis] = n if limit_index is None else limit_index + (n if limit_index < 0 else 0)
    strides[axis] = stride
    return slice(x, start, limit, strides)

def index_in_dim(operand, index, axis=0, keepdims=True):
    x = asarray(operand)
    index = index + x.shape[axis] if index < 0 else index
    s = slice_in_dim(x, index, index + 1, 1, axis)
    return s if keepdims else squeeze(s, (axis,))

def dynamic_slice(operand, start_indices, slice_sizes):
    return op1("lax.dynamic_slice", operand, *start_indices, ints=list(slice_sizes))

def dynamic_update_slice(operand, update, start_indices):
    return op1("lax.dynamic_update_slice", operand, update, *start_indices)

def dynamic_slice_in_dim(operand, start_index, slice_size, axis=0):
    x = asarray(operand)
    starts = [0] * x.ndim
    starts[axis] = start_index
    sizes = list(x.shape)
    sizes[axis] = slice_size
    return dynamic_slice(x, starts, sizes)

def dynamic_index_in_dim(operand, index, axis=0, keepdims=True):
    s = dynamic_slice_in_dim(operand, index, 1, axis)
    return s if keepdims else squeeze(s, (axis,))

def dynamic_update_slice_in_dim(operand, update, start_index, axis):
    x = asarray(operand)
    starts = [0] * x.ndim
    starts[axis] = start_index
    return dynamic_update_slice(x, update, starts)

def concatenate(operands, dimension):
    return op1("lax.concatenate", *operands, ints=[dimension])

def pad(operand, padding_value, padding_config):
    return op1("lax.pad", operand, padding_value, ints=[v for c in padding_config for v in c])

def dot_general(lhs, rhs, dimension_numbers, precision=None, preferred_element_type=None):
    (lc, rc), (lb, rb) = dimension_numbers
    return op1("lax.dot_general", lhs, rhs, ints=_lists(lc, rc, lb, rb), dtype=preferred_element_type)

def dot(lhs, rhs, precision=None, preferred_element_type=None):
    l, r = asarray(lhs), asarray(rhs)
    return dot_general(l, r, (([l.ndim - 1], [0]), ([], [])), preferred_element_type=preferred_element_type)

def batch_matmul(lhs, rhs, precision=None):
    l, r = asarray(lhs), asarray(rhs)
    b = list(range(l.ndim - 2))
    return dot_general(l, r, (([l.ndim - 1], [r.ndim - 2]), (b, b)))

def _reduce(name):
    def f(operand, axes):
        return op1("lax." + name, operand, ints=list(axes))
    f.__name__ = name
    return f

reduce_sum, reduce_max, reduce_min, reduce_prod = _reduce("reduce_sum"), _reduce("reduce_max"), _reduce("reduce_min"), _reduce("reduce_prod")
reduce_and, reduce_or = _reduce("reduce_and"), _reduce("reduce_or")

def argmax(operand, axis, index_dtype):
    return op1("lax.argmax", operand, ints=[axis], dtype=index_dtype)

def argmin(operand, axis, index_dtype):
    return op1("lax.argmin", operand, ints=[axis], dtype=index_dtype)

def select(pred, on_true, on_false):
    return op1("lax.select", pred, on_true, on_false)

def select_n(which, *cases):
    return op1("lax.select_n", which, *cases)

def clamp(min, x, max):
    return op1("lax.clamp", min, x, max)

def iota(dtype, size):
    return op1("lax.iota", ints=[0, size], dtype=dtype)

def broadcasted_iota(dtype, shape, dimension):
    return op1("lax.iota", ints=[dimension] + list(shape), dtype=dtype)

def round(x, rounding_method=0):
    return op1("lax.round", x, flags=(_ALT if int(rounding_method) == 1 else 0))

def polygamma(m, x):
    """`lax.polygamma(m, x)`: orders are static (an array of orders must be
    concrete; each distinct order is one primitive)."""
    if _np.ndim(m) == 0 and not isinstance(m, Array):
        return op1("lax.polygamma", x, ints=[int(m)])
    from .scipy.special import polygamma as sp_polygamma
    return sp_polygamma(m, x)

def sort(operand, dimension=-1, is_stable=True, num_keys=1):
    ops = list(operand) if isinstance(operand, (tuple, list)) else [operand]
    d = dimension % asarray(ops[0]).ndim
    from ._core import op
    outs = op("lax.sort", *ops, ints=[d, num_keys])
    return tuple(outs) if isinstance(operand, (tuple, list)) else outs[0]

def sort_key_val(keys, values, dimension=-1, is_stable=True):
    return sort((keys, values), dimension, is_stable, 1)

def top_k(operand, k):
    from . import numpy as jnp
    x = asarray(operand)
    # a stable descending sort: ties keep the lower index first, NaN is largest (XLA's TopK)
    idx = jnp.argsort(x, axis=-1, stable=True, descending=True)
    idx = slice_in_dim(idx, 0, k, 1, x.ndim - 1)
    return [jnp.take_along_axis(x, idx, axis=-1), idx]

def cumsum(operand, axis=0, reverse=False):
    return op1("lax.cumsum", operand, ints=[axis], flags=(_ALT if reverse else 0))

def cumprod(operand, axis=0, reverse=False):
    return op1("lax.cumprod", operand, ints=[axis], flags=(_ALT if reverse else 0))

def cummax(operand, axis=0, reverse=False):
    return op1("lax.cummax", operand, ints=[axis], flags=(_ALT if reverse else 0))

def cummin(operand, axis=0, reverse=False):
    return op1("lax.cummin", operand, ints=[axis], flags=(_ALT if reverse else 0))

def full(shape, fill_value, dtype=None):
    from . import numpy as jnp
    return jnp.full(shape, fill_value, dtype)

def full_like(x, fill_value, dtype=None, shape=None):
    from . import numpy as jnp
    x = asarray(x)
    return jnp.full(x.shape if shape is None else shape, fill_value, dtype or x.dtype)

def zeros_like_array(x):
    return full_like(x, 0)

class RoundingMethod:
    AWAY_FROM_ZERO = 0
    TO_NEAREST_EVEN = 1


# ---- collectives (inside shard_map, or vmap with an axis_name) ----

def _axes(axis_name):
    return axis_name if isinstance(axis_name, str) else ",".join(axis_name)

def _collective(name, x, axis_name, ints=None, flags=0):
    return tu.tree_map(lambda v: op1(name, v, ints=ints, flags=flags, s=_axes(axis_name)), x)

def psum(x, axis_name, *, axis_index_groups=None):
    """Sum over the devices along `axis_name` (a name or a tuple of names)."""
    return _collective("lax.psum", x, axis_name)

def pmean(x, axis_name, *, axis_index_groups=None):
    return _collective("lax.pmean", x, axis_name)

def pmax(x, axis_name, *, axis_index_groups=None):
    return _collective("lax.pmax", x, axis_name)

def pmin(x, axis_name, *, axis_index_groups=None):
    return _collective("lax.pmin", x, axis_name)

def all_gather(x, axis_name, *, axis_index_groups=None, axis=0, tiled=False):
    """Every device gets all devices' values, stacked along a new `axis`
    (concatenated along `axis` when tiled)."""
    return _collective("lax.all_gather", x, axis_name, ints=[axis], flags=_ALT if tiled else 0)

def psum_scatter(x, axis_name, *, scatter_dimension=0, axis_index_groups=None, tiled=False):
    return _collective("lax.psum_scatter", x, axis_name, ints=[scatter_dimension], flags=_ALT if tiled else 0)

def ppermute(x, axis_name, perm):
    """Device `dst` gets device `src`'s value for each (src, dst) in perm."""
    flat = [int(v) for pair in perm for v in pair]
    return _collective("lax.ppermute", x, axis_name, ints=flat)

def all_to_all(x, axis_name, split_axis, concat_axis, *, axis_index_groups=None, tiled=False):
    return _collective("lax.all_to_all", x, axis_name, ints=[split_axis, concat_axis], flags=_ALT if tiled else 0)

def axis_index(axis_name):
    """This device's position along `axis_name` (int32)."""
    from ._core import op
    return op("lax.axis_index", s=_axes(axis_name))[0]

def axis_size(axis_name):
    """The size of a named axis (vmap, pmap, shard_map), a Python int."""
    from ._core import op
    return int(op("lax.axis_size", s=_axes(axis_name))[0])

def pvary(x, axis_name):
    """Marks x as varying over axis_name: the identity here (replication is not tracked)."""
    return x

pbroadcast = pvary

def with_sharding_constraint(x, shardings):
    from .sharding import with_sharding_constraint as w
    return w(x, shardings)

# ---- convolutions (the engine's conv_general_dilated primitive) ----
from ._conv import (ConvDimensionNumbers, conv_dimension_numbers, conv_general_dilated, conv,  # noqa: E402,F401
                    conv_with_general_padding, conv_transpose, padtype_to_pads, conv_general_permutations,
                    _conv_transpose_padding)
ConvGeneralDilatedDimensionNumbers = ConvDimensionNumbers

def conv_general_shape_tuple(lhs_shape, rhs_shape, window_strides, padding, dimension_numbers):
    """The output shape of `conv_general_dilated` with these dimension numbers."""
    lp, rp, op_ = conv_general_permutations(dimension_numbers)
    out = conv_shape_tuple(tuple(lhs_shape[i] for i in lp), tuple(rhs_shape[i] for i in rp), window_strides, padding)
    return tuple(out[i] for i in _np.argsort(op_))

def conv_transpose_shape_tuple(lhs_shape, rhs_shape, window_strides, padding, dimension_numbers):
    """The output shape of `conv_transpose` with these dimension numbers."""
    lp, rp, op_ = conv_general_permutations(dimension_numbers)
    lhs = tuple(lhs_shape[i] for i in lp)
    rhs = tuple(rhs_shape[i] for i in rp)
    if isinstance(padding, str):
        padding = [_conv_transpose_padding(k, s, padding) for k, s in zip(rhs[2:], window_strides)]
    space = [(i - 1) * s - k + 2 + sum(p) for i, k, s, p in zip(lhs[2:], rhs[2:], window_strides, padding)]
    out = (lhs[0], rhs[0]) + tuple(int(v) for v in space)
    return tuple(out[i] for i in _np.argsort(op_))

# ---- bit counting (composed of shifts and masks on the unsigned view) ----

def _unsigned_view(x):
    x = asarray(x)
    d = str(x.dtype)
    if not (d.startswith("int") or d.startswith("uint")):
        raise TypeError(f"population_count/clz requires an integer operand, got {d}")
    bits = int(d.lstrip("uint") or 0) if d.startswith("uint") else int(d[3:])
    return (x if d.startswith("uint") else bitcast_convert_type(x, "u" + d)), bits, d

def population_count(x):
    """`lax.population_count`: the number of set bits of each element."""
    u, bits, d = _unsigned_view(x)
    one = asarray(1).astype(str(u.dtype))
    c = None
    for i in range(bits):
        b = bitwise_and(shift_right_logical(u, asarray(i).astype(str(u.dtype))), one)
        c = b if c is None else add(c, b)
    return c.astype(d)

def clz(x):
    """`lax.clz`: the number of leading zero bits of each element."""
    u, bits, d = _unsigned_view(x)
    one = asarray(1).astype(str(u.dtype))
    n = asarray(0).astype(str(u.dtype)) * u
    seen = None
    for i in range(bits - 1, -1, -1):
        b = eq(bitwise_and(shift_right_logical(u, asarray(i).astype(str(u.dtype))), one), one)
        seen = b if seen is None else bitwise_or(seen, b)
        n = add(n, convert_element_type(bitwise_xor(seen, True), str(u.dtype)))
    return n.astype(d)

# ---- windows, general reductions and associative scans (composites) ----
from ._window import reduce_window, reduce, associative_scan, cumlogsumexp  # noqa: E402,F401

# ---- small lax helpers (composed of the primitives above) ----

def reciprocal(x):
    x = asarray(x)
    return div(asarray(1).astype(str(x.dtype)), x)

def conj(x):
    return op1("conj", x)  # real arrays are their own conjugates

def real(x):
    return op1("lax.real", x)

def imag(x):
    return op1("lax.imag", x)

def complex(x, y):
    """`lax.complex`: float32 parts give complex64, float64 complex128."""
    return op1("lax.complex", x, y)

class FftType(_enum.IntEnum):
    FFT = 0
    IFFT = 1
    RFFT = 2
    IRFFT = 3

def fft(x, fft_type, fft_lengths):
    """`lax.fft` over the trailing len(fft_lengths) dimensions."""
    t = FftType[fft_type.upper()] if isinstance(fft_type, str) else FftType(int(fft_type))
    return op1("lax.fft", x, ints=[int(t)] + [int(v) for v in fft_lengths])

def broadcast_shapes(*shapes):
    return tuple(_np.broadcast_shapes(*[tuple(s) for s in shapes]))

def broadcast_to_rank(x, rank):
    x = asarray(x)
    return reshape(x, (1,) * (rank - x.ndim) + tuple(x.shape)) if x.ndim < rank else x

def collapse(operand, start_dimension, stop_dimension=None):
    x = asarray(operand)
    stop = x.ndim if stop_dimension is None else stop_dimension
    import math
    return reshape(x, tuple(x.shape[:start_dimension]) + (math.prod(x.shape[start_dimension:stop]),) + tuple(x.shape[stop:]))

def dynamic_update_index_in_dim(operand, update, index, axis):
    x, u = asarray(operand), asarray(update)
    if u.ndim == x.ndim - 1:
        u = expand_dims(u, (axis,))
    return dynamic_update_slice_in_dim(x, u, index, axis)

def split(operand, sizes, axis=0):
    """`lax.split`: pieces of the given sizes along axis."""
    x = asarray(operand)
    out, start = [], 0
    for s in sizes:
        out.append(slice_in_dim(x, start, start + s, 1, axis))
        start += s
    if start != x.shape[axis]:
        raise ValueError(f"Sum of sizes {sum(sizes)} must be equal to dimension {x.shape[axis]} of the operand shape {tuple(x.shape)}")
    return out

def index_take(src, idxs, axes):
    """`lax.index_take`: integer arrays `idxs` index the dims `axes`."""
    import builtins
    x = asarray(src)
    key = [builtins.slice(None)] * x.ndim
    for i, a in zip(idxs, axes):
        key[a] = asarray(i)
    return x[tuple(key)]

def optimization_barrier(operand):
    """Nothing reorders across it here (values pass through unchanged)."""
    return tu.tree_map(asarray, operand)

def reduce_xor(operand, axes):
    from ._window import reduce as _reduce
    x = asarray(operand)
    return _reduce(x, False if str(x.dtype) == "bool" else asarray(0).astype(str(x.dtype)), bitwise_xor, axes)

def approx_max_k(operand, k, reduction_dimension=-1, recall_target=0.95, reduction_input_size_override=-1, aggregate_to_topk=True):
    """Exact here (the top k is what approx_max_k approximates)."""
    from . import numpy as jnp
    x = asarray(operand)
    d = reduction_dimension % x.ndim
    if d != x.ndim - 1:
        v, i = top_k(jnp.moveaxis(x, d, -1), k)
        return jnp.moveaxis(v, -1, d), jnp.moveaxis(i, -1, d)
    return top_k(x, k)

def approx_min_k(operand, k, reduction_dimension=-1, recall_target=0.95, reduction_input_size_override=-1, aggregate_to_topk=True):
    v, i = approx_max_k(neg(asarray(operand)), k, reduction_dimension)
    return neg(v), i

def empty(dtype):
    from . import numpy as jnp
    return jnp.zeros((), dtype)

def dtype(x, *, canonicalize=False):
    d = getattr(x, "dtype", None)
    if d is None:
        return _np.dtype(type(x)) if not isinstance(x, float) else _np.dtype("float32")
    return _np.dtype(d) if str(d) != "bfloat16" else d

def bessel_i0e(x):
    from .scipy import special
    return special.i0e(x)

import enum as _enum  # noqa: E402 (also imported at the top)

class Precision(_enum.Enum):
    """`lax.Precision`: accepted wherever JAX takes `precision=`; on CPU
    every choice computes f32 dots in f32 (as JAX on CPU)."""
    DEFAULT = 0
    HIGH = 1
    HIGHEST = 2

    @classmethod
    def _missing_(cls, value):
        names = {"bfloat16": cls.DEFAULT, "default": cls.DEFAULT, "fastest": cls.DEFAULT,
                 "tensorfloat32": cls.HIGH, "high": cls.HIGH, "float32": cls.HIGHEST, "highest": cls.HIGHEST}
        if isinstance(value, str) and value.lower() in names:
            return names[value.lower()]
        return None

    def __str__(self):
        return self.name

class GatherScatterMode(_enum.Enum):
    """`lax.GatherScatterMode` (for `.at[...].get(mode=...)` and friends)."""
    CLIP = 0
    FILL_OR_DROP = 1
    PROMISE_IN_BOUNDS = 2
    ONE_HOT = 3

    @staticmethod
    def from_any(s):
        if isinstance(s, GatherScatterMode):
            return s
        if s == "clip":
            return GatherScatterMode.CLIP
        if s is None or s == "fill" or s == "drop":
            return GatherScatterMode.FILL_OR_DROP
        if s == "promise_in_bounds":
            return GatherScatterMode.PROMISE_IN_BOUNDS
        raise ValueError(f"Unknown gather mode \"{s}\"")

class DotAlgorithmPreset(_enum.Enum):
    DEFAULT = 0
    ANY_F8_ANY_F8_F32 = 1
    F16_F16_F32 = 5
    BF16_BF16_F32 = 7
    TF32_TF32_F32 = 12
    F32_F32_F32 = 14
    F64_F64_F64 = 15

def tile(operand, reps):
    """`lax.tile` (as `jnp.tile`, with one rep per dimension)."""
    from . import numpy as jnp
    return jnp.tile(operand, tuple(reps))

class GatherDimensionNumbers(_collections.namedtuple(
        "GatherDimensionNumbers", ["offset_dims", "collapsed_slice_dims", "start_index_map",
                                   "operand_batching_dims", "start_indices_batching_dims"],
        defaults=((), ()))):
    """`lax.GatherDimensionNumbers` (StableHLO's gather dimension numbers;
    the index vector is the last dimension of the indices, as in JAX)."""

class ScatterDimensionNumbers(_collections.namedtuple(
        "ScatterDimensionNumbers", ["update_window_dims", "inserted_window_dims", "scatter_dims_to_operand_dims",
                                    "operand_batching_dims", "scatter_indices_batching_dims"],
        defaults=((), ()))):
    """`lax.ScatterDimensionNumbers`."""

def _index_mode(mode):
    m = GatherScatterMode.from_any(mode)
    if m == GatherScatterMode.ONE_HOT:
        raise NotImplementedError("GatherScatterMode.ONE_HOT is not supported")
    return m

def gather(operand, start_indices, dimension_numbers, slice_sizes, *, unique_indices=False,
           indices_are_sorted=False, mode=None, fill_value=None):
    """`lax.gather`: mode None is PROMISE_IN_BOUNDS, as in JAX (we clamp the
    start, as CLIP); FILL_OR_DROP windows that do not fit read `fill_value`
    (JAX's default: NaN, the integer minimum (maximum when unsigned), True)."""
    from .numpy import _default_fill
    x = asarray(operand)
    d = GatherDimensionNumbers(*dimension_numbers)
    m = _index_mode(GatherScatterMode.PROMISE_IN_BOUNDS if mode is None else mode)
    ints = _lists(d.offset_dims, d.collapsed_slice_dims, d.start_index_map, d.operand_batching_dims,
                  d.start_indices_batching_dims, slice_sizes)
    if m == GatherScatterMode.FILL_OR_DROP:
        fill = _default_fill(x.dtype) if fill_value is None else fill_value
        return op1("lax.gather", x, start_indices, ints=ints, floats=[float(fill)], flags=_ALT)
    return op1("lax.gather", x, start_indices, ints=ints)

def _scatter(name, operand, scatter_indices, updates, dimension_numbers, mode):
    d = ScatterDimensionNumbers(*dimension_numbers)
    m = _index_mode(mode)
    ints = _lists(d.update_window_dims, d.inserted_window_dims, d.scatter_dims_to_operand_dims,
                  d.operand_batching_dims, d.scatter_indices_batching_dims)
    x = asarray(operand)
    u = asarray(updates).astype(x.dtype)
    return op1(name, x, scatter_indices, u, ints=ints, flags=0 if m == GatherScatterMode.FILL_OR_DROP else _ALT)

def _scatter_op(name, negate=False):
    def f(operand, scatter_indices, updates, dimension_numbers, *, indices_are_sorted=False,
          unique_indices=False, mode=None):
        u = -asarray(updates) if negate else updates
        return _scatter(name, operand, scatter_indices, u, dimension_numbers, mode)
    return f

# out-of-bound updates are dropped (mode None / FILL_OR_DROP) or clamped (CLIP)
scatter = _scatter_op("lax.scatter")
scatter_add = _scatter_op("lax.scatter_add")
scatter_sub = _scatter_op("lax.scatter_add", negate=True)
scatter_mul = _scatter_op("lax.scatter_mul")
scatter_min = _scatter_op("lax.scatter_min")
scatter_max = _scatter_op("lax.scatter_max")
for _n in ["scatter", "scatter_add", "scatter_sub", "scatter_mul", "scatter_min", "scatter_max"]:
    globals()[_n].__name__ = _n

from . import _lax_linalg as linalg  # noqa: E402
import sys as _sys  # noqa: E402
_sys.modules[__name__ + ".linalg"] = linalg  # `from jax.lax import linalg` and `import jax.lax.linalg` work


# --- special functions under their lax names
def igamma(a, x):
    from .scipy.special import gammainc
    return gammainc(a, x)

def igammac(a, x):
    from .scipy.special import gammaincc
    return gammaincc(a, x)

def igamma_grad_a(a, x):
    from .scipy.special import igamma_grad_a as _igamma_grad_a
    return _igamma_grad_a(a, x)

def random_gamma_grad(a, x, **_):
    from .scipy.special import random_gamma_grad as _random_gamma_grad
    return _random_gamma_grad(a, x)

def betainc(a, b, x):
    from .scipy.special import betainc as _betainc
    return _betainc(a, b, x)

def zeta(x, q):
    from .scipy.special import zeta as _zeta
    return _zeta(x, q)

def regularized_incomplete_beta(a, b, x):
    return betainc(a, b, x)

def bessel_i1e(x):
    from .scipy.special import i1e
    return i1e(x)


def platform_dependent(*args, default=None, **per_platform):
    """`lax.platform_dependent`: the branch for the platform that runs (the
    default backend here), else `default`."""
    from . import default_backend
    plat = default_backend()
    f = per_platform.get(plat) or per_platform.get({"gpu": "cuda"}.get(plat, plat)) or default
    if f is None:
        raise NotImplementedError(f"platform_dependent: no branch for platform {plat!r} and no default")
    return f(*args)


def composite(decomposition, name, version=0):
    """`lax.composite`: here the decomposition itself is what runs."""
    import functools
    @functools.wraps(decomposition)
    def wrapped(*args, **kwargs):
        return decomposition(*args, **kwargs)
    return wrapped

from ._solve import custom_linear_solve, custom_root  # noqa: E402,F401


def mulhi(x, y):
    """`lax.mulhi`: the high half of the full product of two 32-bit (or
    narrower) integers, by 16-bit limbs (no 64-bit type is needed)."""
    from . import numpy as jnp
    x, y = asarray(x), asarray(y)
    d = str(x.dtype)
    if d not in ("int32", "uint32"):
        raise TypeError(f"mulhi supports int32 and uint32 here, got {d}")
    ux, uy = (x, y) if d == "uint32" else (bitcast_convert_type(x, "uint32"), bitcast_convert_type(y, "uint32"))
    m = jnp.uint32(0xFFFF)
    xl, xh, yl, yh = ux & m, ux >> 16, uy & m, uy >> 16
    ll, hl, lh, hh = xl * yl, xh * yl, xl * yh, xh * yh
    cross = (ll >> 16) + (hl & m) + lh
    hi = hh + (hl >> 16) + (cross >> 16)
    if d == "uint32":
        return hi
    # signed: subtract y when x < 0 and x when y < 0 (two's complement)
    hi = hi - jnp.where(x < 0, uy, jnp.uint32(0)) - jnp.where(y < 0, ux, jnp.uint32(0))
    return bitcast_convert_type(hi, "int32")


def reduce_precision(operand, exponent_bits, mantissa_bits):
    """`lax.reduce_precision`: rounds to a float with the given exponent and
    mantissa widths (to nearest even; overflow to inf, underflow to zero,
    NaN kept), XLA's ReducePrecision, computed on the bits."""
    from . import numpy as jnp
    x = asarray(operand)
    d = str(x.dtype)
    if d in ("float16", "bfloat16"):
        return reduce_precision(x.astype("float32"), exponent_bits, mantissa_bits).astype(d)
    wide = d == "float64"
    ut, nm, ne = ("uint64", 52, 11) if wide else ("uint32", 23, 8)
    U = getattr(jnp, ut)
    bits = bitcast_convert_type(x, ut)
    if mantissa_bits < nm:
        shift = nm - mantissa_bits
        last = (bits >> U(shift)) & U(1)
        bias = U((1 << (shift - 1)) - 1) + last
        bits = (bits + bias) & ~U((1 << shift) - 1)
    if exponent_bits < ne:
        sign_mask = U(1 << (nm + ne))
        exp_bias = (1 << (ne - 1)) - 1
        reduced_max = (1 << (exponent_bits - 1)) - 1
        exp = (bits >> U(nm)) & U((1 << ne) - 1)
        overflow = exp > U(exp_bias + reduced_max)
        underflow = exp <= U(exp_bias - reduced_max)
        sign = bits & sign_mask
        inf = sign | U(((1 << ne) - 1) << nm)
        bits = jnp.where(overflow, inf, jnp.where(underflow, sign, bits))
    out = bitcast_convert_type(bits, d)
    return jnp.where(jnp.isnan(x), x, out)


# ---- shape helpers and composites of the ops above ----

def broadcast_like(arr, like_arr):
    """Broadcasts `arr` to the shape of `like_arr`."""
    from . import numpy as jnp
    return jnp.broadcast_to(arr, asarray(like_arr).shape)

def stack(operands, axis=0):
    from . import numpy as jnp
    return jnp.stack(operands, axis=axis)

def unstack(x, axis=0):
    from . import numpy as jnp
    x = asarray(x)
    return tuple(jnp.moveaxis(x, axis, 0))

def conv_shape_tuple(lhs_shape, rhs_shape, strides, pads, batch_group_count=1):
    """The output shape of a convolution in (N, C, spatial...) layout."""
    if isinstance(pads, str):
        pads = padtype_to_pads(lhs_shape[2:], rhs_shape[2:], strides, pads)
    if len(pads) != len(lhs_shape) - 2:
        raise TypeError(f"Wrong number of explicit pads for convolution: expected {len(lhs_shape) - 2}, got {len(pads)}.")
    # (this module's max/min are lax's)
    spatial = [(n + lo + hi - k) // s + 1 if n + lo + hi >= k else 0
               for n, k, s, (lo, hi) in zip(lhs_shape[2:], rhs_shape[2:], strides, pads)]
    return (lhs_shape[0] // batch_group_count, rhs_shape[0]) + tuple(int(d) for d in spatial)

def reduce_window_shape_tuple(operand_shape, window_dimensions, window_strides, padding, base_dilation=None,
                              window_dilation=None):
    """The output shape of `reduce_window` (padding: (low, high) pairs)."""
    base_dilation = base_dilation or (1,) * len(operand_shape)
    window_dilation = window_dilation or (1,) * len(operand_shape)
    out = []
    for n, w, s, (lo, hi), bd, wd in zip(operand_shape, window_dimensions, window_strides, padding, base_dilation,
                                         window_dilation):
        n = (n - 1) * bd + 1 + lo + hi if n else lo + hi
        w = (w - 1) * wd + 1
        out.append(_builtins.max((n - w) // s + 1, 0) if n >= w else 0)
    return tuple(out)

def conv_general_dilated_patches(lhs, filter_shape, window_strides, padding, lhs_dilation=None, rhs_dilation=None,
                                 dimension_numbers=None, precision=None, preferred_element_type=None):
    """Image patches flattened into the output's channel dimension (channel
    major, then the filter's spatial positions): JAX's construction, a
    grouped convolution with an identity kernel."""
    from . import numpy as jnp
    lhs = asarray(lhs)
    filter_shape = tuple(filter_shape)
    dn = conv_dimension_numbers(lhs.shape, (1, 1) + filter_shape, dimension_numbers)
    lhs_spec, rhs_spec, _ = dn
    spatial = int(_np.prod(filter_shape))
    channels = lhs.shape[lhs_spec[1]]
    rhs = jnp.broadcast_to(jnp.eye(spatial, dtype=lhs.dtype), (channels, spatial, spatial))
    rhs = rhs.reshape((channels * spatial, 1) + filter_shape)
    rhs = jnp.moveaxis(rhs, (0, 1), (rhs_spec[0], rhs_spec[1]))
    return conv_general_dilated(lhs, rhs, window_strides, padding, lhs_dilation=lhs_dilation,
                                rhs_dilation=rhs_dilation, dimension_numbers=dn, feature_group_count=channels,
                                preferred_element_type=preferred_element_type)

def ragged_dot(lhs, rhs, group_sizes, precision=None, preferred_element_type=None, group_offset=None, out_sharding=None):
    """`lax.ragged_dot`: rows of lhs [m, k] in consecutive groups of
    `group_sizes` [g], group i multiplied by rhs[i] [k, n]; rows past the
    groups give zeros."""
    from . import numpy as jnp
    if group_offset is not None:
        raise NotImplementedError("ragged_dot with group_offset is not supported yet")
    lhs, rhs, group_sizes = asarray(lhs), asarray(rhs), asarray(group_sizes)
    if lhs.ndim != 2 or rhs.ndim != 3 or group_sizes.ndim != 1 or rhs.shape[0] != group_sizes.shape[0] \
            or lhs.shape[1] != rhs.shape[1]:
        raise TypeError(f"ragged_dot expects lhs [m, k], rhs [g, k, n], group_sizes [g]; got {lhs.shape}, {rhs.shape}, "
                        f"{group_sizes.shape}")
    ends = jnp.cumsum(group_sizes)
    rows = jnp.arange(lhs.shape[0])
    group = jnp.sum(rows[:, None] >= ends[None, :], axis=1)  # each row's group (g: past the end)
    per_group = jnp.einsum("mk,gkn->gmn", lhs, rhs, preferred_element_type=preferred_element_type)
    mask = (group[None, :] == jnp.arange(rhs.shape[0])[:, None])[:, :, None]
    return jnp.sum(jnp.where(mask, per_group, 0), axis=0).astype(per_group.dtype)

def scatter_apply(operand, scatter_indices, func, dimension_numbers, *, update_shape=(), indices_are_sorted=False,
                  unique_indices=False, mode=None):
    """`func` applied to the elements of operand that the scatter addresses
    (each once), the others unchanged."""
    from . import numpy as jnp
    operand = asarray(operand)
    hit = scatter(jnp.zeros(operand.shape, "bool"), scatter_indices, jnp.ones(update_shape, "bool"), dimension_numbers,
                  indices_are_sorted=indices_are_sorted, unique_indices=unique_indices, mode=mode)
    return jnp.where(hit, func(operand), operand)
