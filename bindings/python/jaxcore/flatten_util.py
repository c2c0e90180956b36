"""`jax.flatten_util.ravel_pytree`."""

from . import numpy as jnp
from . import tree_util as tu

def ravel_pytree(pytree):
    """One flat vector of every leaf (promoted to their common dtype) and a
    function that splits such a vector back into the tree, each leaf in its
    own shape and dtype."""
    leaves, treedef = tu.tree_flatten(pytree)
    leaves = [jnp.asarray(x) for x in leaves]
    if not leaves:
        return jnp.zeros(0, "float32"), lambda flat: tu.tree_unflatten(treedef, [])
    dt = jnp.result_type(*leaves)
    flat = jnp.concatenate([jnp.ravel(x).astype(dt) for x in leaves])
    shapes = [tuple(x.shape) for x in leaves]
    dtypes = [x.dtype for x in leaves]
    sizes = [x.size for x in leaves]

    def unravel(v):
        v = jnp.asarray(v)
        if tuple(v.shape) != (sum(sizes),):
            raise ValueError(f"The unravel function expected an array of shape {(sum(sizes),)}, got shape {tuple(v.shape)}.")
        if str(v.dtype) != str(flat.dtype):
            raise TypeError(f"The unravel function expected an array of dtype {flat.dtype}, got dtype {v.dtype}.")
        out, k = [], 0
        for s, d, n in zip(shapes, dtypes, sizes):
            out.append(jnp.reshape(v[k:k + n], s).astype(d))
            k += n
        return tu.tree_unflatten(treedef, out)
    return flat, unravel
