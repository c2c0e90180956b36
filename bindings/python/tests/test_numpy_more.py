"""More of jax.numpy (array-API names, nan-reductions, index helpers,
set operations, windows, grids, apply/vectorize), each against numpy."""

import numpy as np
import pytest

import jaxcore as jax
import jaxcore.numpy as jnp


def test_more_numpy_against_numpy():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(3, 4)).astype(np.float32)
    an = a.copy()
    an[0, 1] = np.nan
    an[2, 3] = np.nan
    v = rng.normal(size=6).astype(np.float32)
    fails = []

    def chk(name, got, want, tol=1e-5):
        try:
            if isinstance(want, (tuple, list)):
                for g, w in zip(got, want): np.testing.assert_allclose(np.asarray(g), np.asarray(w), rtol=tol, atol=tol)
            else:
                g = np.asarray(got); w = np.asarray(want)
                assert g.shape == w.shape, (g.shape, w.shape)
                np.testing.assert_allclose(g, w, rtol=tol, atol=tol, equal_nan=True)
        except Exception as e:
            fails.append(name); print("FAIL", name, str(e)[:300])
    def run(name, f, w, tol=1e-5):
        try: chk(name, f(), w, tol)
        except Exception as e: fails.append(name); print("ERR", name, type(e).__name__, str(e)[:300])
    run("acos", lambda: jnp.acos(jnp.array([0.1, 0.5])), np.arccos([0.1, 0.5]))
    run("concat", lambda: jnp.concat([a, a], axis=1), np.concatenate([a, a], 1))
    run("permute_dims", lambda: jnp.permute_dims(a, (1, 0)), a.T)
    run("matrix_transpose", lambda: jnp.matrix_transpose(a), a.T)
    run("unstack", lambda: jnp.unstack(a)[1], a[1])
    run("vecdot", lambda: jnp.vecdot(a, a), (a * a).sum(-1))
    run("matvec", lambda: jnp.matvec(a, a[0]), a @ a[0])
    run("vecmat", lambda: jnp.vecmat(a[:, 0], a), a[:, 0] @ a)
    run("fmax", lambda: jnp.fmax(an, 0.0), np.fmax(an, 0.0))
    run("fmin", lambda: jnp.fmin(an, a), np.fmin(an, a))
    run("ldexp", lambda: jnp.ldexp(v, np.arange(6)), np.ldexp(v, np.arange(6)))
    run("frexp", lambda: jnp.frexp(np.array([0.0, 1.0, -3.5, 1e-3, 8.0, 0.75], np.float32)), np.frexp(np.array([0.0, 1.0, -3.5, 1e-3, 8.0, 0.75], np.float32)))
    run("modf", lambda: jnp.modf(v * 3), np.modf(v * 3))
    run("spacing", lambda: jnp.spacing(np.array([1.0, -2.0, 0.5], np.float32)), np.spacing(np.array([1.0, -2.0, 0.5], np.float32)))
    run("gcd", lambda: jnp.gcd(np.array([12, -18, 7, 0]), np.array([8, 12, 0, 0])), np.gcd([12, -18, 7, 0], [8, 12, 0, 0]))
    run("lcm", lambda: jnp.lcm(np.array([4, 6, 0]), np.array([6, 4, 3])), np.lcm([4, 6, 0], [6, 4, 3]))
    run("nanprod", lambda: jnp.nanprod(an, axis=1), np.nanprod(an, axis=1))
    run("nanargmax", lambda: jnp.nanargmax(an, axis=1), np.nanargmax(an, axis=1))
    run("nanargmin", lambda: jnp.nanargmin(an), np.nanargmin(an))
    run("nancumsum", lambda: jnp.nancumsum(an, axis=1), np.nancumsum(an, axis=1))
    run("nancumprod", lambda: jnp.nancumprod(an, axis=0), np.nancumprod(an, axis=0))
    run("nanvar", lambda: jnp.nanvar(an, axis=1), np.nanvar(an, axis=1))
    run("nanvar_all", lambda: jnp.nanvar(an), np.nanvar(an))
    run("nanstd", lambda: jnp.nanstd(an, axis=0, ddof=1, keepdims=True), np.nanstd(an, axis=0, ddof=1, keepdims=True))
    run("nanmedian", lambda: jnp.nanmedian(an, axis=1), np.nanmedian(an, axis=1))
    run("nanquantile", lambda: jnp.nanquantile(an, np.array([0.2, 0.9]), axis=0), np.nanquantile(an, [0.2, 0.9], axis=0))
    run("nanpercentile", lambda: jnp.nanpercentile(an, 30), np.nanpercentile(an, 30))
    run("cumulative_prod", lambda: jnp.cumulative_prod(v, include_initial=True), np.concatenate([[1], np.cumprod(v)]))
    run("diagflat", lambda: jnp.diagflat(np.array([[1., 2.], [3., 4.]]), 1), np.diagflat([[1., 2.], [3., 4.]], 1))
    run("diag_indices", lambda: jnp.diag_indices(3), np.diag_indices(3))
    run("tril_indices", lambda: jnp.tril_indices(4, -1), np.tril_indices(4, -1))
    run("triu_indices_from", lambda: jnp.triu_indices_from(a, 1), np.triu_indices_from(a, 1))
    b = a.copy(); np.fill_diagonal(b, 7.0)
    run("fill_diagonal", lambda: jnp.fill_diagonal(a, 7.0, inplace=False), b)
    run("isin", lambda: jnp.isin(np.array([[1, 2], [3, 4]]), np.array([2, 4, 9])), np.isin([[1, 2], [3, 4]], [2, 4, 9]))
    run("isin_inv", lambda: jnp.isin(np.array([1, 2, 3]), [2], invert=True), np.isin([1, 2, 3], [2], invert=True))
    run("intersect1d", lambda: jnp.intersect1d(np.array([1, 3, 4, 3]), np.array([3, 1, 2, 1])), np.intersect1d([1, 3, 4, 3], [3, 1, 2, 1]))
    run("union1d", lambda: jnp.union1d(np.array([1, 3]), np.array([2, 3])), np.union1d([1, 3], [2, 3]))
    run("setdiff1d", lambda: jnp.setdiff1d(np.array([1, 2, 3, 4]), np.array([2, 4])), np.setdiff1d([1, 2, 3, 4], [2, 4]))
    run("unravel_index", lambda: jnp.unravel_index(np.array([5, 11, 0]), (3, 4)), np.unravel_index([5, 11, 0], (3, 4)))
    run("ravel_multi_index", lambda: jnp.ravel_multi_index((np.array([1, 2]), np.array([3, 0])), (3, 4)), np.ravel_multi_index(([1, 2], [3, 0]), (3, 4)))
    run("vander", lambda: jnp.vander(np.array([1., 2., 3.], np.float32), 4), np.vander([1., 2., 3.], 4))
    run("vander_inc", lambda: jnp.vander(np.array([1., 2., 3.], np.float32), increasing=True), np.vander([1., 2., 3.], increasing=True))
    run("geomspace", lambda: jnp.geomspace(1.0, 1000.0, 4), np.geomspace(1.0, 1000.0, 4), 1e-4)
    run("geomspace_neg", lambda: jnp.geomspace(-1.0, -16.0, 5), np.geomspace(-1.0, -16.0, 5), 1e-4)
    for w in ["hamming", "hanning", "blackman", "bartlett"]:
        run(w, lambda w=w: getattr(jnp, w)(7), getattr(np, w)(7))
    run("kaiser", lambda: jnp.kaiser(6, 3.0), np.kaiser(6, 3.0))
    run("i0", lambda: jnp.i0(np.array([0.0, 0.5, 3.0, 10.0, 20.0], np.float32)), np.i0([0.0, 0.5, 3.0, 10.0, 20.0]), 1e-4)
    run("resize", lambda: jnp.resize(np.arange(5), (3, 4)), np.resize(np.arange(5), (3, 4)))
    run("rollaxis", lambda: jnp.rollaxis(np.ones((2, 3, 4)), 2), np.rollaxis(np.ones((2, 3, 4)), 2))
    run("rollaxis2", lambda: jnp.rollaxis(np.zeros((2, 3, 4, 5)), 1, 3).shape, np.rollaxis(np.zeros((2, 3, 4, 5)), 1, 3).shape)
    run("choose", lambda: jnp.choose(np.array([0, 2, 1, 0]), [np.arange(4), np.arange(4) * 10, np.arange(4) * 100]), np.choose([0, 2, 1, 0], [np.arange(4), np.arange(4) * 10, np.arange(4) * 100]))
    run("compress", lambda: jnp.compress(np.array([True, False, True]), a, axis=0), np.compress([True, False, True], a, axis=0))
    run("extract", lambda: jnp.extract(a > 0, a), np.extract(a > 0, a))
    run("flatnonzero", lambda: jnp.flatnonzero(np.array([0, 1, 0, 2]), size=2), np.flatnonzero([0, 1, 0, 2]))
    run("delete", lambda: jnp.delete(a, 1, axis=1), np.delete(a, 1, axis=1))
    run("delete_list", lambda: jnp.delete(np.arange(6), [0, 3]), np.delete(np.arange(6), [0, 3]))
    run("insert", lambda: jnp.insert(np.arange(5), 2, 99), np.insert(np.arange(5), 2, 99))
    run("insert_list", lambda: jnp.insert(np.arange(5), [1, 3], [7, 8]), np.insert(np.arange(5), [1, 3], [7, 8]))
    run("insert_axis", lambda: jnp.insert(a, 1, 0.0, axis=1), np.insert(a, 1, 0.0, axis=1))
    run("put", lambda: jnp.put(np.arange(6), np.array([0, 2]), np.array([9, 8]), inplace=False), (lambda x: (np.put(x, [0, 2], [9, 8]), x)[1])(np.arange(6)))
    run("put_along_axis", lambda: jnp.put_along_axis(a, np.argmax(a, 1)[:, None], 0.0, 1, inplace=False), (lambda x: (np.put_along_axis(x, np.argmax(a, 1)[:, None], 0.0, 1), x)[1])(a.copy()))
    run("lexsort", lambda: jnp.lexsort((np.array([1, 5, 1, 4, 3]), np.array([4, 4, 4, 1, 1]))), np.lexsort(([1, 5, 1, 4, 3], [4, 4, 4, 1, 1])))
    run("gradient", lambda: jnp.gradient(np.array([1., 2., 4., 7., 11.], np.float32)), np.gradient([1., 2., 4., 7., 11.]))
    run("gradient2d", lambda: jnp.gradient(a), np.gradient(a))
    run("gradient_axis", lambda: jnp.gradient(a, 2.0, axis=1), np.gradient(a, 2.0, axis=1))
    ph = np.cumsum(rng.uniform(0, 3, size=10)).astype(np.float32)
    run("unwrap", lambda: jnp.unwrap(ph), np.unwrap(ph), 1e-4)
    run("apply_along_axis", lambda: jnp.apply_along_axis(lambda x: x / x.sum(), 1, a), np.apply_along_axis(lambda x: x / x.sum(), 1, a))
    run("apply_along_axis0", lambda: jnp.apply_along_axis(jnp.sum, 0, a), np.apply_along_axis(np.sum, 0, a))
    run("apply_over_axes", lambda: jnp.apply_over_axes(jnp.sum, a, [0, 1]), np.apply_over_axes(np.sum, a, [0, 1]))
    run("vectorize", lambda: jnp.vectorize(lambda x, y: x * 2 + y)(a, v[:4]), a * 2 + v[:4])
    run("fromfunction", lambda: jnp.fromfunction(lambda i, j: i * 10 + j, (3, 4)), np.fromfunction(lambda i, j: i * 10 + j, (3, 4)))
    run("ix_", lambda: jnp.asarray(a)[jnp.ix_(np.array([0, 2]), np.array([1, 3]))], a[np.ix_([0, 2], [1, 3])])
    run("piecewise", lambda: jnp.piecewise(v, [v < 0, v >= 0], [lambda x: -x, lambda x: x * 2]), np.piecewise(v, [v < 0, v >= 0], [lambda x: -x, lambda x: x * 2]))
    run("block", lambda: jnp.block([[np.eye(2), np.zeros((2, 1))], [np.ones((1, 2)), np.ones((1, 1)) * 5]]), np.block([[np.eye(2), np.zeros((2, 1))], [np.ones((1, 2)), np.ones((1, 1)) * 5]]))
    run("block1", lambda: jnp.block([np.ones(2), np.zeros(3)]), np.block([np.ones(2), np.zeros(3)]))
    run("array_equiv", lambda: jnp.array_equiv(np.array([1, 2]), np.array([[1, 2], [1, 2]])), np.array_equiv([1, 2], [[1, 2], [1, 2]]))
    run("mgrid", lambda: jnp.mgrid[0:3, 0:2], np.mgrid[0:3, 0:2])
    run("ogrid", lambda: jnp.ogrid[0:3, 0:2][1], np.ogrid[0:3, 0:2][1])
    run("r_", lambda: jnp.r_[np.array([1, 2]), 3, np.array([4])], np.r_[np.array([1, 2]), 3, np.array([4])])
    run("c_", lambda: jnp.c_[np.array([1, 2]), np.array([3, 4])], np.c_[np.array([1, 2]), np.array([3, 4])])
    run("histogram_bin_edges", lambda: jnp.histogram_bin_edges(v, 4), np.histogram_bin_edges(v, 4))
    run("bitwise_count", lambda: jnp.bitwise_count(np.array([0, 1, 7, 255], np.int32)), np.array([0, 1, 3, 8]))
    run("partition", lambda: jnp.partition(v, 2)[2], np.partition(v, 2)[2])

    assert not fails, fails


