"""jax.experimental.sparse's BCOO (no batch or dense dimensions), against
the dense computation and JAX's printed values."""

import numpy as np
import pytest

import jaxcore as jax
import jaxcore.numpy as jnp
from jaxcore.experimental import sparse


M = np.array([[0., 1., 0.], [2., 0., 3.], [0., 0., 4.]], np.float32)


def test_bcoo_fromdense_todense_and_products():
    s = sparse.BCOO.fromdense(M)
    assert repr(s) == "BCOO(float32[3, 3], nse=4)" and s.nse == 4 and s.shape == (3, 3)
    assert s.indices.tolist() == [[0, 1], [1, 0], [1, 2], [2, 2]] and s.data.tolist() == [1, 2, 3, 4]
    padded = sparse.BCOO.fromdense(M, nse=6)  # JAX pads with out-of-range indices and zeros
    assert padded.indices.tolist()[4:] == [[3, 3], [3, 3]] and padded.data.tolist()[4:] == [0, 0]
    np.testing.assert_array_equal(np.asarray(padded.todense()), M)
    v = np.array([1., 2., 3.], np.float32)
    np.testing.assert_allclose(np.asarray(s @ v), M @ v)
    np.testing.assert_allclose(np.asarray(padded @ v), M @ v)
    np.testing.assert_allclose(np.asarray(jnp.asarray(v) @ s), v @ M)  # Array defers to BCOO.__rmatmul__
    np.testing.assert_allclose(np.asarray(s @ np.eye(3, dtype=np.float32)), M)
    np.testing.assert_allclose(np.asarray(s.T.todense()), M.T)
    np.testing.assert_allclose(np.asarray((s * 2).todense()), 2 * M)
    np.testing.assert_allclose(np.asarray((s + s).todense()), 2 * M)
    assert float(s.sum()) == 10.0 and s.sum(0).todense().tolist() == [2, 1, 7]
    np.testing.assert_allclose(np.asarray(sparse.sparsify(lambda m, x: m @ x + 1.0)(s, v)), M @ v + 1)


def test_bcoo_is_a_pytree_under_jit_grad_and_vmap():
    s = sparse.BCOO.fromdense(M)
    v = jnp.array([1., 2., 3.])
    np.testing.assert_allclose(np.asarray(jax.jit(lambda a, x: a @ x)(s, v)), M @ np.asarray(v))
    g = jax.grad(lambda d: (sparse.BCOO((d, s.indices), shape=(3, 3)) @ v).sum())(s.data)
    assert g.tolist() == [2, 1, 3, 3]  # d/d data of sum(M @ v): v at each stored column (JAX's)
    out = jax.vmap(lambda d: sparse.BCOO((d, s.indices), shape=(3, 3)) @ v)(jnp.stack([s.data, 2 * s.data]))
    np.testing.assert_allclose(np.asarray(out), [M @ np.asarray(v), 2 * M @ np.asarray(v)])
    with pytest.raises(ValueError):
        sparse.BCOO((s.data, s.indices[:, :1]), shape=(3, 3))
