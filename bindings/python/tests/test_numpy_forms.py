"""numpy forms JAX programs use: ufunc methods, more .at[] updates, pad
modes, vectorize with a signature, einsum diagonals, cumulative_sum, mT,
lax.reduce_precision and mulhi; checked against numpy (and, where XLA
defines the result, against values JAX 0.10.2 printed)."""

import numpy as np
import pytest

import jaxcore as jax
import jaxcore.numpy as jnp
from jaxcore import lax


def eq(a, b, tol=1e-6):
    np.testing.assert_allclose(np.asarray(a, np.float64), np.asarray(b, np.float64), rtol=tol, atol=tol)


def test_ufunc_methods():
    a, b = np.arange(3.0), np.arange(2.0)
    eq(jnp.add.outer(a, b), np.add.outer(a, b))
    m = np.array([[1.0, 5], [3, 2]])
    eq(jnp.maximum.reduce(m, axis=0), np.maximum.reduce(m, axis=0))
    eq(jnp.add.reduce(m, axis=None), m.sum())
    eq(jnp.multiply.accumulate(np.array([1.0, 2, 3, 4])), np.multiply.accumulate([1.0, 2, 3, 4]))
    eq(jnp.logaddexp.reduce(np.array([1.0, 2, 3])), np.logaddexp.reduce([1.0, 2, 3]), 1e-6)
    eq(jnp.subtract.accumulate(np.array([10.0, 1, 2])), np.subtract.accumulate([10.0, 1, 2]))
    eq(jnp.bitwise_or.reduce(np.array([1, 2, 8])), 11)
    eq(jnp.add.at(jnp.zeros(4), jnp.array([0, 0, 2]), 1.0, inplace=False), [2, 0, 1, 0])
    eq(jnp.hypot.at(jnp.ones(3), jnp.array([1, 1]), 1.0, inplace=False), [1, np.sqrt(3), 1])  # composes per index
    with pytest.raises(NotImplementedError, match="inplace=False"):
        jnp.add.at(jnp.zeros(2), 0, 1.0)
    assert jnp.add.identity == 0 and jnp.add(1, 2) == 3 and jnp.add.__name__ == "add"
    eq(jax.grad(lambda x: jnp.multiply.reduce(x))(jnp.array([2.0, 3.0, 4.0])), [12, 8, 6])


def test_more_at_updates():
    x = jnp.arange(5.0)
    eq(x.at[1:3].apply(jnp.sin), [0, np.sin(1), np.sin(2), 3, 4])
    eq(x.at[jnp.array([1, 1])].apply(lambda v: v + 10), [0, 11, 2, 3, 4])  # once per element
    eq(x.at[2].subtract(5), [0, 1, -3, 3, 4])
    eq(x.at[jnp.array([1, 1])].divide(2.0), [0, 0.25, 2, 3, 4])
    eq(x.at[3].power(2), [0, 1, 2, 9, 4])


def test_pad_modes_match_numpy():
    a = np.arange(1.0, 7.0).reshape(2, 3)
    pw = ((1, 2), (2, 1))
    for kw in [dict(mode="linear_ramp"), dict(mode="linear_ramp", end_values=(5, -2)), dict(mode="mean"),
               dict(mode="median"), dict(mode="maximum", stat_length=1), dict(mode="minimum", stat_length=(1, 2)),
               dict(mode="constant", constant_values=((1, 2), (3, 4)))]:
        eq(jnp.pad(a, pw, **kw), np.pad(a, pw, **kw))
    eq(jnp.pad(np.array([1, 2, 6, 3]), 2, mode="mean"), np.pad(np.array([1, 2, 6, 3]), 2, mode="mean"))
    assert jnp.pad(jnp.ones(2), 1, mode="empty").shape == (4,)
    with pytest.raises(ValueError, match="Unimplemented padding mode"):
        jnp.pad(jnp.ones(2), 1, mode="nope")


