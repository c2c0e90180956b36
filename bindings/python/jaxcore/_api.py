"""Transformations of Python functions: each becomes an engine function via
a ctypes callback (pytrees are flattened here; the engine sees flat lists of
arrays). A Python exception inside a traced function is re-raised, with its
traceback, from the call that ran it."""

import ctypes as C
import threading
import time

from ._lib import lib, CALLBACK, FREE, arr, fn, _check
from ._core import Array, asarray, _wrap
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

# jit's hot path keeps the GIL across short calls (releasing and re-taking
# it costs ~0.4 us of a ~6 us dispatch); the engine never waits on another
# thread that needs it, and tracing callbacks re-enter on this thread. XLA's
# CPU client runs the program on the calling thread, so a program whose
# first calls take longer than _LONG_NS is called through the entry that
# releases the GIL, and other Python threads run while it computes.
# No argtypes: every argument passed is already a ctypes object, which
# ctypes then passes as it is instead of running each argtype's from_param
# (~0.8 us of a dispatch).
_gil_call = C.PyDLL(lib._name)["jc_fn_call"]
_gil_call.restype = C.c_int32
_nogil_call = C.CDLL(lib._name)["jc_fn_call"]
_nogil_call.restype = C.c_int32
_LONG_NS, _TIMED_CALLS = 50_000, 3

_MISS = object()
_JIT_DISABLED = [False]  # jax.disable_jit()

def _fast_call(h, n_in, nout, tree):
    """jit's call for positional Arrays only (the common case), with
    preallocated argument buffers; returns _MISS when the arguments are not
    all Arrays. `busy` covers re-entry (a trace that calls the same function)
    and other threads (long programs run without the GIL): fresh buffers
    then; results are read before it is released."""
    in_t, out_t = arr * max(n_in, 1), arr * nout
    ins, outs, k = in_t(), out_t(), C.c_size_t()
    kref, busy = C.byref(k), threading.Lock()  # held while ins/outs are in use
    wrap, A, new, now = _wrap, Array, object.__new__, time.perf_counter_ns
    fh, c_in, c_out = C.c_void_p(h), C.c_size_t(n_in), C.c_size_t(nout)
    mode = [_gil_call, _TIMED_CALLS]  # the entry, and how many calls are still timed

    def call(*a):
        if not mode[1]:
            return mode[0](*a)
        t = now()
        st = mode[0](*a)
        mode[1] -= 1
        if now() - t > _LONG_NS:
            mode[0], mode[1] = _nogil_call, 0
        return st

    def finish(st, outs, n):
        if st != 0:
            return _raise_pending(st)
        if tree is None:
            return wrap(outs[0])
        return tu.tree_unflatten(tree, [wrap(outs[i]) for i in range(n)])

    def slow(args):
        o, kk = out_t(), C.c_size_t()
        st = call(fh, in_t(*[a._h for a in args]), c_in, o, c_out, C.byref(kk))
        return finish(st, o, kk.value)

    if n_in == 1 and tree is None:
        def fast1(args):
            a = args[0]
            if type(a) is not A:
                return _MISS
            if not busy.acquire(False):
                return slow(args)
            ins[0] = a._h
            try:
                st = (call if mode[1] else mode[0])(fh, ins, c_in, outs, c_out, kref)
                h = outs[0]
            finally:
                busy.release()
            if st != 0:
                return _raise_pending(st)
            r = new(A)  # (_wrap inlined: the dispatch hot path)
            r._h = h
            return r
        return fast1

    def fast(args):
        for a in args:
            if type(a) is not A:
                return _MISS
        if not busy.acquire(False):
            return slow(args)
        ins[:n_in] = [a._h for a in args]
        try:
            st = (call if mode[1] else mode[0])(fh, ins, c_in, outs, c_out, kref)
            got = outs[:k.value] if st == 0 else None
        finally:
            busy.release()
        return finish(st, got, len(got) if got is not None else 0)
    return fast

def _raise_pending(st=8):
    """The error of a failed raw engine call, as an exception: a Python
    exception a callback raised inside it, else the engine's error."""
    exc = getattr(_PENDING, "exc", None)
    _PENDING.exc = None
    if exc is not None:
        raise exc
    _check(st, None, None)

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

def _argnums(argnums):
    return (argnums,) if isinstance(argnums, int) else tuple(argnums)

def grad(f, argnums=0, has_aux=False, holomorphic=False, allow_int=False, reduce_axes=()):
    """`jax.grad`."""
    if holomorphic:
        return _holomorphic_vg(f, argnums, has_aux, value=False)
    return _vg(f, argnums, has_aux, value=False, allow_int=allow_int)

def value_and_grad(f, argnums=0, has_aux=False, holomorphic=False, allow_int=False, reduce_axes=()):
    """`jax.value_and_grad`."""
    if holomorphic:
        return _holomorphic_vg(f, argnums, has_aux, value=True)
    return _vg(f, argnums, has_aux, value=True, allow_int=allow_int)

def _complex_leaves(what, tree):
    import numpy as np
    for leaf in tu.tree_leaves(tree):
        d = asarray(leaf).dtype
        if str(d) == "bfloat16" or np.dtype(d).kind != "c":
            raise TypeError(f"{what} with holomorphic=True requires inputs with complex dtype, but got {d}.")

def _holomorphic_vg(f, argnums, has_aux, value):
    """grad(..., holomorphic=True): the pullback of a one through a complex
    scalar function is its complex derivative f'(z) (JAX's convention)."""
    nums = _argnums(argnums)
    def inner(*args, **kwargs):
        dyn = _dyn_positions(argnums, nums, args)
        for i in dyn:
            _complex_leaves("grad", args[i])
        res = vjp(lambda *d: f(*_with_dyn(args, dyn, d), **kwargs), *[args[i] for i in dyn], has_aux=has_aux)
        out, pullback = res[0], res[1]
        if not hasattr(out, "dtype") or out.shape != () or str(out.dtype).find("complex") < 0:
            shape = getattr(out, "shape", ())
            if shape != ():
                raise TypeError(f"Gradient only defined for scalar-output functions. Output had shape: {tuple(shape)}.")
            raise TypeError(f"grad with holomorphic=True requires outputs with complex dtype, but got {out.dtype}.")
        from .numpy import ones_like
        grads = pullback(ones_like(out))
        g = grads[0] if isinstance(argnums, int) else tuple(grads)
        if value:
            return ((out, res[2]) if has_aux else out), g
        return (g, res[2]) if has_aux else g
    inner.__wrapped__ = f
    return inner

