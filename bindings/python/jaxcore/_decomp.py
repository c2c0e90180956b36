"""`jnp.linalg.qr`, `eigh`, `svd` and what builds on them (`eigvalsh`,
`pinv`, `lstsq`, `matrix_rank`):

- QR by Householder reflections of the engine's ops with LAPACK's
  conventions (R's diagonal is -sign(a_jj)·‖x‖; a column already zero below
  the diagonal is left alone), so Q and R match geqrf/orgqr, which JAX
  calls on CPU.
- eigh and svd as JAX on CPU: LAPACK's syevd/heevd and gesdd on the host
  through a pure callback, when scipy is installed (jaxlib calls scipy's
  LAPACK, so eigen- and singular vectors come with JAX's signs; under jit
  the program then runs on the engine's interpreter). Without scipy, or for
  other float dtypes, cyclic Jacobi rotations (eigh) and one-sided Hestenes
  Jacobi (svd) of the engine's ops: the same values to rounding, vectors up
  to sign.

Batched inputs (..., m, n) are mapped with vmap; eigh and svd carry JAX's
derivative rules, QR differentiates through its reflections."""

import collections

import numpy as _np

from ._core import asarray


def _float(a, complex_ok=False):
    """a as an array of floats (float32 from other types; complex kept when
    the decomposition takes it)."""
    from . import numpy as jnp
    a = jnp.asarray(a)
    kinds = ("float", "bfloat", "complex") if complex_ok else ("float", "bfloat")
    return a if str(a.dtype).startswith(kinds) else a.astype("float32")


def _H(x):
    from . import numpy as jnp
    return jnp.conj(jnp.swapaxes(x, -1, -2))


_LAPACK_PREFIX = {"float32": "s", "float64": "d", "complex64": "c", "complex128": "z"}


def _host_lapack(dtype):
    """scipy's LAPACK (the routines jaxlib calls) when it is there and the
    dtype is one LAPACK has; None otherwise."""
    if str(dtype) not in _LAPACK_PREFIX:
        return None
    try:
        from scipy.linalg import lapack
    except ImportError:
        return None
    return lapack


def _lapack_routine(name, dtype):
    d = str(dtype)
    if d.startswith("complex"):
        name = {"syevd": "heevd"}.get(name, name)
    return getattr(_host_lapack(dtype), _LAPACK_PREFIX[d] + name)


def _real_dtype(dtype):
    return {"complex64": "float32", "complex128": "float64"}.get(str(dtype), str(dtype))


def _syevd(x):
    """(w, v) of each matrix of a concrete stack; NaNs where syevd fails (JAX's)."""
    from ._eig import _over_stack
    x = _np.asarray(x)
    n = x.shape[-1]
    rdt = _np.dtype(_real_dtype(x.dtype))
    fn = _lapack_routine("syevd", x.dtype)

    def one(m):
        if n == 0:
            return _np.zeros(0, rdt), _np.zeros((0, 0), x.dtype)
        w, v, info = fn(m, compute_v=1, lower=1)
        if info != 0:
            return _np.full(n, _np.nan, rdt), _np.full((n, n), _np.nan, x.dtype)
        return w, v
    return _over_stack(one, x, [((n,), rdt), ((n, n), x.dtype)])


def _host_eigh(a):
    from . import pure_callback, ShapeDtypeStruct
    shapes = (ShapeDtypeStruct(a.shape[:-1], _real_dtype(a.dtype)), ShapeDtypeStruct(a.shape, a.dtype))
    return tuple(pure_callback(_syevd, shapes, a, vmap_method="expand_dims"))


def _svd_shapes(m, n, full_matrices):
    k = min(m, n)
    return (m, m if full_matrices else k), (n if full_matrices else k, n)


def _gesdd(x, full_matrices, compute_uv):
    """(u, s, vt) (or (s,)) of each matrix of a concrete stack (gesdd; JAX's
    identity factors for an empty matrix, NaNs where gesdd fails)."""
    from ._eig import _over_stack
    x = _np.asarray(x)
    m, n = x.shape[-2:]
    k = min(m, n)
    rdt = _np.dtype(_real_dtype(x.dtype))
    ushape, vshape = _svd_shapes(m, n, full_matrices)
    fn = _lapack_routine("gesdd", x.dtype)

    def one(a):
        if k == 0:
            u, s, vt = _np.eye(*ushape, dtype=x.dtype), _np.zeros(0, rdt), _np.eye(*vshape, dtype=x.dtype)
        else:
            u, s, vt, info = fn(a, compute_uv=int(compute_uv), full_matrices=int(full_matrices))
            if info != 0:
                u, s, vt = _np.full(ushape, _np.nan, x.dtype), _np.full(k, _np.nan, rdt), _np.full(vshape, _np.nan, x.dtype)
        return (u, s, vt) if compute_uv else (s,)
    outs = [(ushape, x.dtype), ((k,), rdt), (vshape, x.dtype)] if compute_uv else [((k,), rdt)]
    return _over_stack(one, x, outs)


