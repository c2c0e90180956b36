"""Non-symmetric eigenproblems: `jnp.linalg.eig/eigvals`, `lax.linalg.eig`,
`jnp.roots`, and scipy's `schur`, `hessenberg`, `sqrtm`.

As JAX on CPU, the decomposition is LAPACK's `geev` run on the host: a pure
callback (so it works eagerly, under jit, which then runs on the engine's
interpreter, and under vmap). The LAPACK is scipy's when scipy is installed
(jaxlib calls the same routines, so the results are JAX's); otherwise
numpy's `eig`, which runs geev in double precision. Derivatives are JAX's
rules: eigenvalues always, eigenvectors with `enable_eigvec_derivs=True`
(perturbation theory under geev's normalisation). `schur`, `hessenberg`
and `sqrtm` use scipy's LAPACK (gees, gehrd: what JAX calls) and have no
derivative (nor does JAX give one)."""

import collections

import numpy as _np

from ._core import asarray

EigResult = collections.namedtuple("EigResult", ["eigenvalues", "eigenvectors"])

_EIGVEC_DERIVS = ("Derivatives of non-symmetric eigenvectors are only valid under assumptions on the input that "
                  "JAX cannot check (see the enable_eigvec_derivs argument to jax.lax.linalg.eig). Pass "
                  "enable_eigvec_derivs=True to jax.lax.linalg.eig to opt in. See "
                  "https://github.com/jax-ml/jax/issues/2748 for discussion.")


def _complex_dtype(dtype):
    return "complex128" if str(dtype) in ("float64", "complex128") else "complex64"


def _unpack_real_pairs(v, wi, cdt):
    """geev's real eigenvector storage: a complex pair (w_j, conj w_j) is kept
    as columns (Re v_j, Im v_j)."""
    out = v.astype(cdt)
    j, n = 0, v.shape[-1]
    while j < n:
        if wi[j] != 0 and j + 1 < n:
            out[:, j] = v[:, j] + 1j * v[:, j + 1]
            out[:, j + 1] = _np.conj(out[:, j])
            j += 2
        else:
            j += 1
    return out


def _geev_one(m, left, cdt):
    """(w, vl, vr) of one concrete matrix; NaNs where geev fails (as JAX)."""
    n = m.shape[-1]
    if n == 0:
        return _np.zeros(0, cdt), _np.zeros((0, 0), cdt), _np.zeros((0, 0), cdt)
    try:
        from scipy.linalg import lapack
    except ImportError:
        lapack = None
    if lapack is not None:
        prefix = {_np.dtype("float32"): "s", _np.dtype("float64"): "d", _np.dtype("complex64"): "c",
                  _np.dtype("complex128"): "z"}[m.dtype]
        geev = getattr(lapack, prefix + "geev")
        if prefix in "sd":
            wr, wi, vl, vr, info = geev(m, compute_vl=int(left), compute_vr=1)
            w = (wr + 1j * wi).astype(cdt)
            vl, vr = _unpack_real_pairs(vl, wi, cdt), _unpack_real_pairs(vr, wi, cdt)
        else:
            w, vl, vr, info = geev(m, compute_vl=int(left), compute_vr=1)
        if info != 0:
            return (_np.full(n, _np.nan, cdt), _np.full((n, n), _np.nan, cdt), _np.full((n, n), _np.nan, cdt))
        vl = vl if left else _np.zeros((n, n), cdt)  # (geev gives a 1x1 placeholder)
        return w.astype(cdt), vl.astype(cdt), vr.astype(cdt)
    w, vr = _np.linalg.eig(m)
    vr = vr.astype(cdt)
    vl = _np.zeros_like(vr)
    if left:
        # rows of inv(vr) are the left eigenvectors (conjugated), normalised as geev does
        vl = _np.linalg.inv(vr).conj().T
        vl /= _np.linalg.norm(vl, axis=0, keepdims=True)
        big = vl[_np.argmax(_np.abs(vl), axis=0), _np.arange(n)]
        vl *= (_np.abs(big) / _np.where(big == 0, 1, big))[None, :]
    return w.astype(cdt), vl.astype(cdt), vr


def _over_stack(fn, x, outs):
    """`fn` (one concrete matrix -> tuple of arrays) over a (..., m, n)
    stack; `outs` gives each result's (per-matrix shape, dtype)."""
    x = _np.asarray(x)
    batch = x.shape[:-2]
    res = [fn(m) for m in x.reshape((int(_np.prod(batch)),) + x.shape[-2:])]
    return tuple(_np.stack([r[i] for r in res]).reshape(batch + shape).astype(d) if res else _np.zeros(batch + shape, d)
                 for i, (shape, d) in enumerate(outs))


