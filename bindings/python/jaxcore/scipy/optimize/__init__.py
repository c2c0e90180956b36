"""`jax.scipy.optimize.minimize` (method="BFGS"): JAX's BFGS iteration
(inverse-Hessian update, gtol on the infinity norm of the gradient,
maxiter 200 * n) with a backtracking line search on the Armijo condition
(JAX uses a zoom search for the strong Wolfe conditions: the minimizer
reached agrees within the tolerances; iteration counts may differ). All
in `lax.while_loop`, so it jits."""

from typing import NamedTuple

from ... import numpy as jnp
from ... import lax
from ..._api import value_and_grad
from ..._core import Array


class OptimizeResults(NamedTuple):
    x: Array
    success: Array
    status: Array
    fun: Array
    jac: Array
    hess_inv: Array
    nfev: Array
    njev: Array
    nit: Array


def minimize(fun, x0, args=(), *, method, tol=None, options=None):
    if method.lower() != "bfgs":
        raise ValueError(f"Method {method} not recognized")
    options = dict(options or {})
    x0 = jnp.asarray(x0)
    if x0.ndim != 1:
        raise ValueError("x0 must be a 1-D array")
    if not jnp.issubdtype(x0.dtype, jnp.floating):
        x0 = x0.astype("float32")
    gtol = options.pop("gtol", 1e-5 if tol is None else tol)
    norm = options.pop("norm", float("inf"))
    maxiter = options.pop("maxiter", None)
    ls_maxiter = options.pop("line_search_maxiter", 10)
    if options:
        raise ValueError(f"Unknown options: {sorted(options)}")
    n = x0.shape[0]
    maxiter = 200 * n if maxiter is None else maxiter
    vg = value_and_grad(lambda x: fun(x, *args))
    gnorm = lambda g: jnp.linalg.norm(g, ord=norm)

    def line_search(x, f, g, p):
        # largest step 2^-k (k < 2 * ls_maxiter) meeting Armijo's condition
        slope = jnp.dot(g, p)
        def cond(st):
            a, fa, ga, k, ok = st
            return (~ok) & (k < 2 * ls_maxiter)
        def body(st):
            a, _, _, k, _ = st
            fa, ga = vg(x + a * p)
            ok = jnp.isfinite(fa) & (fa <= f + 1e-4 * a * slope)
            return jnp.where(ok, a, a * 0.5), fa, ga, k + 1, ok
        one = jnp.asarray(1.0, x.dtype)
        a, fa, ga, k, ok = lax.while_loop(cond, body, (one, f, g, jnp.asarray(0), jnp.asarray(False)))
        return a, fa, ga, k, ok

    f0, g0 = vg(x0)
    eye = jnp.eye(n, dtype=x0.dtype)
    init = (x0, f0, g0, eye, jnp.asarray(0), jnp.asarray(1), gnorm(g0) < gtol, jnp.asarray(False))

    def cond(st):
        x, f, g, H, k, nfev, converged, failed = st
        return (~converged) & (~failed) & (k < maxiter)

    def body(st):
        x, f, g, H, k, nfev, converged, failed = st
        p = -(H @ g)
        a, f1, g1, evals, ok = line_search(x, f, g, p)
        s = a * p
        y = g1 - g
        rho = 1.0 / jnp.dot(y, s)
        w = eye - rho * jnp.outer(s, y)
        H1 = jnp.where(jnp.isfinite(rho) & (rho > 0), w @ H @ w.T + rho * jnp.outer(s, s), H)
        x1 = jnp.where(ok, x + s, x)
        f1, g1 = jnp.where(ok, f1, f), jnp.where(ok, g1, g)
        return (x1, f1, g1, jnp.where(ok, H1, H), k + 1, nfev + evals, gnorm(g1) < gtol, ~ok)

    x, f, g, H, k, nfev, converged, failed = lax.while_loop(cond, body, init)
    status = jnp.where(converged, 0, jnp.where(k >= maxiter, 1, jnp.where(failed, 3, -1)))
    return OptimizeResults(x=x, success=converged, status=status, fun=f, jac=g, hess_inv=H,
                           nfev=nfev, njev=nfev, nit=k)
