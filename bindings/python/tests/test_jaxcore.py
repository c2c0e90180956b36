"""The seed README's programs with jaxcore in place of jax, JAX's random
values, numpy agreement, transformations, errors."""

import numpy as np
import pytest

import jaxcore as jax
import jaxcore.numpy as jnp


def test_seed_grad_values():
    f = jnp.tanh
    assert f"{float(jax.grad(f)(1.0)):.7f}" == "0.4199743"
    d3 = float(jax.grad(jax.grad(jax.grad(f)))(1.0))
    want = np.frombuffer(np.uint32(0x3F1F22ED).tobytes(), np.float32)[0]
    assert abs(np.float32(d3).view(np.uint32).astype(np.int64) - want.view(np.uint32).astype(np.int64)) <= 1


def test_seed_jit_and_pairwise_distances():
    f = jax.jit(lambda x: x * x + x * 2.0)
    x = jnp.ones((1000, 1000))
    assert float(jnp.sum(f(x))) == 3_000_000.0
    pts = jax.random.normal(jax.random.key(0), (100, 3))
    dist = lambda a, b: jnp.sum(jnp.abs(a - b))
    d = jax.vmap(jax.vmap(dist, in_axes=(None, 0)), in_axes=(0, None))(pts, pts)
    assert d.shape == (100, 100)
    p = np.asarray(pts)
    np.testing.assert_allclose(np.asarray(d), np.abs(p[:, None, :] - p[None, :, :]).sum(-1), rtol=1e-6)


def test_random_matches_jax():
    k = jax.random.PRNGKey(0)
    assert np.asarray(k).tolist() == [0, 0]
    assert np.asarray(jax.random.split(k)).tolist() == [[1797259609, 2579123966], [928981903, 3453687069]]
    assert np.asarray(jax.random.bits(k, (4,))).tolist() == [4070199207, 4202968722, 1427181096, 2012915765]
    np.testing.assert_allclose(np.asarray(jax.random.uniform(k, (3,))), [0.947667, 0.9785799, 0.33229148], rtol=2e-7)
    np.testing.assert_allclose(np.asarray(jax.random.normal(k, (3,))), [1.6226422, 2.0252647, -0.43359444], rtol=2e-7)


def test_arrays_and_numpy_agree():
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    x = jnp.asarray(a)
    assert x.shape == (3, 4) and x.dtype == np.float32 and x.ndim == 2 and x.size == 12
    np.testing.assert_allclose(np.asarray(x @ x.T), a @ a.T)
    np.testing.assert_allclose(np.asarray(jnp.sum(x, axis=0)), a.sum(0))
    np.testing.assert_allclose(np.asarray(jnp.mean(x, axis=1, keepdims=True)), a.mean(1, keepdims=True))
    np.testing.assert_allclose(np.asarray(jnp.exp(x / 10)), np.exp(a / 10), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(x[1:, ::-2]), a[1:, ::-2])
    np.testing.assert_allclose(np.asarray(x[jnp.array([2, 0])]), a[[2, 0]])
    np.testing.assert_allclose(np.asarray(x[:, None, 1]), a[:, None, 1])
    np.testing.assert_allclose(np.asarray(x.at[0, 1].set(100.0)), np.where(np.arange(12).reshape(3, 4) == 1, 100.0, a))
    np.testing.assert_allclose(np.asarray(jnp.where(x > 5, x, 0.0)), np.where(a > 5, a, 0.0))
    np.testing.assert_allclose(np.asarray(jnp.concatenate([x, x], axis=1)), np.concatenate([a, a], 1))
    assert (x * 2.0).dtype == np.float32  # weak host scalars keep the dtype
    assert jnp.asarray(np.float64(1.5) * np.ones(2)).dtype == np.float32  # x32 canonicalization
    assert repr(jnp.array([1.0, 2.0])) == "Array([1., 2.], dtype=float32)"
    # JAX's layouts: rows on their own lines, weak types marked, print() as numpy
    assert repr(jnp.arange(6.0).reshape(2, 3)) == "Array([[0., 1., 2.],\n       [3., 4., 5.]], dtype=float32)"
    assert repr(jnp.asarray(2.0) * 1.0) == "Array(2., dtype=float32, weak_type=True)"
    assert repr(jnp.ones((2, 0))) == "Array([], shape=(2, 0), dtype=float32)"
    assert str(jnp.array([1.0, 2.5])) == "[1.  2.5]"


