"""`jaxcore.scipy`."""
from . import special, stats, linalg  # noqa: F401
