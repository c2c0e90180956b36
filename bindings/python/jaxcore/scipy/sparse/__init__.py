"""`jaxcore.scipy.sparse`: the iterative solvers of `scipy.sparse.linalg`."""
from . import linalg  # noqa: F401
