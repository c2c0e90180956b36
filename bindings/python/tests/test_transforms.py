"""jvp, vjp, linearize, jacfwd/jacrev/hessian, vmap with pytree axes,
jit with static_argnames and donation, nn and scipy.special, typeof."""

import numpy as np
import pytest

import jaxcore as jax
import jaxcore.numpy as jnp


def close(a, b, tol=1e-5):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=tol, atol=tol)


def test_jvp_vjp_linearize():
    f = lambda x, y: jnp.sin(x) * y
    y, t = jax.jvp(f, (1.0, 2.0), (1.0, 0.0))
    close(y, np.sin(1.0) * 2)
    close(t, np.cos(1.0) * 2)
    out, vf = jax.vjp(f, 1.0, 2.0)
    gx, gy = vf(1.0)
    close(gx, np.cos(1.0) * 2)
    close(gy, np.sin(1.0))
    _, fj = jax.linearize(jnp.exp, 1.0)
    close(fj(2.0), 2 * np.e)
    # pytrees
    p = {"w": jnp.ones(3), "b": 1.0}
    y, t = jax.jvp(lambda p: jnp.sum(p["w"] * 2) + p["b"], (p,), ({"w": jnp.ones(3), "b": 1.0},))
    close(t, 7.0)


def test_jacobians_and_hessian():
    f = lambda x: jnp.stack([x[0] * x[1], jnp.sin(x[2])])
    x = jnp.array([1.0, 2.0, 0.5])
    want = np.array([[2.0, 1.0, 0.0], [0.0, 0.0, np.cos(0.5)]])
    close(jax.jacfwd(f)(x), want)
    close(jax.jacrev(f)(x), want)
    h = jax.hessian(lambda x: jnp.sum(x ** 3))(x)
    close(h, np.diag(6 * np.asarray(x)))
    ja, jb = jax.jacrev(lambda a, b: a * b, argnums=(0, 1))(jnp.ones(2), jnp.full(2, 3.0))
    close(ja, 3 * np.eye(2))
    close(jb, np.eye(2))


def test_vmap_pytree_axes_and_out_axes():
    d = {"a": jnp.arange(6.0).reshape(2, 3), "b": 2.0}
    out = jax.vmap(lambda d: d["a"] * d["b"], in_axes=({"a": 1, "b": None},))(d)
    close(out, np.arange(6.0).reshape(2, 3).T * 2)
    a, b = jax.vmap(lambda x: (x, x * 2), out_axes=(0, 1))(jnp.ones((2, 3)))
    assert a.shape == (2, 3) and b.shape == (3, 2)
    with pytest.raises(ValueError, match="in_axes"):
        jax.vmap(lambda x, y: x, in_axes=(0, 0, 0))(jnp.ones(2), jnp.ones(2))


def test_jit_static_argnames_and_donation():
    calls = []
    def f(x, n):
        calls.append(n)
        return x * n
    jf = jax.jit(f, static_argnames="n")
    close(jf(jnp.ones(2), n=3), [3.0, 3.0])
    close(jf(jnp.ones(2), n=3), [3.0, 3.0])
    close(jf(jnp.ones(2), n=4), [4.0, 4.0])
    assert calls == [3, 4]
    g = jax.jit(lambda x: x + 1, donate_argnums=0)
    x = jnp.zeros(4)
    close(g(x), np.ones(4))


def test_nn_and_special_against_numpy():
    x = np.array([-2.0, -0.5, 0.0, 0.5, 3.0], np.float32)
    j = jnp.asarray(x)
    close(jax.nn.relu(j), np.maximum(x, 0))
    close(jax.nn.sigmoid(j), 1 / (1 + np.exp(-x)))
    close(jax.nn.softplus(j), np.log1p(np.exp(x)))
    close(jax.nn.silu(j), x / (1 + np.exp(-x)))
    close(jax.nn.gelu(j), 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3))))
    close(jax.nn.gelu(j, approximate=False), [v * 0.5 * (1 + __import__("math").erf(v / np.sqrt(2))) for v in x])
    sm = np.exp(x - x.max()) / np.exp(x - x.max()).sum()
    close(jax.nn.softmax(j), sm)
    close(jax.nn.log_softmax(j), np.log(sm))
    close(jax.nn.logsumexp(j), np.log(np.exp(x).sum()))
    close(jax.scipy.special.logsumexp(jnp.ones((2, 3)), axis=1), np.log(3 * np.e) * np.ones(2))
    close(jax.nn.one_hot(jnp.array([0, 2]), 3), [[1, 0, 0], [0, 0, 1]])
    assert float(jax.grad(jax.nn.relu)(0.0)) == 0.0
    close(jax.grad(lambda v: jnp.sum(jax.nn.softmax(v) * jnp.arange(5.0)))(j),
          sm * (np.arange(5) - (sm * np.arange(5)).sum()))


def test_nn_functions_jax_compiles_keep_weak_types_and_jax_derivatives():
    # JAX jits these, so Python scalars stay weakly typed (~float32[])
    for f in [jax.nn.relu, jax.nn.softplus, jax.nn.sigmoid, jax.nn.silu, jax.nn.elu, jax.nn.hard_tanh, jax.nn.log_sigmoid]:
        assert str(jax.typeof(f(1.0))) == "~float32[]", f.__name__
        assert (f(1.0) + jnp.ones(2, jnp.bfloat16)).dtype == jnp.bfloat16
    assert str(jax.typeof(jax.nn.relu(2))) == "~int32[]" and jax.nn.hard_tanh(jnp.arange(-3, 4)).dtype == np.int32
    # hard_tanh is JAX's where(): derivative 1 at the kinks (clip would give 1/2)
    close(jax.vmap(jax.grad(jax.nn.hard_tanh))(jnp.array([-2.0, -1.0, 0.0, 1.0, 2.0])), [0, 1, 1, 1, 0])
    # log1mexp's derivative is JAX's custom rule 1/expm1(x)
    x = jnp.array([0.1, 0.5, 1.0, 3.0])
    close(jax.vmap(jax.grad(jax.nn.log1mexp))(x), 1 / np.expm1(np.asarray(x)))
    close(jax.nn.logmeanexp(jnp.arange(6.0).reshape(2, 3), axis=1), np.log(np.exp(np.arange(6.0).reshape(2, 3)).mean(1)))


