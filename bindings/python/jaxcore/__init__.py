"""jaxcore: JAX's API over libjaxcore (ctypes only, plus numpy).

    import jaxcore as jax
    import jaxcore.numpy as jnp
"""

from ._core import Array, asarray
from ._api import grad, value_and_grad, jit, vmap, make_jaxpr
from . import numpy, random, tree_util
from ._lib import lib as _lib

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
