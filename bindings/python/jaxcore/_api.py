"""Transformations of Python functions: each becomes an engine function via
a ctypes callback (pytrees are flattened here; the engine sees flat lists of
arrays). A Python exception inside a traced function is re-raised, with its
traceback, from the call that ran it."""

import ctypes as C
import threading

from ._lib import lib, CALLBACK, FREE, arr, fn
from ._core import Array, asarray
from . import tree_util as tu

_KEEP = {}          # callbacks kept alive while the engine holds them
_PENDING = threading.local()

def _make(pyfun, name):
    """An engine function from `pyfun(list of Arrays) -> list of Arrays`."""
    def trampoline(_ud, ins, n, outs, cap, n_out):
        try:
            xs = []
            for i in range(n):
                h = arr()
                lib.jc_array_retain(ins[i], C.byref(h))
                xs.append(Array(h.value))
            ys = [asarray(y) for y in pyfun(xs)]
            if len(ys) > cap:
                raise ValueError(f"{name} returned {len(ys)} outputs, more than {cap}")
            for i, y in enumerate(ys):
                h = arr()
                lib.jc_array_retain(y._h, C.byref(h))
                outs[i] = h.value
            n_out[0] = len(ys)
            return 0
        except BaseException as e:  # carried back to the Python caller
            _PENDING.exc = e
            lib.jc_set_error(6, f"{type(e).__name__}: {e}".encode())
            return 6
    cb = CALLBACK(trampoline)
    key = id(cb)
    def release(_ud):
        _KEEP.pop(key, None)
    fr = FREE(release)
    _KEEP[key] = (cb, fr)
    h = fn()
    lib.jc_fn_from_callback(cb, None, fr, name.encode(), C.byref(h))
    return _Fn(h.value)

class _Fn:
    """An engine function handle."""
    def __init__(self, h):
        self.h = h

    def __del__(self):
        if self.h and lib is not None:
            lib.jc_fn_free(self.h)

    def call(self, xs):
        return call_outs(lib.jc_fn_call, self.h, *handles(xs))

def engine(call, *args):
    """Runs an engine call; a Python exception raised by a callback inside it
    is re-raised here (with its traceback) instead of the engine's error."""
    _PENDING.exc = None
    try:
        return call(*args)
    except Exception:
        exc = getattr(_PENDING, "exc", None)
        _PENDING.exc = None
        if exc is not None:
            raise exc
        raise

def handles(xs):
    """(ctypes array of handles, count) for a list of array-likes; the
    Arrays are kept alive by the returned ctypes array's _keep."""
    xs = [asarray(x) for x in xs]
    hs = (arr * max(len(xs), 1))(*[x._h for x in xs])
    hs._keep = xs
    return hs, len(xs)

_OUT_CAP = 4096

def call_outs(cfunc, *args):
    """Calls `cfunc(*args, outs, cap, &n)` and returns the output Arrays."""
    outs = (arr * _OUT_CAP)()
    n = C.c_size_t()
    engine(cfunc, *args, outs, _OUT_CAP, C.byref(n))
    return [Array(outs[i]) for i in range(n.value)]

def make_fn(f, name=None):
    """An engine function of flat arrays from a Python function of flat arrays."""
    return _make(f, name or getattr(f, "__name__", "f"))

def _ints(v):
    return (C.c_int64 * max(len(v), 1))(*v), len(v)

def _flat_fn(f, treedef, out_store, n_leaves):
    """Wraps f(*args) as a function of the flattened leaves of its arguments."""
    def g(leaves):
        args = tu.tree_unflatten(treedef, leaves[:n_leaves])
        out = f(*args)
        leaves_out, tdef = tu.tree_flatten(out)
        out_store[0] = tdef
        return leaves_out
    return g

def _argnums(argnums):
    return (argnums,) if isinstance(argnums, int) else tuple(argnums)

def grad(f, argnums=0, has_aux=False):
    """`jax.grad`."""
    return _vg(f, argnums, has_aux, value=False)

def value_and_grad(f, argnums=0, has_aux=False):
    """`jax.value_and_grad`."""
    return _vg(f, argnums, has_aux, value=True)