def test_polynomials_and_numpy_io_against_numpy():
    fails = []
    def chk(n, g, w, tol=1e-4):
        try:
            if isinstance(w, tuple):
                for a, b in zip(g, w): np.testing.assert_allclose(np.asarray(a), b, rtol=tol, atol=tol)
            else:
                np.testing.assert_allclose(np.asarray(g), w, rtol=tol, atol=tol)
        except Exception as e: fails.append(n); print(n, e)
    p, q = np.array([1., 2., 3.], np.float32), np.array([2., -1.], np.float32)
    chk("polyadd", jnp.polyadd(p, q), np.polyadd(p, q)); chk("polysub", jnp.polysub(q, p), np.polysub(q, p)); chk("polymul", jnp.polymul(p, q), np.polymul(p, q))
    chk("polyder", jnp.polyder(np.array([4., 3., 2., 1.]), 2), np.polyder([4., 3., 2., 1.], 2)); chk("polyint", jnp.polyint(p, 2, k=[1.0, 2.0]), np.polyint(p, 2, k=[1.0, 2.0]))
    chk("poly", jnp.poly(np.array([1., 2., -3.])), np.poly([1., 2., -3.])); chk("polydiv", (jnp.polydiv(np.array([1., 0., -4., 5.]), np.array([1., -2.]))[0], jnp.polydiv(np.array([1., 0., -4., 5.]), np.array([1., -2.]))[1][-1:]), np.polydiv([1., 0., -4., 5.], [1., -2.]))
    x = np.linspace(0, 1, 20).astype(np.float32); y = (3 * x**2 - x + 0.5 + 0.01 * np.sin(20 * x)).astype(np.float32)
    chk("polyfit", jnp.polyfit(x, y, 2), np.polyfit(x, y, 2), 1e-3)
    chk("polyfit_w", jnp.polyfit(x, y, 1, w=np.linspace(1, 2, 20)), np.polyfit(x, y, 1, w=np.linspace(1, 2, 20)), 1e-3)
    chk("unpackbits", jnp.unpackbits(np.array([[5, 255], [0, 128]], np.uint8), axis=1), np.unpackbits(np.array([[5, 255], [0, 128]], np.uint8), axis=1))
    chk("unpackbits_l", jnp.unpackbits(np.array([5, 200], np.uint8), bitorder="little"), np.unpackbits(np.array([5, 200], np.uint8), bitorder="little"))
    chk("frombuffer", jnp.frombuffer(np.arange(4, dtype=np.float32).tobytes(), dtype=np.float32), np.arange(4))

    assert not fails, fails


