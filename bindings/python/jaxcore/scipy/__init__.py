"""`jaxcore.scipy`."""
from . import special, stats, linalg, integrate, signal, optimize  # noqa: F401
