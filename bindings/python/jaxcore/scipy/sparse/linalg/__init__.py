"""`jaxcore.scipy.sparse.linalg`: conjugate gradients and BiCGSTAB on
matrices, functions and pytrees, differentiated implicitly through
`lax.custom_linear_solve` (as JAX's)."""

from .... import numpy as jnp
from .... import lax
from .... import tree_util as tu


def _vdot(a, b):
    return sum(jnp.vdot(u, v) for u, v in zip(tu.tree_leaves(a), tu.tree_leaves(b)))


def _axpy(alpha, x, y):
    return tu.tree_map(lambda u, v: alpha * u + v, x, y)


def _sub(x, y):
    return tu.tree_map(lambda u, v: u - v, x, y)


def _matvec(A):
    if callable(A):
        return A
    A = jnp.asarray(A)
    return lambda x: jnp.dot(A, x, precision=lax.Precision.HIGHEST)


def _cg_solve(A, b, x0, tol, atol, maxiter, M):
    atol2 = jnp.maximum(tol * tol * _vdot(b, b), atol * atol)

    def cond(st):
        _, r, gamma, _, k = st
        return (_vdot(r, r) > atol2) & (k < maxiter)

    def body(st):
        x, r, gamma, p, k = st
        ap = A(p)
        alpha = gamma / _vdot(p, ap)
        x = _axpy(alpha, p, x)
        r = _axpy(-alpha, ap, r)
        z = M(r)
        gamma_new = _vdot(r, z)
        p = _axpy(gamma_new / gamma, p, z)
        return x, r, gamma_new, p, k + 1

    r0 = _sub(b, A(x0))
    z0 = M(r0)
    return lax.while_loop(cond, body, (x0, r0, _vdot(r0, z0), z0, 0))[0]


def _bicgstab_solve(A, b, x0, tol, atol, maxiter, M):
    atol2 = jnp.maximum(tol * tol * _vdot(b, b), atol * atol)
    zero = tu.tree_map(jnp.zeros_like, b)

    def cond(st):
        _, r, *_, k = st
        return (_vdot(r, r) > atol2) & (k < maxiter)

    def body(st):
        x, r, rhat, rho, alpha, omega, p, v, k = st
        rho_new = _vdot(rhat, r)
        beta = (rho_new / rho) * (alpha / omega)
        p = _axpy(1.0, r, tu.tree_map(lambda pp, vv: beta * (pp - omega * vv), p, v))
        phat = M(p)
        v = A(phat)
        alpha = rho_new / _vdot(rhat, v)
        s = _axpy(-alpha, v, r)
        shat = M(s)
        t = A(shat)
        omega = _vdot(t, s) / _vdot(t, t)
        x = _axpy(omega, shat, _axpy(alpha, phat, x))
        r = _axpy(-omega, t, s)
        return x, r, rhat, rho_new, alpha, omega, p, v, k + 1

    r0 = _sub(b, A(x0))
    one = jnp.ones((), jnp.result_type(*tu.tree_leaves(b)))
    return lax.while_loop(cond, body, (x0, r0, r0, one, one, one, zero, zero, 0))[0]


def _isolve(solver, A, b, x0, tol, atol, maxiter, M, symmetric):
    b = tu.tree_map(jnp.asarray, b)
    if x0 is None:
        x0 = tu.tree_map(jnp.zeros_like, b)
    if tu.tree_structure(x0) != tu.tree_structure(b):
        raise ValueError("x0 and b must have matching tree structure: {} vs {}".format(tu.tree_structure(x0), tu.tree_structure(b)))
    if maxiter is None:
        maxiter = 10 * sum(int(jnp.size(l)) for l in tu.tree_leaves(b))
    A = _matvec(A)
    M = (lambda x: x) if M is None else _matvec(M)

    def solve(mv, rhs):
        return solver(mv, rhs, x0, tol, atol, maxiter, M)
    x = lax.custom_linear_solve(A, b, solve=solve, transpose_solve=solve, symmetric=symmetric)
    return x, None


def cg(A, b, x0=None, *, tol=1e-5, atol=0.0, maxiter=None, M=None):
    """`scipy.sparse.linalg.cg` for symmetric positive definite A (a matrix
    or a function): (x, None), stopping when |r| <= max(tol |b|, atol)."""
    return _isolve(_cg_solve, A, b, x0, tol, atol, maxiter, M, symmetric=True)


def bicgstab(A, b, x0=None, *, tol=1e-5, atol=0.0, maxiter=None, M=None):
    """`scipy.sparse.linalg.bicgstab` for general A: (x, None)."""
    return _isolve(_bicgstab_solve, A, b, x0, tol, atol, maxiter, M, symmetric=False)


def gmres(A, b, x0=None, *, tol=1e-5, atol=0.0, restart=20, maxiter=None, M=None, solve_method="batched"):
    raise NotImplementedError("jax.scipy.sparse.linalg.gmres is not supported yet; use cg or bicgstab")
