#!/usr/bin/env bash
# The benchmark command: a virtual environment with JAX (CPU) and numpy, a
# release build of libjaxcore, then bench/run.py (alternating runs of every
# workload on both, the C-side numbers, docs/benchmarks.md).
# BENCH_ROUNDS=N (default 3) and BENCH_ONLY=a,b select rounds and workloads.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/fetch_cpu_plugin.sh >/dev/null
if [ ! -x bench/.venv/bin/python ]; then python3 -m venv bench/.venv; fi
bench/.venv/bin/python -m pip install --quiet --disable-pip-version-check "jax==0.10.2" numpy
cargo build --release --quiet
export JAXCORE_LIB="$PWD/target/release/libjaxcore.so"
exec bench/.venv/bin/python bench/run.py