def test_typeof_devices_and_more_numpy():
    assert str(jax.typeof(jnp.ones((2, 3)))) == "float32[2,3]"
    assert jax.typeof(1.0).weak_type
    # JAX's printing: a leading ~ for weak types; str_short names dtypes in full unless asked
    assert str(jax.typeof(jnp.asarray(1.0))) == "~float32[]" and repr(jax.typeof(1.0)) == "ShapedArray(float32[], weak_type=True)"
    assert jax.typeof(jnp.ones((2, 3))).str_short() == "float32[2,3]"
    assert jax.typeof(jnp.ones((2, 3), jnp.int32)).str_short(short_dtypes=True) == "i32[2,3]"
    assert len(jax.devices()) >= 1
    assert jnp.arange(3.0).dtype == np.float32
    a = np.arange(12.0, dtype=np.float32).reshape(3, 4)
    ja = jnp.asarray(a)
    close(jnp.diagonal(ja), np.diagonal(a))
    close(jnp.trace(ja), np.trace(a))
    close(jnp.diag(jnp.array([1.0, 2.0]), 1), np.diag([1.0, 2.0], 1))
    close(jnp.diff(ja, axis=1), np.diff(a, axis=1))
    close(jnp.median(ja, axis=0), np.median(a, axis=0))
    close(jnp.quantile(ja, 0.3), np.quantile(a, 0.3))
    close(jnp.rot90(ja), np.rot90(a))
    close(jnp.kron(jnp.eye(2), ja[:2, :2]), np.kron(np.eye(2), a[:2, :2]))
    close(jnp.searchsorted(jnp.array([1.0, 2.0, 3.0]), jnp.array([0.5, 2.0, 2.5])), np.searchsorted([1.0, 2.0, 3.0], [0.5, 2.0, 2.5]))
    close(jnp.cross(jnp.array([1.0, 0, 0]), jnp.array([0, 1.0, 0])), [0, 0, 1])
    close(jnp.interp(jnp.array([0.5, 1.5]), jnp.array([0.0, 1.0, 2.0]), jnp.array([0.0, 10.0, 0.0])), [5.0, 5.0])
    assert bool(jnp.allclose(ja, a))
    close(jnp.max(ja, axis=1, initial=20.0), np.max(a, axis=1, initial=20.0))
    close(ja.var(axis=0), a.var(axis=0))
    close(jnp.average(ja, axis=1, weights=jnp.arange(4.0)), np.average(a, axis=1, weights=np.arange(4.0)))
    x, y = jnp.meshgrid(jnp.arange(3.0), jnp.arange(2.0))
    nx, ny = np.meshgrid(np.arange(3.0), np.arange(2.0))
    close(x, nx)
    close(y, ny)


def test_pad_histogram_convolve_unique_against_numpy():
    rng = np.random.default_rng(1)
    v = np.arange(5.0, dtype=np.float32)
    for mode in ["constant", "edge", "reflect", "symmetric", "wrap"]:
        close(jnp.pad(jnp.asarray(v), (2, 3), mode=mode), np.pad(v, (2, 3), mode=mode))
    m = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    close(jnp.pad(jnp.asarray(m), ((1, 0), (2, 1)), mode="reflect"), np.pad(m, ((1, 0), (2, 1)), mode="reflect"))
    x = rng.uniform(0, 4, size=50).astype(np.float32)
    for bins in [3, 7, np.array([0.0, 1.0, 2.5, 4.0])]:
        h, e = jnp.histogram(jnp.asarray(x), bins=bins)
        hn, en = np.histogram(x, bins=bins)
        close(h, hn)
        close(e, en)
    close(jnp.bincount(jnp.array([0, 1, 1, 3]), length=5), np.bincount([0, 1, 1, 3], minlength=5))
    for n1, n2 in [(5, 3), (3, 5), (4, 4), (1, 4)]:
        a, k = rng.normal(size=n1).astype(np.float32), rng.normal(size=n2).astype(np.float32)
        for mode in ["full", "same", "valid"]:
            close(jnp.convolve(a, k, mode=mode), np.convolve(a, k, mode=mode))
            close(jnp.correlate(a, k, mode=mode), np.correlate(a, k, mode=mode))
    u = np.array([3, 1, 2, 3, 1, 5])
    for got, want in zip(jnp.unique(u, return_index=True, return_inverse=True, return_counts=True),
                         np.unique(u, return_index=True, return_inverse=True, return_counts=True)):
        close(got, want)
    close(jnp.unique(u, size=6, fill_value=0), [1, 2, 3, 5, 0, 0])
    close(jnp.degrees(jnp.pi), 180.0)
    # out-of-bound reads clamp, out-of-bound updates drop, mode="fill" fills (as JAX)
    assert float(jnp.arange(3.0)[5]) == 2.0
    close(jnp.arange(3.0).at[5].add(1.0), [0.0, 1.0, 2.0])
    close(jnp.arange(4).at[jnp.array([1, 9])].get(mode="fill", fill_value=-1), [1, -1])
    assert np.isnan(np.asarray(jnp.arange(4.0).at[jnp.array([7])].get(mode="fill"))).all()


def test_more_random_matches_jax():
    # values printed by JAX 0.10.2 (CPU) for key(42)
    k = jax.random.key(42)
    r = jax.random
    assert np.asarray(r.randint(k, (6,), 0, 10)).tolist() == [4, 4, 1, 9, 9, 9]
    assert np.asarray(r.randint(k, (3,), -5, 1000000)).tolist() == [278646, 848442, 367222]
    assert np.asarray(r.bernoulli(k, 0.3, (8,))).tolist() == [False] * 6 + [True, False]
    assert np.asarray(r.categorical(k, jnp.array([0.1, 1.0, 2.0, -1.0]), shape=(6,))).tolist() == [2, 1, 1, 1, 1, 2]
    assert np.asarray(r.categorical(k, jnp.log(jnp.ones((3, 5)) / 5.0))).tolist() == [1, 4, 2]
    assert np.asarray(r.permutation(k, 10)).tolist() == [7, 4, 2, 5, 3, 6, 8, 9, 0, 1]
    assert np.asarray(r.permutation(k, jnp.arange(12.0).reshape(4, 3)))[:, 0].tolist() == [6.0, 9.0, 0.0, 3.0]
    assert np.asarray(r.permutation(k, 3000))[:8].tolist() == [2629, 116, 2048, 2566, 2509, 255, 444, 1443]
    assert np.asarray(r.choice(k, 10, (5,))).tolist() == [4, 4, 1, 9, 9]
    assert np.asarray(r.choice(k, 10, (5,), replace=False)).tolist() == [7, 4, 2, 5, 3]
    p = jnp.array([0.1, 0.2, 0.3, 0.2, 0.2])
    assert np.asarray(r.choice(k, 5, (6,), p=p)).tolist() == [2] * 6
    assert np.asarray(r.choice(k, 5, (3,), replace=False, p=p)).tolist() == [2, 1, 3]
    np.testing.assert_allclose(np.asarray(r.gumbel(k, (3,))), [0.3340933918952942, 0.952019453048706, 0.7255305647850037], rtol=3e-7)