def test_transformations_with_pytrees():
    def loss(params, x):
        return jnp.sum(jnp.tanh(x @ params["w"] + params["b"]) ** 2)

    params = {"w": jnp.ones((3, 2)) * 0.1, "b": jnp.zeros(2)}
    x = jax.random.normal(jax.random.key(1), (4, 3))
    g = jax.grad(loss)(params, x)
    assert set(g) == {"w", "b"} and g["w"].shape == (3, 2)
    v, g2 = jax.value_and_grad(loss)(params, x)
    np.testing.assert_allclose(np.asarray(g2["b"]), np.asarray(g["b"]), rtol=1e-6)
    # finite differences on b[0]
    eps = 1e-3
    bp = {"w": params["w"], "b": params["b"].at[0].add(eps)}
    bm = {"w": params["w"], "b": params["b"].at[0].add(-eps)}
    fd = (float(loss(bp, x)) - float(loss(bm, x))) / (2 * eps)
    assert abs(fd - float(g["b"][0])) < 1e-3
    # per-example gradients equal a loop
    pe = jax.vmap(jax.grad(loss), in_axes=(None, 0))(params, x[:, None, :])
    for i in range(4):
        gi = jax.grad(loss)(params, x[i:i + 1])
        np.testing.assert_allclose(np.asarray(pe["w"][i]), np.asarray(gi["w"]), rtol=1e-5, atol=1e-7)
    # has_aux and argnums
    (val, aux), gx = jax.value_and_grad(lambda p, x: (loss(p, x), x.sum()), argnums=1, has_aux=True)(params, x)
    assert gx.shape == x.shape and float(aux) == pytest.approx(float(np.asarray(x).sum()), rel=1e-6)
    jitted = jax.jit(jax.grad(loss))
    np.testing.assert_allclose(np.asarray(jitted(params, x)["w"]), np.asarray(g["w"]), rtol=1e-6)


def test_errors_become_python_exceptions():
    with pytest.raises(TypeError, match="incompatible shapes"):
        jnp.ones(3) + jnp.ones(4)
    with pytest.raises(TypeError, match="Gradient only defined for scalar-output"):
        jax.grad(lambda x: x * 2.0)(jnp.ones(3))

    class Boom(Exception):
        pass

    def bad(x):
        raise Boom("raised inside a traced function")

    with pytest.raises(Boom, match="raised inside"):
        jax.grad(bad)(1.0)
    with pytest.raises(IndexError, match="Too many indices"):
        jnp.ones(3)[0, 0]
    # as in JAX, a static index out of bounds is clamped when reading, dropped when updating
    assert float(jnp.arange(3.0)[5]) == 2.0
    assert jnp.zeros(3).at[5].add(1.0).tolist() == [0.0, 0.0, 0.0]


def test_make_jaxpr_prints_the_graph():
    text = jax.make_jaxpr(jnp.tanh)(1.0)
    assert "tanh" in text and "lambda" in text


def test_formatting_dtype_canonicalization_and_weak_gradients_as_jax():
    x = jnp.array([[1.5, 2.0], [3.0, 4.25]])
    assert f"{jnp.sum(x):.3f}" == "10.750" and "%.2f" % jnp.max(x) == "4.25"
    # x32 canonicalization of Python types and 64-bit dtypes (as JAX without x64)
    assert jnp.ones(2, dtype=float).dtype == np.float32 and jnp.zeros(2, dtype=int).dtype == np.int32
    # jnp.full takes the fill value's type, weak for Python scalars
    assert repr(jnp.full((2,), 7)) == "Array([7, 7], dtype=int32, weak_type=True)"
    assert repr(jnp.full((2,), jnp.float32(2))) == "Array([2., 2.], dtype=float32)"
    # a gradient is weakly typed exactly when its primal is (JAX 0.10.2)
    assert repr(jax.grad(lambda v: v * jnp.float32(2))(3.0)) == "Array(2., dtype=float32, weak_type=True)"
    assert repr(jax.grad(lambda v: v ** 2)(jnp.float32(3.0))) == "Array(6., dtype=float32)"
    assert repr(jax.grad(lambda p: p["w"] * 3.0)({"w": 2.0})["w"]) == "Array(3., dtype=float32, weak_type=True)"


def test_tracer_and_scalar_conversion_errors_as_jax():
    import pytest
    with pytest.raises(jax.errors.ConcretizationTypeError):
        jax.jit(lambda v: int(v))(1.0)
    with pytest.raises(jax.errors.TracerBoolConversionError):
        jax.jit(lambda v: v if v > 0 else -v)(1.0)
    with pytest.raises(TypeError, match="Only scalar arrays can be converted"):
        float(jnp.ones(3))
    with pytest.raises(IndexError, match="boolean index did not match"):
        jnp.ones(3)[jnp.array([True, False])]
    assert float(jnp.ones((3, 2))[jnp.array([True, False, True])].sum()) == 4.0


def test_x64_random_defaults_and_cumsum_dtypes_as_jax():
    assert jnp.cumsum(jnp.array([1, 1], dtype=jnp.int8)).dtype == np.int8
    assert jnp.cumsum(jnp.array([True, False])).dtype == np.int32
    jax.config.update("jax_enable_x64", True)
    try:
        k = jax.random.PRNGKey(2)
        # values printed by JAX 0.10.2 with jax_enable_x64
        assert np.asarray(jax.random.randint(k, (4,), -5, 2 ** 40)).tolist() == [657109754842, 829284890063, 467024051952, 309642711626]
        assert np.asarray(jax.random.randint(k, (3,), 0, 100)).tolist() == [62, 17, 65]
        assert np.asarray(jax.random.choice(k, 10, (3,))).tolist() == [2, 7, 5]
    finally:
        jax.config.update("jax_enable_x64", False)
