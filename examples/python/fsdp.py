"""The seed's scaling example from Python: an MLP whose parameters are
sharded over mesh axis `data` (FSDP), inputs P('data'), jit(grad(loss)) on
8 CPU devices. Explicit mode: the sharding is part of each type, and the
loss gathers each parameter (reshard to P()) right before using it.

    .venv/bin/python examples/python/fsdp.py
"""
import sys, pathlib
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "bindings" / "python"))

import numpy as np
import jaxcore as jax
import jaxcore.numpy as jnp
from jaxcore.sharding import PartitionSpec as P, reshard

jax.config.update("jax_num_cpu_devices", 8)


def init(key, sizes):
    params = []
    for k, (m, n) in zip(jax.random.split(key, len(sizes) - 1), zip(sizes[:-1], sizes[1:])):
        params.append((jax.random.normal(k, (m, n)) / np.sqrt(m), jnp.zeros(n)))
    return params


def loss(params, x, y):
    h = x
    for i, (w, b) in enumerate(params):
        w, b = reshard(w, P()), reshard(b, P())   # all-gather this layer's weights
        h = h @ w + b
        if i < len(params) - 1:
            h = jnp.tanh(h)
    return jnp.mean(jax.nn.log_softmax(h) * -y) * h.shape[-1]


mesh = jax.make_mesh((8,), ("data",))
params = init(jax.random.key(0), [784, 512, 512, 10])
x = jax.random.normal(jax.random.key(1), (128, 784))
y = jax.nn.one_hot(jax.random.randint(jax.random.key(2), (128,), 0, 10), 10)

step = jax.jit(jax.grad(loss))
single = step(params, x, y)                      # one device

with jax.set_mesh(mesh):
    # every parameter split on its first dimension (the 10-wide bias stays whole)
    sharded_params = jax.tree_util.tree_map(lambda p: jax.device_put(p, P("data") if p.shape[0] % 8 == 0 else P()), params)
    xs, ys = jax.device_put(x, P("data")), jax.device_put(y, P("data"))
    print("typeof(W2) =", jax.typeof(sharded_params[1][0]))
    grads = step(sharded_params, xs, ys)

print("typeof(grad W2) =", jax.typeof(grads[1][0]))
print("grad W2 pieces:", len(grads[1][0].addressable_shards), "of shape", grads[1][0].addressable_shards[0].data.shape)
diff = max(float(jnp.max(jnp.abs(a - b))) for a, b in zip(jax.tree_util.tree_leaves(grads), jax.tree_util.tree_leaves(single)))
print(f"max |sharded - single-device| over all gradients = {diff:.2e}")
assert diff < 1e-5
