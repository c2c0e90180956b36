"""`jax.custom_derivatives`."""

from ._api import custom_jvp, custom_vjp  # noqa: F401
from . import custom_gradient, linear_transpose  # noqa: F401