def _is_int_leaf(x):
    import numpy as np
    d = np.dtype(x.dtype) if hasattr(x, "dtype") and str(x.dtype) != "bfloat16" else None
    if d is None:
        return isinstance(x, (bool, int)) and not hasattr(x, "dtype")
    return d.kind in "biu"

def _with_dyn(args, dyn, values):
    """args with the values at positions dyn (the differentiated ones) replaced."""
    full = list(args)
    for i, v in zip(dyn, values):
        full[i] = v
    return full

def _dyn_positions(argnums, nums, args):
    """The positions argnums names in args (negative ones from the end); JAX's error when args are too few."""
    if any(i >= len(args) or i < -len(args) for i in nums):
        raise TypeError(f"differentiating with respect to argnums={argnums} requires at least {max(nums) + 1} "
                        f"positional arguments to be passed by the caller, but got only {len(args)} positional arguments.")
    return [i % len(args) for i in nums]

def _vg(f, argnums, has_aux, value, allow_int=False):
    nums = _argnums(argnums)
    def inner(*args, **kwargs):
        if kwargs:  # keyword arguments are passed through, not differentiated (as JAX)
            import functools
            return _vg(functools.partial(f, **kwargs), argnums, has_aux, value, allow_int)(*args)
        if allow_int:
            return _vg_allow_int(f, nums, argnums, has_aux, value, args)
        dyn = _dyn_positions(argnums, nums, args)
        # only the differentiated arguments are traced; the others reach f as
        # they are (a Python int stays an int, e.g. for a jitted static argument)
        per_arg = {i: tu.tree_flatten(args[i]) for i in dyn}
        flat = [l for i in dyn for l in per_arg[i][0]]
        leaf_nums = list(range(len(flat)))
        store = [None]
        def body(leaves):
            rebuilt, o = list(args), 0
            for i in dyn:
                m = len(per_arg[i][0])
                rebuilt[i] = tu.tree_unflatten(per_arg[i][1], leaves[o:o + m])
                o += m
            out = f(*rebuilt)
            if has_aux:
                val, aux = out
                store[0] = _Aux(aux)
                return [val] + store[0].arrays
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
        for i in dyn:
            m = len(per_arg[i][0])
            gs.append(tu.tree_unflatten(per_arg[i][1], grads[k:k + m]))
            k += m
        g = gs[0] if isinstance(argnums, int) else tuple(gs)
        aux = store[0].rebuild(aux_leaves) if has_aux else None
        if value:
            return ((val, aux) if has_aux else val), g
        return (g, aux) if has_aux else g
    inner.__wrapped__ = f
    return inner

def _vg_allow_int(f, nums, argnums, has_aux, value, args):
    """grad(..., allow_int=True): integer and bool leaves get float0 zeros
    (as JAX gives them); the float leaves are differentiated."""
    import numpy as np
    from .dtypes import float0
    per_arg = [tu.tree_flatten(a) for a in args]
    mask = {i: [_is_int_leaf(l) for l in per_arg[i][0]] for i in nums}
    def g(*float_parts):
        full = list(args)
        for i, part in zip(nums, float_parts):
            it = iter(part)
            leaves = [l if m else next(it) for l, m in zip(per_arg[i][0], mask[i])]
            full[i] = tu.tree_unflatten(per_arg[i][1], leaves)
        return f(*full)
    float_parts = [[l for l, m in zip(per_arg[i][0], mask[i]) if not m] for i in nums]
    if not any(float_parts):
        # nothing to differentiate: the value (and aux) with all-float0 gradients
        r = f(*args)
        out, aux = (r if has_aux else (r, None))
        out = asarray(out)
        none = [[] for _ in nums]
        res = (((out, aux) if has_aux else out), none) if value else ((none, aux) if has_aux else none)
    else:
        res = _vg(g, tuple(range(len(nums))), has_aux, value)(*float_parts)
    if value:
        out, grads = res
    elif has_aux:
        grads, aux = res
    else:
        grads = res
    gs = []
    for i, gl in zip(nums, grads):
        it = iter(gl)
        leaves = [np.zeros(np.shape(l), float0) if m else next(it) for l, m in zip(per_arg[i][0], mask[i])]
        gs.append(tu.tree_unflatten(per_arg[i][1], leaves))
    gr = gs[0] if isinstance(argnums, int) else tuple(gs)
    if value:
        return out, gr
    return (gr, aux) if has_aux else gr

def _with_shardings(f, in_shardings, out_shardings):
    """f with its arguments and results constrained to the given shardings
    (a sharding, or one per argument / a pytree prefix of the results)."""
    from .sharding import with_sharding_constraint, NamedSharding, PartitionSpec
    one = lambda v: isinstance(v, (NamedSharding, PartitionSpec))
    def g(*args, **kwargs):
        if in_shardings is not None:
            specs = [in_shardings] * len(args) if one(in_shardings) else list(in_shardings)
            if len(specs) != len(args):
                raise ValueError(f"jit in_shardings has {len(specs)} entries for {len(args)} positional arguments")
            args = tuple(a if s is None else with_sharding_constraint(a, s) for a, s in zip(args, specs))
        out = f(*args, **kwargs)
        if out_shardings is not None:
            if one(out_shardings):
                out = with_sharding_constraint(out, out_shardings)
            else:
                out = type(out)(o if s is None else with_sharding_constraint(o, s) for o, s in zip(out, out_shardings))
        return out
    g.__name__ = getattr(f, "__name__", "f")
    try:
        import inspect
        g.__signature__ = inspect.signature(f)
    except (TypeError, ValueError):
        pass
    return g

