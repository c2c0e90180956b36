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
        return f"PyTreeDef({self._str()})"

    def _str(self):
        """JAX's printing: `*` for leaves, Python syntax for containers."""
        kids = [c._str() for c in self.children]
        if self.kind == "leaf":
            return "*"
        if self.kind == "none":
            return "None"
        if self.kind == "tuple":
            return "(" + ", ".join(kids) + ("," if len(kids) == 1 else "") + ")"
        if self.kind == "list":
            return "[" + ", ".join(kids) + "]"
        if self.kind == "dict":
            return "{" + ", ".join(f"{k!r}: {c}" for k, c in zip(self.meta, kids)) + "}"
        tag, cls = self.kind
        label = f"namedtuple[{cls.__name__}]" if tag == "namedtuple" else f"{cls.__name__}[{self.meta}]"
        return f"CustomNode({label}, [{', '.join(kids)}])"

    @property
    def num_leaves(self):
        if self.kind == "leaf":
            return 1
        return sum(c.num_leaves for c in self.children)

_LEAF = PyTreeDef("leaf", None, ())
_REGISTRY = {}
_KEYS = {}  # node type -> node -> the key of each child (types registered with keys)

def register_pytree_node(cls, flatten, unflatten):
    _REGISTRY[cls] = (flatten, unflatten)
    _KEYS.pop(cls, None)

# module-level recursion (a nested recursive closure would form a reference
# cycle holding the leaves, e.g. large device arrays, until the cycle GC runs)
def _flatten(x, leaves, is_leaf):
    if is_leaf is not None and is_leaf(x):
        leaves.append(x)
        return _LEAF
    if isinstance(x, (tuple, list)) and type(x) in (tuple, list):
        return PyTreeDef(type(x).__name__, len(x), tuple(_flatten(c, leaves, is_leaf) for c in x))
    if isinstance(x, dict) and type(x) not in _REGISTRY:
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
    return _rebuild(d, [_unflatten(c, it) for c in d.children])

def tree_unflatten(treedef, leaves):
    return _unflatten(treedef, iter(leaves))

def tree_leaves(t, is_leaf=None):
    return tree_flatten(t, is_leaf)[0]

def tree_structure(t, is_leaf=None):
    return tree_flatten(t, is_leaf)[1]

def tree_map(f, t, *rest, is_leaf=None):
    leaves, d = tree_flatten(t, is_leaf)
    others = [_flatten_up_to(d, r, is_leaf) for r in rest]
    return tree_unflatten(d, [f(*xs) for xs in zip(leaves, *others)])

def _flatten_up_to(d, tree, is_leaf=None):
    """The leaves of `tree` where `d` has leaves (a subtree counts as one), for
    a tree with d's structure or d as a prefix; JAX's ValueError otherwise."""
    leaves, got = tree_flatten(tree, is_leaf)
    if got == d:
        return leaves
    out = []
    _up_to(d, tree, out)
    return out

def _up_to(d, x, out):
    if d.kind == "leaf":
        out.append(x)
        return
    kids, xd = tree_flatten(x, is_leaf=lambda y: y is not x)  # x's own node, its children as leaves
    if xd.kind != d.kind:
        raise ValueError(f"pytree structure error: different types: the prefix tree has {d._str()} where the full "
                         f"tree has {x!r}.")
    if xd.meta != d.meta:
        what = "dict keys" if d.kind == "dict" else "lengths" if d.kind in ("tuple", "list") else "node data"
        raise ValueError(f"pytree structure error: different {what}: the prefix tree has {d._str()} where the full "
                         f"tree has {x!r}.")
    for c, v in zip(d.children, kids):
        _up_to(c, v, out)

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

    def __repr__(self):
        parts = [repr(self.func)] + [repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.keywords.items()]
        return f"Partial({', '.join(parts)})"

register_pytree_node(Partial, lambda p: ((p.args, p.keywords), p.func), lambda func, kids: Partial(func, *kids[0], **kids[1]))

# --- key paths (JAX's key types and printing) ---

class _PathKey:
    """One step of a key path; subclasses name their field and how it prints."""
    __slots__ = ()
    _field, _fmt = "", ""

    def __init__(self, value):
        object.__setattr__(self, self._field, value)

    def __str__(self):
        return self._fmt.format(getattr(self, self._field))

    def __repr__(self):
        return f"{type(self).__name__}({self._field}={getattr(self, self._field)!r})"

    def __eq__(self, o):
        return type(o) is type(self) and getattr(o, self._field) == getattr(self, self._field)

    def __hash__(self):
        return hash((type(self).__name__, getattr(self, self._field)))


class SequenceKey(_PathKey):
    __slots__ = ("idx",)
    _field, _fmt = "idx", "[{!r}]"


