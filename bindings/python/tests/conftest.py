"""Tests import the package from this checkout (no install needed)."""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

# 8 CPU devices for the sharding tests (JAX: jax_num_cpu_devices); set before
# anything creates the client
import jaxcore  # noqa: E402

jaxcore.config.update("jax_num_cpu_devices", 8)
