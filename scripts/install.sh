#!/usr/bin/env bash
# Builds libjaxcore in release mode and installs it under PREFIX (default
# /usr/local): lib/libjaxcore.so, lib/libjaxcore.a, include/jaxcore.h and
# lib/pkgconfig/jaxcore.pc. Then: cc app.c $(pkg-config --cflags --libs jaxcore)
set -euo pipefail
cd "$(dirname "$0")/.."
PREFIX="${1:-/usr/local}"
cargo build --release --lib
mkdir -p "$PREFIX/lib/pkgconfig" "$PREFIX/include"
cp target/release/libjaxcore.so target/release/libjaxcore.a "$PREFIX/lib/"
cp include/jaxcore.h "$PREFIX/include/"
VERSION="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)"
cat > "$PREFIX/lib/pkgconfig/jaxcore.pc" <<PC
prefix=$PREFIX
libdir=\${prefix}/lib
includedir=\${prefix}/include

Name: jaxcore
Description: JAX's core (grad, jvp, vjp, vmap, jit) in Rust behind a stable C ABI
Version: $VERSION
Libs: -L\${libdir} -Wl,-rpath,\${libdir} -ljaxcore
Libs.private: -lpthread -ldl -lm
Cflags: -I\${includedir}
PC
echo "installed libjaxcore $VERSION under $PREFIX"
