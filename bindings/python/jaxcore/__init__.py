"""jaxcore: JAX's API over libjaxcore (ctypes only, plus numpy).

    import jaxcore as jax
    import jaxcore.numpy as jnp
"""

from ._core import Array, asarray
from ._api import (grad, value_and_grad, jit, vmap, make_jaxpr, jvp, vjp, linearize, jacfwd, jacrev, jacobian, hessian,
                   checkpoint, remat, custom_jvp, custom_vjp, typeof, eval_shape, ShapedArray)
from . import numpy, random, tree_util, lax, nn, scipy, tree, debug
from ._lib import lib as _lib
from .tree_util import tree_map, tree_leaves, tree_structure
from .lax import stop_gradient

class Device:
    """A device of the default client (`jax.devices()` entries)."""
    def __init__(self, id, platform):
        self.id, self.platform = id, platform

    def __repr__(self):
        return f"{self.platform.capitalize()}Device(id={self.id})"

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
    return tree_util.tree_map(asarray, x)

def default_backend():
    from ._lib import string_out
    return string_out(_lib.jc_default_backend)

class _Config:
    def update(self, name, value):
        if name == "jax_enable_x64":
            from . import _core
            _core._x64[0] = bool(value)
            _lib.jc_config_set_x64(bool(value))
        else:
            raise ValueError(f"unknown config option {name!r}")

config = _Config()
