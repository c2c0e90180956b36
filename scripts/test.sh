#!/usr/bin/env bash
# Runs every test of the project. Installs what the tests need by itself:
# XLA's CPU PJRT plugin (downloaded with pip, sha256-checked, cached).
# Benchmarks and examples are compiled here; the C/C++ examples are run by
# tests/c_abi.rs; benchmarks run only under `cargo bench`.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/fetch_cpu_plugin.sh >/dev/null
cargo build --benches --examples --quiet 2>&1
cargo test --lib --tests 2>&1
