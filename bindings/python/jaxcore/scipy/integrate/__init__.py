"""`jax.scipy.integrate`."""

from ...numpy import trapezoid  # noqa: F401
