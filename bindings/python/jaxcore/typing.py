"""`jax.typing`: names for annotations."""

from typing import Any, Union

import numpy as _np

from ._core import Array

ArrayLike = Union[Array, _np.ndarray, _np.bool_, _np.number, bool, int, float]
DTypeLike = Any
Shape = Any
