"""`jax.tree`: the short names of `jax.tree_util`."""

from .tree_util import (tree_map as map, tree_leaves as leaves, tree_structure as structure,  # noqa: F401
                        tree_flatten as flatten, tree_unflatten as unflatten, tree_reduce as reduce,
                        tree_all as all)
from .tree_util import (tree_flatten_with_path as flatten_with_path, tree_leaves_with_path as leaves_with_path,  # noqa: F401,E402
                        tree_map_with_path as map_with_path, tree_transpose as transpose,
                        tree_broadcast as broadcast)
from .tree_util import tree_reduce_associative as reduce_associative  # noqa: F401,E402
