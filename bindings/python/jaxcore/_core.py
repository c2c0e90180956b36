"""Arrays, conversions and ops over the C ABI. No math here: every
computation is a `jc_op` call into the engine."""

import ctypes as C
import threading
import numpy as np

from ._lib import lib, Params, arr, _check


def _ok(st):
    """Raises the engine's error for a failed raw call's status."""
    if st != 0:
        _check(st, None, None)

try:  # bfloat16 as numpy sees it, when ml_dtypes is installed
    import ml_dtypes
    _BF16 = np.dtype(ml_dtypes.bfloat16)
except ImportError:  # pragma: no cover
    _BF16 = None

_DTYPES = [np.dtype(np.bool_), np.dtype(np.int8), np.dtype(np.int16), np.dtype(np.int32), np.dtype(np.int64),
           np.dtype(np.uint8), np.dtype(np.uint16), np.dtype(np.uint32), np.dtype(np.uint64),
           np.dtype(np.float16), _BF16, np.dtype(np.float32), np.dtype(np.float64),
           np.dtype(np.complex64), np.dtype(np.complex128)]
_NAMES = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
          "float16", "bfloat16", "float32", "float64", "complex64", "complex128"]

_x64 = [False]

def dtype_code(d):
    if d is None:
        return -1
    if isinstance(d, str):
        name = d
    else:
        name = getattr(d, "name", None) or np.dtype(d).name
    if name == "bool_":
        name = "bool"
    if not _x64[0]:  # JAX's x32 canonicalization (jnp.ones(2, dtype=float) is float32)
        name = {"float64": "float32", "int64": "int32", "uint64": "uint32", "complex128": "complex64"}.get(name, name)
    if name not in _NAMES:
        raise TypeError(f"data type {d!r} not understood")
    return _NAMES.index(name)

def _canonical(npdt):
    """JAX's x32 canonicalization of numpy inputs."""
    if not _x64[0]:
        if npdt == np.float64:
            return np.dtype(np.float32)
        if npdt == np.int64:
            return np.dtype(np.int32)
        if npdt == np.uint64:
            return np.dtype(np.uint32)
        if npdt == np.complex128:
            return np.dtype(np.complex64)
    return npdt


def _python_values(x):
    """x on the host for item()/tolist()/float(): bfloat16 goes through
    float32 when numpy cannot hold it (no ml_dtypes); the Python numbers are
    the same."""
    if isinstance(x.dtype, np.dtype):
        return np.asarray(x)
    return np.asarray(x, np.float32)


