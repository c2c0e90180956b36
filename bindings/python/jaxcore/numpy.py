"""`jaxcore.numpy`: jax.numpy's names over the engine's numpy layer."""

import numpy as _np

from ._core import (Array, asarray, op, op1, _reduce, _axes, dtype_code, FLAG_AXIS, FLAG_KEEPDIMS,
                    FLAG_ALT, FLAG_MIN, FLAG_MAX)

import builtins as _b
import operator as _operator
ndarray = Array
class _ScalarType(str):
    """A dtype name that, like `jnp.float32`, also makes arrays: `jnp.float32(3)`."""
    def __call__(self, x):
        return asarray(x, dtype=str(self))

    @property
    def dtype(self):
        return _np.dtype(str(self)) if str(self) != "bfloat16" else str(self)

    @property
    def __name__(self):
        return str(self)

bool_, int8, int16, int32, int64 = (_ScalarType(n) for n in ("bool", "int8", "int16", "int32", "int64"))
uint8, uint16, uint32, uint64 = (_ScalarType(n) for n in ("uint8", "uint16", "uint32", "uint64"))
float16, bfloat16, float32, float64 = (_ScalarType(n) for n in ("float16", "bfloat16", "float32", "float64"))
pi, e, inf, nan = _np.pi, _np.e, _np.inf, _np.nan
newaxis = None

def array(x, dtype=None, copy=True, order="K", ndmin=0, *, device=None):
    out = asarray(x, dtype)
    if ndmin > out.ndim:
        out = reshape(out, (1,) * (ndmin - out.ndim) + tuple(out.shape))
    return out

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
           "bitwise_not", "invert", "deg2rad", "rad2deg", "atleast_1d", "atleast_2d", "zeros_like", "ones_like"]:
    globals()[_n] = _unary(_n)
absolute = abs

def ravel(a, order="C"):
    """`jnp.ravel` (order 'F' reads the axes reversed)."""
    if order == "F":
        return op1("ravel", transpose(asarray(a)))
    if order not in ("C", "A", "K"):
        raise NotImplementedError(f"jnp.ravel order={order!r}")
    return op1("ravel", a)

for _n in ["add", "subtract", "multiply", "divide", "true_divide", "floor_divide", "remainder", "mod", "fmod", "power",
           "maximum", "minimum", "arctan2", "hypot", "logaddexp", "nextafter", "equal", "not_equal", "less",
           "less_equal", "greater", "greater_equal", "logical_and", "logical_or", "logical_xor", "bitwise_and",
           "bitwise_or", "bitwise_xor", "left_shift", "right_shift", "outer"]:
    globals()[_n] = _binary(_n)
pow = power


def _compiled(static_argnames=()):
    """Runs a composite function as one compiled program, as JAX's `@jit`
    on the same jnp function does: eager calls then round as JAX's (XLA
    fuses multiply-adds inside one program; op by op they round twice)."""
    def deco(f):
        cache = []
        def g(*args, **kwargs):
            if not cache:
                from ._api import jit
                cache.append(jit(f, static_argnames=static_argnames))
            return cache[0](*args, **kwargs)
        g.__name__, g.__doc__, g.__wrapped__ = f.__name__, f.__doc__, f
        return g
    return deco

_hypot_op, _logaddexp_op = hypot, logaddexp

@_compiled()
def hypot(x1, x2):
    """`jnp.hypot` (the engine's op, compiled whole as in JAX)."""
    return _hypot_op(x1, x2)

@_compiled()
def logaddexp(x1, x2):
    """`jnp.logaddexp` (the engine's construction with JAX's custom
    derivative, compiled whole as in JAX: eagerly one dispatch)."""
    return _logaddexp_op(x1, x2)

def _contraction(name):
    """jnp.matmul/dot/vdot/inner: `precision` changes nothing on CPU (f32 dots
    are computed in f32 there, as in JAX); `preferred_element_type` is the
    result type: a wider one is applied to the operands (int8 x int8 ->
    int32 does not overflow), a narrower one to the result."""
    def f(a, b, *, precision=None, preferred_element_type=None):
        if preferred_element_type is None:
            return op1(name, a, b)
        a, b = asarray(a), asarray(b)
        t = "bfloat16" if str(preferred_element_type) == "bfloat16" else _np.dtype(preferred_element_type).name
        if str(promote_types(result_type(a, b), t)) == t:
            return op1(name, a.astype(t), b.astype(t))
        return op1(name, a, b).astype(t)
    f.__name__ = name
    return f

for _n in ["matmul", "dot", "vdot", "inner"]:
    globals()[_n] = _contraction(_n)

def _red(name):
    def f(a, axis=None, keepdims=False, where=None):
        return _reduce(name, asarray(a), axis, keepdims, where)
    f.__name__ = name
    return f

sum, prod, max, min, mean = _red("sum"), _red("prod"), _red("max"), _red("min"), _red("mean")
amax, amin = max, min

def all(a, axis=None, out=None, keepdims=False, *, where=None):
    return _reduce("all", asarray(a), axis, keepdims, where)

def any(a, axis=None, out=None, keepdims=False, *, where=None):
    return _reduce("any", asarray(a), axis, keepdims, where)

def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None, correction=None):
    ddof = ddof if correction is None else correction
    if dtype is not None:
        a = asarray(a).astype(dtype)
    if where is not None:
        a = asarray(a)
        w = broadcast_to(asarray(where), a.shape)
        n = sum(w, axis, keepdims=True)
        m = divide(sum(where_(w, a, 0), axis, keepdims=True), n)
        d = where_(w, subtract(a, m), 0)
        r = divide(sum(multiply(d, d), axis, keepdims=True), subtract(n, ddof))
        return r if keepdims else (reshape(r, ()) if axis is None else squeeze(r, axis))
    ints, flags = _axes(axis)
    return op1("var", a, ints=ints, floats=[ddof], flags=flags | (FLAG_KEEPDIMS if keepdims else 0))

def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None, correction=None):
    if where is not None or dtype is not None:
        return sqrt(var(a, axis, dtype, None, ddof, keepdims, where=where, correction=correction))
    ddof = ddof if correction is None else correction
    ints, flags = _axes(axis)
    return op1("std", a, ints=ints, floats=[ddof], flags=flags | (FLAG_KEEPDIMS if keepdims else 0))

def argmax(a, axis=None, keepdims=False):
    ints, flags = _axes(axis)
    return op1("argmax", a, ints=ints, flags=flags | (FLAG_KEEPDIMS if keepdims else 0))

def argmin(a, axis=None, keepdims=False):
    ints, flags = _axes(axis)
    return op1("argmin", a, ints=ints, flags=flags | (FLAG_KEEPDIMS if keepdims else 0))

def _cum(name):
    def f(a, axis=None, dtype=None, out=None):
        a = asarray(a)
        if dtype is not None and _is_bool_dtype(dtype):
            # boolean accumulation is a running or (cumsum) / and (cumprod), as JAX's
            return f(a.astype("bool").astype("int32"), axis) > 0
        if dtype is not None:
            a = a.astype(dtype)
        ints, flags = _axes(axis)
        return op1(name, a, ints=ints, flags=flags)
    f.__name__ = name
    return f

cumsum, cumprod = _cum("cumsum"), _cum("cumprod")

def reshape(a, shape=None, order="C", *, newshape=None, copy=None):
    a = asarray(a)
    shape = newshape if shape is None else shape
    if order == "F":  # Fortran order: reverse the axes around a C-order reshape
        shp = (shape,) if isinstance(shape, int) else tuple(shape)
        return transpose(transpose(a).reshape(shp[::-1]))
    if order not in ("C", "A"):
        raise NotImplementedError(f"jnp.reshape order={order!r}")
    return a.reshape(shape)

def transpose(a, axes=None):
    ints, flags = _axes(axes)
    return op1("transpose", a, ints=ints, flags=flags)

def swapaxes(a, a1, a2): return op1("swapaxes", a, ints=[a1, a2])
def moveaxis(a, source, destination):
    if isinstance(source, int) and isinstance(destination, int):
        return op1("moveaxis", a, ints=[source, destination])
    a = asarray(a)
    src = [int(v) % a.ndim for v in (source if isinstance(source, (tuple, list)) else [source])]
    dst = [int(v) % a.ndim for v in (destination if isinstance(destination, (tuple, list)) else [destination])]
    if len(src) != len(dst):
        raise ValueError("Inconsistent number of elements: {} vs {}".format(len(src), len(dst)))
    rest = [i for i in range(a.ndim) if i not in src]
    perm = [None] * a.ndim
    for s_, d_ in zip(src, dst):
        perm[d_] = s_
    it = iter(rest)
    return transpose(a, [p if p is not None else next(it) for p in perm])
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

def repeat(a, repeats, axis=None, *, total_repeat_length=None):
    if _np.ndim(repeats) == 0 and not hasattr(repeats, "_h"):
        return op1("repeat", a, ints=[int(repeats)] + ([] if axis is None else [axis]), flags=0 if axis is None else FLAG_AXIS)
    # per-element counts: gather with the repeated indices (counts must be concrete)
    a = asarray(a)
    if axis is None:
        a, axis = ravel(a), 0
    try:
        reps = _np.asarray(repeats).astype(_np.int64)
    except Exception:
        raise NotImplementedError("jnp.repeat with traced per-element repeats is not supported yet")
    n = a.shape[axis]
    idx = _np.repeat(_np.arange(n), _np.broadcast_to(reps, (n,)))
    if total_repeat_length is not None:
        idx = _np.resize(idx, total_repeat_length) if len(idx) else _np.zeros(total_repeat_length, _np.int64)
    return take(a, asarray(idx.astype(_np.int32)), axis=axis)

def flip(a, axis=None):
    ints, flags = _axes(axis)
    return op1("flip", a, ints=ints, flags=flags)

def roll(a, shift, axis=None):
    if isinstance(shift, (tuple, list)) or isinstance(axis, (tuple, list)):
        shifts = shift if isinstance(shift, (tuple, list)) else [shift] * len(axis)
        axes = axis if isinstance(axis, (tuple, list)) else [axis] * len(shifts)
        if len(shifts) != len(axes):
            raise ValueError("shift and axis must have the same length")
        out = asarray(a)
        for sh, ax in zip(shifts, axes):
            out = roll(out, sh, ax)
        return out
    if isinstance(shift, Array) and shift._is_tracer():
        # a traced shift: gather with the rotated indices (JAX takes those too)
        a = asarray(a)
        x = ravel(a) if axis is None else a
        ax = 0 if axis is None else axis % x.ndim
        n = x.shape[ax]
        if n == 0:
            return a
        idx = remainder(arange(n) - shift.astype("int32"), n)
        out = take(x, idx, axis=ax)
        return out.reshape(a.shape) if axis is None else out
    return op1("roll", a, ints=[shift] + ([] if axis is None else [axis]), flags=0 if axis is None else FLAG_AXIS)

def sort(a, axis=-1, *, kind=None, order=None, stable=True, descending=False):
    if iscomplexobj(a):
        a = asarray(a)
        if axis is None:
            a, axis = ravel(a), -1
        out = take_along_axis(a, _complex_argsort(a, axis), axis)
        return flip(out, axis) if descending else out
    ints, flags = _axes(axis)
    out = op1("sort", a, ints=ints, flags=flags)
    return flip(out, axis) if descending else out

def argsort(a, axis=-1, *, kind=None, order=None, stable=True, descending=False):
    """Stable (equal keys keep their order), as JAX's default."""
    if iscomplexobj(a):
        a = asarray(a)
        if axis is None:
            a, axis = ravel(a), -1
        idx = _complex_argsort(a, axis)
        return flip(idx, axis) if descending else idx
    ints, flags = _axes(axis)
    return op1("argsort", a, ints=ints, flags=flags | (FLAG_ALT if descending else 0))

def _complex_argsort(a, axis):
    """Complex numbers order by real part, then imaginary part (numpy's and JAX's order)."""
    from . import lax
    axis = axis % a.ndim
    iota = lax.broadcasted_iota("int32", a.shape, axis)
    return lax.sort((real(a), imag(a), iota), dimension=axis, num_keys=2)[2]

def where(c, x=None, y=None, *, size=None, fill_value=None):
    if x is None and y is None:
        return nonzero(c, size=size, fill_value=fill_value)
    if x is None or y is None:
        raise ValueError("Either both or neither of the x and y arguments should be provided to jax.numpy.where, got {} and {}.".format(x, y))
    return where_(c, x, y)

def where_(c, x, y):
    """The three-argument where (for functions whose `where=` keyword hides `where`)."""
    return op1("where", c, x, y)

def clip(a, a_min=None, a_max=None, *, min=None, max=None):
    a_min = min if a_min is None else a_min
    a_max = max if a_max is None else a_max
    args = [a] + [v for v in (a_min, a_max) if v is not None]
    return op1("clip", *args, flags=(FLAG_MIN if a_min is not None else 0) | (FLAG_MAX if a_max is not None else 0))

def einsum(subscripts, *operands, optimize=None, precision=None, preferred_element_type=None, _dot_general=None):
    """`jnp.einsum` (string subscripts; `...` broadcasts as in numpy)."""
    if "..." in subscripts:
        subscripts, operands = _einsum_ellipsis(subscripts, [asarray(o) for o in operands])
    if _b.any(len(set(t)) != len(t) for t in subscripts.replace(" ", "").partition("->")[0].split(",")):
        subscripts, operands = _einsum_diagonals(subscripts, [asarray(o) for o in operands])
    out = op1("einsum", *operands, s=subscripts)
    return out if preferred_element_type is None else out.astype(preferred_element_type)

def _einsum_diagonals(subscripts, ops):
    """A label repeated within one operand ("ii", "iji") reads its diagonal:
    taken here, so the engine sees each label once per operand."""
    lhs, arrow, rhs = subscripts.replace(" ", "").partition("->")
    ins = lhs.split(",")
    if not arrow:
        flat = "".join(ins)
        rhs = "".join(_b.sorted(c for c in _b.set(flat) if flat.count(c) == 1))
    new_ins, new_ops = [], []
    for t, o in zip(ins, ops):
        while len(set(t)) != len(t):
            c = next(ch for ch in t if t.count(ch) > 1)
            i = t.index(c)
            j = t.index(c, i + 1)
            o = diagonal(o, 0, i, j)
            t = t[:i] + t[i + 1:j] + t[j + 1:] + c
        new_ins.append(t)
        new_ops.append(o)
    return ",".join(new_ins) + "->" + rhs, new_ops

def _einsum_ellipsis(subscripts, ops):
    """Spells `...` out with unused letters (right-aligned across operands);
    a size-1 broadcast dimension is dropped from the operand that has it."""
    import string
    s = subscripts.replace(" ", "")
    lhs, arrow, rhs = s.partition("->")
    ins = lhs.split(",")
    if len(ins) != len(ops):
        raise ValueError(f"einsum: {len(ins)} operand subscripts for {len(ops)} operands")
    used = {c for c in s if c.isalpha()}
    free = [c for c in string.ascii_letters if c not in used]
    counts = [_b.max(o.ndim - (len(t) - 3), 0) if "..." in t else 0 for t, o in zip(ins, ops)]
    n = _b.max(counts, default=0)
    ell = "".join(free[:n])
    sizes = {}
    new_ins, new_ops = [], []
    for t, o, k in zip(ins, ops, counts):
        if "..." in t:
            letters = ell[n - k:]
            for i, c in enumerate(letters):
                sizes[c] = _b.max(sizes.get(c, 1), o.shape[i])
    for t, o, k in zip(ins, ops, counts):
        if "..." in t:
            letters = ell[n - k:]
            drop = [i for i, c in enumerate(letters) if o.shape[i] == 1 and sizes[c] > 1]
            if drop:
                o = squeeze(o, axis=tuple(drop))
                letters = "".join(c for i, c in enumerate(letters) if i not in drop)
            t = t.replace("...", letters)
        new_ins.append(t)
        new_ops.append(o)
    if arrow:
        out = rhs.replace("...", ell)
    else:
        flat = "".join(new_ins)
        out = ell + "".join(_b.sorted(c for c in _b.set(flat) if flat.count(c) == 1 and c not in ell))
    return ",".join(new_ins) + "->" + out, new_ops
