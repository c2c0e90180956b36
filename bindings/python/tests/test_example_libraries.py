"""jaxcore.example_libraries (stax, optimizers) against what JAX 0.10.2's
own example libraries print for the same program and keys."""

import numpy as np

import jaxcore as jax
import jaxcore.numpy as jnp
from jaxcore.example_libraries import optimizers, stax


def test_stax_network_and_optimizers_match_jax():
    key = jax.random.key(0)
    init, apply = stax.serial(stax.Conv(4, (3, 3), padding="SAME"), stax.Relu, stax.MaxPool((2, 2), strides=(2, 2)),
                              stax.AvgPool((2, 2), padding="SAME"), stax.Flatten, stax.Dense(16), stax.BatchNorm(axis=(0,)),
                              stax.Tanh, stax.Dense(3), stax.LogSoftmax)
    out_shape, params = init(key, (5, 8, 8, 2))
    assert tuple(out_shape) == (5, 3)
    x = jax.random.normal(jax.random.key(1), (5, 8, 8, 2))
    y = jnp.eye(3)[jnp.array([0, 1, 2, 1, 0])]
    np.testing.assert_allclose(np.asarray(apply(params, x))[0], [-0.2724, -1.91796, -2.39096], atol=2e-4)

    def loss(p):
        return -jnp.mean(jnp.sum(apply(p, x) * y, axis=1))
    want = {"sgd": 0.14379, "momentum": 0.10896, "adam": 0.06465, "rmsprop": 0.03287, "adagrad": 0.03258,
            "nesterov": 0.08491, "adamax": 0.08449}
    makers = {"sgd": optimizers.sgd(0.1), "momentum": optimizers.momentum(0.05, 0.9), "adam": optimizers.adam(1e-2),
              "rmsprop": optimizers.rmsprop(optimizers.exponential_decay(1e-2, 10, 0.5)), "adagrad": optimizers.adagrad(0.1),
              "nesterov": optimizers.nesterov(0.05, 0.9), "adamax": optimizers.adamax(1e-2)}
    for name, (opt_init, opt_update, get_params) in makers.items():
        state = opt_init(params)
        step = jax.jit(lambda i, st: opt_update(i, jax.grad(loss)(get_params(st)), st))
        for i in range(5):
            state = step(i, state)
        assert abs(float(loss(get_params(state))) - want[name]) < 2e-4, name
    assert abs(float(optimizers.l2_norm(params)) - 7.0627) < 1e-3


def test_stax_dropout_fanout_and_parallel_match_jax():
    key = jax.random.key(0)
    d_init, d_apply = stax.serial(stax.Dense(4), stax.Dropout(0.7))
    _, dp = d_init(key, (2, 3))
    np.testing.assert_allclose(np.asarray(d_apply(dp, jnp.ones((2, 3)), rng=key))[0], [-1.2833, 0.5212, -0.2047, 0.4293], atol=2e-4)
    f_init, f_apply = stax.serial(stax.FanOut(2), stax.parallel(stax.Dense(3), stax.Identity), stax.FanInConcat())
    shape, fp = f_init(key, (2, 3))
    assert tuple(shape) == (2, 6)
    np.testing.assert_allclose(np.asarray(f_apply(fp, jnp.ones((2, 3))))[0], [-0.2297, 1.9908, 1.1842, 1.0, 1.0, 1.0], atol=2e-4)