class Array:
    """A jaxcore array (host, device, or a tracer inside a transformation)."""
    __slots__ = ("_h", "_spec", "_meta", "__weakref__")  # _spec: the PartitionSpec it was placed with, if any
    __array_priority__ = 100

    def __init__(self, handle):
        self._h = handle

    def __del__(self):
        try:
            h = self._h
        except AttributeError:  # construction failed
            return
        self._h = None
        if h.__class__ is int and _free is not None:
            _free(h)  # status ignored: a finalizer cannot raise

    # --- metadata
    # An array's type never changes, so its shape and dtype are asked of the
    # engine once (jnp code reads them over and over).
    def _load_meta(self):
        h, n, c = self._h, C.c_size_t(), C.c_uint32()
        dims = (C.c_int64 * 8)()
        st = _NDIM(h, C.byref(n)) or _DTYPE(h, C.byref(c))
        if not st and n.value > 8:
            dims = (C.c_int64 * n.value)()
        _ok(st or _SHAPE(h, dims, n.value))
        dt = _DTYPES[c.value] if _DTYPES[c.value] is not None else _NAMES[c.value]
        m = self._meta = (tuple(dims[:n.value]), dt)
        return m

    @property
    def shape(self):
        try:
            return self._meta[0]
        except AttributeError:
            return self._load_meta()[0]

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def size(self):
        s = 1
        for d in self.shape:
            s *= d
        return s

    @property
    def dtype(self):
        try:
            return self._meta[1]
        except AttributeError:
            return self._load_meta()[1]

    @property
    def weak_type(self):
        b = C.c_bool()
        lib.jc_array_weak_type(self._h, C.byref(b))
        return b.value

    def _is_tracer(self):
        b = C.c_bool()
        lib.jc_array_is_tracer(self._h, C.byref(b))
        return b.value

    def _known(self):
        """This array's value: itself, or a tracer's where its trace runs on
        known arguments (grad/jvp/vjp outside jit: JAX's JVP tracers carry
        their primal); None where the value is abstract (jit, vmap, loops)."""
        if not self._is_tracer():
            return self
        out = C.c_void_p()
        st = _KNOWN(self._h, C.byref(out))
        if st == _ERR_TRACER:
            return None
        _ok(st)
        return Array(out.value)

    # --- conversion
    def __array__(self, dtype=None, copy=None):
        if self._is_tracer():
            from .errors import TracerArrayConversionError
            raise TracerArrayConversionError(f"The numpy.ndarray conversion method __array__() was called on traced array with shape {self._aval()}")
        dt = self.dtype
        if not isinstance(dt, np.dtype):
            if dtype is None:
                raise TypeError("bfloat16 arrays need the ml_dtypes package to convert to numpy "
                                "(or ask for a dtype: np.asarray(x, np.float32))")
            return np.asarray(self.astype("float32"), dtype)  # exact: float32 holds every bfloat16
        out = np.empty(self.shape, dtype=dt)
        lib.jc_array_to_host(self._h, out.ctypes.data, out.nbytes)
        return out if dtype is None else out.astype(dtype)

    def _aval(self):
        dt = self.dtype
        name = dt.name if isinstance(dt, np.dtype) else dt
        return f"{name}{list(self.shape)}"

    def block_until_ready(self):
        lib.jc_array_block_until_ready(self._h)
        return self

    @property
    def sharding(self):
        """A NamedSharding for arrays laid out over a mesh, else SingleDeviceSharding."""
        from .sharding import _sharding_of
        return _sharding_of(self)

    @property
    def addressable_shards(self):
        """One Shard (device, index, data) per device holding a piece."""
        from .sharding import _addressable_shards
        return _addressable_shards(self)

    @property
    def is_fully_replicated(self):
        s = self.sharding
        return not hasattr(s, "spec") or all(p is None for p in s.spec)

    @property
    def is_fully_addressable(self):
        return True  # one process

    def devices(self):
        """The set of devices holding pieces of this array."""
        return {sh.device for sh in self.addressable_shards if sh.device is not None}

    def item(self, *args):
        v = self._known()
        if v is None:
            from .errors import ConcretizationTypeError
            raise ConcretizationTypeError(f"Abstract tracer value encountered where concrete value is expected: traced array with shape {self._aval()}")
        return _python_values(v).item(*args)

    def _scalar(self, what):
        """The Python scalar of a 0-d array with a known value (JAX's errors
        otherwise; float() and complex() refuse every tracer, as JAX's)."""
        v = None if what in ("float", "complex") and self._is_tracer() else self._known()
        if v is None:
            from . import errors
            cls = errors.TracerIntegerConversionError if what == "index" else errors.ConcretizationTypeError
            raise cls(f"Abstract tracer value encountered where concrete value is expected: traced array with shape {self._aval()}\n"
                      f"The problem arose with the `{what}` function.")
        if self.ndim != 0:
            raise TypeError(f"Only scalar arrays can be converted to Python scalars; got arr.ndim={self.ndim}")
        return _python_values(v).item()

    def __float__(self):
        return float(self._scalar("float"))

    def __int__(self):
        return int(self._scalar("int"))

    def __complex__(self):
        return complex(self._scalar("complex"))

    def __bool__(self):
        v = self._known()
        if v is None:
            from .errors import TracerBoolConversionError
            raise TracerBoolConversionError(f"Attempted boolean conversion of traced array with shape {self._aval()}.")
        if self.size != 1:
            raise ValueError("The truth value of an array with more than one element is ambiguous. Use a.any() or a.all()")
        return bool(np.asarray(v).item())

    def __index__(self):
        if not self._is_tracer() and not str(self.dtype).startswith(("int", "uint", "bool")):
            raise TypeError(f"Only integer scalar arrays can be converted to a scalar index, got {self.dtype}")
        return int(self._scalar("index"))

    def tolist(self):
        return _python_values(self).tolist()

    def tobytes(self, order="C"):
        return np.asarray(self).tobytes(order=order)

    @property
    def device(self):
        """The device holding this array (its sharding when spread over several)."""
        devs = self.devices()
        if len(devs) == 1:
            return next(iter(devs))
        return self.sharding

    def __contains__(self, value):
        if self.ndim != 1:
            raise ValueError(f"Array.__contains__: search array must be one-dimensional, got arr.shape={self.shape}.")
        return bool((self == value).any())

    def searchsorted(self, v, side="left", sorter=None, *, method="scan"):
        from . import numpy as jnp
        return jnp.searchsorted(self, v, side=side, sorter=sorter, method=method)

    def __len__(self):
        if not self.shape:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def __repr__(self):
        """As JAX: numpy's layout inside `Array(..., dtype=...)`."""
        if self._is_tracer():
            return f"Traced<{self._aval()}>"
        dt = self.dtype
        name = dt.name if isinstance(dt, np.dtype) else str(dt)
        dtype_str = f"dtype={name}" + (", weak_type=True" if self.weak_type else "")
        prefix = "Array("
        width = np.get_printoptions()["linewidth"]
        if self.size == 0:
            s = f"[], shape={self.shape}"
        else:
            host, fmt = self._printable()
            s = np.array2string(host, prefix=prefix, suffix=",", separator=", ", max_line_width=width, formatter=fmt)
        last = len(s) - s.rfind("\n") + 1
        sep = " " if last + len(dtype_str) + 2 <= width else " " * len(prefix)
        return f"{prefix}{s},{sep}{dtype_str})"

    def __format__(self, spec):
        """As JAX: a scalar formats as its Python/numpy scalar (`f"{x:.3f}"`)."""
        if self._is_tracer():
            return format(repr(self), spec)
        v = np.asarray(self)
        return format(v[()] if v.ndim == 0 else v, spec)

    def __str__(self):
        """As JAX: the numpy array's text (`print(x)` shows `[1. 2.]`)."""
        if self._is_tracer():
            return repr(self)
        host, fmt = self._printable()
        if fmt is None:
            return str(host)
        return np.array2string(host, formatter=fmt) if host.ndim else fmt["float_kind"](host[()])

    def _printable(self):
        """(host array, numpy formatter) for printing: bfloat16 without
        ml_dtypes prints its float32 values the way ml_dtypes' scalars print
        (six significant digits, `1` for 1.0), as JAX's arrays do."""
        fmt = None if isinstance(self.dtype, np.dtype) else {"float_kind": lambda v: "%g" % v}
        return _python_values(self), fmt

    # --- operators (the engine promotes and broadcasts); the commonest go
    # straight to their typed C entry points
    def __add__(self, o): return _bin(_ADD, self, o)
    def __radd__(self, o): return _bin(_ADD, o, self)
    def __sub__(self, o): return _bin(_SUB, self, o)
    def __rsub__(self, o): return _bin(_SUB, o, self)
    def __mul__(self, o): return _bin(_MUL, self, o)
    def __rmul__(self, o): return _bin(_MUL, o, self)
    def __truediv__(self, o): return _bin(_DIV, self, o)
    def __rtruediv__(self, o): return _bin(_DIV, o, self)
    def __floordiv__(self, o): return _binop("floor_divide", self, o)
    def __rfloordiv__(self, o): return _binop("floor_divide", o, self)
    def __mod__(self, o): return _binop("remainder", self, o)
    def __rmod__(self, o): return _binop("remainder", o, self)
    def __pow__(self, o): return _binop("power", self, o)
    def __rpow__(self, o): return _binop("power", o, self)
    def __matmul__(self, o): return _binop("matmul", self, o)
    def __rmatmul__(self, o): return _binop("matmul", o, self)
    def __neg__(self): return op1("negative", self)
    def __pos__(self): return self
    def __abs__(self): return op1("abs", self)
    def __invert__(self): return op1("invert", self)
    def __and__(self, o): return _binop("bitwise_and", self, o)
    def __rand__(self, o): return _binop("bitwise_and", o, self)
    def __or__(self, o): return _binop("bitwise_or", self, o)
    def __ror__(self, o): return _binop("bitwise_or", o, self)
    def __xor__(self, o): return _binop("bitwise_xor", self, o)
    def __rxor__(self, o): return _binop("bitwise_xor", o, self)
    def __lshift__(self, o): return _binop("left_shift", self, o)
    def __rshift__(self, o): return _binop("right_shift", self, o)
    def __eq__(self, o): return _binop("equal", self, o)
    def __ne__(self, o): return _binop("not_equal", self, o)
    def __lt__(self, o): return _binop("less", self, o)
    def __le__(self, o): return _binop("less_equal", self, o)
    def __gt__(self, o): return _binop("greater", self, o)
    def __ge__(self, o): return _binop("greater_equal", self, o)
    __hash__ = None

    # --- methods
    @property
    def T(self):
        return op1("transpose", self)

    @property
    def mT(self):
        if self.ndim < 2:
            raise ValueError(f"x must be at least 2-dimensional for matrix_transpose; got ndim={self.ndim}")
        return op1("swapaxes", self, ints=[-1, -2])

    def astype(self, dtype):
        return op1("astype", self, dtype=dtype)

    def reshape(self, *shape, order="C"):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = shape[0]
        if order != "C":
            from . import numpy as jnp
            return jnp.reshape(self, tuple(shape), order=order)
        return op1("reshape", self, ints=list(shape))

    def __getitem__(self, idx):
        from .numpy import _getitem
        return _getitem(self, idx)

    @property
    def at(self):
        from .numpy import _AtIndexer
        return _AtIndexer(self)

    def sum(self, axis=None, keepdims=False): return _reduce("sum", self, axis, keepdims)
    def mean(self, axis=None, keepdims=False): return _reduce("mean", self, axis, keepdims)
    def max(self, axis=None, keepdims=False): return _reduce("max", self, axis, keepdims)
    def min(self, axis=None, keepdims=False): return _reduce("min", self, axis, keepdims)
    def prod(self, axis=None, keepdims=False): return _reduce("prod", self, axis, keepdims)
    def argmax(self, axis=None): return _reduce("argmax", self, axis, False)
    def argmin(self, axis=None): return _reduce("argmin", self, axis, False)
    def flatten(self): return op1("ravel", self)
    ravel = flatten