def _host_svd(a, full_matrices, compute_uv):
    from . import pure_callback, ShapeDtypeStruct
    m, n = a.shape[-2:]
    batch = tuple(a.shape[:-2])
    ushape, vshape = _svd_shapes(m, n, full_matrices)
    s = ShapeDtypeStruct(batch + (min(m, n),), _real_dtype(a.dtype))
    shapes = (ShapeDtypeStruct(batch + ushape, a.dtype), s, ShapeDtypeStruct(batch + vshape, a.dtype)) if compute_uv else (s,)
    out = tuple(pure_callback(lambda x: _gesdd(x, full_matrices, compute_uv), shapes, a, vmap_method="expand_dims"))
    return out if compute_uv else out[0]


def _batched(f, a, core_ndim=2):
    """Applies f to each matrix of a (..., m, n) stack (vmapped over the batch dims)."""
    from ._api import vmap
    g = f
    for _ in range(a.ndim - core_ndim):
        g = vmap(g)
    return g(a)


def _householder_qr(a, complete):
    from . import numpy as jnp
    m, n = a.shape
    k = min(m, n)
    r = a
    q = jnp.eye(m, dtype=a.dtype)
    rows = jnp.arange(m)
    for j in range(k):
        x = jnp.where(rows >= j, r[:, j], 0.0)
        alpha = x[j]
        below = jnp.sum(jnp.where(rows > j, x * x, 0.0))
        norm = jnp.sqrt(alpha * alpha + below)
        sign = jnp.where(alpha >= 0, 1.0, -1.0)
        v = x + jnp.where(rows == j, sign * norm, 0.0)
        vv = jnp.sum(v * v)
        # LAPACK leaves a column that is already zero below the diagonal as it is
        tau = jnp.where(below > 0, 2.0 / jnp.where(vv > 0, vv, 1.0), 0.0)
        r = r - tau * jnp.outer(v, v @ r)
        q = q - tau * jnp.outer(q @ v, v)
    # exact zeros below the diagonal
    r = jnp.where(rows[:, None] > jnp.arange(n)[None, :], 0.0, r)
    if complete:
        return q, r
    return q[:, :k], r[:k, :]


def qr(a, mode="reduced"):
    """`jnp.linalg.qr`: modes 'reduced', 'complete', 'r'."""
    from . import numpy as jnp
    if mode not in ("reduced", "complete", "r"):
        raise ValueError(f"Unsupported QR decomposition mode '{mode}'")
    a = _float(a)
    if a.ndim < 2:
        raise ValueError(f"Argument to QR decomposition must have ndims >= 2, got shape {tuple(a.shape)}")
    complete = mode == "complete"
    q, r = _batched(lambda x: _householder_qr(x, complete), a)
    if mode == "r":
        return r
    return _QRResult((q, r))


_QR = collections.namedtuple("QRResult", ["Q", "R"])
_QRResult = lambda t: _QR(*t)


def _pairs(n):
    p = [(i, j) for i in range(n - 1) for j in range(i + 1, n)]
    return _np.asarray(p if p else [(0, 0)], dtype=_np.int32)


def _eps(dtype):
    return float(_np.finfo("float64" if str(dtype) == "float64" else "float32").eps)


def _rotation(app, aqq, apq):
    """(c, s) zeroing the (p, q) entry of a symmetric 2x2 block."""
    from . import numpy as jnp
    nz = apq != 0
    tau = (aqq - app) / (2.0 * jnp.where(nz, apq, 1.0))
    t = jnp.where(tau >= 0, 1.0, -1.0) / (jnp.abs(tau) + jnp.sqrt(1.0 + tau * tau))
    t = jnp.where(nz, t, 0.0)
    c = 1.0 / jnp.sqrt(1.0 + t * t)
    return c, t * c