def tensordot(a, b, axes=2, *, precision=None, preferred_element_type=None):
    """`jnp.tensordot`: axes an int (last/first dims) or a pair of axis lists."""
    if isinstance(axes, (int, _np.integer)):
        return op1("tensordot", a, b, ints=[int(axes)])
    from . import lax
    a, b = asarray(a), asarray(b)
    ax_a, ax_b = axes
    ax_a = [int(ax_a)] if _np.ndim(ax_a) == 0 else [int(v) for v in ax_a]
    ax_b = [int(ax_b)] if _np.ndim(ax_b) == 0 else [int(v) for v in ax_b]
    if len(ax_a) != len(ax_b):
        raise TypeError(f"tensordot requires axes lists to have equal length, got {ax_a} and {ax_b}.")
    dt = (zeros((), a.dtype) * zeros((), b.dtype)).dtype
    a, b = a.astype(dt), b.astype(dt)
    return lax.dot_general(a, b, (([v % a.ndim for v in ax_a], [v % b.ndim for v in ax_b]), ([], [])))
def tril(a, k=0): return op1("tril", a, ints=[k])
def triu(a, k=0): return op1("triu", a, ints=[k])

def pad(a, pad_width, mode="constant", constant_values=0, **kwargs):
    """`jnp.pad` with numpy's modes (constant, edge, reflect, symmetric,
    wrap, linear_ramp, maximum, minimum, mean, median, empty)."""
    a = asarray(a)
    pw = _np.broadcast_to(_np.asarray(pad_width, dtype=_np.int64), (a.ndim, 2))
    if mode == "empty":
        mode, constant_values = "constant", 0
    if mode == "constant" and _np.ndim(constant_values) == 0 and not hasattr(constant_values, "_h"):
        return op1("pad", a, ints=[int(v) for v in pw.reshape(-1)], floats=[constant_values])
    if mode in ("constant", "linear_ramp", "maximum", "minimum", "mean", "median"):
        return _pad_blocks(a, pw, mode, constant_values, kwargs)
    if mode not in ("edge", "reflect", "symmetric", "wrap"):
        raise ValueError(f"Unimplemented padding mode '{mode}' for np.pad.")
    for ax in range(a.ndim):
        lo, hi = int(pw[ax][0]), int(pw[ax][1])
        n = a.shape[ax]
        if lo == 0 and hi == 0:
            continue
        if n == 0:
            raise ValueError(f"can't extend empty axis {ax} using modes other than 'constant'")
        idx = _np.arange(-lo, n + hi)
        if mode == "edge":
            idx = _np.clip(idx, 0, n - 1)
        elif mode == "wrap":
            idx = idx % n
        else:
            period = 2 * (n - 1) if mode == "reflect" else 2 * n
            if period == 0:
                idx = _np.zeros_like(idx)
            else:
                idx = idx % period
                idx = _np.where(idx >= n, period - idx - (0 if mode == "reflect" else 1), idx)
        a = take(a, asarray(idx.astype(_np.int32)), axis=ax)
    return a

def _pad_blocks(a, pw, mode, constant_values, kwargs):
    """Pads axis by axis with blocks built from the values: per-axis
    constants, a linear ramp to `end_values`, or a statistic of the
    `stat_length` edge values (mean and median rounded for integer arrays)."""
    def per_axis(v):
        return _np.broadcast_to(_np.asarray(v, dtype=_np.float64), (a.ndim, 2))
    is_int = not str(a.dtype).startswith(("float", "bfloat"))
    for ax in range(a.ndim):
        lo, hi = int(pw[ax][0]), int(pw[ax][1])
        if lo == 0 and hi == 0:
            continue
        n = a.shape[ax]
        edge_shape = lambda k: tuple(k if d == ax else s_ for d, s_ in enumerate(a.shape))
        if mode == "constant":
            cv = per_axis(constant_values)[ax]
            blocks = [full(edge_shape(lo), cv[0], a.dtype), full(edge_shape(hi), cv[1], a.dtype)]
        elif mode == "linear_ramp":
            ev = per_axis(kwargs.get("end_values", 0))[ax]
            ft = a.dtype if not is_int else "float32"
            first, last = take(a, asarray([0]), axis=ax).astype(ft), take(a, asarray([n - 1]), axis=ax).astype(ft)
            shp = [1] * a.ndim
            def ramp(start, stop, k, reverse):
                t = reshape(arange(k, dtype=ft) / _b.max(k, 1), [k if d == ax else 1 for d in range(a.ndim)])
                r = start + (stop - start) * t
                return flip(r, ax) if reverse else r
            lo_b = ramp(asarray(ev[0], ft), first, lo, False)
            hi_b = ramp(asarray(ev[1], ft), last, hi, True)
            blocks = [(floor(b_) if is_int else b_).astype(a.dtype) for b_ in (lo_b, hi_b)]  # ints floor, as JAX's linspace
        else:
            if n == 0:
                raise ValueError(f"can't extend empty axis {ax} using modes other than 'constant' or 'empty'")
            sl = kwargs.get("stat_length")
            sl = _np.broadcast_to(_np.asarray(n if sl is None else sl, dtype=_np.int64), (a.ndim, 2))[ax]
            stat = {"maximum": max, "minimum": min, "mean": mean, "median": median}[mode]
            def edge_stat(idx):
                v = stat(take(a, asarray(idx.astype(_np.int32)), axis=ax), axis=ax, keepdims=True)
                return (round(v) if is_int and mode in ("mean", "median") else v).astype(a.dtype)
            k_lo, k_hi = _b.max(1, _b.min(int(sl[0]), n)), _b.max(1, _b.min(int(sl[1]), n))
            blocks = [broadcast_to(edge_stat(_np.arange(k_lo)), edge_shape(lo)),
                      broadcast_to(edge_stat(_np.arange(n - k_hi, n)), edge_shape(hi))]
        a = concatenate([blocks[0], a, blocks[1]], axis=ax)
    return a

def zeros(shape, dtype=None): return op1("zeros", ints=_shape(shape), dtype=dtype)
def ones(shape, dtype=None): return op1("ones", ints=_shape(shape), dtype=dtype)
def full(shape, fill_value, dtype=None):
    if dtype is None:  # the fill value's type (weak for Python scalars), as JAX
        return broadcast_to(asarray(fill_value), tuple(_shape(shape)))
    return op1("full", ints=_shape(shape), floats=[fill_value], dtype=dtype)
def full_like(a, fill_value): return op1("full_like", a, floats=[fill_value])
def eye(n, m=None, k=0, dtype=None): return op1("eye", ints=[n, -1 if m is None else m, k], dtype=dtype)
def identity(n, dtype=None): return eye(n, dtype=dtype)

def arange(start, stop=None, step=1, dtype=None):
    if stop is None:
        start, stop = 0, start
    if dtype is None and _b.any(isinstance(v, float) or (isinstance(v, _np.ndarray) and v.dtype.kind == "f") for v in (start, stop, step)):
        dtype = "float64" if _x64() else "float32"
    return op1("arange", floats=[float(start), float(stop), float(step)], dtype=dtype)

def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0, *, device=None):
    if isinstance(start, Array) or isinstance(stop, Array) or _np.ndim(start) or _np.ndim(stop) or axis != 0:
        # array (or traced) endpoints: start * (1 - t) + stop * t along a new
        # axis, JAX's formula; integer dtypes take the floor, as JAX's
        s, e = asarray(start), asarray(stop)
        tdt = dtype if dtype is not None and issubdtype(dtype, _np.inexact) else None
        t = op1("linspace", ints=[num], floats=[0.0, 1.0], dtype=tdt, flags=0 if endpoint else FLAG_ALT)
        t = reshape(t, (num,) + (1,) * _b.max(s.ndim, e.ndim))
        out = moveaxis(add(multiply(s, subtract(1, t)), multiply(e, t)), 0, axis)
        if dtype is not None:
            out = (floor(out) if issubdtype(dtype, _np.integer) else out).astype(dtype)
    else:
        out = op1("linspace", ints=[num], floats=[start, stop], dtype=dtype, flags=0 if endpoint else FLAG_ALT)
    if retstep:
        div_ = (num - 1) if endpoint else num
        step = divide(subtract(asarray(stop), asarray(start)), div_) if div_ > 0 else asarray(_np.nan)
        return out, asarray(step).astype(out.dtype)
    return out

def _shape(s):
    return list(s) if isinstance(s, (tuple, list)) else [s]

def take(a, indices, axis=None, out=None, mode=None, unique_indices=False, indices_are_sorted=False, fill_value=None):
    """`jnp.take`: by default (mode 'fill') out-of-range indices give
    `fill_value` (NaN for floats); 'clip' clamps, 'wrap' wraps."""
    if mode == "promise_in_bounds":
        ints, flags = _axes(axis)
        return op1("take", a, indices, ints=ints, flags=flags)
    a, idx = asarray(a), asarray(indices)
    if axis is None:
        a, axis = ravel(a), 0
    axis = axis % a.ndim
    n = a.shape[axis]
    if mode == "wrap":
        return take(a, remainder(idx, n), axis=axis, mode="promise_in_bounds")
    if mode == "clip":  # clamped as given (a negative index is not counted from the end)
        return take(a, clip(idx, 0, n - 1), axis=axis, mode="promise_in_bounds")
    if mode not in (None, "fill"):
        raise ValueError(f"Invalid mode for jnp.take: {mode!r}")
    # JAX's default: negative indices count from the end; out of range gives fill_value
    ok = logical_and(greater_equal(idx, -n), less(idx, n))
    got = take(a, where_(ok, idx, 0), axis=axis, mode="promise_in_bounds")
    okb = reshape(ok, (1,) * axis + tuple(idx.shape) + (1,) * (a.ndim - axis - 1))
    fill_value = _default_fill(a.dtype) if fill_value is None else fill_value
    return where_(okb, got, asarray(fill_value, got.dtype))

def _default_fill(dtype):
    """JAX's fill for out-of-bound reads: NaN for inexact types, the minimum
    of signed and the maximum of unsigned integers, True for booleans."""
    if not isinstance(dtype, _np.dtype) or _np.issubdtype(dtype, _np.inexact):
        return _np.nan
    if dtype == _np.bool_:
        return True
    return _np.iinfo(dtype).min if _np.issubdtype(dtype, _np.signedinteger) else _np.iinfo(dtype).max

def take_along_axis(a, indices, axis): return op1("take_along_axis", a, indices, ints=[axis])

@_compiled(static_argnames=("ord", "axis", "keepdims"))
def _norm(x, ord=None, axis=None, keepdims=False):
    return linalg._norm_ops(x, ord, axis, keepdims)

class linalg:
    @staticmethod
    def norm(x, ord=None, axis=None, keepdims=False):
        """`jnp.linalg.norm`, compiled whole as JAX's (its eager bits are
        then JAX's: XLA fuses the squares into the sum)."""
        return _norm(x, ord=ord, axis=tuple(axis) if isinstance(axis, list) else axis, keepdims=keepdims)

    @staticmethod
    def _norm_ops(x, ord, axis, keepdims):
        x = asarray(x)
        if axis is None and ord is not None and x.ndim == 2:
            axis = (0, 1)  # numpy: a matrix norm when ord is given for a 2-d array
        if isinstance(axis, int):
            axis = (axis,)
        if axis is not None and len(axis) == 2 and ord not in (None, "fro"):
            return _matrix_norm_ord(x, ord, tuple(a % x.ndim for a in axis), keepdims)
        if ord in ("fro", "nuc") and (axis is None and x.ndim != 2 or axis is not None and len(axis) != 2):
            raise ValueError(f"Invalid order '{ord}' for vector norm.")
        ints, flags = _axes(axis)
        return op1("linalg.norm", x, ints=ints, floats=[] if ord in (None, "fro") else [float(ord)],
                   flags=flags | (FLAG_KEEPDIMS if keepdims else 0))

def _matrix_norm_ord(x, ord, axes, keepdims):
    """Matrix norms over `axes` (r, c): 1/-1 (extreme column sums), inf/-inf
    (extreme row sums), 2/-2 (extreme singular values), 'nuc' (their sum)."""
    r, c = axes
    if ord in (1, -1, _np.inf, -_np.inf):
        col = ord in (1, -1)
        s = sum(abs(x), axis=r if col else c, keepdims=True)
        red = max if ord > 0 else min
        out = red(s, axis=c if col else r, keepdims=True)
    elif ord in (2, -2, "nuc"):
        sv = linalg.svdvals(moveaxis(x, (r, c), (-2, -1)))
        out = sum(sv, axis=-1) if ord == "nuc" else (max(sv, axis=-1) if ord == 2 else min(sv, axis=-1))
        return expand_dims(out, tuple(sorted((r, c)))) if keepdims else out
    else:
        raise ValueError(f"Invalid order '{ord}' for matrix norm.")
    return out if keepdims else squeeze(out, (r, c))

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
        elif isinstance(i, (int, _np.integer)) and not isinstance(i, _b.bool):
            ints += [0, int(i), 0, 0]
        else:
            ints += [4, 0, 0, 0]
            if isinstance(i, (list, tuple, range)) and len(i) == 0:
                i = _np.zeros(0, _np.int32)  # an empty index list is an empty integer index
            arrays.append(asarray(i))
    return ints, arrays

def _getitem(x, idx):
    ints, arrays = _index_spec(idx)
    return op1("getitem", x, *arrays, ints=ints)

def _clip_index(x, idx):
    """The integer parts of an index, wrapped (negative) and clamped into
    their dimension, for `.at[].set(..., mode="clip")`."""
    idx = idx if isinstance(idx, tuple) else (idx,)
    shape = tuple(asarray(x).shape)
    consuming = _b.sum(0 if (i is None or i is Ellipsis) else (asarray(i).ndim if _is_bool_index(i) else 1) for i in idx)
    out, d = [], 0
    for i in idx:
        if i is None:
            out.append(i)
        elif i is Ellipsis:
            out.append(i)
            d += len(shape) - consuming
        elif isinstance(i, slice) or _is_bool_index(i):
            out.append(i)
            d += 1 if isinstance(i, slice) else asarray(i).ndim
        else:
            n = shape[d]
            j = asarray(i)
            out.append(clip(where(less(j, 0), j + n, j), 0, n - 1))
            d += 1
    return tuple(out)

def _is_bool_index(i):
    return isinstance(i, _b.bool) or (hasattr(i, "dtype") and str(i.dtype) == "bool") or (
        isinstance(i, (list, tuple)) and len(i) > 0 and _b.all(isinstance(v, _b.bool) for v in i))

class _AtIndexer:
    def __init__(self, x):
        self.x = x

    def __getitem__(self, idx):
        return _At(self.x, idx)

class _At:
    def __init__(self, x, idx):
        self.x, self.idx = x, idx

    def _upd(self, name, v, mode=None, indices_are_sorted=False, unique_indices=False):
        # out-of-bound updates are dropped (JAX's default) or, with mode="clip", clamped
        if mode not in (None, "drop", "promise_in_bounds", "fill", "clip"):
            raise ValueError(f"Unknown gather mode \"{mode}\"")
        idx = _clip_index(self.x, self.idx) if mode == "clip" else self.idx
        ints, arrays = _index_spec(idx)
        return op1(name, self.x, v, *arrays, ints=ints)

    def set(self, v, **kw): return self._upd("at_set", v, **kw)
    def add(self, v, **kw): return self._upd("at_add", v, **kw)
    def multiply(self, v, **kw): return self._upd("at_multiply", v, **kw)
    def mul(self, v, **kw): return self._upd("at_multiply", v, **kw)
    def min(self, v, **kw): return self._upd("at_min", v, **kw)
    def max(self, v, **kw): return self._upd("at_max", v, **kw)
    def subtract(self, v, **kw): return self._upd("at_add", negative(asarray(v)), **kw)

    def divide(self, v, **kw):
        """x / (ones scattered-multiplied by v), as JAX builds it."""
        return divide(self.x, _At(ones_like(self.x), self.idx).multiply(v, **kw))

    def power(self, v, **kw):
        return power(self.x, _At(ones_like(self.x), self.idx).multiply(v, **kw))

    def apply(self, func, **kw):
        """`func` applied to the indexed elements (once each, also where an
        index repeats)."""
        touched = _At(zeros(shape(self.x), "bool"), self.idx)._upd("at_set", True, **kw)
        return where(touched, func(self.x), self.x)

    def get(self, mode=None, fill_value=None, indices_are_sorted=False, unique_indices=False):
        if mode in (None, "clip", "promise_in_bounds") or (mode != "fill" and fill_value is None):
            return _getitem(self.x, self.idx)  # out-of-bound reads are clamped
        if mode != "fill":
            raise ValueError(f"invalid mode {mode!r} for .at[].get (expected 'fill', 'clip' or 'promise_in_bounds')")
        return _get_fill(self.x, self.idx, fill_value)

