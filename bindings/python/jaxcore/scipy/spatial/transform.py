"""`jax.scipy.spatial.transform`: `Rotation` and `Slerp` with scipy's
conventions, as JAX provides them: unit quaternions stored scalar-last
(x, y, z, w) in `quat` (any leading batch shape), conversions to and from
matrices, rotation vectors, modified Rodrigues parameters and Euler angles
(`xyz` extrinsic, `XYZ` intrinsic), composition with `*`, `apply`, `inv`,
`magnitude`, `mean`. Written over the last axis of `quat`, with JAX's
formulas (so results round as JAX's). `Rotation.random` raises, as in JAX."""

import re
import typing

import numpy as _np

from ... import numpy as jnp


def _norm(v):
    return jnp.sqrt(jnp.einsum("...i,...i->...", v, v))


def _normalize(q):
    return q / _norm(q)[..., None]


def _parts(q):
    return q[..., 0], q[..., 1], q[..., 2], q[..., 3]


def _compose(p, q):
    """The quaternion of rotating by q, then by p."""
    px, py, pz, pw = _parts(p)
    qx, qy, qz, qw = _parts(q)
    c = jnp.cross(p[..., :3], q[..., :3])
    return jnp.stack([pw * qx + qw * px + c[..., 0], pw * qy + qw * py + c[..., 1], pw * qz + qw * pz + c[..., 2],
                      pw * qw - px * qx - py * qy - pz * qz], axis=-1)


def _matrix(q):
    x, y, z, w = _parts(q)
    x2, y2, z2, w2 = x * x, y * y, z * z, w * w
    xy, zw, xz, yw, yz, xw = x * y, z * w, x * z, y * w, y * z, x * w
    rows = [[x2 - y2 - z2 + w2, 2 * (xy - zw), 2 * (xz + yw)],
            [2 * (xy + zw), -x2 + y2 - z2 + w2, 2 * (yz - xw)],
            [2 * (xz - yw), 2 * (yz + xw), -x2 - y2 + z2 + w2]]
    return jnp.stack([jnp.stack(r, axis=-1) for r in rows], axis=-2)


def _from_matrix(m):
    m = jnp.asarray(m)
    if m.shape[-2:] != (3, 3):
        raise ValueError(f"Expected `matrix` to have shape (3, 3) or (N, 3, 3), got {m.shape}")
    d = [m[..., 0, 0], m[..., 1, 1], m[..., 2, 2]]
    trace = d[0] + d[1] + d[2]
    choice = jnp.argmax(jnp.stack(d + [trace], axis=-1), axis=-1)
    # one candidate per largest entry: a diagonal element, or the trace
    cands = []
    for i in range(3):
        j, k = (i + 1) % 3, (i + 2) % 3
        q = [None] * 4
        q[i] = 1 - trace + 2 * m[..., i, i]
        q[j] = m[..., j, i] + m[..., i, j]
        q[k] = m[..., k, i] + m[..., i, k]
        q[3] = m[..., k, j] - m[..., j, k]
        cands.append(jnp.stack(q, axis=-1))
    cands.append(jnp.stack([m[..., 2, 1] - m[..., 1, 2], m[..., 0, 2] - m[..., 2, 0], m[..., 1, 0] - m[..., 0, 1], 1 + trace], axis=-1))
    q = cands[3]
    for i in range(3):
        q = jnp.where((choice == i)[..., None], cands[i], q)
    return _normalize(q)


def _from_rotvec(v, degrees):
    v = jnp.asarray(v)
    if degrees:
        v = jnp.deg2rad(v)
    angle = _norm(v)
    a2 = angle * angle
    small = 0.5 - a2 / 48 + a2 * a2 / 3840
    large = jnp.sin(angle / 2) / angle
    scale = jnp.where(angle <= 1e-3, small, large)
    return jnp.concatenate([scale[..., None] * v, jnp.cos(angle / 2)[..., None]], axis=-1)


def _as_rotvec(q, degrees):
    q = jnp.where((q[..., 3] < 0)[..., None], -q, q)  # w >= 0: angles in [0, pi]
    angle = 2.0 * jnp.arctan2(_norm(q[..., :3]), q[..., 3])
    a2 = angle * angle
    small = 2 + a2 / 12 + 7 * a2 * a2 / 2880
    large = angle / jnp.sin(angle / 2)
    scale = jnp.where(angle <= 1e-3, small, large)
    if degrees:
        scale = jnp.rad2deg(scale)
    return scale[..., None] * q[..., :3]


def _elementary(axis, angle):
    half = angle / 2.0
    comps = [jnp.zeros_like(angle)] * 3 + [jnp.cos(half)]
    comps[axis] = jnp.sin(half)
    return jnp.stack(comps, axis=-1)


