"""Sharding from Python with JAX's spelling, on 8 CPU devices: meshes,
NamedSharding/P, device_put, typeof, jit over a mesh (the seed's FSDP
example), shard_map and the collectives, checked against numpy."""
import numpy as np
import pytest

import jaxcore as jax
import jaxcore.numpy as jnp
from jaxcore.sharding import NamedSharding, PartitionSpec as P, AxisType


def test_mesh_device_put_and_typeof():
    assert len(jax.devices()) == 8
    mesh = jax.make_mesh((8,), ("data",))
    assert repr(mesh) == "Mesh('data': 8, axis_types=(Explicit,))"
    assert mesh.shape == {"data": 8} and mesh.size == 8
    w = jax.device_put(jnp.zeros((512, 512)), NamedSharding(mesh, P("data")))
    assert jax.typeof(w).str_short(short_dtypes=True) == "f32[512@data,512]"
    assert str(jax.typeof(w)) == "float32[512@data,512]"
    assert w.sharding == NamedSharding(mesh, P("data"))
    shards = w.addressable_shards
    assert len(shards) == 8 and shards[3].data.shape == (64, 512) and shards[3].index[0] == slice(192, 256)
    assert len(w.devices()) == 8 and not w.is_fully_replicated
    with jax.set_mesh(mesh):
        x = jax.device_put(np.arange(32.0, dtype=np.float32).reshape(8, 4), P(None, None))
        y = jax.device_put(np.arange(32.0, dtype=np.float32).reshape(8, 4), P("data"))
    np.testing.assert_array_equal(np.asarray(y), np.asarray(x))
    with pytest.raises(ValueError, match="no mesh is set"):
        jax.device_put(jnp.ones(8), P("data"))
    with pytest.raises(ValueError, match="divisible by 8"):
        jax.device_put(jnp.ones(6), NamedSharding(mesh, P("data")))


def test_explicit_types_propagate_and_reject_ambiguity():
    mesh = jax.make_mesh((4, 2), ("x", "y"))
    with jax.set_mesh(mesh):
        c = jax.device_put(jnp.ones((8, 16)), P("x"))
        d = jax.device_put(jnp.ones((8, 16)), P("y"))
        w = jax.device_put(jnp.ones((16, 4)), P("x"))
        f = jax.jit(lambda a, b: jnp.tanh(a @ b).sum(axis=1))
        assert jax.typeof(f(c, w)).str_short(short_dtypes=True) == "f32[8@x]"
        with pytest.raises(TypeError, match="incompatible shardings for broadcasting"):
            jax.jit(lambda a, b: a + b)(c, d)
        r = jax.sharding.reshard(c, P(None, "y"))
        assert jax.typeof(r).str_short(short_dtypes=True) == "f32[8,16@y]"


def mlp_loss(params, x, y):
    (w1, b1), (w2, b2) = params
    h = jnp.tanh(x @ w1 + b1)
    return jnp.mean((h @ w2 + b2 - y) ** 2)


def test_fsdp_gradients_equal_single_device():
    rng = np.random.default_rng(0)
    params = [(rng.normal(size=(16, 32)).astype(np.float32), np.zeros(32, np.float32)),
              (rng.normal(size=(32, 8)).astype(np.float32), np.zeros(8, np.float32))]
    x = rng.normal(size=(64, 16)).astype(np.float32)
    y = rng.normal(size=(64, 8)).astype(np.float32)
    step = jax.jit(jax.grad(mlp_loss))
    want = step(params, x, y)
    mesh = jax.make_mesh((8,), ("data",), axis_types=(AxisType.Auto,))
    shard = NamedSharding(mesh, P("data"))
    got = step(jax.device_put(params, shard), jax.device_put(x, shard), jax.device_put(y, shard))
    for g, w in zip(jax.tree_util.tree_leaves(got), jax.tree_util.tree_leaves(want)):
        np.testing.assert_allclose(np.asarray(g), np.asarray(w), rtol=1e-5, atol=1e-6)
    # out_shardings lays the results out as asked
    step2 = jax.jit(jax.grad(mlp_loss), out_shardings=shard)
    g2 = step2(params, x, y)
    assert g2[0][0].sharding == shard
    np.testing.assert_allclose(np.asarray(g2[0][0]), np.asarray(want[0][0]), rtol=1e-5, atol=1e-6)


def test_shard_map_psum_and_collectives():
    mesh = jax.make_mesh((8,), ("i",), axis_types=(AxisType.Auto,))
    x = np.arange(64 * 3, dtype=np.float32).reshape(64, 3)
    blocks = x.reshape(8, 8, 3)

    def body(a):
        return (jax.lax.psum(a, "i"), jax.lax.pmax(a, "i"), jax.lax.all_gather(a, "i", tiled=True),
                jax.lax.psum_scatter(a, "i", scatter_dimension=0, tiled=True),
                jax.lax.ppermute(a, "i", [(k, (k + 1) % 8) for k in range(8)]),
                jax.lax.all_to_all(a, "i", 0, 0, tiled=True), jax.lax.axis_index("i").reshape(1))

    f = jax.shard_map(body, mesh=mesh, in_specs=P("i"), out_specs=(P(), P(), P(), P("i"), P("i"), P("i"), P("i")))
    s, mx, g, rs, pp, a2a, idx = f(x)
    np.testing.assert_array_equal(np.asarray(s), blocks.sum(0))
    np.testing.assert_array_equal(np.asarray(mx), blocks.max(0))
    np.testing.assert_array_equal(np.asarray(g), x)
    np.testing.assert_array_equal(np.asarray(rs), blocks.sum(0))
    np.testing.assert_array_equal(np.asarray(pp), np.roll(blocks, 1, axis=0).reshape(64, 3))
    np.testing.assert_array_equal(np.asarray(a2a), blocks.transpose(1, 0, 2).reshape(64, 3))
    np.testing.assert_array_equal(np.asarray(idx), np.arange(8))