def _get_fill(x, idx, fill_value):
    """`x.at[idx].get(mode="fill")` for indices made of integers and integer
    arrays (the usual case): in-bounds reads, `fill_value` elsewhere."""
    idx = idx if isinstance(idx, tuple) else (idx,)
    x = asarray(x)
    if builtins_any(i is None or i is Ellipsis or isinstance(i, slice) or isinstance(i, _b.bool) for i in idx) or len(idx) > x.ndim:
        raise NotImplementedError("x.at[idx].get(mode='fill') supports integer and integer-array indices only")
    ok = None
    for d, i in enumerate(idx):
        i = asarray(i)
        n = x.shape[d]
        m = logical_and(greater_equal(i, -n), less(i, n))
        ok = m if ok is None else logical_and(ok, m)
    out = _getitem(x, idx)
    fill_value = _default_fill(x.dtype) if fill_value is None else fill_value
    ok = reshape(ok, ok.shape + (1,) * (out.ndim - ok.ndim))
    return where(ok, out, asarray(fill_value, dtype=out.dtype))

# --- more of jax.numpy, composed of the engine's ops above (as jax.numpy
# composes lax): dtype helpers, creation, elementwise, reductions, shapes.

dtype = _np.dtype
class _BFloat16Info:
    """`jnp.finfo(jnp.bfloat16)` (numpy has no bfloat16): 8 exponent bits, 7 mantissa bits."""
    bits, nmant, nexp, precision, dtype = 16, 7, 8, 2, "bfloat16"
    eps = epsneg = _np.float32(2.0 ** -7)
    resolution = _np.float32(0.01)
    max = _np.float32(3.3895313892515355e38)
    min = -max
    tiny = smallest_normal = _np.float32(2.0 ** -126)
    smallest_subnormal = _np.float32(2.0 ** -133)
    minexp, maxexp = -126, 128

    def __repr__(self):
        return f"finfo(resolution={self.resolution}, min={self.min:.5e}, max={self.max:.5e}, dtype=bfloat16)"

def finfo(dtype):
    d = getattr(dtype, "dtype", dtype)
    if str(d) == "bfloat16":
        return _BFloat16Info()
    return _np.finfo(_np.dtype(d) if not isinstance(d, type) else d)

def iinfo(int_type):
    return _np.iinfo(getattr(int_type, "dtype", int_type))
integer, floating, number, inexact, signedinteger, unsignedinteger = _np.integer, _np.floating, _np.number, _np.inexact, _np.signedinteger, _np.unsignedinteger
complexfloating = _np.complexfloating
complex64, complex128 = _np.dtype("complex64"), _np.dtype("complex128")
csingle, cdouble, complex_ = complex64, complex128, complex128
float_ = "float64"
int_ = "int64"

def issubdtype(a, b):
    if str(a) == "key<fry>":  # typed keys: the extended dtype family jax.dtypes.prng_key
        return str(b) == "key<fry>" or getattr(b, "__name__", None) in ("prng_key", "extended")
    if a == "bfloat16":
        return b in (_np.floating, _np.inexact, _np.number, _np.generic) or b == "bfloat16"
    return _np.issubdtype(_np.dtype(a), b)

def isdtype(d, kind):
    kinds = {"bool": _np.bool_, "signed integer": _np.signedinteger, "unsigned integer": _np.unsignedinteger,
             "integral": _np.integer, "real floating": _np.floating, "numeric": _np.number}
    ks = kind if isinstance(kind, tuple) else (kind,)
    return builtins_any(issubdtype(d, kinds.get(k, k)) for k in ks)

import builtins as _b
builtins_any = _b.any

def result_type(*args):
    xs = []
    for a in args:
        if isinstance(a, str) or isinstance(a, _np.dtype) or isinstance(a, type):
            xs.append(zeros((), a))
        else:
            xs.append(asarray(a))
    return _np.dtype(_reduce_dtype(xs)) if _reduce_dtype(xs) != "bfloat16" else "bfloat16"

def _reduce_dtype(xs):
    # the engine's promotion on empty stand-ins (any shapes, weak types kept)
    out = ravel(xs[0])[:0]
    for x in xs[1:]:
        out = add(out, ravel(x)[:0])
    return out.dtype

def promote_types(a, b):
    return _reduce_dtype([zeros((), a), zeros((), b)])

def can_cast(from_, to, casting="safe"):
    return _np.can_cast(from_, to, casting)

def astype(x, dtype, copy=False):
    return asarray(x).astype(dtype)

def copy(a):
    return positive(asarray(a)) if asarray(a).dtype != _np.bool_ else logical_or(a, False)

def empty(shape, dtype=None):
    return zeros(shape, dtype)

def empty_like(a, dtype=None, shape=None):
    return zeros_like_(a, dtype, shape)

def zeros_like_(a, dtype=None, shape=None):
    a = asarray(a)
    return zeros(a.shape if shape is None else shape, dtype or a.dtype)

_zeros_like, _ones_like = zeros_like, ones_like

def zeros_like(a, dtype=None, shape=None):
    if dtype is None and shape is None:
        return _zeros_like(asarray(a))
    return zeros_like_(a, dtype, shape)

def ones_like(a, dtype=None, shape=None):
    if dtype is None and shape is None:
        return _ones_like(asarray(a))
    a = asarray(a)
    return ones(a.shape if shape is None else shape, dtype or a.dtype)

_full_like = full_like

def full_like(a, fill_value, dtype=None, shape=None):
    if dtype is None and shape is None:
        return _full_like(a, fill_value)
    a = asarray(a)
    return full(a.shape if shape is None else shape, fill_value, dtype or a.dtype)

def shape(a):
    return asarray(a).shape

def ndim(a):
    return asarray(a).ndim

def size(a, axis=None):
    a = asarray(a)
    return a.size if axis is None else a.shape[axis]

def isscalar(x):
    return _np.isscalar(x) or (isinstance(x, Array) and x.ndim == 0)

def logspace(start, stop, num=50, endpoint=True, base=10.0, dtype=None):
    return power(base, linspace(start, stop, num, endpoint, dtype))

def meshgrid(*xi, indexing="xy"):
    xs = [ravel(asarray(x)) for x in xi]
    n = len(xs)
    shapes = [x.shape[0] for x in xs]
    if indexing == "xy" and n >= 2:
        shapes[0], shapes[1] = shapes[1], shapes[0]
    out = []
    for i, x in enumerate(xs):
        ax = i
        if indexing == "xy" and n >= 2 and i < 2:
            ax = 1 - i
        s = [1] * n
        s[ax] = x.shape[0]
        out.append(broadcast_to(reshape(x, s), shapes))
    return out

def tri(N, M=None, k=0, dtype=None):
    M = N if M is None else M
    return asarray(greater_equal(arange(N)[:, None] + k, arange(M)[None, :]), dtype or float32)

def diag(v, k=0):
    v = asarray(v)
    if v.ndim == 1:
        m = v.shape[0]
        n = m + _b.abs(k)
        i = arange(m)
        return zeros((n, n), v.dtype).at[i + _b.max(-k, 0), i + _b.max(k, 0)].set(v)
    return diagonal(v, k)

def diagonal(a, offset=0, axis1=0, axis2=1):
    a = asarray(a)
    nd = a.ndim
    a1, a2 = axis1 % nd, axis2 % nd
    perm = [i for i in range(nd) if i not in (a1, a2)] + [a1, a2]
    a = transpose(a, perm)
    n, m = a.shape[-2], a.shape[-1]
    k = _b.max(0, _b.min(n, m - offset) if offset >= 0 else _b.min(n + offset, m))
    i = arange(k)
    r, c = (i, i + offset) if offset >= 0 else (i - offset, i)
    return a[..., r, c]

def trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    return sum(diagonal(a, offset, axis1, axis2), axis=-1, dtype=dtype)

def fabs(x): return abs(x)
def rint(x): return op1("lax.round", asarray(x).astype(asarray(x).dtype) if issubdtype(asarray(x).dtype, _np.floating) else asarray(x), flags=FLAG_ALT)
def round(a, decimals=0, out=None):
    return op1("round", a, ints=[int(decimals)])
around = round
def fix(x): return trunc(x)
def signbit(x):
    x = asarray(x)
    return less(copysign(1.0, x), 0) if issubdtype(x.dtype, _np.floating) else less(x, 0)
def copysign(x1, x2):
    x1, x2 = asarray(x1), asarray(x2)
    neg = less(x2, 0) if not issubdtype(x2.dtype, _np.floating) else logical_or(less(x2, 0), logical_and(equal(x2, 0), less(divide(1.0, x2), 0)))
    return where(neg, negative(abs(x1)), abs(x1))
def heaviside(x1, x2):
    x1 = asarray(x1)
    return where(less(x1, 0), zeros_like(x1), where(greater(x1, 0), ones_like(x1), x2))
def float_power(x1, x2): return power(asarray(x1, "float64" if _x64() else "float32"), x2)
def _logaddexp2_value(a, b):
    amax = maximum(a, b)
    delta = subtract(a, b)
    r = amax + float(1 / _np.log(2)) * log1p(exp2(-abs(delta)))
    return where(isnan(delta), a + b, r)  # NaNs, or infinities of one sign

_LOGADDEXP2 = []

def _promote_inexact(*xs):
    """Each argument as an inexact array, JAX's way (weak types kept: an
    integer's true division by 1 promotes as JAX promotes)."""
    out = []
    for x in xs:
        x = asarray(x)
        out.append(x if issubdtype(x.dtype, _np.inexact) else true_divide(x, 1))
    return out

def logaddexp2(x1, x2):
    """`jnp.logaddexp2`: JAX's construction and custom derivative, compiled
    whole as JAX's."""
    if not _LOGADDEXP2:
        from ._api import custom_jvp, jit
        f = custom_jvp(_logaddexp2_value)
        def jvp(primals, tangents):
            (a, b), (ta, tb) = primals, tangents
            out = f(a, b)
            no_inf = lambda v: where(isinf(v), zeros_like(v), v)
            return out, ta * exp2(no_inf(a) - no_inf(out)) + tb * exp2(no_inf(b) - no_inf(out))
        f.defjvp(jvp)
        _LOGADDEXP2.append(jit(f))
    a, b = broadcast_arrays(*_promote_inexact(x1, x2))
    return _LOGADDEXP2[0](a, b)
def real(x): return op1("real", x)
def conj(x): return op1("conj", x)
conjugate = conj
def imag(x): return op1("imag", x)
def isreal(x):
    x = asarray(x)
    return equal(imag(x), 0) if iscomplexobj(x) else ones_like(x, dtype="bool")
def iscomplexobj(x):
    d = getattr(x, "dtype", None)
    if d is None:
        return isinstance(x, complex) or _np.iscomplexobj(x)
    return str(d).startswith("complex")
def isneginf(x): return logical_and(isinf(x), less(x, 0))
def isposinf(x): return logical_and(isinf(x), greater(x, 0))
def divmod(x1, x2): return floor_divide(x1, x2), remainder(x1, x2)
def sinc(x):
    x = asarray(x)
    pix = multiply(pi, x)
    safe = where(equal(x, 0), ones_like(pix), pix)
    return where(equal(x, 0), ones_like(pix), divide(sin(safe), safe))
def nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    x = asarray(x)
    if not issubdtype(x.dtype, _np.floating):
        return x
    info = finfo(_np.dtype(x.dtype) if x.dtype != "bfloat16" else _np.float32)
    x = where(isnan(x), full_like(x, nan), x)
    x = where(isposinf(x), full_like(x, info.max if posinf is None else posinf), x)
    return where(isneginf(x), full_like(x, info.min if neginf is None else neginf), x)

def _x64():
    from . import _core
    return _core._x64[0]

_sum, _max, _min, _mean, _prod = sum, max, min, mean, prod

def _is_bool_dtype(dtype):
    return str(dtype) != "bfloat16" and _np.dtype(dtype) == _np.bool_

def _typed_reduction(reduce, logical, combine, a, axis, dtype, keepdims, initial, where, promote_integers):
    """sum/prod with JAX's dtype rules: `dtype=` is the result type (narrow
    integers wrap as in that type; a boolean sum is an `any`, a product an
    `all`); without it integers widen to the default int unless
    promote_integers=False."""
    a = asarray(a)
    if dtype is None and not promote_integers and issubdtype(a.dtype, _np.integer):
        dtype = a.dtype
    if dtype is not None and _is_bool_dtype(dtype):
        r = logical(a.astype("bool"), axis, keepdims=keepdims, where=where)
        return r if initial is None else combine(r.astype("int32"), asarray(initial).astype("int32")).astype("bool")
    if dtype is not None:
        a = a.astype(dtype)
    r = reduce(a, axis, keepdims, where)
    if initial is not None:
        r = combine(r, initial)
    return r if dtype is None else r.astype(dtype)

def sum(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None, promote_integers=True):
    return _typed_reduction(_sum, any, add, a, axis, dtype, keepdims, initial, where, promote_integers)

def prod(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None, promote_integers=True):
    return _typed_reduction(_prod, all, multiply, a, axis, dtype, keepdims, initial, where, promote_integers)

def max(a, axis=None, out=None, keepdims=False, initial=None, where=None):
    a = asarray(a)
    if where is not None:
        fill = -inf if initial is None else initial
        a = _np_where_fill(a, where, fill)
    if initial is not None and a.size == 0:
        # empty: reducing under a mask gives the identity instead of an error
        return maximum(_reduce("max", a, axis, keepdims, ones(a.shape, bool)), initial)
    r = _max(a, axis, keepdims)
    return r if initial is None else maximum(r, initial)

def min(a, axis=None, out=None, keepdims=False, initial=None, where=None):
    a = asarray(a)
    if where is not None:
        fill = inf if initial is None else initial
        a = _np_where_fill(a, where, fill)
    if initial is not None and a.size == 0:
        return minimum(_reduce("min", a, axis, keepdims, ones(a.shape, bool)), initial)
    r = _min(a, axis, keepdims)
    return r if initial is None else minimum(r, initial)

def _np_where_fill(a, cond, fill):
    return where(cond, a, full_like(a, fill))

amax, amin = max, min

def mean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=None):
    a = asarray(a)
    if dtype is not None and not issubdtype(dtype, _np.inexact):
        # an integer mean is the integer sum divided (truncating) by the count, as JAX's
        if _is_bool_dtype(dtype):
            raise TypeError("div does not accept dtype bool. Accepted dtypes are subtypes of integer, floating, complex.")
        from . import lax
        ones_ = ones(a.shape, dtype) if where is None else broadcast_to(asarray(where), a.shape).astype(dtype)
        return lax.div(sum(a, axis, dtype=dtype, keepdims=keepdims, where=where),
                       sum(ones_, axis, dtype=dtype, keepdims=keepdims))
    if dtype is not None:
        a = a.astype(dtype)
    return _mean(a, axis, keepdims, where)

def average(a, axis=None, weights=None, returned=False, keepdims=False):
    a = asarray(a)
    if weights is None:
        avg = mean(a, axis, keepdims=keepdims)
        wsum = full_like(avg, a.size / _b.max(avg.size, 1))
    else:
        w = asarray(weights)
        if w.ndim != a.ndim and axis is not None:
            s = [1] * a.ndim
            s[axis] = w.shape[0]
            w = reshape(w, s)
        wsum = sum(broadcast_to(w, a.shape), axis, keepdims=keepdims)
        avg = divide(sum(multiply(a, w), axis, keepdims=keepdims), wsum)
    return (avg, wsum) if returned else avg