def jit(f=None, static_argnums=(), static_argnames=(), donate_argnums=(), donate_argnames=(), in_shardings=None, out_shardings=None, **unused):
    """`jax.jit`: static arguments are Python values (part of the cache key);
    donated arguments' buffers may be reused for the outputs; with
    in_shardings/out_shardings (or sharded arguments) the program is
    partitioned over the mesh by XLA."""
    if f is None:
        return lambda g: jit(g, static_argnums, static_argnames, donate_argnums, donate_argnames, in_shardings, out_shardings)
    if in_shardings is not None or out_shardings is not None:
        f = _with_shardings(f, in_shardings, out_shardings)
    import inspect
    statics = set(_argnums(static_argnums))
    donated = set(_argnums(donate_argnums))
    names = (static_argnames,) if isinstance(static_argnames, str) else tuple(static_argnames)
    dnames = (donate_argnames,) if isinstance(donate_argnames, str) else tuple(donate_argnames)
    try:
        params = list(inspect.signature(f).parameters)
    except (TypeError, ValueError):
        params = []
    for nm in names:
        if nm in params:
            statics.add(params.index(nm))
    for nm in dnames:
        if nm in params:
            donated.add(params.index(nm))
    cache = {}
    fast = {}  # n positional Arrays (only without statics and donation) -> their _fast_call
    def inner(*args, **kwargs):
        if not kwargs:
            hit = fast.get(len(args))
            if hit is not None and not _JIT_DISABLED[0]:
                out = hit(args)
                if out is not _MISS:
                    return out
        if _JIT_DISABLED[0]:
            return f(*args, **kwargs)
        call = None
        if kwargs:
            args, call = _bind_call(f, args, kwargs)
        skey = []
        for i in sorted(statics):
            if i < len(args):
                try:
                    hash(args[i])
                except TypeError:
                    raise ValueError(f"Non-hashable static arguments are not supported. An error occurred while trying to hash an object of type {type(args[i])}, {args[i]!r}.")
                skey.append((i, args[i]))
        dyn_idx = [i for i in range(len(args)) if i not in statics]
        per = [tu.tree_flatten(args[i]) for i in dyn_idx]
        leaves = [l for ls, _ in per for l in ls]
        treedefs = tuple(d for _, d in per)
        key = (tuple(skey), treedefs, len(args), call and call[1])
        hit = cache.get(key)
        if hit is None:
            store = [None]
            def body(ls, args=args, call=call):
                it, k = {}, 0
                for i, (lv, d) in zip(dyn_idx, per):
                    it[i] = tu.tree_unflatten(d, ls[k:k + len(lv)])
                    k += len(lv)
                full = [args[i] if i in statics else it[i] for i in range(len(args))]
                out_leaves, store[0] = tu.tree_flatten(_invoke(f, full, call))
                return out_leaves
            donate_leaves, k = [], 0
            for i, (lv, _) in zip(dyn_idx, per):
                if i in donated:
                    donate_leaves += list(range(k, k + len(lv)))
                k += len(lv)
            base = _make(body, getattr(f, "__name__", "f"))
            h = fn()
            db, dn = _ints(donate_leaves)
            lib.jc_jit(base.h, None, 0, db, dn, C.byref(h))
            hit = (_Fn(h.value), store, base)
            cache[key] = hit
        jf, store, _ = hit
        outs = jf.call(leaves)
        if not statics and not kwargs and not donated and all(type(a) is Array for a in args) and len(args) not in fast:
            nout = max(len(outs), 1)
            tree = None if store[0] == tu.tree_structure(0) else store[0]
            fast[len(args)] = _fast_call(jf.h, len(args), nout, tree)
        return tu.tree_unflatten(store[0], outs)
    def stage(args, kwargs):
        """f with its static arguments bound, and the dynamic arguments."""
        call = None
        if kwargs:
            args, call = _bind_call(f, args, kwargs)
        dyn = tuple(a for i, a in enumerate(args) if i not in statics)
        def g(*d):
            it = iter(d)
            return _invoke(f, [args[i] if i in statics else next(it) for i in range(len(args))], call)
        g.__name__ = getattr(f, "__name__", "f")
        return g, dyn
    inner.__wrapped__ = f
    inner.__name__ = getattr(f, "__name__", "f")
    inner._cache_size = lambda: len(cache)
    inner.trace = lambda *a, **k: Traced(inner, *stage(a, k))
    inner.lower = lambda *a, **k: inner.trace(*a, **k).lower()
    inner.eval_shape = lambda *a, **k: (lambda g, dyn: eval_shape(g, *dyn))(*stage(a, k))
    if out_shardings is not None:
        return _tag_out_specs(inner, out_shardings)
    return inner

def _tag_out_specs(jitted, out_shardings):
    """Results placed by out_shardings show its spec as given (JAX's)."""
    from .sharding import NamedSharding, PartitionSpec
    def spec_of(s):
        return s.spec if isinstance(s, NamedSharding) else s if isinstance(s, PartitionSpec) else None
    def tag(o, s):
        p = spec_of(s)
        if p is not None and isinstance(o, Array) and not o._is_tracer():
            o._spec = p
        return o
    def call(*args, **kwargs):
        out = jitted(*args, **kwargs)
        if spec_of(out_shardings) is not None:
            return tu.tree_map(lambda o: tag(o, out_shardings), out)
        try:
            return type(out)(tag(o, s) for o, s in zip(out, out_shardings))
        except TypeError:
            return out
    for attr in ("__wrapped__", "__name__", "_cache_size", "trace", "lower", "eval_shape"):
        setattr(call, attr, getattr(jitted, attr))
    return call

def _bind_call(f, args, kwargs):
    """A call with keywords as one value per parameter of f (defaults filled,
    *args a tuple, **kwargs a dict), and how to call f with them again."""
    import inspect
    sig = inspect.signature(f)
    bound = sig.bind(*args, **kwargs)
    bound.apply_defaults()
    return tuple(bound.arguments.values()), (sig, tuple(bound.arguments))

def _invoke(f, values, call):
    if call is None:
        return f(*values)
    import inspect
    sig, names = call
    bound = inspect.BoundArguments(sig, dict(zip(names, values)))
    return f(*bound.args, **bound.kwargs)

class Traced:
    """`jit(f).trace(*args)`: the traced program (`.jaxpr`), ready to lower."""
    def __init__(self, jitted, fun, args):
        self._jitted, self._fun, self._args = jitted, fun, args

    @property
    def jaxpr(self):
        return make_jaxpr(self._fun)(*self._args)

    @property
    def out_info(self):
        return eval_shape(self._fun, *self._args)

    def lower(self, *, lowering_platforms=None):
        return Lowered(self._jitted, self._fun, self._args)

