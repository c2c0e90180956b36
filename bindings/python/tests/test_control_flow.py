"""lax control flow and custom derivatives from Python: each checked
against plain Python loops / both branches / numpy, under grad, vmap, jit."""

import numpy as np
import pytest

import jaxcore as jax
import jaxcore.numpy as jnp
from jaxcore import lax


def close(a, b, tol=1e-5):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=tol, atol=tol)


def test_cond_both_branches_grad_vmap_jit():
    f = lambda x: lax.cond(x > 0, lambda v: jnp.sin(v) * 2, lambda v: v ** 3, x)
    for x in [0.7, -0.4]:
        want = np.sin(x) * 2 if x > 0 else x ** 3
        dwant = 2 * np.cos(x) if x > 0 else 3 * x ** 2
        close(f(x), want)
        close(jax.grad(f)(x), dwant)
        close(jax.jit(jax.grad(f))(x), dwant)
    xs = jnp.array([0.7, -0.4, 1.5, -2.0])
    close(jax.vmap(jax.grad(f))(xs), [jax.grad(f)(float(x)) for x in np.asarray(xs)])
    # pytree operands and outputs
    out = lax.cond(False, lambda d: {"a": d["x"] + 1, "b": d["y"]}, lambda d: {"a": d["x"] - 1, "b": d["y"] * 2}, {"x": 1.0, "y": jnp.ones(2)})
    close(out["a"], 0.0)
    close(out["b"], [2.0, 2.0])
    with pytest.raises(TypeError, match="true_fun and false_fun output must have identical types"):
        lax.cond(True, lambda x: x, lambda x: jnp.stack([x, x]), 1.0)


def test_switch_clamps_like_jax():
    branches = [lambda x: x, lambda x: x * 10, lambda x: x * 100]
    assert [float(lax.switch(i, branches, 1.0)) for i in (-5, 0, 1, 2, 7)] == [1.0, 1.0, 10.0, 100.0, 100.0]
    close(jax.grad(lambda x: lax.switch(1, branches, x))(3.0), 10.0)


def test_while_loop_vmap_grad_and_errors():
    def newton(a):
        return lax.while_loop(lambda c: jnp.abs(c * c - a) > 1e-6, lambda c: 0.5 * (c + a / c), a)
    for a in [2.0, 9.0, 0.3]:
        close(newton(a), np.sqrt(a))
        close(jax.grad(newton)(a), 0.5 / np.sqrt(a), 1e-4)
    xs = jnp.array([2.0, 9.0, 0.3, 100.0])
    close(jax.vmap(newton)(xs), np.sqrt(np.asarray(xs)))
    close(jax.jit(jax.vmap(jax.grad(newton)))(xs), 0.5 / np.sqrt(np.asarray(xs)), 1e-4)
    i, v = lax.while_loop(lambda c: c[0] < 10, lambda c: (c[0] + 1, c[1] * 2), (0, 1.0))
    assert int(i) == 10 and float(v) == 1024.0
    with pytest.raises(TypeError, match="cond_fun must return a boolean scalar"):
        lax.while_loop(lambda c: c, lambda c: c, 1.0)


def test_fori_loop_equals_the_hand_loop():
    body = lambda i, c: c * 0.5 + jnp.sin(i * 0.1 + c) * 0.1
    def hand(c):
        for i in range(10):
            c = c * 0.5 + np.sin(i * 0.1 + c) * 0.1
        return c
    x = np.array([0.5, -1.0], np.float32)
    close(lax.fori_loop(0, 10, body, jnp.asarray(x)), hand(x))
    close(jax.jit(lambda c: lax.fori_loop(0, 10, body, c))(x), hand(x))
    g = jax.grad(lambda c: lax.fori_loop(0, 10, body, c).sum())(jnp.asarray(x))
    unrolled = jax.grad(lambda c: [c := c * 0.5 + jnp.sin(i * 0.1 + c) * 0.1 for i in range(10)][-1].sum())(jnp.asarray(x))
    close(g, unrolled)
    # a traced bound makes it a while loop
    close(jax.jit(lambda c, n: lax.fori_loop(0, n, body, c))(x, 10), hand(x))


