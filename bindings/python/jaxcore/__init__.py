"""jaxcore: JAX's API over libjaxcore (ctypes only, plus numpy).

    import jaxcore as jax
    import jaxcore.numpy as jnp
"""

from ._core import Array, asarray
from ._api import (grad, value_and_grad, jit, vmap, make_jaxpr, jvp, vjp, linearize, jacfwd, jacrev, jacobian, hessian,
                   checkpoint, remat, custom_jvp, custom_vjp, typeof, eval_shape, ShapedArray, ShapeDtypeStruct, shard_map, pmap,
                   closure_convert)
from . import numpy, random, tree_util, lax, nn, scipy, tree, debug, sharding, ops, example_libraries, ad_checkpoint, errors, image
from . import dtypes, flatten_util, typing
import sys as _sys
_sys.modules[__name__ + ".numpy.linalg"] = numpy.linalg  # `import jax.numpy.linalg` works as in JAX
from . import _fft  # noqa: E402
numpy.fft = _fft
_sys.modules[__name__ + ".numpy.fft"] = _fft
from .ad_checkpoint import checkpoint_policies
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

    def __str__(self):
        return f"{self.platform}:{self.id}"

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

# JAX options a program may set that change nothing here (values are kept
# and read back); unknown names raise as in JAX
_ACCEPTED_OPTIONS = {
    "jax_platform_name", "jax_platforms", "jax_default_matmul_precision", "jax_debug_nans", "jax_debug_infs",
    "jax_enable_checks", "jax_log_compiles", "jax_default_prng_impl", "jax_threefry_partitionable",
    "jax_compilation_cache_dir", "jax_persistent_cache_min_compile_time_secs",
    "jax_persistent_cache_min_entry_size_bytes", "jax_numpy_rank_promotion", "jax_numpy_dtype_promotion",
    "jax_traceback_filtering", "jax_check_tracer_leaks", "jax_explain_cache_misses", "jax_use_shardy_partitioner",
    "jax_cpu_enable_async_dispatch", "jax_dynamic_shapes", "jax_softmax_custom_jvp", "jax_enable_compilation_cache",
    "jax_include_full_tracebacks_in_locations", "jax_pmap_shmap_merge", "jax_remove_size_one_mesh_axis_from_type",
    "jax_legacy_prng_key", "jax_transfer_guard", "jax_transfer_guard_host_to_device",
    "jax_transfer_guard_device_to_host", "jax_transfer_guard_device_to_device",
}

class _Config:
    """`jax.config`: `update(name, value)` and reading options back as attributes."""
    def __init__(self):
        self._values = {"jax_enable_x64": False, "jax_disable_jit": False}

    def update(self, name, value):
        if name == "jax_enable_x64":
            from . import _core
            _core._x64[0] = bool(value)
            _lib.jc_config_set_x64(bool(value))
        elif name == "jax_num_cpu_devices":
            _lib.jc_set_cpu_device_count(int(value))
        elif name == "jax_disable_jit":
            from . import _api
            _api._JIT_DISABLED[0] = bool(value)
        elif name not in _ACCEPTED_OPTIONS:
            raise AttributeError(f"Unrecognized config option: {name}")
        self._values[name] = value

    def read(self, name):
        return self._values.get(name)

    def __getattr__(self, name):
        if name.startswith("jax_"):
            return self.__dict__["_values"].get(name)
        raise AttributeError(name)

config = _Config()

import contextlib as _contextlib

@_contextlib.contextmanager
def disable_jit(disable=True):
    """`jax.disable_jit()`: jitted functions run op by op inside the block."""
    from . import _api
    old = _api._JIT_DISABLED[0]
    _api._JIT_DISABLED[0] = bool(disable)
    try:
        yield
    finally:
        _api._JIT_DISABLED[0] = old

@_contextlib.contextmanager
def enable_x64(new_val=True):
    old = config.jax_enable_x64
    config.update("jax_enable_x64", new_val)
    try:
        yield
    finally:
        config.update("jax_enable_x64", old)

@_contextlib.contextmanager
def ensure_compile_time_eval():
    """Ops on concrete values already run eagerly here: nothing to switch."""
    yield

@_contextlib.contextmanager
def named_scope(name):
    yield

@_contextlib.contextmanager
def default_device(device):
    yield

