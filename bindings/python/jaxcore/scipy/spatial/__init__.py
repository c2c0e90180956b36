"""`jax.scipy.spatial`: the `transform` module (Rotation, Slerp)."""
from . import transform  # noqa: F401