def test_scan_rnn_grad_vmap_and_reverse():
    rng = np.random.default_rng(0)
    W = jnp.asarray(rng.normal(size=(4, 4)).astype(np.float32) * 0.4)
    xs = jnp.asarray(rng.normal(size=(7, 4)).astype(np.float32))
    def rnn(W, xs):
        def step(h, x):
            h = jnp.tanh(W @ h + x)
            return h, jnp.sum(h ** 2)
        h, ys = lax.scan(step, jnp.zeros(4), xs)
        return ys.sum() + h.sum()
    def unrolled(W, xs):
        h, tot = jnp.zeros(4), 0.0
        for t in range(xs.shape[0]):
            h = jnp.tanh(W @ h + xs[t])
            tot = tot + jnp.sum(h ** 2)
        return tot + h.sum()
    close(rnn(W, xs), unrolled(W, xs))
    for a, b in zip(jax.grad(rnn, argnums=(0, 1))(W, xs), jax.grad(unrolled, argnums=(0, 1))(W, xs)):
        close(a, b)
    close(jax.jit(jax.grad(rnn))(W, xs), jax.grad(unrolled)(W, xs))
    xb = jnp.stack([xs, xs * 0.5, -xs])
    close(jax.vmap(rnn, in_axes=(None, 0))(W, xb), [unrolled(W, xb[i]) for i in range(3)])
    c, ys = lax.scan(lambda c, x: (c + x, c + x), 0.0, jnp.arange(5.0), reverse=True)
    close(ys, [10.0, 10.0, 9.0, 7.0, 4.0])
    close(lax.map(lambda x: x * 2, jnp.arange(3.0)), [0.0, 2.0, 4.0])
    _, none_ys = lax.scan(lambda c, _: (c + 1, None), 0, None, length=4)
    assert none_ys is None
    with pytest.raises(ValueError, match="different leading axis sizes"):
        lax.scan(lambda c, x: (c, x), 0.0, (jnp.ones(3), jnp.ones(4)))


def test_custom_jvp_log1pexp_and_custom_vjp_clip():
    @jax.custom_jvp
    def log1pexp(x):
        return jnp.log(1.0 + jnp.exp(x))

    @log1pexp.defjvp
    def log1pexp_jvp(primals, tangents):
        x, = primals
        t, = tangents
        return log1pexp(x), t * (1 - 1 / (1 + jnp.exp(x)))

    assert float(jax.grad(log1pexp)(100.0)) == 1.0
    assert np.isnan(float(jax.grad(lambda x: jnp.log(1.0 + jnp.exp(x)))(100.0)))
    xs = jnp.array([-3.0, 0.0, 2.0, 100.0])
    want = 1 / (1 + np.exp(-np.asarray(xs, np.float64)))
    close(jax.vmap(jax.grad(log1pexp))(xs), want)
    close(jax.jit(jax.vmap(jax.grad(log1pexp)))(xs), want)

    @jax.custom_vjp
    def clip_gradient(lo, hi, x):
        return x

    def fwd(lo, hi, x):
        return x, (lo, hi)

    def bwd(res, g):
        lo, hi = res
        return (None, None, jnp.clip(g, lo, hi))

    clip_gradient.defvjp(fwd, bwd)
    f = lambda x: jnp.sum(3.0 * clip_gradient(-1.0, 1.0, x))
    close(jax.grad(f)(jnp.array([2.0, -3.0])), [1.0, 1.0])
    close(jax.jit(jax.grad(f))(jnp.array([2.0, -3.0])), [1.0, 1.0])
    close(jax.vmap(jax.grad(lambda x: 0.5 * clip_gradient(-1.0, 1.0, x)))(jnp.array([1.0, 2.0])), [0.5, 0.5])

    @jax.custom_jvp
    def f2(x, y):
        return x * y

    f2.defjvps(lambda t, ans, x, y: t * y, lambda t, ans, x, y: x * t)
    close(jax.grad(f2, argnums=(0, 1))(2.0, 3.0), (3.0, 2.0))


def test_checkpoint_keeps_gradients():
    def block(x):
        for _ in range(3):
            x = jnp.sin(jnp.tanh(x))
        return x
    f = lambda x: jnp.sum(jax.checkpoint(block)(x))
    g = lambda x: jnp.sum(block(x))
    x = jnp.array([0.3, -1.2, 2.0])
    close(jax.grad(f)(x), jax.grad(g)(x))
    close(jax.jit(jax.grad(f))(x), jax.grad(g)(x))
    assert "checkpoint" in str(jax.make_jaxpr(jax.grad(f))(x))


def test_exception_in_a_branch_propagates():
    def boom(x):
        raise KeyError("inside the branch")
    with pytest.raises(KeyError, match="inside the branch"):
        jax.grad(lambda x: lax.cond(x > 0, boom, lambda v: v, x))(1.0)