def test_cov_and_corrcoef_signatures_against_numpy():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(3, 5)).astype(np.float32), rng.normal(size=(2, 5)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(jnp.cov(a, b)), np.cov(a, b), atol=1e-5)
    np.testing.assert_allclose(np.asarray(jnp.cov(a.T, rowvar=False)), np.cov(a.T, rowvar=False), atol=1e-5)
    np.testing.assert_allclose(np.asarray(jnp.corrcoef(a[0], b[0])), np.corrcoef(a[0], b[0]), atol=1e-5)
    np.testing.assert_allclose(np.asarray(jnp.cov(a[0], ddof=0)), np.cov(a[0], ddof=0), atol=1e-5)


def test_keyword_forms_as_jax():
    x = jnp.arange(12.0).reshape(3, 4)
    xs, step = jnp.linspace(0, 1, 5, retstep=True)
    assert float(step) == 0.25 and xs.shape == (5,)
    np.testing.assert_allclose(np.asarray(jnp.linspace(np.array([0.0, 1.0]), 2.0, 3, axis=1)), np.linspace([0.0, 1.0], 2.0, 3, axis=1))
    assert np.asarray(jnp.reshape(jnp.arange(6), (2, 3), order="F")).tolist() == [[0, 2, 4], [1, 3, 5]]
    assert np.asarray(jnp.ravel(x, order="F"))[:4].tolist() == [0.0, 4.0, 8.0, 1.0]
    np.testing.assert_allclose(float(jnp.var(x, where=x > 3)), np.var(np.arange(4.0, 12.0)))
    np.testing.assert_allclose(np.asarray(jnp.cumsum(jnp.arange(3), dtype=jnp.float32)), [0.0, 1.0, 3.0])
    # jnp.take: JAX's default fill mode, clip without negative wrap-around, wrap
    t = np.asarray(jnp.take(jnp.arange(5.0), jnp.array([7, -1, 2])))
    assert np.isnan(t[0]) and t[1:].tolist() == [4.0, 2.0]
    assert np.asarray(jnp.take(jnp.arange(5), jnp.array([7, -1]), mode="clip")).tolist() == [4, 0]
    assert np.asarray(jnp.take(jnp.arange(5), jnp.array([7, -1]), mode="wrap")).tolist() == [2, 4]
    # nonzero: concrete without size (numpy's answer), N-d with size and fill_value
    a = np.array([[0, 3, 0], [5, 0, 6]])
    assert [np.asarray(v).tolist() for v in jnp.nonzero(a)] == [v.tolist() for v in np.nonzero(a)]
    assert [np.asarray(v).tolist() for v in jnp.nonzero(a, size=4, fill_value=-1)] == [[0, 1, 1, -1], [1, 0, 2, -1]]
    assert np.asarray(jnp.argwhere(a)).tolist() == np.argwhere(a).tolist()
    assert jnp.array([1, 2], ndmin=3).shape == (1, 1, 2)


