"""One benchmark workload on one library, in a fresh process; prints JSON
{"value": ..., "unit": ..., "maxrss_mb": ...}. Used by bench/run.py.

    python bench/workloads.py jaxcore mlp_step
"""

import json
import os
import resource
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "bindings", "python"))


def load(name):
    if name == "jax":
        import jax
        import jax.numpy as jnp
    else:
        import jaxcore as jax
        import jaxcore.numpy as jnp
    devices = int(os.environ.get("BENCH_DEVICES", "1"))
    if devices > 1:
        jax.config.update("jax_num_cpu_devices", devices)
    jax.devices()  # backend start-up is not part of any timing
    return jax, jnp


def med(f, n, warm=1):
    for _ in range(warm):
        f()
    ts = []
    for _ in range(n):
        t = time.perf_counter()
        f()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts)


def mlp(jax, jnp, batch=128):
    import numpy as np
    rng = np.random.default_rng(0)
    s = [784, 512, 512, 10]
    params = [(jnp.asarray(rng.normal(size=(m, n)).astype(np.float32) * 0.05), jnp.asarray(np.zeros(n, np.float32))) for m, n in zip(s[:-1], s[1:])]
    x = jnp.asarray(rng.normal(size=(batch, 784)).astype(np.float32))
    y = jnp.asarray(np.eye(10, dtype=np.float32)[np.arange(batch) % 10])

    def forward(params, x):
        h = x
        for w, b in params[:-1]:
            h = jnp.tanh(h @ w + b)
        w, b = params[-1]
        return h @ w + b

    def loss(params, x, y):
        lg = forward(params, x)
        lp = lg - jax.nn.logsumexp(lg, axis=-1, keepdims=True)
        return jnp.mean(-jnp.sum(lp * y, axis=-1))

    return params, x, y, forward, loss


def run(lib, name):
    jax, jnp = load(lib)
    ready = jax.block_until_ready
    if name == "dispatch":
        f = jax.jit(lambda x: x * x + 2 * x)
        x = f(jnp.ones(4, dtype=jnp.float32))
        return med(lambda: f(x), 5000, 100) * 1e6, "us"
    if name == "eager_add":
        x = jnp.ones(4, dtype=jnp.float32)
        return med(lambda: x + x, 5000, 100) * 1e6, "us"
    if name in ("big_jit", "big_eager", "big_donate"):
        import numpy as np
        x = jnp.asarray(np.random.default_rng(0).normal(size=(5000, 5000)).astype(np.float32))
        if name == "big_eager":
            return med(lambda: ready(x * x + x * 2.0), 5) * 1e3, "ms"
        if name == "big_jit":
            f = jax.jit(lambda x: x * x + x * 2.0)
            return med(lambda: ready(f(x)), 10) * 1e3, "ms"
        f = jax.jit(lambda x: x * x + x * 2.0, donate_argnums=0)
        box = [f(x * 1.0)]
        def step():
            box[0] = f(box[0])
            ready(box[0])
        return med(step, 10) * 1e3, "ms"
    if name in ("dp_step_1dev", "dp_step_2dev", "fsdp_step_8dev"):
        # data parallel: global batch 256 split over the mesh, parameters
        # replicated (dp) or split on their first dimension (fsdp); Auto axes
        if lib == "jax":
            from jax.sharding import NamedSharding, PartitionSpec as P, AxisType
        else:
            from jaxcore.sharding import NamedSharding, PartitionSpec as P, AxisType
        n = int(os.environ.get("BENCH_DEVICES", "1"))
        params, x, y, forward, loss = mlp(jax, jnp, batch=256)
        mesh = jax.make_mesh((n,), ("data",), axis_types=(AxisType.Auto,))
        data, rep = NamedSharding(mesh, P("data")), NamedSharding(mesh, P())
        if name == "fsdp_step_8dev":
            params = jax.tree_util.tree_map(lambda p: jax.device_put(p, data if p.shape[0] % n == 0 else rep), params)
        else:
            params = jax.device_put(params, rep)
        x, y = jax.device_put(x, data), jax.device_put(y, data)
        g = jax.jit(jax.grad(loss))
        return med(lambda: ready(g(params, x, y)), 30, 3) * 1e3, "ms"
    params, x, y, forward, loss = mlp(jax, jnp)
    if name == "mlp_forward":
        f = jax.jit(forward)
        return med(lambda: ready(f(params, x)), 50, 3) * 1e3, "ms"
    if name == "mlp_step":
        g = jax.jit(jax.grad(loss))
        return med(lambda: ready(g(params, x, y)), 30, 3) * 1e3, "ms"
    if name == "mlp_first_call":
        g = jax.jit(jax.grad(loss))
        t = time.perf_counter()
        ready(g(params, x, y))
        return (time.perf_counter() - t) * 1e3, "ms"
    if name == "trace_transform":
        return med(lambda: jax.make_jaxpr(jax.grad(loss))(params, x, y), 20, 2) * 1e3, "ms"
    if name == "per_example_grads":
        single = lambda p, xi, yi: loss(p, xi[None], yi[None])
        g = jax.jit(jax.vmap(jax.grad(single), in_axes=(None, 0, 0)))
        return med(lambda: ready(g(params, x, y)), 10, 2) * 1e3, "ms"
    if name == "grad3_first_call":
        t = time.perf_counter()
        ready(jax.grad(jax.grad(jax.grad(jnp.tanh)))(1.0))
        return (time.perf_counter() - t) * 1e3, "ms"
    if name == "grad3_jitted":
        f = jax.jit(jax.grad(jax.grad(jax.grad(jnp.tanh))))
        v = jnp.asarray(1.0)
        return med(lambda: ready(f(v)), 2000, 10) * 1e6, "us"
    if name == "scan_rnn_step":
        import numpy as np
        rng = np.random.default_rng(1)
        W = jnp.asarray(rng.normal(size=(256, 256)).astype(np.float32) * 0.05)
        U = jnp.asarray(rng.normal(size=(32, 256)).astype(np.float32) * 0.05)
        xs = jnp.asarray(rng.normal(size=(100, 16, 32)).astype(np.float32))
        def rnn_loss(W, U, xs):
            def step(h, x):
                h = jnp.tanh(h @ W + x @ U)
                return h, jnp.sum(h)
            h, ys = jax.lax.scan(step, jnp.zeros((16, 256), jnp.float32), xs)
            return jnp.sum(ys) + jnp.sum(h)
        g = jax.jit(jax.grad(rnn_loss, argnums=(0, 1)))
        return med(lambda: ready(g(W, U, xs)), 10, 2) * 1e3, "ms"
    if name == "chain200_compile":
        def chain(x):
            for i in range(200):
                x = jnp.sin(x) * 1.01 if i % 2 else jnp.cos(x) + 0.5
            return x
        v = jnp.ones(1000, dtype=jnp.float32)
        t = time.perf_counter()
        ready(jax.jit(chain)(v))
        return (time.perf_counter() - t) * 1e3, "ms"
    raise ValueError(f"unknown workload {name}")


if __name__ == "__main__":
    lib, name = sys.argv[1], sys.argv[2]
    value, unit = run(lib, name)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"value": value, "unit": unit, "maxrss_mb": rss}))