def _set_cols(x, p, q, cp, cq):
    return x.at[:, p].set(cp).at[:, q].set(cq)


def _jacobi_eigh(a):
    from . import lax, numpy as jnp
    n = a.shape[0]
    if n == 1:
        return a[0], jnp.ones((1, 1), a.dtype)
    pairs = jnp.asarray(_pairs(n))
    tol = _eps(a.dtype) * 0.5

    def rotate(state, pq):
        A, V = state
        p, q = pq[0], pq[1]
        c, s = _rotation(A[p, p], A[q, q], A[p, q])
        ap, aq = A[:, p], A[:, q]
        A = _set_cols(A, p, q, c * ap - s * aq, s * ap + c * aq)
        rp, rq = A[p, :], A[q, :]
        A = A.at[p, :].set(c * rp - s * rq).at[q, :].set(s * rp + c * rq)
        vp, vq = V[:, p], V[:, q]
        V = _set_cols(V, p, q, c * vp - s * vq, s * vp + c * vq)
        return (A, V), None

    def off(A):
        return jnp.sum(jnp.square(A - jnp.diag(jnp.diagonal(A))))

    def cond(state):
        A, V, sweep = state
        return jnp.logical_and(sweep < 30, off(A) > (tol * tol) * jnp.sum(jnp.square(A)))

    def sweep_body(state):
        A, V, sweep = state
        (A, V), _ = lax.scan(rotate, (A, V), pairs)
        return A, V, sweep + 1

    A, V, _ = lax.while_loop(cond, sweep_body, (a, jnp.eye(n, dtype=a.dtype), jnp.asarray(0)))
    w = jnp.diagonal(A)
    order = jnp.argsort(w)
    return w[order], V[:, order]


_EIGH = None


def _eigh_primal(a):
    if _host_lapack(a.dtype) is not None:
        return _host_eigh(a)
    if str(a.dtype).startswith("complex"):
        raise NotImplementedError("eigh of a complex matrix needs scipy (LAPACK's heevd) installed")
    return _batched(_jacobi_eigh, a)


def _eigh_core():
    """eigh with JAX's derivative rule (dw = diag(v^H da v), dv = v (F * v^H da v))."""
    global _EIGH
    if _EIGH is not None:
        return _EIGH
    from ._api import custom_jvp
    from . import numpy as jnp

    @custom_jvp
    def core(a):
        return _eigh_primal(a)

    def core_jvp(primals, tangents):
        a, = primals
        da, = tangents
        w, v = core(a)
        n = a.shape[-1]
        eye = jnp.eye(n, dtype=w.dtype)
        vdv = _H(v) @ da @ v
        fmat = 1.0 / (eye + w[..., None, :] - w[..., :, None]) - eye
        return (w, v), (jnp.real(jnp.diagonal(vdv, axis1=-2, axis2=-1)), v @ (fmat.astype(v.dtype) * vdv))

    core.defjvp(core_jvp)
    _EIGH = core
    return core


def eigh(a, UPLO=None, symmetrize_input=True):
    """`jnp.linalg.eigh`: ascending eigenvalues and orthonormal eigenvectors
    (columns) of a symmetric (Hermitian) matrix."""
    from . import numpy as jnp
    a = _float(a, complex_ok=True)
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ValueError(f"Argument to symmetric eigendecomposition must have shape [..., n, n], got shape {tuple(a.shape)}")
    if symmetrize_input:
        a = (a + _H(a)) / 2
    elif UPLO == "U":
        a = jnp.triu(a) + _H(jnp.triu(a, 1))
    else:
        a = jnp.tril(a) + _H(jnp.tril(a, -1))
    w, v = _eigh_core()(a)
    return _EighResult((w, v))


_Eigh = collections.namedtuple("EighResult", ["eigenvalues", "eigenvectors"])
_EighResult = lambda t: _Eigh(*t)


def eigvalsh(a, UPLO="L"):
    return eigh(a, UPLO)[0]