def _vg(f, argnums, has_aux, value):
    nums = _argnums(argnums)
    def inner(*args):
        # leaves of the differentiated arguments, in argument order
        per_arg = [tu.tree_flatten(a) for a in args]
        offsets, o = [], 0
        for leaves, _ in per_arg:
            offsets.append(o)
            o += len(leaves)
        leaf_nums = [offsets[i] + k for i in nums for k in range(len(per_arg[i][0]))]
        flat = [l for leaves, _ in per_arg for l in leaves]
        store = [None]
        def body(leaves):
            rebuilt = [tu.tree_unflatten(per_arg[i][1], leaves[offsets[i]:offsets[i] + len(per_arg[i][0])]) for i in range(len(args))]
            out = f(*rebuilt)
            if has_aux:
                val, aux = out
                aux_leaves, adef = tu.tree_flatten(aux)
                store[0] = adef
                return [val] + aux_leaves
            return [out]
        base = _make(body, getattr(f, "__name__", "f"))
        h = fn()
        ib, n = _ints(leaf_nums)
        (lib.jc_value_and_grad if value else lib.jc_grad)(base.h, ib, n, has_aux, C.byref(h))
        outs = _Fn(h.value).call(flat)
        if value:
            n_aux = len(outs) - 1 - len(leaf_nums)
            val, aux_leaves, grads = outs[0], outs[1:1 + n_aux], outs[1 + n_aux:]
        else:
            grads, aux_leaves = outs[:len(leaf_nums)], outs[len(leaf_nums):]
            val = None
        gs, k = [], 0
        for i in nums:
            m = len(per_arg[i][0])
            gs.append(tu.tree_unflatten(per_arg[i][1], grads[k:k + m]))
            k += m
        g = gs[0] if isinstance(argnums, int) else tuple(gs)
        aux = tu.tree_unflatten(store[0], aux_leaves) if has_aux else None
        if value:
            return ((val, aux) if has_aux else val), g
        return (g, aux) if has_aux else g
    inner.__wrapped__ = f
    return inner

def jit(f, static_argnums=(), donate_argnums=()):
    """`jax.jit` (static arguments are Python values, part of the cache key)."""
    statics = _argnums(static_argnums)
    cache = {}
    def inner(*args):
        skey = tuple((i, args[i]) for i in statics if i < len(args))
        dyn = [a for i, a in enumerate(args) if i not in statics]
        leaves, treedef = tu.tree_flatten(dyn)
        key = (skey, treedef, len(args))
        hit = cache.get(key)
        if hit is None:
            store = [None]
            def body(ls):
                d = iter(tu.tree_unflatten(treedef, ls))
                full = [args[i] if i in statics else next(d) for i in range(len(args))]
                out_leaves, tdef = tu.tree_flatten(f(*full))
                store[0] = tdef
                return out_leaves
            base = _make(body, getattr(f, "__name__", "f"))
            h = fn()
            lib.jc_jit(base.h, None, 0, None, 0, C.byref(h))
            hit = (_Fn(h.value), store, base)
            cache[key] = hit
        jf, store, _ = hit
        outs = jf.call(leaves)
        return tu.tree_unflatten(store[0], outs)
    inner.__wrapped__ = f
    return inner

def vmap(f, in_axes=0, out_axes=0, axis_size=None):
    """`jax.vmap` (in_axes per argument, an int or None; pytrees of arrays)."""
    def inner(*args):
        per_arg = [tu.tree_flatten(a) for a in args]
        axes = in_axes if isinstance(in_axes, (tuple, list)) else [in_axes] * len(args)
        leaf_axes = []
        for (leaves, _), ax in zip(per_arg, axes):
            leaf_axes += [(-(1 << 63)) if ax is None else ax] * len(leaves)
        flat = [l for leaves, _ in per_arg for l in leaves]
        store = [None]
        def body(ls):
            k, rebuilt = 0, []
            for leaves, tdef in per_arg:
                rebuilt.append(tu.tree_unflatten(tdef, ls[k:k + len(leaves)]))
                k += len(leaves)
            out_leaves, tdef = tu.tree_flatten(f(*rebuilt))
            store[0] = tdef
            return out_leaves
        base = _make(body, getattr(f, "__name__", "f"))
        h = fn()
        ib, n = _ints(leaf_axes)
        oa = [(-(1 << 63)) if out_axes is None else out_axes] if isinstance(out_axes, (int, type(None))) else list(out_axes)
        ob, m = _ints(oa)
        lib.jc_vmap(base.h, ib, n, ob, m, -1 if axis_size is None else axis_size, C.byref(h))
        outs = _Fn(h.value).call(flat)
        return tu.tree_unflatten(store[0], outs)
    inner.__wrapped__ = f
    return inner

def make_jaxpr(f):
    """`jax.make_jaxpr`: the engine's graph of f, printed."""
    def inner(*args):
        leaves, treedef = tu.tree_flatten(list(args))
        store = [None]
        base = _make(_flat_fn(f, treedef, store, len(leaves)), getattr(f, "__name__", "f"))
        xs = [asarray(l) for l in leaves]
        hs = (arr * max(len(xs), 1))(*[x._h for x in xs])
        from ._lib import string_out
        return string_out(lib.jc_fn_graph_string, base.h, hs, len(xs))
    return inner