# values printed by JAX 0.10.2 (CPU) for PRNGKey(42); each distribution is
# composed of the same streams and operations as jax.random's
_DISTRIBUTIONS = [
    ("laplace", "r.laplace(k, (3,))", [0.022839652374386787, -0.4456535577774048, -0.2646729052066803]),
    ("cauchy", "r.cauchy(k, (3,))", [-0.03548463061451912, 0.6337261199951172, 0.38244056701660156]),
    ("logistic", "r.logistic(k, (3,))", [-0.0451694130897522, 0.7528398036956787, 0.47375231981277466]),
    ("wald", "r.wald(k, 1.5, (3,))", [1.6461201906204224, 2.6983466148376465, 0.3518810272216797]),
    ("geometric", "r.geometric(k, 0.3, (6,))", [3, 2, 2, 2, 3, 2]),
    ("rademacher", "r.rademacher(k, (6,))", [1, -1, -1, -1, 1, -1]),
    ("gamma", "r.gamma(k, 2.5, (3,))", [4.378075122833252, 1.5007864236831665, 4.194111347198486]),
    ("gamma_arr", "r.gamma(k, jnp.array([0.5, 1.0, 3.0]))", [0.9994542002677917, 0.33158406615257263, 4.866050720214844]),
    ("beta", "r.beta(k, 2.0, 3.0, (3,))", [0.4319617748260498, 0.3128182888031006, 0.6368728280067444]),
    ("dirichlet", "r.dirichlet(k, jnp.array([1.0, 2.0, 3.0]))", [0.2647324502468109, 0.13479970395565033, 0.6004677414894104]),
    ("t", "r.t(k, 4.0, (3,))", [0.0862121731042862, -1.2958955764770508, 2.0797083377838135]),
    ("chisquare", "r.chisquare(k, 3.0, (3,))", [5.87071418762207, 1.3978509902954102, 5.559423446655273]),
    ("poisson", "r.poisson(k, 3.0, (6,))", [6, 2, 2, 1, 5, 2]),
    ("poisson_big", "r.poisson(k, jnp.array([0.0, 2.0, 15.0, 40.0]))", [0, 1, 11, 35]),
    ("mvn", "r.multivariate_normal(k, jnp.array([1.0, -1.0]), jnp.array([[2.0, 0.5], [0.5, 1.0]]), (2,))", [0.9599712491035461, -0.5730453729629517, 1.418187141418457, -0.751824140548706]),
    ("truncnorm", "r.truncated_normal(k, -1.0, 2.0, (3,))", [0.14770005643367767, 0.5684449076652527, 0.42102551460266113]),
    ("pareto", "r.pareto(k, 2.0, (3,))", [1.3985118865966797, 1.7672069072723389, 1.6143138408660889]),
    ("maxwell", "r.maxwell(k, (3,))", [0.553582489490509, 0.293285071849823, 1.708603024482727]),
]


@pytest.mark.parametrize("name,expr,want", _DISTRIBUTIONS, ids=[c[0] for c in _DISTRIBUTIONS])
def test_distributions_match_jax(name, expr, want):
    r, k = jax.random, jax.random.key(42)
    got = np.asarray(eval(expr)).ravel()
    if np.issubdtype(got.dtype, np.integer):
        assert got.tolist() == want
    else:
        np.testing.assert_allclose(got, want, rtol=2e-6, atol=1e-6)


def test_gamma_under_jit_and_vmap():
    k = jax.random.key(0)
    eager = jax.random.gamma(k, jnp.array([0.7, 2.0, 5.0]))
    close(jax.jit(lambda kk: jax.random.gamma(kk, jnp.array([0.7, 2.0, 5.0])))(k), eager)
    ks = jax.random.split(k, 3)
    batched = jax.vmap(lambda kk: jax.random.gamma(kk, 2.0, (2,)))(ks)
    for i in range(3):
        close(batched[i], jax.random.gamma(ks[i], 2.0, (2,)))
    # the sample mean of Gamma(a) is a
    assert abs(float(jnp.mean(jax.random.gamma(k, 3.0, (4000,)))) - 3.0) < 0.15


def test_gamma_derivatives_are_jaxs_implicit_ones():
    # d sample / d a along a fixed CDF level (jax.random's rule), values JAX printed
    k = jax.random.PRNGKey(42)
    close(jax.grad(lambda a: jax.random.gamma(k, a))(2.0), 1.4498594, 1e-4)
    close(jax.grad(lambda a: jax.random.gamma(k, a).sum())(jnp.array([0.1, 0.5, 1.0, 3.0, 20.0])),
          [0.44121075, 1.3462015, 1.634306, 0.8545892, 0.9220589], 1e-4)
    close(jax.grad(lambda a: jax.random.beta(k, a, 2.0))(1.5), 0.19320245, 1e-4)
    a, x = jnp.array([0.5, 1.0, 2.0, 5.0]), jnp.array([0.1, 1.0, 3.0, 4.0])
    close(jax.lax.random_gamma_grad(a, x), [0.5097656, 1.1735635, 1.321798, 0.92272604], 1e-4)
    close(jax.lax.igamma_grad_a(a, x), [-0.8229362, -0.43172967, -0.19742535, -0.18026985], 1e-4)
    # igamma_grad_a is the derivative of gammainc in a
    eps = 1e-3
    fd = (jax.scipy.special.gammainc(a + eps, x) - jax.scipy.special.gammainc(a - eps, x)) / (2 * eps)
    close(jax.lax.igamma_grad_a(a, x), fd, 5e-3)


def test_linalg_against_numpy():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(4, 4)).astype(np.float32)
    b = rng.normal(size=(4, 2)).astype(np.float32)
    close(jnp.linalg.solve(a, b), np.linalg.solve(a, b), 1e-4)
    close(jnp.linalg.solve(a, b[:, 0]), np.linalg.solve(a, b[:, 0]), 1e-4)
    close(jnp.linalg.inv(a), np.linalg.inv(a), 1e-4)
    close(jnp.linalg.det(a), np.linalg.det(a), 1e-4)
    s, l = jnp.linalg.slogdet(a)
    ns, nl = np.linalg.slogdet(a)
    close(s, ns)
    close(l, nl, 1e-4)
    spd = a @ a.T + np.eye(4, dtype=np.float32)
    close(jnp.linalg.cholesky(spd), np.linalg.cholesky(spd), 1e-4)
    stack = rng.normal(size=(3, 4, 4)).astype(np.float32)
    close(jnp.linalg.det(stack), np.linalg.det(stack), 1e-4)
    close(jax.jit(jnp.linalg.inv)(stack), np.linalg.inv(stack), 1e-3)
    g = jax.grad(lambda m: jnp.linalg.det(m))(jnp.asarray(a))
    close(g, np.linalg.det(a) * np.linalg.inv(a).T, 1e-3)
    close(jnp.linalg.matrix_power(jnp.asarray(a), 3), a @ a @ a, 1e-4)


def test_scalar_types_tree_and_small_apis():
    x = jnp.float32(3)
    assert x.shape == () and x.dtype == np.float32 and x.dtype == jnp.float32
    assert jnp.asarray(np.float32(2.0)).shape == ()
    assert jnp.int32(7).dtype == np.int32
    close(jnp.clip(jnp.arange(5.0), min=1, max=3), [1, 1, 2, 3, 3])
    assert jax.tree.map(lambda a: a * 2, {"a": 1.0, "b": (2.0,)}) == {"a": 2.0, "b": (4.0,)}
    got = jax.device_get({"a": jnp.ones(2)})
    assert isinstance(got["a"], np.ndarray)
    assert isinstance(jnp.ones(2), jax.Array)


