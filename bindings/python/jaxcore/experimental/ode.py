"""`jax.experimental.ode.odeint`: Dormand-Prince 5(4) with adaptive steps
(JAX's error norm, step-size rule and initial step). Each requested time
is reached by a step that ends exactly on it (JAX interpolates instead;
both are within the tolerances). Traces, jits and differentiates (through
the solver's loops)."""

from .. import numpy as jnp
from .. import lax, vmap
from ..flatten_util import ravel_pytree

_ALPHA = [1 / 5, 3 / 10, 4 / 5, 8 / 9, 1.0, 1.0]
_BETA = [[1 / 5], [3 / 40, 9 / 40], [44 / 45, -56 / 15, 32 / 9],
         [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729],
         [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656],
         [35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84]]
_C_SOL = [35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0.0]
_C_ERR = [35 / 384 - 1951 / 21600, 0.0, 500 / 1113 - 22642 / 50085, 125 / 192 - 451 / 720,
          -2187 / 6784 + 12231 / 42400, 11 / 84 - 649 / 6300, -1.0 / 60.0]


def _dopri_step(f, y, f0, t, dt):
    ks = [f0]
    for a, row in zip(_ALPHA, _BETA):
        yi = y + dt * sum(b * k for b, k in zip(row, ks) if b != 0.0)
        ks.append(f(yi, t + a * dt))
    y1 = y + dt * sum(c * k for c, k in zip(_C_SOL, ks) if c != 0.0)
    err = dt * sum(c * k for c, k in zip(_C_ERR, ks) if c != 0.0)
    return y1, ks[-1], err


def _initial_step(f, t0, y0, f0, rtol, atol, order=4):
    scale = atol + jnp.abs(y0) * rtol
    d0, d1 = jnp.linalg.norm(y0 / scale), jnp.linalg.norm(f0 / scale)
    h0 = jnp.where((d0 < 1e-5) | (d1 < 1e-5), 1e-6, 0.01 * d0 / d1)
    f1 = f(y0 + h0 * f0, t0 + h0)
    d2 = jnp.linalg.norm((f1 - f0) / scale) / h0
    h1 = jnp.where((d1 <= 1e-15) & (d2 <= 1e-15), jnp.maximum(1e-6, h0 * 1e-3),
                   (0.01 / jnp.maximum(d1, d2)) ** (1.0 / (order + 1.0)))
    return jnp.minimum(100 * h0, h1)


def _next_step(last, ratio, safety=0.9, ifactor=10.0, dfactor=0.2, order=5.0):
    dfactor = jnp.where(ratio < 1, 1.0, dfactor)
    factor = jnp.maximum(1 / ifactor, jnp.minimum(jnp.sqrt(ratio) ** (1 / order) / safety, 1 / dfactor))
    return jnp.where(ratio == 0, last * ifactor, last / factor)


def odeint(func, y0, t, *args, rtol=1.4e-8, atol=1.4e-8, mxstep=float("inf"), hmax=float("inf")):
    """Solves dy/dt = func(y, t, *args) from y(t[0]) = y0; returns y at
    every time of `t` (a pytree like y0 with a leading time axis)."""
    flat0, unravel = ravel_pytree(y0)
    t = jnp.asarray(t, flat0.dtype)
    if t.ndim != 1:
        raise TypeError(f"t must be a 1-D array of times, got shape {t.shape}")

    def f(y, s):
        return ravel_pytree(func(unravel(y), s, *args))[0]

    def advance(carry, target):
        def cond(st):
            y, f0, s, dt, n = st
            return (s < target) & (n < mxstep)

        def body(st):
            y, f0, s, dt, n = st
            h = jnp.minimum(jnp.minimum(dt, target - s), hmax)
            y1, f1, err = _dopri_step(f, y, f0, s, h)
            tol = atol + rtol * jnp.maximum(jnp.abs(y), jnp.abs(y1))
            ratio = jnp.mean((err / tol) ** 2)
            ok = ratio <= 1
            s1 = jnp.where(h == target - s, target, s + h)
            return (jnp.where(ok, y1, y), jnp.where(ok, f1, f0), jnp.where(ok, s1, s), _next_step(h, ratio), n + 1)

        y, f0, s, dt = carry
        y, f0, s, dt, _ = lax.while_loop(cond, body, (y, f0, s, dt, jnp.asarray(0.0, flat0.dtype)))
        return (y, f0, s, dt), y

    f0 = f(flat0, t[0])
    dt = _initial_step(f, t[0], flat0, f0, rtol, atol)
    _, ys = lax.scan(advance, (flat0, f0, t[0], dt), t[1:])
    ys = jnp.concatenate([flat0[None], ys], axis=0)
    return vmap(unravel)(ys)
