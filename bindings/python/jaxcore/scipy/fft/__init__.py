"""`jaxcore.scipy.fft`: the type-2 discrete cosine transform and its
inverse (as `jax.scipy.fft`), as products with the cosine matrix, and the
numpy FFT functions under their scipy names."""

import math

import numpy as _np

from ... import numpy as jnp
from ..._fft import _fit
from ..._fft import fft, ifft, rfft, irfft, fft2, ifft2, rfft2, irfft2, fftn, ifftn, rfftn, irfftn, fftfreq, rfftfreq, fftshift, ifftshift  # noqa: F401


def _cos_matrix(n, dtype):
    k = _np.arange(n)[:, None]
    j = _np.arange(n)[None, :]
    return jnp.asarray(_np.cos(_np.pi * k * (2 * j + 1) / (2 * n)), dtype)


def _float(x):
    x = jnp.asarray(x)
    return x if str(x.dtype).startswith(("float", "bfloat")) else x.astype("float64" if jnp._x64() else "float32")


def _prepare(x, type, n, axis):
    if type != 2:
        raise NotImplementedError("Only DCT type 2 is implemented.")
    axis = axis % jnp.ndim(x)
    x = _fit(_float(x), axis, x.shape[axis] if n is None else n)
    return x, axis, x.shape[axis]


def dct(x, type=2, n=None, axis=-1, norm=None):
    """DCT-II: y_k = 2 sum_j x_j cos(pi k (2j + 1) / 2N) (scaled for norm)."""
    x, axis, N = _prepare(x, type, n, axis)
    y = jnp.moveaxis(jnp.tensordot(_cos_matrix(N, x.dtype), jnp.moveaxis(x, axis, 0), axes=1), 0, axis) * 2
    if norm == "ortho":
        scale = _np.full(N, math.sqrt(1 / (2 * N)))
        scale[0] = math.sqrt(1 / (4 * N))
        y = y * jnp.asarray(scale, y.dtype).reshape([N if d == axis else 1 for d in range(y.ndim)])
    elif norm == "forward":
        y = y / (2 * N)
    elif norm not in (None, "backward"):
        raise ValueError(f"Invalid norm value {norm}")
    return y


def idct(x, type=2, n=None, axis=-1, norm=None):
    """The inverse of `dct` (a scaled DCT-III)."""
    x, axis, N = _prepare(x, type, n, axis)
    # x_j = sum_k w_k y_k cos(pi k (2j + 1) / 2N): w = (1, 2, 2, ...) / 2N for
    # norm None, without the 1/2N for "forward", orthonormal weights for "ortho"
    w = _np.full(N, 2.0)
    w[0] = 1.0
    if norm in (None, "backward"):
        w = w / (2 * N)
    elif norm == "ortho":
        w = _np.full(N, math.sqrt(2 / N))
        w[0] = math.sqrt(1 / N)
    elif norm != "forward":
        raise ValueError(f"Invalid norm value {norm}")
    xs = jnp.moveaxis(x, axis, 0) * jnp.asarray(w, x.dtype).reshape((N,) + (1,) * (x.ndim - 1))
    y = jnp.tensordot(_cos_matrix(N, x.dtype).T, xs, axes=1)
    return jnp.moveaxis(y, 0, axis)


def _multi(f, x, s, axes, norm):
    x = _float(x)
    if axes is None:
        axes = tuple(range(x.ndim)) if s is None else tuple(range(x.ndim - len(s), x.ndim))
    for i, ax in enumerate(axes):
        x = f(x, n=None if s is None else s[i], axis=ax, norm=norm)
    return x


def dctn(x, type=2, s=None, axes=None, norm=None):
    if type != 2:
        raise NotImplementedError("Only DCT type 2 is implemented.")
    return _multi(dct, x, s, axes, norm)


def idctn(x, type=2, s=None, axes=None, norm=None):
    if type != 2:
        raise NotImplementedError("Only DCT type 2 is implemented.")
    return _multi(idct, x, s, axes, norm)
