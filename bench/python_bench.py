"""Python-level benchmarks of jaxcore next to JAX, in one process, runs
alternating (these machines are noisy): jit dispatch of x*x+2*x on f32[4],
the 784-512-512-10 MLP jit(grad) step at batch 128, and the first call
(trace + compile) of that step in a fresh process.

    python bench/python_bench.py            # both, when jax is importable
    python bench/python_bench.py --only jaxcore
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "bindings", "python"))


def load(name):
    if name == "jax":
        import jax
        import jax.numpy as jnp
        return jax, jnp
    import jaxcore
    import jaxcore.numpy as jnp
    return jaxcore, jnp


def mlp_setup(jax, jnp):
    import numpy as np
    jax.devices()  # backend start-up (plugin load, client) is not part of the first call
    rng = np.random.default_rng(0)
    sizes = [784, 512, 512, 10]
    params = [(jnp.asarray(rng.normal(size=(m, n)).astype(np.float32) * 0.05), jnp.asarray(np.zeros(n, np.float32)))
              for m, n in zip(sizes[:-1], sizes[1:])]
    x = jnp.asarray(rng.normal(size=(128, 784)).astype(np.float32))
    y = jnp.asarray(rng.normal(size=(128, 10)).astype(np.float32))

    def loss(params, x, y):
        h = x
        for w, b in params[:-1]:
            h = jnp.tanh(h @ w + b)
        w, b = params[-1]
        return jnp.mean((h @ w + b - y) ** 2)

    return jax.jit(jax.grad(loss)), params, x, y


def bench_dispatch(jax, jnp, n=2000):
    f = jax.jit(lambda x: x * x + 2 * x)
    x = jnp.ones(4, dtype=jnp.float32)
    f(x).block_until_ready()
    t = time.perf_counter()
    for _ in range(n):
        y = f(x)
    y.block_until_ready()
    return (time.perf_counter() - t) / n * 1e6  # us


def bench_mlp(jax, jnp, n=20):
    step, params, x, y = mlp_setup(jax, jnp)
    jax.block_until_ready(step(params, x, y))
    ts = []
    for _ in range(n):
        t = time.perf_counter()
        jax.block_until_ready(step(params, x, y))
        ts.append(time.perf_counter() - t)
    return statistics.median(ts) * 1e3  # ms


def first_call(name):
    """The first jit(grad) MLP step in a fresh process, cold caches (ms)."""
    code = ("import sys,time; sys.path.insert(0, %r); sys.argv=['x']; import python_bench as b; "
            "jax, jnp = b.load(%r); step, p, x, y = b.mlp_setup(jax, jnp); t = time.perf_counter(); "
            "jax.block_until_ready(step(p, x, y)); print((time.perf_counter() - t) * 1e3)") % (HERE, name)
    env = dict(os.environ, JAXCORE_COMPILE_CACHE="off")  # cold: no persistent cache (JAX has none by default)
    env.pop("JAX_COMPILATION_CACHE_DIR", None)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    return float(out.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", choices=["jax", "jaxcore"])
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    impls = [args.only] if args.only else ["jaxcore", "jax"]
    if not args.only:
        try:
            import jax  # noqa: F401
        except ImportError:
            impls = ["jaxcore"]
    libs = {name: load(name) for name in impls}
    res = {name: {"dispatch_us": [], "mlp_step_ms": [], "first_call_ms": []} for name in impls}
    for _ in range(args.rounds):
        for name in impls:  # alternate
            jax, jnp = libs[name]
            res[name]["dispatch_us"].append(bench_dispatch(jax, jnp))
            res[name]["mlp_step_ms"].append(bench_mlp(jax, jnp))
    for _ in range(3):
        for name in impls:
            res[name]["first_call_ms"].append(first_call(name))
    med = {n: {k: statistics.median(v) for k, v in r.items()} for n, r in res.items()}
    print(f"{'workload':<16}" + "".join(f"{n:>12}" for n in impls) + ("       ratio" if len(impls) == 2 else ""))
    for k in ["dispatch_us", "mlp_step_ms", "first_call_ms"]:
        row = f"{k:<16}" + "".join(f"{med[n][k]:>12.2f}" for n in impls)
        if len(impls) == 2:
            row += f"{med['jaxcore'][k] / med['jax'][k]:>12.2f}"
        print(row)
    print(json.dumps(med))


if __name__ == "__main__":
    main()
