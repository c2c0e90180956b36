"""`jaxcore.scipy.linalg`: scipy's spellings over jaxcore.numpy.linalg
(note scipy's defaults: `cholesky` gives the upper factor)."""

import numpy as _np

from ... import numpy as jnp
from ... import _decomp


from ..._eig import schur, hessenberg, sqrtm  # noqa: E402,F401


def polar(a, side="right", *, method="qdwh", eps=None, max_iterations=None):
    """`jax.scipy.linalg.polar`: a = U P (side 'right') or P U ('left'), U
    unitary and P positive semidefinite, from the SVD (JAX's default QDWH
    iteration converges to the same factors)."""
    if side not in ("right", "left"):
        raise ValueError(f"side={side!r} is not 'right' or 'left'")
    if method not in ("qdwh", "svd"):
        raise ValueError(f"Unknown polar decomposition method {method}.")
    a = jnp.asarray(a)
    u, s, vh = jnp.linalg.svd(a, full_matrices=False)
    unitary = u @ vh
    if side == "right":
        posdef = (jnp.conj(vh.T) * s) @ vh
    else:
        posdef = (u * s) @ jnp.conj(u.T)
    return unitary, posdef


def cholesky(a, lower=False, overwrite_a=False, check_finite=True):
    l = jnp.linalg.cholesky(a)
    return l if lower else jnp.swapaxes(l, -1, -2)


def cho_factor(a, lower=False, overwrite_a=False, check_finite=True):
    return cholesky(a, lower=lower), lower


def solve_triangular(a, b, trans=0, lower=False, unit_diagonal=False, overwrite_b=False, debug=None, check_finite=True):
    """Solves a x = b for triangular a (the other triangle is ignored)."""
    a = jnp.asarray(a)
    t = jnp.tril(a) if lower else jnp.triu(a)
    if unit_diagonal:
        n = a.shape[-1]
        t = t * (1 - jnp.eye(n, dtype=t.dtype)) + jnp.eye(n, dtype=t.dtype)
    if trans in (1, 2, "T", "C"):
        t = jnp.swapaxes(t, -1, -2)
    return jnp.linalg.solve(t, b)


def cho_solve(c_and_lower, b, overwrite_b=False, check_finite=True):
    c, lower = c_and_lower
    y = solve_triangular(c, b, trans=0 if lower else 1, lower=lower)
    return solve_triangular(c, y, trans=1 if lower else 0, lower=lower)


def solve(a, b, lower=False, overwrite_a=False, overwrite_b=False, debug=False, check_finite=True, assume_a="gen"):
    return jnp.linalg.solve(a, b)


def inv(a, overwrite_a=False, check_finite=True):
    return jnp.linalg.inv(a)


def det(a, overwrite_a=False, check_finite=True):
    return jnp.linalg.det(a)


def qr(a, overwrite_a=False, lwork=None, mode="full", pivoting=False, check_finite=True):
    if pivoting:
        raise NotImplementedError("scipy.linalg.qr(pivoting=True) is not supported")
    if mode == "r":
        return (jnp.linalg.qr(a, mode="complete")[1],)
    if mode == "economic":
        return tuple(jnp.linalg.qr(a, mode="reduced"))
    return tuple(jnp.linalg.qr(a, mode="complete"))


def svd(a, full_matrices=True, compute_uv=True, overwrite_a=False, check_finite=True, lapack_driver="gesdd"):
    return _decomp.svd(a, full_matrices=full_matrices, compute_uv=compute_uv)


def eigh(a, b=None, lower=True, eigvals_only=False, overwrite_a=False, overwrite_b=False, type=1, check_finite=True, subset_by_index=None, subset_by_value=None, driver=None):
    if b is not None:
        raise NotImplementedError("scipy.linalg.eigh with b (generalized problem) is not supported")
    w, v = jnp.linalg.eigh(a, UPLO="L" if lower else "U", symmetrize_input=False)
    return w if eigvals_only else (w, v)


def block_diag(*arrs):
    arrs = [jnp.atleast_2d(jnp.asarray(a)) for a in arrs]
    rows = sum(a.shape[0] for a in arrs)
    cols = sum(a.shape[1] for a in arrs)
    out = jnp.zeros((rows, cols), jnp.result_type(*arrs) if hasattr(jnp, "result_type") else arrs[0].dtype)
    r = c = 0
    for a in arrs:
        out = out.at[r:r + a.shape[0], c:c + a.shape[1]].set(a)
        r, c = r + a.shape[0], c + a.shape[1]
    return out


