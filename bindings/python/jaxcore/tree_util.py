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

_LEAF = PyTreeDef("leaf", None, ())
_REGISTRY = {}

def register_pytree_node(cls, flatten, unflatten):
    _REGISTRY[cls] = (flatten, unflatten)

def tree_flatten(t):
    leaves = []
    def go(x):
        if isinstance(x, (tuple, list)) and type(x) in (tuple, list):
            return PyTreeDef(type(x).__name__, len(x), tuple(go(c) for c in x))
        if isinstance(x, dict):
            keys = tuple(sorted(x))
            return PyTreeDef("dict", keys, tuple(go(x[k]) for k in keys))
        if x is None:
            return PyTreeDef("none", None, ())
        if type(x) in _REGISTRY:
            children, aux = _REGISTRY[type(x)][0](x)
            return PyTreeDef(("custom", type(x)), aux, tuple(go(c) for c in children))
        leaves.append(x)
        return _LEAF
    d = go(t)
    return leaves, d

def tree_unflatten(treedef, leaves):
    it = iter(leaves)
    def go(d):
        if d.kind == "leaf":
            return next(it)
        if d.kind == "none":
            return None
        kids = [go(c) for c in d.children]
        if d.kind == "tuple":
            return tuple(kids)
        if d.kind == "list":
            return kids
        if d.kind == "dict":
            return dict(zip(d.meta, kids))
        return _REGISTRY[d.kind[1]][1](d.meta, kids)
    return go(treedef)

def tree_leaves(t):
    return tree_flatten(t)[0]

def tree_structure(t):
    return tree_flatten(t)[1]

def tree_map(f, t, *rest):
    leaves, d = tree_flatten(t)
    others = [tree_flatten(r)[0] for r in rest]
    return tree_unflatten(d, [f(*xs) for xs in zip(leaves, *others)])
