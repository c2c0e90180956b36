"""`jax.errors`: the tracer errors a JAX program may catch by class."""


class JAXTypeError(TypeError):
    pass


class ConcretizationTypeError(JAXTypeError):
    """A traced value was used where a concrete one is needed."""


class TracerBoolConversionError(ConcretizationTypeError):
    """`bool()` (an `if`, `while`, `and`) of a traced array."""


class TracerIntegerConversionError(JAXTypeError):
    """`int()` / `__index__` of a traced array."""


class TracerArrayConversionError(JAXTypeError):
    """A traced array converted to a numpy array."""


class NonConcreteBooleanIndexError(IndexError):
    """A boolean mask that is a tracer (its result shape is unknown)."""


class UnexpectedTracerError(Exception):
    """A tracer used outside the transformation that made it."""


class KeyReuseError(Exception):
    pass


class JAXIndexError(IndexError):
    pass


class JaxRuntimeError(RuntimeError):
    """An error raised while running a compiled program."""
