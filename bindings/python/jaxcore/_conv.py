"""`lax.conv_general_dilated` and its relatives. A convolution with spatial
dimensions of a real dtype is the engine's `conv_general_dilated`
primitive (XLA's convolution, JAX's derivative and batching rules); one
without spatial dimensions, or of complex numbers (which the interpreter
cannot convolve), is composed of the engine's pad, strided slice and
dot_general (the input gathered into patches, one per kernel tap,
contracted with the kernel in one dot_general). Semantics follow jax.lax:
dimension numbers, SAME/SAME_LOWER/VALID or explicit padding, input (lhs)
and kernel (rhs) dilation, feature and batch groups."""

import collections

import numpy as _np

from ._core import asarray, op1

ConvDimensionNumbers = collections.namedtuple("ConvDimensionNumbers", ["lhs_spec", "rhs_spec", "out_spec"])


def conv_general_permutations(dimension_numbers):
    """Permutations (N, C, spatial...), (O, I, spatial...), (N, C, spatial...)
    from spec strings; spatial dims are matched by letter, in the kernel's order."""
    lhs_spec, rhs_spec, out_spec = dimension_numbers
    charpairs = (("N", "C"), ("O", "I"), ("N", "C"))
    for i, (a, b) in enumerate(charpairs):
        if not dimension_numbers[i].count(a) == dimension_numbers[i].count(b) == 1:
            raise TypeError(f"convolution dimension_numbers[{i}] must contain the characters '{a}' and '{b}' exactly once, got {dimension_numbers[i]}.")
        if len(dimension_numbers[i]) != len(set(dimension_numbers[i])):
            raise TypeError(f"convolution dimension_numbers[{i}] cannot have duplicate characters, got {dimension_numbers[i]}.")
    if not (set(lhs_spec) - {"N", "C"} == set(rhs_spec) - {"O", "I"} == set(out_spec) - {"N", "C"}):
        raise TypeError(f"convolution dimension_numbers elements must each have the same set of spatial characters, got {dimension_numbers}.")

    def perm(spec, pair):
        spatial = [i for i, c in enumerate(spec) if c not in pair]
        if spec is not rhs_spec:
            spatial = sorted(spatial, key=lambda i: rhs_spec.index(spec[i]))
        return (spec.index(pair[0]), spec.index(pair[1])) + tuple(spatial)
    return tuple(perm(s, p) for s, p in zip(dimension_numbers, charpairs))


def conv_dimension_numbers(lhs_shape, rhs_shape, dimension_numbers):
    """`lax.conv_dimension_numbers`: a ConvDimensionNumbers of permutations."""
    if isinstance(dimension_numbers, ConvDimensionNumbers):
        return dimension_numbers
    if len(lhs_shape) != len(rhs_shape):
        raise TypeError(f"convolution requires lhs and rhs ndim to be equal, got {len(lhs_shape)} and {len(rhs_shape)}.")
    if dimension_numbers is None:
        iota = tuple(range(len(lhs_shape)))
        return ConvDimensionNumbers(iota, iota, iota)
    if isinstance(dimension_numbers, (list, tuple)):
        if len(dimension_numbers) != 3:
            raise TypeError(f"convolution dimension_numbers list/tuple must be length 3, got {len(dimension_numbers)}.")
        if all(isinstance(e, (list, tuple)) for e in dimension_numbers):
            return ConvDimensionNumbers(*(tuple(int(i) for i in e) for e in dimension_numbers))
        if not all(isinstance(e, str) for e in dimension_numbers):
            raise TypeError(f"convolution dimension_numbers elements must be strings, got {tuple(map(type, dimension_numbers))}.")
        for i, e in enumerate(dimension_numbers):
            if len(e) != len(lhs_shape):
                raise TypeError(f"convolution dimension_numbers[{i}] must have len equal to the ndim of lhs and rhs, got {len(e)} for lhs and rhs shapes {tuple(lhs_shape)} and {tuple(rhs_shape)}.")
        return ConvDimensionNumbers(*conv_general_permutations(dimension_numbers))
    raise TypeError(f"convolution dimension_numbers must be tuple/list or None, got {type(dimension_numbers)}.")