class DictKey(_PathKey):
    __slots__ = ("key",)
    _field, _fmt = "key", "[{!r}]"


class GetAttrKey(_PathKey):
    __slots__ = ("name",)
    _field, _fmt = "name", ".{}"


class FlattenedIndexKey(_PathKey):
    __slots__ = ("key",)
    _field, _fmt = "key", "[<flat index {}>]"

def keystr(keys, *, simple=False, separator=""):
    """`jax.tree_util.keystr`: e.g. `['params'][0].w`."""
    if simple:
        parts = [str(getattr(k, "idx", getattr(k, "key", getattr(k, "name", k)))) for k in keys]
        return separator.join(parts)
    return separator.join(str(k) for k in keys)

def _paths(x, path, out, is_leaf):
    if is_leaf is not None and is_leaf(x):
        out.append((path, x))
        return
    if isinstance(x, (tuple, list)) and type(x) in (tuple, list):
        for i, c in enumerate(x):
            _paths(c, path + (SequenceKey(i),), out, is_leaf)
    elif isinstance(x, dict) and type(x) not in _REGISTRY:
        for k in sorted(x):
            _paths(x[k], path + (DictKey(k),), out, is_leaf)
    elif x is None:
        return
    elif isinstance(x, tuple) and hasattr(type(x), "_fields"):
        for name, c in zip(type(x)._fields, x):
            _paths(c, path + (GetAttrKey(name),), out, is_leaf)
    elif type(x) in _REGISTRY:
        children, _ = _REGISTRY[type(x)][0](x)
        keys = _KEYS[type(x)](x) if type(x) in _KEYS else [FlattenedIndexKey(i) for i in range(len(children))]
        for k, c in zip(keys, children):
            _paths(c, path + (k,), out, is_leaf)
    else:
        out.append((path, x))

def tree_flatten_with_path(t, is_leaf=None):
    out = []
    _paths(t, (), out, is_leaf)
    return out, tree_structure(t, is_leaf)

def tree_leaves_with_path(t, is_leaf=None):
    return tree_flatten_with_path(t, is_leaf)[0]

def tree_map_with_path(f, t, *rest, is_leaf=None):
    pl, d = tree_flatten_with_path(t, is_leaf)
    others = [_flatten_up_to(d, r, is_leaf) for r in rest]
    return tree_unflatten(d, [f(p, x, *xs) for (p, x), *xs in zip(pl, *others)])

# --- registration helpers and structure utilities ---

def register_pytree_node_class(cls):
    """Class decorator: `tree_flatten()` method and `tree_unflatten(aux, children)` classmethod."""
    register_pytree_node(cls, lambda x: x.tree_flatten(), cls.tree_unflatten)
    return cls

def register_pytree_with_keys(cls, flatten_with_keys, unflatten, flatten_func=None):
    def flat(x):
        if flatten_func is not None:
            return flatten_func(x)
        kc, aux = flatten_with_keys(x)
        return [c for _, c in kc], aux
    register_pytree_node(cls, flat, unflatten)
    _KEYS[cls] = lambda x: [k for k, _ in flatten_with_keys(x)[0]]

def register_pytree_with_keys_class(cls):
    register_pytree_node(cls, lambda x: x.tree_flatten(), cls.tree_unflatten)
    _KEYS[cls] = lambda x: [k for k, _ in x.tree_flatten_with_keys()[0]]
    return cls

def register_dataclass(nodetype, data_fields=None, meta_fields=None, drop_fields=()):
    """`jax.tree_util.register_dataclass`: data fields are children, meta
    fields the static part (from `dataclasses.field(metadata=dict(static=True))`
    when not given)."""
    import dataclasses
    if data_fields is None or meta_fields is None:
        fs = [f for f in dataclasses.fields(nodetype) if f.name not in drop_fields]
        meta_fields = [f.name for f in fs if f.metadata.get("static", False)] if meta_fields is None else list(meta_fields)
        data_fields = [f.name for f in fs if f.name not in meta_fields] if data_fields is None else list(data_fields)
    data_fields, meta_fields = list(data_fields), list(meta_fields)
    def flat(x):
        return [getattr(x, n) for n in data_fields], tuple(getattr(x, n) for n in meta_fields)
    def unflat(meta, kids):
        return nodetype(**dict(zip(data_fields, kids)), **dict(zip(meta_fields, meta)))
    register_pytree_node(nodetype, flat, unflat)
    _KEYS[nodetype] = lambda x: [GetAttrKey(n) for n in data_fields]
    return nodetype

def register_static(cls):
    """A type whose instances are pytrees with no leaves (kept as metadata)."""
    register_pytree_node(cls, lambda x: ((), x), lambda aux, _: aux)
    return cls

def treedef_children(treedef):
    return list(treedef.children)