def test_jit_fast_path_retraces_raises_and_reenters():
    f = jax.jit(lambda x: x * 2)
    a = jnp.ones(3)
    f(a), f(a)  # the second call takes the preallocated path
    assert f(jnp.ones(4)).shape == (4,)  # a new shape retraces through it
    close(f(np.ones(2, np.float32)), [2.0, 2.0])  # non-Arrays leave it

    def g(x):
        if x.shape[0] == 5:
            raise ValueError("boom")
        return x + 1
    jg = jax.jit(g)
    jg(a), jg(a)
    with pytest.raises(ValueError, match="boom"):
        jg(jnp.ones(5))
    close(jg(a), [2.0, 2.0, 2.0])

    # a retrace that calls the same jitted function (its buffers are busy)
    def h(x):
        return x if x.ndim == 0 else jh(jnp.sum(x)) + x
    jh = jax.jit(h)
    s = jnp.asarray(1.5)
    jh(s), jh(s)
    close(jh(jnp.arange(3.0)), [3.0, 4.0, 5.0])


def _conv_reference(x, w, strides, pads, lhs_dil, rhs_dil, groups):
    """A direct NCHW/OIHW convolution in numpy (loops over output positions)."""
    n, c, *s = x.shape
    o, i, *k = w.shape
    xs = [(d - 1) * ld + 1 for d, ld in zip(s, lhs_dil)]
    xd = np.zeros((n, c, *xs), x.dtype)
    xd[(slice(None), slice(None)) + tuple(slice(None, None, ld) for ld in lhs_dil)] = x
    xp = np.pad(xd, [(0, 0), (0, 0)] + [(max(lo, 0), max(hi, 0)) for lo, hi in pads])
    xp = xp[(slice(None), slice(None)) + tuple(slice(-min(lo, 0), xp.shape[2 + j] + min(hi, 0)) for j, (lo, hi) in enumerate(pads))]
    ek = [(kk - 1) * r + 1 for kk, r in zip(k, rhs_dil)]
    out = [(p - e) // st + 1 for p, e, st in zip(xp.shape[2:], ek, strides)]
    y = np.zeros((n, o, *out), np.float64)
    og = o // groups
    for pos in np.ndindex(*out):
        win = xp[(slice(None), slice(None)) + tuple(slice(p * st, p * st + e, r) for p, st, e, r in zip(pos, strides, ek, rhs_dil))]
        for g in range(groups):
            y[(slice(None), slice(g * og, (g + 1) * og)) + pos] = np.einsum(
                "nck,ock->no", win[:, g * i:(g + 1) * i].reshape(n, i, -1), w[g * og:(g + 1) * og].reshape(og, i, -1))
    return y


def test_conv_general_dilated_against_numpy():
    from jaxcore import lax
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 4, 7, 6)).astype(np.float32)
    w = rng.normal(size=(6, 2, 3, 2)).astype(np.float32)
    for strides, padding, lhs_dil, rhs_dil in [((1, 1), "VALID", (1, 1), (1, 1)), ((2, 1), "SAME", (1, 1), (1, 2)),
                                               ((1, 2), [(1, 2), (0, -1)], (2, 1), (1, 1))]:
        got = lax.conv_general_dilated(x, w, strides, padding, lhs_dil, rhs_dil, feature_group_count=2)
        if padding == "SAME":
            pads = lax.padtype_to_pads(x.shape[2:], [(kk - 1) * r + 1 for kk, r in zip(w.shape[2:], rhs_dil)], strides, "SAME")
        elif padding == "VALID":
            pads = [(0, 0), (0, 0)]
        else:
            pads = padding
        close(got, _conv_reference(x, w, strides, pads, lhs_dil, rhs_dil, 2), 1e-4)
    # layouts: NHWC/HWIO equals the NCHW result transposed
    got = lax.conv_general_dilated(x.transpose(0, 2, 3, 1), w[:, :, :, :].transpose(2, 3, 1, 0)[:, :, :, :],
                                   (1, 1), "VALID", dimension_numbers=("NHWC", "HWIO", "NHWC"), feature_group_count=2)
    close(got, _conv_reference(x, w, (1, 1), [(0, 0), (0, 0)], (1, 1), (1, 1), 2).transpose(0, 2, 3, 1), 1e-4)
    # the gradient with respect to the kernel against central differences
    xs, ws = x[:1, :2, :4, :4].astype(np.float64), w[:2, :, :2, :2]
    f = lambda v: jnp.sum(jnp.tanh(lax.conv(xs.astype(np.float32), v, (1, 1), "SAME")))
    g = np.asarray(jax.grad(f)(jnp.asarray(ws)))
    eps = 1e-2
    for idx in [(0, 0, 0, 0), (1, 1, 1, 0), (0, 1, 0, 1)]:
        e = np.zeros_like(ws)
        e[idx] = eps
        fd = (float(f(jnp.asarray(ws + e))) - float(f(jnp.asarray(ws - e)))) / (2 * eps)
        assert abs(g[idx] - fd) < 2e-2 * max(1.0, abs(fd))
    with pytest.raises(TypeError, match="feature_group_count"):
        lax.conv_general_dilated(x, w, (1, 1), "VALID")


def test_conv_general_dilated_is_xlas_convolution_with_jaxs_rules():
    from jaxcore import lax
    # bits JAX 0.10.2 printed for the same inputs (XLA's convolution kernel,
    # JAX's transpose rules for the gradient)
    rng = np.random.default_rng(5)
    x = rng.normal(size=(2, 3, 9, 9)).astype(np.float32)
    w = rng.normal(size=(4, 3, 3, 3)).astype(np.float32)
    conv = lambda x, w: lax.conv_general_dilated(x, w, (2, 1), "SAME", rhs_dilation=(1, 2))
    y = conv(x, w)
    assert y.shape == (2, 4, 5, 9)
    assert np.asarray(y)[1, 2, 3, :6].view(np.uint32).tolist() == [1066706251, 1092276488, 3236947967, 3218630857, 3230026057, 1066613933]
    gx, gw = jax.grad(lambda x, w: jnp.sum(jnp.tanh(conv(x, w))), argnums=(0, 1))(x, w)
    assert np.asarray(gx)[0, 1, 4, :4].view(np.uint32).tolist() == [3220651340, 3213542096, 3226511638, 3225920484]
    assert np.asarray(gw)[3, 2, 1].view(np.uint32).tolist() == [1066497962, 1081083426, 1074815443]
    xb, wb = rng.normal(size=(4, 2, 5, 5)).astype(np.float32), rng.normal(size=(6, 2, 2, 2)).astype(np.float32)
    yb = lax.conv_general_dilated(xb, wb, (1, 1), "VALID", batch_group_count=2)
    assert yb.shape == (2, 6, 4, 4)
    assert np.asarray(yb)[1, 4, 2, :].view(np.uint32).tolist() == [1077462852, 3209038874, 1041988954, 1065399223]
    v = jax.vmap(lambda a, b: lax.conv_general_dilated(a[None], b, (1, 1), "SAME")[0], in_axes=(0, None))(x, w)
    assert np.asarray(v)[1, 3, 5, :3].view(np.uint32).tolist() == [3211930078, 3217326892, 3237803941]
    # batch groups: each half of the batch meets its half of the kernels
    ref = np.concatenate([_conv_reference(xb[2 * g:2 * g + 2], wb[3 * g:3 * g + 3], (1, 1), [(0, 0), (0, 0)], (1, 1), (1, 1), 1) for g in range(2)], axis=1)
    close(yb, ref, 1e-5)