def test_small_semantics_as_jax():
    # values printed by JAX 0.10.2
    assert np.asarray(jnp.array([1, -1, 0]) // 0).tolist() == [-2, -2, -1]  # XLA's q = -1, r = x, JAX's floor fix
    assert np.asarray(jnp.round(jnp.array([1.26]), 1)).tolist() == [np.float32(1.3000001)]
    assert np.asarray(jnp.around(jnp.array([1.567]), 2)).tolist() == [np.float32(1.5699999)]
    assert np.asarray(jnp.round(jnp.array([0.5, 1.5, 2.5, -0.5]))).tolist() == [0.0, 2.0, 2.0, -0.0]
    with pytest.raises(NotImplementedError):
        jnp.round(jnp.array([15, 25]), -1)
    assert float(jnp.max(jnp.array([]), initial=-1.)) == -1.0
    assert float(jnp.min(jnp.zeros((0, 2)), initial=3.)) == 3.0
    assert np.isnan(float(jax.nn.logsumexp(jnp.array([1., 2.]), b=jnp.array([1., -0.5]))))
    assert np.isnan(float(jax.grad(lambda v: v ** 0.)(0.)))  # float exponent: y * x^(y-1) as it is
    assert float(jax.grad(lambda v: v ** 2.)(0.)) == 0.0
    with pytest.raises(TypeError, match="Integers cannot be raised to negative powers"):
        jnp.array([2]) ** -1
    with pytest.raises(TypeError, match="immutable"):
        x = jnp.zeros(3)
        x[0] = 1.0
    q, r = divmod(jnp.arange(5), 2)
    assert np.asarray(q).tolist() == [0, 0, 1, 1, 2] and np.asarray(r).tolist() == [0, 1, 0, 1, 0]
    assert np.asarray(jnp.array([0, 1]).nonzero()[0]).tolist() == [1]
    assert np.asarray(jnp.array([1.0], jnp.float32).view(jnp.int32)).tolist() == [1065353216]


def test_division_by_a_broadcast_divisor_is_xlas():
    # XLA's CPU code (so JAX, eager or jitted) multiplies by the reciprocal of
    # a broadcast divisor: 3 / 7 gives 0.42857146, not 0.42857143
    assert float((jnp.arange(12.).reshape(3, 4) / 7)[0, 3]) == float(np.float32(3) * (np.float32(1) / np.float32(7)))
    assert float(jnp.float32(3.) / 7) == float(np.float32(3) / np.float32(7))  # scalar / scalar: a true division
    rng = np.random.default_rng(0)
    x, r, c = (rng.normal(size=s).astype(np.float32) for s in [(50, 40), (40,), (50, 1)])
    for y in (r, c):
        want = x * (np.float32(1) / y)
        assert np.array_equal(np.asarray(jnp.asarray(x) / jnp.asarray(y)), want)
        assert np.array_equal(np.asarray(jax.jit(lambda a, b: a / b)(x, y)), want)
    assert np.array_equal(np.asarray(jnp.asarray(x) / jnp.asarray(x)), x / x)  # same shapes: a true division
    # a mean divides by its constant count as XLA does inside JAX's jitted mean:
    # times the reciprocal (JAX printed 0x3f84198f for this mean)
    v = np.array([1.764052391052246, 0.40015721321105957, 0.978738009929657, 2.2408931255340576,
                  1.8675580024719238, -0.9772778749465942, 0.9500884413719177], np.float32)
    assert np.asarray(jnp.mean(v)).tobytes().hex() == "8f19843f"
    assert float(jnp.mean(v)) == float(jax.jit(jnp.mean)(v))


def test_unique_partition_packbits_as_jax():
    x = jnp.array([3, 1, 3, 2, 1, 7])
    # JAX's values (size pads with the smallest value, its index and a zero count)
    v, i, inv, c = jnp.unique(x, size=7, return_index=True, return_inverse=True, return_counts=True)
    assert v.tolist() == [1, 2, 3, 7, 1, 1, 1] and i.tolist() == [1, 3, 0, 5, 1, 1, 1]
    assert inv.tolist() == [2, 0, 2, 1, 0, 3] and c.tolist() == [2, 1, 2, 1, 0, 0, 0]
    assert jax.jit(lambda a: jnp.unique(a, size=5, fill_value=0))(x).tolist() == [1, 2, 3, 7, 0]
    m = jnp.array([[1, 2], [2, 3], [1, 2]])
    v, i, inv, c = jnp.unique(m, axis=0, return_index=True, return_inverse=True, return_counts=True)
    assert v.tolist() == [[1, 2], [2, 3]] and i.tolist() == [0, 1] and inv.tolist() == [0, 1, 0] and c.tolist() == [2, 1]
    with pytest.raises(jax.errors.ConcretizationTypeError):
        jax.jit(jnp.unique)(x)
    f = jnp.array([1., np.nan, 2., np.nan, 1.])
    assert len(jnp.unique(f)) == 3 and len(jnp.unique_values(f)) == 4  # the array-API forms keep NaNs apart
    a = jnp.array([[5, 2, 9, 1], [3, 3, 0, 8]])
    assert jnp.partition(a, 1).tolist() == [[1, 2, 9, 5], [0, 3, 8, 3]]
    assert jnp.argpartition(a, 2).tolist() == [[3, 1, 0, 2], [2, 0, 1, 3]]
    assert jnp.partition(jnp.array([5, 0, 9, 1], jnp.uint8), 1).tolist() == [0, 1, 9, 5]
    assert jnp.packbits(jnp.array([[1, 0, 1], [0, 1, 1]]), axis=1).tolist() == [[160], [96]]
    assert jnp.packbits(jnp.array([1, 1, 0, 0, 0, 0, 0, 0, 1]), bitorder="little").tolist() == [3, 1]
    assert jnp.packbits(jnp.array([True] * 10)).dtype == jnp.uint8
    assert jnp.unpackbits(jnp.packbits(jnp.array([1, 0, 1, 1, 0, 0, 0, 1, 1])), count=9).tolist() == [1, 0, 1, 1, 0, 0, 0, 1, 1]
    assert jnp.ediff1d(jnp.array([1, 4, 9]), to_begin=-1, to_end=jnp.array([7, 8])).tolist() == [-1, 3, 5, 7, 8]


def test_top_k_and_reduction_dtypes_as_jax():
    t = jax.lax.top_k(jnp.array([1., np.nan, 3., 3.]), 3)
    assert np.isnan(float(t[0][0])) and t[1].tolist() == [1, 2, 3]
    assert jax.lax.top_k(jnp.array([5, 2**31 - 1, -2**31, 0]), 2)[0].tolist() == [2**31 - 1, 5]
    assert jax.lax.top_k(jnp.array([200, 100, 7], jnp.uint8), 2)[0].tolist() == [200, 100]
    u, i8 = jnp.array([200, 100, 7], jnp.uint8), jnp.array([100, 100, -3], jnp.int8)
    s = jnp.sum(u, dtype=jnp.uint8)
    assert s.dtype == jnp.uint8 and int(s) == 51  # wraps in the requested type
    assert jnp.sum(u).dtype == jnp.uint32 and int(jnp.sum(u)) == 307
    assert int(jnp.prod(i8, dtype=jnp.int8)) == -48
    assert jnp.sum(i8, dtype=bool).dtype == jnp.bool_ and bool(jnp.sum(jnp.array([1, -1]), dtype=bool))
    assert jnp.cumsum(i8, dtype=bool).tolist() == [True, True, True]
    assert jnp.cumprod(jnp.array([True, True, False]), dtype=bool).tolist() == [True, True, False]
    m = jnp.mean(i8, dtype=jnp.int8)
    assert m.dtype == jnp.int8 and int(m) == -19  # integer sum, truncating division
    assert int(jnp.nansum(u, dtype=jnp.int16)) == 307 and int(jnp.trace(jnp.diag(u), dtype=jnp.uint8)) == 51
    assert jnp.sum(i8, promote_integers=False).dtype == jnp.int8
    assert jnp.any(jnp.array([True, False]), where=jnp.array([False, True])).tolist() is False
    assert jnp.uint8.__name__ == "uint8"


def test_eager_transcendentals_long_sums_and_products_are_xlas():
    # these run eagerly as one-op XLA programs: eager == jit, and JAX's numbers
    if jax.default_backend() == "interp":
        pytest.skip("needs the PJRT plugin")
    x = jnp.array([1.0, 2.0, 8.0, -4.88])
    for f in [jax.lax.lgamma, jnp.tanh, jax.nn.gelu, jnp.exp, jnp.log1p, jax.scipy.special.erfinv]:
        v = x if f is not jax.scipy.special.erfinv else x / 10
        assert np.array_equal(np.asarray(f(v)), np.asarray(jax.jit(f)(v)), equal_nan=True), f
    assert float(jax.lax.lgamma(1.0)) == 4.76837158203125e-07  # XLA's (and JAX's), not 0
    assert float(jax.nn.gelu(jnp.float32(-4.88))) == 0.0      # XLA's tanh saturates to -1 there
    rng = np.random.default_rng(1)
    a, v, s = (rng.normal(size=sh).astype(np.float32) for sh in [(50, 100), (100,), (1000,)])
    assert np.array_equal(np.asarray(jnp.dot(a, v)), np.asarray(jax.jit(jnp.dot)(a, v)))
    assert np.array_equal(np.asarray(jnp.sum(s)), np.asarray(jax.jit(jnp.sum)(s)))
    # bits JAX 0.10.2 printed (the interpreter's differ in the last place)
    rng = np.random.default_rng(4)
    a, b, c = rng.normal(size=(4, 64)).astype(np.float32), rng.normal(size=(64, 4)).astype(np.float32), rng.normal(size=(40,)).astype(np.float32)
    assert np.asarray(jnp.matmul(a, b)).view(np.uint32).ravel().tolist() == [
        3215847572, 3230342535, 1084814074, 1085650657, 3224088729, 1068683457, 3246740583, 1086684205,
        3229838718, 3233791620, 3179768353, 3230841248, 1099884425, 1087200087, 3234272476, 1075518332]
    assert np.asarray(jnp.cumsum(c)).view(np.uint32)[[20, 39]].tolist() == [1075259898, 3213994926]
    cb = jnp.cbrt(np.array([6.809263706207275, -0.9069082736968994, -0.6382208466529846], np.float32))
    assert np.asarray(cb).view(np.uint32).tolist() == [1072864346, 3212299212, 3210504405]
    # JAX computes logistic as 1 / (1 + exp(-x)) op by op (bfloat16 rounds after each)
    sg = jax.nn.sigmoid(jnp.asarray(np.linspace(-6, 6, 25), jnp.bfloat16)).astype(jnp.float32)
    assert np.asarray(sg)[[2, 4, 5, 8, 15, 16, 18, 20, 21, 23, 24]].tolist() == [
        0.0067138671875, 0.01806640625, 0.0294189453125, 0.11962890625, 0.8203125, 0.8828125, 0.95703125,
        0.984375, 0.9921875, 0.9921875, 1.0]
    # JAX printed these for random.normal(PRNGKey(0), (3, 3))
    n = np.asarray(jax.random.normal(jax.random.PRNGKey(0), (3, 3)))
    assert n[0, 0] == np.float32(1.6226422) and n[1, 1] == np.float32(0.1760909)


def test_jitted_atan_is_right_on_long_vectors():
    # the XLA of jaxlib 0.10.2+ miscompiles a vectorized atan past 64 elements
    # (jax-ml/jax#39352); atan is lowered as atan2(x, 1) around it
    x = np.random.default_rng(0).normal(size=4000).astype(np.float32) * 3
    for f in (jnp.arctan, jax.jit(jnp.arctan), jax.jit(jax.vmap(jnp.arctan))):
        np.testing.assert_allclose(np.asarray(f(x)), np.arctan(x), rtol=1e-6, atol=1e-7)
    xb = jnp.asarray(x, jnp.bfloat16)
    np.testing.assert_allclose(np.asarray(jax.jit(jnp.arctan)(xb).astype(jnp.float32)), np.arctan(x), rtol=1e-2, atol=1e-2)
    assert float(jax.jit(jnp.arctan)(jnp.float32(np.inf))) == np.float32(np.pi / 2)


def test_searchsorted_nan_order_sorter_and_array_methods_as_jax():
    # values printed by JAX 0.10.2 (NaN sorts last)
    a = jnp.array([1.0, 2.0, 2.0, 5.0, np.nan])
    v = jnp.array([2.0, 0.0, 6.0, np.nan, -np.inf, np.inf])
    assert np.asarray(jnp.searchsorted(a, v)).tolist() == [1, 0, 4, 4, 0, 4]
    assert np.asarray(jnp.searchsorted(a, v, side="right")).tolist() == [3, 0, 4, 5, 0, 4]
    assert np.asarray(jnp.searchsorted(jnp.array([5.0, 1.0, 3.0]), jnp.array([2.0, 4.0]), sorter=jnp.array([1, 2, 0]))).tolist() == [1, 2]
    assert np.asarray(jnp.digitize(jnp.array([0.2, 1.5, np.nan]), jnp.array([0.0, 1.0, 2.0]))).tolist() == [1, 2, 3]
    x = jnp.arange(12.0).reshape(3, 4)
    assert int(x.ravel().searchsorted(4.5)) == 5
    assert np.asarray(x.reshape((4, 3), order="F")).tolist() == np.arange(12.0).reshape(3, 4).reshape((4, 3), order="F").tolist()
    assert x.tobytes() == np.arange(12.0, dtype=np.float32).tobytes()
    assert str(x.device) == "cpu:0"
    assert 5.0 in x[1] and 50.0 not in x[1]
    with pytest.raises(ValueError, match="one-dimensional"):
        5.0 in x


def test_cross_and_hypot_compiled_whole_as_jax():
    # JAX jits these jnp functions, so XLA fuses their multiply-adds even in
    # eager calls: bits JAX 0.10.2 printed (op by op they round differently)
    rng = np.random.RandomState(1)
    a, b = rng.randn(300, 3).astype(np.float32), rng.randn(300, 3).astype(np.float32)
    c = np.asarray(jnp.cross(a, b))
    assert [int(c[i, j].view(np.uint32)) for i, j in [(0, 2), (1, 0), (2, 2)]] == [1030780986, 3209546250, 1053847342]
    x, y = rng.randn(200).astype(np.float32) * 3, rng.randn(200).astype(np.float32)
    assert np.asarray(jnp.hypot(x, y))[[40, 80, 128]].view(np.uint32).tolist() == [1059416945, 1076762142, 1070577248]
    # JAX's cross semantics: 2-vectors, mixed 2/3, axisa/axisb/axisc
    close = lambda u, v: np.testing.assert_allclose(np.asarray(u), v, rtol=1e-6, atol=1e-6)
    close(jnp.cross(a[:, :2], b[:, :2]), a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0])
    close(jnp.cross(a[:, :2], b), np.cross(np.concatenate([a[:, :2], np.zeros((300, 1), np.float32)], 1), b))
    close(jnp.cross(a.T, b.T, axisa=0, axisb=0, axisc=0), np.cross(a.T, b.T, axisa=0, axisb=0, axisc=0))
    with pytest.raises(ValueError, match="2 or 3"):
        jnp.cross(a[:, :1], b[:, :1])
    assert repr(jnp.hypot(3, 4)) == "Array(5., dtype=float32, weak_type=True)"


