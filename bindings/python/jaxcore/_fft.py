"""`jaxcore.numpy.fft`: numpy's FFT functions over `lax.fft` (XLA's FFT),
with numpy's `n`/`s` cropping and zero padding, `axes` and `norm`."""

import math
import operator

import numpy as _np

from . import numpy as jnp
from . import lax


def _complex_dtype(x):
    d = str(x.dtype)
    if d.startswith("complex"):
        return d
    return "complex128" if d == "float64" else "complex64"


def _real_dtype(x):
    d = str(x.dtype)
    if d in ("float32", "float64"):
        return d
    if d == "complex128":
        return "float64"
    return "float64" if jnp._x64() and d in ("int64", "uint64") else "float32"


def _norm_factor(s, inverse, norm):
    if norm is None or norm == "backward":
        return None
    n = math.prod(s)
    if norm == "ortho":
        return math.sqrt(n) if inverse else 1 / math.sqrt(n)
    if norm == "forward":
        return n if inverse else 1 / n
    raise ValueError(f'Invalid norm value {norm}; should be "backward","ortho" or "forward".')


def _fit(x, axis, length):
    """Crops or zero-pads `x` along `axis` to `length` (numpy's `n`)."""
    have = x.shape[axis]
    if length == have:
        return x
    if length < have:
        return lax.slice_in_dim(x, 0, length, axis=axis)
    pad = [(0, 0)] * x.ndim
    pad[axis] = (0, length - have)
    return jnp.pad(x, pad)