def nansum(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    return sum(_nan_to(a, 0), axis, dtype=dtype, keepdims=keepdims, initial=initial, where=where)

def nanmean(a, axis=None, dtype=None, out=None, keepdims=False, where=None):
    a = asarray(a)
    ok = logical_not(isnan(a))
    if where is not None:
        ok = logical_and(ok, where)
    out = divide(nansum(a, axis, keepdims=keepdims, where=where), sum(ok, axis, keepdims=keepdims))
    return out if dtype is None else out.astype(dtype)

def nanmax(a, axis=None, out=None, keepdims=False, initial=None, where=None):
    a = asarray(a)
    return max(_nan_to(a, -inf), axis, keepdims=keepdims, initial=initial, where=where)

def nanmin(a, axis=None, out=None, keepdims=False, initial=None, where=None):
    a = asarray(a)
    return min(_nan_to(a, inf), axis, keepdims=keepdims, initial=initial, where=where)

def ptp(a, axis=None, keepdims=False):
    return subtract(max(a, axis, keepdims=keepdims), min(a, axis, keepdims=keepdims))

def count_nonzero(a, axis=None, keepdims=False):
    return sum(not_equal(a, 0), axis, dtype="int32", keepdims=keepdims)

def median(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    return quantile(a, 0.5, axis=axis, keepdims=keepdims)

_QUANTILE_METHODS = ("linear", "lower", "higher", "midpoint", "nearest")

def _quantile_axes(a, axis):
    """a with the reduced axes moved last and merged; the kept shape."""
    if axis is None:
        return ravel(a)[None], (), tuple(range(a.ndim))
    axes = tuple(sorted(v % a.ndim for v in ((axis,) if isinstance(axis, int) else axis)))
    rest = [d for d in range(a.ndim) if d not in axes]
    moved = transpose(a, rest + list(axes))
    kept = tuple(a.shape[d] for d in rest)
    return reshape(moved, kept + (-1,)), kept, axes

def quantile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False, *, interpolation=None):
    """`jnp.quantile` with numpy's methods linear, lower, higher, midpoint,
    nearest (q must be concrete)."""
    method = interpolation or method
    if method not in _QUANTILE_METHODS:
        raise ValueError(f"method can only be 'linear', 'lower', 'higher', 'midpoint', or 'nearest'. Got {method!r}")
    a = asarray(a)
    if not str(a.dtype).startswith(("float", "bfloat")):
        a = a.astype("float64" if _x64() else "float32")
    flat, kept, axes = _quantile_axes(a, axis)
    s = sort(flat, axis=-1)
    n = s.shape[-1]
    qs = _np.asarray(q, dtype=float)
    pos = qs.reshape(-1) * (n - 1)
    lo, hi = _np.floor(pos).astype(_np.int32), _np.ceil(pos).astype(_np.int32)
    pick = lambda i: take(s, asarray(i), axis=-1)
    if method == "lower":
        r = pick(lo)
    elif method == "higher":
        r = pick(hi)
    elif method == "nearest":
        r = pick(_np.where(pos - lo <= 0.5, lo, hi))  # ties go down, as JAX's
    elif method == "midpoint":
        r = (pick(lo) + pick(hi)) * asarray(0.5, s.dtype)
    else:
        frac = asarray(pos - lo, s.dtype)
        r = pick(lo) * (1 - frac) + pick(hi) * frac
    has_nan = any(isnan(s), axis=-1, keepdims=True)
    r = where(has_nan, asarray(_np.nan, s.dtype), r)
    r = moveaxis(r, -1, 0)
    r = reshape(r, qs.shape + kept)
    if keepdims:
        full = [1 if d in axes else a.shape[d] for d in range(a.ndim)]
        r = reshape(r, qs.shape + tuple(full))
    return r

def percentile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False, *, interpolation=None):
    return quantile(a, _np.asarray(q) / 100.0, axis=axis, method=interpolation or method, keepdims=keepdims)

def _cumulative(name, f, x, axis, dtype, include_initial, initial):
    """`jnp.cumulative_sum`/`cumulative_prod`: axis required beyond 1-d, and
    with include_initial the identity first along the axis."""
    x = asarray(x)
    if axis is None:
        if x.ndim > 1:
            raise ValueError(f"{name}: axis must be given for arrays of more than one dimension")
        axis = 0
    r = f(x, axis, dtype=dtype)
    if include_initial:
        r = concatenate([full_like(take(r, _np.array([0]), axis=axis), initial), r], axis=axis)
    return r

def cumulative_sum(x, /, *, axis=None, dtype=None, include_initial=False):
    return _cumulative("cumulative_sum", cumsum, x, axis, dtype, include_initial, 0)

def flatten(a): return ravel(a)

def atleast_3d(*arys):
    out = []
    for a in arys:
        a = asarray(a)
        if a.ndim == 0:
            a = reshape(a, (1, 1, 1))
        elif a.ndim == 1:
            a = reshape(a, (1, a.shape[0], 1))
        elif a.ndim == 2:
            a = expand_dims(a, 2)
        out.append(a)
    return out[0] if len(out) == 1 else out

def column_stack(tup):
    arrs = [asarray(a) for a in tup]
    arrs = [reshape(a, (-1, 1)) if a.ndim < 2 else a for a in arrs]
    return concatenate(arrs, axis=1)

def dstack(tup):
    return concatenate([atleast_3d(a) for a in tup], axis=2)

def array_split(a, indices_or_sections, axis=0):
    a = asarray(a)
    if isinstance(indices_or_sections, int):
        n, k = a.shape[axis], indices_or_sections
        sizes = [n // k + (1 if i < n % k else 0) for i in range(k)]
        idx = list(_np.cumsum(sizes)[:-1])
        return split(a, idx, axis)
    return split(a, indices_or_sections, axis)

def hsplit(a, i): return split(a, i, axis=1 if asarray(a).ndim > 1 else 0)
def vsplit(a, i): return split(a, i, axis=0)
def fliplr(a): return flip(a, 1)
def flipud(a): return flip(a, 0)

def rot90(m, k=1, axes=(0, 1)):
    m = asarray(m)
    k %= 4
    a0, a1 = axes
    if k == 0:
        return m
    if k == 2:
        return flip(flip(m, a0), a1)
    perm = list(range(m.ndim))
    perm[a0], perm[a1] = perm[a1], perm[a0]
    if k == 1:
        return transpose(flip(m, a1), perm)
    return flip(transpose(m, perm), a1)

def broadcast_shapes(*shapes):
    return tuple(_np.broadcast_shapes(*shapes))

def broadcast_arrays(*args):
    arrs = [asarray(a) for a in args]
    s = broadcast_shapes(*[a.shape for a in arrs])
    return [broadcast_to(a, s) for a in arrs]

def append(arr, values, axis=None):
    if axis is None:
        return concatenate([ravel(asarray(arr)), ravel(asarray(values))])
    return concatenate([arr, values], axis=axis)

def diff(a, n=1, axis=-1, prepend=None, append=None):
    a = asarray(a)
    if prepend is not None or append is not None:
        parts = []
        ax = axis % a.ndim
        for p in (prepend,):
            if p is not None:
                p = asarray(p)
                parts.append(broadcast_to(p, a.shape[:ax] + (1,) + a.shape[ax + 1:]) if p.ndim == 0 else p)
        parts.append(a)
        if append is not None:
            p = asarray(append)
            parts.append(broadcast_to(p, a.shape[:ax] + (1,) + a.shape[ax + 1:]) if p.ndim == 0 else p)
        a = concatenate(parts, axis=ax)
    for _ in range(n):
        m = a.shape[axis]
        a = subtract(_slice_axis(a, 1, m, axis), _slice_axis(a, 0, m - 1, axis))
    return a

def _slice_axis(a, start, stop, axis):
    idx = [slice(None)] * a.ndim
    idx[axis] = slice(start, stop)
    return a[tuple(idx)]

def ediff1d(ary, to_end=None, to_begin=None):
    arr = ravel(asarray(ary))
    out = diff(arr)
    if to_begin is not None:
        out = concatenate([ravel(asarray(to_begin).astype(arr.dtype)), out])
    if to_end is not None:
        out = concatenate([out, ravel(asarray(to_end).astype(arr.dtype))])
    return out

def searchsorted(a, v, side="left", sorter=None, *, method="scan"):
    """Insertion points of v in the sorted 1-d a (`sorter` sorts a first);
    every `method` gives the same answer (a count of smaller elements)."""
    if side not in ("left", "right"):
        raise ValueError(f"{side!r} is an invalid value for keyword 'side'. Expected one of ['left', 'right'].")
    if method not in ("scan", "scan_unrolled", "sort", "compare_all"):
        raise ValueError(f"{method!r} is an invalid value for keyword 'method'. Expected one of ['sort', 'scan', 'scan_unrolled', 'compare_all'].")
    a, v = asarray(a), asarray(v)
    if a.ndim != 1:
        raise ValueError("a should be 1-dimensional")
    if sorter is not None:
        a = take(a, asarray(sorter))
    vv = v[..., None]
    # NaN sorts after everything (JAX's total order)
    if side == "left":
        before = less(a, vv)
        if issubdtype(result_type(a, v), floating):
            before = logical_or(before, logical_and(isnan(vv), logical_not(isnan(a))))
    else:
        before = less_equal(a, vv)
        if issubdtype(result_type(a, v), floating):
            before = logical_or(before, isnan(vv))
    return sum(before, axis=-1, dtype="int32")

def digitize(x, bins, right=False):
    return searchsorted(bins, x, side="left" if right else "right")

def kron(a, b):
    a, b = asarray(a), asarray(b)
    nd = _b.max(a.ndim, b.ndim)
    a = reshape(a, (1,) * (nd - a.ndim) + a.shape)
    b = reshape(b, (1,) * (nd - b.ndim) + b.shape)
    out = multiply(reshape(a, [s for d in a.shape for s in (d, 1)]), reshape(b, [s for d in b.shape for s in (1, d)]))
    return reshape(out, [x * y for x, y in zip(a.shape, b.shape)])

@_compiled(static_argnames=("axisa", "axisb", "axisc", "axis"))
def cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """`jnp.cross` of 2- or 3-vectors along axisa/axisb (or `axis`), the
    result's vectors along axisc; two 2-vectors give the scalar z part."""
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = moveaxis(asarray(a), axisa, -1), moveaxis(asarray(b), axisb, -1)
    if a.shape[-1] not in (2, 3) or b.shape[-1] not in (2, 3):
        raise ValueError("Dimension must be either 2 or 3 for cross product")
    if a.shape[-1] == 2 and b.shape[-1] == 2:
        return a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]
    a0, a1 = a[..., 0], a[..., 1]
    b0, b1 = b[..., 0], b[..., 1]
    a2 = a[..., 2] if a.shape[-1] == 3 else zeros_like(a0)
    b2 = b[..., 2] if b.shape[-1] == 3 else zeros_like(b0)
    return moveaxis(stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0]), 0, axisc)

def select(condlist, choicelist, default=0):
    out = asarray(default)
    for c, v in reversed(list(zip(condlist, choicelist))):
        out = where(c, v, out)
    return out

def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    a, b = asarray(a), asarray(b)
    close = less_equal(abs(subtract(a, b)), add(atol, multiply(rtol, abs(b))))
    close = logical_or(close, equal(a, b))
    if equal_nan:
        close = logical_or(close, logical_and(isnan(a), isnan(b)))
    return close

def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    return all(isclose(a, b, rtol, atol, equal_nan))

def array_equal(a1, a2, equal_nan=False):
    a1, a2 = asarray(a1), asarray(a2)
    if a1.shape != a2.shape:
        return asarray(False)
    return all(equal(a1, a2))

def indices(dimensions, dtype=None):
    return stack(meshgrid(*[arange(d, dtype=dtype) for d in dimensions], indexing="ij"))

@_compiled(static_argnames=("axis",))
def trapezoid(y, x=None, dx=1.0, axis=-1):
    """`jnp.trapezoid`, JAX's formulas: dx * (sum(y) - (y[0] + y[-1]) / 2)
    for a constant step, 0.5 * sum(dx * (y[1:] + y[:-1])) otherwise."""
    y = asarray(y)
    if not issubdtype(y.dtype, _np.inexact):
        y = y.astype(result_type(y, float))
    if x is None:
        d = asarray(dx)
        if d.ndim > 0:
            d = moveaxis(reshape(d, (1,) * (y.ndim - d.ndim) + d.shape), axis, -1)
    else:
        x = asarray(x)
        d = diff(x) if x.ndim == 1 else moveaxis(diff(x, axis=axis), axis, -1)
    y = moveaxis(y, axis, -1)
    if d.ndim == 0 or d.shape[-1] == 1:
        step = d if d.ndim == 0 else d[..., 0]
        return step * (y.sum(-1) - 0.5 * (y[..., 0] + y[..., -1]))
    return 0.5 * (d * (y[..., 1:] + y[..., :-1])).sum(-1)

def interp(x, xp, fp, left=None, right=None, period=None):
    """`jnp.interp`: linear interpolation of (xp, fp) at x; `left`/`right`
    values (or 'extrapolate') outside, or a `period`; compiled whole as JAX."""
    statics = tuple(n for n, v in (("left", left), ("right", right)) if isinstance(v, str))
    key = statics + (("period",) if period is not None and _np.ndim(period) == 0 and not isinstance(period, Array) else ())
    if key not in _INTERP:
        from ._api import jit
        _INTERP[key] = jit(_interp, static_argnames=key)
    return _INTERP[key](x, xp, fp, left, right, period)

_INTERP = {}

def _interp(x, xp, fp, left, right, period):
    x, xp, fp = asarray(x), asarray(xp), asarray(fp)
    if xp.shape != fp.shape or xp.ndim != 1:
        raise ValueError("xp and fp must be one-dimensional arrays of equal size")
    for side, v in (("left", left), ("right", right)):
        if isinstance(v, str) and v != "extrapolate":
            raise ValueError(f"the only valid string value of `{side}` is 'extrapolate', but got: {v!r}")
    if iscomplexobj(x):
        raise ValueError("jnp.interp: complex x values not supported.")
    dt = result_type(x, xp, float)
    x, xp = x.astype(dt), xp.astype(dt)
    if not issubdtype(fp.dtype, _np.inexact):
        fp = fp.astype(result_type(fp, float))
    if period is not None:
        if _np.ndim(period) != 0:
            raise ValueError(f"period must be a scalar; got {period}")
        period = abs(asarray(period))
        x, xp = x % period, xp % period
        from . import lax
        xp, fp = lax.sort_key_val(xp, fp)
        xp = concatenate([xp[-1:] - period, xp, xp[:1] + period])
        fp = concatenate([fp[-1:], fp, fp[:1]])
    i = clip(searchsorted(xp, x, side="right"), 1, xp.shape[0] - 1)
    df = fp[i] - fp[i - 1]
    dx = xp[i] - xp[i - 1]
    delta = x - xp[i - 1]
    eps = float(finfo(xp.dtype).eps)
    dx0 = abs(dx) <= eps * eps  # spacing(eps): no NaN gradients where dx is tiny
    f = where(dx0, fp[i - 1], fp[i - 1] + (delta / where(dx0, 1, dx)) * df)
    if period is None:
        if not isinstance(left, str):
            f = where(x < xp[0], fp[0] if left is None else left, f)
        if not isinstance(right, str):
            f = where(x > xp[-1], fp[-1] if right is None else right, f)
    return f

@_compiled()
def polyval(p, x):
    p, x = asarray(p), asarray(x)
    y = zeros_like(x * p[0])
    for i in range(p.shape[0]):
        y = add(multiply(y, x), p[i])
    return y

@_compiled(static_argnames=("rowvar", "bias", "ddof", "dtype"))
def cov(m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None, dtype=None):
    """`jnp.cov` (variables in rows unless rowvar=False; `y` adds variables;
    frequency and analytic weights as numpy defines them)."""
    m = asarray(m)
    if m.ndim > 2:
        raise ValueError("m has more than 2 dimensions")
    if dtype is not None and not issubdtype(dtype, _np.inexact):
        raise ValueError(f"cov: dtype must be a subclass of float or complex; got dtype={dtype}")
    x = atleast_2d(m)
    if not rowvar and m.ndim != 1:
        x = x.T
    if y is not None:
        y = atleast_2d(asarray(y))
        if not rowvar and y.shape[0] != 1:
            y = y.T
        x = concatenate([x, y], axis=0)
    if not issubdtype(x.dtype, _np.inexact):
        x = x.astype("float64" if _x64() else "float32")
    if dtype is not None:
        x = x.astype(dtype)
    if x.shape[0] == 0:
        return zeros((0, 0), x.dtype)
    if x.shape[1] == 0:
        return full(() if x.shape[0] == 1 else (x.shape[0], x.shape[0]), _np.nan, x.dtype)
    if ddof is None:
        ddof = 1 if not bias else 0
    w = None
    for name, wt in (("fweights", fweights), ("aweights", aweights)):
        if wt is None:
            continue
        wt = asarray(wt)
        if wt.ndim > 1:
            raise RuntimeError(f"cannot handle multidimensional {name}")
        if wt.shape[0] != x.shape[1]:
            raise RuntimeError(f"incompatible numbers of samples and {name}")
        if name == "fweights" and not issubdtype(wt.dtype, _np.integer):
            raise TypeError("fweights must be integer.")
        wt = abs(wt)
        if name == "aweights":
            aweights = wt
        w = wt if w is None else multiply(w, wt)
    if w is None:
        avg = mean(x, axis=1)
        f = x.shape[1] - ddof
    else:
        w = w.astype(x.dtype)
        w_sum = sum(w)
        avg = divide(sum(multiply(x, w), axis=1), w_sum)
        if ddof == 0:
            f = w_sum
        elif aweights is None:
            f = w_sum - ddof
        else:
            f = w_sum - ddof * sum(multiply(w, aweights)) / w_sum
    c = subtract(x, avg[:, None])
    ct = c.T if w is None else multiply(c, w).T
    return squeeze(divide(matmul(c, conj(ct)), f))