def _geev(a, left):
    a = _np.asarray(a)
    cdt = _np.dtype(_complex_dtype(a.dtype))
    n = a.shape[-1]
    return _over_stack(lambda m: _geev_one(m, left, cdt), a, [((n,), cdt), ((n, n), cdt), ((n, n), cdt)])


def _host_eig(a, left):
    """[w, vl, vr] from the host's geev through a pure callback."""
    from . import pure_callback, ShapeDtypeStruct
    cdt = _complex_dtype(a.dtype)
    shapes = (ShapeDtypeStruct(a.shape[:-1], cdt), ShapeDtypeStruct(a.shape, cdt), ShapeDtypeStruct(a.shape, cdt))
    return list(pure_callback(lambda x: _geev(x, left), shapes, a, vmap_method="expand_dims"))


def _solve_times(vr, da):
    from . import numpy as jnp
    return jnp.linalg.solve(vr, da) @ vr


def _eig_vec_jvp(w, v, da):
    """JAX's nondegenerate perturbation rule, the free scale of each dv_j fixed
    by geev's normalisation (unit 2-norm, real largest component)."""
    from . import lax, numpy as jnp
    n = w.shape[-1]
    eye = jnp.eye(n, dtype=w.dtype)
    fmat = 1.0 / (eye + w[..., None, :] - w[..., :, None]) - eye
    p = _solve_times(v, da)
    dw = jnp.diagonal(p, axis1=-2, axis2=-1)
    u = v @ (fmat * p)
    k = jnp.argmax(jnp.abs(v), axis=-2)
    mask = (jnp.arange(n)[:, None] == k[..., None, :]).astype(v.dtype)
    c = lax.complex(-jnp.real(jnp.sum(jnp.conj(v) * u, axis=-2)),
                    -jnp.imag(jnp.sum(mask * u, axis=-2)) / jnp.real(jnp.sum(mask * v, axis=-2)))
    return dw, u + v * c[..., None, :]


_RULES = {}


def _eig_fn(left, right, derivs):
    """The differentiable eig for one choice of outputs (built once)."""
    key = (left, right, derivs)
    if key in _RULES:
        return _RULES[key]
    from ._api import custom_jvp
    from . import numpy as jnp

    def outputs(a):
        w, vl, vr = _host_eig(a, left)
        return [w] + ([vl] if left else []) + ([vr] if right else [])

    @custom_jvp
    def f(a):
        return outputs(a)

    def f_jvp(primals, tangents):
        a, = primals
        da, = tangents
        if (left or right) and not derivs:
            raise NotImplementedError(_EIGVEC_DERIVS)
        w, vl, vr = _host_eig(a, left)
        da = da.astype(vr.dtype)
        if not (left or right):
            return [w], [jnp.diagonal(_solve_times(vr, da), axis1=-2, axis2=-1)]
        dw, dvr = _eig_vec_jvp(w, vr, da)
        primal, tangent = [w], [dw]
        if left:
            _, dvl = _eig_vec_jvp(jnp.conj(w), vl, jnp.conj(jnp.swapaxes(da, -1, -2)))
            primal.append(vl)
            tangent.append(dvl)
        if right:
            primal.append(vr)
            tangent.append(dvr)
        return primal, tangent

    f.defjvp(f_jvp)
    _RULES[key] = f
    return f


def _inexact(a):
    from . import numpy as jnp
    a = jnp.asarray(a)
    d = str(a.dtype)
    if not d.startswith(("float", "complex")) or d == "float16":
        a = a.astype(jnp.zeros((), float).dtype)
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ValueError(f"Argument to nonsymmetric eigendecomposition must have shape [..., n, n], got shape {a.shape}")
    return a


def lax_eig(x, *, compute_left_eigenvectors=True, compute_right_eigenvectors=True, enable_eigvec_derivs=False,
            implementation=None, use_magma=None):
    """`lax.linalg.eig`: [w] + [vl] + [vr] as asked."""
    a = _inexact(x)
    return _eig_fn(bool(compute_left_eigenvectors), bool(compute_right_eigenvectors), bool(enable_eigvec_derivs))(a)


def eig(a):
    """`jnp.linalg.eig`: eigenvalues and right eigenvectors (columns) of a
    general square matrix, complex, in LAPACK's order and normalisation."""
    w, v = lax_eig(a, compute_left_eigenvectors=False)
    return EigResult(w, v)


def eigvals(a):
    """`jnp.linalg.eigvals`."""
    return lax_eig(a, compute_left_eigenvectors=False, compute_right_eigenvectors=False)[0]