def test_logaddexp2_squareplus_standardize_as_jax():
    # values printed by JAX 0.10.2
    assert repr(jnp.logaddexp2(1, 2)) == "Array(2.5849624, dtype=float32, weak_type=True)"
    assert repr(jnp.logaddexp2(jnp.int32(1), 2)) == "Array(2.5849624, dtype=float32)"
    inf = np.inf
    got = np.asarray(jnp.logaddexp2(jnp.array([inf, -inf, np.nan, 0.0]), jnp.array([inf, -inf, 1.0, -inf])))
    assert got[0] == inf and got[1] == -inf and np.isnan(got[2]) and got[3] == 0.0
    assert float(jax.grad(lambda a: jnp.logaddexp2(a, 1.0))(1.0)) == 0.5
    assert float(jax.grad(jax.grad(lambda a: jnp.logaddexp2(a, 1.0)))(1.0)) == np.float32(0.1732868)
    rng = np.random.RandomState(0)
    x = (rng.randn(40, 26) * 3).astype(np.float32)
    # compiled whole as JAX's (sums of all bit patterns JAX printed)
    assert int(np.asarray(jax.nn.squareplus(x)).view(np.uint32).sum()) == 1106845026298
    assert int(np.asarray(jax.nn.standardize(x)).view(np.uint32).sum()) == 2207799520056
    assert int(np.asarray(jax.nn.standardize(x, axis=0)).view(np.uint32).sum()) == 2203393812198