def _check_seq(seq):
    intrinsic = re.match(r"^[XYZ]{1,3}$", seq) is not None
    extrinsic = re.match(r"^[xyz]{1,3}$", seq) is not None
    if not (intrinsic or extrinsic):
        raise ValueError(f"Expected axes from `seq` to be from ['x', 'y', 'z'] or ['X', 'Y', 'Z'], got {seq}")
    if any(seq[i] == seq[i + 1] for i in range(len(seq) - 1)):
        raise ValueError(f"Expected consecutive axes to be different, got {seq}")
    return intrinsic, ["xyz".index(c) for c in seq.lower()]


def _euler(q, axes, extrinsic, degrees):
    if not extrinsic:
        axes = axes[::-1]
    i, j, k = axes
    symmetric = i == k
    if symmetric:
        k = 3 - i - j
    sign = (i - j) * (j - k) * (k - i) // 2
    first, third = (0, 2) if extrinsic else (2, 0)
    qi, qj, qk, w = q[..., i], q[..., j], q[..., k], q[..., 3]
    if symmetric:
        a, b, c, d = w, qi, qj, qk * sign
    else:
        a, b, c, d = w - qj, qi + qk * sign, qj + w, qk * sign - qi
    middle = 2 * jnp.arctan2(jnp.hypot(c, d), jnp.hypot(a, b))
    eps = 1e-7
    case = jnp.where(jnp.abs(middle) <= eps, 1, jnp.where(jnp.abs(middle - _np.pi) <= eps, 2, 0))
    half_sum, half_diff = jnp.arctan2(b, a), jnp.arctan2(d, c)
    angles = [None, middle, None]
    # degenerate cases (middle angle 0 or pi): the whole rotation in one angle
    angles[0] = jnp.where(case == 1, 2 * half_sum, 2 * half_diff * (-1 if extrinsic else 1))
    angles[2] = jnp.zeros_like(middle)
    regular = case == 0
    angles[first] = jnp.where(regular, half_sum - half_diff, angles[first])
    angles[third] = jnp.where(regular, half_sum + half_diff, angles[third])
    if not symmetric:
        angles[third] = angles[third] * sign
        angles[1] = angles[1] - _np.pi / 2
    out = (jnp.stack(angles, axis=-1) + _np.pi) % (2 * _np.pi) - _np.pi
    return jnp.rad2deg(out) if degrees else out


