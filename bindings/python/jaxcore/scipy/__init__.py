"""`jaxcore.scipy`."""
from . import special, stats, linalg, integrate, signal, optimize, sparse, ndimage, fft, interpolate, spatial  # noqa: F401