def expm(A, *, upper_triangular=False, max_squarings=16):
    """The matrix exponential: scaling and squaring with a degree-13 Padé
    approximant (Higham 2005), with the scaling chosen from the 1-norm."""
    A = jnp.asarray(A)
    if not str(A.dtype).startswith("float"):
        A = A.astype("float32")
    n = A.shape[-1]
    b = [64764752532480000., 32382376266240000., 7771770303897600., 1187353796428800., 129060195264000.,
         10559470521600., 670442572800., 33522128640., 1323241920., 40840800., 960960., 16380., 182., 1.]
    norm = jnp.max(jnp.sum(jnp.abs(A), axis=-2), axis=-1)
    theta13 = 5.371920351148152
    s = jnp.maximum(0.0, jnp.ceil(jnp.log2(jnp.maximum(norm, 1e-30) / theta13)))
    s = jnp.minimum(s, max_squarings)
    As = A / jnp.power(2.0, s)[..., None, None]
    eye = jnp.broadcast_to(jnp.eye(n, dtype=A.dtype), A.shape)
    A2 = As @ As
    A4 = A2 @ A2
    A6 = A4 @ A2
    U = As @ (A6 @ (b[13] * A6 + b[11] * A4 + b[9] * A2) + b[7] * A6 + b[5] * A4 + b[3] * A2 + b[1] * eye)
    V = A6 @ (b[12] * A6 + b[10] * A4 + b[8] * A2) + b[6] * A6 + b[4] * A4 + b[2] * A2 + b[0] * eye
    R = jnp.linalg.solve(V - U, V + U)
    from ... import lax

    def square(i, r):
        return jnp.where((i < s)[..., None, None], r @ r, r)
    return lax.fori_loop(0, max_squarings, square, R)


# --- LU (the engine's partial pivoting, which picks LAPACK's pivots)
def _lu_packed(a):
    from ..._core import op
    a = jnp.asarray(a)
    if not jnp.issubdtype(a.dtype, jnp.floating):
        a = a.astype("float32")
    if a.ndim >= 2 and a.shape[-1] != a.shape[-2]:
        return _decomp._batched(_lu_rectangular, a)
    lu, perm, _ = op("linalg.lu", a)
    return lu, perm


def _lu_rectangular(a):
    """getrf's partial pivoting on an m x n matrix, one column per loop step:
    packed L and U (m x n) and the row permutation (a[perm] = L @ U)."""
    from ... import lax
    m, n = a.shape
    rows, cols = jnp.arange(m), jnp.arange(n)

    def column(j, state):
        a, perm = state
        p = jnp.argmax(jnp.where(rows >= j, jnp.abs(a[:, j]), -1.0))  # the first largest, as LAPACK
        aj, ap = a[j], a[p]
        a = a.at[j].set(ap).at[p].set(aj)
        qj, qp = perm[j], perm[p]
        perm = perm.at[j].set(qp).at[p].set(qj)
        pivot = a[j, j]
        below = rows > j
        l = jnp.where(below, a[:, j] / jnp.where(pivot == 0, 1.0, pivot), 0.0)
        a = jnp.where(below[:, None] & (cols == j)[None, :], l[:, None], a)
        a = a - jnp.where(below[:, None] & (cols > j)[None, :], jnp.outer(l, a[j]), 0.0)
        return a, perm
    return lax.fori_loop(0, min(m, n), column, (a, jnp.arange(m, dtype="int32")))


def _perm_to_pivots(perm, k=None):
    """LAPACK's pivots (row i swapped with row piv[i], in turn, for the first k
    rows) of a row permutation."""
    from ... import lax
    n = perm.shape[-1]
    k = n if k is None else k
    def step(i, st):
        cur, piv = st
        j = jnp.argmax(cur == perm[i])
        ci, cj = cur[i], cur[j]
        return cur.at[i].set(cj).at[j].set(ci), piv.at[i].set(j.astype("int32"))
    return lax.fori_loop(0, k, step, (jnp.arange(n, dtype="int32"), jnp.zeros(k, "int32")))[1]


def _pivots_to_perm(piv, n):
    from ... import lax
    def step(i, cur):
        j = piv[i]
        ci, cj = cur[i], cur[j]
        return cur.at[i].set(cj).at[j].set(ci)
    return lax.fori_loop(0, piv.shape[-1], step, jnp.arange(n, dtype="int32"))


def lu_factor(a, overwrite_a=False, check_finite=True):
    """(packed L\\U, LAPACK pivots): `a[perm] = L @ U`."""
    lu, perm = _lu_packed(a)
    k = min(lu.shape[-2:])
    return lu, _decomp._batched(lambda q: _perm_to_pivots(q, k), perm, 1)


