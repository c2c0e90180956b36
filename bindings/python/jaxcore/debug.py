"""`jax.debug.print` and `jax.debug.callback`: host callbacks that run each
time the program runs (under jit, vmap — once per batch element — and
grad, where they see the primal values)."""

import builtins as _builtins


def callback(callback, *args, ordered=False, partitioned=False, **kwargs):
    """`jax.debug.callback(callback, *args, **kwargs)`: calls `callback` with
    concrete arrays at run time; returns None."""
    from ._callback import host_callback, DEBUG
    host_callback(callback, (), args, kwargs, DEBUG, name="debug_callback")


def print(fmt, *args, ordered=False, **kwargs):
    """`jax.debug.print(fmt, *args, **kwargs)`: `fmt.format(...)` of the
    values, printed at run time."""
    callback(lambda *a, **k: _builtins.print(fmt.format(*a, **k)), *args, ordered=ordered, **kwargs)
