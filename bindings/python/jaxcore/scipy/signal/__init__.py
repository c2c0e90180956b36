"""`jax.scipy.signal`: N-dimensional direct convolution and correlation
(scipy's modes), through `lax.conv_general_dilated`; FFT convolution;
detrending."""

from ... import numpy as jnp
from ... import lax


def _conv(in1, in2, mode, flip, start_up=False):
    """`start_up`: "same" takes the centre of "full" rounded up (scipy's
    correlate2d) instead of down."""
    x, k = jnp.asarray(in1), jnp.asarray(in2)
    if x.ndim != k.ndim:
        raise ValueError("in1 and in2 should have the same dimensionality")
    if mode not in ("full", "same", "valid"):
        raise ValueError("mode must be one of ['full', 'same', 'valid']")
    dt = jnp.result_type(x, k)
    x, k = x.astype(dt), k.astype(dt)
    swap = mode == "valid" and all(a < b for a, b in zip(x.shape, k.shape))
    if mode == "valid" and not swap and not all(a >= b for a, b in zip(x.shape, k.shape)):
        raise ValueError("For 'valid' mode, one must be at least as large as the other in every dimension")
    if swap:
        x, k = k, x
    if flip:  # convolution: the kernel reversed (lax convolutions correlate)
        k = jnp.flip(k)
    n = x.ndim
    if mode == "full":
        pad = [(s - 1, s - 1) for s in k.shape]
    elif mode == "same":
        first = [(s // 2) if start_up else (s - 1) // 2 for s in k.shape]  # "full" index of the first output
        pad = [(s - 1 - f, f) for s, f in zip(k.shape, first)]
    else:
        pad = [(0, 0)] * n
    out = lax.conv_general_dilated(x[None, None], k[None, None], (1,) * n, pad)[0, 0]
    if swap and not flip:
        out = jnp.flip(out)
    return out


def convolve(in1, in2, mode="full", method="auto", precision=None):
    return _conv(in1, in2, mode, True)


def correlate(in1, in2, mode="full", method="auto", precision=None):
    return _conv(in1, in2, mode, False)


def _check_2d(name, in1, in2, boundary, fillvalue):
    if boundary != "fill" or fillvalue != 0:
        raise NotImplementedError(f"{name} only supports boundary='fill', fillvalue=0")
    if jnp.ndim(in1) != 2 or jnp.ndim(in2) != 2:
        raise ValueError(f"{name}() only supports 2-dimensional inputs.")


def convolve2d(in1, in2, mode="full", boundary="fill", fillvalue=0, precision=None):
    _check_2d("convolve2d", in1, in2, boundary, fillvalue)
    return _conv(in1, in2, mode, True)


def correlate2d(in1, in2, mode="full", boundary="fill", fillvalue=0, precision=None):
    _check_2d("correlate2d", in1, in2, boundary, fillvalue)
    return _conv(in1, in2, mode, False, start_up=True)


def _fftconvolve_core(x, k, mode):
    """Full-rank FFT convolution of two arrays of equal rank (JAX's
    construction: the product of the transforms at the full size, then the
    centred slice of the mode)."""
    full = tuple(a + b - 1 for a, b in zip(x.shape, k.shape))
    if mode == "valid":
        no_swap = all(a >= b for a, b in zip(x.shape, k.shape))
        if not (no_swap or all(a <= b for a, b in zip(x.shape, k.shape))):
            raise ValueError("For 'valid' mode, One input must be at least as large as the other in every dimension.")
        if not no_swap:
            x, k = k, x
    if all(a == 1 or b == 1 for a, b in zip(x.shape, k.shape)):
        conv = x * k
    elif jnp.iscomplexobj(x) or jnp.iscomplexobj(k):
        conv = jnp.fft.ifftn(jnp.fft.fftn(x, full) * jnp.fft.fftn(k, full), full)
    else:
        conv = jnp.fft.irfftn(jnp.fft.rfftn(x, full) * jnp.fft.rfftn(k, full), full)
    out = {"full": full, "same": tuple(x.shape),
           "valid": tuple(a - b + 1 for a, b in zip(x.shape, k.shape))}.get(mode)
    if out is None:
        raise ValueError(f"Unrecognized mode={mode!r}")
    start = tuple((f - o) // 2 for f, o in zip(full, out))
    return lax.dynamic_slice(conv, start, out)


def fftconvolve(in1, in2, mode="full", axes=None):
    """`jax.scipy.signal.fftconvolve`: convolution through the FFT, over all
    axes or over `axes` (the others must match, and are mapped)."""
    from ..._api import vmap
    x, k = jnp.asarray(in1), jnp.asarray(in2)
    if x.ndim != k.ndim:
        raise ValueError("in1 and in2 should have the same dimensionality")
    dt = jnp.result_type(x, k, 1.0)
    x, k = x.astype(dt), k.astype(dt)
    if axes is None:
        return _fftconvolve_core(x, k, mode)
    axes = sorted({a % x.ndim for a in ((axes,) if isinstance(axes, int) else axes)})
    rest = [d for d in range(x.ndim) if d not in axes]
    if any(x.shape[d] != k.shape[d] for d in rest):
        raise ValueError(f"mapped axes must have same shape; got in1.shape={tuple(x.shape)} "
                         f"in2.shape={tuple(k.shape)} axes={tuple(axes)}")
    x = jnp.moveaxis(x, rest, list(range(len(rest))))
    k = jnp.moveaxis(k, rest, list(range(len(rest))))
    f = lambda a, b: _fftconvolve_core(a, b, mode)
    for _ in rest:
        f = vmap(f)
    out = f(x, k)
    return jnp.moveaxis(out, list(range(len(rest))), rest)


def detrend(data, axis=-1, type="linear", bp=0, overwrite_data=None):
    """`jax.scipy.signal.detrend`: the data less its mean ('constant') or
    less a least-squares line fitted on each piece between breakpoints
    ('linear')."""
    x = jnp.asarray(data)
    if type not in ("linear", "l", "constant", "c"):
        raise ValueError("Trend type must be 'linear' or 'constant'.")
    if not jnp.issubdtype(x.dtype, jnp.inexact):
        x = x.astype("float64" if jnp._x64() else "float32")
    if type in ("constant", "c"):
        return x - jnp.mean(x, axis, keepdims=True)
    n = x.shape[axis]
    points = sorted(set([0] + [int(b) for b in jnp.atleast_1d(jnp.asarray(bp)).tolist()] + [n]))
    if points[0] < 0 or points[-1] > n:
        raise ValueError("Breakpoints must be non-negative and less than length of data along given axis.")
    xm = jnp.moveaxis(x, axis, -1)
    pieces = []
    for lo, hi in zip(points[:-1], points[1:]):
        seg = xm[..., lo:hi]
        t = jnp.arange(hi - lo, dtype=seg.dtype)
        tc = t - jnp.mean(t)
        denom = jnp.sum(tc * tc)
        slope = jnp.sum(tc * seg, axis=-1, keepdims=True) / jnp.where(denom == 0, 1, denom)
        pieces.append(seg - jnp.mean(seg, axis=-1, keepdims=True) - slope * tc)
    return jnp.moveaxis(jnp.concatenate(pieces, axis=-1), -1, axis)