def treedef_tuple(treedefs):
    treedefs = tuple(treedefs)
    return PyTreeDef("tuple", len(treedefs), treedefs)

def all_leaves(iterable, is_leaf=None):
    return all(tree_structure(x, is_leaf) == _LEAF for x in iterable)

def tree_transpose(outer_treedef, inner_treedef, pytree_to_transpose):
    """Turns an outer tree of inner trees into an inner tree of outer trees."""
    flat = tree_leaves(pytree_to_transpose)
    n_in = inner_treedef.num_leaves
    n_out = outer_treedef.num_leaves
    if len(flat) != n_in * n_out:
        raise TypeError(f"Tree structure mismatch: expected {n_in * n_out} leaves, got {len(flat)}")
    groups = [flat[i * n_in:(i + 1) * n_in] for i in range(n_out)]
    per_inner = [tree_unflatten(outer_treedef, [g[j] for g in groups]) for j in range(n_in)]
    return tree_unflatten(inner_treedef, per_inner)

def tree_broadcast(prefix_tree, full_tree, is_leaf=None):
    """Each leaf of `prefix_tree` repeated over the subtree of `full_tree` at its place."""
    pd = tree_structure(prefix_tree, is_leaf)
    def go(d, p, f):
        if d.kind == "leaf":
            return tree_map(lambda _: p, f)
        if d.kind == "none":
            return None
        pk = _children_values(p)
        fk = _children_values(f)
        return _rebuild(d, [go(c, a, b) for c, a, b in zip(d.children, pk, fk)])
    return go(pd, prefix_tree, full_tree)

def _children_values(x):
    if isinstance(x, dict) and type(x) not in _REGISTRY:
        return [x[k] for k in sorted(x)]
    if isinstance(x, (tuple, list)):
        return list(x)
    if type(x) in _REGISTRY:
        return list(_REGISTRY[type(x)][0](x)[0])
    return []

def _rebuild(d, kids):
    """A node of kind `d` (not a leaf or None) from its children."""
    if d.kind == "tuple":
        return tuple(kids)
    if d.kind == "list":
        return kids
    if d.kind == "dict":
        return dict(zip(d.meta, kids))
    if d.kind[0] == "namedtuple":
        return d.kind[1](*kids)
    return _REGISTRY[d.kind[1]][1](d.meta, kids)

def _treedef_unflatten(self, leaves):
    return tree_unflatten(self, leaves)

def _treedef_children(self):
    return list(self.children)

def _treedef_num_nodes(self):
    return 1 + sum(c.num_nodes for c in self.children)

PyTreeDef.unflatten = _treedef_unflatten
PyTreeDef.num_nodes = property(_treedef_num_nodes)
PyTreeDef.children_list = _treedef_children


def tree_reduce_associative(operation, tree, *, is_leaf=None):
    """Reduces the leaves pairwise (a balanced tree of `operation` calls)."""
    leaves = tree_leaves(tree, is_leaf=is_leaf)
    if not leaves:
        raise ValueError("tree_reduce_associative on a tree with no leaves")
    while len(leaves) > 1:
        leaves = [operation(leaves[i], leaves[i + 1]) if i + 1 < len(leaves) else leaves[i] for i in range(0, len(leaves), 2)]
    return leaves[0]


def flatten_one_level(tree):
    """(children, auxiliary data) of a pytree node; a leaf raises ValueError."""
    d = tree_structure(tree)
    if d.kind == "leaf":
        raise ValueError(f"can't tree-flatten type: {type(tree)}")
    if d.kind == "none":
        return [], None
    return _children_values(tree), d.meta


def is_tree_node(x):
    return tree_structure(x).kind != "leaf"


KeyEntry = _PathKey  # (in JAX: any of the key classes)
KeyPath = tuple


def flatten_one_level_with_keys(tree):
    """([(key, child), ...], auxiliary data) of a pytree node."""
    children, aux = flatten_one_level(tree)
    keyed = []
    _paths(tree, (), keyed, lambda x: x is not tree)  # every child is a leaf one level down
    return tuple((path[0], child) for (path, _), child in zip(keyed, children)), aux


# OrderedDict keeps its order, defaultdict sorts its keys and keeps its
# factory (JAX's nodes for them); both have DictKey paths
def _register_dicts():
    import collections
    register_pytree_with_keys(
        collections.OrderedDict,
        lambda d: ([(DictKey(k), v) for k, v in d.items()], tuple(d)),
        lambda keys, kids: collections.OrderedDict(zip(keys, kids)))
    register_pytree_with_keys(
        collections.defaultdict,
        lambda d: ([(DictKey(k), d[k]) for k in sorted(d)], (d.default_factory, tuple(sorted(d)))),
        lambda aux, kids: collections.defaultdict(aux[0], zip(aux[1], kids)))

_register_dicts()
