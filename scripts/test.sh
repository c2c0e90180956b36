#!/usr/bin/env bash
# Runs every test of the project. Installs what the tests need by itself:
# XLA's CPU PJRT plugin (downloaded with pip, sha256-checked, cached).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/fetch_cpu_plugin.sh >/dev/null
cargo test --all-targets 2>&1
