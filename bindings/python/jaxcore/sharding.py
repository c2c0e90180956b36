"""`jaxcore.sharding`: JAX's `jax.sharding` over the engine's meshes.

    mesh = jax.make_mesh((8,), ("data",))
    x = jax.device_put(x, NamedSharding(mesh, P("data")))
    with jax.set_mesh(mesh):
        y = jax.device_put(y, P("data"))     # a bare spec uses the current mesh
    jax.typeof(x)                            # float32[16@data,4]
"""

import ast
import ctypes as C
import enum
import threading
import weakref

from ._lib import lib, string_out
from ._core import Array, asarray
from . import tree_util as tu


class AxisType(enum.Enum):
    """How a mesh axis is treated: `Explicit` axes are part of the types,
    `Auto` axes are left to XLA's partitioner, `Manual` inside shard_map."""
    Auto = 0
    Explicit = 1
    Manual = 2

    def __repr__(self):
        return self.name


class PartitionSpec(tuple):
    """`P('data', None)`: for each leading dimension, the mesh axis (or
    tuple of axes) it is split over, or None."""
    def __new__(cls, *parts):
        for p in parts:
            if not (p is None or isinstance(p, str) or (isinstance(p, tuple) and all(isinstance(a, str) for a in p))):
                raise TypeError(f"PartitionSpec entries must be None, an axis name or a tuple of axis names, got {p!r}")
        return super().__new__(cls, parts)

    def __repr__(self):
        def one(p):
            if isinstance(p, tuple):
                return "(" + ", ".join(repr(a) for a in p) + ("," if len(p) == 1 else "") + ")"
            return repr(p)
        return "P(" + ", ".join(one(p) for p in self) + ("," if len(self) == 1 else "") + ")"

    __str__ = __repr__

    def _c(self):
        """The C form: one string per dimension (None, "a" or "a,b")."""
        entries = [None if p is None else (p.encode() if isinstance(p, str) else ",".join(p).encode()) for p in self]
        return (C.c_char_p * max(len(entries), 1))(*entries), len(entries)

    def _axes(self):
        return [a for p in self if p is not None for a in ((p,) if isinstance(p, str) else p)]


P = PartitionSpec

_MESHES = weakref.WeakValueDictionary()  # printed form -> a live Mesh (for array.sharding)


class Mesh:
    """A named grid of devices. Build it with `jax.make_mesh`; `Mesh(devices,
    axis_names)` works for the first devices in order."""
    def __init__(self, devices, axis_names, axis_types=None):
        import numpy as np
        devs = np.asarray(devices, dtype=object)
        ids = [d.id if hasattr(d, "id") else int(d) for d in devs.flat]
        if ids != list(range(len(ids))):
            raise NotImplementedError("Mesh over a device order other than 0..n-1 is not supported yet; use jax.make_mesh")
        self._init(devs.shape, axis_names, axis_types)

    def _init(self, shape, axis_names, axis_types):
        if isinstance(axis_names, str):
            axis_names = (axis_names,)
        axis_names = tuple(axis_names)
        shape = tuple(int(s) for s in shape)
        if axis_types is not None and not isinstance(axis_types, (tuple, list)):
            axis_types = (axis_types,) * len(axis_names)
        self._h = None
        sb = (C.c_size_t * max(len(shape), 1))(*shape)
        nb = (C.c_char_p * max(len(axis_names), 1))(*[n.encode() for n in axis_names])
        tb = None if axis_types is None else (C.c_int32 * max(len(axis_types), 1))(*[AxisType(t).value for t in axis_types])
        h = C.c_void_p()
        lib.jc_make_mesh(sb, nb, tb, len(shape), C.byref(h))
        self._h = h.value
        self.axis_names = axis_names
        self.axis_sizes = shape
        self.axis_types = tuple(axis_types) if axis_types is not None else (AxisType.Explicit,) * len(axis_names)
        self._repr = string_out(lib.jc_mesh_to_string, self._h)
        _MESHES[self._repr] = self

    @classmethod
    def _make(cls, shape, axis_names, axis_types):
        m = cls.__new__(cls)
        m._init(shape, axis_names, axis_types)
        return m

    def __del__(self):
        h, self._h = getattr(self, "_h", None), None
        if h and lib is not None:
            try:
                lib.jc_mesh_free(h)
            except Exception:
                pass

    @property
    def shape(self):
        return dict(zip(self.axis_names, self.axis_sizes))

    @property
    def size(self):
        n = 1
        for s in self.axis_sizes:
            n *= s
        return n

    @property
    def devices(self):
        import numpy as np
        from . import devices as _devices
        ds = _devices()[:self.size]
        a = np.empty(len(ds), dtype=object)
        a[:] = ds
        return a.reshape(self.axis_sizes)

    def __repr__(self):
        return self._repr

    def __eq__(self, o):
        return isinstance(o, Mesh) and self._repr == o._repr

    def __hash__(self):
        return hash(self._repr)

    def __enter__(self):
        self._ctx = set_mesh(self)
        return self

    def __exit__(self, *exc):
        self._ctx.__exit__(*exc)


