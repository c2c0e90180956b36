"""jaxcore: JAX's API over libjaxcore (ctypes only, plus numpy).

    import jaxcore as jax
    import jaxcore.numpy as jnp
"""

from ._core import Array, asarray
from ._api import (grad, value_and_grad, jit, vmap, make_jaxpr, jvp, vjp, linearize, jacfwd, jacrev, jacobian, hessian,
                   checkpoint, remat, custom_jvp, custom_vjp, typeof, eval_shape, ShapedArray, shard_map)
from . import numpy, random, tree_util, lax, nn, scipy, tree, debug, sharding
from .sharding import set_mesh, reshard, NamedSharding, PartitionSpec, P, Mesh, AxisType
from ._lib import lib as _lib
from .tree_util import tree_map, tree_leaves, tree_structure
from .lax import stop_gradient

class Device:
    """A device of the default client (`jax.devices()` entries)."""
    def __init__(self, id, platform):
        self.id, self.platform = id, platform

    def __repr__(self):
        return f"{self.platform.capitalize()}Device(id={self.id})"

    def __eq__(self, o):
        return isinstance(o, Device) and (self.id, self.platform) == (o.id, o.platform)

    def __hash__(self):
        return hash((self.id, self.platform))

def devices(backend=None):
    """`jax.devices()`: the default client's devices."""
    import ctypes as C
    c = C.c_void_p()
    _lib.jc_client_default(C.byref(c))
    n = C.c_size_t()
    try:
        _lib.jc_client_device_count(c, C.byref(n))
    finally:
        _lib.jc_client_free(c)
    plat = default_backend()
    return [Device(i, plat) for i in range(n.value)]

def local_devices(backend=None):
    return devices(backend)

def device_count(backend=None):
    return len(devices(backend))

def local_device_count(backend=None):
    return device_count(backend)

def device_get(x):
    """`jax.device_get`: numpy arrays (and Python scalars kept) from a pytree."""
    import numpy as _np
    return tree_util.tree_map(lambda a: _np.asarray(a) if isinstance(a, Array) else a, x)

def block_until_ready(x):
    for leaf in tree_util.tree_leaves(x):
        if isinstance(leaf, Array):
            leaf.block_until_ready()
    return x

def device_put(x, device=None):
    """`jax.device_put(x, device_or_sharding)`: with a NamedSharding (or a
    PartitionSpec under `set_mesh`) each device of the mesh gets its piece."""
    if isinstance(device, (sharding.NamedSharding, sharding.PartitionSpec)):
        return tree_util.tree_map(lambda a: sharding._put(a, device), x)
    return tree_util.tree_map(asarray, x)

def make_mesh(axis_shapes, axis_names, axis_types=None, *, devices=None):
    """`jax.make_mesh(axis_shapes, axis_names, axis_types)` over the first
    devices (axis types default to Explicit, as in JAX)."""
    if devices is not None:
        return sharding.Mesh(__import__("numpy").asarray(devices, dtype=object).reshape(tuple(axis_shapes)), axis_names, axis_types)
    return sharding.Mesh._make(axis_shapes, axis_names, axis_types)

def default_backend():
    from ._lib import string_out
    return string_out(_lib.jc_default_backend)

class _Config:
    def update(self, name, value):
        if name == "jax_enable_x64":
            from . import _core
            _core._x64[0] = bool(value)
            _lib.jc_config_set_x64(bool(value))
        elif name == "jax_num_cpu_devices":
            _lib.jc_set_cpu_device_count(int(value))
        else:
            raise ValueError(f"unknown config option {name!r}")

config = _Config()
