"""`jaxcore.example_libraries`: the optimizers and stax layers that JAX
ships as examples, with the same semantics (and the same parameters for
the same key), written over jaxcore."""
