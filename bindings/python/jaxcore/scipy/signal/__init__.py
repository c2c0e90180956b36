"""`jax.scipy.signal`: N-dimensional direct convolution and correlation
(scipy's modes), through `lax.conv_general_dilated`."""

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
