"""`jaxcore.image`: `resize` and `scale_and_translate` as jax.image defines
them (separable kernels: per spatial dimension a weight matrix from the
kernel, normalized, antialiased when downsampling), over jaxcore.numpy."""

import enum
import math

import numpy as _np

from .. import numpy as jnp


class ResizeMethod(enum.Enum):
    NEAREST = 0
    LINEAR = 1
    LANCZOS3 = 2
    LANCZOS5 = 3
    CUBIC = 4
    CUBIC_PYTORCH = 5
    AREA = 6

    @staticmethod
    def from_string(s):
        names = {"nearest": "NEAREST", "linear": "LINEAR", "bilinear": "LINEAR", "trilinear": "LINEAR",
                 "triangle": "LINEAR", "lanczos3": "LANCZOS3", "lanczos5": "LANCZOS5", "cubic": "CUBIC",
                 "bicubic": "CUBIC", "tricubic": "CUBIC", "cubic-pytorch": "CUBIC_PYTORCH",
                 "bicubic-pytorch": "CUBIC_PYTORCH", "area": "AREA"}
        if s not in names:
            raise ValueError(f'Unknown resize method "{s}"')
        return ResizeMethod[names[s]]


def _lanczos(radius):
    def k(x):
        y = radius * jnp.sin(_np.pi * x) * jnp.sin(_np.pi * x / radius)
        out = jnp.where(x > 0.001, y / jnp.where(x != 0, _np.pi ** 2 * x ** 2, 1), 1)
        return jnp.where(x > radius, 0.0, out)
    return k


def _keys_cubic(x):
    out = (1.5 * x - 2.5) * x * x + 1.0
    out = jnp.where(x >= 1.0, ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0, out)
    return jnp.where(x >= 2.0, 0.0, out)


def _opencv_cubic(x):
    a = -0.75
    out = ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0
    out = jnp.where(x >= 1.0, ((a * x - 5.0 * a) * x + 8.0 * a) * x - 4.0 * a, out)
    return jnp.where(x >= 2.0, 0.0, out)


def _triangle(x):
    return jnp.maximum(0, 1 - jnp.abs(x))


_AREA = object()
_KERNELS = {ResizeMethod.LINEAR: (1, _triangle), ResizeMethod.LANCZOS3: (3, _lanczos(3.0)),
            ResizeMethod.LANCZOS5: (5, _lanczos(5.0)), ResizeMethod.CUBIC: (2, _keys_cubic),
            ResizeMethod.CUBIC_PYTORCH: (2, _opencv_cubic), ResizeMethod.AREA: (1, _AREA)}


def _normalized(w):
    total = jnp.sum(w, axis=0, keepdims=True)
    return jnp.where(jnp.abs(total) > 1000.0 * float(_np.finfo(_np.float32).eps), w / jnp.where(total != 0, total, 1), 0)


def _weights(n_in, n_out, scale, translation, kernel, antialias, edge_padding, radius):
    """(n_in, n_out): how much input pixel i contributes to output pixel j."""
    inv = 1.0 / scale
    kscale = max(inv, 1.0) if antialias else 1.0
    sample = (jnp.arange(n_out, dtype="float32") + 0.5) * inv - translation * inv - 0.5
    k = (math.ceil(radius * kscale) if antialias else radius) if edge_padding else 0
    idx = jnp.arange(-k, n_in + k, dtype="float32")
    if kernel is _AREA:
        li = jnp.arange(n_out, dtype="float32") * inv - translation * inv
        ri = li + inv
        lj = jnp.arange(n_in, dtype="float32")
        w = jnp.maximum(0.0, jnp.minimum(ri[None, :], (lj + 1.0)[:, None]) - jnp.maximum(li[None, :], lj[:, None]))
    else:
        w = kernel(jnp.abs(sample[None, :] - idx[:, None]) / kscale)
    if edge_padding:
        # mass of the taps outside the image moves onto the edge pixels
        clamped = jnp.clip(idx.astype("int32"), 0, n_in - 1)
        cols = jnp.broadcast_to(jnp.arange(n_out)[None, :], (idx.shape[0], n_out))
        w = jnp.zeros((n_in, n_out), "float32").at[jnp.broadcast_to(clamped[:, None], cols.shape), cols].add(w)
        return _normalized(w)
    w = _normalized(w)
    inside = jnp.logical_and(sample >= -0.5, sample <= n_in - 0.5)
    return jnp.where(inside[None, :], w, 0)


def _scale_and_translate(x, shape, spatial_dims, scale, translation, kernel, antialias, edge_padding, radius):
    for i, d in enumerate(spatial_dims):
        d = d % x.ndim
        w = _weights(x.shape[d], shape[d], float(scale[i]), float(translation[i]), kernel, antialias, edge_padding, radius).astype(x.dtype)
        x = jnp.moveaxis(jnp.tensordot(x, w, axes=([d], [0])), -1, d)
    return x


def _method(method):
    return ResizeMethod.from_string(method) if isinstance(method, str) else method


def _inexact(x):
    x = jnp.asarray(x)
    return x if str(x.dtype).startswith(("float", "bfloat")) else x.astype("float32")


def scale_and_translate(image, shape, spatial_dims, scale, translation, method, antialias=True, precision=None):
    shape = tuple(int(s) for s in shape)
    image = _inexact(image)
    if len(shape) != image.ndim:
        raise ValueError(f"shape must have length equal to the number of dimensions of x;  {shape} vs {image.shape}")
    method = _method(method)
    if method == ResizeMethod.NEAREST:
        raise ValueError("Nearest neighbor resampling is not currently supported for scale_and_translate.")
    if method == ResizeMethod.CUBIC_PYTORCH and antialias:
        method = ResizeMethod.CUBIC
    radius, kernel = _KERNELS[method]
    edge = method == ResizeMethod.CUBIC_PYTORCH and not antialias
    return _scale_and_translate(image, shape, spatial_dims, _np.asarray(scale), _np.asarray(translation), kernel, antialias, edge, radius)


def _resize_nearest(x, shape):
    for d in range(x.ndim):
        m, n = x.shape[d], shape[d]
        if m == n:
            continue
        offsets = jnp.floor(((jnp.arange(n, dtype="float32") + 0.5) * m / n).astype("float32")).astype("int32")
        x = jnp.take(x, offsets, axis=d)
    return x


def resize(image, shape, method, antialias=True, precision=None):
    """`jax.image.resize`: nearest, linear, cubic, lanczos3/5, area,
    cubic-pytorch (antialiased when downsampling, as JAX)."""
    shape = tuple(int(s) for s in shape)
    image = jnp.asarray(image)
    if len(shape) != image.ndim:
        raise ValueError(f"shape must have length equal to the number of dimensions of x;  {shape} vs {image.shape}")
    method = _method(method)
    if method == ResizeMethod.NEAREST:
        return _resize_nearest(image, shape)
    image = _inexact(image)
    dims = tuple(i for i in range(len(shape)) if image.shape[i] != shape[i])
    if method == ResizeMethod.CUBIC_PYTORCH and antialias:
        method = ResizeMethod.CUBIC
    radius, kernel = _KERNELS[method]
    scale = [1.0 if shape[d] == 0 else shape[d] / image.shape[d] for d in dims]
    edge = method == ResizeMethod.CUBIC_PYTORCH and not antialias
    return _scale_and_translate(image, shape, dims, scale, [0.0] * len(dims), kernel, antialias, edge, radius)
