"""`jaxcore.experimental`: the older spellings JAX programs still use."""


def io_callback(callback, result_shape_dtypes, *args, sharding=None, ordered=False, **kwargs):
    """`jax.experimental.io_callback`: a host callback with side effects (never
    dropped or merged); no derivative; vmap loops unless `ordered`."""
    from .._callback import host_callback, IO, IO_ORDERED
    return host_callback(callback, result_shape_dtypes, args, kwargs, IO_ORDERED if ordered else IO)


def enable_x64(new_val=True):
    """`jax.experimental.enable_x64()`: a context manager."""
    from .. import enable_x64 as _e
    return _e(new_val)


def disable_x64():
    from .. import enable_x64 as _e
    return _e(False)