class Lowered:
    """`jit(f).lower(*args)`: the StableHLO module XLA is given
    (`as_text()`); `compile()` gives the callable for these argument types."""
    def __init__(self, jitted, fun, args):
        self._jitted, self._fun, self._args = jitted, fun, args
        self.in_avals = tu.tree_map(lambda x: typeof(x), args)
        self._run = jit(fun)  # the static arguments are bound in fun

    @property
    def out_info(self):
        return eval_shape(self._fun, *self._args)

    def as_text(self, dialect=None, *, debug_info=False):
        if dialect not in (None, "stablehlo", "mhlo"):
            raise ValueError(f"Unknown dialect {dialect!r}: jaxcore lowers to StableHLO")
        leaves, treedef = tu.tree_flatten(list(self._args))
        store = [None]
        base = _make(_outputs_of(self._fun, lambda ls: tu.tree_unflatten(treedef, ls), store), _name(self._fun))
        xs = [asarray(x) for x in leaves]
        hs = (arr * max(len(xs), 1))(*[x._h for x in xs])
        from ._lib import string_out
        return string_out(lib.jc_fn_stablehlo, base.h, hs, len(xs))

    def compiler_ir(self, dialect=None):
        return self.as_text(dialect)

    def compile(self, compiler_options=None):
        if compiler_options:
            raise NotImplementedError("compile(compiler_options=...) is not supported yet; jaxcore compiles with XLA's defaults")
        out = Compiled(self)
        out(*self._args)  # compiles now, as JAX's compile() does
        return out

class Compiled:
    """`jit(f).lower(*args).compile()`: callable on arguments of the lowered
    types only (JAX's TypeError otherwise)."""
    def __init__(self, lowered):
        self._lowered = lowered
        self.in_avals = lowered.in_avals
        self.out_info = lowered.out_info

    def as_text(self):
        return self._lowered.as_text()

    def __call__(self, *args):
        got = tu.tree_map(lambda x: typeof(x), args)
        if tu.tree_structure(args) != tu.tree_structure(self._lowered._args) or got != self.in_avals:
            raise TypeError(f"Argument types differ from the types for which this computation was compiled. "
                            f"Expected {self.in_avals}, got {got}.")
        return self._lowered._run(*args)

_NONE_AXIS = -(1 << 63)

def _prefix_axes(spec, tree, what):
    """Per-leaf axes from an axis spec that is a pytree prefix of `tree`."""
    if spec is None or isinstance(spec, int):
        return [spec] * tree.num_leaves
    kids = tree.children
    if tree.kind == "dict" and isinstance(spec, dict):
        if tuple(sorted(spec)) != tree.meta:
            raise ValueError(f"vmap {what} specification must be a tree prefix of the corresponding value, got specification {spec} for value tree {tree}.")
        return [a for k, c in zip(tree.meta, kids) for a in _prefix_axes(spec[k], c, what)]
    if isinstance(spec, (tuple, list)) and len(spec) == len(kids) and tree.kind not in ("leaf", "dict"):
        return [a for sp, c in zip(spec, kids) for a in _prefix_axes(sp, c, what)]
    raise ValueError(f"vmap {what} specification must be a tree prefix of the corresponding value, got specification {spec} for value tree {tree}.")

def vmap(f, in_axes=0, out_axes=0, axis_name=None, axis_size=None, spmd_axis_name=None):
    """`jax.vmap`: in_axes/out_axes are ints, None, or pytree prefixes;
    keyword arguments are mapped over their axis 0 (as JAX does)."""
    def inner(*args, **kwargs):
        if kwargs:
            names = sorted(kwargs)
            n = len(args)
            axes_ = tuple(in_axes) if isinstance(in_axes, (tuple, list)) else (in_axes,) * n
            pos = lambda *a: f(*a[:n], **dict(zip(names, a[n:])))
            return vmap(pos, axes_ + (0,) * len(names), out_axes, axis_name, axis_size, spmd_axis_name)(*args, *[kwargs[k] for k in names])
        if not args and axis_size is not None:
            # nothing to map over: the function's result, repeated axis_size times
            from . import numpy as jnp
            return tu.tree_map(lambda y: jnp.broadcast_to(asarray(y), (axis_size,) + tuple(jnp.shape(y))), f())
        per_arg, offsets, flat = _flatten_args(args)
        if isinstance(in_axes, list):
            axes = tuple(in_axes)
        else:
            axes = in_axes
        if isinstance(axes, tuple):
            if len(axes) != len(args):
                raise ValueError(f"vmap in_axes must be an int, None, or a tuple of entries corresponding to the positional arguments passed to the function, but got len(in_axes)={len(axes)}, len(args)={len(args)}")
        else:
            axes = (axes,) * len(args)
        leaf_axes = []
        for (leaves, d), ax in zip(per_arg, axes):
            leaf_axes += _prefix_axes(ax, d, "in_axes")
        if all(a is None for a in leaf_axes) and axis_size is None:
            raise ValueError("vmap must have at least one non-None value in in_axes")
        store = [None]
        base = _make(_outputs_of(f, lambda ls: _rebuild(per_arg, offsets, ls), store), getattr(f, "__name__", "f"))
        if out_axes is None or isinstance(out_axes, int):
            oa = [out_axes]
        else:
            # trace once to learn the output tree
            _unbatched_probe(f, per_arg, offsets, flat, leaf_axes, store)
            oa = _prefix_axes(out_axes, store[0], "out_axes")
        h = fn()
        ib, n = _ints([_NONE_AXIS if a is None else a for a in leaf_axes])
        ob, m = _ints([_NONE_AXIS if a is None else a for a in oa])
        lib.jc_vmap_named(base.h, ib, n, ob, m, -1 if axis_size is None else axis_size, axis_name.encode() if axis_name else None, C.byref(h))
        outs = _Fn(h.value).call(flat)
        return tu.tree_unflatten(store[0], outs)
    inner.__wrapped__ = f
    return inner

