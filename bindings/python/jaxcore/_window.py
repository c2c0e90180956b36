"""`lax.reduce_window`, `lax.reduce` with a computation, and
`lax.associative_scan`, composed of pad, strided slices and the given
binary computation (so any elementwise computation works, and grad, vmap
and jit come from the pieces)."""

import numpy as _np

from ._core import asarray
from . import tree_util as tu


def _pairs(padding, n):
    pads = [tuple(int(v) for v in p) for p in padding]
    if len(pads) != n:
        raise ValueError(f"reduce_window padding must have {n} (lo, hi) pairs, got {padding}")
    return pads


def reduce_window(operand, init_value, computation, window_dimensions, window_strides, padding,
                  base_dilation=None, window_dilation=None):
    """`lax.reduce_window`: each output element is `init_value` combined
    with the window's elements by `computation`, windows laid out by
    strides, padding (with `init_value`) and base/window dilation."""
    from . import lax, numpy as jnp
    leaves, tree = tu.tree_flatten(operand)
    inits, itree = tu.tree_flatten(init_value)
    if len(leaves) != 1 or len(inits) != 1:
        # several operands reduce together: computation takes and returns tuples
        return _reduce_window_multi(leaves, tree, inits, computation, window_dimensions, window_strides, padding,
                                    base_dilation, window_dilation)
    x, init = asarray(leaves[0]), asarray(inits[0]).astype(str(asarray(leaves[0]).dtype))
    out = _reduce_window_flat([x], [init], lambda a, b: [computation(a[0], b[0])], window_dimensions, window_strides,
                              padding, base_dilation, window_dilation)
    return out[0]


def _reduce_window_multi(leaves, tree, inits, computation, wd, ws, padding, bd, wdl):
    xs = [asarray(x) for x in leaves]
    ins = [asarray(i).astype(str(x.dtype)) for i, x in zip(inits, xs)]
    def comb(a, b):
        r = computation(tu.tree_unflatten(tree, a), tu.tree_unflatten(tree, b))
        return tu.tree_leaves(r)
    return tu.tree_unflatten(tree, _reduce_window_flat(xs, ins, comb, wd, ws, padding, bd, wdl))


