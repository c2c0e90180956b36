"""`jax.tree`: the short names of `jax.tree_util`."""

from .tree_util import (tree_map as map, tree_leaves as leaves, tree_structure as structure,  # noqa: F401
                        tree_flatten as flatten, tree_unflatten as unflatten, tree_reduce as reduce,
                        tree_all as all)