def pmap(fun, axis_name=None, *, in_axes=0, out_axes=0, static_broadcasted_argnums=(), devices=None,
         backend=None, axis_size=None, donate_argnums=(), global_arg_shapes=None):
    """`jax.pmap`: one instance of `fun` per device along the mapped axis,
    with collectives over `axis_name`. It runs as one compiled program of
    the batched function (numbers as JAX's); the mapped axis may not be
    longer than the device count, as in JAX."""
    statics = sorted(_argnums(static_broadcasted_argnums))
    compiled = {}
    def inner(*args):
        from . import device_count
        dyn_idx = [i for i in range(len(args)) if i not in statics]
        axes = in_axes if isinstance(in_axes, (tuple, list)) else (in_axes,) * len(args)
        if len(axes) != len(args):
            raise ValueError(f"pmap in_axes must be an int, None, or a tuple of entries corresponding to the positional arguments passed to the function, but got len(in_axes)={len(axes)}, len(args)={len(args)}")
        sizes = {asarray(l).shape[a] for i in dyn_idx if axes[i] is not None
                 for l, a in zip(tu.tree_leaves(args[i]), _prefix_axes(axes[i], tu.tree_structure(args[i]), "in_axes"))
                 if a is not None}
        if axis_size is not None:
            sizes.add(axis_size)
        if len(sizes) != 1:
            raise ValueError(f"pmap got inconsistent sizes for array axes to be mapped: {sorted(sizes)}" if sizes
                             else "pmap requires at least one argument with a mapped axis")
        n = sizes.pop()
        ndev = len(devices) if devices is not None else device_count()
        if n > ndev:
            raise ValueError(f"compiling computation that requires {n} logical devices, but only {ndev} XLA devices are available (num_replicas={n})")
        key = tuple((i, args[i]) for i in statics)
        run = compiled.get(key)
        if run is None:
            def bound(*d):
                it = iter(d)
                return fun(*[args[i] if i in statics else next(it) for i in range(len(args))])
            run = jit(vmap(bound, in_axes=tuple(axes[i] for i in dyn_idx), out_axes=out_axes, axis_name=axis_name))
            compiled[key] = run
        return run(*[args[i] for i in dyn_idx])
    inner.__wrapped__ = fun
    return inner

def _unbatched_probe(f, per_arg, offsets, flat, leaf_axes, store):
    """Learns f's output tree by tracing it on one (unbatched) slice's shapes."""
    from . import numpy as jnp
    sl = []
    for x, a in zip(flat, leaf_axes):
        x = asarray(x)
        sl.append(x if a is None else jnp.take(x, 0, axis=a))
    def probe(*a):
        out = f(*_rebuild(per_arg, offsets, list(a)))
        store[0] = tu.tree_structure(out)
        return out
    make_jaxpr(probe)(*sl)

def make_jaxpr(f):
    """`jax.make_jaxpr`: the engine's graph of f, printed."""
    def inner(*args):
        leaves, treedef = tu.tree_flatten(list(args))
        store = [None]
        base = _make(_outputs_of(f, lambda ls: tu.tree_unflatten(treedef, ls), store), getattr(f, "__name__", "f"))
        xs = [asarray(l) for l in leaves]
        hs = (arr * max(len(xs), 1))(*[x._h for x in xs])
        from ._lib import string_out
        return string_out(lib.jc_fn_graph_string, base.h, hs, len(xs))
    return inner

def _name(f):
    return getattr(f, "__name__", type(f).__name__)

def _flatten_args(args):
    """Leaves of all arguments, with per-argument trees and offsets."""
    per_arg = [tu.tree_flatten(a) for a in args]
    offsets, o = [], 0
    for leaves, _ in per_arg:
        offsets.append(o)
        o += len(leaves)
    flat = [l for leaves, _ in per_arg for l in leaves]
    return per_arg, offsets, flat

def _rebuild(per_arg, offsets, leaves):
    return [tu.tree_unflatten(d, leaves[o:o + len(ls)]) for (ls, d), o in zip(per_arg, offsets)]

class _Aux:
    """A function's has_aux value split for a trace: its array leaves leave
    the trace as extra outputs, other leaves (ints, strings, ...) are kept
    as they are, as JAX returns them."""
    def __init__(self, aux):
        leaves, self.tree = tu.tree_flatten(aux)
        self.is_array = [isinstance(l, Array) for l in leaves]
        self.kept = [None if a else l for l, a in zip(leaves, self.is_array)]
        self.arrays = [l for l, a in zip(leaves, self.is_array) if a]

    def rebuild(self, arrays):
        it = iter(arrays)
        return tu.tree_unflatten(self.tree, [next(it) if a else k for a, k in zip(self.is_array, self.kept)])


def _outputs_of(fun, rebuild, store, has_aux=False):
    """`fun` as a function of flat leaves: calls it on `rebuild(leaves)` and
    records its output tree in store[0]. With has_aux, the aux (an `_Aux`
    in store[1]) leaves the trace as extra outputs after the real ones."""
    def body(ls):
        out = fun(*rebuild(ls))
        if has_aux:
            out, aux = out
            store[1] = _Aux(aux)
        out_leaves, store[0] = tu.tree_flatten(out)
        return out_leaves + (store[1].arrays if has_aux else [])
    return body

def jvp(fun, primals, tangents, has_aux=False):
    """`jax.jvp(fun, primals, tangents)`: (outputs, output tangents)."""
    primals, tangents = tuple(primals), tuple(tangents)
    p_leaves, p_tree = tu.tree_flatten(primals)
    t_leaves, t_tree = tu.tree_flatten(tangents)
    if p_tree != t_tree:
        raise TypeError(f"primal and tangent arguments to jax.jvp must have the same tree structure; got primal {p_tree} and tangent {t_tree}.")
    store = [None, None]
    f = _make(_outputs_of(fun, lambda ls: tu.tree_unflatten(p_tree, ls), store, has_aux), _name(fun))
    ph, n = handles(p_leaves)
    th, _ = handles(t_leaves)
    outs, touts = (arr * _OUT_CAP)(), (arr * _OUT_CAP)()
    k = C.c_size_t()
    engine(lib.jc_jvp, f.h, ph, th, n, outs, touts, _OUT_CAP, C.byref(k))
    ys = [Array(outs[i]) for i in range(k.value)]
    ts = [Array(touts[i]) for i in range(k.value)]
    n_out = store[0].num_leaves
    y, t = tu.tree_unflatten(store[0], ys[:n_out]), tu.tree_unflatten(store[0], ts[:n_out])
    if has_aux:
        return y, t, store[1].rebuild(ys[n_out:])
    return y, t

def linearize(fun, *primals):
    """`jax.linearize(fun, *primals)`: (outputs, the JVP as a function of tangents)."""
    out, _ = jvp(fun, primals, tu.tree_map(lambda x: numpy_zeros_like(x), primals))
    def f_jvp(*tangents):
        return jvp(fun, primals, tangents)[1]
    return out, f_jvp

def numpy_zeros_like(x):
    from . import numpy as jnp
    return jnp.zeros_like(asarray(x))