def named_call(fun, *, name=None):
    return fun

def process_index(backend=None):
    return 0

def process_count(backend=None):
    return 1

def process_indices(backend=None):
    return [0]

host_id, host_count, host_ids = process_index, process_count, process_indices

def clear_caches():
    """Compiled programs live with their jitted functions; nothing global to clear."""

import numpy as _np
from .dtypes import float0  # noqa: E402

def custom_gradient(fun):
    """`jax.custom_gradient`: `fun` returns (value, vjp_fn); the backward pass
    re-runs `fun` to get vjp_fn (it cannot be carried as a residual)."""
    @custom_vjp
    def wrapped(*args):
        return fun(*args)[0]
    def fwd(*args):
        return fun(*args)[0], args
    def bwd(args, g):
        ct = fun(*args)[1](g)
        return ct if isinstance(ct, tuple) else (ct,)
    wrapped.defvjp(fwd, bwd)
    return wrapped

def linear_transpose(fun, *primals):
    """`jax.linear_transpose`: the transpose of a linear function, as its VJP
    at the given (shape-defining) primals."""
    _, f_vjp = vjp(fun, *primals)
    return lambda ct: f_vjp(ct)

def pure_callback(callback, result_shape_dtypes, *args, sharding=None, vmap_method=None, **kwargs):
    """`jax.pure_callback`: `callback` runs on the host with concrete arrays
    whenever the program runs (jitted programs holding one run on the
    engine's interpreter); no derivative, vmap per `vmap_method`."""
    from ._callback import host_callback, PURE
    return host_callback(callback, result_shape_dtypes, args, kwargs, PURE, vmap_method)

__version__ = "0.1.0"
from . import experimental  # noqa: E402,F401

def _option_context(option):
    """`jax.<option>(value)` context managers: set a config option for a block."""
    @_contextlib.contextmanager
    def ctx(new_val=True):
        old = config.read(option)
        config.update(option, new_val)
        try:
            yield
        finally:
            config.update(option, old)
    ctx.__name__ = option[len("jax_"):]
    return ctx

default_matmul_precision = _option_context("jax_default_matmul_precision")
numpy_dtype_promotion = _option_context("jax_numpy_dtype_promotion")
numpy_rank_promotion = _option_context("jax_numpy_rank_promotion")
debug_nans = _option_context("jax_debug_nans")
debug_infs = _option_context("jax_debug_infs")
log_compiles = _option_context("jax_log_compiles")
checking_leaks = _option_context("jax_check_tracer_leaks")
enable_checks = _option_context("jax_enable_checks")
explain_cache_misses = _option_context("jax_explain_cache_misses")
default_prng_impl = _option_context("jax_default_prng_impl")
threefry_partitionable = _option_context("jax_threefry_partitionable")
softmax_custom_jvp = _option_context("jax_softmax_custom_jvp")
legacy_prng_key = _option_context("jax_legacy_prng_key")
transfer_guard = _option_context("jax_transfer_guard")
transfer_guard_host_to_device = _option_context("jax_transfer_guard_host_to_device")
transfer_guard_device_to_host = _option_context("jax_transfer_guard_device_to_host")
transfer_guard_device_to_device = _option_context("jax_transfer_guard_device_to_device")

def effects_barrier():
    """Host callbacks run synchronously here: nothing is pending."""

def make_array_from_callback(shape, sharding, data_callback, dtype=None):
    """`jax.make_array_from_callback` in one process: each device's block
    comes from `data_callback(index)`; the blocks are assembled and placed."""
    idx_map = sharding.addressable_devices_indices_map(tuple(shape)) if hasattr(sharding, "addressable_devices_indices_map") else None
    full = _np.empty(tuple(shape), dtype=dtype)
    filled = False
    for index in (idx_map.values() if idx_map else [tuple(slice(None) for _ in shape)]):
        block = _np.asarray(data_callback(index))
        if not filled:
            full = full.astype(block.dtype) if dtype is None else full
            filled = True
        full[index] = block
    return device_put(full, sharding)

def print_environment_info(return_string=False):
    import platform
    s = (f"jaxcore: {__version__}\nnumpy:   {_np.__version__}\npython:  {platform.python_version()}\n"
         f"backend: {default_backend()} ({device_count()} devices)\n")
    if return_string:
        return s
    print(s)