def _fft_core(name, fft_type, a, s, axes, norm):
    x = jnp.asarray(a)
    if s is not None:
        s = tuple(operator.index(v) for v in s)
        if _np.any(_np.less(s, 0)):
            raise ValueError("Shape should be non-negative.")
    if axes is None:
        axes = tuple(range(x.ndim)) if s is None else tuple(range(x.ndim - len(s), x.ndim))
    axes = tuple(int(v) % x.ndim for v in axes)
    if len(set(axes)) != len(axes):
        raise ValueError(f"{name} does not support repeated axes. Got axes {axes}.")
    if s is not None and len(s) != len(axes):
        raise ValueError(f"Shape and axes have different lengths: {s} and {axes}")
    if len(axes) > 3:
        # XLA transforms up to 3 trailing dimensions at once: the leading axes first
        if fft_type in (lax.FftType.RFFT, lax.FftType.IRFFT):
            raise NotImplementedError(f"{name} over more than 3 axes is not supported yet")
        head = None if s is None else s[:-3]
        x = _fft_core(name, fft_type, x, head, axes[:-3], norm)
        return _fft_core(name, fft_type, x, None if s is None else s[-3:], axes[-3:], norm)
    if fft_type == lax.FftType.RFFT:
        x = x.astype(_real_dtype(x))
    else:
        x = x.astype(_complex_dtype(x))
    if s is not None:
        for i, (ax, n) in enumerate(zip(axes, s)):
            last = i == len(axes) - 1
            x = _fit(x, ax, n // 2 + 1 if fft_type == lax.FftType.IRFFT and last else n)
    k = len(axes)
    x = jnp.moveaxis(x, axes, tuple(range(x.ndim - k, x.ndim)))
    if s is None:
        s = [x.shape[x.ndim - k + i] for i in range(k)]
        if fft_type == lax.FftType.IRFFT:
            s[-1] = 2 * (s[-1] - 1)
    out = lax.fft(x, fft_type, tuple(s))
    f = _norm_factor(s, name.startswith("i"), norm)
    if f is not None:
        out = out * f  # a weak scalar: the result keeps its type
    return jnp.moveaxis(out, tuple(range(out.ndim - k, out.ndim)), axes)


def _one_axis(name, fft_type, a, n, axis, norm):
    if isinstance(axis, (tuple, list)):
        raise ValueError(f"jax.numpy.fft.{name} does not support multiple axes. Please use jax.numpy.fft.{name}n. Got axis = {axis}.")
    return _fft_core(name, fft_type, a, None if n is None else [n], [axis], norm)


def fft(a, n=None, axis=-1, norm=None):
    return _one_axis("fft", lax.FftType.FFT, a, n, axis, norm)


def ifft(a, n=None, axis=-1, norm=None):
    return _one_axis("ifft", lax.FftType.IFFT, a, n, axis, norm)


def rfft(a, n=None, axis=-1, norm=None):
    return _one_axis("rfft", lax.FftType.RFFT, a, n, axis, norm)


def irfft(a, n=None, axis=-1, norm=None):
    return _one_axis("irfft", lax.FftType.IRFFT, a, n, axis, norm)


def hfft(a, n=None, axis=-1, norm=None):
    """The FFT of a Hermitian-symmetric signal (a real spectrum)."""
    conj_a = jnp.conj(a)
    nn = (conj_a.shape[axis] - 1) * 2 if n is None else n
    return _one_axis("hfft", lax.FftType.IRFFT, conj_a, n, axis, norm) * nn


def ihfft(a, n=None, axis=-1, norm=None):
    x = jnp.asarray(a)
    nn = x.shape[axis] if n is None else n
    out = _one_axis("ihfft", lax.FftType.RFFT, x, n, axis, norm)
    return jnp.conj(out) * (1 / nn)


def _two(name, fft_type, a, s, axes, norm):
    if len(axes) != 2:
        raise ValueError(f"jax.numpy.fft.{name} only supports 2 axes. Got axes = {axes}.")
    return _fft_core(name, fft_type, a, s, axes, norm)


def fft2(a, s=None, axes=(-2, -1), norm=None):
    return _two("fft2", lax.FftType.FFT, a, s, axes, norm)


def ifft2(a, s=None, axes=(-2, -1), norm=None):
    return _two("ifft2", lax.FftType.IFFT, a, s, axes, norm)


def rfft2(a, s=None, axes=(-2, -1), norm=None):
    return _two("rfft2", lax.FftType.RFFT, a, s, axes, norm)


def irfft2(a, s=None, axes=(-2, -1), norm=None):
    return _two("irfft2", lax.FftType.IRFFT, a, s, axes, norm)


def fftn(a, s=None, axes=None, norm=None):
    return _fft_core("fftn", lax.FftType.FFT, a, s, axes, norm)


def ifftn(a, s=None, axes=None, norm=None):
    return _fft_core("ifftn", lax.FftType.IFFT, a, s, axes, norm)


def rfftn(a, s=None, axes=None, norm=None):
    return _fft_core("rfftn", lax.FftType.RFFT, a, s, axes, norm)


def irfftn(a, s=None, axes=None, norm=None):
    return _fft_core("irfftn", lax.FftType.IRFFT, a, s, axes, norm)


def fftfreq(n, d=1.0, *, dtype=None, device=None):
    """The sample frequencies [0, 1, ..., -2, -1] / (n d)."""
    n = operator.index(n)
    k = _np.concatenate([_np.arange(0, (n - 1) // 2 + 1), _np.arange(-(n // 2), 0)]) if n > 0 else _np.zeros(0)
    dt = dtype or ("float64" if jnp._x64() else "float32")
    return jnp.asarray(k, dt) / jnp.asarray(n * d, dt)


def rfftfreq(n, d=1.0, *, dtype=None, device=None):
    n = operator.index(n)
    dt = dtype or ("float64" if jnp._x64() else "float32")
    return jnp.arange(0, n // 2 + 1, dtype=dt) / jnp.asarray(n * d, dt)


def fftshift(x, axes=None):
    x = jnp.asarray(x)
    axes = tuple(range(x.ndim)) if axes is None else ((axes,) if isinstance(axes, int) else tuple(axes))
    return jnp.roll(x, tuple(x.shape[a] // 2 for a in axes), axes)


def ifftshift(x, axes=None):
    x = jnp.asarray(x)
    axes = tuple(range(x.ndim)) if axes is None else ((axes,) if isinstance(axes, int) else tuple(axes))
    return jnp.roll(x, tuple(-(x.shape[a] // 2) for a in axes), axes)