def test_interp_trapezoid_polyval_cov_as_jax():
    # values printed by JAX 0.10.2
    x = jnp.array([-10.0, -1.0, 0.5, 2.5, 7.0, 12.0])
    xp, fp = jnp.array([0.0, 1.0, 2.0, 5.0, 10.0]), jnp.array([1.0, 3.0, 2.0, 0.0, 4.0])
    np.testing.assert_allclose(np.asarray(jnp.interp(x, xp, fp, left=-1, right=9.0)), [-1.0, -1.0, 2.0, 1.6666666, 1.6, 9.0], rtol=1e-6)
    np.testing.assert_allclose(np.asarray(jnp.interp(x, xp, fp, left="extrapolate", right="extrapolate")), [-19.0, -1.0, 2.0, 1.6666666, 1.6, 5.6], rtol=1e-6)
    np.testing.assert_allclose(np.asarray(jnp.interp(x, xp, fp, period=7.0)), [2.0, 0.5, 2.0, 3.0, 1.0, 0.0], rtol=1e-6)
    with pytest.raises(ValueError, match="extrapolate"):
        jnp.interp(x, xp, fp, left="bad")
    y = jnp.arange(5.0) ** 2
    assert [float(jnp.trapezoid(y)), float(jnp.trapezoid(y, dx=0.5)), float(jnp.trapezoid(y, x=jnp.array([0.0, 1.0, 3.0, 4.0, 7.0])))] == [22.0, 11.0, 49.5]
    rng = np.random.RandomState(0)
    v = (rng.randn(40, 26) * 3).astype(np.float32)
    # compiled whole as JAX's (sums of all bit patterns JAX printed)
    assert int(np.asarray(jnp.trapezoid(v, axis=1)).view(np.uint32).sum()) == 95150133322
    assert int(np.asarray(jnp.polyval(jnp.array([0.3, -1.2, 2.5, 0.7]), v)).view(np.uint32).sum()) == 2215048717523
    assert int(np.asarray(jnp.cov(v)).view(np.uint32).sum()) == 3452075112092