def lu(a, permute_l=False, overwrite_a=False, check_finite=True):
    """(p, l, u) with a = p @ l @ u; (p @ l, u) with permute_l. For m x n
    input: p m x m, l m x k, u k x n (k = min(m, n))."""
    packed, perm = _lu_packed(a)
    m, n = packed.shape[-2:]
    k = min(m, n)
    l = jnp.tril(packed, -1)[..., :, :k] + jnp.eye(m, k, dtype=packed.dtype)
    u = jnp.triu(packed)[..., :k, :]
    eye = jnp.eye(m, dtype=packed.dtype)
    p = jnp.swapaxes(jnp.take(eye, perm, axis=0), -1, -2)  # p[perm[i], i] = 1
    return (p @ l, u) if permute_l else (p, l, u)


def lu_solve(lu_and_piv, b, trans=0, overwrite_b=False, check_finite=True):
    """Solves a x = b (trans=0) or a^T x = b (trans=1, 2) from `lu_factor`."""
    packed, piv = lu_and_piv
    packed, b = jnp.asarray(packed), jnp.asarray(b)
    n = packed.shape[-1]
    perm = _pivots_to_perm(jnp.asarray(piv), n)
    if trans == 0:
        y = solve_triangular(packed, jnp.take(b, perm, axis=0), lower=True, unit_diagonal=True)
        return solve_triangular(packed, y, lower=False)
    if trans not in (1, 2):
        raise ValueError(f"trans must be 0, 1 or 2, got {trans}")
    z = solve_triangular(packed, b, trans=1, lower=False)
    z = solve_triangular(packed, z, trans=1, lower=True, unit_diagonal=True)
    return jnp.zeros_like(z).at[perm].set(z)


# --- structured matrices
def toeplitz(c, r=None):
    c = jnp.ravel(jnp.asarray(c))
    r = jnp.conj(c) if r is None else jnp.ravel(jnp.asarray(r))
    i, j = jnp.arange(c.shape[0])[:, None], jnp.arange(r.shape[0])[None, :]
    return jnp.where(i >= j, jnp.take(c, jnp.clip(i - j, 0, None)), jnp.take(r, jnp.clip(j - i, 0, None)))


def hankel(c, r=None):
    c = jnp.ravel(jnp.asarray(c))
    r = jnp.zeros_like(c) if r is None else jnp.ravel(jnp.asarray(r))
    m, n = c.shape[0], r.shape[0]
    k = jnp.arange(m)[:, None] + jnp.arange(n)[None, :]
    return jnp.where(k < m, jnp.take(c, jnp.clip(k, 0, m - 1)), jnp.take(r, jnp.clip(k - m + 1, 0, n - 1)))


def circulant(c):
    c = jnp.ravel(jnp.asarray(c))
    n = c.shape[0]
    return jnp.take(c, (jnp.arange(n)[:, None] - jnp.arange(n)[None, :]) % n)


# --- special matrices (scipy.linalg's constructors). Those of a size alone
# are built on the host, exactly (JAX computes some through gammaln and exp,
# so its values are off in the last digits); those of an array are jnp
# operations, so they trace.

def _float_dtype():
    return jnp.zeros(()).dtype


def hilbert(n):
    """H[i, j] = 1 / (i + j + 1)."""
    i = _np.arange(n)
    return jnp.asarray(1.0 / (i[:, None] + i[None, :] + 1), _float_dtype())


def invhilbert(n):
    """The exact inverse of the n x n Hilbert matrix."""
    from math import comb
    out = _np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            s = i + j + 1
            out[i, j] = (-1) ** (i + j) * s * comb(n + i, n - j - 1) * comb(n + j, n - i - 1) * comb(s - 1, i) ** 2
    return jnp.asarray(out, _float_dtype())


def _pascal_lower(n):
    from math import comb
    return _np.array([[comb(i, j) for j in range(n)] for i in range(n)], dtype=float)


def pascal(n, kind=None):
    """The Pascal matrix: 'symmetric' (default) C(i + j, i), 'lower' C(i, j), 'upper'."""
    kind = kind or "symmetric"
    if kind not in ("symmetric", "lower", "upper"):
        raise ValueError(f"Expected kind to be one of 'symmetric', 'lower', or 'upper'; got {kind}")
    low = _pascal_lower(n)
    m = low @ low.T if kind == "symmetric" else low if kind == "lower" else low.T
    return jnp.asarray(m, _float_dtype())


def invpascal(n, kind=None):
    """The inverse of `pascal(n, kind)`."""
    kind = kind or "symmetric"
    if kind not in ("symmetric", "lower", "upper"):
        raise ValueError(f"Expected kind to be one of 'symmetric', 'lower', or 'upper'; got {kind}")
    low = _pascal_lower(n) * (-1.0) ** _np.add.outer(_np.arange(n), _np.arange(n))
    m = low.T @ low if kind == "symmetric" else low if kind == "lower" else low.T
    return jnp.asarray(m, _float_dtype())