FLAG_AXIS, FLAG_KEEPDIMS, FLAG_WHERE, FLAG_ALT, FLAG_MIN, FLAG_MAX = 1, 2, 4, 8, 16, 32

def _wrap(h, _new=object.__new__):
    """An Array for an engine handle (without __init__: a hot path)."""
    a = _new(Array)
    a._h = h
    return a

def asarray(x, dtype=None):
    """`jnp.asarray`: Arrays pass through; host scalars become weakly typed."""
    t = type(x)
    if t is Array or isinstance(x, Array):
        return x if dtype is None else x.astype(dtype)
    if dtype is None and (t is float or t is int or (isinstance(x, (int, float)) and t is not bool and not isinstance(x, np.generic))):
        # Python ints and floats (not bools, not numpy scalars) are weakly typed
        h = C.c_void_p()
        if isinstance(x, float):
            st = _WEAK_FLOAT(x, C.byref(h))
        else:
            bits = 64 if _x64[0] else 32
            if not -(1 << (bits - 1)) <= x < (1 << (bits - 1)):
                raise OverflowError(f"Python int {x} too large to convert to int{bits}")
            st = _WEAK_INT(x, C.byref(h))
        _ok(st)
        return _wrap(h.value)
    if t.__name__ == "PRNGKeyArray":  # typed keys compute as their key data
        return asarray(x._base, dtype)
    if (t is list or t is tuple) and _holds_array(x):
        return _stack_sequence(x, dtype)
    h = arr()
    if dtype is None and isinstance(x, bool):
        lib.jc_array_scalar(0, float(x), C.byref(h))
        return Array(h.value)
    if dtype is None and isinstance(x, complex) and not isinstance(x, np.complexfloating):
        lib.jc_weak_complex(x.real, x.imag, C.byref(h))
        return Array(h.value)
    a = np.asarray(x)
    if dtype is None and a.dtype == np.int64 and not _x64[0] and isinstance(x, (list, tuple)) and a.size:
        # Python ints in a list must fit the int32 they become (JAX's error)
        lo, hi = a.min(), a.max()
        big = hi if hi > np.iinfo(np.int32).max else lo if lo < np.iinfo(np.int32).min else None
        if big is not None:
            raise OverflowError(f"Python integer {big} out of bounds for int32")
    if dtype is not None:
        a = a.astype(dtype if dtype_code(dtype) != 10 else np.float32)
    elif a.dtype.kind not in "biufc" and a.dtype != _BF16:
        raise TypeError(f"JAX only supports number and bool dtypes, got {a.dtype}")
    target = _canonical(a.dtype)
    a = a.astype(target, copy=False)
    if not a.flags.c_contiguous:  # (np.ascontiguousarray would make 0-d arrays 1-d)
        a = a.copy(order="C")
    code = dtype_code(a.dtype)
    dims = (C.c_int64 * max(a.ndim, 1))(*a.shape)
    lib.jc_array_from_host(code, dims, a.ndim, a.ctypes.data_as(C.c_void_p), a.nbytes, C.byref(h))
    out = Array(h.value)
    if dtype is not None and dtype_code(dtype) == 10:
        out = out.astype("bfloat16")
    return out

