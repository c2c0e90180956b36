#!/usr/bin/env bash
# Runs every test of the project. Installs what the tests need by itself:
# XLA's CPU PJRT plugin (downloaded with pip, sha256-checked, cached) and a
# Python virtual environment (.venv) with numpy, pytest and scipy (whose
# LAPACK the binding's eig/schur/hessenberg/sqrtm call, as jaxlib does), and Julia
# (Debian bullseye's 1.5.3, see scripts/julia.sh).
# Benchmarks and examples are compiled here; the C/C++ examples are run by
# tests/c_abi.rs; benchmarks run only under `cargo bench`.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/fetch_cpu_plugin.sh >/dev/null
cargo build --benches --examples --quiet 2>&1
cargo test --lib --tests 2>&1
# eager primitives whose kernels are not XLA's run on XLA when a plugin is
# loaded; this run keeps them on the interpreter, so every primitive's
# interpreter kernel is checked against XLA's compiled one
JAXCORE_EAGER_XLA_MIN=0 cargo test --test jit_pjrt every_primitive_compiled_equals_the_interpreter 2>&1
if [ ! -x .venv/bin/python ]; then python3 -m venv .venv; fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check numpy pytest scipy
# the library this test run built (cargo test refreshes target/debug/deps)
JAXCORE_LIB="$PWD/target/debug/deps/libjaxcore.so" .venv/bin/python -m pytest -q bindings/python/tests 2>&1
# Julia: scripts/julia.sh installs it when missing (CI runs as root)
JAXCORE_LIB="$PWD/target/debug/deps/libjaxcore.so" ./scripts/julia.sh bindings/julia/JaxCore/test/runtests.jl 2>&1
JAXCORE_LIB="$PWD/target/debug/deps/libjaxcore.so" ./scripts/julia.sh examples/julia/readme.jl 2>&1
JAXCORE_LIB="$PWD/target/debug/deps/libjaxcore.so" ./scripts/julia.sh examples/julia/mlp.jl 2>&1
