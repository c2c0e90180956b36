"""`jaxcore.ops`: segment reductions (scatter-reductions by segment id)."""

import numpy as _np

from .. import numpy as jnp


def _segment(kind, data, segment_ids, num_segments, fill):
    data, ids = jnp.asarray(data), jnp.asarray(segment_ids)
    if num_segments is None:
        try:
            num_segments = int(_np.max(_np.asarray(ids))) + 1 if ids.size else 0
        except TypeError:
            raise ValueError("segment reductions under a trace need a static num_segments")
    out = jnp.full((num_segments,) + tuple(data.shape[ids.ndim:]), fill, data.dtype)
    at = out.at[ids]
    return getattr(at, kind)(data)


def _init(dtype, which):
    d = _np.dtype(dtype) if str(dtype) != "bfloat16" else None
    if d is None or _np.issubdtype(d, _np.floating):
        return -_np.inf if which == "max" else _np.inf
    if d == _np.bool_:
        return which != "max"
    info = _np.iinfo(d)
    return info.min if which == "max" else info.max


def segment_sum(data, segment_ids, num_segments=None, indices_are_sorted=False, unique_indices=False, bucket_size=None, mode=None):
    return _segment("add", data, segment_ids, num_segments, 0)


def segment_prod(data, segment_ids, num_segments=None, indices_are_sorted=False, unique_indices=False, bucket_size=None, mode=None):
    return _segment("multiply", data, segment_ids, num_segments, 1)


def segment_max(data, segment_ids, num_segments=None, indices_are_sorted=False, unique_indices=False, bucket_size=None, mode=None):
    return _segment("max", data, segment_ids, num_segments, _init(jnp.asarray(data).dtype, "max"))


def segment_min(data, segment_ids, num_segments=None, indices_are_sorted=False, unique_indices=False, bucket_size=None, mode=None):
    return _segment("min", data, segment_ids, num_segments, _init(jnp.asarray(data).dtype, "min"))