def vjp(fun, *primals, has_aux=False):
    """`jax.vjp(fun, *primals)`: (outputs, vjp_fun[, aux])."""
    per_arg, offsets, flat = _flatten_args(primals)
    store = [None, None]
    # aux arrays leave the trace as extra outputs (their cotangents are zeros)
    f = _make(_outputs_of(fun, lambda ls: _rebuild(per_arg, offsets, ls), store, has_aux), _name(fun))
    ph, n = handles(flat)
    outs = (arr * _OUT_CAP)()
    k = C.c_size_t()
    pb = fn()
    engine(lib.jc_vjp, f.h, ph, n, outs, _OUT_CAP, C.byref(k), C.byref(pb))
    pullback = _Fn(pb.value)
    out_tree = store[0]
    ys = [Array(outs[i]) for i in range(k.value)]
    n_out = out_tree.num_leaves
    y = tu.tree_unflatten(out_tree, ys[:n_out])
    aux_zeros = [numpy_zeros_like(a) for a in ys[n_out:]]
    def vjp_fun(ct):
        ct_leaves, ct_tree = tu.tree_flatten(ct)
        if ct_tree != out_tree:
            raise TypeError(f"Tree structure of cotangent input {ct_tree}, does not match structure of primal output {out_tree}.")
        gs = pullback.call(ct_leaves + aux_zeros)
        return tuple(_rebuild(per_arg, offsets, gs))
    if has_aux:
        return y, vjp_fun, store[1].rebuild(ys[n_out:])
    return y, vjp_fun

def _jac(kind, fun, argnums, has_aux):
    nums = _argnums(argnums)
    def inner(*args, **kwargs):
        if kwargs:  # passed through, not differentiated
            import functools
            return _jac(kind, functools.partial(fun, **kwargs), argnums, has_aux)(*args)
        dyn = _dyn_positions(argnums, nums, args)
        if len(set(dyn)) < len(args):
            # only the differentiated arguments are traced; the others reach fun as they are
            own = 0 if isinstance(argnums, int) else tuple(range(len(dyn)))
            return _jac(kind, lambda *d: fun(*_with_dyn(args, dyn, d)), own, has_aux)(*[args[i] for i in dyn])
        per_arg, offsets, flat = _flatten_args(args)
        leaf_nums = [offsets[i] + k for i in nums for k in range(len(per_arg[i][0]))]
        store = [None, None]
        # the Jacobian is of the outputs only; the aux is evaluated apart below
        of_out = (lambda *a: fun(*a)[0]) if has_aux else fun
        base = _make(_outputs_of(of_out, lambda ls: _rebuild(per_arg, offsets, ls), store), _name(fun))
        h = fn()
        ib, n = _ints(leaf_nums)
        getattr(lib, kind)(base.h, ib, n, C.byref(h))
        js = _Fn(h.value).call(flat)
        m = len(leaf_nums)
        per_out = []
        for i in range(store[0].num_leaves):
            row, k = js[i * m:(i + 1) * m], 0
            parts = []
            for a in nums:
                c = len(per_arg[a][0])
                parts.append(tu.tree_unflatten(per_arg[a][1], row[k:k + c]))
                k += c
            per_out.append(parts[0] if isinstance(argnums, int) else tuple(parts))
        j = tu.tree_unflatten(store[0], per_out)
        if has_aux:
            # the aux of the traced call would be a tracer of that trace: evaluate once more
            return j, fun(*args)[1]
        return j
    inner.__wrapped__ = fun
    return inner

def _holomorphic_check(kind, fun, argnums):
    nums = _argnums(argnums)
    def inner(*args, **kwargs):
        for i in _dyn_positions(argnums, nums, args):
            _complex_leaves(kind, args[i])
        return fun(*args, **kwargs)
    inner.__wrapped__ = fun
    return inner

def jacfwd(fun, argnums=0, has_aux=False, holomorphic=False):
    """`jax.jacfwd`."""
    j = _jac("jc_jacfwd", fun, argnums, has_aux)
    return _holomorphic_check("jacfwd", j, argnums) if holomorphic else j

def jacrev(fun, argnums=0, has_aux=False, holomorphic=False, allow_int=False):
    """`jax.jacrev`."""
    j = _jac("jc_jacrev", fun, argnums, has_aux)
    return _holomorphic_check("jacrev", j, argnums) if holomorphic else j

jacobian = jacrev

def hessian(fun, argnums=0, has_aux=False, holomorphic=False):
    """`jax.hessian`: jacfwd of jacrev."""
    return jacfwd(jacrev(fun, argnums, has_aux, holomorphic), argnums, has_aux, holomorphic)

def checkpoint(fun, prevent_cse=True, policy=None, static_argnums=()):
    """`jax.checkpoint` (remat): intermediates are recomputed in the backward pass."""
    statics = _argnums(static_argnums)
    def inner(*args):
        dyn = [a for i, a in enumerate(args) if i not in statics]
        leaves, treedef = tu.tree_flatten(dyn)
        store = [None]
        def full(ls):
            d = iter(tu.tree_unflatten(treedef, ls))
            return [args[i] if i in statics else next(d) for i in range(len(args))]
        base = _make(_outputs_of(fun, full, store), _name(fun))
        h = fn()
        lib.jc_checkpoint(base.h, C.byref(h))
        outs = _Fn(h.value).call(leaves)
        return tu.tree_unflatten(store[0], outs)
    inner.__wrapped__ = fun
    return inner

remat = checkpoint

class custom_jvp:
    """`jax.custom_jvp`: `f.defjvp(rule)` with rule(*nondiff, primals, tangents)."""
    def __init__(self, fun, nondiff_argnums=()):
        self.fun, self.nondiff_argnums, self.jvp = fun, tuple(nondiff_argnums), None
        self.__name__ = _name(fun)
        self.__doc__ = getattr(fun, "__doc__", None)
        self.__wrapped__ = fun

    def defjvp(self, jvp, symbolic_zeros=False):
        self.jvp = jvp
        return jvp

    def defjvps(self, *jvps):
        def rule(primals, tangents):
            out = self(*primals)
            tout = None
            for f, t in zip(jvps, tangents):
                if f is None:
                    continue
                c = f(t, out, *primals)
                tout = c if tout is None else tu.tree_map(lambda a, b: a + b, tout, c)
            if tout is None:
                tout = tu.tree_map(numpy_zeros_like, out)
            return out, tout
        self.defjvp(rule)

    def __call__(self, *args):
        if self.jvp is None:
            raise AttributeError(f"No JVP defined for custom_jvp function {self.__name__} using defjvp.")
        nd = self.nondiff_argnums
        nondiff = [args[i] for i in nd]
        dyn = [a for i, a in enumerate(args) if i not in nd]
        leaves, treedef = tu.tree_flatten(dyn)
        store = [None]
        def full(d):
            it = iter(d)
            return [args[i] if i in nd else next(it) for i in range(len(args))]
        body = _outputs_of(self.fun, lambda ls: full(tu.tree_unflatten(treedef, ls)), store)
        n = len(leaves)
        def rule(ls):
            p = tuple(tu.tree_unflatten(treedef, ls[:n]))
            t = tuple(tu.tree_unflatten(treedef, ls[n:]))
            out, tout = self.jvp(*nondiff, p, t)
            ol, ot = tu.tree_flatten(out)
            tl, tt = tu.tree_flatten(tout)
            if ot != tt:
                raise TypeError(f"Custom JVP rule must produce primal and tangent outputs with equal container (pytree) structures, but got {ot} and {tt} respectively.")
            return ol + tl
        f, r = _make(body, self.__name__), _make(rule, self.__name__ + "_jvp")
        h = fn()
        lib.jc_custom_jvp(f.h, r.h, C.byref(h))
        outs = _Fn(h.value).call(leaves)
        return tu.tree_unflatten(store[0], outs)