def test_log10_and_log2_bits_are_jaxs():
    # JAX 0.10.2's bits: log10 is log(x) times float32(1/ln 10), log2 log(x)/log(2) compiled
    x = jnp.array([3.0, 7.0, 123.456, 0.02], jnp.float32)
    for f in (jnp.log10, jax.jit(jnp.log10)):
        assert np.asarray(f(x)).view(np.uint32).tolist() == [1056196925, 1062754393, 1074125654, 3218700250]
    for f in (jnp.log2, jax.jit(jnp.log2)):
        assert np.asarray(f(x)).view(np.uint32).tolist() == [1070260237, 1077128116, 1088312527, 3233061496]
    c = jnp.log10(jnp.array([1 + 1j, -100.0], jnp.complex64))
    np.testing.assert_allclose(np.asarray(c), np.log10(np.array([1 + 1j, -100.0], np.complex64)), rtol=1e-6)


def test_convolve_and_correlate_as_jax():
    a, b = np.array([1 + 2j, 3 - 1j, 0.5j], np.complex64), np.array([2 - 1j, 1j], np.complex64)
    for mode in ("full", "same", "valid"):
        # correlate conjugates its second input (numpy's and JAX's definition)
        np.testing.assert_allclose(np.asarray(jnp.correlate(a, b, mode)), np.correlate(a, b, mode), rtol=1e-6)
        np.testing.assert_allclose(np.asarray(jnp.correlate(b, a, mode)), np.correlate(b, a, mode), rtol=1e-6)
        np.testing.assert_allclose(np.asarray(jnp.convolve(np.arange(5.0), [1.0, 2.0, 3.0], mode)), np.convolve(np.arange(5.0), [1, 2, 3], mode))
    assert jnp.convolve(jnp.arange(4), jnp.arange(3)).dtype == np.float32  # promoted to inexact, as JAX
    with pytest.raises(ValueError, match="only support 1-dimensional"):
        jnp.convolve(jnp.ones((2, 2)), jnp.ones(2))