_ARRAY_TYPES = [arr * k for k in range(17)]  # handle arrays by length (made once, not per call)
_OP_NAMES = {}  # op name -> its bytes
_PLAIN_PARAMS = {}  # (dtype code, flags) -> Params without ints/floats/string; the engine only reads it

_SIZES = [C.c_size_t(k) for k in range(17)]  # passed by value, never written

def _params(ints, floats, dtype, flags, s):
    code = -1 if dtype is None else dtype_code(dtype)
    if not ints and not floats and not s:
        p = _PLAIN_PARAMS.get((code, flags))
        if p is None:
            p = _PLAIN_PARAMS[(code, flags)] = Params(C.sizeof(Params), None, 0, None, 0, code, flags, None)
        return p
    ints = [int(i) for i in (ints or [])]
    floats = [float(f) for f in (floats or [])]
    ib = (C.c_int64 * max(len(ints), 1))(*ints)
    fb = (C.c_double * max(len(floats), 1))(*floats)
    # (ctypes keeps the buffers alive with the structure)
    return Params(C.sizeof(Params), ib, len(ints), fb, len(floats), code, flags, s.encode() if s else None)

def _holds_array(seq):
    return any(isinstance(e, Array) or (type(e) in (list, tuple) and _holds_array(e)) for e in seq)

