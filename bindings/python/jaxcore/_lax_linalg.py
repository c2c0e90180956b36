"""`jaxcore.lax.linalg`: JAX's lax-level spellings of the decompositions
(result orders as in JAX: eigh gives (v, w), lu gives (lu, pivots, permutation))."""

from . import numpy as jnp
from . import _decomp
from ._eig import lax_eig as eig  # noqa: F401


def cholesky(x, *, symmetrize_input=True):
    x = jnp.asarray(x)
    if symmetrize_input:
        x = (x + jnp.swapaxes(x, -1, -2)) / 2
    return jnp.linalg.cholesky(x)


def eigh(x, *, lower=True, symmetrize_input=True, sort_eigenvalues=True, subset_by_index=None):
    x = jnp.asarray(x)
    if symmetrize_input:
        x = (x + jnp.swapaxes(x, -1, -2)) / 2
    else:
        x = jnp.tril(x) + jnp.swapaxes(jnp.tril(x, -1), -1, -2) if lower else jnp.triu(x) + jnp.swapaxes(jnp.triu(x, 1), -1, -2)
    w, v = jnp.linalg.eigh(x)
    if subset_by_index is not None:
        lo, hi = subset_by_index
        w, v = w[..., lo:hi], v[..., lo:hi]
    return v, w


def lu(x):
    """(packed L\\U, LAPACK pivots, permutation) with x[permutation] = L @ U."""
    from .scipy.linalg import _lu_packed, _perm_to_pivots
    packed, perm = _lu_packed(x)
    k = min(packed.shape[-2:])
    return packed, _decomp._batched(lambda q: _perm_to_pivots(q, k), perm, 1), perm.astype("int32")


def qr(x, *, pivoting=False, full_matrices=True, use_magma=None):
    if pivoting:
        raise NotImplementedError("lax.linalg.qr(pivoting=True) is not supported yet")
    return tuple(jnp.linalg.qr(x, mode="complete" if full_matrices else "reduced"))


def svd(x, *, full_matrices=True, compute_uv=True, subset_by_index=None, algorithm=None):
    out = jnp.linalg.svd(x, full_matrices=full_matrices, compute_uv=compute_uv)
    if subset_by_index is not None:
        lo, hi = subset_by_index
        if not compute_uv:
            return out[..., lo:hi]
        u, s, vh = out
        return u[..., :, lo:hi], s[..., lo:hi], vh[..., lo:hi, :]
    return tuple(out) if compute_uv else out


def triangular_solve(a, b, *, left_side=False, lower=False, transpose_a=False, conjugate_a=False, unit_diagonal=False):
    """Solves op(a) @ x = b (left_side) or x @ op(a) = b, op = transpose when transpose_a."""
    from .scipy.linalg import solve_triangular
    a, b = jnp.asarray(a), jnp.asarray(b)
    if left_side:
        return solve_triangular(a, b, trans=1 if transpose_a else 0, lower=lower, unit_diagonal=unit_diagonal)
    # x op(a) = b  <=>  op(a)^T x^T = b^T
    xt = solve_triangular(a, jnp.swapaxes(b, -1, -2), trans=0 if transpose_a else 1, lower=lower, unit_diagonal=unit_diagonal)
    return jnp.swapaxes(xt, -1, -2)


def tridiagonal_solve(dl, d, du, b):
    """Solves the tridiagonal system (dl: sub-, d: main, du: super-diagonal;
    dl[0] and du[-1] unused) for b of shape (m, n), by the Thomas algorithm."""
    from . import lax
    dl, d, du, b = (jnp.asarray(v) for v in (dl, d, du, b))
    if d.ndim != 1:
        from ._api import vmap
        return vmap(tridiagonal_solve)(dl, d, du, b)
    m = d.shape[0]
    if b.shape[0] != m:
        raise ValueError(f"tridiagonal_solve: b has {b.shape[0]} rows, the system has {m}")

    def fwd(carry, xs):
        cp, dp = carry
        a_i, b_i, c_i, r_i = xs
        den = b_i - a_i * cp
        c_new = c_i / den
        d_new = (r_i - a_i * dp) / den
        return (c_new, d_new), (c_new, d_new)

    zero_c = jnp.zeros((), d.dtype)
    zero_d = jnp.zeros(b.shape[1:], b.dtype)
    _, (cps, dps) = lax.scan(fwd, (zero_c, zero_d), (dl.at[0].set(0), d, du.at[m - 1].set(0), b))

    def bwd(x_next, xs):
        cp, dp = xs
        x = dp - (cp * x_next.T).T if x_next.ndim else dp - cp * x_next
        return x, x

    _, xs = lax.scan(bwd, zero_d, (cps, dps), reverse=True)
    return xs


def lu_pivots_to_permutation(pivots, permutation_size):
    """The permutation that LAPACK's row swaps (`pivots`, over the leading
    batch dimensions) apply to range(permutation_size)."""
    from . import lax
    pivots = jnp.asarray(pivots)
    k = pivots.shape[-1]
    if permutation_size < k:
        raise ValueError(f"Output permutation size {permutation_size} has to exceed the trailing dimension of the pivots. Got pivots size {k}")
    batch = pivots.shape[:-1]
    perm = jnp.broadcast_to(lax.iota(pivots.dtype, permutation_size), batch + (permutation_size,))
    for i in range(k):
        j = pivots[..., i:i + 1]
        pi = perm[..., i:i + 1]
        pj = jnp.take_along_axis(perm, j, axis=-1)
        perm = perm.at[..., i:i + 1].set(pj)
        perm = jnp.where(jnp.arange(permutation_size) == j, pi, perm)
    return perm


def symmetric_product(a_matrix, c_matrix, *, alpha=1.0, beta=0.0, symmetrize_output=False):
    """alpha * a @ a^T + beta * c (the lower triangle mirrored when
    `symmetrize_output`)."""
    a, c = jnp.asarray(a_matrix), jnp.asarray(c_matrix)
    out = alpha * jnp.matmul(a, jnp.swapaxes(a, -1, -2)) + beta * c
    if symmetrize_output:
        out = jnp.tril(out) + jnp.swapaxes(jnp.tril(out, -1), -1, -2)
    return out