def test_more_activations_and_attention_against_numpy():
    x = np.linspace(-3, 3, 13).astype(np.float32)
    sp = np.log1p(np.exp(x))
    close(jax.nn.selu(x), 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * np.expm1(x)))
    close(jax.nn.celu(x, 0.5), np.maximum(x, 0) + 0.5 * np.expm1(np.minimum(x, 0) / 0.5))
    close(jax.nn.mish(x), x * np.tanh(sp))
    close(jax.nn.hard_silu(x), x * np.clip(x + 3, 0, 6) / 6)
    close(jax.nn.squareplus(x), (x + np.sqrt(x * x + 4)) / 2)
    close(jax.nn.glu(x[:12].reshape(3, 4)), x[:12].reshape(3, 4)[:, :2] / (1 + np.exp(-x[:12].reshape(3, 4)[:, 2:])))
    close(jax.nn.log1mexp(np.array([0.1, 3.0], np.float32)), np.log(1 - np.exp(-np.array([0.1, 3.0]))))
    rng = np.random.default_rng(0)
    q = rng.normal(size=(2, 5, 4, 8)).astype(np.float32)
    k = rng.normal(size=(2, 5, 2, 8)).astype(np.float32)
    v = rng.normal(size=(2, 5, 2, 8)).astype(np.float32)
    # reference: each query head h attends with key/value head h // 2
    kk, vv = np.repeat(k, 2, axis=2), np.repeat(v, 2, axis=2)
    logits = np.einsum("btnh,bsnh->bnts", q, kk) / np.sqrt(8)
    logits = np.where(np.tril(np.ones((5, 5), bool)), logits, -1e30)
    p = np.exp(logits - logits.max(-1, keepdims=True))
    p /= p.sum(-1, keepdims=True)
    close(jax.nn.dot_product_attention(q, k, v, is_causal=True), np.einsum("bnts,bsnh->btnh", p, vv), 1e-4)


def test_more_special_against_reference():
    import math
    import jaxcore.scipy.special as sp
    x = np.array([-2.5, -0.5, 0.3, 1.0, 2.5, 7.0], np.float32)
    close(sp.gamma(x), [math.gamma(float(v)) for v in x], 1e-4)
    close(sp.betaln(2.0, 3.0), math.lgamma(2) + math.lgamma(3) - math.lgamma(5))
    close(sp.ndtr(x), [0.5 * math.erfc(-float(v) / math.sqrt(2)) for v in x])
    close(sp.ndtri(sp.ndtr(x[1:5])), x[1:5], 1e-4)
    close(sp.log_ndtr(np.array([-30.0, -8.0, 1.0], np.float32)), [-454.321142, math.log(0.5 * math.erfc(8 / math.sqrt(2))), math.log(0.5 * math.erfc(-1 / math.sqrt(2)))], 1e-4)
    close(sp.comb(np.array([5.0, 10.0]), np.array([2.0, 3.0])), [10.0, 120.0], 1e-4)
    close(sp.kl_div(np.array([0.5, 1.0]), np.array([0.25, 3.0])), [0.5 * math.log(2) - 0.25, math.log(1 / 3) + 2])