def _reduce_window_flat(xs, inits, comb, window_dimensions, window_strides, padding, base_dilation, window_dilation):
    from . import lax, numpy as jnp
    x0 = xs[0]
    nd = x0.ndim
    wd = tuple(int(d) for d in window_dimensions)
    ws = tuple(int(s) for s in window_strides) if window_strides is not None else (1,) * nd
    bd = tuple(base_dilation) if base_dilation is not None else (1,) * nd
    wdl = tuple(window_dilation) if window_dilation is not None else (1,) * nd
    for name, v in (("window_dimensions", wd), ("window_strides", ws), ("base_dilation", bd), ("window_dilation", wdl)):
        if len(v) != nd:
            raise TypeError(f"reduce_window: {name} must have one entry per operand dimension ({nd}), got {v}")
    eff = tuple(0 if w == 0 else 1 + d * (w - 1) for w, d in zip(wd, wdl))
    if isinstance(padding, str):
        from ._conv import padtype_to_pads
        dilated = tuple(0 if s == 0 else 1 + b * (s - 1) for s, b in zip(x0.shape, bd))
        pads = padtype_to_pads(dilated, eff, ws, padding)
    else:
        pads = _pairs(padding, nd)
    cfg = [(lo, hi, b - 1) for (lo, hi), b in zip(pads, bd)]
    if any(c != (0, 0, 0) for c in cfg):
        xs = [lax.pad(x, i, cfg) for x, i in zip(xs, inits)]
    P = xs[0].shape
    out = tuple(max((p - e) // s + 1, 0) if p >= e else 0 for p, e, s in zip(P, eff, ws))
    acc = [jnp.broadcast_to(i, out) for i in inits]
    for tap in _np.ndindex(*wd):
        start = tuple(t * d for t, d in zip(tap, wdl))
        limit = tuple(st + (o - 1) * s + 1 if o > 0 else st for st, o, s in zip(start, out, ws))
        acc = comb(acc, [lax.slice(x, start, limit, ws) for x in xs])
    return acc


_MONOIDS = None


def _monoid(computation):
    """The named reduction a computation is, when it is one of lax's or
    jnp's binary ops (reduce then runs as one engine reduction)."""
    global _MONOIDS
    if _MONOIDS is None:
        from . import lax, numpy as jnp
        _MONOIDS = {lax.add: "sum", jnp.add: "sum", lax.mul: "prod", jnp.multiply: "prod", lax.max: "max",
                    jnp.maximum: "max", lax.min: "min", jnp.minimum: "min"}
    try:
        return _MONOIDS.get(computation)
    except TypeError:
        return None


def reduce(operands, init_values, computation, dimensions):
    """`lax.reduce`: combine `init_values` and the operands' elements along
    `dimensions` with `computation` (a lax/jnp add, mul, max or min runs as
    one reduction; any other computation folds slice by slice)."""
    from . import lax, numpy as jnp
    leaves, tree = tu.tree_flatten(operands)
    inits = tu.tree_leaves(init_values)
    dims = tuple(sorted(int(d) for d in dimensions))
    name = _monoid(computation) if len(leaves) == 1 else None
    if name is not None:
        x, i = asarray(leaves[0]), asarray(inits[0])
        r = getattr(jnp, name)(x, axis=dims) if dims else x
        return computation(r, i.astype(str(r.dtype)))
    xs = [asarray(x) for x in leaves]
    acc = None
    # move the reduced dims to the front, flatten them, and fold
    for k, x in enumerate(xs):
        rest = [d for d in range(x.ndim) if d not in dims]
        xs[k] = jnp.reshape(jnp.transpose(x, dims + tuple(rest)), (-1,) + tuple(x.shape[d] for d in rest))
    shape = xs[0].shape[1:]
    acc = [jnp.broadcast_to(asarray(i).astype(str(x.dtype)), shape) for i, x in zip(inits, xs)]
    for j in range(xs[0].shape[0]):
        a = tu.tree_unflatten(tree, acc)
        b = tu.tree_unflatten(tree, [x[j] for x in xs])
        acc = tu.tree_leaves(computation(a, b))
    return tu.tree_unflatten(tree, acc)


def _interleave(a, b, axis):
    """a[0], b[0], a[1], b[1], ... along axis (a may be one longer)."""
    from . import lax, numpy as jnp
    same = a.shape[axis] == b.shape[axis]
    zero = jnp.zeros((), a.dtype)
    ca = [(0, 0, 0)] * a.ndim
    cb = [(0, 0, 0)] * b.ndim
    ca[axis] = (0, 1 if same else 0, 1)
    cb[axis] = (1, 0 if same else 1, 1)
    pa, pb = lax.pad(a, zero, ca), lax.pad(b, jnp.zeros((), b.dtype), cb)
    return jnp.logical_or(pa, pb) if str(a.dtype) == "bool" else jnp.add(pa, pb)


def associative_scan(fn, elems, reverse=False, axis=0):
    """`lax.associative_scan`: the inclusive scan of an associative `fn`
    over pytrees of arrays, in O(log n) rounds (odd/even recursion)."""
    from . import lax, numpy as jnp
    leaves, tree = tu.tree_flatten(elems)
    leaves = [asarray(x) for x in leaves]
    if not leaves:
        return elems
    axis = axis % leaves[0].ndim
    n = leaves[0].shape[axis]
    if any(x.shape[axis] != n for x in leaves):
        raise ValueError(f"Array inputs to associative_scan must have the same first dimension. (saw: {[x.shape for x in leaves]})")
    if reverse:
        leaves = [jnp.flip(x, axis) for x in leaves]

    def combine(a, b):
        out = fn(tu.tree_unflatten(tree, a), tu.tree_unflatten(tree, b))
        return [asarray(o) for o in tu.tree_leaves(out)]

    def sl(x, start, stop, stride=1):
        return lax.slice_in_dim(x, start, stop, stride, axis)

    def scan(es):
        m = es[0].shape[axis]
        if m < 2:
            return es
        reduced = combine([sl(e, 0, m - 1, 2) for e in es], [sl(e, 1, m, 2) for e in es])
        odd = scan(reduced)
        if m % 2 == 0:
            even = combine([sl(e, 0, e.shape[axis] - 1) for e in odd], [sl(e, 2, m, 2) for e in es])
        else:
            even = combine(odd, [sl(e, 2, m, 2) for e in es])
        even = [jnp.concatenate([sl(e, 0, 1), r], axis=axis) for e, r in zip(es, even)]
        return [_interleave(e, o, axis) for e, o in zip(even, odd)]

    out = scan(leaves)
    if reverse:
        out = [jnp.flip(x, axis) for x in out]
    return tu.tree_unflatten(tree, out)


def cumlogsumexp(operand, axis=0, reverse=False):
    """`lax.cumlogsumexp`: running log-sum-exp along axis."""
    from . import numpy as jnp
    return associative_scan(jnp.logaddexp, operand, reverse=reverse, axis=axis)