def _jacobi_svd(a):
    """One-sided Jacobi on the columns of a (m >= n): a V = U diag(s)."""
    from . import lax, numpy as jnp
    m, n = a.shape
    pairs = jnp.asarray(_pairs(n))
    tol = _eps(a.dtype)

    def rotate(state, pq):
        A, V = state
        p, q = pq[0], pq[1]
        ap, aq = A[:, p], A[:, q]
        alpha, beta, gamma = jnp.sum(ap * ap), jnp.sum(aq * aq), jnp.sum(ap * aq)
        c, s = _rotation(alpha, beta, gamma)
        A = _set_cols(A, p, q, c * ap - s * aq, s * ap + c * aq)
        vp, vq = V[:, p], V[:, q]
        V = _set_cols(V, p, q, c * vp - s * vq, s * vp + c * vq)
        return (A, V), None

    def not_orthogonal(A):
        g = A.T @ A
        d = jnp.sqrt(jnp.diagonal(g))
        scale = jnp.outer(d, d)
        off = jnp.where(jnp.eye(n, dtype="bool"), 0.0, jnp.abs(g) / jnp.where(scale > 0, scale, 1.0))
        return jnp.max(off) > tol

    def cond(state):
        A, V, sweep = state
        return jnp.logical_and(sweep < 30, not_orthogonal(A)) if n > 1 else False

    def sweep_body(state):
        A, V, sweep = state
        (A, V), _ = lax.scan(rotate, (A, V), pairs)
        return A, V, sweep + 1

    if n > 1:
        A, V, _ = lax.while_loop(cond, sweep_body, (a, jnp.eye(n, dtype=a.dtype), jnp.asarray(0)))
    else:
        A, V = a, jnp.eye(1, dtype=a.dtype)
    s = jnp.sqrt(jnp.sum(A * A, axis=0))
    order = jnp.argsort(-s)
    s, A, V = s[order], A[:, order], V[:, order]
    U = A / jnp.where(s > 0, s, 1.0)
    return U, s, V


def _svd_one(a, full_matrices, compute_uv):
    from . import numpy as jnp
    m, n = a.shape
    if m < n:
        out = _svd_one(a.T, full_matrices, compute_uv)
        if not compute_uv:
            return out
        u, s, vh = out
        return vh.T, s, u.T
    U, s, V = _jacobi_svd(a)
    if not compute_uv:
        return s
    if full_matrices and m > n:
        # complete U's columns to a basis of R^m: Q of [U | I] keeps U (up to sign)
        q, r = _householder_qr(jnp.concatenate([U, jnp.eye(m, dtype=a.dtype)], axis=1), True)
        signs = jnp.where(jnp.diagonal(r)[:n] < 0, -1.0, 1.0)
        U = q * jnp.concatenate([signs, jnp.ones(m - n, a.dtype)])
    return U, s, V.T


_SVD_CORE = {}


def _svd_primal(a, full_matrices, compute_uv):
    if _host_lapack(a.dtype) is not None:
        return _host_svd(a, full_matrices, compute_uv)
    if str(a.dtype).startswith("complex"):
        raise NotImplementedError("svd of a complex matrix needs scipy (LAPACK's gesdd) installed")
    return _batched(lambda x: _svd_one(x, full_matrices, compute_uv), a)


def _svd_core(compute_uv):
    """The thin SVD with JAX's derivative rule."""
    if compute_uv in _SVD_CORE:
        return _SVD_CORE[compute_uv]
    from ._api import custom_jvp
    from . import numpy as jnp

    @custom_jvp
    def core(a):
        return _svd_primal(a, False, compute_uv)

    def core_jvp(primals, tangents):
        a, = primals
        da, = tangents
        U, s, Vt = _svd_primal(a, False, True)
        V = _H(Vt)
        dS = _H(U) @ da @ V
        ds = jnp.real(jnp.diagonal(dS, axis1=-2, axis2=-1))
        if not compute_uv:
            return core(a), ds
        sd = s[..., None, :]
        sdT = jnp.swapaxes(sd, -1, -2)
        diffs = (sd + sdT) * (sd - sdT)
        zeros = (diffs == 0).astype(s.dtype)
        F = (1.0 / (diffs + zeros) - zeros).astype(a.dtype)
        sd, sdT = sd.astype(a.dtype), sdT.astype(a.dtype)
        dSS, SdS = sd * dS, sdT * dS
        s_zeros = (s == 0).astype(s.dtype)
        s_inv = 1.0 / (s + s_zeros) - s_zeros
        dUdV_diag = 0.5 * (dS - _H(dS)) * (s_inv[..., None, :] * jnp.eye(s.shape[-1], dtype=s.dtype)).astype(a.dtype)
        dU = U @ (F * (dSS + _H(dSS)) + dUdV_diag)
        dV = V @ (F * (SdS + _H(SdS)))
        m, n = a.shape[-2:]
        if m > n:
            dAV = da @ V
            dU = dU + (dAV - U @ (_H(U) @ dAV)) / sd
        if n > m:
            dAHU = _H(da) @ U
            dV = dV + (dAHU - V @ (Vt @ dAHU)) / sd
        return (U, s, Vt), (dU, ds, _H(dV))

    core.defjvp(core_jvp)
    _SVD_CORE[compute_uv] = core
    return core