def test_vectorize_signature_einsum_diagonals_and_cumulative_sum():
    v = jnp.vectorize(lambda a, b: a @ b, signature="(n),(n)->()")
    eq(v(np.ones((3, 4)), np.arange(4.0)), [6, 6, 6])
    mv = jnp.vectorize(lambda m, x: m @ x, signature="(m,n),(n)->(m)")
    assert mv(jnp.ones((2, 3, 4)), jnp.arange(4.0)).shape == (2, 3)
    s, d = jnp.vectorize(lambda x: (x.sum(), x * 2), signature="(n)->(),(n)")(jnp.ones((2, 3)))
    eq(s, [3, 3])
    eq(d, 2 * np.ones((2, 3)))
    with pytest.raises(ValueError, match="core dimension"):
        v(jnp.ones(3), jnp.ones(4))
    a, b = np.arange(9.0).reshape(3, 3), np.arange(27.0).reshape(3, 3, 3)
    for sub, ops in [("ii", (a,)), ("ii->i", (a,)), ("iij->j", (b,)), ("iji->ij", (b,)), ("iii", (b,)),
                     ("ij,jj->i", (a, a)), ("...ii->...i", (b,))]:
        eq(jnp.einsum(sub, *ops), np.einsum(sub, *ops))
    eq(jax.grad(lambda x: jnp.einsum("ii", x))(jnp.asarray(a)), np.eye(3))
    eq(jnp.cumulative_sum(jnp.arange(4), include_initial=True), [0, 0, 1, 3, 6])
    eq(jnp.cumulative_sum(jnp.ones((2, 2)), axis=1), [[1, 2], [1, 2]])
    assert jnp.ones((2, 3, 4)).mT.shape == (2, 4, 3)


def test_reduce_precision_and_mulhi():
    x = jnp.array([1.0001, 3.14159, 65504.0, 70000.0, 1e-5, -2.5e-6, np.inf, -0.0, 1.00048828125, 1.00146484375])
    # float16's grid: what XLA's ReducePrecision gives (values printed by JAX)
    eq(lax.reduce_precision(x, exponent_bits=5, mantissa_bits=10),
       [1.0, 3.140625, 65504.0, np.inf, 0.0, -0.0, np.inf, -0.0, 1.0, 1.001953125], 0)
    eq(lax.reduce_precision(x, exponent_bits=8, mantissa_bits=7),
       [1.0, 3.140625, 65536.0, 70144.0, 1.0013580322265625e-05, -2.5033950805664062e-06, np.inf, -0.0, 1.0, 1.0], 0)
    assert np.isnan(np.asarray(lax.reduce_precision(jnp.array([np.nan]), exponent_bits=5, mantissa_bits=2)))[0]
    u = np.array([2 ** 31, 7, 0xFFFFFFFF, 123456789], np.uint64)
    w = np.array([4, 2 ** 31, 0xFFFFFFFF, 987654321], np.uint64)
    eq(lax.mulhi(jnp.asarray(u.astype(np.uint32)), jnp.asarray(w.astype(np.uint32))), (u * w) >> np.uint64(32), 0)
    s = np.array([-5, 7, -2 ** 31, 123456789, -1], np.int64)
    t = np.array([3, -2 ** 31, -2 ** 31, -987654321, -1], np.int64)
    eq(lax.mulhi(jnp.asarray(s.astype(np.int32)), jnp.asarray(t.astype(np.int32))), (s * t) >> 32, 0)


def test_grad_allow_int_abs_slope_clip_updates_and_treedef_printing():
    from jaxcore.dtypes import float0
    gx, gy = jax.grad(lambda x, y: x * y, argnums=(0, 1), allow_int=True)(3, 2.0)
    assert gx.dtype == float0 and float(gy) == 3.0
    with pytest.raises(TypeError, match="grad requires real- or complex-valued inputs"):
        jax.grad(lambda x: x * 2)(3)
    v, g = jax.value_and_grad(lambda p: p["a"] * p["n"], allow_int=True)({"a": 2.0, "n": 4})
    assert float(v) == 8.0 and float(g["a"]) == 4.0 and g["n"].dtype == float0
    # JAX's abs rule: slope +1 at 0
    eq(jax.vmap(jax.grad(jnp.abs))(jnp.array([-1.0, 0.0, 3.0])), [-1, 1, 1])
    x = jnp.zeros((3, 4))
    eq(x.at[5].set(1, mode="clip")[2], np.ones(4))
    eq(x.at[-10, 1:3].set(2, mode="clip")[0], [0, 2, 2, 0])
    eq(jnp.zeros(3).at[jnp.array([5, 5])].add(1, mode="clip"), [0, 0, 2])
    import collections
    NT = collections.namedtuple("NT", ["x", "y"])
    ts = jax.tree_util.tree_structure
    assert repr(ts([1, (2, None), {"b": 3, "a": [4]}])) == "PyTreeDef([*, (*, None), {'a': [*], 'b': *}])"
    assert repr(ts(NT(1, 2))) == "PyTreeDef(CustomNode(namedtuple[NT], [*, *]))"
    assert repr(ts((1,))) == "PyTreeDef((*,))" and repr(ts(None)) == "PyTreeDef(None)"