def test_grad_through_shard_map():
    mesh = jax.make_mesh((8,), ("i",), axis_types=(AxisType.Auto,))
    x = np.linspace(-1, 2, 16).astype(np.float32)

    @jax.jit
    def loss(v):
        f = jax.shard_map(lambda a: jnp.sin(a) * jax.lax.psum(a.sum(), "i"), mesh=mesh, in_specs=P("i"), out_specs=P("i"))
        return f(v).sum()

    want = np.cos(x) * x.sum() + np.sin(x).sum()
    np.testing.assert_allclose(np.asarray(jax.grad(loss)(x)), want, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(np.asarray(jax.jit(jax.grad(loss.__wrapped__))(x)), want, rtol=1e-5, atol=1e-5)

    # through all_gather: sum(gathered**2 * c) has gradient 2 x c
    c = np.arange(1.0, 17.0, dtype=np.float32)
    g = jax.shard_map(lambda a: (jax.lax.all_gather(a, "i", tiled=True) ** 2 * c).sum(), mesh=mesh, in_specs=P("i"), out_specs=P())
    np.testing.assert_allclose(np.asarray(jax.grad(g)(x)), 2 * x * c, rtol=1e-5, atol=1e-5)


def test_vmap_axis_name():
    x = np.arange(12.0, dtype=np.float32).reshape(4, 3)
    out = jax.vmap(lambda v: v - jax.lax.pmean(v, "b"), axis_name="b")(x)
    np.testing.assert_allclose(np.asarray(out), x - x.mean(0), rtol=1e-6)
    with pytest.raises(ValueError, match="unbound axis name: nope"):
        jax.vmap(lambda v: jax.lax.psum(v, "nope"))(x)


def test_fsdp_example_runs():
    import os, pathlib, subprocess, sys
    root = pathlib.Path(__file__).resolve().parents[3]
    out = subprocess.run([sys.executable, str(root / "examples" / "python" / "fsdp.py")], capture_output=True, text=True, env=dict(os.environ), timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "typeof(W2) = float32[512@data,512]" in out.stdout
    assert "typeof(grad W2) = float32[512@data,512]" in out.stdout
    assert "grad W2 pieces: 8 of shape (64, 512)" in out.stdout


def test_make_array_from_callback_and_devices_indices_map():
    mesh = jax.make_mesh((2, 4), ("x", "y"))
    s = NamedSharding(mesh, P("x", None))
    idx = s.devices_indices_map((8, 4))
    assert len(idx) == 8 and sorted({v[0].start for v in idx.values()}) == [0, 4]
    flat = NamedSharding(mesh, P(("x", "y")))
    assert sorted(v[0].start for v in flat.devices_indices_map((16,)).values()) == list(range(0, 16, 2))
    data = np.arange(32.0, dtype=np.float32).reshape(8, 4)
    seen = []
    a = jax.make_array_from_callback((8, 4), s, lambda i: (seen.append(i), data[i])[1])
    np.testing.assert_array_equal(np.asarray(a), data)
    assert a.sharding == s and (slice(4, 8), slice(None)) in seen
    with jax.default_matmul_precision("float32"), jax.numpy_rank_promotion("allow"), jax.debug_nans(False):
        assert jax.config.jax_default_matmul_precision == "float32"
    assert jax.config.jax_default_matmul_precision is None


def test_default_cpu_device_count_is_jaxs():
    # one CPU device unless asked for more (JAX's default), XLA_FLAGS as in JAX;
    # a fresh process, since this one has 8; and no plugin INFO lines on stderr
    import os, subprocess, sys
    code = "import jaxcore as jax; print(jax.device_count(), jax.local_device_count())"
    env = {k: v for k, v in os.environ.items() if k not in ("JAXCORE_CPU_DEVICES", "XLA_FLAGS", "TF_CPP_MIN_LOG_LEVEL")}
    env["PYTHONPATH"] = os.path.dirname(os.path.dirname(os.path.abspath(jax.__file__)))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.stdout.split() == ["1", "1"], out.stderr
    assert "cpu_device_count" not in out.stderr
    env["XLA_FLAGS"] = "--xla_force_host_platform_device_count=3"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.stdout.split() == ["3", "3"], out.stderr


def test_sharding_spec_shows_as_jax_does():
    mesh = jax.make_mesh((4, 2), ("x", "y"))
    x = jnp.arange(32.0).reshape(8, 4)
    # a placement keeps the spec as given; computed layouts have one entry per dimension
    assert jax.device_put(x, NamedSharding(mesh, P("x"))).sharding.spec == P("x")
    b = jax.device_put(x, NamedSharding(mesh, P("x", None)))
    assert repr(b.sharding.spec) == "P('x', None)"
    assert repr(jax.jit(lambda v: v * 2)(jax.device_put(x, NamedSharding(mesh, P("x")))).sharding.spec) == "P('x', None)"
    assert repr(jax.jit(lambda v: v.T)(b).sharding.spec) == "P(None, 'x')"
    assert repr(jax.jit(lambda v: v * 2, out_shardings=NamedSharding(mesh, P("x")))(x).sharding.spec) == "P('x',)"
