"""`jaxcore.experimental`: the older spellings JAX programs still use."""
