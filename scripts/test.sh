#!/usr/bin/env bash
# Runs every test of the project. Installs what the tests need by itself:
# XLA's CPU PJRT plugin (downloaded with pip, sha256-checked, cached).
# Benchmarks are compiled here but run only by `cargo bench`.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/fetch_cpu_plugin.sh >/dev/null
cargo build --benches --quiet 2>&1
cargo test --lib --tests --examples 2>&1
