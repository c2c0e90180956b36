"""Host callbacks (pure_callback, io_callback, debug.print/callback) under
jit/vmap/grad, jit's lower/compile/trace stages, pmap, ravel_pytree,
jax.dtypes and XLA_FLAGS, against numpy and what JAX 0.10.2 prints."""

import os
import subprocess
import sys

import numpy as np
import pytest

import jaxcore as jax
import jaxcore.numpy as jnp
from jaxcore.experimental import io_callback


def close(a, b, tol=1e-6):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=tol, atol=tol)


def test_pure_callback_runs_at_every_jitted_call():
    calls = []
    def host(y):
        calls.append(np.asarray(y).copy())
        return np.sin(y) * 2

    f = jax.jit(lambda x: jax.pure_callback(host, jax.ShapeDtypeStruct((3,), jnp.float32), x) + 1)
    for k in range(2):
        x = np.arange(3.0, dtype=np.float32) + k
        close(f(jnp.asarray(x)), np.sin(x) * 2 + 1)
    assert len(calls) == 2
    # a pytree of results, and keyword arguments
    out = jax.pure_callback(lambda a, b=0: {"s": a + b, "p": a * b}, {"s": jax.ShapeDtypeStruct((), jnp.float32), "p": jax.ShapeDtypeStruct((), jnp.float32)}, 2.0, b=3.0)
    assert float(out["s"]) == 5.0 and float(out["p"]) == 6.0


def test_pure_callback_derivatives_and_vmap_methods():
    sds = jax.ShapeDtypeStruct((), jnp.float32)
    with pytest.raises(ValueError, match="Pure callbacks do not support JVP"):
        jax.grad(lambda x: jax.pure_callback(np.sin, sds, x))(1.0)
    with pytest.raises(NotImplementedError, match="vmap_method"):
        jax.vmap(lambda x: jax.pure_callback(np.sin, sds, x))(jnp.ones(3))
    with pytest.raises(ValueError, match="vmap_method must be"):
        jax.pure_callback(np.sin, sds, 1.0, vmap_method="loop")
    x = np.arange(3.0, dtype=np.float32)
    close(jax.vmap(lambda v: jax.pure_callback(np.sin, sds, v, vmap_method="sequential"))(x), np.sin(x))
    seen = []
    def mul(a, b):
        seen.append((np.shape(a), np.shape(b)))
        return a * b
    two = jax.ShapeDtypeStruct((2,), jnp.float32)
    xs, y = np.ones((3, 2), np.float32), np.arange(2.0, dtype=np.float32)
    for method, shapes in [("expand_dims", ((3, 2), (1, 2))), ("broadcast_all", ((3, 2), (3, 2)))]:
        seen.clear()
        out = jax.vmap(lambda a, b: jax.pure_callback(mul, two, a, b, vmap_method=method), in_axes=(0, None))(xs, y)
        close(out, xs * y)
        assert seen == [shapes]

    # differentiable through custom_jvp (JAX's recipe)
    @jax.custom_jvp
    def hsin(x):
        return jax.pure_callback(np.sin, jax.ShapeDtypeStruct(x.shape, x.dtype), x)
    hsin.defjvp(lambda p, t: (hsin(p[0]), jnp.cos(p[0]) * t[0]))
    close(jax.jit(jax.grad(lambda x: hsin(x) * 2))(1.0), 2 * np.cos(1.0))


def test_callback_errors_propagate():
    def bad(x):
        raise RuntimeError("boom in callback")
    with pytest.raises(RuntimeError, match="boom in callback"):
        jax.jit(lambda x: jax.pure_callback(bad, jax.ShapeDtypeStruct((), jnp.float32), x))(1.0)
    with pytest.raises(TypeError, match="f32\\[4\\]"):
        jax.pure_callback(lambda x: x, jax.ShapeDtypeStruct((4,), jnp.float32), jnp.ones(3))


def test_debug_print_at_run_time(capsys):
    # what JAX 0.10.2 prints for the same program
    @jax.jit
    def f(x):
        jax.debug.print("x={x} s={s}", x=x, s=x.sum())
        return x * 2
    f(jnp.arange(3.0))
    f(jnp.arange(3.0) + 1)
    jax.vmap(f)(jnp.arange(4.0).reshape(2, 2))
    jax.grad(lambda x: (jax.debug.print("g {}", x), x ** 2)[1])(3.0)
    def step(c, x):
        jax.debug.print("step {c} {x}", c=c, x=x)
        return c + x, c
    jax.lax.scan(step, 0.0, jnp.arange(3.0))
    got = []
    jax.jit(lambda x: jax.debug.callback(lambda v: got.append(np.asarray(v).tolist()), x))(jnp.ones(2))
    assert got == [[1.0, 1.0]]
    assert capsys.readouterr().out.splitlines() == [
        "x=[0. 1. 2.] s=3.0", "x=[1. 2. 3.] s=6.0", "x=[0. 1.] s=1.0", "x=[2. 3.] s=5.0", "g 3.0",
        "step 0.0 0.0", "step 0.0 1.0", "step 1.0 2.0"]