def test_array_from_a_list_of_arrays_and_tracers():
    # jnp.array([x, 2 * x]) under jit, grad and vmap stacks the elements (JAX's way)
    np.testing.assert_allclose(np.asarray(jax.jit(lambda x: jnp.array([x, 2 * x]))(1.5)), [1.5, 3.0])
    assert float(jax.grad(lambda x: jnp.sum(jnp.array([[x, 1.0], [2.0, x * x]])))(3.0)) == 7.0
    assert jax.vmap(lambda x: jnp.array([x, -x]))(jnp.arange(3.0)).shape == (3, 2)
    assert jnp.array([jnp.int32(1), 2.5]).dtype == np.float32 and jnp.array((jnp.float16(1), 2)).dtype == np.float16
    assert jnp.array([[jnp.ones(2)], [jnp.zeros(2)]]).shape == (2, 1, 2)


def test_linspace_with_traced_or_array_endpoints():
    np.testing.assert_allclose(np.asarray(jax.jit(lambda a: jnp.linspace(0, a, 4))(2.0)), [0, 2 / 3, 4 / 3, 2], rtol=1e-6)
    got = jnp.linspace(jnp.array([0.0, 1.0]), 5.0, 3, dtype=jnp.int32)  # JAX floors for integer dtypes
    assert got.dtype == np.int32 and np.asarray(got).tolist() == [[0, 1], [2, 3], [5, 5]]
