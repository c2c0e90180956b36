"""`jax.experimental.sparse`: the BCOO format (batched coordinate) without
batch or dense dimensions: `data[nse]` and `indices[nse, ndim]`, built of
dense jnp operations (gathers and scatter-adds), so it jits, differentiates
with respect to `data` and is a pytree, as JAX's. Entries whose index is
out of range (JAX's padding, `nse` larger than the non-zeros) count as
absent."""

import numpy as _np

from .. import numpy as jnp
from .. import tree_util


@tree_util.register_pytree_node_class
class BCOO:
    """A sparse array of `shape` holding `data[i]` at `indices[i]`
    (duplicates add up)."""
    n_batch = 0
    n_dense = 0

    def __init__(self, args, *, shape, indices_sorted=False, unique_indices=False):
        data, indices = args
        self.data, self.indices = jnp.asarray(data), jnp.asarray(indices)
        self.shape = tuple(int(d) for d in shape)
        self.indices_sorted, self.unique_indices = indices_sorted, unique_indices
        if self.indices.ndim != 2 or self.indices.shape[-1] != len(self.shape):
            raise ValueError(f"BCOO: indices must have shape (nse, {len(self.shape)}) for shape {self.shape}; "
                             f"got {tuple(self.indices.shape)} (batch and dense dimensions are not supported)")
        if self.data.shape != self.indices.shape[:1]:
            raise ValueError(f"BCOO: data must have shape ({self.indices.shape[0]},); got {tuple(self.data.shape)}")

    # --- pytree: the arrays are leaves, the shape is static
    def tree_flatten(self):
        return (self.data, self.indices), (self.shape, self.indices_sorted, self.unique_indices)

    @classmethod
    def tree_unflatten(cls, aux, children):
        shape, sorted_, unique = aux
        return cls(children, shape=shape, indices_sorted=sorted_, unique_indices=unique)

    # --- attributes
    nse = property(lambda self: int(self.indices.shape[0]))
    dtype = property(lambda self: self.data.dtype)
    ndim = property(lambda self: len(self.shape))
    size = property(lambda self: int(_np.prod(self.shape)))
    T = property(lambda self: self.transpose())

    def __repr__(self):
        name = self.dtype.name if hasattr(self.dtype, "name") else str(self.dtype)
        return f"BCOO({name}[{', '.join(str(d) for d in self.shape)}], nse={self.nse})"

    __str__ = __repr__

    def __len__(self):
        return self.shape[0]

    # --- construction and conversion
    @classmethod
    def fromdense(cls, mat, *, nse=None, index_dtype="int32", n_dense=0, n_batch=0):
        if n_dense or n_batch:
            raise NotImplementedError("BCOO.fromdense with n_batch or n_dense is not supported")
        mat = jnp.asarray(mat)
        if nse is None:
            nse = int(jnp.count_nonzero(mat))  # needs a concrete matrix, as JAX's
        idx = jnp.nonzero(mat, size=nse, fill_value=tuple(mat.shape))
        indices = jnp.stack(idx, axis=1).astype(index_dtype) if mat.ndim else jnp.zeros((nse, 0), index_dtype)
        data = mat[tuple(jnp.clip(i, 0, max(d - 1, 0)) for i, d in zip(idx, mat.shape))]
        valid = jnp.all(indices < jnp.asarray(mat.shape, index_dtype), axis=1) if mat.ndim else jnp.ones(nse, "bool")
        return cls((jnp.where(valid, data, jnp.zeros_like(data)), indices), shape=mat.shape, indices_sorted=True,
                   unique_indices=True)

    def todense(self):
        out = jnp.zeros(self.shape, self.dtype)
        if not self.ndim:
            return out + jnp.sum(self.data)
        return out.at[tuple(self.indices.T)].add(self.data, mode="drop")

    def block_until_ready(self):
        self.data.block_until_ready()
        self.indices.block_until_ready()
        return self

    def astype(self, dtype):
        return BCOO((self.data.astype(dtype), self.indices), shape=self.shape)

    def _valid(self):
        return jnp.all(self.indices < jnp.asarray(self.shape, self.indices.dtype), axis=1)

    # --- operations that keep sparsity
    def transpose(self, axes=None):
        axes = tuple(range(self.ndim))[::-1] if axes is None else tuple(axes)
        return BCOO((self.data, self.indices[:, list(axes)]), shape=tuple(self.shape[a] for a in axes))

    def reshape(self, *shape):
        raise NotImplementedError("BCOO.reshape is not supported")

    def sum(self, axis=None):
        if axis is None:
            return jnp.sum(jnp.where(self._valid(), self.data, 0))
        axes = {a % self.ndim for a in ((axis,) if isinstance(axis, int) else axis)}
        keep = [d for d in range(self.ndim) if d not in axes]
        data = jnp.where(self._valid(), self.data, 0)
        return BCOO((data, self.indices[:, keep]), shape=tuple(self.shape[d] for d in keep))

    def __neg__(self):
        return BCOO((-self.data, self.indices), shape=self.shape)

    def __pos__(self):
        return self

    def __mul__(self, other):
        if isinstance(other, BCOO):
            return self.todense() * other.todense()
        other = jnp.asarray(other)
        if other.ndim == 0:
            return BCOO((self.data * other, self.indices), shape=self.shape)
        # a dense factor: pick its values at the stored indices
        dense = jnp.broadcast_to(other, self.shape)
        picked = dense.at[tuple(self.indices.T)].get(mode="fill", fill_value=0)
        return BCOO((self.data * picked, self.indices), shape=self.shape)

    __rmul__ = __mul__

    def __truediv__(self, other):
        other = jnp.asarray(other)
        if other.ndim:
            raise NotImplementedError("BCOO division by an array is not supported")
        return BCOO((self.data / other, self.indices), shape=self.shape)

    def __add__(self, other):
        if isinstance(other, BCOO):
            if other.shape != self.shape:
                raise ValueError(f"BCOO add: shapes {self.shape} and {other.shape} differ")
            return BCOO((jnp.concatenate([self.data, other.data.astype(self.dtype)]),
                         jnp.concatenate([self.indices, other.indices.astype(self.indices.dtype)])), shape=self.shape)
        return self.todense() + other

    __radd__ = __add__

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return (-self) + other

    # --- products with dense arrays (dense results, as JAX's)
    def __matmul__(self, other):
        if isinstance(other, BCOO):
            other = other.todense()
        other = jnp.asarray(other)
        if self.ndim != 2 or other.ndim not in (1, 2):
            raise NotImplementedError(f"BCOO matmul of shapes {self.shape} and {tuple(other.shape)} is not supported")
        if other.shape[0] != self.shape[1]:
            raise TypeError(f"dot_general requires contracting dimensions to have the same shape, got "
                            f"({self.shape[1]},) and ({other.shape[0]},).")
        rows, cols = self.indices[:, 0], self.indices[:, 1]
        picked = jnp.take(other, cols, axis=0, mode="fill", fill_value=0)
        contrib = (self.data[:, None] * picked) if other.ndim == 2 else self.data * picked
        out = jnp.zeros((self.shape[0],) + tuple(other.shape[1:]), jnp.result_type(self.dtype, other.dtype))
        return out.at[rows].add(contrib, mode="drop")

    def __rmatmul__(self, other):
        other = jnp.asarray(other)
        if other.ndim == 1:
            return self.T @ other
        return (self.T @ other.T).T

    def __getitem__(self, idx):
        return self.todense()[idx]


