"""JAX's side of the benchmarks in README.md, same workloads as
`cargo bench --bench jit` and `--bench trace_transform`. Run it in the same
session as those (this machine's speed drifts):

    python3 -m venv /tmp/jaxenv && /tmp/jaxenv/bin/pip install jax==0.10.2
    /tmp/jaxenv/bin/python bench/jax_reference.py

(issue 10 turns this into one command that runs both sides alternately.)
"""
import time, os, numpy as np
import jax, jax.numpy as jnp
def med(f, n):
    ts=[]
    for _ in range(n):
        t=time.perf_counter(); f(); ts.append(time.perf_counter()-t)
    ts.sort(); return ts[len(ts)//2]
f = jax.jit(lambda x: x*x + 2*x)
x = f(jnp.ones(4, jnp.float32))
print("dispatch f32[4] us", med(lambda: f(x), 20000)*1e6)
big = f(jax.random.normal(jax.random.key(0), (5000,5000)))
big.block_until_ready()
print("5000^2 plain ms", med(lambda: f(big).block_until_ready(), 15)*1e3)
fd = jax.jit(lambda x: x*x + 2*x, donate_argnums=0)
xd = [fd(jnp.zeros((5000,5000), jnp.float32))]
def stepd():
    xd[0] = fd(xd[0]); xd[0].block_until_ready()
print("5000^2 donated ms", med(stepd, 15)*1e3)
def loss(w1,b1,w2,b2,w3,b3,x,y):
    h1=jnp.tanh(x@w1+b1); h2=jnp.tanh(h1@w2+b2); lg=h2@w3+b3
    lp = lg - jax.nn.logsumexp(lg, axis=-1, keepdims=True)
    return jnp.mean(-jnp.sum(lp*y, axis=-1))
s=[784,512,512,10]; args=[]
for i in range(3):
    args += [jax.random.normal(jax.random.key(i),(s[i],s[i+1]))*0.05, jnp.zeros(s[i+1])]
args += [jax.random.normal(jax.random.key(10),(128,784)), jax.nn.one_hot(jnp.arange(128)%10, 10)]
t=time.perf_counter(); g=jax.jit(jax.grad(loss, argnums=(0,1,2,3,4,5))); r=g(*args); jax.block_until_ready(r); print("first call ms", (time.perf_counter()-t)*1e3)
print("step ms", med(lambda: jax.block_until_ready(g(*args)), 200)*1e3)
t=time.perf_counter(); jax.make_jaxpr(jax.grad(loss, argnums=(0,1,2,3,4,5)))(*args); print("make_jaxpr ms", (time.perf_counter()-t)*1e3)
print("make_jaxpr again ms", med(lambda: jax.make_jaxpr(jax.grad(lambda *a: loss(*a), argnums=(0,1,2,3,4,5)))(*args), 20)*1e3)
