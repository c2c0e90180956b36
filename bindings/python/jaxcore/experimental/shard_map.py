"""`jax.experimental.shard_map.shard_map(f, mesh, in_specs, out_specs,
check_rep=...)`: the older spelling of `jaxcore.shard_map`."""

from .._api import shard_map as _shard_map


def shard_map(f, mesh, in_specs, out_specs, check_rep=True, auto=frozenset()):
    return _shard_map(f, mesh=mesh, in_specs=in_specs, out_specs=out_specs)