class NamedSharding:
    """`NamedSharding(mesh, spec)`: which piece of an array each device holds."""
    def __init__(self, mesh, spec=PartitionSpec()):
        if not isinstance(mesh, Mesh):
            raise TypeError(f"NamedSharding needs a Mesh, got {type(mesh).__name__}")
        if not isinstance(spec, PartitionSpec):
            spec = PartitionSpec(*spec)
        for a in spec._axes():
            if a not in mesh.axis_names:
                raise ValueError(f"Resource axis: {a} of {spec} is not found in mesh: {mesh.axis_names}.")
        self.mesh, self.spec = mesh, spec

    def __repr__(self):
        return f"NamedSharding(mesh={self.mesh!r}, spec={self.spec!r})"

    def __eq__(self, o):
        strip = lambda s: tuple(s)[:max([i + 1 for i, p in enumerate(s) if p is not None] or [0])]
        return isinstance(o, NamedSharding) and self.mesh == o.mesh and strip(self.spec) == strip(o.spec)

    def __hash__(self):
        return hash((self.mesh, tuple(self.spec)))

    @property
    def num_devices(self):
        return self.mesh.size

    def shard_shape(self, global_shape):
        out = []
        for d, n in enumerate(global_shape):
            p = self.spec[d] if d < len(self.spec) else None
            parts = 1
            for a in ((p,) if isinstance(p, str) else (p or ())):
                parts *= self.mesh.shape[a]
            out.append(n // parts)
        return tuple(out)

    def devices_indices_map(self, global_shape):
        """Each device's block of an array of `global_shape` (slices per dimension)."""
        import itertools
        block = self.shard_shape(global_shape)
        names, sizes = self.mesh.axis_names, self.mesh.axis_sizes
        devs = self.mesh.devices
        out = {}
        for coords in itertools.product(*[range(n) for n in sizes]):
            pos = dict(zip(names, coords))
            index = []
            for d, n in enumerate(global_shape):
                p = self.spec[d] if d < len(self.spec) else None
                k = 0
                for a in ((p,) if isinstance(p, str) else (p or ())):
                    k = k * self.mesh.shape[a] + pos[a]
                index.append(slice(k * block[d], (k + 1) * block[d]) if block[d] != n else slice(None))
            out[devs[coords]] = tuple(index)
        return out

    addressable_devices_indices_map = devices_indices_map


class SingleDeviceSharding:
    """The sharding of an array on one device."""
    def __init__(self, device=None):
        self.device = device

    def __repr__(self):
        return f"SingleDeviceSharding(device={self.device!r})"

    num_devices = 1


_state = threading.local()


def get_mesh():
    """The mesh set by `set_mesh` on this thread (None if none)."""
    return getattr(_state, "mesh", None)


get_abstract_mesh = get_mesh


class set_mesh:
    """`jax.set_mesh(mesh)`: sets the current mesh (bare PartitionSpecs refer
    to it); as a context manager, restores the previous one on exit."""
    def __init__(self, mesh):
        self.prev_mesh = get_mesh()
        _state.mesh = mesh

    def __enter__(self):
        return _state.mesh

    def __exit__(self, *exc):
        _state.mesh = self.prev_mesh


use_mesh = set_mesh


def _resolve(s):
    """A NamedSharding from a NamedSharding or a bare spec under the current mesh."""
    if isinstance(s, NamedSharding):
        return s
    if isinstance(s, PartitionSpec):
        m = get_mesh()
        if m is None:
            raise ValueError(f"a PartitionSpec {s!r} was given but no mesh is set: use jax.set_mesh(mesh) or a NamedSharding")
        return NamedSharding(m, s)
    raise TypeError(f"expected a NamedSharding or a PartitionSpec, got {type(s).__name__}")


def _put(x, s, cfunc=None):
    if isinstance(s, PartitionSpec) and get_mesh() is None and all(p is None for p in s):
        return asarray(x)  # replicated with no mesh: one device holds it all
    s = _resolve(s)
    x = asarray(x)
    spec, n = s.spec._c()
    h = C.c_void_p()
    (cfunc or lib.jc_device_put_sharded)(x._h, s.mesh._h, spec, n, C.byref(h))
    out = Array(h.value)
    if not out._is_tracer():
        out._spec = s.spec  # x.sharding shows the spec as given (JAX's)
    return out


def reshard(xs, out_shardings):
    """`jax.sharding.reshard(x, P(...) or NamedSharding)`: the same values laid
    out (and, over Explicit axes, typed) as asked; works inside jit."""
    return tu.tree_map(lambda x: _put(x, out_shardings, lib.jc_reshard), xs)


def with_sharding_constraint(xs, shardings):
    """`jax.lax.with_sharding_constraint`."""
    if isinstance(shardings, (NamedSharding, PartitionSpec)):
        return tu.tree_map(lambda x: _put(x, shardings, lib.jc_reshard), xs)
    return tu.tree_map(lambda x, s: _put(x, s, lib.jc_reshard), xs, shardings, is_leaf=lambda v: isinstance(v, PartitionSpec))


def _sharding_of(x):
    """`x.sharding` from the engine's description."""
    text = string_out(lib.jc_array_sharding_string, x._h)
    if not text:
        return SingleDeviceSharding()
    mesh_text, spec_text = text[len("NamedSharding(mesh="):-1].rsplit(", spec=", 1)
    parts = ast.literal_eval("(" + spec_text[2:-1] + ("," if spec_text[2:-1] and not spec_text[2:-1].endswith(",") else "") + ")") if spec_text != "P()" else ()
    # JAX shows a placement's spec as it was given, and a computed one with
    # an entry per dimension (the engine's text drops trailing Nones)
    given = getattr(x, "_spec", None)
    trim = lambda ps: tuple(ps)[:max([i + 1 for i, p in enumerate(ps) if p is not None], default=0)]
    if given is not None and trim(given) == trim(parts):
        spec = given
    else:
        spec = PartitionSpec(*(tuple(parts) + (None,) * (x.ndim - len(parts))))
    mesh = _MESHES.get(mesh_text)
    if mesh is None:
        raise RuntimeError(f"the array's mesh {mesh_text} is no longer alive in Python")
    return NamedSharding(mesh, spec)


class Shard:
    """One piece of an array: its device, index (slices) and data."""
    def __init__(self, device, index, data):
        self.device, self.index, self.data = device, index, data

    def __repr__(self):
        return f"Shard(device={self.device!r}, index={self.index!r}, data={self.data!r})"


def _addressable_shards(x):
    from . import devices as _devices
    n = C.c_size_t()
    lib.jc_array_shard_count(x._h, C.byref(n))
    nd = x.ndim
    out = []
    for k in range(n.value):
        dev = C.c_int64()
        offs = (C.c_int64 * max(nd, 1))()
        h = C.c_void_p()
        lib.jc_array_shard(x._h, k, C.byref(dev), offs, nd, C.byref(h))
        data = Array(h.value)
        index = tuple(slice(offs[d], offs[d] + data.shape[d]) for d in range(nd))
        out.append(Shard(_devices()[dev.value] if dev.value >= 0 else None, index, data))
    return out
