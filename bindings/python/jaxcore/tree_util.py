"""Pytrees: tuples, lists, dicts (sorted keys) and None; everything else is a leaf."""

class PyTreeDef:
    def __init__(self, kind, meta, children):
        self.kind, self.meta, self.children = kind, meta, children

    def _key(self):
        return (self.kind, self.meta, tuple(c._key() for c in self.children))

    def __eq__(self, o):
        return isinstance(o, PyTreeDef) and self._key() == o._key()

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        return f"PyTreeDef({self._key()})"

    @property
    def num_leaves(self):
        if self.kind == "leaf":
            return 1
        return sum(c.num_leaves for c in self.children)

_LEAF = PyTreeDef("leaf", None, ())
_REGISTRY = {}

def register_pytree_node(cls, flatten, unflatten):
    _REGISTRY[cls] = (flatten, unflatten)

# module-level recursion (a nested recursive closure would form a reference
# cycle holding the leaves, e.g. large device arrays, until the cycle GC runs)
def _flatten(x, leaves, is_leaf):
    if is_leaf is not None and is_leaf(x):
        leaves.append(x)
        return _LEAF
    if isinstance(x, (tuple, list)) and type(x) in (tuple, list):
        return PyTreeDef(type(x).__name__, len(x), tuple(_flatten(c, leaves, is_leaf) for c in x))
    if isinstance(x, dict):
        keys = tuple(sorted(x))
        return PyTreeDef("dict", keys, tuple(_flatten(x[k], leaves, is_leaf) for k in keys))
    if x is None:
        return PyTreeDef("none", None, ())
    if isinstance(x, tuple) and hasattr(type(x), "_fields"):
        return PyTreeDef(("namedtuple", type(x)), None, tuple(_flatten(c, leaves, is_leaf) for c in x))
    if type(x) in _REGISTRY:
        children, aux = _REGISTRY[type(x)][0](x)
        return PyTreeDef(("custom", type(x)), aux, tuple(_flatten(c, leaves, is_leaf) for c in children))
    leaves.append(x)
    return _LEAF

def tree_flatten(t, is_leaf=None):
    leaves = []
    d = _flatten(t, leaves, is_leaf)
    return leaves, d

def _unflatten(d, it):
    if d.kind == "leaf":
        return next(it)
    if d.kind == "none":
        return None
    kids = [_unflatten(c, it) for c in d.children]
    if d.kind == "tuple":
        return tuple(kids)
    if d.kind == "list":
        return kids
    if d.kind == "dict":
        return dict(zip(d.meta, kids))
    if d.kind[0] == "namedtuple":
        return d.kind[1](*kids)
    return _REGISTRY[d.kind[1]][1](d.meta, kids)

def tree_unflatten(treedef, leaves):
    return _unflatten(treedef, iter(leaves))

def tree_leaves(t, is_leaf=None):
    return tree_flatten(t, is_leaf)[0]

def tree_structure(t, is_leaf=None):
    return tree_flatten(t, is_leaf)[1]

def tree_map(f, t, *rest, is_leaf=None):
    leaves, d = tree_flatten(t, is_leaf)
    others = [tree_flatten(r, is_leaf)[0] for r in rest]
    return tree_unflatten(d, [f(*xs) for xs in zip(leaves, *others)])

def tree_reduce(f, t, *initializer):
    import functools
    return functools.reduce(f, tree_leaves(t), *initializer)

def tree_all(t):
    return all(tree_leaves(t))

def treedef_is_leaf(d):
    return d.kind == "leaf"

class Partial:
    """`jax.tree_util.Partial`: a functools.partial that is a pytree of its arguments."""
    def __init__(self, func, *args, **kw):
        self.func, self.args, self.keywords = func, args, kw

    def __call__(self, *args, **kw):
        return self.func(*self.args, *args, **{**self.keywords, **kw})

register_pytree_node(Partial, lambda p: ((p.args, p.keywords), p.func), lambda func, kids: Partial(func, *kids[0], **kids[1]))