class Rotation(typing.NamedTuple):
    """`jax.scipy.spatial.transform.Rotation` (a pytree holding `quat`)."""
    quat: typing.Any

    @classmethod
    def concatenate(cls, rotations):
        return cls(jnp.concatenate([r.quat for r in rotations]))

    @classmethod
    def from_euler(cls, seq, angles, degrees=False):
        if not 1 <= len(seq) <= 3:
            raise ValueError(f"Expected axis specification to be a non-empty string of upto 3 characters, got {seq}")
        intrinsic, axes = _check_seq(seq)
        angles = jnp.atleast_1d(jnp.asarray(angles))
        if not jnp.issubdtype(angles.dtype, jnp.inexact):
            angles = angles.astype(jnp.result_type(float))
        if angles.shape[-1] != len(axes):
            raise ValueError(f"Expected angles to have {len(axes)} values on the last axis for seq {seq!r}, got shape {angles.shape}")
        if degrees:
            angles = jnp.deg2rad(angles)
        q = _elementary(axes[0], angles[..., 0])
        for n in range(1, len(axes)):
            e = _elementary(axes[n], angles[..., n])
            q = _compose(q, e) if intrinsic else _compose(e, q)
        return cls(q)

    @classmethod
    def from_matrix(cls, matrix):
        return cls(_from_matrix(matrix))

    @classmethod
    def from_mrp(cls, mrp):
        mrp = jnp.asarray(mrp)
        s = jnp.einsum("...i,...i->...", mrp, mrp)[..., None] + 1
        return cls(jnp.concatenate([2 * mrp[..., :3], 2 - s], axis=-1) / s)

    @classmethod
    def from_quat(cls, quat):
        return cls(_normalize(jnp.asarray(quat)))

    @classmethod
    def from_rotvec(cls, rotvec, degrees=False):
        return cls(_from_rotvec(rotvec, degrees))

    @classmethod
    def identity(cls, num=None, dtype=float):
        if num is not None:
            raise NotImplementedError("Rotation.identity(num) is not supported (as in JAX)")
        return cls(jnp.array([0.0, 0.0, 0.0, 1.0], dtype=dtype))

    @classmethod
    def random(cls, random_key, num=None):
        raise NotImplementedError()

    @property
    def single(self):
        return self.quat.ndim == 1

    def __getitem__(self, indexer):
        if self.single:
            raise TypeError("Single rotation is not subscriptable.")
        return Rotation(self.quat[indexer])

    def __len__(self):
        if self.single:
            raise TypeError("Single rotation has no len().")
        return self.quat.shape[0]

    def __mul__(self, other):
        return Rotation.from_quat(_compose(self.quat, other.quat))

    def apply(self, vectors, inverse=False):
        m = self.as_matrix()
        if inverse:
            m = jnp.swapaxes(m, -1, -2)
        return jnp.einsum("...ij,...j->...i", m, jnp.asarray(vectors))

    def as_euler(self, seq, degrees=False):
        if len(seq) != 3:
            raise ValueError(f"Expected 3 axes, got {seq}.")
        intrinsic, axes = _check_seq(seq)
        return _euler(self.quat, axes, not intrinsic, degrees)

    def as_matrix(self):
        return _matrix(self.quat)

    def as_mrp(self):
        q = self.quat
        sign = jnp.where(q[..., 3] < 0, -1.0, 1.0).astype(q.dtype)
        return sign[..., None] * q[..., :3] / (1.0 + sign * q[..., 3])[..., None]

    def as_rotvec(self, degrees=False):
        return _as_rotvec(self.quat, degrees)

    def as_quat(self, canonical=False, scalar_first=False):
        q = self.quat
        if canonical:
            neg, zero = q < 0, q == 0
            flip = (neg[..., 3] | (zero[..., 3] & neg[..., 0]) | (zero[..., 3] & zero[..., 0] & neg[..., 1])
                    | (zero[..., 3] & zero[..., 0] & zero[..., 1] & neg[..., 2]))
            q = jnp.where(flip[..., None], -q, q)
        return jnp.roll(q, 1, axis=-1) if scalar_first else q

    def inv(self):
        return Rotation(self.quat * jnp.array([-1, -1, -1, 1], dtype=self.quat.dtype))

    def magnitude(self):
        return 2.0 * jnp.arctan2(_norm(self.quat[..., :3]), jnp.abs(self.quat[..., 3]))

    def mean(self, weights=None):
        """The rotation maximizing the weighted sum of squared quaternion
        dot products (the top eigenvector of sum w q q^T)."""
        q = self.quat
        w = jnp.ones(q.shape[0], dtype=q.dtype) if weights is None else jnp.asarray(weights, dtype=q.dtype)
        if w.ndim != 1:
            raise ValueError(f"Expected `weights` to be 1 dimensional, got shape {w.shape}.")
        if w.shape[0] != len(self):
            raise ValueError(f"Expected `weights` to have number of values equal to number of rotations, got {w.shape[0]} values and {len(self)} rotations.")
        k = jnp.dot(w[None, :] * q.T, q)
        _, v = jnp.linalg.eigh(k)
        return Rotation(v[:, -1])


class Slerp(typing.NamedTuple):
    """`jax.scipy.spatial.transform.Slerp`: spherical linear interpolation
    between key rotations at increasing key times (`Slerp.init(times,
    rotations)`, then `slerp(times)`)."""
    times: typing.Any
    timedelta: typing.Any
    rotations: typing.Any
    rotvecs: typing.Any

    @classmethod
    def init(cls, times, rotations):
        if not isinstance(rotations, Rotation):
            raise TypeError("`rotations` must be a `Rotation` instance.")
        if rotations.single or len(rotations) == 1:
            raise ValueError("`rotations` must be a sequence of at least 2 rotations.")
        times = jnp.asarray(times, dtype=rotations.quat.dtype)
        if times.ndim != 1:
            raise ValueError(f"Expected times to be specified in a 1 dimensional array, got {times.ndim} dimensions.")
        if times.shape[0] != len(rotations):
            raise ValueError(f"Expected number of rotations to be equal to number of timestamps given, got {len(rotations)} rotations and {times.shape[0]} timestamps.")
        q = rotations.as_quat()
        starts = Rotation(q[:-1])
        return cls(times=times, timedelta=jnp.diff(times), rotations=starts,
                   rotvecs=(starts.inv() * Rotation(q[1:])).as_rotvec())

    def __call__(self, times):
        t = jnp.asarray(times, dtype=self.times.dtype)
        if t.ndim > 1:
            raise ValueError("`times` must be at most 1-dimensional.")
        single = t.ndim == 0
        t = jnp.atleast_1d(t)
        idx = jnp.maximum(jnp.searchsorted(self.times, t) - 1, 0)
        alpha = (t - self.times[idx]) / self.timedelta[idx]
        out = self.rotations[idx] * Rotation.from_rotvec(self.rotvecs[idx] * alpha[:, None])
        return out[0] if single else out