class custom_vjp:
    """`jax.custom_vjp`: `f.defvjp(fwd, bwd)`; fwd(*args) -> (out, res),
    bwd(*nondiff, res, g) -> one cotangent per differentiable argument."""
    def __init__(self, fun, nondiff_argnums=()):
        self.fun, self.nondiff_argnums, self.fwd, self.bwd = fun, tuple(nondiff_argnums), None, None
        self.__name__ = _name(fun)
        self.__doc__ = getattr(fun, "__doc__", None)
        self.__wrapped__ = fun

    def defvjp(self, fwd, bwd, symbolic_zeros=False, optimize_remat=False):
        self.fwd, self.bwd = fwd, bwd

    def __call__(self, *args):
        if self.fwd is None:
            raise AttributeError(f"No VJP defined for custom_vjp function {self.__name__} using defvjp.")
        nd = self.nondiff_argnums
        nondiff = [args[i] for i in nd]
        dyn = [a for i, a in enumerate(args) if i not in nd]
        per_arg, offsets, leaves = _flatten_args(dyn)
        store = [None, None]
        def full(d):
            it = iter(d)
            return [args[i] if i in nd else next(it) for i in range(len(args))]
        body = _outputs_of(self.fun, lambda ls: full(_rebuild(per_arg, offsets, ls)), store)
        def fwd(ls):
            out, res = self.fwd(*full(_rebuild(per_arg, offsets, ls)))
            ol, store[0] = tu.tree_flatten(out)
            rl, store[1] = tu.tree_flatten(res)
            return ol + rl
        def bwd(ls):
            nres = store[1].num_leaves
            res = tu.tree_unflatten(store[1], ls[:nres])
            g = tu.tree_unflatten(store[0], ls[nres:])
            cts = self.bwd(*nondiff, res, g)
            if not isinstance(cts, (tuple, list)) or len(cts) != len(dyn):
                raise TypeError(f"Custom VJP bwd rule must produce a tuple of length equal to the number of arguments to the primal function ({len(dyn)}), but got {cts!r}")
            flat = []
            for (pl, pt), ct in zip(per_arg, cts):
                if ct is None:
                    flat += [numpy_zeros_like(x) for x in pl]
                else:
                    flat += tu.tree_leaves(ct)
            return flat
        f, fw, bw = _make(body, self.__name__), _make(fwd, self.__name__ + "_fwd"), _make(bwd, self.__name__ + "_bwd")
        h = fn()
        lib.jc_custom_vjp(f.h, fw.h, bw.h, C.byref(h))
        outs = _Fn(h.value).call(leaves)
        return tu.tree_unflatten(store[0], outs)

class ShapedArray:
    """What `jax.typeof` gives: shape, dtype, weak type and, over Explicit
    mesh axes, the sharding (`float32[512@data,512]`)."""
    def __init__(self, shape, dtype, weak_type=False, dims=None, sharding=None):
        self.shape, self.dtype, self.weak_type = tuple(shape), dtype, weak_type
        self._dims = dims if dims is not None else ",".join(map(str, self.shape))
        self.sharding = sharding

    @property
    def ndim(self):
        return len(self.shape)

    def str_short(self, short_dtypes=False, mesh_axis_types=False):
        """`float32[2,3]`; `f32[2,3]` with short_dtypes (JAX's names)."""
        dt = str(self.dtype)
        if short_dtypes:
            dt = dt.replace("float", "f").replace("uint", "u").replace("int", "i").replace("complex", "c")
        return f"{dt}[{self._dims}]"

    def __str__(self):
        return ("~" if self.weak_type else "") + self.str_short()

    def __repr__(self):
        w = ", weak_type=True" if self.weak_type else ""
        return f"ShapedArray({self.str_short()}{w})"

    def __eq__(self, o):
        return isinstance(o, ShapedArray) and (self.shape, str(self.dtype), self.weak_type, self._dims) == (o.shape, str(o.dtype), o.weak_type, o._dims)

    def __hash__(self):
        return hash((self.shape, str(self.dtype), self.weak_type, self._dims))

def typeof(x):
    """`jax.typeof`: the abstract value, explicit shardings included."""
    from ._lib import string_out
    x = asarray(x)
    text = string_out(lib.jc_array_type_string, x._h)
    dims = text[text.index("[") + 1:-1]
    sharding = None
    if "@" in dims:
        from .sharding import _sharding_of
        try:
            sharding = _sharding_of(x)
        except Exception:
            sharding = None
    return ShapedArray(x.shape, x.dtype, x.weak_type, dims, sharding)

class ShapeDtypeStruct:
    """`jax.ShapeDtypeStruct`: a shape and dtype standing for an array
    (what `eval_shape` returns; accepted by `eval_shape` as an argument)."""
    __slots__ = ("shape", "dtype", "sharding", "weak_type")

    def __init__(self, shape, dtype, sharding=None, weak_type=False):
        import numpy as np
        self.shape = tuple(int(d) for d in shape)
        self.dtype = np.dtype(dtype) if str(dtype) != "bfloat16" else dtype
        self.sharding, self.weak_type = sharding, weak_type

    ndim = property(lambda self: len(self.shape))
    size = property(lambda self: int(__import__("math").prod(self.shape)))

    def __repr__(self):
        w = ", weak_type=True" if self.weak_type else ""
        return f"ShapeDtypeStruct(shape={self.shape}, dtype={getattr(self.dtype, 'name', self.dtype)}{w})"

    def __eq__(self, o):
        return isinstance(o, ShapeDtypeStruct) and (self.shape, str(self.dtype), self.weak_type) == (o.shape, str(o.dtype), o.weak_type)

    def __hash__(self):
        return hash((self.shape, str(self.dtype), self.weak_type))