def _stack_sequence(seq, dtype):
    """`jnp.array([x, 2 * x])` with arrays (tracers too) inside: JAX's way,
    every element converted to the common type of all of them, then stacked
    level by level."""
    from . import numpy as jnp
    leaves = []
    def walk(v):
        if type(v) in (list, tuple):
            for e in v:
                walk(e)
        else:
            leaves.append(v)
    walk(seq)
    dt = dtype if dtype is not None else jnp.result_type(*leaves)
    def build(v):
        if type(v) in (list, tuple):
            return jnp.stack([build(e) for e in v]) if len(v) else asarray(np.zeros((0,)), dt)
        return asarray(v, dt)
    return build(seq)

def op(name, *args, ints=None, floats=None, dtype=None, flags=0, s=None, nout=16):
    """Calls the engine's `jc_op`: returns the list of result arrays. (Every
    eager jnp function comes here: the per-call ctypes objects that do not
    change are made once.)"""
    k = len(args)
    if k == 1:  # (no comprehension: in Python 3.11 each one is a function call)
        xs = args[0] if type(args[0]) is Array else asarray(args[0])  # (alive until the call returns)
        hb = _ARRAY_TYPES[1](xs._h)
    else:
        xs = [a if type(a) is Array else asarray(a) for a in args]
        hb = (_ARRAY_TYPES[k or 1] if k < 17 else arr * k)(*[x._h for x in xs])
    p = _params(ints, floats, dtype, flags, s)
    b = _OP_NAMES.get(name)
    if b is None:
        b = _OP_NAMES[name] = name.encode()
    outs = (_ARRAY_TYPES[nout] if nout < 17 else arr * nout)()
    n = C.c_size_t()
    st = _OP(b, hb, _SIZES[k] if k < 17 else C.c_size_t(k), C.byref(p), outs, _SIZES[nout] if nout < 17 else C.c_size_t(nout), C.byref(n))
    if st != 0:
        _ok(st)
    return [_wrap(outs[i]) for i in range(n.value)]