def test_io_callback_is_kept_and_ordered_ones_do_not_vmap():
    log = []
    def rec(x):
        log.append(float(x))
        return np.asarray(x, np.float32)
    sds = jax.ShapeDtypeStruct((), jnp.float32)
    # the result is unused: an io callback still runs
    jax.jit(lambda x: (io_callback(rec, sds, x * 3), x)[1])(2.0)
    assert log == [6.0]
    with pytest.raises(ValueError, match="Cannot `vmap` ordered IO callback"):
        jax.vmap(lambda x: io_callback(rec, sds, x, ordered=True))(jnp.ones(2))
    with pytest.raises(ValueError, match="IO callbacks do not support JVP"):
        jax.grad(lambda x: io_callback(rec, sds, x))(1.0)


def test_jit_stages():
    def f(x, n):
        return jnp.sin(x) * n
    jf = jax.jit(f, static_argnums=1)
    lowered = jf.lower(jnp.ones(3), 2)
    text = lowered.as_text()
    assert "stablehlo.sine" in text and "tensor<3xf32>" in text
    compiled = lowered.compile()
    close(compiled(jnp.arange(3.0)), np.sin(np.arange(3.0)) * 2)
    assert compiled.out_info == jax.ShapeDtypeStruct((3,), jnp.float32)
    with pytest.raises(TypeError, match="Argument types differ"):
        compiled(jnp.ones(4))
    assert "sin" in str(jf.trace(jnp.ones(3), 2).jaxpr)
    assert jf.eval_shape(jnp.ones((2, 5)), 3) == jax.ShapeDtypeStruct((2, 5), jnp.float32)


def test_pmap_matches_a_loop_over_devices():
    x = np.arange(8.0, dtype=np.float32).reshape(4, 2)
    out = jax.pmap(lambda v: v / jax.lax.psum(v, "i"), axis_name="i")(x)
    close(out, x / x.sum(0))
    g = jax.pmap(lambda v, s: jnp.sin(v) * s + jax.lax.pmean(v, "d"), axis_name="d", static_broadcasted_argnums=1)
    close(g(x, 3.0), np.sin(x) * 3 + x.mean(0))
    w = np.ones((2, 3), np.float32)
    close(jax.pmap(lambda a, b: a @ b, in_axes=(0, None))(x.reshape(4, 1, 2), w), x.reshape(4, 1, 2) @ w)
    with pytest.raises(ValueError, match="requires 9 logical devices"):
        jax.pmap(lambda v: v)(jnp.ones((9, 2)))


def test_ravel_pytree_dtypes_and_precision():
    from jaxcore.flatten_util import ravel_pytree
    import jaxcore.numpy.linalg as la
    tree = {"a": jnp.ones((2, 2)), "b": jnp.arange(3)}
    flat, unravel = ravel_pytree(tree)
    assert flat.dtype == jnp.float32 and flat.shape == (7,)
    close(flat, [1, 1, 1, 1, 0, 1, 2])
    back = unravel(flat * 2)
    assert back["b"].dtype == jnp.int32
    close(back["b"], [0, 2, 4])
    close(la.norm(jnp.ones(4)), 2.0)
    assert jax.dtypes.canonicalize_dtype(np.float64) == np.float32
    assert str(jax.dtypes.float0) == "[('float0', 'V')]"
    assert jnp.finfo(jnp.bfloat16).eps == 2.0 ** -7
    # bfloat16 values reach Python and numpy (asking for a dtype) with or without ml_dtypes
    h = jnp.array([1.5, 2.3], jnp.bfloat16)
    assert h.tolist() == [1.5, 2.296875] and float(h[1]) == 2.296875 and h[0].item() == 1.5
    assert np.asarray(h, np.float64).tolist() == [1.5, 2.296875]
    # and print as JAX's (ml_dtypes' six significant digits)
    assert str(h) == "[1.5 2.29688]" and repr(jnp.ones(2, jnp.bfloat16)) == "Array([1, 1], dtype=bfloat16)"
    a = jnp.full((3,), 100, jnp.int8)
    assert int(jnp.dot(a, a, preferred_element_type=jnp.int32)) == 30000
    m = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    close(jnp.matmul(m, m.T, precision=jax.lax.Precision.HIGHEST), m @ m.T)
    close(jnp.dot(m, m.T, precision="highest"), m @ m.T)
    assert jax.lax.Precision("highest") is jax.lax.Precision.HIGHEST


def test_xla_flags_reach_the_compiler(tmp_path):
    code = "import jaxcore as jax, jaxcore.numpy as jnp; print(jax.jit(lambda x: x * 2)(jnp.ones(2)))"
    env = dict(os.environ, XLA_FLAGS=f"--xla_dump_to={tmp_path} --xla_dump_hlo_as_text", JAXCORE_COMPILE_CACHE="off",
               PYTHONPATH=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert any(p.name.endswith("after_optimizations.txt") for p in tmp_path.iterdir())