def test_lax_shape_helpers_patches_ragged_dot_scatter_apply_as_jax():
    # values printed by JAX 0.10.2
    assert np.asarray(jax.vmap(lambda v: v * lax.axis_size("i"), axis_name="i")(jnp.ones(3))).tolist() == [3, 3, 3]
    assert jax.vmap(lambda v: jnp.zeros(lax.axis_size("i")), axis_name="i")(jnp.ones(3)).shape == (3, 3)
    assert lax.broadcast_like(jnp.array([1, 2, 3]), jnp.zeros((2, 3))).shape == (2, 3)
    assert [np.asarray(u).tolist() for u in lax.unstack(jnp.arange(6).reshape(2, 3), 1)] == [[0, 3], [1, 4], [2, 5]]
    assert lax.conv_shape_tuple((1, 3, 10, 10), (8, 3, 3, 3), (2, 2), [(1, 1), (1, 1)]) == (1, 8, 5, 5)
    assert lax.reduce_window_shape_tuple((10, 10), (3, 3), (2, 2), [(0, 0), (1, 1)]) == (4, 5)
    assert lax.conv_general_shape_tuple((2, 9, 9, 3), (3, 3, 3, 8), (2, 1), "SAME", ("NHWC", "HWIO", "NHWC")) == (2, 5, 9, 8)
    assert lax.conv_transpose_shape_tuple((2, 5, 5, 3), (3, 3, 8, 3), (2, 2), "SAME", ("NHWC", "HWOI", "NHWC")) == (2, 10, 10, 8)
    assert lax.conv_transpose_shape_tuple((2, 5, 5, 3), (4, 2, 8, 3), (2, 3), "VALID", ("NHWC", "HWOI", "NHWC")) == (2, 12, 15, 8)
    assert np.asarray(lax.linalg.lu_pivots_to_permutation(jnp.array([2, 2, 3], dtype=jnp.int32), 5)).tolist() == [2, 0, 3, 1, 4]
    # an array of polygamma orders (JAX 0.10.2: [0.934802, -0.236204])
    np.testing.assert_allclose(np.asarray(lax.polygamma(jnp.array([1.0, 2.0]), jnp.array([1.5, 2.5]))), [0.934802, -0.236204], rtol=1e-5)
    assert np.asarray(lax.linalg.lu_pivots_to_permutation(jnp.array([[1, 1], [0, 1]], dtype=jnp.int32), 3)).tolist() == [[1, 0, 2], [0, 1, 2]]
    a = jnp.arange(6.).reshape(2, 3)
    assert np.asarray(lax.linalg.symmetric_product(a, jnp.ones((2, 2)), alpha=2., beta=0.5)).tolist() == [[10.5, 28.5], [28.5, 100.5]]
    x = jnp.arange(2 * 2 * 4 * 4.).reshape(2, 2, 4, 4)
    assert np.asarray(lax.conv_general_dilated_patches(x, (2, 2), (1, 1), "VALID")[0, :, 0, 0]).tolist() == [0, 1, 4, 5, 16, 17, 20, 21]
    assert lax.conv_general_dilated_patches(x, (2, 3), (2, 1), "SAME").shape == (2, 12, 2, 4)
    out = lax.ragged_dot(jnp.arange(10.).reshape(5, 2), jnp.arange(12.).reshape(3, 2, 2), jnp.array([2, 1, 1]))
    assert np.asarray(out).tolist() == [[2, 3], [6, 11], [46, 55], [118, 131], [0, 0]]
    dn = lax.ScatterDimensionNumbers(update_window_dims=(), inserted_window_dims=(0,), scatter_dims_to_operand_dims=(0,))
    np.testing.assert_allclose(np.asarray(lax.scatter_apply(jnp.arange(5.), jnp.array([[1], [3]]), jnp.sin, dn, update_shape=(2,))),
                               [0, 0.84147096, 2, 0.14112, 4], rtol=1e-6)


def test_weak_initial_carries_take_the_bodys_dtype_as_jax():
    # a Python-scalar initial carry is promoted to the type the body returns
    out = lax.while_loop(lambda c: c < 3, lambda c: c + 1., 0)
    assert out.dtype == np.float32 and float(out) == 3.0 and not out.weak_type
    assert float(lax.fori_loop(0, 3, lambda i, c: c + 1.5, 0)) == 4.5
    c, ys = lax.scan(lambda c, x: (c + x, c), 0, jnp.ones(3))
    assert c.dtype == np.float32 and float(c) == 3.0
    with pytest.raises(TypeError):  # a shape change is still an error
        lax.scan(lambda c, x: (jnp.ones(2), x), 0., jnp.ones(3))
    # tree_map checks the other trees' structure (JAX's ValueError), leaves of the first may be subtrees there
    with pytest.raises(ValueError, match="structure"):
        jax.tree.map(lambda a, b: a + b, [1, 2], [1])
    assert jax.tree.map(lambda a, b: (a, b), [1, 2], [10, {"x": 1}]) == [(1, 10), (2, {"x": 1})]
    with pytest.raises(ValueError, match="negative dimensions"):
        jnp.eye(-1)
    with pytest.raises(ValueError, match="negative dimensions"):
        jnp.zeros((2, -1))
    assert lax.squeeze(jnp.ones((1, 2)), (-2,)).shape == (2,)
    assert lax.expand_dims(jnp.ones(2), (0, -1)).shape == (1, 2, 1)