_raw_lib = C.CDLL(lib._name)  # the same library; its functions without the status check
_OP = _raw_lib.jc_op  # no argtypes: op() passes ctypes objects only
_OP.restype = C.c_int32
_free = C.PyDLL(lib._name).jc_array_free  # unchecked, keeps the GIL (a free is short)
_free.argtypes, _free.restype = [C.c_void_p], C.c_int32

def _raw(name, argtypes=(C.c_void_p, C.c_void_p, C.c_void_p)):
    """A C entry point that returns its status (for hot paths checking it themselves)."""
    f = getattr(_raw_lib, name)
    f.argtypes = list(argtypes)
    f.restype = C.c_int32
    return f

_ADD, _SUB, _MUL, _DIV = _raw("jc_add"), _raw("jc_subtract"), _raw("jc_multiply"), _raw("jc_divide")
_NDIM, _DTYPE = _raw("jc_array_ndim", (C.c_void_p, C.c_void_p)), _raw("jc_array_dtype", (C.c_void_p, C.c_void_p))
_SHAPE = _raw("jc_array_shape", (C.c_void_p, C.c_void_p, C.c_size_t))
_WEAK_FLOAT, _WEAK_INT = _raw("jc_weak_float", (C.c_double, C.c_void_p)), _raw("jc_weak_int", (C.c_int64, C.c_void_p))
_KNOWN = _raw("jc_array_known_value", (C.c_void_p, C.c_void_p))
_ERR_TRACER = 4  # JC_ERR_TRACER

_OPERANDS = (Array, bool, int, float, complex, np.ndarray, np.generic, list, tuple)


def _foreign(x):
    """An operand an Array operator leaves to the other type's reflected
    method (JAX's NotImplemented): not an array, scalar or sequence, and
    not convertible (no __array__), e.g. a sparse matrix."""
    return not isinstance(x, _OPERANDS) and not hasattr(x, "__array__") and type(x).__name__ != "PRNGKeyArray"


def _binop(name, a, b):
    if _foreign(a) or _foreign(b):
        return NotImplemented
    return op1(name, a, b)


_SCALARS = {}  # (type, value, x64) -> its weak Array, for operators only (never handed out)

def _operand(x):
    """An operator's non-Array operand as an Array; Python ints and floats
    (`x * 2`, `x + 1.0`) are made once. Float zeros are not kept (0.0 and
    -0.0 are equal keys), nor NaNs (never equal)."""
    t = type(x)
    if (t is int or t is float) and x == x and (t is int or x != 0.0):
        key = (t, x, _x64[0])
        a = _SCALARS.get(key)
        if a is None:
            if len(_SCALARS) >= 512:
                _SCALARS.clear()
            a = _SCALARS[key] = asarray(x)
        return a
    if _foreign(x):
        return NotImplemented
    return asarray(x)

def _bin(cfunc, a, b):
    """A binary op through its typed C function (errors as from jc_op)."""
    if type(a) is not Array:
        a = _operand(a)
        if a is NotImplemented:
            return a
    if type(b) is not Array:
        b = _operand(b)
        if b is NotImplemented:
            return b
    out = C.c_void_p()
    st = cfunc(a._h, b._h, C.byref(out))
    if st != 0:
        _ok(st)
    r = object.__new__(Array)  # (_wrap inlined: every Python operator comes here)
    r._h = out.value
    return r

def op1(name, *args, **kw):
    return op(name, *args, **kw)[0]

def _axes(axis):
    if axis is None:
        return [], 0
    if isinstance(axis, (tuple, list)):
        return list(axis), FLAG_AXIS
    return [axis], FLAG_AXIS

def _reduce(name, x, axis, keepdims, where=None):
    ints, flags = _axes(axis)
    if keepdims:
        flags |= FLAG_KEEPDIMS
    args = [x]
    if where is not None:
        flags |= FLAG_WHERE
        args.append(where)
    return op1(name, *args, ints=ints, flags=flags)