def svd(a, full_matrices=True, compute_uv=True, hermitian=False, subset_by_index=None):
    """`jnp.linalg.svd`: u, s (descending), vh with a = u @ diag(s) @ vh."""
    from . import numpy as jnp
    a = _float(a, complex_ok=True)
    if a.ndim < 2:
        raise ValueError(f"Argument to singular value decomposition must have ndims >= 2, got shape {tuple(a.shape)}")
    if subset_by_index is not None:
        raise NotImplementedError("svd(subset_by_index=...) is not supported")
    if hermitian:
        # JAX's: |w| in descending order, u the matching eigenvectors, vh = (sign(w) u)^H
        w, v = eigh(a)
        sgn = jnp.sign(w)
        s = jnp.abs(w)
        order = jnp.flip(jnp.argsort(s, axis=-1), axis=-1)
        s = jnp.take_along_axis(s, order, axis=-1)
        if not compute_uv:
            return s
        sgn = jnp.take_along_axis(sgn, order, axis=-1)
        u = jnp.take_along_axis(v, order[..., None, :], axis=-1)
        vh = _H(u * sgn[..., None, :].astype(u.dtype))
        return _SVDResult((u, s, vh))
    # thin and value-only forms carry JAX's derivative rule; like JAX, the
    # full-matrices form has none (its extra columns are not unique)
    if full_matrices and compute_uv and a.shape[-2] != a.shape[-1]:
        out = _svd_primal(a, True, True)
    else:
        out = _svd_core(compute_uv)(a)
    return _SVDResult(out) if compute_uv else out


_SVD = collections.namedtuple("SVDResult", ["U", "S", "Vh"])
_SVDResult = lambda t: _SVD(*t)


def _default_rtol(a):
    return _eps(a.dtype) * max(a.shape[-2], a.shape[-1])


def pinv(a, rtol=None, hermitian=False, *, rcond=None):
    """`jnp.linalg.pinv` through the SVD (singular values below
    rtol * max(s) dropped)."""
    from . import numpy as jnp
    a = _float(a)
    rtol = rcond if rcond is not None else rtol
    u, s, vh = svd(a, full_matrices=False)
    cutoff = (_default_rtol(a) if rtol is None else rtol) * jnp.max(s, axis=-1, keepdims=True)
    sinv = jnp.where(s > cutoff, 1.0 / jnp.where(s > cutoff, s, 1.0), 0.0)
    return jnp.swapaxes(vh, -1, -2) @ (sinv[..., :, None] * jnp.swapaxes(u, -1, -2))


def matrix_rank(M, rtol=None, *, tol=None):
    from . import numpy as jnp
    M = _float(M)
    s = svd(M, compute_uv=False)
    if tol is not None:
        cutoff = tol
    else:
        cutoff = (_default_rtol(M) if rtol is None else rtol) * jnp.max(s, axis=-1, keepdims=True)
    return jnp.sum(s > cutoff, axis=-1)


def lstsq(a, b, rcond=None, *, numpy_resid=False):
    """`jnp.linalg.lstsq`: (x, residuals, rank, s) through the SVD."""
    from . import numpy as jnp
    a, b = _float(a), _float(b)
    b1 = b.ndim == 1
    if b1:
        b = b[:, None]
    m, n = a.shape
    u, s, vh = svd(a, full_matrices=False)
    rc = _eps(a.dtype) * max(m, n) if rcond is None else rcond
    mask = s >= (rc * s[0] if s.shape[0] else 0)
    rank = jnp.sum(mask)
    sinv = jnp.where(mask, 1.0 / jnp.where(mask, s, 1.0), 0.0)
    x = vh.T @ (sinv[:, None] * (u.T @ b))
    r = b - a @ x
    resid = jnp.sum(r * r, axis=0)
    if numpy_resid and not (int(rank) == n and m > n):
        resid = jnp.zeros((0,), resid.dtype)  # numpy's convention (not traceable)
    if b1:
        x, resid = x[:, 0], resid
    return x, resid, rank, s
