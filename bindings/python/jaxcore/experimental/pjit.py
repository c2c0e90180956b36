"""`jax.experimental.pjit`: the older name of `jit` with shardings."""


def pjit(fun, in_shardings=None, out_shardings=None, static_argnums=None, static_argnames=None, donate_argnums=None, **kwargs):
    from .. import jit
    return jit(fun, in_shardings=in_shardings, out_shardings=out_shardings, static_argnums=static_argnums or (),
               static_argnames=static_argnames or (), donate_argnums=donate_argnums or ())
