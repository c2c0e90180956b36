"""`jax.debug.print`: formats and prints concrete values. Inside a traced
function the values are tracers and are printed as such (JAX prints them at
run time through a host callback, which jaxcore does not have yet)."""

def print(fmt, *args, **kwargs):
    import builtins
    builtins.print(fmt.format(*args, **kwargs))
