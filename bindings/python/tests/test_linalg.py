"""jnp.linalg decompositions (Householder QR; eigh and SVD through the host's
LAPACK, or Jacobi rotations without scipy) and what builds on them, against
numpy's LAPACK results, JAX's printed values and central differences."""

import time  # noqa: F401

import numpy as np
import pytest

import jaxcore as jax
import jaxcore.numpy as jnp


@pytest.fixture(params=["lapack", "jacobi"])
def decomposition_path(request, monkeypatch):
    """Runs a test on the host-LAPACK path and again on the engine's Jacobi
    rotations (what eigh/svd use without scipy)."""
    if request.param == "lapack":
        pytest.importorskip("scipy")
    else:
        from jaxcore import _decomp
        monkeypatch.setattr(_decomp, "_host_lapack", lambda dtype: None)
    return request.param


def test_decompositions_against_numpy(decomposition_path):
    rng = np.random.default_rng(0)
    fails = []
    def chk(n, g, w, tol=1e-4):
        try: np.testing.assert_allclose(np.asarray(g), np.asarray(w), rtol=tol, atol=tol)
        except Exception as e: fails.append(n); print(n, str(e)[:400])
    for (m, n) in [(4, 4), (6, 3), (3, 5), (1, 1)]:
        a = rng.normal(size=(m, n)).astype(np.float32)
        q, r = jnp.linalg.qr(a); qn, rn = np.linalg.qr(a)
        chk(f"qr{m}x{n}.q", q, qn); chk(f"qr{m}x{n}.r", r, rn)
        qc, rc = jnp.linalg.qr(a, mode="complete"); qcn, rcn = np.linalg.qr(a, mode="complete")
        chk(f"qrc{m}x{n}", qc @ rc, a); chk(f"qrc_orth{m}x{n}", qc.T @ qc, np.eye(m))
        u, s, vh = jnp.linalg.svd(a); un, sn, vhn = np.linalg.svd(a)
        chk(f"svd{m}x{n}.s", s, sn); chk(f"svd{m}x{n}.rec", (u[:, :len(sn)] * s) @ vh[:len(sn)], a)
        chk(f"svd{m}x{n}.uorth", u.T @ u, np.eye(m)); chk(f"svd{m}x{n}.vorth", vh @ vh.T, np.eye(n))
        chk(f"svd{m}x{n}.absu", np.abs(np.asarray(u)[:, :min(m,n)]), np.abs(un[:, :min(m,n)]), 1e-3)
        chk(f"pinv{m}x{n}", jnp.linalg.pinv(a), np.linalg.pinv(a), 1e-3)
    b = rng.normal(size=(5, 5)).astype(np.float32); sym = b + b.T
    w, v = jnp.linalg.eigh(sym); wn, vn = np.linalg.eigh(sym)
    chk("eigh.w", w, wn); chk("eigh.rec", (v * w) @ v.T, sym); chk("eigh.absv", np.abs(v), np.abs(vn), 1e-3)
    chk("eigvalsh", jnp.linalg.eigvalsh(sym), wn)
    bs = rng.normal(size=(3, 4, 4)).astype(np.float32); bs = bs + np.swapaxes(bs, -1, -2)
    chk("eigh_batch", jnp.linalg.eigh(bs)[0], np.linalg.eigh(bs)[0])
    chk("svd_batch", jnp.linalg.svd(bs, compute_uv=False), np.linalg.svd(bs, compute_uv=False))
    A = rng.normal(size=(8, 3)).astype(np.float32); y = rng.normal(size=8).astype(np.float32)
    x, res, rank, sv = jnp.linalg.lstsq(A, y); xn, resn, rankn, svn = np.linalg.lstsq(A, y, rcond=None)
    chk("lstsq.x", x, xn); chk("lstsq.res", res, resn); chk("lstsq.rank", rank, rankn)
    chk("matrix_rank", jnp.linalg.matrix_rank(np.outer(np.arange(4.), np.arange(3.)).astype(np.float32)), 1)
    g = jax.grad(lambda m: jnp.sum(jnp.linalg.eigvalsh(m) ** 2))(sym)
    chk("grad eigvalsh", g, 2 * sym, 1e-3)
    # derivatives against central differences
    a = rng.normal(size=(4, 3)).astype(np.float64)
    def fd(f, x, eps=1e-3):
        g = np.zeros_like(x)
        for idx in np.ndindex(*x.shape):
            e = np.zeros_like(x); e[idx] = eps
            g[idx] = (float(f(jnp.asarray((x + e).astype(np.float32)))) - float(f(jnp.asarray((x - e).astype(np.float32))))) / (2 * eps)
        return g
    fs = lambda m: jnp.sum(jnp.linalg.svd(m, compute_uv=False) ** 3)
    chk("grad svdvals", jax.grad(fs)(a.astype(np.float32)), fd(fs, a), 2e-2)
    fu = lambda m: jnp.sum(jnp.abs(jnp.linalg.svd(m, full_matrices=False)[0][:, 0]) * jnp.arange(4.0))
    chk("grad svd U", jax.grad(fu)(a.astype(np.float32)), fd(fu, a), 2e-2)
    fv = lambda m: jnp.sum(jnp.linalg.eigh(m @ m.T)[1][:, -1] ** 4)
    chk("grad eigh V", jax.grad(fv)(a.astype(np.float32)), fd(fv, a), 2e-2)
    chk("jvp eigh batch", jax.vmap(jax.grad(lambda m: jnp.linalg.eigvalsh(m)[0]))(bs).shape, (3, 4, 4))

    assert not fails, fails
    # jit and vmap through the loops
    m = rng.normal(size=(6, 4)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(jax.jit(lambda x: jnp.linalg.svd(x, compute_uv=False))(m)), np.linalg.svd(m, compute_uv=False), rtol=1e-4, atol=1e-4)


