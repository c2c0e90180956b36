"""The typed fast path of Python operators gives the engine's errors and
results (promotion, weak types, broadcasting) exactly as jc_op does."""

import numpy as np
import pytest

import jaxcore as jax
import jaxcore.numpy as jnp


def test_operator_fast_path_semantics():
    x = jnp.asarray(np.float32([1, 2, 3]))
    assert (x + 1).dtype == np.float32 and (1 + x).dtype == np.float32
    assert (x * 2.5).dtype == np.float32
    assert jnp.asarray(2).dtype == np.int32 and (jnp.asarray(2) / 4).dtype == np.float32
    np.testing.assert_allclose(np.asarray(10 - x), [9, 8, 7])
    np.testing.assert_allclose(np.asarray(6 / x), [6, 3, 2])
    np.testing.assert_allclose(np.asarray(x * np.float32([2, 2, 2])), [2, 4, 6])
    assert (x + x).weak_type is False and (jnp.asarray(1.0) + 2.0).weak_type is True
    with pytest.raises(TypeError, match="incompatible shapes"):
        x + jnp.ones(4)
    g = jax.grad(lambda v: jnp.sum(v * v + 3 * v))(x)
    np.testing.assert_allclose(np.asarray(g), [5, 7, 9])


def test_operator_scalars_keep_sign_type_and_x64():
    # Python scalars of operators are made once and reused: -0.0 and 0.0,
    # ints and floats, and the x64 setting must still be told apart
    z = jnp.zeros(2)
    assert np.signbit(np.asarray(z * -0.0)).all() and not np.signbit(np.asarray(z * 0.0)).any()
    assert (jnp.arange(3) * 2).dtype == np.int32 and (jnp.arange(3) * 2.0).dtype == np.float32
    assert np.isnan(np.asarray(z + float("nan"))).all()
    jax.config.update("jax_enable_x64", True)
    try:
        assert (jnp.arange(3) * 2).dtype == np.int64 and (jnp.asarray(np.float64(1)) + 1.5).dtype == np.float64
    finally:
        jax.config.update("jax_enable_x64", False)
    assert (jnp.arange(3) * 2).dtype == np.int32


def test_eager_results_read_back_after_xla_ops():
    # exp runs on XLA, the + and the reduction on the interpreter: values
    # cross between them (the CPU buffer is read in place)
    x = jnp.arange(1000, dtype=jnp.float32) / 100
    y = jnp.exp(x) + 1
    np.testing.assert_allclose(np.asarray(y), np.exp(np.arange(1000, dtype=np.float32) / 100) + 1, rtol=4e-6)
    s = jnp.sum(x, -1, keepdims=True)
    assert s.shape == (1,) and abs(float(s[0]) - float(np.sum(np.arange(1000, dtype=np.float32) / 100))) < 1e-2
    f = jax.jit(lambda v: v * 2)
    assert np.asarray(f(jnp.arange(4.0))).tolist() == [0, 2, 4, 6]
    assert np.asarray(f(jnp.arange(4.0) > 1)).tolist() == [0, 0, 2, 2]