def hadamard(n, dtype=int):
    """Sylvester's Hadamard matrix of order n (a power of 2)."""
    if n < 1 or n & (n - 1):
        raise ValueError("n must be an positive a power of 2 integer")
    h = _np.ones((1, 1))
    while h.shape[0] < n:
        h = _np.block([[h, h], [h, -h]])
    return jnp.asarray(h, dtype)


def helmert(n, full=False):
    """The Helmert matrix (orthonormal rows; the first, constant, row only when full)."""
    h = _np.tril(_np.ones((n, n)), -1) - _np.diag(_np.arange(n))
    d = _np.arange(n) * _np.arange(1, n + 1)
    h[0] = 1
    d[0] = n
    h = h / _np.sqrt(d)[:, None]
    return jnp.asarray(h if full else h[1:], _float_dtype())


def dft(n, scale=None, *, dtype=None):
    """The discrete Fourier transform matrix, scaled by None, 'sqrtn' or 'n'."""
    if scale not in (None, "sqrtn", "n"):
        raise ValueError(f"scale must be None, 'sqrtn', or 'n'; {scale!r} is not valid.")
    k = _np.arange(n)
    m = _np.exp(-2j * _np.pi * _np.outer(k, k) / n)
    if scale == "sqrtn":
        m = m / _np.sqrt(n)
    elif scale == "n":
        m = m / n
    return jnp.asarray(m, dtype or jnp.zeros((), complex).dtype)


def companion(a):
    """The companion matrix of the polynomial with coefficients a (highest first)."""
    a = jnp.atleast_1d(jnp.asarray(a))
    if a.ndim != 1:
        raise ValueError("Incorrect shape for `a`.  `a` must be one-dimensional.")
    if a.size < 2:
        raise ValueError("The length of `a` must be at least 2.")
    first = -a[1:] / a[0]
    n = a.size - 1
    return jnp.concatenate([first[None, :], jnp.eye(n - 1, n, dtype=first.dtype)], axis=0)


def leslie(f, s):
    """The Leslie matrix: fecundities f on the first row, survivals s below the diagonal."""
    f, s = jnp.atleast_1d(jnp.asarray(f)), jnp.atleast_1d(jnp.asarray(s))
    if f.ndim != 1 or s.ndim != 1 or f.size != s.size + 1:
        raise ValueError("Incorrect lengths for f and s.  The length of s must be one less than the length of f.")
    n = f.size
    below = jnp.concatenate([jnp.diag(s), jnp.zeros((n - 1, 1), s.dtype)], axis=1)
    return jnp.concatenate([f[None, :], below], axis=0).astype(jnp.result_type(f, s))


def fiedler(a):
    """F[i, j] = |a[i] - a[j]|."""
    a = jnp.atleast_1d(jnp.asarray(a))
    return jnp.abs(a[:, None] - a[None, :])


def fiedler_companion(a):
    """Fiedler's pentadiagonal companion matrix of a (a[0] != 0)."""
    a = jnp.atleast_1d(jnp.asarray(a))
    if a.ndim != 1:
        raise ValueError("Input 'a' must be a 1-D array.")
    if a.size <= 2:
        return jnp.asarray([[-a[1] / a[0]]]) if a.size == 2 else jnp.zeros((0, 0), a.dtype)
    a = a / a[0]
    n = a.size - 1
    c = jnp.zeros((n, n), a.dtype)
    c = c.at[_np.arange(3, n, 2), _np.arange(1, n - 2, 2)].set(1.0)
    c = c.at[_np.arange(2, n, 2), _np.arange(1, n - 1, 2)].set(-a[3::2])
    c = c.at[_np.arange(0, n - 2, 2), _np.arange(2, n, 2)].set(1.0)
    c = c.at[_np.arange(0, n - 1, 2), _np.arange(1, n, 2)].set(-a[2::2])
    c = c.at[0, 0].set(-a[1])
    c = c.at[1, 0].set(1.0)
    return c


def convolution_matrix(a, n, mode="full"):
    """The matrix whose product with a length-n vector is np.convolve(a, v, mode)."""
    a = jnp.atleast_1d(jnp.asarray(a))
    if a.ndim != 1:
        raise ValueError("convolution_matrix expects a one-dimensional array as input")
    if n <= 0:
        raise ValueError("n must be a positive integer")
    if mode not in ("full", "valid", "same"):
        raise ValueError(f"mode must be 'full', 'valid' or 'same', got {mode!r}")
    m = a.size
    full = m + n - 1
    rows = _np.arange(full)[:, None] - _np.arange(n)[None, :]  # index into a
    inside = (rows >= 0) & (rows < m)
    mat = jnp.where(jnp.asarray(inside), a[jnp.asarray(_np.clip(rows, 0, m - 1))], 0)
    if mode == "same":
        start = (full - max(m, n)) // 2
        return mat[start:start + max(m, n)]
    if mode == "valid":
        start = min(m, n) - 1
        return mat[start:full - start]
    return mat