def test_scipy_linalg_against_numpy():
    import math
    import jaxcore.scipy.linalg as sl
    rng = np.random.default_rng(2)
    a = rng.normal(size=(4, 4)).astype(np.float32)
    spd = a @ a.T + 4 * np.eye(4, dtype=np.float32)
    b = rng.normal(size=(4, 2)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(sl.cholesky(spd)), np.linalg.cholesky(spd).T, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(np.asarray(sl.cho_solve(sl.cho_factor(spd), b)), np.linalg.solve(spd, b), rtol=1e-4, atol=1e-4)
    u = np.triu(a) + 3 * np.eye(4, dtype=np.float32)
    np.testing.assert_allclose(np.asarray(sl.solve_triangular(u, b)), np.linalg.solve(u, b), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(np.asarray(sl.solve_triangular(u.T, b, lower=True, trans=1)), np.linalg.solve(u, b), rtol=1e-4, atol=1e-4)
    # expm against its power series (small norm) and exp of a diagonal
    m = a * 0.3
    series, term = np.eye(4), np.eye(4)
    for k in range(1, 30):
        term = term @ m / k
        series = series + term
    np.testing.assert_allclose(np.asarray(sl.expm(m)), series, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(np.asarray(sl.expm(np.diag([1.0, -2.0, 5.0]).astype(np.float32))), np.diag([math.e, math.exp(-2), math.exp(5)]), rtol=1e-4)
    close_blocks = np.asarray(sl.block_diag(np.ones((2, 2)), np.array([[3.0]])))
    assert close_blocks.tolist() == [[1, 1, 0], [1, 1, 0], [0, 0, 3]]
    g = jax.grad(jax.checkpoint(lambda x: jnp.sum(jnp.sin(x) ** 2), policy=jax.checkpoint_policies.dots_saveable))(a)
    np.testing.assert_allclose(np.asarray(g), 2 * np.sin(a) * np.cos(a), rtol=1e-5, atol=1e-5)


def test_nonsymmetric_eig_roots_and_derivatives_as_jax():
    # values printed by JAX 0.10.2 (LAPACK geev order and normalisation)
    a = jnp.array([[1., 2., 0.], [-3., 1., 4.], [0.5, 0., 2.]])
    w, v = jnp.linalg.eig(a)
    assert w.dtype == np.complex64 and v.shape == (3, 3)
    np.testing.assert_allclose(np.asarray(w), [0.75643975 + 2.5816822j, 0.75643975 - 2.5816822j, 2.4871202], rtol=1e-5)
    np.testing.assert_allclose(np.asarray(v)[:, 0], [0.05703883 + 0.6045989j, -0.7873873, 0.09072314 - 0.05474691j], atol=1e-5)
    an = np.asarray(a).astype(np.complex64)
    np.testing.assert_allclose(an @ np.asarray(v), np.asarray(v) * np.asarray(w), atol=1e-5)
    np.testing.assert_allclose(np.asarray(jax.jit(jnp.linalg.eigvals)(a)), np.asarray(w), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(jax.vmap(jnp.linalg.eigvals)(jnp.stack([a, a])))[1], np.asarray(w), rtol=1e-6)
    # left eigenvectors: vl^H a = w vl^H
    w2, vl, vr = jax.lax.linalg.eig(a)
    np.testing.assert_allclose(np.asarray(vl).conj().T @ an, np.asarray(w2)[:, None] * np.asarray(vl).conj().T, atol=1e-5)
    # eigenvalue derivatives (JAX's rule), against JAX's values and finite differences
    b = jnp.array([[2., 1.], [0.5, 3.]])
    np.testing.assert_allclose(np.asarray(jax.jacfwd(lambda x: jnp.linalg.eigvals(x).real)(b)),
                               [[[0.7886751, -0.28867513], [-0.5773503, 0.21132487]],
                                [[0.21132487, 0.28867513], [0.5773503, 0.7886752]]], atol=1e-5)
    np.testing.assert_allclose(np.asarray(jax.grad(lambda x: jnp.linalg.eigvals(x).real.sum())(b)), np.eye(2), atol=1e-5)
    with pytest.raises(NotImplementedError, match="enable_eigvec_derivs"):
        jax.jvp(lambda x: jnp.linalg.eig(x)[1], (b,), (jnp.ones((2, 2)),))
    f = lambda x: jax.lax.linalg.eig(x, compute_left_eigenvectors=False, enable_eigvec_derivs=True)[1]
    np.testing.assert_allclose(np.asarray(jax.jvp(f, (a,), (jnp.ones((3, 3)),))[1])[:, 2], [0.0414, 0.0341, -0.065], atol=1e-4)
    np.testing.assert_allclose(np.asarray(jax.grad(lambda x: jnp.abs(f(x)).sum())(a))[0], [-0.0406, 0.0044, -0.0587], atol=1e-4)
    # roots: companion-matrix eigenvalues, leading zeros stripped or (strip_zeros=False) NaN roots
    np.testing.assert_allclose(np.sort_complex(np.asarray(jnp.roots(jnp.array([1., -6., 11., -6.])))), [1, 2, 3], atol=1e-4)
    np.testing.assert_allclose(np.asarray(jnp.roots(jnp.array([0., 0., 1., -3., 2.]))), [2, 1], atol=1e-5)
    r = np.asarray(jax.jit(lambda p: jnp.roots(p, strip_zeros=False))(jnp.array([0., 1., -3., 2.])))
    np.testing.assert_allclose(r[:2], [1, 2], atol=1e-5)
    assert np.isnan(r[2])
    assert jnp.roots(jnp.array([3.])).shape == (0,)


def test_eig_without_scipy_uses_numpy(monkeypatch):
    # numpy's eig (geev in double precision) when scipy is absent
    import sys
    monkeypatch.setitem(sys.modules, "scipy", None)
    monkeypatch.setitem(sys.modules, "scipy.linalg", None)
    a = jnp.array([[1., 2., 0.], [-3., 1., 4.], [0.5, 0., 2.]])
    w, vl, vr = jax.lax.linalg.eig(a)
    np.testing.assert_allclose(np.asarray(w), [0.75643975 + 2.5816822j, 0.75643975 - 2.5816822j, 2.4871202], rtol=1e-5)
    an = np.asarray(a).astype(np.complex64)
    np.testing.assert_allclose(an @ np.asarray(vr), np.asarray(vr) * np.asarray(w), atol=1e-5)
    np.testing.assert_allclose(np.asarray(vl).conj().T @ an, np.asarray(w)[:, None] * np.asarray(vl).conj().T, atol=1e-5)
    with pytest.raises(NotImplementedError, match="scipy"):
        jax.scipy.linalg.schur(a)


def test_scipy_linalg_schur_hessenberg_sqrtm_polar_lu_as_jax():
    # values printed by JAX 0.10.2
    sl = jax.scipy.linalg
    a = jnp.array([[4., 1., 0.5], [1., 3., 0.2], [0.5, 0.2, 2.]])
    t, z = sl.schur(a)
    np.testing.assert_allclose(np.diag(np.asarray(t)), [4.7216, 2.3983, 1.8801], atol=1e-4)
    np.testing.assert_allclose(np.asarray(z @ t @ z.T), np.asarray(a), atol=1e-5)
    g = jnp.array([[1., 2., 0.], [-3., 1., 4.], [0.5, 0., 2.]])
    tc, zc = sl.schur(g, output="complex")
    assert tc.dtype == np.complex64
    np.testing.assert_allclose(np.asarray(zc @ tc @ jnp.conj(zc.T)), np.asarray(g), atol=1e-5)
    np.testing.assert_allclose(np.asarray(sl.hessenberg(a)), [[4., -1.118, 0.], [-1.118, 2.96, 0.28], [0., 0.28, 2.04]], atol=1e-3)
    h, q = sl.hessenberg(g, calc_q=True)
    np.testing.assert_allclose(np.asarray(q @ h @ q.T), np.asarray(g), atol=1e-5)
    r = sl.sqrtm(a)
    assert r.dtype == np.complex64
    np.testing.assert_allclose(np.asarray(r).real, [[1.9766, 0.2692, 0.1437], [0.2692, 1.7102, 0.0518], [0.1437, 0.0518, 1.4059]], atol=1e-4)
    u, p = sl.polar(g)
    np.testing.assert_allclose(np.asarray(u @ p), np.asarray(g), atol=1e-5)
    np.testing.assert_allclose(np.asarray(u.T @ u), np.eye(3), atol=1e-5)
    # rectangular LU: getrf's pivots and shapes
    b = jnp.array([[1., 2.], [3., 4.], [5., 6.]])
    P, L, U = sl.lu(b)
    np.testing.assert_allclose(np.asarray(P), [[0, 1, 0], [0, 0, 1], [1, 0, 0]])
    np.testing.assert_allclose(np.asarray(L), [[1, 0], [0.2, 1], [0.6, 0.5]], atol=1e-6)
    np.testing.assert_allclose(np.asarray(U), [[5, 6], [0, 0.8]], atol=1e-6)
    assert np.asarray(sl.lu_factor(b)[1]).tolist() == [2, 2]
    P, L, U = sl.lu(b.T)
    np.testing.assert_allclose(np.asarray(P @ L @ U), np.asarray(b.T), atol=1e-6)
    # cholesky symmetrizes its input (JAX): a symmetric gradient
    gc = np.asarray(jax.grad(lambda m: jnp.linalg.cholesky(m).sum())(a))
    np.testing.assert_allclose(gc, [[0.1984, 0.1401, 0.1321], [0.1401, 0.2936, 0.2917], [0.1321, 0.2917, 0.3594]], atol=1e-4)


def test_scipy_special_matrices_as_jax():
    sl = jax.scipy.linalg
    np.testing.assert_allclose(np.asarray(sl.hilbert(3)), 1.0 / (np.arange(3)[:, None] + np.arange(3) + 1), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(sl.invhilbert(3)), [[9, -36, 30], [-36, 192, -180], [30, -180, 180]])
    np.testing.assert_allclose(np.asarray(sl.pascal(4)), [[1, 1, 1, 1], [1, 2, 3, 4], [1, 3, 6, 10], [1, 4, 10, 20]])
    np.testing.assert_allclose(np.asarray(sl.invpascal(3)), [[3, -3, 1], [-3, 5, -2], [1, -2, 1]])
    np.testing.assert_allclose(np.asarray(sl.companion(jnp.array([1., 2., 3.]))), [[-2, -3], [1, 0]])
    assert np.asarray(sl.hadamard(4)).tolist() == [[1, 1, 1, 1], [1, -1, 1, -1], [1, 1, -1, -1], [1, -1, -1, 1]]
    h = np.asarray(sl.helmert(3, full=True))
    np.testing.assert_allclose(h @ h.T, np.eye(3), atol=1e-6)
    np.testing.assert_allclose(np.asarray(sl.leslie(jnp.array([0.1, 2.0, 1.0]), jnp.array([0.2, 0.8]))),
                               [[0.1, 2, 1], [0.2, 0, 0], [0, 0.8, 0]], rtol=1e-6)
    np.testing.assert_allclose(np.asarray(sl.fiedler_companion(jnp.array([1., -16., 86., -176., 105.]))),
                               [[16, -86, 1, 0], [1, 0, 0, 0], [0, 176, 0, -105], [0, 1, 0, 0]])
    np.testing.assert_allclose(np.asarray(sl.dft(3)), np.fft.fft(np.eye(3)), atol=1e-6)
    a, v = np.array([1., 2., 3.]), np.array([1., -1., 2., 0.5])
    for mode in ("full", "same", "valid"):
        np.testing.assert_allclose(np.asarray(sl.convolution_matrix(jnp.asarray(a), 4, mode)) @ v, np.convolve(a, v, mode), atol=1e-6)


def test_eigh_and_svd_vectors_have_jaxs_signs():
    pytest.importorskip("scipy")
    k = jax.random.PRNGKey(42)
    cov = jnp.array([[2., .5], [.5, 1.]])
    u, s, vh = jnp.linalg.svd(cov)
    np.testing.assert_allclose(np.asarray(u), [[-0.92387953, -0.38268343], [-0.38268343, 0.92387953]], rtol=1e-5, atol=1e-6)
    w, v = jnp.linalg.eigh(cov @ cov.T)
    np.testing.assert_allclose(np.asarray(v), [[0.38268343, -0.92387953], [-0.92387953, -0.38268343]], rtol=1e-5, atol=1e-6)
    # JAX: random.multivariate_normal(PRNGKey(42), zeros(2), cov, (3,), method="svd")
    np.testing.assert_allclose(np.asarray(jax.random.multivariate_normal(k, jnp.zeros(2), cov, (3,), method="svd")),
                               [[-0.12032986, 0.40038463], [-0.45818818, -0.04179848], [0.09632234, 0.24897097]], rtol=1e-5, atol=1e-6)
    # the same under jit and vmap
    np.testing.assert_allclose(np.asarray(jax.jit(lambda c: jnp.linalg.svd(c)[0])(cov)), np.asarray(u), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(jax.vmap(jnp.linalg.eigh)(jnp.stack([cov @ cov.T] * 2))[1][1]), np.asarray(v), rtol=1e-6)
    # complex (Hermitian) matrices: heevd and gesdd, values JAX printed
    c = jnp.array([[1 + 2j, 0.5 - 1j], [0.3j, 2 - 0.5j]], jnp.complex64)
    w, v = jnp.linalg.eigh(c + c.conj().T)
    np.testing.assert_allclose(np.asarray(w), [1.2853575, 4.7146435], rtol=1e-5)
    np.testing.assert_allclose(np.asarray(v), [[-0.8897224, -0.45650184], [0.16387463 + 0.42607403j, -0.3193918 - 0.8304186j]], rtol=1e-5, atol=1e-6)
    u, s, vh = jnp.linalg.svd(c)
    np.testing.assert_allclose(np.asarray(s), [2.8950274, 1.4862089], rtol=1e-5)
    np.testing.assert_allclose(np.asarray(u), [[-0.3813871 - 0.7136285j, -0.22634447 - 0.5422604j],
                                               [0.16381964 - 0.564306j, -0.2985714 + 0.7520485j]], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.asarray(vh), [[-0.6832184, 0.39126664 + 0.61654127j],
                                                [-0.73021406, -0.36608523 - 0.57686144j]], rtol=1e-5, atol=1e-6)
    u, s, vh = jnp.linalg.svd(jnp.array([[2., 1.], [1., -3.]]), hermitian=True)
    np.testing.assert_allclose(np.asarray(s), [3.1925824, 2.1925824], rtol=1e-6)
    np.testing.assert_allclose(np.asarray(u), [[-0.18910754, -0.9819564], [0.9819564, -0.18910754]], rtol=1e-5)
    np.testing.assert_allclose(np.asarray(vh), [[0.18910754, -0.9819564], [-0.9819564, -0.18910754]], rtol=1e-5)


def test_complex_svd_and_eigh_derivatives_against_differences():
    pytest.importorskip("scipy")
    rng = np.random.default_rng(5)
    c = (rng.normal(size=(3, 3)) + 1j * rng.normal(size=(3, 3))).astype(np.complex64)
    h = c + c.conj().T
    fs = lambda m: jnp.linalg.svd(m, compute_uv=False)[0]
    fw = lambda m: jnp.linalg.eigvalsh(m)[-1]
    for f, x in [(fs, c), (fw, h)]:
        d = (rng.normal(size=(3, 3)) + 1j * rng.normal(size=(3, 3))).astype(np.complex64)
        if f is fw:
            d = d + d.conj().T
        _, t = jax.jvp(f, (jnp.asarray(x),), (jnp.asarray(d),))
        eps = 1e-3
        want = (float(f(jnp.asarray(x + eps * d))) - float(f(jnp.asarray(x - eps * d)))) / (2 * eps)
        np.testing.assert_allclose(float(t), want, rtol=2e-2, atol=2e-3)
