#!/usr/bin/env bash
# Runs every test of the project. Installs what the tests need by itself
# (today: only the Rust toolchain that the machine already has).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --all-targets 2>&1