def bcoo_fromdense(mat, *, nse=None, index_dtype="int32", n_dense=0, n_batch=0):
    return BCOO.fromdense(mat, nse=nse, index_dtype=index_dtype, n_dense=n_dense, n_batch=n_batch)


def bcoo_todense(mat):
    return mat.todense()


def todense(x):
    """A dense array of a sparse one (dense arrays pass through)."""
    return x.todense() if isinstance(x, BCOO) else x


def fromdense(x, **kwargs):
    return BCOO.fromdense(x, **kwargs)


def eye(N, M=None, k=0, dtype=None, index_dtype="int32", n_batch=0, n_dense=0):
    return BCOO.fromdense(jnp.eye(N, M, k, dtype=dtype), index_dtype=index_dtype)


def empty(shape, dtype=None, index_dtype="int32", n_batch=0, n_dense=0):
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    return BCOO((jnp.zeros((0,), dtype or "float32"), jnp.zeros((0, len(shape)), index_dtype)), shape=shape)


def bcoo_dot_general(lhs, rhs, *, dimension_numbers, precision=None, preferred_element_type=None):
    from .. import lax
    return lax.dot_general(todense(lhs), todense(rhs), dimension_numbers)


def bcoo_multiply_dense(sp_mat, v):
    return sp_mat * v


def bcoo_reduce_sum(mat, *, axes):
    return mat.sum(tuple(axes))


def bcoo_transpose(mat, *, permutation):
    return mat.transpose(permutation)


def sparsify(f, use_tracer=False):
    """`sparse.sparsify(f)`: f on sparse arguments. Here the operations are
    the dense ones on the densified arguments: the same values as JAX's,
    always as dense arrays (JAX keeps some results sparse)."""
    def inner(*args, **kwargs):
        dense = tree_util.tree_map(todense, (args, kwargs), is_leaf=lambda x: isinstance(x, BCOO))
        return f(*dense[0], **dense[1])
    return inner


__all__ = ["BCOO", "bcoo_fromdense", "bcoo_todense", "todense", "fromdense", "eye", "empty", "bcoo_dot_general",
           "bcoo_multiply_dense", "bcoo_reduce_sum", "bcoo_transpose", "sparsify"]
