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
