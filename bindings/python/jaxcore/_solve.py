"""Solvers with implicit derivatives: `lax.custom_linear_solve`,
`lax.custom_root` and the Krylov solvers of `scipy.sparse.linalg` on them.

The solve runs on values cut from the derivative (it may loop with
`while_loop`, which reverse mode cannot go through); the derivative comes
from the implicit function theorem. The functions the solvers take are
closure-converted, so the values of enclosing transformations they close over
(the matrix under `grad`) reach the backward rule as explicit arguments. The
result is `x + (c - stop_gradient(c))`: the solver's value exactly, with the
derivative of the correction `c`, whose value is ~0 at the solution."""

from . import tree_util as tu
from . import numpy as jnp


def _sg(tree):
    from .lax import stop_gradient
    return tu.tree_map(stop_gradient, tree)


def _sub(a, b):
    return tu.tree_map(lambda u, v: u - v, a, b)


def _apply_inverse(solve, transpose_solve, lin, x0, r, consts, what):
    """solve(A, r) with the linear map A = lin(consts): a custom_vjp whose
    backward pass solves with A^T (the transpose of A at x0). The derivative
    through A is dropped: it multiplies r, which is ~0. The solves are
    closure-converted too (a user's solve may close over the matrix)."""
    from ._api import custom_vjp, vjp, closure_convert
    s_c, s_consts = closure_convert(lambda r, *cs: solve(lin(cs), r), r, *consts)
    t_c, t_consts = None, []
    if transpose_solve is not None:
        def tsolve(ct, *cs):
            _, pull = vjp(lin(cs), x0)
            return transpose_solve(lambda y: pull(y)[0], ct)
        t_c, t_consts = closure_convert(tsolve, x0, *consts)

    @custom_vjp
    def inv(r, cs, ss, ts):
        return s_c(r, *cs, *ss)

    def fwd(r, cs, ss, ts):
        return inv(r, cs, ss, ts), (cs, ss, ts)

    def bwd(res, ct):
        cs, ss, ts = res
        if t_c is None:
            raise TypeError(f"transpose_solve required for backwards mode automatic differentiation of {what}")
        zeros = lambda t: tu.tree_map(jnp.zeros_like, t)
        return t_c(ct, *cs, *ts), zeros(cs), zeros(ss), zeros(ts)

    inv.defvjp(fwd, bwd)
    return inv(r, list(consts), list(s_consts), list(t_consts))


def _with_derivative(x, c):
    return tu.tree_map(lambda xv, cv: xv + (cv - _sg(cv)), _sg(x), c)


def custom_linear_solve(matvec, b, solve, transpose_solve=None, symmetric=False, has_aux=False):
    """`lax.custom_linear_solve`: x = solve(matvec, b), differentiated as
    A^{-1} b (reverse mode solves with transpose_solve, or solve when
    `symmetric`)."""
    from ._api import closure_convert
    mv_c, consts = closure_convert(matvec, b)
    out = solve(lambda x: mv_c(x, *_sg(consts)), _sg(b))
    x, aux = out if has_aux else (out, None)
    x = _sg(x)
    tsolve = solve if symmetric else transpose_solve
    if tsolve is not None and has_aux:
        tsolve = (lambda ts: lambda f, y: ts(f, y)[0])(tsolve)
    inner = (lambda f, r: solve(f, r)[0]) if has_aux else solve
    r = _sub(b, mv_c(x, *consts))
    c = _apply_inverse(inner, tsolve, lambda cs: lambda v: mv_c(v, *cs), x, r, consts, "custom_linear_solve")
    x = _with_derivative(x, c)
    return (x, aux) if has_aux else x


def custom_root(f, initial_guess, solve, tangent_solve, has_aux=False):
    """`lax.custom_root`: x = solve(f, initial_guess) with f(x) = 0,
    differentiated implicitly: dx = -(df/dx)^{-1} df/dtheta, the linear
    solves by `tangent_solve(g, y)` (g linear)."""
    from ._api import closure_convert, jvp
    f_c, consts = closure_convert(f, initial_guess)
    out = solve(lambda x: f_c(x, *_sg(consts)), _sg(initial_guess))
    x, aux = out if has_aux else (out, None)
    x = _sg(x)
    y = f_c(x, *consts)  # ~0; carries df/dtheta
    lin = lambda cs: lambda v: jvp(lambda u: f_c(u, *cs), (x,), (v,))[1]
    c = _apply_inverse(tangent_solve, tangent_solve, lin, x, y, consts, "custom_root")
    x = _with_derivative(x, tu.tree_map(lambda v: -v, c))
    return (x, aux) if has_aux else x