def eval_shape(fun, *args, **kwargs):
    """`jax.eval_shape`: output shapes and dtypes, from a trace (arguments
    may be arrays or ShapeDtypeStructs)."""
    from . import numpy as jnp
    store = [None]
    stand_in = lambda a: jnp.zeros(a.shape, a.dtype) if isinstance(a, ShapeDtypeStruct) else a
    args = tu.tree_map(stand_in, args, is_leaf=lambda a: isinstance(a, ShapeDtypeStruct))
    def shapes(*a):
        out = fun(*a, **kwargs)
        store[0] = tu.tree_map(lambda y: ShapeDtypeStruct(asarray(y).shape, asarray(y).dtype, weak_type=asarray(y).weak_type), out)
        return out
    make_jaxpr(shapes)(*args)
    return store[0]


def _spec_leaves(spec, tree, what):
    """Per-leaf PartitionSpecs from a spec that is a pytree prefix of `tree`
    (a PartitionSpec is a leaf of the spec tree)."""
    from .sharding import PartitionSpec
    if spec is None or isinstance(spec, PartitionSpec):
        return [spec or PartitionSpec()] * tree.num_leaves
    kids = tree.children
    if tree.kind == "dict" and isinstance(spec, dict):
        return [a for k, c in zip(tree.meta, kids) for a in _spec_leaves(spec[k], c, what)]
    if isinstance(spec, (tuple, list)) and len(spec) == len(kids) and tree.kind not in ("leaf", "dict"):
        return [a for sp, c in zip(spec, kids) for a in _spec_leaves(sp, c, what)]
    raise ValueError(f"shard_map {what} must be a pytree prefix of the corresponding value, got {spec} for value tree {tree}.")

def _packed_specs(specs):
    names, counts = [], []
    for sp in specs:
        entries, n = sp._c()
        names += [entries[i] for i in range(n)]
        counts.append(n)
    nb = (C.c_char_p * max(len(names), 1))(*names)
    cb = (C.c_size_t * max(len(counts), 1))(*counts)
    return nb, cb, len(counts)

def shard_map(f=None, /, *, out_specs, in_specs=None, mesh=None, axis_names=None, check_vma=True):
    """`jax.shard_map(f, mesh=, in_specs=, out_specs=)`: f runs on each
    device's pieces of the arguments (split by in_specs), with the mesh axes
    bound for `lax.psum` and the other collectives; results are assembled by
    out_specs. `check_vma` is accepted; replication is not checked (values an
    out spec does not split along an axis are taken from its first device)."""
    if f is None:
        return lambda g: shard_map(g, out_specs=out_specs, in_specs=in_specs, mesh=mesh, axis_names=axis_names, check_vma=check_vma)
    from .sharding import get_mesh, PartitionSpec
    cache = {}
    def inner(*args):
        m = mesh if mesh is not None else get_mesh()
        if m is None:
            raise ValueError("shard_map requires a mesh: pass mesh=... or call it under jax.set_mesh(mesh)")
        per_arg, offsets, flat = _flatten_args(args)
        key = tuple(d for _, d in per_arg)
        hit = cache.get(key)
        if hit is None:
            if in_specs is None:
                ispecs = [getattr(asarray(x).sharding, "spec", PartitionSpec()) for x in flat]
            else:
                specs = (in_specs,) if isinstance(in_specs, PartitionSpec) and len(args) == 1 else in_specs
                if isinstance(specs, PartitionSpec):
                    specs = (specs,) * len(args)
                if len(specs) != len(args):
                    raise ValueError(f"shard_map in_specs has {len(specs)} entries for {len(args)} arguments")
                ispecs = [s for (_, d), sp in zip(per_arg, specs) for s in _spec_leaves(sp, d, "in_specs")]
            store = [None]
            base = _make(_outputs_of(f, lambda ls: _rebuild(per_arg, offsets, ls), store), _name(f))
            inb, inc, nin = _packed_specs(ispecs)
            def build(ospecs):
                ob, oc, no = _packed_specs(ospecs)
                h = fn()
                lib.jc_shard_map(base.h, m._h, inb, inc, nin, ob, oc, no, C.byref(h))
                return _Fn(h.value)
            if isinstance(out_specs, PartitionSpec):
                # one spec for every output leaf; the engine learns how many when it traces
                probe = build([out_specs])
                hit = (probe, store, base, True)
            else:
                # learn the output tree with every output replicated, then expand the prefix
                probe = build([PartitionSpec()])
                make_jaxpr(lambda *a: probe.call(list(a)))(*flat)
                ospecs = _spec_leaves(out_specs, store[0], "out_specs")
                hit = (build(ospecs), store, base, False)
            cache[key] = hit
        sm, store, _, _ = hit
        outs = sm.call(flat)
        return tu.tree_unflatten(store[0], outs)
    inner.__wrapped__ = f
    return inner

def closure_convert(fun, *example_args):
    """`jax.closure_convert(fun, *example_args)`: (converted, hoisted) where
    `converted(*args, *hoisted)` computes `fun(*args)` and `hoisted` are the
    values of enclosing transformations that `fun` closes over (so rules that
    run later, a custom_vjp's bwd, can take them as explicit arguments)."""
    per_arg, offsets, leaves = _flatten_args(example_args)
    store = [None, None]
    f = _make(_outputs_of(fun, lambda ls: _rebuild(per_arg, offsets, ls), store), _name(fun))
    h, consts = fn(), (arr * _OUT_CAP)()
    n = C.c_size_t()
    engine(lib.jc_closure_convert, f.h, *handles(leaves), C.byref(h), consts, _OUT_CAP, C.byref(n))
    g, hoisted, out_tree = _Fn(h.value), [Array(consts[i]) for i in range(n.value)], store[0]
    nh = len(hoisted)

    def converted(*args):
        args, hs = args[:len(args) - nh], args[len(args) - nh:]
        _, _, ls = _flatten_args(args)
        return tu.tree_unflatten(out_tree, g.call(list(hs) + ls))
    converted.__name__ = _name(fun)
    return converted, hoisted