@_compiled(static_argnames=("rowvar",))
def corrcoef(x, y=None, rowvar=True):
    c = cov(x, y, rowvar)
    if c.ndim == 0:
        return divide(c, c)
    d = sqrt(diagonal(c))
    return clip(divide(divide(c, d[:, None]), d[None, :]), -1, 1)

def bincount(x, weights=None, minlength=0, *, length=None):
    """`jnp.bincount`: counts (or summed weights) of each non-negative int;
    `length` fixes the output size (needed under jit)."""
    x = asarray(x)
    if length is None:
        try:
            host = _np.asarray(x)
        except Exception:
            raise ValueError("jnp.bincount of a traced value needs a static `length=`")
        length = _b.max(int(host.max(initial=-1)) + 1, minlength)
    w = ones(x.shape, "int32") if weights is None else asarray(weights)
    return zeros((length,), w.dtype).at[clip(x, 0, None)].add(where(x >= 0, w, zeros_like(w)))

def histogram(a, bins=10, range=None, weights=None, density=None):
    """`jnp.histogram` with a number of bins or explicit edges."""
    a = ravel(asarray(a))
    if isinstance(bins, int):
        ft = a.dtype if str(a.dtype).startswith("float") else ("float64" if _x64() else "float32")
        lo, hi = (min(a), max(a)) if range is None else range
        lo, hi = asarray(lo).astype(ft), asarray(hi).astype(ft)
        same = equal(lo, hi)
        lo, hi = where(same, lo - 0.5, lo), where(same, hi + 0.5, hi)
        edges = lo + (hi - lo) * linspace(0.0, 1.0, bins + 1, dtype=ft)
    else:
        edges = asarray(bins)
    nb = edges.shape[0] - 1
    idx = searchsorted(edges, a, side="right") - 1
    idx = where(equal(a, edges[-1]), nb - 1, idx)
    inside = logical_and(greater_equal(idx, 0), less(idx, nb))
    w = ones(a.shape, edges.dtype) if weights is None else ravel(asarray(weights))
    counts = zeros((nb,), w.dtype).at[where(inside, idx, 0)].add(where(inside, w, zeros_like(w)))
    if density:
        counts = counts / (sum(counts) * diff(edges))
    return counts, edges