def padtype_to_pads(in_shape, window_shape, window_strides, padding):
    """`lax.padtype_to_pads`: (lo, hi) per spatial dim for 'SAME',
    'SAME_LOWER' or 'VALID'."""
    p = padding.upper() if isinstance(padding, str) else padding
    if p == "VALID":
        return [(0, 0)] * len(in_shape)
    if p in ("SAME", "SAME_LOWER"):
        pads = []
        for n, w, s in zip(in_shape, window_shape, window_strides):
            out = -(-n // s)
            size = max((out - 1) * s + w - n, 0)
            lo = size // 2 if p == "SAME" else size - size // 2
            pads.append((lo, size - lo))
        return pads
    raise RuntimeError(f"Unrecognized padding type: expected 'VALID', 'SAME', or 'SAME_LOWER', got {padding}.")


def _dilate_dim(d, r):
    return 0 if d == 0 else 1 + r * (d - 1)


def conv_general_dilated(lhs, rhs, window_strides, padding, lhs_dilation=None, rhs_dilation=None,
                         dimension_numbers=None, feature_group_count=1, batch_group_count=1,
                         precision=None, preferred_element_type=None):
    """`lax.conv_general_dilated`."""
    from . import lax, numpy as jnp
    lhs, rhs = asarray(lhs), asarray(rhs)
    dn = conv_dimension_numbers(lhs.shape, rhs.shape, dimension_numbers)
    nsp = lhs.ndim - 2
    if nsp < 0:
        raise TypeError(f"convolution requires at least 2-d operands, got {lhs.ndim}-d")
    window_strides = tuple(window_strides) if window_strides is not None else (1,) * nsp
    lhs_dilation = tuple(lhs_dilation) if lhs_dilation is not None else (1,) * nsp
    rhs_dilation = tuple(rhs_dilation) if rhs_dilation is not None else (1,) * nsp
    for name, v in (("window_strides", window_strides), ("lhs_dilation", lhs_dilation), ("rhs_dilation", rhs_dilation)):
        if len(v) != nsp:
            raise TypeError(f"conv_general_dilated {name} must have {nsp} entries (one per spatial dimension), got {v}")
        if any(int(d) < 1 for d in v):
            raise ValueError(f"conv_general_dilated {name} must be positive, got {v}")
    G, B = int(feature_group_count), int(batch_group_count)
    # spatial sizes in the kernel's order: the input's (undilated, as JAX
    # pads from them) and the kernel's dilated extent
    S = tuple(lhs.shape[d] for d in dn.lhs_spec[2:])
    eff_k = tuple(_dilate_dim(rhs.shape[d], r) for d, r in zip(dn.rhs_spec[2:], rhs_dilation))
    if isinstance(padding, str):
        pads = padtype_to_pads(S, eff_k, window_strides, padding)
    else:
        pads = [tuple(int(v) for v in p) for p in padding]
        if len(pads) != nsp:
            raise ValueError(f"conv_general_dilated padding must have {nsp} (lo, hi) pairs, got {padding}")
    if nsp >= 1 and not str(lhs.dtype).startswith("complex"):
        return op1("lax.conv_general_dilated", lhs, rhs,
                   ints=lax._lists(window_strides, [p[0] for p in pads], [p[1] for p in pads], lhs_dilation, rhs_dilation,
                               dn.lhs_spec, dn.rhs_spec, dn.out_spec, (G, B)),
                   dtype=preferred_element_type)
    if B != 1:
        raise NotImplementedError("conv_general_dilated with batch_group_count > 1 needs spatial dimensions and a real dtype")
    # canonical layouts: x (N, C, *S), w (O, I, *K)
    x = jnp.transpose(lhs, dn.lhs_spec)
    w = jnp.transpose(rhs, dn.rhs_spec)
    if x.dtype != w.dtype:
        raise TypeError(f"conv_general_dilated requires arguments to have the same dtypes, got {x.dtype}, {w.dtype}.")
    N, C = x.shape[0], x.shape[1]
    O, I, K = w.shape[0], w.shape[1], tuple(w.shape[2:])
    if C != I * G:
        raise TypeError(f"conv_general_dilated lhs feature dimension size divided by feature_group_count must equal the rhs input feature dimension size, but {C} // {G} != {I}.")
    if O % G != 0:
        raise TypeError(f"conv_general_dilated rhs output feature dimension size must be a multiple of feature_group_count, but {O} is not a multiple of {G}.")
    # input dilation is interior padding; then the explicit/SAME padding
    cfg = [(0, 0, 0), (0, 0, 0)] + [(lo, hi, d - 1) for (lo, hi), d in zip(pads, lhs_dilation)]
    if any(c != (0, 0, 0) for c in cfg):
        x = lax.pad(x, jnp.zeros((), x.dtype), cfg)
    P = tuple(x.shape[2:])
    out = tuple(max((p - e) // s + 1, 0) if p >= e else 0 for p, e, s in zip(P, eff_k, window_strides))
    # one strided window of the input per kernel tap: (N, C, taps, *out)
    taps = []
    for tap in _np.ndindex(*K) if K else [()]:
        start = (0, 0) + tuple(t * r for t, r in zip(tap, rhs_dilation))
        limit = (N, C) + tuple(st + (o - 1) * s + 1 if o > 0 else st for st, o, s in zip(start[2:], out, window_strides))
        taps.append(lax.slice(x, start, limit, (1, 1) + window_strides))
    T = len(taps)
    patches = jnp.stack(taps, axis=2) if T > 1 else jnp.expand_dims(taps[0], 2)
    patches = jnp.reshape(patches, (N, G, I, T) + out)
    wk = jnp.reshape(w, (G, O // G, I, T))
    # contract (I, taps) per group: result (G, N, *out, O/G)
    y = lax.dot_general(patches, wk, (((2, 3), (2, 3)), ((1,), (0,))), preferred_element_type=preferred_element_type)
    nd = len(out)
    y = jnp.transpose(y, (1, 0, nd + 2) + tuple(range(2, 2 + nd)))  # (N, G, O/G, *out)
    y = jnp.reshape(y, (N, O) + out)
    # back to the requested output layout: out_spec[i] is where canonical dim i goes
    inv = [0] * y.ndim
    for i, d in enumerate(dn.out_spec):
        inv[d] = i
    return jnp.transpose(y, inv)


def conv(lhs, rhs, window_strides, padding, precision=None, preferred_element_type=None):
    """`lax.conv`: NCHW input, OIHW kernel."""
    return conv_general_dilated(lhs, rhs, window_strides, padding, precision=precision, preferred_element_type=preferred_element_type)


def conv_with_general_padding(lhs, rhs, window_strides, padding, lhs_dilation, rhs_dilation, precision=None, preferred_element_type=None):
    """`lax.conv_with_general_padding`."""
    return conv_general_dilated(lhs, rhs, window_strides, padding, lhs_dilation, rhs_dilation,
                                precision=precision, preferred_element_type=preferred_element_type)


def _conv_transpose_padding(k, s, padding):
    if padding == "SAME":
        pad_len = k + s - 2
        pad_a = k - 1 if s > k - 1 else int(_np.ceil(pad_len / 2))
    elif padding == "VALID":
        pad_len = k + s - 2 + max(k - s, 0)
        pad_a = k - 1
    elif isinstance(padding, tuple):
        pads = tuple(k - p - 1 for p in padding)
        pad_a, pad_len = pads[0], sum(pads)
    else:
        raise ValueError(f"Invalid padding mode: {padding}")
    return pad_a, pad_len - pad_a


def conv_transpose(lhs, rhs, strides, padding, rhs_dilation=None, dimension_numbers=None,
                   transpose_kernel=False, precision=None, preferred_element_type=None):
    """`lax.conv_transpose`: the gradient-of-conv style transposed convolution
    (input dilation by the strides)."""
    from . import numpy as jnp
    lhs, rhs = asarray(lhs), asarray(rhs)
    nd = lhs.ndim
    if dimension_numbers is None:
        dimension_numbers = {2: ("NC", "IO", "NC"), 3: ("NHC", "HIO", "NHC"), 4: ("NHWC", "HWIO", "NHWC"),
                             5: ("NHWDC", "HWDIO", "NHWDC")}.get(nd)
        if dimension_numbers is None:
            raise ValueError("No 4+ dimensional dimension_number defaults.")
    dn = conv_dimension_numbers(lhs.shape, rhs.shape, dimension_numbers)
    k_sdims = [rhs.shape[i] for i in dn.rhs_spec[2:]]
    if isinstance(padding, str) and padding in ("SAME", "VALID"):
        rd = rhs_dilation if rhs_dilation is not None else (1,) * (nd - 2)
        pads = [_conv_transpose_padding(_dilate_dim(k, r), s, padding) for k, r, s in zip(k_sdims, rd, strides)]
    else:
        pads = padding
    if transpose_kernel:
        rhs = jnp.flip(rhs, axis=tuple(dn.rhs_spec[2:]))
        rhs = jnp.swapaxes(rhs, dn.rhs_spec[0], dn.rhs_spec[1])
    return conv_general_dilated(lhs, rhs, (1,) * (nd - 2), pads, strides, rhs_dilation, dn,
                                precision=precision, preferred_element_type=preferred_element_type)
