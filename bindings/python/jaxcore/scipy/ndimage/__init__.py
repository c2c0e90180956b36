"""`jaxcore.scipy.ndimage.map_coordinates`: sampling an array at fractional
coordinates, nearest (order 0) or linear (order 1), with scipy's boundary
modes."""

import itertools

from ... import numpy as jnp
from ... import lax


def _mirror(i, n):
    # a triangular wave of period 2(n - 1): ... 1 0 1 2 ... n-1 n-2 ...
    if n == 1:
        return jnp.zeros_like(i)
    p = n - 1
    return jnp.abs((i + p) % (2 * p) - p)


def _reflect(i, n):
    # period 2n with the edge repeated: ... 1 0 0 1 ... n-1 n-1 n-2 ...
    k = i % (2 * n)
    return jnp.where(k < n, k, 2 * n - 1 - k)


_MODES = {
    "constant": lambda i, n: i,
    "nearest": lambda i, n: jnp.clip(i, 0, n - 1),
    "wrap": lambda i, n: i % n,
    "mirror": _mirror,
    "reflect": _reflect,
}


def map_coordinates(input, coordinates, order, mode="constant", cval=0.0):
    """`input` sampled at `coordinates` (one array per dimension, all of the
    output's shape). Integer inputs round the result half away from zero."""
    x = jnp.asarray(input)
    coords = [jnp.asarray(c) for c in coordinates]
    if len(coords) != x.ndim:
        raise ValueError(f"coordinates must be a sequence of length input.ndim, but {len(coords)} != {x.ndim}")
    fix = _MODES.get(mode)
    if fix is None:
        raise NotImplementedError(f"jax.scipy.ndimage.map_coordinates does not yet support mode {mode}. Currently supported modes are {set(_MODES)}.")
    if order not in (0, 1):
        raise NotImplementedError("jax.scipy.ndimage.map_coordinates currently requires order<=1")
    per_dim = []
    for c, n in zip(coords, x.shape):
        if order == 0:
            idx = c if str(c.dtype).startswith(("int", "uint")) else lax.round(c)
            nodes = [(idx.astype("int32"), None)]
        else:
            lo = jnp.floor(c)
            w_hi = c - lo
            lo = lo.astype("int32")
            nodes = [(lo, 1 - w_hi), (lo + 1, w_hi)]
        per_dim.append([(fix(i, n), (i >= 0) & (i < n) if mode == "constant" else None, w) for i, w in nodes])
    cval = jnp.asarray(cval, x.dtype)
    total = None
    for combo in itertools.product(*per_dim):
        idx = tuple(i for i, _, _ in combo)
        vals = x[idx]
        masks = [m for _, m, _ in combo if m is not None]
        if masks:
            ok = masks[0]
            for m in masks[1:]:
                ok = ok & m
            vals = jnp.where(ok, vals, cval)
        weight = None
        for _, _, w in combo:
            if w is not None:
                weight = w if weight is None else weight * w
        term = vals if weight is None else weight * vals
        total = term if total is None else total + term
    if str(x.dtype).startswith(("int", "uint")):
        total = lax.round(total)
    return total.astype(x.dtype)
