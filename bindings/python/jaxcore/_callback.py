"""Host callbacks: `jax.pure_callback`, `jax.experimental.io_callback` and
`jax.debug.callback` over the engine's host-callback primitive. The
callback gets concrete arrays each time the program runs (under jit too:
such programs run on the engine's interpreter)."""

import ctypes as C

from ._lib import lib
from ._core import Array, asarray, dtype_code
from ._api import _make, call_outs, handles
from . import tree_util as tu

PURE, IO, IO_ORDERED, DEBUG = 0, 1, 2, 3
_VMAP_METHODS = {None: 0, "sequential": 1, "sequential_unrolled": 2, "expand_dims": 3, "broadcast_all": 4,
                 "legacy_vectorized": 5}


def host_callback(callback, result_shape_dtypes, args, kwargs, kind, vmap_method=None, name="callback"):
    if vmap_method not in _VMAP_METHODS:
        raise ValueError(f"vmap_method must be on of the allowed methods {list(_VMAP_METHODS)}, but got: {vmap_method}")
    leaves, in_tree = tu.tree_flatten((args, kwargs))
    results, out_tree = tu.tree_flatten(result_shape_dtypes)
    specs = [(tuple(r.shape), r.dtype) for r in results]

    def host(xs):
        a, k = tu.tree_unflatten(in_tree, xs)
        out = callback(*a, **k)
        if kind == DEBUG:
            return []
        got = tu.tree_leaves(out)
        if len(got) != len(specs):
            raise TypeError(f"Callback func {getattr(callback, '__name__', callback)} should have output matching "
                            f"result_shape_dtypes {out_tree}, got {tu.tree_structure(out)}")
        return [asarray(o, dtype=d) for o, (_, d) in zip(got, specs)]

    f = _make(host, getattr(callback, "__name__", name))
    xs = [asarray(x) for x in leaves]
    hs, n = handles(xs)
    m = len(specs)
    dts = (C.c_uint32 * max(m, 1))(*[dtype_code(d) for _, d in specs])
    nds = (C.c_size_t * max(m, 1))(*[len(s) for s, _ in specs])
    flat = [d for s, _ in specs for d in s]
    dims = (C.c_int64 * max(len(flat), 1))(*flat)
    outs = call_outs(lib.jc_host_callback, f.h, hs, n, dts, nds, dims, m, kind, _VMAP_METHODS[vmap_method])
    return None if kind == DEBUG else tu.tree_unflatten(out_tree, outs)
