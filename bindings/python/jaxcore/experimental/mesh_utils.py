"""`jax.experimental.mesh_utils`: device grids for `Mesh`."""

import numpy as _np


def create_device_mesh(mesh_shape, devices=None, *, contiguous_submeshes=False, allow_split_physical_axes=False):
    """The devices (default: all of them) as an array of `mesh_shape`; CPU
    devices have no topology, so the order is the device order."""
    from .. import devices as _devices
    devs = list(_devices() if devices is None else devices)
    n = int(_np.prod(mesh_shape))
    if n != len(devs):
        raise ValueError(f"Number of devices {len(devs)} must equal the product of mesh_shape {tuple(mesh_shape)}")
    a = _np.empty(len(devs), dtype=object)
    a[:] = devs
    return a.reshape(tuple(mesh_shape))


def create_hybrid_device_mesh(mesh_shape, dcn_mesh_shape, devices=None, **kwargs):
    full = tuple(int(a) * int(b) for a, b in zip(mesh_shape, dcn_mesh_shape))
    return create_device_mesh(full, devices)