def _conv1d(x, y, mode, op, precision, preferred_element_type):
    """JAX's 1-d convolve/correlate: the longer input slides under the
    (flipped for convolve, conjugated for correlate) shorter one, as one
    `lax.conv_general_dilated`."""
    from . import lax
    x, y = asarray(x), asarray(y)
    if x.ndim != 1 or y.ndim != 1:
        raise ValueError(f"{op}() only support 1-dimensional inputs.")
    dt = result_type(x, y)
    x, y = x.astype(dt), y.astype(dt)
    if preferred_element_type is None:  # inexact then, as numpy's convolutions
        x, y = _promote_inexact(x, y)
    if x.shape[0] == 0 or y.shape[0] == 0:
        raise ValueError(f"{op}: inputs cannot be empty, got shapes {x.shape} and {y.shape}.")
    backwards = False
    if op == "correlate":
        y = conj(y)
        if x.shape[0] < y.shape[0]:
            x, y, backwards = y, x, True
    else:
        if x.shape[0] < y.shape[0]:
            x, y = y, x
        y = flip(y)
    m = y.shape[0]
    pads = {"valid": (0, 0), "same": (m // 2, m - m // 2 - 1), "full": (m - 1, m - 1)}
    if mode not in pads:
        raise ValueError("mode must be one of ['full', 'same', 'valid']")
    out = lax.conv_general_dilated(x[None, None, :], y[None, None, :], (1,), [pads[mode]], precision=precision,
                                   preferred_element_type=preferred_element_type)[0, 0]
    return out[::-1] if backwards else out

@_compiled(static_argnames=("mode", "precision", "preferred_element_type"))
def convolve(a, v, mode="full", *, precision=None, preferred_element_type=None):
    """`jnp.convolve` (1-d; compiled whole as JAX's)."""
    return _conv1d(a, v, mode, "convolve", precision, preferred_element_type)

@_compiled(static_argnames=("mode", "precision", "preferred_element_type"))
def correlate(a, v, mode="valid", *, precision=None, preferred_element_type=None):
    """`jnp.correlate` (1-d, the second input conjugated; compiled whole as JAX's)."""
    return _conv1d(a, v, mode, "correlate", precision, preferred_element_type)

def degrees(x): return multiply(x, 180.0 / _np.pi)
def radians(x): return multiply(x, _np.pi / 180.0)
rad2deg, deg2rad = degrees, radians

def nonzero(a, *, size=None, fill_value=None):
    """`jnp.nonzero`: on concrete values as numpy; under a trace `size=` fixes
    the result length (positions past the count hold `fill_value`, default 0)."""
    a = asarray(a)
    if size is None:
        if a._is_tracer():
            from .errors import ConcretizationTypeError
            raise ConcretizationTypeError("Abstract tracer value encountered where concrete value is expected: "
                                          "jnp.nonzero's size depends on the data; pass a static size= under a trace")
        return tuple(asarray(i.astype(_np.int32)) for i in _np.nonzero(_np.asarray(a)))
    shape = tuple(a.shape) or (1,)
    flat = ravel(a)
    n = flat.shape[0]
    keys = where(not_equal(flat, 0), arange(n), full((n,), n, "int32"))
    idx = sort(keys)[:size]
    if idx.shape[0] < size:
        idx = concatenate([idx, full((size - idx.shape[0],), n, "int32")])
    valid = less(idx, n)
    fills = fill_value if isinstance(fill_value, (tuple, list)) else [0 if fill_value is None else fill_value] * len(shape)
    parts = unravel_index(where(valid, idx, 0), shape)
    return tuple(where(valid, p, full_like(p, f)) for p, f in zip(parts, fills))

def argwhere(a, *, size=None, fill_value=None):
    a = asarray(a)
    if a.ndim == 0:
        a = reshape(a, (1,))
    return stack(nonzero(a, size=size, fill_value=fill_value), axis=1)

def _axis(axis, ndim):
    """A canonical axis (numpy's error for one out of range)."""
    axis = _operator.index(axis)
    if not -ndim <= axis < ndim:
        raise ValueError(f"axis {axis} is out of bounds for array of dimension {ndim}")
    return axis % ndim if ndim else 0

def _unique_sorted(aux, equal_nan):
    """(sorted slices, mask of the first of each run, sort permutation) of
    aux's slices along axis 0 (JAX's construction: a lexsort of the slices)."""
    n, inner = aux.shape[0], int(_np.prod(aux.shape[1:]))
    if iscomplexobj(aux):
        aux = where(isnan(aux), asarray(_np.nan, aux.dtype), aux)
    if inner == 0:
        n, perm = 1, zeros((1,), "int32")
    else:
        perm = lexsort(list(reshape(aux, (n, inner)).T[::-1]))
    aux = take(aux, perm, axis=0, mode="clip") if aux.size else aux
    if not aux.size:
        return aux, zeros((n,), "bool"), perm
    neq = not_equal(aux[1:], aux[:-1])
    if equal_nan and issubdtype(aux.dtype, _np.inexact):
        neq = logical_and(neq, logical_not(logical_and(isnan(aux[1:]), isnan(aux[:-1]))))
    if aux.ndim > 1:
        neq = any(neq, axis=tuple(range(1, aux.ndim)))
    return aux, concatenate([ones((1,), "bool"), neq]), perm

def unique(ar, return_index=False, return_inverse=False, return_counts=False, axis=None, *, size=None, fill_value=None, equal_nan=True, sorted=True):
    """`jnp.unique` as JAX builds it: sort, mark the first of each run, gather
    those. Without `size=` the count depends on the data, so the values must
    be concrete; with it the function traces (padding with `fill_value`,
    default the smallest value)."""
    arr = asarray(ar)
    if size is None and arr._is_tracer():
        from .errors import ConcretizationTypeError
        raise ConcretizationTypeError("Abstract tracer value encountered where concrete value is expected: "
                                      "The error arose for the first argument of jnp.unique(). When jnp.unique is used "
                                      "with JIT, it must be called with a static size argument, e.g. jnp.unique(x, size=3)")
    if size is not None:
        size = _operator.index(size)
    shape = tuple(arr.shape)
    if axis is None:
        arr, ax = ravel(arr), 0
    else:
        ax = _axis(axis, arr.ndim)
    if arr.shape[ax] == 0 and size and fill_value is None:
        raise ValueError("jnp.unique: for zero-sized input with nonzero size argument, fill_value must be specified")
    aux, mask, perm = _unique_sorted(moveaxis(arr, ax, 0), equal_nan)
    ind = nonzero(mask, size=size)[0]
    result = take(aux, ind, axis=0) if aux.size else aux
    if size is not None and fill_value is not None:
        fill = asarray(fill_value).astype(result.dtype)
        if result.shape[0]:
            valid = expand_dims(arange(size) < sum(mask), tuple(range(1, result.ndim)))
            result = where(valid, result, fill)
        else:
            result = full((size,) + tuple(result.shape[1:]), fill, result.dtype)
    out = [moveaxis(result, 0, ax)]
    if return_index:
        out.append(take(perm, ind) if aux.size else perm)
    if return_inverse:
        if aux.size:
            inv = zeros(mask.shape, "int32").at[perm].set(cumsum(mask).astype("int32") - 1)
        else:
            inv = zeros((arr.shape[ax],), "int32")
        out.append(reshape(inv, shape) if axis is None else inv)
    if return_counts:
        if aux.size:
            if size is None:
                idx = append(nonzero(mask)[0], mask.size)
            else:
                idx = nonzero(mask, size=size + 1)[0]
                idx = idx.at[1:].set(where(idx[1:] != 0, idx[1:], mask.size))
            out.append(diff(idx))
        elif arr.shape[ax]:
            out.append(full((1,), arr.shape[ax], "int32"))
        else:
            out.append(zeros((0,), "int32"))
    return out[0] if len(out) == 1 else tuple(out)

def packbits(a, axis=None, bitorder="big"):
    """`jnp.packbits`: eight truth values to a uint8 (zero-padded), most
    significant bit first unless bitorder="little"."""
    a = asarray(a)
    if not (issubdtype(a.dtype, _np.integer) or a.dtype == _np.bool_):
        raise TypeError("Expected an input array of integer or boolean data type")
    if bitorder not in ("big", "little"):
        raise ValueError("'order' must be either 'little' or 'big'")
    bits = not_equal(a, 0).astype("uint8")
    if axis is None:
        bits, axis = ravel(bits), 0
    axis = _axis(axis, bits.ndim)
    bits = moveaxis(bits, axis, -1)
    rem = bits.shape[-1] % 8
    if rem:
        bits = pad(bits, [(0, 0)] * (bits.ndim - 1) + [(0, 8 - rem)])
    bits = reshape(bits, tuple(bits.shape[:-1]) + (bits.shape[-1] // 8, 8))
    shifts = arange(7, -1, -1) if bitorder == "big" else arange(8)
    packed = sum(left_shift(bits, shifts.astype("uint8")), axis=-1, dtype="uint8")
    return moveaxis(packed, -1, axis)

from . import _decomp  # noqa: E402
for _n in ["qr", "svd", "eigh", "eigvalsh", "pinv", "lstsq", "matrix_rank"]:
    setattr(linalg, _n, staticmethod(getattr(_decomp, _n)))
from . import _eig  # noqa: E402
linalg.eig = staticmethod(_eig.eig)
linalg.eigvals = staticmethod(_eig.eigvals)
roots = _eig.roots
linalg.svdvals = staticmethod(lambda x: _decomp.svd(x, compute_uv=False))

_SlogdetNT = __import__("collections").namedtuple("SlogdetResult", ["sign", "logabsdet"])
_SlogdetResult = lambda t: _SlogdetNT(*t)

linalg.solve = staticmethod(lambda a, b: op1("linalg.solve", a, b))
linalg.inv = staticmethod(lambda a: op1("linalg.inv", a))
linalg.det = staticmethod(lambda a: op1("linalg.det", a))
linalg.slogdet = staticmethod(lambda a: _SlogdetResult(op("linalg.slogdet", a)))
def _cholesky(a, *, upper=False, symmetrize_input=True):
    """`jnp.linalg.cholesky`: the input symmetrized first, as JAX (so the
    gradient is symmetric too)."""
    a = asarray(a)
    if symmetrize_input and a.ndim >= 2:
        a = (a + conj(swapaxes(a, -1, -2))) / 2
    l = op1("linalg.cholesky", a)
    return swapaxes(l, -1, -2) if upper else l

linalg.cholesky = staticmethod(_cholesky)

def _matrix_power(a, n):
    a = asarray(a)
    if n < 0:
        a, n = linalg.inv(a), -n
    out = broadcast_to(eye(a.shape[-1], dtype=a.dtype), a.shape)
    p = a
    while n:
        if n & 1:
            out = matmul(out, p)
        p = matmul(p, p)
        n >>= 1
    return out

linalg.matrix_power = staticmethod(_matrix_power)
linalg.multi_dot = staticmethod(lambda arrays: __import__("functools").reduce(matmul, arrays))
linalg.trace = staticmethod(lambda x, offset=0: trace(x, offset, -2, -1))

def _vector_norm(x, /, *, axis=None, keepdims=False, ord=2):
    x = asarray(x)
    if axis is None:
        x, axis = ravel(x), 0
        if keepdims:
            raise NotImplementedError("jnp.linalg.vector_norm(axis=None, keepdims=True) is not supported yet")
    return linalg.norm(x, ord=ord, axis=axis, keepdims=keepdims)

def _matrix_norm(x, /, *, keepdims=False, ord="fro"):
    return linalg.norm(x, ord=ord, axis=(-2, -1), keepdims=keepdims)

def _cond(x, p=None):
    """`jnp.linalg.cond`: the ratio of extreme singular values (p None/2/-2),
    else norm(x, p) * norm(inv(x), p)."""
    x = asarray(x)
    if p is None or p in (2, -2):
        s = linalg.svdvals(x)
        hi, lo = max(s, axis=-1), min(s, axis=-1)
        return lo / hi if p == -2 else hi / lo
    return linalg.norm(x, ord=p, axis=(-2, -1)) * linalg.norm(linalg.inv(x), ord=p, axis=(-2, -1))

def _tensorsolve(a, b, axes=None):
    a = asarray(a)
    if axes is not None:
        raise NotImplementedError("jnp.linalg.tensorsolve(axes=...) is not supported yet")
    b = asarray(b)
    out_shape = a.shape[b.ndim:]
    n = int(_np.prod(out_shape))
    return reshape(linalg.solve(reshape(a, (-1, n)), ravel(b)), out_shape)

def _tensorinv(a, ind=2):
    a = asarray(a)
    head, tail = a.shape[:ind], a.shape[ind:]
    return reshape(linalg.inv(reshape(a, (int(_np.prod(head)), -1))), tail + head)

linalg.vector_norm = staticmethod(_vector_norm)
linalg.matrix_norm = staticmethod(_matrix_norm)
linalg.cond = staticmethod(_cond)
linalg.tensorsolve = staticmethod(_tensorsolve)
linalg.tensorinv = staticmethod(_tensorinv)
linalg.cross = staticmethod(lambda x1, x2, /, *, axis=-1: cross(x1, x2, axis=axis))
linalg.diagonal = staticmethod(lambda x, /, *, offset=0: diagonal(x, offset, -2, -1))
linalg.matmul = staticmethod(lambda x1, x2, /, *, precision=None, preferred_element_type=None:
                             matmul(x1, x2, precision=precision, preferred_element_type=preferred_element_type))
linalg.matrix_transpose = staticmethod(lambda x, /: matrix_transpose(x))
linalg.outer = staticmethod(lambda x1, x2, /: outer(x1, x2))
linalg.tensordot = staticmethod(lambda x1, x2, /, *, axes=2, precision=None, preferred_element_type=None:
                                tensordot(x1, x2, axes, precision=precision, preferred_element_type=preferred_element_type))
linalg.vecdot = staticmethod(lambda x1, x2, /, *, axis=-1, precision=None, preferred_element_type=None: vecdot(x1, x2, axis=axis))

# --- Array methods that are jnp functions
def _ax(axes):
    if len(axes) == 1 and (axes[0] is None or isinstance(axes[0], (tuple, list))):
        return axes[0]
    return axes or None

Array.var = lambda self, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kw: var(self, axis, dtype, out, ddof, keepdims, **kw)
Array.std = lambda self, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kw: std(self, axis, dtype, out, ddof, keepdims, **kw)
Array.sum = lambda self, axis=None, dtype=None, keepdims=False, where=None: sum(self, axis, dtype, keepdims=keepdims, where=where)
Array.mean = lambda self, axis=None, dtype=None, keepdims=False, where=None: mean(self, axis, dtype, keepdims=keepdims, where=where)
Array.max = lambda self, axis=None, keepdims=False, initial=None, where=None: max(self, axis, keepdims=keepdims, initial=initial, where=where)
Array.min = lambda self, axis=None, keepdims=False, initial=None, where=None: min(self, axis, keepdims=keepdims, initial=initial, where=where)
Array.prod = lambda self, axis=None, dtype=None, keepdims=False: prod(self, axis, dtype, keepdims=keepdims)
Array.any = lambda self, axis=None, keepdims=False: any(self, axis, keepdims)
Array.all = lambda self, axis=None, keepdims=False: all(self, axis, keepdims)
Array.argmax = lambda self, axis=None, keepdims=False: argmax(self, axis, keepdims)
Array.argmin = lambda self, axis=None, keepdims=False: argmin(self, axis, keepdims)
Array.cumsum = lambda self, axis=None, dtype=None, out=None: cumsum(self, axis, dtype)
Array.cumprod = lambda self, axis=None, dtype=None, out=None: cumprod(self, axis, dtype)
Array.clip = lambda self, min=None, max=None: clip(self, min, max)
Array.round = lambda self, decimals=0: round(self, decimals)
Array.squeeze = lambda self, axis=None: squeeze(self, axis)
Array.swapaxes = lambda self, a1, a2: swapaxes(self, a1, a2)
Array.transpose = lambda self, *axes: transpose(self, _ax(axes))
Array.ravel = lambda self: ravel(self)
Array.dot = lambda self, b: dot(self, b)
Array.copy = lambda self: copy(self)
Array.conj = lambda self: conj(self)
Array.conjugate = lambda self: conj(self)
Array.real = property(lambda self: real(self))
Array.imag = property(lambda self: imag(self))
Array.sort = lambda self, axis=-1: sort(self, axis)
Array.argsort = lambda self, axis=-1: argsort(self, axis)
Array.take = lambda self, indices, axis=None, out=None, mode=None, **kw: take(self, indices, axis, out, mode, **kw)
Array.repeat = lambda self, repeats, axis=None: repeat(self, repeats, axis)
Array.trace = lambda self, offset=0, axis1=0, axis2=1: trace(self, offset, axis1, axis2)
Array.diagonal = lambda self, offset=0, axis1=0, axis2=1: diagonal(self, offset, axis1, axis2)
Array.nbytes = property(lambda self: self.size * _np.dtype(self.dtype if self.dtype != "bfloat16" else "float16").itemsize)
Array.itemsize = property(lambda self: _np.dtype(self.dtype if self.dtype != "bfloat16" else "float16").itemsize)
Array.ptp = lambda self, axis=None, keepdims=False: ptp(self, axis, keepdims)
Array.nonzero = lambda self, *, size=None, fill_value=None: nonzero(self, size=size, fill_value=fill_value)
Array.__divmod__ = lambda self, o: divmod(self, o)
Array.__rdivmod__ = lambda self, o: divmod(o, self)


def _view(self, dtype=None, type=None):
    """`Array.view(dtype)`: the same bits as another dtype of the same width."""
    if type is not None:
        raise NotImplementedError("`type` argument of array.view() is not supported.")
    if dtype is None:
        return self
    from . import lax
    if _np.dtype(dtype).itemsize != self.itemsize:
        raise NotImplementedError(f"Array.view between dtypes of different widths ({self.dtype} -> {_np.dtype(dtype)}) is not supported yet")
    return lax.bitcast_convert_type(self, dtype)


def _setitem(self, idx, value):
    raise TypeError("JAX arrays are immutable and do not support in-place item assignment. Instead of x[idx] = y, "
                    "use x = x.at[idx].set(y) or another .at[] method: "
                    "https://docs.jax.dev/en/latest/_autosummary/jax.numpy.ndarray.at.html")


def _flat(self):
    raise NotImplementedError("JAX Arrays do not implement the arr.flat property: consider arr.flatten() instead.")


Array.view = _view
Array.__setitem__ = _setitem
Array.flat = property(_flat)

# --- the array-API spellings and more of jax.numpy, composed of the above

acos, acosh, asin, asinh, atan, atanh, atan2 = arccos, arccosh, arcsin, arcsinh, arctan, arctanh, arctan2
bitwise_invert, bitwise_left_shift, bitwise_right_shift = invert, left_shift, right_shift
concat = lambda arrays, /, *, axis=0: concatenate(arrays, axis=axis)
permute_dims = lambda a, /, axes: transpose(a, axes)
bool = bool_  # noqa: A001 (jnp.bool)
single, double = float32, float64
uint = uint32
euler_gamma = _np.euler_gamma
get_printoptions, set_printoptions, printoptions = _np.get_printoptions, _np.set_printoptions, _np.printoptions
iterable = _np.iterable

def matrix_transpose(x, /):
    return swapaxes(x, -1, -2)

def unstack(x, /, *, axis=0):
    x = asarray(x)
    return tuple(take(x, i, axis=axis) for i in range(x.shape[axis]))

def vecdot(x1, x2, /, *, axis=-1):
    return sum(multiply(x1, x2), axis=axis)

def matvec(x1, x2, /):
    return squeeze(matmul(x1, expand_dims(x2, -1)), -1)

def vecmat(x1, x2, /):
    return squeeze(matmul(expand_dims(x1, -2), x2), -2)

def fmax(x1, x2):
    """Elementwise maximum ignoring NaNs (NaN only where both are)."""
    x1, x2 = asarray(x1), asarray(x2)
    return where(isnan(x1), x2, where(isnan(x2), x1, maximum(x1, x2)))

def fmin(x1, x2):
    x1, x2 = asarray(x1), asarray(x2)
    return where(isnan(x1), x2, where(isnan(x2), x1, minimum(x1, x2)))

def ldexp(x1, x2):
    x1 = asarray(x1)
    if not str(x1.dtype).startswith(("float", "bfloat")):
        x1 = x1.astype("float32")
    return multiply(x1, exp2(asarray(x2).astype(x1.dtype)))

def frexp(x):
    """Mantissa in [0.5, 1) and integer exponent, from the exponent bits."""
    x = asarray(x)
    if not str(x.dtype).startswith("float"):
        x = x.astype("float32")
    e = where(equal(x, 0), 0, floor(log2(abs(x))) + 1).astype("int32")
    m = x / exp2(e.astype(x.dtype))
    # log2 may round across a power of two: renormalize
    big = greater_equal(abs(m), 1.0)
    m, e = where(big, m / 2, m), where(big, e + 1, e)
    small = logical_and(less(abs(m), 0.5), not_equal(m, 0))
    m, e = where(small, m * 2, m), where(small, e - 1, e)
    fin = isfinite(x)
    return where(fin, m, x), where(fin, e, 0)

def modf(x):
    x = asarray(x)
    w = trunc(x)
    return subtract(x, w), w

def spacing(x):
    x = asarray(x)
    return where(signbit(x) if "signbit" in globals() else less(x, 0), nextafter(x, full_like(x, -inf)) - x,
                 nextafter(x, full_like(x, inf)) - x)

def gcd(x1, x2):
    """Euclid's algorithm, elementwise (a while_loop until every pair is done)."""
    from . import lax
    a, b = abs(asarray(x1)), abs(asarray(x2))
    a, b = broadcast_arrays(a, b)
    def body(c):
        a, b = c
        nz = not_equal(b, 0)
        return where(nz, b, a), where(nz, remainder(a, where(nz, b, 1)), b)
    return lax.while_loop(lambda c: any(not_equal(c[1], 0)), body, (a, b))[0]

def lcm(x1, x2):
    x1, x2 = abs(asarray(x1)), abs(asarray(x2))
    g = gcd(x1, x2)
    return where(equal(g, 0), 0, multiply(floor_divide(x1, where(equal(g, 0), 1, g)), x2))

def _nan_to(a, v):
    a = asarray(a)
    if not issubdtype(a.dtype, _np.inexact):
        return a
    return where(isnan(a), full_like(a, v), a)

def nanprod(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    return prod(_nan_to(a, 1), axis, dtype=dtype, keepdims=keepdims, initial=initial, where=where)

def nanargmax(a, axis=None, keepdims=False):
    return argmax(_nan_to(a, -inf), axis, keepdims=keepdims)

def nanargmin(a, axis=None, keepdims=False):
    return argmin(_nan_to(a, inf), axis, keepdims=keepdims)

def nancumsum(a, axis=None, dtype=None, out=None):
    return cumsum(_nan_to(a, 0), axis, dtype)

def nancumprod(a, axis=None, dtype=None, out=None):
    return cumprod(_nan_to(a, 1), axis, dtype)

def nanvar(a, axis=None, ddof=0, keepdims=False):
    a = asarray(a)
    ok = logical_not(isnan(a))
    n = sum(ok, axis, keepdims=True)
    m = divide(nansum(a, axis, keepdims=True), n)
    d = where(ok, subtract(a, m), 0)
    out = divide(sum(multiply(d, d), axis, keepdims=True), subtract(n, ddof))
    return out if keepdims else (squeeze(out, axis) if axis is not None else reshape(out, ()))

def nanstd(a, axis=None, ddof=0, keepdims=False):
    return sqrt(nanvar(a, axis, ddof, keepdims))

def nanquantile(a, q, axis=None, keepdims=False, method="linear"):
    """Quantiles of the non-NaN values: NaNs sort last and each slice's count
    of valid values sets the interpolation positions (method linear only)."""
    if method != "linear":
        raise NotImplementedError(f"jnp.nanquantile(method={method!r}) is not supported yet (only 'linear')")
    a = asarray(a)
    if axis is None:
        a, axis = ravel(a), 0
    axis = axis % a.ndim
    s = moveaxis(sort(a, axis=axis), axis, -1)
    cnt = sum(logical_not(isnan(s)), -1, keepdims=True).astype(s.dtype)
    qs = _np.asarray(q, dtype=float)
    outs = []
    for qv in qs.reshape(-1):
        pos = qv * (cnt - 1)
        lo = clip(floor(pos), 0, _b.max(s.shape[-1] - 1, 0)).astype("int32")
        hi = clip(ceil(pos), 0, _b.max(s.shape[-1] - 1, 0)).astype("int32")
        frac = pos - floor(pos)
        v = take_along_axis(s, lo, -1) * (1 - frac) + take_along_axis(s, hi, -1) * frac
        outs.append(where(equal(cnt, 0), nan, v)[..., 0])
    r = stack(outs, 0).reshape(qs.shape + outs[0].shape)
    if keepdims:
        r = expand_dims(r, axis + qs.ndim)
    return r

def nanmedian(a, axis=None, keepdims=False):
    return nanquantile(a, 0.5, axis=axis, keepdims=keepdims)

def nanpercentile(a, q, axis=None, keepdims=False):
    return nanquantile(a, _np.asarray(q) / 100.0, axis=axis, keepdims=keepdims)

def cumulative_prod(x, /, *, axis=None, dtype=None, include_initial=False):
    return _cumulative("cumulative_prod", cumprod, x, axis, dtype, include_initial, 1)

def diagflat(v, k=0):
    return diag(ravel(asarray(v)), k)

def diag_indices(n, ndim=2):
    i = arange(n)
    return (i,) * ndim

def diag_indices_from(arr):
    a = asarray(arr)
    return diag_indices(a.shape[0], a.ndim)

def tril_indices(n, k=0, m=None):
    r, c = _np.tril_indices(n, k, m)
    return asarray(r.astype(_np.int32)), asarray(c.astype(_np.int32))

def triu_indices(n, k=0, m=None):
    r, c = _np.triu_indices(n, k, m)
    return asarray(r.astype(_np.int32)), asarray(c.astype(_np.int32))

def tril_indices_from(arr, k=0):
    a = asarray(arr)
    return tril_indices(a.shape[-2], k, a.shape[-1])

def triu_indices_from(arr, k=0):
    a = asarray(arr)
    return triu_indices(a.shape[-2], k, a.shape[-1])

def fill_diagonal(a, val, wrap=False, *, inplace=True):
    if inplace:
        raise ValueError("JAX arrays are immutable. Use jnp.fill_diagonal(..., inplace=False) to return a new array.")
    a = asarray(a)
    n = _b.min(a.shape)
    idx = arange(n)
    return a.at[(idx,) * a.ndim].set(broadcast_to(ravel(asarray(val, a.dtype))[:n] if asarray(val).ndim else val, (n,)))

def isin(element, test_elements, assume_unique=False, invert=False):
    e, t = asarray(element), ravel(asarray(test_elements))
    r = any(equal(expand_dims(e, -1), t), axis=-1) if t.shape[0] else zeros(e.shape, "bool")
    return logical_not(r) if invert else r

def _concrete_1d(x, name):
    try:
        return _np.asarray(x).ravel()
    except TypeError:
        raise NotImplementedError(f"jnp.{name} needs concrete values under jaxcore (its output shape depends on the data; JAX's size= form is not supported)")

def intersect1d(ar1, ar2, assume_unique=False, return_indices=False):
    a, b = _concrete_1d(ar1, "intersect1d"), _concrete_1d(ar2, "intersect1d")
    r = _np.intersect1d(a, b, assume_unique, return_indices)
    return tuple(asarray(v) for v in r) if return_indices else asarray(r)

def union1d(ar1, ar2):
    return asarray(_np.union1d(_concrete_1d(ar1, "union1d"), _concrete_1d(ar2, "union1d")))

def setdiff1d(ar1, ar2, assume_unique=False):
    return asarray(_np.setdiff1d(_concrete_1d(ar1, "setdiff1d"), _concrete_1d(ar2, "setdiff1d"), assume_unique))

def setxor1d(ar1, ar2, assume_unique=False):
    return asarray(_np.setxor1d(_concrete_1d(ar1, "setxor1d"), _concrete_1d(ar2, "setxor1d"), assume_unique))

def trim_zeros(filt, trim="fb"):
    return asarray(_np.trim_zeros(_concrete_1d(filt, "trim_zeros"), trim))

def unravel_index(indices, shape):
    idx = asarray(indices)
    out = []
    for d in reversed(shape):
        out.append(remainder(idx, d))
        idx = floor_divide(idx, d)
    return tuple(reversed(out))

def ravel_multi_index(multi_index, dims, mode="raise", order="C"):
    if order != "C":
        raise NotImplementedError("ravel_multi_index(order='F') is not supported")
    out = None
    for i, d in zip(multi_index, dims):
        i = asarray(i)
        i = clip(i, 0, d - 1) if mode == "clip" else (remainder(i, d) if mode == "wrap" else i)
        out = i if out is None else add(multiply(out, d), i)
    return out

def vander(x, N=None, increasing=False):
    x = asarray(x)
    n = x.shape[0] if N is None else N
    p = arange(n) if increasing else arange(n - 1, -1, -1)
    return power(expand_dims(x, -1), p.astype(x.dtype) if str(x.dtype).startswith("float") else p)

def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    s, t = asarray(start, "float32") if dtype is None else asarray(start, dtype), asarray(stop)
    sign = where(less(s, 0), -1.0, 1.0)
    out = sign * logspace(log10(abs(s)), log10(abs(t)), num, endpoint=endpoint)
    return out.astype(dtype) if dtype is not None else out

def _window(n, f):
    if n < 1:
        return zeros((0,), "float32")
    if n == 1:
        return ones((1,), "float32")
    return asarray(f(_np.arange(n)).astype(_np.float32))

def hamming(M): return _window(M, lambda k: 0.54 - 0.46 * _np.cos(2 * _np.pi * k / (M - 1)))
def hanning(M): return _window(M, lambda k: 0.5 - 0.5 * _np.cos(2 * _np.pi * k / (M - 1)))
def blackman(M): return _window(M, lambda k: 0.42 - 0.5 * _np.cos(2 * _np.pi * k / (M - 1)) + 0.08 * _np.cos(4 * _np.pi * k / (M - 1)))
def bartlett(M): return _window(M, lambda k: 1 - _np.abs(2 * k / (M - 1) - 1))
def kaiser(M, beta): return _window(M, lambda k: _np.i0(beta * _np.sqrt(1 - (2 * k / (M - 1) - 1) ** 2)) / _np.i0(beta))

def i0(x):
    """Modified Bessel function of order 0 (power series, as Cephes for small
    |x|; an asymptotic expansion above 15)."""
    x = abs(asarray(x).astype("float32") if not str(asarray(x).dtype).startswith("float") else asarray(x))
    small = less_equal(x, 15.0)
    xs = where(small, x, 0.0)
    term, acc = ones_like(xs), ones_like(xs)
    q = xs * xs / 4
    for k in range(1, 40):
        term = term * q / (k * k)
        acc = acc + term
    xl = where(small, 16.0, x)
    asym = exp(xl) / sqrt(2 * pi * xl) * (1 + 1 / (8 * xl) + 9 / (128 * xl * xl) + 225 / (3072 * xl ** 3))
    return where(small, acc, asym)

def resize(a, new_shape):
    a = ravel(asarray(a))
    new_shape = (new_shape,) if isinstance(new_shape, int) else tuple(new_shape)
    n = int(_np.prod(new_shape))
    if a.shape[0] == 0:
        return zeros(new_shape, a.dtype)
    reps = -(-n // a.shape[0])
    return reshape(tile(a, reps)[:n], new_shape)

def rollaxis(a, axis, start=0):
    a = asarray(a)
    axis = axis % a.ndim
    start = start % (a.ndim + 1) if start < 0 else start
    if axis < start:
        start -= 1
    return moveaxis(a, axis, start)

def choose(a, choices, mode="raise"):
    a = asarray(a)
    ch = stack([asarray(c) for c in choices], 0)
    n = ch.shape[0]
    if mode == "wrap":
        a = remainder(a, n)
    elif mode == "clip":
        a = clip(a, 0, n - 1)
    shape = _np.broadcast_shapes(tuple(a.shape), tuple(ch.shape[1:]))
    ch = broadcast_to(ch, (n,) + shape)
    return take_along_axis(ch, expand_dims(broadcast_to(a, shape), 0), 0)[0]

def compress(condition, a, axis=None, *, size=None, fill_value=0):
    c = _concrete_1d(condition, "compress").astype(_np.bool_)
    a = asarray(a)
    if axis is None:
        a, axis = ravel(a), 0
    idx = _np.nonzero(c[: a.shape[axis]])[0]
    return take(a, asarray(idx.astype(_np.int32)), axis=axis)

def extract(condition, arr, *, size=None, fill_value=0):
    return compress(ravel(asarray(condition)), ravel(asarray(arr)), size=size, fill_value=fill_value)

def flatnonzero(a, *, size=None, fill_value=None):
    return nonzero(ravel(asarray(a)), size=size, fill_value=fill_value)[0]

def delete(arr, obj, axis=None, *, assume_unique_indices=False):
    a = asarray(arr)
    if axis is None:
        a, axis = ravel(a), 0
    n = a.shape[axis]
    keep = _np.ones(n, _np.bool_)
    keep[_np.arange(n)[obj] if isinstance(obj, slice) else _concrete_1d(obj, "delete").astype(int)] = False
    return take(a, asarray(_np.nonzero(keep)[0].astype(_np.int32)), axis=axis)

def insert(arr, obj, values, axis=None):
    """numpy's insert on concrete positions: the values go before the
    given indices (a scalar position takes `values` as one block)."""
    a = asarray(arr)
    if axis is None:
        a, axis = ravel(a), 0
    axis = axis % a.ndim
    n = a.shape[axis]
    if isinstance(obj, slice):
        pos = _np.arange(n + 1)[obj]
    else:
        pos = _concrete_1d(obj, "insert").astype(int)
    pos = _np.where(pos < 0, pos + n, pos)
    v = asarray(values, a.dtype)
    if not isinstance(obj, slice) and _np.ndim(obj) == 0:
        # numpy: values as an array of at least arr's rank, its first axis moved to `axis`
        v = reshape(v, (1,) * (a.ndim - v.ndim) + tuple(v.shape)) if v.ndim < a.ndim else v
        v = moveaxis(v, 0, axis)
        pos = _np.full(v.shape[axis], int(pos.reshape(-1)[0]))
    shape = list(a.shape)
    shape[axis] = pos.shape[0]
    v = broadcast_to(v, tuple(shape))
    # inserted items sort just before the original index they name (stable)
    keys = _np.concatenate([_np.arange(n), pos - 0.5])
    order = _np.argsort(keys, kind="stable").astype(_np.int32)
    return take(concatenate([a, v], axis=axis), asarray(order), axis=axis)

def put(a, ind, v, mode=None, *, inplace=True):
    if inplace:
        raise ValueError("jax.numpy.put cannot modify arrays in-place, because JAX arrays are immutable. Pass inplace=False to instead return an updated array.")
    a = asarray(a)
    flat = ravel(a)
    ind = ravel(asarray(ind))
    if mode == "wrap":
        ind = remainder(ind, flat.shape[0])
    elif mode == "clip":
        ind = clip(ind, 0, flat.shape[0] - 1)
    v = broadcast_to(ravel(asarray(v, a.dtype)), ind.shape) if asarray(v).size != ind.shape[0] else ravel(asarray(v, a.dtype))
    return reshape(flat.at[ind].set(v), a.shape)

def put_along_axis(arr, indices, values, axis, inplace=True, *, mode=None):
    if inplace:
        raise ValueError("jax.numpy.put_along_axis cannot modify arrays in-place, because JAX arrays are immutable. Pass inplace=False to instead return an updated array.")
    a, idx = asarray(arr), asarray(indices)
    if axis is None:
        a, axis = ravel(a), 0
    axis = axis % a.ndim
    grids = [arange(d).reshape([-1 if j == k else 1 for j in range(a.ndim)]) for k, d in enumerate(idx.shape)]
    full_idx = tuple(idx if k == axis else broadcast_to(g, idx.shape) for k, g in enumerate(grids))
    return a.at[full_idx].set(broadcast_to(asarray(values, a.dtype), idx.shape))

def lexsort(keys, axis=-1):
    keys = [asarray(k) for k in keys]
    order = argsort(keys[0], axis=axis)
    for k in keys[1:]:
        order = take_along_axis(order, argsort(take_along_axis(k, order, axis), axis=axis), axis)  # stable
    return order

def _ascending_key(a):
    # top_k of this picks the smallest values (~a for unsigned ints, where -a wraps)
    return bitwise_not(a) if issubdtype(a.dtype, _np.unsignedinteger) else negative(a)

def partition(a, kth, axis=-1):
    """`jnp.partition` as JAX's: the kth+1 smallest ascending, then the rest
    in descending order (both from top_k)."""
    from . import lax
    a = asarray(a)
    axis = _axis(axis, a.ndim)
    kth = _axis(kth, a.shape[axis])
    x = swapaxes(a, axis, -1)
    bottom = take_along_axis(x, lax.top_k(_ascending_key(x), kth + 1)[1], axis=-1)
    top = lax.top_k(x, x.shape[-1] - kth - 1)[0]
    return swapaxes(concatenate([bottom, top], axis=-1), -1, axis)

def argpartition(a, kth, axis=-1):
    """`jnp.argpartition` as JAX's: indices of the kth+1 smallest, ascending,
    then the other indices in increasing order."""
    from . import lax
    a = asarray(a)
    axis = _axis(axis, a.ndim)
    kth = _axis(kth, a.shape[axis])
    x = swapaxes(a, axis, -1)
    bottom = lax.top_k(_ascending_key(x), kth + 1)[1]
    n = x.shape[-1]
    chosen = any(equal(expand_dims(bottom, -1), arange(n)), axis=-2)
    top = lax.top_k(where(chosen, 0.0, 1.0), n - kth - 1)[1]
    return swapaxes(concatenate([bottom, top], axis=-1), -1, axis)

def gradient(f, *varargs, axis=None, edge_order=None):
    """Central differences inside, one-sided at the edges (numpy's defaults)."""
    f = asarray(f)
    axes = list(range(f.ndim)) if axis is None else ([axis] if isinstance(axis, int) else list(axis))
    sp = list(varargs) if varargs else [1.0] * len(axes)
    if len(sp) == 1 and len(axes) > 1:
        sp = sp * len(axes)
    outs = []
    for ax, h in zip(axes, sp):
        n = f.shape[ax]
        if n < 2:
            raise ValueError("Shape of array too small to calculate a numerical gradient, at least (edge_order + 1) elements are required.")
        sl = lambda s, e: take(f, arange(s, e), axis=ax)
        inner = (sl(2, n) - sl(0, n - 2)) / (2.0 * h)
        first = (sl(1, 2) - sl(0, 1)) / h
        last = (sl(n - 1, n) - sl(n - 2, n - 1)) / h
        outs.append(concatenate([first, inner, last], axis=ax))
    return outs[0] if len(outs) == 1 else outs

def unwrap(p, discont=None, axis=-1, period=2 * _np.pi):
    p = asarray(p)
    if not str(p.dtype).startswith("float"):
        p = p.astype("float32")
    half = period / 2
    discont = half if discont is None else _b.max(discont, half)
    dd = diff(p, axis=axis)
    ddmod = remainder(dd + half, period) - half
    ddmod = where(logical_and(equal(ddmod, -half), greater(dd, 0)), half, ddmod)
    corr = where(less(abs(dd), discont), 0, ddmod - dd)
    first = take(p, arange(0, 1), axis=axis)
    return concatenate([first, take(p, arange(1, p.shape[axis]), axis=axis) + cumsum(corr, axis=axis % p.ndim)], axis=axis)

def apply_along_axis(func1d, axis, arr, *args, **kwargs):
    from ._api import vmap
    arr = asarray(arr)
    axis = axis % arr.ndim
    f = lambda x: func1d(x, *args, **kwargs)
    moved = moveaxis(arr, axis, -1)
    for _ in range(arr.ndim - 1):
        f = vmap(f)
    out = f(moved)
    out = asarray(out)
    extra = out.ndim - (arr.ndim - 1)
    for i in range(extra):
        out = moveaxis(out, arr.ndim - 1 + i, axis + i)
    return out

def apply_over_axes(func, a, axes):
    a = asarray(a)
    for ax in axes:
        b = asarray(func(a, ax))
        a = b if b.ndim == a.ndim else expand_dims(b, ax)
    return a

def vectorize(pyfunc, *, excluded=frozenset(), signature=None):
    """`jnp.vectorize`: vmap over the broadcast loop dimensions; with a
    `signature` such as "(n),(n)->()" the core dimensions stay with the function."""
    from ._api import vmap
    import functools
    import re
    in_core = None
    if signature is not None:
        m = re.fullmatch(r"\s*((?:\([\w,\s]*\)\s*,?\s*)*)->((?:\s*\([\w,\s]*\)\s*,?)*)\s*", signature)
        if m is None:
            raise ValueError(f"not a valid gufunc signature: {signature}")
        in_core = [[d for d in g.replace(" ", "").split(",") if d] for g in re.findall(r"\(([^)]*)\)", m.group(1))]
    @functools.wraps(pyfunc)
    def wrapped(*args, **kwargs):
        dyn = [i for i in range(len(args)) if i not in excluded]
        arrs = [asarray(args[i]) for i in dyn]
        cores = [0] * len(arrs)
        if in_core is not None:
            if len(in_core) != len(arrs):
                raise TypeError(f"wrong number of positional arguments: expected {len(in_core)}, got {len(arrs)}")
            cores = [len(c) for c in in_core]
            sizes = {}
            for x, names in zip(arrs, in_core):
                if x.ndim < len(names):
                    raise ValueError(f"input with shape {tuple(x.shape)} does not have enough dimensions for all core dimensions {tuple(names)}")
                for nm, n in zip(names, x.shape[x.ndim - len(names):]):
                    if sizes.setdefault(nm, n) != n:
                        raise ValueError(f"inconsistent size for core dimension {nm!r}: {n} vs {sizes[nm]}")
        loops = [tuple(x.shape[:x.ndim - c]) for x, c in zip(arrs, cores)]
        shape = _np.broadcast_shapes(*loops) if arrs else ()
        arrs = [broadcast_to(x, tuple(shape) + tuple(x.shape[x.ndim - c:])) for x, c in zip(arrs, cores)]
        def call(*xs):
            full = list(args)
            for i, x in zip(dyn, xs):
                full[i] = x
            return pyfunc(*full, **kwargs)
        f = call
        for _ in range(len(shape)):
            f = vmap(f)
        return f(*arrs)
    return wrapped

def fromfunction(function, shape, *, dtype=float, **kwargs):
    grids = indices(shape, dtype=dtype if dtype is not float else "float32") if "indices" in globals() else None
    if grids is None:
        grids = [broadcast_to(arange(d).reshape([-1 if j == k else 1 for j in range(len(shape))]), shape).astype(dtype if dtype is not float else "float32") for k, d in enumerate(shape)]
    return function(*grids, **kwargs)

def ix_(*args):
    n = len(args)
    return tuple(reshape(asarray(a), [-1 if j == k else 1 for j in range(n)]) for k, a in enumerate(args))

def piecewise(x, condlist, funclist, *args, **kw):
    x = asarray(x)
    condlist = [asarray(c) for c in (condlist if isinstance(condlist, (list, tuple)) else [condlist])]
    out = zeros_like(x)
    if len(funclist) == len(condlist) + 1:
        otherwise = funclist[-1]
        none = logical_not(_b_any_list(condlist))
        out = where(none, otherwise(x, *args, **kw) if callable(otherwise) else full_like(x, otherwise), out)
    for c, f in zip(condlist, funclist):
        v = f(x, *args, **kw) if callable(f) else full_like(x, f)
        out = where(c, v, out)
    return out

def _b_any_list(cs):
    r = cs[0]
    for c in cs[1:]:
        r = logical_or(r, c)
    return r

def block(arrays):
    def depth(a):
        return 1 + depth(a[0]) if isinstance(a, list) and a else 0
    def go(a, d, total):
        if not isinstance(a, list):
            x = asarray(a)
            return reshape(x, (1,) * (total - x.ndim) + x.shape) if x.ndim < total else x
        parts = [go(p, d + 1, total) for p in a]
        return concatenate(parts, axis=-(total - d))
    nd = depth(arrays)
    leaves = []
    def collect(a):
        if isinstance(a, list):
            for p in a:
                collect(p)
        else:
            leaves.append(asarray(a).ndim)
    collect(arrays)
    total = _b.max([nd] + leaves)
    return go(arrays, 0, total)

def dsplit(ary, indices_or_sections):
    return split(ary, indices_or_sections, axis=2)

def isrealobj(x): return not iscomplexobj(x)
def iscomplex(x):
    x = asarray(x)
    return not_equal(imag(x), 0) if iscomplexobj(x) else zeros(x.shape, "bool")

def array_equiv(a1, a2):
    a1, a2 = asarray(a1), asarray(a2)
    try:
        _np.broadcast_shapes(tuple(a1.shape), tuple(a2.shape))
    except ValueError:
        return asarray(False)
    return all(equal(a1, a2))

def histogram_bin_edges(a, bins=10, range=None, weights=None):
    return histogram(a, bins=bins, range=range)[1]

def bitwise_count(x, /):
    from . import lax
    return lax.population_count(x).astype("uint8")  # JAX gives uint8 counts

class _IndexTricks:
    """`jnp.mgrid` / `jnp.ogrid`: numpy's grids made into arrays."""
    def __init__(self, sparse):
        self.sparse = sparse
    def __getitem__(self, key):
        out = (_np.ogrid if self.sparse else _np.mgrid)[key]
        if isinstance(out, (list, tuple)):
            return [asarray(o.astype(_np.float32) if o.dtype == _np.float64 else o.astype(_np.int32)) for o in out]
        return asarray(out.astype(_np.float32) if out.dtype == _np.float64 else out.astype(_np.int32))

mgrid, ogrid = _IndexTricks(False), _IndexTricks(True)
s_, index_exp = _np.s_, _np.index_exp

class _Concat:
    def __init__(self, axis):
        self.axis = axis
    def __getitem__(self, key):
        key = key if isinstance(key, tuple) else (key,)
        parts = []
        for k in key:
            if isinstance(k, slice):
                parts.append(asarray(_np.r_[k].astype(_np.float32 if _np.r_[k].dtype == _np.float64 else _np.int32)))
            else:
                x = asarray(k)
                parts.append(reshape(x, (1,)) if x.ndim == 0 else x)
        if self.axis == -1:  # c_: columns
            parts = [reshape(p, (-1, 1)) if p.ndim == 1 else p for p in parts]
        return concatenate(parts, axis=self.axis)

r_, c_ = _Concat(0), _Concat(-1)

# --- polynomials (coefficients highest power first, as numpy)

def _poly1d(p):
    p = asarray(p)
    if p.ndim != 1:
        raise ValueError("polynomial coefficients must be 1-d")
    return p

def polyadd(a1, a2):
    a1, a2 = _poly1d(a1), _poly1d(a2)
    n = _b.max(a1.shape[0], a2.shape[0])
    return add(pad(a1, (n - a1.shape[0], 0)), pad(a2, (n - a2.shape[0], 0)))

def polysub(a1, a2):
    return polyadd(a1, negative(_poly1d(a2)))

def polymul(a1, a2, *, trim_leading_zeros=False):
    return convolve(_poly1d(a1), _poly1d(a2), mode="full")

def polyder(p, m=1):
    p = _poly1d(p)
    if m < 0:
        raise ValueError("Order of derivative must be positive")
    for _ in range(m):
        n = p.shape[0] - 1
        if n <= 0:
            return zeros((0,), p.dtype) if n < 0 else zeros((1,), p.dtype) * 0
        p = multiply(p[:-1], arange(n, 0, -1).astype(p.dtype))
    return p

def polyint(p, m=1, k=None):
    p = _poly1d(p)
    k = [0.0] * m if k is None else (list(_np.atleast_1d(k)) * m if _np.ndim(k) == 0 else list(k))
    for i in range(m):
        n = p.shape[0]
        p = concatenate([divide(p, arange(n, 0, -1).astype(p.dtype if str(p.dtype).startswith("float") else "float32")), asarray([k[i]], "float32")])
    return p

def poly(seq_of_zeros):
    z = ravel(asarray(seq_of_zeros))
    out = asarray([1.0], z.dtype if str(z.dtype).startswith("float") else "float32")
    for i in range(z.shape[0]):
        out = convolve(out, stack([asarray(1.0, out.dtype), negative(z[i]).astype(out.dtype)]), mode="full")
    return out

def polydiv(u, v, *, trim_leading_zeros=False):
    u, v = _poly1d(u).astype("float32") if not str(asarray(u).dtype).startswith("float") else _poly1d(u), _poly1d(v)
    v = v.astype(u.dtype)
    m, n = u.shape[0] - 1, v.shape[0] - 1
    scale = 1.0 / v[0]
    q = zeros((_b.max(m - n + 1, 1),), u.dtype)
    r = u
    for k in range(0, m - n + 1):
        d = scale * r[k]
        q = q.at[k].set(d)
        r = r.at[k:k + n + 1].add(-d * v)
    return q, r

def polyfit(x, y, deg, rcond=None, full=False, w=None, cov=False):
    """Least squares through the normal equations of the column-scaled
    Vandermonde matrix (JAX solves the same scaled problem with an SVD)."""
    if full or cov:
        raise NotImplementedError("polyfit(full=True / cov=True) is not supported")
    x, y = asarray(x), asarray(y)
    lhs = vander(x, deg + 1)
    rhs = y
    if w is not None:
        w = asarray(w)
        lhs = lhs * w[:, None]
        rhs = rhs * (w if rhs.ndim == 1 else w[:, None])
    scale = sqrt(sum(lhs * lhs, axis=0))
    lhs = lhs / scale
    c = linalg.solve(matmul(lhs.T, lhs), matmul(lhs.T, rhs))
    return (c.T / scale).T

# --- reading and writing through numpy

def frombuffer(buffer, dtype=float, count=-1, offset=0):
    return asarray(_np.frombuffer(buffer, dtype=dtype, count=count, offset=offset))

def fromstring(string, dtype=float, count=-1, *, sep):
    return asarray(_np.fromstring(string, dtype=dtype, count=count, sep=sep))

def fromiter(iterable, dtype, count=-1):
    return asarray(_np.fromiter(iterable, dtype=dtype, count=count))

def fromfile(*args, **kwargs):
    return asarray(_np.fromfile(*args, **kwargs))

def load(*args, **kwargs):
    out = _np.load(*args, **kwargs)
    return asarray(out) if isinstance(out, _np.ndarray) else out

def save(file, arr, allow_pickle=True):
    _np.save(file, _np.asarray(arr), allow_pickle=allow_pickle)

def savez(file, *args, **kwds):
    _np.savez(file, *[_np.asarray(a) for a in args], **{k: _np.asarray(v) for k, v in kwds.items()})

def unpackbits(a, axis=None, count=None, bitorder="big"):
    a = asarray(a)
    if str(a.dtype) != "uint8":
        raise TypeError("Expected an input array of unsigned byte data type")
    if axis is None:
        a, axis = ravel(a), 0
    shifts = arange(7, -1, -1) if bitorder == "big" else arange(8)
    bits = bitwise_and(right_shift(expand_dims(a, -1), shifts.astype("uint8")), asarray(1, "uint8"))
    bits = moveaxis(bits, -1, axis + 1 if axis >= 0 else axis)
    shp = list(a.shape)
    shp[axis] *= 8
    out = reshape(bits, shp)
    if count is not None:
        out = take(out, arange(count), axis=axis)
    return out

def histogramdd(sample, bins=10, range=None, weights=None, density=None):
    """`jnp.histogramdd` (JAX's construction: one flat bincount over the
    raveled bin index, outer bins cut away)."""
    sample = asarray(sample)
    n_dim = sample.shape[1]
    idx_by_dim, edges_by_dim = [], []
    for i in _b.range(n_dim):
        col = sample[:, i]
        b_i = bins[i] if isinstance(bins, (list, tuple)) else bins
        edges = histogram_bin_edges(col, b_i, None if range is None else range[i])
        idx = searchsorted(edges, col, side="right")
        idx_by_dim.append(where(equal(col, edges[-1]), idx - 1, idx))
        edges_by_dim.append(edges)
    nbins = tuple(e.shape[0] + 1 for e in edges_by_dim)
    flat = ravel_multi_index(tuple(idx_by_dim), nbins, mode="clip")
    hist = reshape(bincount(flat, weights, length=int(_np.prod(nbins))), nbins)
    hist = hist[(slice(1, -1),) * n_dim]
    if density:
        hist = hist.astype(sample.dtype)
        hist = hist / sum(hist)
        for d in _b.range(n_dim):
            shape = [1] * n_dim
            shape[d] = nbins[d] - 2
            hist = hist / reshape(diff(edges_by_dim[d]), shape)
    return hist, edges_by_dim

def histogram2d(x, y, bins=10, range=None, weights=None, density=None):
    try:
        n = len(bins)
    except TypeError:
        n = 1
    if n != 1 and n != 2:
        bins = [asarray(bins), asarray(bins)]
    hist, edges = histogramdd(transpose(asarray([x, y])), bins, range, weights, density)
    return hist, edges[0], edges[1]

_UniqueAll = __import__("collections").namedtuple("_UniqueAllResult", ["values", "indices", "inverse_indices", "counts"])
_UniqueCounts = __import__("collections").namedtuple("_UniqueCountsResult", ["values", "counts"])
_UniqueInverse = __import__("collections").namedtuple("_UniqueInverseResult", ["values", "inverse_indices"])

def unique_values(x, /, *, size=None, fill_value=None):
    return unique(x, equal_nan=False, size=size, fill_value=fill_value)

def unique_counts(x, /, *, size=None, fill_value=None):
    return _UniqueCounts(*unique(x, return_counts=True, equal_nan=False, size=size, fill_value=fill_value))

def unique_inverse(x, /, *, size=None, fill_value=None):
    return _UniqueInverse(*unique(x, return_inverse=True, equal_nan=False, size=size, fill_value=fill_value))

def unique_all(x, /, *, size=None, fill_value=None):
    return _UniqueAll(*unique(x, return_index=True, return_inverse=True, return_counts=True, equal_nan=False,
                              size=size, fill_value=fill_value))

def angle(z, deg=False):
    """`jnp.angle`: the argument of complex numbers (0 or pi for reals)."""
    out = op1("angle", z)
    return rad2deg(out) if deg else out

def sort_complex(a):
    """Sorted by real part, then imaginary part; the result is complex."""
    a = asarray(a)
    if not iscomplexobj(a):
        a = a.astype("complex128" if _x64() else "complex64")
    return sort(a, axis=-1)

def array_str(a, max_line_width=None, precision=None, suppress_small=None):
    return _np.array_str(_np.asarray(a), max_line_width, precision, suppress_small)

def array_repr(arr, max_line_width=None, precision=None, suppress_small=None):
    return repr(asarray(arr))

def mask_indices(n, mask_func, k=0, *, size=None):
    return nonzero(mask_func(ones((n, n), "int32"), k), size=size)


# --- ufunc objects: jnp.add.outer / .reduce / .accumulate / .at, as in JAX
class ufunc:
    """A binary elementwise function with numpy's ufunc methods. Reductions
    and accumulations use the engine's reductions and cumulative ops where
    there is one, else a scan over the axis."""
    nin, nout = 2, 1

    def __init__(self, func, name, identity=None, reduce=None, accumulate=None, at=None):
        self._func, self.__name__, self.identity = func, name, identity
        self._reduce, self._accumulate, self._at = reduce, accumulate, at
        self.__doc__ = getattr(func, "__doc__", None)

    def __repr__(self):
        return f"<jnp.ufunc '{self.__name__}'>"

    def __call__(self, *args, **kwargs):
        return self._func(*args, **kwargs)

    def outer(self, A, B, /):
        A, B = asarray(A), asarray(B)
        return self._func(reshape(A, tuple(A.shape) + (1,) * B.ndim), B)

    def _fold(self, x, axis, initial):
        """Left fold of the function along `axis` by a scan."""
        from . import lax
        x = moveaxis(x, axis, 0)
        if x.shape[0] == 0 and initial is None:
            if self.identity is None:
                raise ValueError(f"zero-size array to reduction operation {self.__name__} which has no identity")
            initial = self.identity
        if initial is None:
            init, rest = x[0], x[1:]
        else:
            init, rest = broadcast_to(asarray(initial, x.dtype), x.shape[1:]), x
        return lax.scan(lambda c, v: (self._func(c, v).astype(c.dtype), None), init, rest)[0]

    def reduce(self, a, axis=0, dtype=None, out=None, keepdims=False, initial=None, where=None):
        if out is not None:
            raise NotImplementedError(f"{self.__name__}.reduce: the out argument is not supported")
        a = asarray(a) if dtype is None else asarray(a).astype(dtype)
        if self._reduce is not None and initial is None:
            kw = {} if where is None else {"where": where}
            return self._reduce(a, axis=axis, keepdims=keepdims, **kw)
        if where is not None:
            if self.identity is None:
                raise ValueError(f"reduction operation {self.__name__} does not have an identity, so to use a where mask one has to specify 'initial'")
            a = _where_fn(where, a, asarray(self.identity if initial is None else initial, a.dtype))
        axes = tuple(range(a.ndim)) if axis is None else ((axis,) if isinstance(axis, int) else tuple(axis))
        axes = sorted((ax % a.ndim for ax in axes), reverse=True)
        out_ = a
        for ax in axes:
            out_ = self._fold(out_, ax, initial)
            initial = None if len(axes) > 1 else initial
        if keepdims:
            out_ = expand_dims(out_, tuple(sorted(axes)))
        return out_

    def accumulate(self, a, axis=0, dtype=None, out=None):
        if out is not None:
            raise NotImplementedError(f"{self.__name__}.accumulate: the out argument is not supported")
        from . import lax
        a = asarray(a) if dtype is None else asarray(a).astype(dtype)
        if self._accumulate is not None:
            return self._accumulate(a, axis)
        x = moveaxis(a, axis, 0)
        def step(c, v):
            c = self._func(c, v).astype(c.dtype)
            return c, c
        _, ys = lax.scan(step, x[0], x[1:])
        return moveaxis(concatenate([x[:1], ys], axis=0), 0, axis)

    def at(self, a, indices, b=None, /, *, inplace=True):
        if inplace:
            raise NotImplementedError("jax.numpy.ufunc.at: in-place operation is not supported; use inplace=False")
        if b is None:
            raise TypeError(f"{self.__name__}.at needs the second operand b")
        ref = asarray(a).at[indices]
        if self._at is not None:
            return getattr(ref, self._at)(b)
        # a generic function: one index at a time, so repeated indices compose
        from . import lax
        a = asarray(a)
        idx = asarray(indices)
        bs = broadcast_to(asarray(b, a.dtype), idx.shape + tuple(a.shape[1:]))
        flat_i, flat_b = ravel(idx), reshape(bs, (-1,) + tuple(a.shape[1:]))
        def body(k, acc):
            i = flat_i[k]
            return acc.at[i].set(self._func(acc[i], flat_b[k]).astype(acc.dtype))
        return lax.fori_loop(0, flat_i.shape[0], body, a)

    def reduceat(self, *args, **kwargs):
        raise NotImplementedError(f"{self.__name__}.reduceat is not supported yet")


_where_fn = where


def _cum_fn(fname):
    def f(a, axis):
        from . import lax
        return getattr(lax, fname)(a, axis % asarray(a).ndim)
    return f


for _n, _ident, _red, _acc, _at in [
        ("add", 0, "sum", "cumsum", "add"), ("multiply", 1, "prod", "cumprod", "multiply"),
        ("maximum", None, "max", "cummax", "max"), ("minimum", None, "min", "cummin", "min"),
        ("subtract", None, None, None, "subtract"), ("logical_and", True, "all", None, None),
        ("logical_or", False, "any", None, None), ("logical_xor", False, None, None, None),
        ("bitwise_and", -1, None, None, None), ("bitwise_or", 0, None, None, None),
        ("bitwise_xor", 0, None, None, None), ("logaddexp", -_np.inf, None, None, None),
        ("logaddexp2", -_np.inf, None, None, None), ("divide", None, None, None, "divide"),
        ("true_divide", None, None, None, "divide"), ("power", None, None, None, "power"),
        ("floor_divide", None, None, None, None), ("remainder", None, None, None, None),
        ("mod", None, None, None, None), ("fmod", None, None, None, None), ("arctan2", None, None, None, None),
        ("hypot", None, None, None, None), ("equal", None, None, None, None), ("not_equal", None, None, None, None),
        ("less", None, None, None, None), ("less_equal", None, None, None, None), ("greater", None, None, None, None),
        ("greater_equal", None, None, None, None), ("left_shift", None, None, None, None),
        ("right_shift", None, None, None, None), ("fmax", None, None, None, None), ("fmin", None, None, None, None),
        ("copysign", None, None, None, None), ("nextafter", None, None, None, None), ("heaviside", None, None, None, None),
        ("gcd", 0, None, None, None), ("lcm", None, None, None, None), ("float_power", None, None, None, None)]:
    if _n in globals() and not isinstance(globals()[_n], ufunc):
        globals()[_n] = ufunc(globals()[_n], _n, _ident, globals()[_red] if _red else None,
                              _cum_fn(_acc) if _acc else None, _at)
pow = power


def frompyfunc(func, /, nin, nout, *, identity=None):
    """`jnp.frompyfunc`: a ufunc from a function of jnp arrays (binary
    functions get outer/reduce/accumulate/at)."""
    if nout != 1:
        raise NotImplementedError("jnp.frompyfunc with nout != 1 is not supported")
    if nin == 2:
        return ufunc(func, getattr(func, "__name__", "ufunc"), identity)
    import functools
    return functools.wraps(func)(lambda *a: func(*a))


def place(arr, mask, vals, *, inplace=True):
    """`jnp.place` (inplace=False): `vals` written, cycled, at the True
    positions of `mask` in order."""
    if inplace:
        raise ValueError("jax.numpy.place cannot modify arrays in-place, because JAX arrays are immutable. Pass inplace=False to instead return an updated array.")
    arr, mask, vals = asarray(arr), asarray(mask), ravel(asarray(vals))
    flat = ravel(arr)
    idx = nonzero(ravel(mask), size=mask.size, fill_value=mask.size)[0]
    if vals.size == 0:
        return arr
    upd = take(vals, arange(idx.shape[0]) % vals.size)
    return reshape(flat.at[idx].set(upd.astype(arr.dtype), mode="drop"), arr.shape)


def einsum_path(subscripts, *operands, optimize="greedy"):
    """`jnp.einsum_path`: the contraction order (left to right here) and a
    short report."""
    n = len(operands)
    path = ["einsum_path"] + [(0, 1)] * _b.max(n - 1, 0) if n > 1 else ["einsum_path", (0,)]
    return path, f"  Complete contraction:  {subscripts}\n  (contracted left to right)"



_log2_op = log2

@_compiled()
def log2(x):
    """`jnp.log2`: log(x) / log(2), compiled whole as JAX's (XLA divides by
    the folded constant as a multiplication by its reciprocal)."""
    return _log2_op(x)