def test_frompyfunc_place_and_mesh_utils():
    f = jnp.frompyfunc(lambda a, b: a * 2 + b, 2, 1)
    eq(f(jnp.arange(3), 1), [1, 3, 5])
    eq(f.outer(jnp.arange(2), jnp.arange(3)), [[0, 1, 2], [2, 3, 4]])
    eq(f.reduce(jnp.arange(4)), 11)  # ((0*2+1)*2+2)*2+3
    eq(f.accumulate(jnp.arange(4)), [0, 1, 4, 11])
    eq(jnp.place(jnp.arange(6), jnp.arange(6) % 2 == 0, jnp.array([10, 20]), inplace=False), [10, 1, 20, 3, 10, 5])
    with pytest.raises(ValueError, match="inplace=False"):
        jnp.place(jnp.arange(3), jnp.arange(3) > 0, 1)
    from jaxcore.experimental import mesh_utils
    assert mesh_utils.create_device_mesh((2, 4)).shape == (2, 4)
    with pytest.raises(ValueError, match="must equal the product"):
        mesh_utils.create_device_mesh((3,))


def test_quantile_methods_roll_repeat_and_bool_arithmetic():
    x = np.arange(24.0).reshape(2, 3, 4) ** 1.5
    q = np.array([0.1, 0.5, 0.9])
    for m in ["linear", "lower", "higher", "midpoint"]:
        for kw in [dict(), dict(axis=1), dict(axis=(0, 2), keepdims=True)]:
            eq(jnp.quantile(x, q, method=m, **kw), np.quantile(x, q, method=m, **kw), 1e-5)
    eq(jnp.percentile(jnp.arange(11), 35, method="nearest"), 3.0)  # ties go to the lower value, as JAX
    assert np.isnan(np.asarray(jnp.median(jnp.array([[1.0, np.nan], [2.0, 3.0]]), axis=1))[0])
    eq(jnp.roll(jnp.arange(6).reshape(2, 3), (1, 1), axis=(0, 1)), np.roll(np.arange(6).reshape(2, 3), (1, 1), axis=(0, 1)))
    eq(jnp.repeat(jnp.array([[1, 2], [3, 4]]), jnp.array([1, 2]), axis=0), [[1, 2], [3, 4], [3, 4]])
    eq(jnp.repeat(jnp.array([1, 2]), np.array([2, 3])), [1, 1, 2, 2, 2])
    assert jnp.bitwise_count(jnp.array([7, 255])).dtype == np.uint8
    s = jnp.array([True, False]) + jnp.array([True, True])
    assert s.dtype == np.bool_ and np.asarray(s).tolist() == [True, True]
    with pytest.raises(TypeError, match="boolean subtract"):
        jnp.array([True]) - jnp.array([False])


def test_logaddexp_and_relu6_derivatives_as_jax():
    inf = np.inf
    a = jnp.array([0.0, 1.0, inf, -inf, inf, -inf, 30.0, -30.0])
    b = jnp.array([0.0, 1.0, inf, -inf, -inf, 1.0, 0.0, 0.0])
    eq(jnp.logaddexp(a, b), np.logaddexp(np.asarray(a), np.asarray(b)))
    eq(jax.grad(jax.nn.softplus)(0.0), 0.5)
    eq(jax.grad(jax.grad(jax.nn.softplus))(0.0), 0.25)  # sigmoid'(0)
    eq(jax.nn.softplus(jnp.array([-20.0])), np.log1p(np.exp(-20.0)), 1e-12)
    eq(jax.vmap(jax.grad(jax.nn.relu6))(jnp.array([-1.0, 0.0, 3.0, 6.0, 7.0])), [0, 0, 1, 0, 0])
    eq(jax.grad(jax.nn.hard_sigmoid)(-3.0), 0.0)


def test_float_arange_rounds_as_jax():
    # start and step rounded to float32 first (values printed by JAX 0.10.2)
    assert np.asarray(jnp.arange(0, 1, 0.3)).tolist()[-1] == np.float32(0.90000004)
    assert np.asarray(jnp.arange(1.5, 10, 0.7)).tolist()[-1] == np.float32(9.8999996)
    assert np.asarray(jnp.arange(-2, 2, 0.1)).tolist()[-3] == np.float32(1.7)