def roots(p, *, strip_zeros=True):
    """`jnp.roots`: the eigenvalues of the companion matrix (JAX's
    construction: leading zeros stripped, trailing ones kept as zero roots)."""
    from . import numpy as jnp
    p = jnp.atleast_1d(jnp.asarray(p))
    if not str(p.dtype).startswith(("float", "complex")):
        p = p.astype(jnp.zeros((), float).dtype)
    if p.ndim != 1:
        raise ValueError("Input must be a rank-1 array.")
    cdt = _complex_dtype(p.dtype)
    if p.size < 2:
        return jnp.zeros((0,), cdt)
    zero = p == 0
    leading = jnp.where(jnp.all(zero), p.size, jnp.argmin(zero))
    if strip_zeros:
        try:
            lead = int(leading)
        except Exception:
            from .errors import ConcretizationTypeError
            raise ConcretizationTypeError(
                "The error occurred while tracing the function roots. Use strip_zeros=False for the roots of "
                "polynomials whose leading coefficients may be zero under jit/vmap/grad.")
        return _roots_no_zeros(p[lead:])
    q = jnp.where(leading == p.size, jnp.ones_like(p), p)
    r = _roots_no_zeros(jnp.roll(q, -leading))
    # zero roots to the end (stably), and those from the stripped zeros become NaN
    r = r[jnp.argsort(r == 0, stable=True)]
    nan = asarray(complex(_np.nan, _np.nan)).astype(r.dtype)
    return jnp.where(jnp.arange(r.size) < r.size - leading, r, nan)


def _roots_no_zeros(p):
    from . import numpy as jnp
    if p.size < 2:
        return jnp.zeros((0,), _complex_dtype(p.dtype))
    a = jnp.diag(jnp.ones((p.size - 2,), p.dtype), -1)
    a = a.at[0, :].set(-p[1:] / p[0])
    return eigvals(a)


def _scipy_linalg(name):
    try:
        import scipy.linalg
    except ImportError:
        raise NotImplementedError(f"jax.scipy.linalg.{name} runs LAPACK through scipy here; install scipy to use it")
    return scipy.linalg


def _host_square(name, a, fn, out_dtypes):
    """`fn` (concrete square matrix -> tuple of arrays) over a stack, as a pure callback."""
    from . import pure_callback, ShapeDtypeStruct
    from . import numpy as jnp
    a = jnp.asarray(a)
    if not str(a.dtype).startswith(("float", "complex")):
        a = a.astype(jnp.zeros((), float).dtype)
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ValueError(f"{name}: expected a square matrix (or a stack of them), got shape {a.shape}")
    _scipy_linalg(name)
    dts = [d(a.dtype) for d in out_dtypes]
    n = a.shape[-1]
    shapes = tuple(ShapeDtypeStruct(a.shape, d) for d in dts)
    return pure_callback(lambda x: _over_stack(fn, x, [((n, n), d) for d in dts]), shapes, a, vmap_method="expand_dims")


def _same(d):
    return str(d)


def schur(a, output="real"):
    """`jax.scipy.linalg.schur`: (T, Z) with a = Z T Z^H (LAPACK gees, no sorting)."""
    if output not in ("real", "complex"):
        raise ValueError(f"Expected 'output' to be either 'real' or 'complex', got {output=}.")
    sl = _scipy_linalg("schur")
    kind = _same if output == "real" else _complex_dtype
    return _host_square("schur", a, lambda m: sl.schur(m, output=output), [kind, kind])


def hessenberg(a, *, calc_q=False, overwrite_a=False, check_finite=True):
    """`jax.scipy.linalg.hessenberg`: H (and Q with a = Q H Q^H) from LAPACK gehrd."""
    sl = _scipy_linalg("hessenberg")
    if calc_q:
        return _host_square("hessenberg", a, lambda m: sl.hessenberg(m, calc_q=True), [_same, _same])
    return _host_square("hessenberg", a, lambda m: (sl.hessenberg(m),), [_same])[0]


def _sqrtm_triu(t):
    """The upper-triangular square root R of T (R @ R = T), column by column."""
    n = t.shape[0]
    r = _np.zeros_like(t)
    for j in range(n):
        r[j, j] = _np.sqrt(t[j, j])
        for i in range(j - 1, -1, -1):
            s = t[i, j] - r[i, i + 1:j] @ r[i + 1:j, j]
            r[i, j] = s / (r[i, i] + r[j, j])
    return r


def sqrtm(A, blocksize=1):
    """`jax.scipy.linalg.sqrtm`: JAX's method (complex Schur form, the
    triangular square root, back), complex-valued as JAX's."""
    if blocksize > 1:
        raise NotImplementedError("Blocked version is not implemented yet.")
    sl = _scipy_linalg("sqrtm")

    def host(m):
        t, z = sl.schur(m, output="complex")
        return (z @ _sqrtm_triu(t) @ z.conj().T,)
    return _host_square("sqrtm", A, host, [_complex_dtype])[0]
