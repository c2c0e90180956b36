"""`jaxcore.scipy`."""
from . import special, stats, linalg, integrate, signal, optimize, sparse  # noqa: F401
