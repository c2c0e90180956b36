"""`jax.ad_checkpoint` and `jax.checkpoint_policies`. jaxcore's checkpoint
saves nothing and recomputes everything in the backward pass whatever the
policy (results are the same; only memory and time differ)."""

import types

from ._api import checkpoint, remat  # noqa: F401


def checkpoint_name(x, name):
    """Names a value for save_only_these_names policies (no effect here)."""
    return x


def _policy(name):
    def policy(*args, **kwargs):
        return True
    policy.__name__ = name
    return policy


def _policy_maker(name):
    def make(*names, **kwargs):
        return _policy(name)
    make.__name__ = name
    return make


checkpoint_policies = types.SimpleNamespace(
    everything_saveable=_policy("everything_saveable"),
    nothing_saveable=_policy("nothing_saveable"),
    dots_saveable=_policy("dots_saveable"),
    checkpoint_dots=_policy("checkpoint_dots"),
    dots_with_no_batch_dims_saveable=_policy("dots_with_no_batch_dims_saveable"),
    checkpoint_dots_with_no_batch_dims=_policy("checkpoint_dots_with_no_batch_dims"),
    save_only_these_names=_policy_maker("save_only_these_names"),
    save_any_names_but_these=_policy_maker("save_any_names_but_these"),
    save_from_both_policies=_policy_maker("save_from_both_policies"),
    save_and_offload_only_these_names=_policy_maker("save_and_offload_only_these_names"),
    offload_dot_with_no_batch_dims=_policy_maker("offload_dot_with_no_batch_dims"),
)
