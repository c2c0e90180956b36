"""`jax.scipy.interpolate`: `RegularGridInterpolator` (linear and nearest),
with JAX's semantics: out-of-grid points take `fill_value` (NaN by
default; None extrapolates from the edge cells), `bounds_error=True` is
refused as in JAX (it cannot act under jit)."""

import itertools

import numpy as _np

from ... import numpy as jnp


def _coords(xi, ndim):
    """(..., ndim) coordinates from an array or a tuple of arrays."""
    if isinstance(xi, tuple) or (isinstance(xi, list) and len(xi) == ndim and ndim > 1
                                 and not _np.isscalar(xi[0])):
        parts = jnp.broadcast_arrays(*[jnp.asarray(p) for p in xi])
        return jnp.stack(parts, axis=-1)
    xi = jnp.asarray(xi)
    if ndim == 1 and (xi.ndim == 0 or xi.shape[-1] != 1):
        xi = xi[..., None]
    return xi


class RegularGridInterpolator:
    """`jax.scipy.interpolate.RegularGridInterpolator(points, values, method,
    bounds_error, fill_value)`."""

    def __init__(self, points, values, method="linear", bounds_error=False, fill_value=_np.nan):
        if method not in ("linear", "nearest"):
            raise ValueError(f"method {method!r} is not defined")
        if bounds_error:
            raise NotImplementedError("`bounds_error` takes no effect under JIT")
        values = jnp.asarray(values)
        if not jnp.issubdtype(values.dtype, jnp.inexact):
            values = values.astype(jnp.result_type(float))
        if len(points) > values.ndim:
            raise ValueError(f"there are {len(points)} point arrays, but values has {values.ndim} dimensions")
        if fill_value is not None:
            fill_value = jnp.asarray(fill_value)
            if jnp.issubdtype(fill_value.dtype, jnp.complexfloating) and not jnp.issubdtype(values.dtype, jnp.complexfloating):
                raise ValueError("fill_value must be either 'None' or of a type compatible with values")
        self.method, self.bounds_error, self.fill_value = method, bounds_error, fill_value
        self.grid = tuple(jnp.asarray(p) for p in points)
        self.values = values

    def __call__(self, xi, method=None):
        method = self.method if method is None else method
        if method not in ("linear", "nearest"):
            raise ValueError(f"method {method!r} is not defined")
        ndim = len(self.grid)
        xi = _coords(xi, ndim)
        if xi.shape[-1] != ndim:
            raise ValueError(f"the requested sample points xi have dimension {xi.shape[-1]}, but this "
                             f"RegularGridInterpolator has dimension {ndim}")
        lead = xi.shape[:-1]
        pts = xi.reshape(-1, ndim)
        idx, frac, outside = self._cells(pts)
        if method == "linear":
            out = self._linear(idx, frac)
        else:
            out = self.values[tuple(jnp.where(t <= 0.5, i, i + 1) for i, t in zip(idx, frac))]
        if self.fill_value is not None:
            out = jnp.where(outside.reshape(out.shape[:1] + (1,) * (out.ndim - 1)), self.fill_value, out)
        return out.reshape(lead + self.values.shape[ndim:])

    def _cells(self, pts):
        """Per dimension: the lower grid index of each point's cell (edge
        cells extended outward), the fraction of the cell it lies at, and
        whether any coordinate is outside the grid."""
        idx, frac = [], []
        outside = jnp.zeros(pts.shape[:1], dtype=bool)
        for d, g in enumerate(self.grid):
            x = pts[:, d]
            i = jnp.clip(jnp.searchsorted(g, x) - 1, 0, g.shape[0] - 2)
            idx.append(i)
            frac.append((x - g[i]) / (g[i + 1] - g[i]))
            outside = outside | (x < g[0]) | (x > g[-1])
        return idx, frac, outside

    def _linear(self, idx, frac):
        trailing = (slice(None),) + (None,) * (self.values.ndim - len(idx))
        out = 0.0
        # every corner of the cell, weighted by the opposite fractions
        for corner in itertools.product(*[(i, i + 1) for i in idx]):
            w = 1.0
            for c, i, t in zip(corner, idx, frac):
                w = w * jnp.where(c == i, 1 - t, t)
            out = out + self.values[corner] * w[trailing]
        return out