def test_reduce_window_reduce_and_associative_scan_against_numpy():
    from jaxcore import lax
    rng = np.random.default_rng(5)
    x = rng.normal(size=(2, 6, 8, 3)).astype(np.float32)
    pooled = lax.reduce_window(x, -np.inf, lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")
    close(pooled, x.reshape(2, 3, 2, 4, 2, 3).max(axis=(2, 4)))
    summed = lax.reduce_window(x, 0.0, lax.add, (1, 3, 1, 1), (1, 1, 1, 1), [(0, 0), (1, 1), (0, 0), (0, 0)])
    xp = np.pad(x, [(0, 0), (1, 1), (0, 0), (0, 0)])
    close(summed, xp[:, :-2] + xp[:, 1:-1] + xp[:, 2:], 1e-5)
    # the gradient of a max pool routes each window's cotangent to its maximum
    g = np.asarray(jax.grad(lambda v: jnp.sum(lax.reduce_window(v, -np.inf, lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")))(x))
    assert g.sum() == 2 * 3 * 4 * 3 and set(np.unique(g)) <= {0.0, 1.0}
    close(lax.reduce(x, 1.0, lambda a, b: a * 0.5 + b, (1,)), _fold(x, 1))
    close(lax.associative_scan(jnp.add, x, axis=1), np.cumsum(x, axis=1), 1e-5)
    close(lax.associative_scan(jnp.maximum, x[0, :, 0, 0], reverse=True), np.maximum.accumulate(x[0, ::-1, 0, 0])[::-1])
    a, b = np.full(7, 0.9, np.float32), x[0, :, 0, 0][:6].tolist() + [1.0]
    h, ref = lax.associative_scan(lambda p, q: (p[0] * q[0], p[1] * q[0] + q[1]), (a, np.array(b, np.float32)))[1], []
    acc = 0.0
    for v in b:
        acc = acc * 0.9 + v
        ref.append(acc)
    close(h, ref, 1e-5)


def _fold(x, axis):
    acc = np.ones(np.delete(x.shape, axis), np.float32)
    for j in range(x.shape[axis]):
        acc = acc * 0.5 + np.take(x, j, axis=axis)
    return acc


def test_tree_paths_dataclasses_and_transpose():
    import collections
    import dataclasses
    import jaxcore.tree_util as tu
    P = collections.namedtuple("P", ["w", "b"])
    t = {"layers": [P(1, 2), P(3, None)], "scale": (4.0,)}
    got = [(tu.keystr(p), x) for p, x in tu.tree_leaves_with_path(t)]
    assert got == [("['layers'][0].w", 1), ("['layers'][0].b", 2), ("['layers'][1].w", 3), ("['scale'][0]", 4.0)]
    assert jax.tree.map_with_path(lambda p, x: len(p) * 10 + x, t)["layers"][1] == P(33, None)
    assert tu.tree_transpose(tu.tree_structure([0, 0]), tu.tree_structure((0, 0, 0)), [(1, 2, 3), (4, 5, 6)]) == ([1, 4], [2, 5], [3, 6])

    @dataclasses.dataclass
    class D:
        x: float
        y: float
        n: int = dataclasses.field(metadata=dict(static=True), default=3)
    tu.register_dataclass(D)
    assert jax.tree.leaves(D(1.0, 2.0)) == [1.0, 2.0]
    assert jax.tree.map(lambda v: v * 2, D(1.0, 2.0, 5)) == D(2.0, 4.0, 5)
    g = jax.grad(lambda d: d.x * d.y)(D(jnp.asarray(3.0), jnp.asarray(4.0)))
    assert float(g.x) == 4.0 and float(g.y) == 3.0


def test_top_level_extras():
    out = jax.eval_shape(lambda x, y: (x @ y, jnp.sum(x)), jax.ShapeDtypeStruct((3, 4), jnp.float32), jnp.ones((4, 2)))
    assert out[0].shape == (3, 2) and out[1].shape == () and str(out[0].dtype) == "float32"
    calls = []
    f = jax.jit(lambda x: calls.append(1) or x * 2)
    with jax.disable_jit():
        f(jnp.arange(3.0))
        f(jnp.arange(3.0))
    assert len(calls) == 2  # run op by op: traced on every call
    jax.config.update("jax_platform_name", "cpu")
    with pytest.raises(AttributeError, match="Unrecognized config option"):
        jax.config.update("jax_no_such_option", 1)

    @jax.custom_gradient
    def clip_grad(x):
        return x * 2, lambda g: (jnp.clip(g, -1.0, 1.0),)
    close(jax.grad(lambda x: jnp.sum(clip_grad(x) * 5.0))(jnp.arange(3.0)), [1.0, 1.0, 1.0])
    close(jax.linear_transpose(lambda x: 2 * x + jnp.roll(x, 1), jnp.zeros(3))(jnp.array([1.0, 2.0, 3.0]))[0], [4.0, 7.0, 7.0])
    close(jax.pure_callback(np.sin, jax.ShapeDtypeStruct((3,), jnp.float32), jnp.arange(3.0)), np.sin(np.arange(3.0)))


def test_scipy_stats_against_formulas():
    import math
    from jaxcore.scipy import stats as st
    x = np.array([-1.5, 0.0, 0.9, 2.5], np.float32)
    close(st.norm.logpdf(x, 0.5, 2.0), -0.5 * ((x - 0.5) / 2) ** 2 - math.log(2.0) - 0.5 * math.log(2 * math.pi))
    close(st.norm.cdf(x), [0.5 * (1 + math.erf(float(v) / math.sqrt(2))) for v in x])
    close(st.norm.ppf(st.norm.cdf(x[:3])), x[:3], 1e-4)
    pos = np.array([0.5, 1.0, 4.0], np.float32)
    close(st.gamma.logpdf(pos, 2.5), [(2.5 - 1) * math.log(v) - v - math.lgamma(2.5) for v in pos])
    close(st.poisson.pmf(np.array([0.0, 2.0, 5.0]), 2.5), [math.exp(-2.5) * 2.5 ** k / math.factorial(k) for k in (0, 2, 5)])
    assert float(st.poisson.logpmf(1.5, 2.0)) == -np.inf
    cov = np.array([[2.0, 0.5], [0.5, 1.0]])
    pts = np.array([[0.1, 0.2], [1.0, -1.0]])
    d = pts - np.array([0.5, -0.5])
    want = -0.5 * np.einsum("ni,ij,nj->n", d, np.linalg.inv(cov), d) - 0.5 * np.log(np.linalg.det(cov)) - np.log(2 * np.pi)
    close(st.multivariate_normal.logpdf(pts.astype(np.float32), np.array([0.5, -0.5], np.float32), cov.astype(np.float32)), want, 1e-4)
    close(jax.grad(lambda m: st.norm.logpdf(1.0, m, 2.0))(0.0), 0.25)


def test_small_lax_helpers_and_sort_options():
    from jaxcore import lax
    x = jnp.array([[3.0, 1.0, 3.0, 2.0], [0.0, 5.0, 5.0, 1.0]])
    v, i = lax.top_k(x, 2)
    close(v, [[3, 3], [5, 5]])
    assert np.asarray(i).tolist() == [[0, 2], [1, 2]]  # ties: the lower index first
    assert np.asarray(jnp.argsort(x, axis=1, descending=True)).tolist() == [[0, 2, 3, 1], [1, 2, 3, 0]]
    close(jnp.sort(x, axis=1, descending=True), -np.sort(-np.asarray(x), axis=1))
    assert np.asarray(jnp.where(jnp.array([0, 1, 1]), size=2)[0]).tolist() == [1, 2]
    assert [p.shape for p in lax.split(jnp.ones((3, 4)), (1, 3), axis=1)] == [(3, 1), (3, 3)]
    close(lax.dynamic_update_index_in_dim(jnp.ones((3, 2)), jnp.zeros(2), 1, 0), [[1, 1], [0, 0], [1, 1]])
    close(lax.reduce_xor(jnp.array([[1, 2], [3, 4]], dtype=jnp.int32), (1,)), [3, 7])
    close(lax.collapse(jnp.ones((2, 3, 4)), 1).shape, (2, 12))
    close(lax.reciprocal(jnp.array([2.0, 4.0])), [0.5, 0.25])


def test_initializers_match_jax():
    # values printed by JAX 0.10.2 for PRNGKey(7)
    k, I = jax.random.key(7), jax.nn.initializers
    close(I.glorot_normal()(k, (2, 3)).ravel(), [0.3087109327316284, 1.204251766204834, -0.35282623767852783, -0.09669744223356247, 0.41988056898117065, 0.22905078530311584])
    close(I.he_uniform()(k, (2, 3)).ravel(), [0.6030651330947876, 1.6441210508346558, -0.682969868183136, -0.19413337111473083, 0.7998145818710327, 0.4535534083843231])
    close(I.orthogonal()(k, (3, 2)).ravel(), [0.48973512649536133, 0.8697620034217834, -0.5602856278419495, 0.36721739172935486, 0.6680116653442383, -0.3296443819999695])


def test_segment_reductions_against_numpy():
    d = np.arange(12.0, dtype=np.float32).reshape(6, 2)
    ids = np.array([0, 2, 2, 1, 0, 4])
    want = np.zeros((5, 2), np.float32)
    np.add.at(want, ids, d)
    close(jax.ops.segment_sum(d, ids), want)
    mx = np.full((6, 2), -np.inf, np.float32)
    np.maximum.at(mx, ids, d)
    close(jax.ops.segment_max(d, ids, num_segments=6), mx)
    close(jax.grad(lambda x: jnp.sum(jax.ops.segment_sum(x, ids, 5) ** 2))(d), 2 * want[ids])


def test_image_resize_matches_jax_and_interpolation():
    x = jnp.arange(6.0).reshape(1, 6) ** 2
    # values printed by JAX 0.10.2
    close(jax.image.resize(x, (1, 4), "linear").ravel(), [0.3750000298023224, 3.555555820465088, 10.777778625488281, 21.625001907348633])
    close(jax.image.resize(x, (1, 4), "cubic", antialias=False).ravel(), [0.12408759444952011, 3.0625, 10.5625, 23.445255279541016])
    close(jax.image.resize(x, (1, 9), "lanczos3").ravel(), [-0.006579458713531494, 0.2591687738895416, 1.3258672952651978, 3.4372406005859375, 6.250000476837158, 9.823954582214355, 14.297760009765625, 21.542787551879883, 25.629369735717773], 1e-4)
    # linear upsampling is interpolation at half-pixel centres
    v = np.array([0.0, 1.0, 4.0, 9.0], np.float32)
    centres = (np.arange(8) + 0.5) * 4 / 8 - 0.5
    close(jax.image.resize(v, (8,), "bilinear"), np.interp(centres, np.arange(4), v))
    close(jax.image.resize(v, (8,), "nearest"), v[np.floor((np.arange(8) + 0.5) * 4 / 8).astype(int)])
    a, b = np.random.default_rng(0).normal(size=(3, 4, 5)), np.random.default_rng(1).normal(size=(5, 4, 2))
    close(jnp.tensordot(a.astype(np.float32), b.astype(np.float32), axes=([1, 2], [1, 0])), np.tensordot(a, b, axes=([1, 2], [1, 0])), 1e-4)


def test_random_array_bounds_split_shapes_and_half_precision_match_jax():
    # values printed by JAX 0.10.2
    k = jax.random.PRNGKey(9)
    assert np.asarray(jax.random.randint(k, (2, 3), jnp.array([0, -5, 100]), 1000)).tolist() == [[577, 796, 144], [693, 773, 874]]
    assert np.asarray(jax.random.randint(k, (4,), 0, jnp.array([3, 2 ** 31 - 1, 10, 0]))).tolist() == [0, 1002075809, 4, 0]
    k5 = jax.random.PRNGKey(5)
    close(jax.random.uniform(k5, (3,), minval=jnp.array([0.0, 1.0, 2.0]), maxval=jnp.array([1.0, 2.0, 4.0])), [0.46637988, 1.920881, 3.4716203])
    assert np.asarray(jax.random.normal(k5, (2,), jnp.float16)).tolist() == [np.float16(0.4512), np.float16(1.083)]
    assert jax.random.split(k5, (2, 2)).shape == (2, 2, 2)
    close(jax.random.uniform(k5, 2), [0.46637988, 0.92088103])


def test_keyword_arguments_through_transforms():
    # grad/jacobians pass keyword arguments through; vmap maps them over axis 0 (as JAX)
    assert float(jax.grad(lambda x, y=2.0: x * y)(3.0, y=4.0)) == 4.0
    np.testing.assert_allclose(np.asarray(jax.jacfwd(lambda x, *, s: x * s)(jnp.arange(2.0), s=3.0)), 3 * np.eye(2))
    np.testing.assert_allclose(np.asarray(jax.vmap(lambda x, *, y: x * y)(jnp.arange(3.0), y=jnp.arange(3.0))), [0, 1, 4])
    np.testing.assert_allclose(np.asarray(jax.vmap(lambda: 1.0, axis_size=3)()), [1, 1, 1])


def test_typed_keys_and_traced_seeds_as_jax():
    # values printed by JAX 0.10.2
    k = jax.random.key(0)
    assert k.shape == () and str(k.dtype) == "key<fry>" and k.ndim == 0
    assert repr(k) == "Array((), dtype=key<fry>) overlaying:\n[0 0]"
    assert jax.dtypes.issubdtype(k.dtype, jax.dtypes.prng_key)
    assert not jax.dtypes.issubdtype(k.dtype, jnp.floating)
    ks = jax.random.split(k, 3)
    assert ks.shape == (3,) and len(ks) == 3 and ks[1:].shape == (2,) and ks.reshape(3, 1).shape == (3, 1)
    want = [[1797259609, 2579123966], [928981903, 3453687069], [4146024105, 2718843009]]
    assert np.asarray(jax.random.key_data(ks)).tolist() == want
    a, b, c = ks
    assert np.asarray(jax.random.key_data(b)).tolist() == want[1]
    close(jax.random.normal(ks[1], (2,)), [-2.4424558, -2.0356805])
    close(jax.vmap(lambda kk: jax.random.uniform(kk))(ks), [0.8423141, 0.00729382, 0.9024495])
    assert jax.jit(lambda kk: jax.random.split(kk))(k).shape == (2,)
    assert jax.random.split(k, (2, 2)).shape == (2, 2)
    assert np.asarray(jax.random.key_data(jax.random.fold_in(k, 3))).tolist() == [2467461003, 3840466878]
    assert np.asarray(jax.random.key_data(jax.random.wrap_key_data(jnp.array([0, 42], jnp.uint32)))).tolist() == [0, 42]
    with pytest.raises(TypeError, match="key_data"):
        np.asarray(k)

    def step(carry, _):
        k1, k2 = jax.random.split(carry)
        return k1, jax.random.normal(k2)
    close(jax.lax.scan(step, k, None, length=3)[1], [-2.4424558, -1.2574776, -1.3877681])
    # fold_in data and PRNGKey seeds may be traced
    raw = jax.random.PRNGKey(0)
    assert np.asarray(jax.jit(lambda kk, i: jax.random.fold_in(kk, i))(raw, 3)).tolist() == [2467461003, 3840466878]
    assert np.asarray(jax.vmap(lambda i: jax.random.fold_in(raw, i))(jnp.arange(3))).tolist() == want
    close(jax.lax.fori_loop(0, 3, lambda i, s: s + jax.random.normal(jax.random.fold_in(raw, i)), 0.0), -0.1428054)
    assert np.asarray(jax.random.fold_in(raw, jnp.uint32(2 ** 32 - 1))).tolist() == [743310391, 3789761811]
    assert np.asarray(jax.vmap(jax.random.PRNGKey)(jnp.arange(3))).tolist() == [[0, 0], [0, 1], [0, 2]]
    assert np.asarray(jax.jit(jax.random.PRNGKey)(7)).tolist() == [0, 7]
    assert np.asarray(jax.random.PRNGKey(-1)).tolist() == [0, 4294967295]


def test_python_control_flow_on_values_under_grad_as_jax():
    # JAX's tracers under grad/jvp/vjp (outside jit) carry their values
    def f(x):
        if x < 3:
            return 3. * x ** 2
        return -4 * x
    assert float(jax.grad(f)(2.)) == 12.0 and float(jax.grad(f)(4.)) == -4.0
    assert float(jax.jvp(f, (2.,), (1.,))[1]) == 12.0
    assert float(jax.vjp(f, 4.)[1](1.)[0]) == -4.0
    assert float(jax.hessian(f)(2.)) == 6.0 and float(jax.grad(jax.grad(f))(4.)) == 0.0
    assert float(jax.jacfwd(f)(2.)) == 12.0 and float(jax.jacrev(f)(2.)) == 12.0
    assert float(jax.linearize(f, 2.)[1](1.)) == 12.0

    def halve(x):
        while x > 1.:
            x = x / 2
        return x
    assert float(jax.grad(halve)(10.)) == 0.0625
    close(jax.grad(lambda x: x[int(jnp.argmax(x))])(jnp.array([1., 5., 2.])), [0., 1., 0.])
    assert float(jax.grad(lambda x: x * x.item())(3.)) == 3.0
    assert float(jax.grad(lambda x, n: x * n if n > 1 else x)(2., 3)) == 3.0
    np.testing.assert_allclose(float(jax.grad(lambda p: jnp.roots(p).real.sum())(jnp.array([1., -3., 2.]))[0]), -3.0, rtol=1e-5)
    # float() refuses every tracer; jit and vmap keep values abstract (JAX's errors)
    with pytest.raises(jax.errors.ConcretizationTypeError):
        jax.grad(lambda x: x * float(x))(3.)
    with pytest.raises(jax.errors.TracerBoolConversionError):
        jax.jit(jax.grad(f))(2.)
    with pytest.raises(jax.errors.TracerBoolConversionError):
        jax.vmap(jax.grad(f))(jnp.array([2., 4.]))


def test_key_paths_of_registered_nodes_as_jax():
    import dataclasses
    tu = jax.tree_util

    @dataclasses.dataclass
    class P:
        w: float
        b: float
    tu.register_dataclass(P, data_fields=["w", "b"], meta_fields=[])
    paths = [tu.keystr(p) for p, _ in tu.tree_flatten_with_path({"p": P(1., 2.), "l": [3, (4,)]})[0]]
    assert paths == ["['l'][0]", "['l'][1][0]", "['p'].w", "['p'].b"]

    class Box:
        def __init__(self, a, b):
            self.a, self.b = a, b
    tu.register_pytree_with_keys(Box, lambda x: (((tu.GetAttrKey("a"), x.a), (tu.GetAttrKey("b"), x.b)), None),
                                 lambda _, c: Box(*c))
    assert [tu.keystr(p) for p, _ in tu.tree_flatten_with_path(Box(1, [2]))[0]] == [".a", ".b[0]"]
    kids, _ = tu.flatten_one_level_with_keys({"a": 1, "b": [2]})
    assert [tu.keystr((k,)) for k, _ in kids] == ["['a']", "['b']"]


def test_argument_passing_as_jax():
    # grad traces only the differentiated arguments: the others arrive as they are
    assert float(jax.grad(jax.jit(lambda x, n: x ** n, static_argnums=1))(2., 3)) == 12.0
    for t in (jax.jacfwd, jax.jacrev, jax.hessian):
        assert float(t(jax.jit(lambda x, n: x ** n, static_argnums=1))(2., 3)) == 12.0  # 3x², 6x at 2
    with pytest.raises(TypeError, match="argnums=1 requires at least 2"):
        jax.grad(lambda x: x, argnums=1)(1.)
    assert float(jax.grad(lambda x, y: x * y, argnums=-1)(2., 3.)) == 2.0
    # jit of functions with **kwargs, keyword-only and defaulted parameters
    assert float(jax.jit(lambda x, **kw: x * kw["s"])(2., s=3.)) == 6.0
    assert float(jax.jit(lambda x, *, n=2: x ** n, static_argnames="n")(3., n=3)) == 27.0
    assert float(jax.jit(lambda *xs: sum(xs))(1., 2., 3.)) == 6.0
    # Python ints must fit the default integer type (JAX's OverflowError)
    with pytest.raises(OverflowError):
        jnp.asarray(2 ** 40)
    with pytest.raises(OverflowError):
        jnp.array([1, 2 ** 40])
    with pytest.raises(OverflowError):
        jax.jit(lambda x: x)(2 ** 31)
    assert int(jnp.asarray(2 ** 31 - 1)) == 2 ** 31 - 1


def test_has_aux_values_and_holomorphic_derivatives_as_jax():
    f = lambda x: (jnp.sum(x ** 2), {"n": 3, "s": "str", "v": x * 2})
    x = jnp.arange(2.0)
    for aux in [jax.grad(f, has_aux=True)(x)[1], jax.jvp(f, (x,), (x,), has_aux=True)[2],
                jax.vjp(f, x, has_aux=True)[2], jax.jacrev(f, has_aux=True)(x)[1], jax.jacfwd(f, has_aux=True)(x)[1]]:
        # array leaves come back as arrays (not tracers), other leaves as they were
        assert aux["n"] == 3 and aux["s"] == "str"
        close(aux["v"], [0.0, 2.0])
    y, pullback, aux = jax.vjp(lambda t: (t * 2, t + 1), 1.0, has_aux=True)
    close(pullback(1.0)[0], 2.0)
    close(aux, 2.0)
    # holomorphic derivatives: f'(z), values JAX printed
    z = jnp.array(1.0 + 2.0j, jnp.complex64)
    close(jax.grad(lambda t: t ** 2, holomorphic=True)(z), 2 + 4j)
    close(jax.grad(lambda t: jnp.sin(t) * jnp.exp(t), holomorphic=True)(z), -3.180708885192871 + 14.08488655090332j)
    v, g = jax.value_and_grad(lambda t: t ** 3, holomorphic=True)(z)
    close(v, -11 - 2j)
    close(g, -9 + 12j)
    close(jax.jacrev(lambda t: t ** 2, holomorphic=True)(jnp.array([z, z])), np.diag([2 + 4j, 2 + 4j]))
    with pytest.raises(TypeError, match="complex dtype"):
        jax.grad(lambda t: t ** 2, holomorphic=True)(1.0)


def test_ordered_and_default_dicts_are_jaxs_nodes():
    import collections
    od = collections.OrderedDict([("b", 1), ("a", 2)])
    assert jax.tree_util.tree_leaves(od) == [1, 2]  # insertion order
    assert jax.tree_util.tree_map(lambda v: v * 10, od) == collections.OrderedDict([("b", 10), ("a", 20)])
    assert [jax.tree_util.keystr(p) for p, _ in jax.tree_util.tree_flatten_with_path(od)[0]] == ["['b']", "['a']"]
    dd = collections.defaultdict(list, {"b": 1, "a": 2})
    out = jax.tree_util.tree_map(lambda v: v + 1, dd)
    assert jax.tree_util.tree_leaves(dd) == [2, 1] and isinstance(out, collections.defaultdict) and out["z"] == []
    p = jax.tree_util.Partial(jnp.add, 2.0)
    assert repr(p).startswith("Partial(") and float(jax.jit(lambda f, v: f(v))(p, 3.0)) == 5.0


def test_weak_types_of_derivatives_as_jax():
    # what JAX 0.10 gives for a Python-scalar primal (weak) and float32 ones
    two, one = jnp.asarray(2.0, jnp.float32), jnp.asarray(1.0, jnp.float32)
    f, g = (lambda t: t * two), (lambda t: t * 2.0)
    got = [[r.weak_type for r in [jax.jacfwd(h)(1.0), jax.jacrev(h)(1.0), jax.jacfwd(h)(one), jax.jacrev(h)(one),
                                   jax.vjp(h, 1.0)[1](one)[0], jax.vjp(h, 1.0)[1](1.0)[0], jax.vjp(h, one)[1](1.0)[0],
                                   jax.grad(h)(1.0)]] for h in (f, g)]
    assert got == [[False, True, False, False, True, True, False, True],
                   [True, True, False, False, False, True, False, True]]
    assert jax.hessian(lambda t: t ** 3)(1.0).weak_type and not jax.lax.stop_gradient(1.0).weak_type
